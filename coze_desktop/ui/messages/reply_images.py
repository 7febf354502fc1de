"""Images in a bot's answer: Markdown ``![alt](https://…)`` shown in the rendered text.

Qt's Markdown importer turns an image link into an image in the document, named by its URL. After
each render, :func:`show_images` gives every such image what to show: the picture when it is
loaded, else a placeholder (“Loading image…”, then the alt text when it cannot be loaded) while
the picture is fetched in the background (:mod:`.attachments`, ``workers/images.py``). The render
never waits: the text shows at once, and the picture replaces its placeholder when it arrives, in
every document still showing it. Only http(s) URLs are fetched; any other image (``file:``,
``data:``, a relative path) shows its placeholder and is never read, so an answer cannot make the
app show a local file.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRect, QSize, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
)

from coze_desktop.ui import theme
from coze_desktop.ui.markdown import is_web_url
from coze_desktop.ui.messages.attachments import LoadedImage, images

_PLACEHOLDER_HEIGHT = 44
_PLACEHOLDER_MIN_WIDTH = 160
_PLACEHOLDER_MAX_WIDTH = 360
IMAGE_STATE = QTextFormat.Property.UserProperty + 71  # "loading" | "loaded" | "failed", for tests


def image_fragments(document: QTextDocument) -> list[tuple[int, QTextImageFormat]]:
    """Every image in ``document``: its position and format."""
    found: list[tuple[int, QTextImageFormat]] = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            it += 1
            char_format = fragment.charFormat()
            if char_format.isImageFormat():
                image_format = char_format.toImageFormat()
                found.extend((fragment.position() + i, image_format) for i in range(fragment.length()))
        block = block.next()
    return found


def image_state(image_format: QTextCharFormat) -> str:
    """What an image of an answer shows: ``loading``, ``loaded`` or ``failed``."""
    return str(image_format.property(IMAGE_STATE) or "")


def _alt_text(image_format: QTextImageFormat) -> str:
    return str(image_format.property(QTextFormat.Property.ImageAltText) or "").strip()


def _placeholder(text: str, palette: QPalette, *, failed: bool) -> QImage:
    """A framed box with ``text`` in it, drawn in the palette's colours."""
    font = QGuiApplication.font()
    metrics = QFontMetrics(font)
    label = ("🖼 " if not failed else "⚠ ") + text
    width = min(_PLACEHOLDER_MAX_WIDTH, max(_PLACEHOLDER_MIN_WIDTH, metrics.horizontalAdvance(label) + 24))
    image = QImage(QSize(width, _PLACEHOLDER_HEIGHT), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(theme.card_background(palette)))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(theme.border_color(palette), 1))
    painter.drawRoundedRect(QRect(0, 0, width - 1, _PLACEHOLDER_HEIGHT - 1), 6, 6)
    painter.setFont(font)
    painter.setPen(theme.muted_text(palette))
    box = QRect(12, 0, width - 24, _PLACEHOLDER_HEIGHT)
    elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, box.width())
    painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
    painter.end()
    return image


class _ReplyImages(QObject):
    """The documents showing a placeholder for an image on its way, updated when it arrives."""

    _shared: _ReplyImages | None = None

    @classmethod
    def shared(cls) -> _ReplyImages:
        if cls._shared is None or not shiboken6.isValid(cls._shared):
            cls._shared = cls(QCoreApplication.instance())
        return cls._shared

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self._waiting: dict[str, list[tuple[QTextDocument, QPalette]]] = {}
        loader = images().replies
        loader.loaded.connect(self._on_loader_loaded)
        loader.failed.connect(self._on_loader_failed)

    def show(self, document: QTextDocument, palette: QPalette, only: str | None = None) -> list[str]:
        """Give the images of ``document`` (those of URL ``only``, if given) what to show now."""
        loader = images().replies
        urls: list[str] = []
        for position, image_format in image_fragments(document):
            url = image_format.name()
            if only is not None and url != only:
                continue
            urls.append(url)
            alt = _alt_text(image_format)
            web = is_web_url(url)
            if web and loader.get(url) is None and loader.failure(url) is None:
                images().request_reply_image(url)  # (done at once when there are no worker threads)
            loaded = loader.get(url) if web else None
            changed = QTextImageFormat(image_format)
            if loaded is not None:
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), loaded.shown)
                size = loaded.shown_size()
                state = "loaded"
            else:
                failed = not web or loader.failure(url) is not None
                if failed:
                    text = alt or QCoreApplication.translate("ReplyImages", "Image not available")
                else:
                    text = QCoreApplication.translate("ReplyImages", "Loading image…")
                    self._wait(url, document, palette)
                placeholder = _placeholder(text, palette, failed=failed)
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), placeholder)
                size = placeholder.size()
                state = "failed" if failed else "loading"
            changed.setWidth(size.width())
            changed.setHeight(size.height())
            changed.setToolTip(alt or url)
            changed.setProperty(IMAGE_STATE, state)
            cursor = QTextCursor(document)
            cursor.setPosition(position)
            cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(changed)
        return urls

    def _wait(self, url: str, document: QTextDocument, palette: QPalette) -> None:
        waiting = [
            (d, p) for d, p in self._waiting.get(url, []) if shiboken6.isValid(d) and d is not document
        ]
        waiting.append((document, palette))
        self._waiting[url] = waiting

    def _update(self, url: str) -> None:
        for document, palette in self._waiting.pop(url, []):
            if shiboken6.isValid(document):
                self.show(document, palette, only=url)

    def _on_loader_loaded(self, url: str, _value: object) -> None:
        self._update(url)

    def _on_loader_failed(self, url: str, _reason: str) -> None:
        self._update(url)


def show_images(document: QTextDocument, palette: QPalette) -> list[str]:
    """Show the images of a freshly rendered answer (see the module docstring); returns their URLs."""
    return _ReplyImages.shared().show(document, palette)


def loaded_image(url: str) -> LoadedImage | None:
    """The picture of an answer's image if it is loaded."""
    return images().replies.get(url)
