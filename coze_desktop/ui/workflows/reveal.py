"""Showing where a search hit is in a run: the piece glows for a moment and the matched words are
marked in its text (as a message a search jumped to glows in a chat)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEasingCurve, QEvent, QObject, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from coze_desktop.ui import theme

GLOW_MS = 2600  # as long as a message a search jumped to glows
_GLOW_ALPHA = 0.55  # the glow starts this opaque (it lies over the piece's text)


class Glow(QWidget):
    """A highlight over ``target`` that fades out, then goes away; it lets every click through."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.setObjectName("search_glow")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.value = 1.0
        self.setGeometry(target.rect())
        target.installEventFilter(self)
        self.animation = QVariantAnimation(self)
        self.animation.setStartValue(1.0)
        self.animation.setEndValue(0.0)
        self.animation.setDuration(GLOW_MS)
        self.animation.setEasingCurve(QEasingCurve.Type.InQuad)
        self.animation.valueChanged.connect(self._on_animation_value_changed)
        self.animation.finished.connect(self.deleteLater)
        self.raise_()
        self.show()
        self.animation.start()

    @classmethod
    def on(cls, target: QWidget) -> Glow:
        """Make ``target`` glow (again, when it glows already)."""
        for old in target.findChildren(Glow, options=Qt.FindChildOption.FindDirectChildrenOnly):
            old.animation.stop()
            old.deleteLater()
        return cls(target)

    def _on_animation_value_changed(self, value: object) -> None:
        self.value = float(value) if isinstance(value, int | float) else 0.0
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        color = QColor(theme.search_highlight(self.palette()))
        color.setAlphaF(max(0.0, min(1.0, _GLOW_ALPHA * self.value)))
        painter.setBrush(color)
        painter.drawRoundedRect(self.rect(), 6, 6)


def mark_words(edit: QPlainTextEdit | QTextEdit, words: Sequence[str]) -> int:
    """Mark every occurrence of ``words`` (case-insensitive) in ``edit``'s text with the search
    highlight, move its cursor to the first one and scroll the edit there. Returns how many."""
    document = edit.document()
    fmt = QTextCharFormat()
    fmt.setBackground(theme.search_highlight(edit.palette()))
    selections: list[QTextEdit.ExtraSelection] = []
    first: QTextCursor | None = None
    for word in words:
        if not word:
            continue
        cursor = document.find(word)
        while not cursor.isNull():
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
            if first is None or cursor.selectionStart() < first.selectionStart():
                first = QTextCursor(cursor)
            cursor = document.find(word, cursor)
    edit.setExtraSelections(selections)
    if first is not None:
        first.clearSelection()
        edit.setTextCursor(first)
        edit.ensureCursorVisible()
    return len(selections)
