"""The text view every part of a message is shown in, and how streamed text goes into it.

:class:`_TextView` is a read-only text browser as tall as its document (no scroll bars; the page
scrolls); :func:`_insert_streamed` appends streamed plain text with a cursor, keeping each
paragraph on screen under :data:`STREAM_BLOCK_MAX_CHARS` so an insert stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QWheelEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from coze_desktop.ui.markdown import citation_number, code_block_index
from coze_desktop.ui.messages.reply_images import failed_image, image_link_url

# Qt lays out a whole paragraph again on every insert: while streaming, a paragraph longer than
# this is continued in a new one on screen (the Markdown render restores the real paragraph).
STREAM_BLOCK_MAX_CHARS = 1_500


def _insert_plain(cursor: QTextCursor, text: str, char_format: QTextCharFormat | None = None) -> None:
    """Insert ``text`` as plain paragraphs (in ``char_format``, by default the plain one): new
    lines never inherit a list or heading format."""
    char_format = QTextCharFormat() if char_format is None else char_format
    first, *rest = text.split("\n")
    if first:
        cursor.insertText(first, char_format)
    for line in rest:
        cursor.insertBlock(QTextBlockFormat(), char_format)
        if line:
            cursor.insertText(line, char_format)


def _insert_streamed(cursor: QTextCursor, text: str, char_format: QTextCharFormat | None = None) -> None:
    """Insert plain text at the end; a paragraph on screen never grows past STREAM_BLOCK_MAX_CHARS."""
    while text:
        room = STREAM_BLOCK_MAX_CHARS - cursor.block().length()
        if room <= 0:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat() if char_format is None else char_format)
            continue
        newline = text.find("\n", 0, room)
        cut = room if newline < 0 else newline + 1
        _insert_plain(cursor, text[:cut], char_format)
        text = text[cut:]


class _TextView(QTextBrowser):
    """A read-only text view as tall as its document: no scroll bars, wheel goes to the page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setOpenLinks(False)
        self.viewport().setAutoFillBackground(False)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        document = self.document()
        document.setDocumentMargin(2)
        document.setUndoRedoEnabled(False)  # undo records would make every streamed piece cost more
        self._natural_width = 0
        # The tooltip of a cite:<n> link (source n's passage); None: citations get no tooltip.
        self.citation_tip: Callable[[int], str] | None = None
        # Laid out lazily at the view's width; the height follows whenever Qt lays it out.
        document.documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)
        self.highlighted.connect(self._on_self_highlighted)

    def adopt_document(self, document: QTextDocument) -> None:
        """Show ``document`` (built off-screen) instead of the current one, with the same settings."""
        old = self.document()
        document.setDocumentMargin(old.documentMargin())
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(old.defaultFont())
        document.setParent(self)  # owned by the view: Qt deletes it when it is replaced in turn
        # Connected first: setDocument lays the document out (at the view's width) and says so.
        document.documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)
        self.setDocument(document)  # deletes the old document, a child of this view

    def loadResource(self, type: int, name: QUrl | str, /) -> object:
        """No image is read from a file here: an answer's images are given to its document by
        :mod:`.reply_images` (QTextBrowser would read ``file:`` and relative paths from disk)."""
        if type == QTextDocument.ResourceType.ImageResource.value:
            return None
        return super().loadResource(type, name)

    def set_natural_width(self, width: int) -> None:
        """The width this view would like (its size hint); 0 lets the layout decide."""
        self._natural_width = width
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._natural_width:
            hint.setWidth(self._natural_width + 2 * self.frameWidth())
        hint.setHeight(self.height())
        return hint

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.height())

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the page scrolls, not the message

    def _height_for(self, size: QSizeF) -> int:
        return math.ceil(size.height()) + 2 * self.frameWidth()

    def _on_layout_size_changed(self, size: QSizeF) -> None:
        height = self._height_for(size)
        if height != self.height():
            self.setFixedHeight(height)

    def _on_self_highlighted(self, url: QUrl) -> None:
        # Show where a link goes before it is clicked; a citation shows its source's passage.
        number = citation_number(url)
        if number is not None:
            tip = self.citation_tip(number) if self.citation_tip is not None else ""
        elif url.isEmpty() or code_block_index(url) is not None:
            tip = ""
        elif (picture := image_link_url(url)) is not None:
            tip = (
                self.tr("Try loading the picture again")
                if failed_image(picture)
                else self.tr("Open the picture")
            )
        else:
            tip = url.toString()
        self.viewport().setToolTip(tip)
