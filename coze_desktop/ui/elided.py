"""A label and a push button that give way when room is short: they cut their text with "…".

The whole text stays the widget's ``text()`` and its tooltip, and its size hint asks for the
whole text, so it is cut only when the layout cannot give it that much (the bot's name in the
status bar of a narrow window, a long suggested question in a narrow chat). Both are marked
``elides_on_purpose`` for the layout checks in the tests.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

MIN_CHARS = 8  # the narrowest it gets: about this many characters and the "…"


class ElidedLabel(QLabel):
    """See the module docstring. Plain text only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setProperty("elides_on_purpose", True)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().averageCharWidth() * MIN_CHARS + margins.left() + margins.right()
        return QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    def elided_text(self) -> str:
        """The text as shown now (cut with "…" when the label is too narrow for it)."""
        if self.width() >= self.sizeHint().width():
            return self.text()
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.elided_text(),
            self.foregroundRole(),
        )


class ElidedButton(QPushButton):
    """A push button whose one-line text is cut with "…" when the layout makes it narrower."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # may shrink
        self.setProperty("elides_on_purpose", True)

    def minimumSizeHint(self) -> QSize:
        full = self.sizeHint()
        text = self.fontMetrics().horizontalAdvance(self.text())
        width = full.width() - text + self.fontMetrics().averageCharWidth() * MIN_CHARS
        return QSize(min(width, full.width()), full.height())

    def elided_text(self) -> str:
        """The text as shown now (cut with "…" when the button is too narrow for it)."""
        if self.width() >= self.sizeHint().width():
            return self.text()  # it fits (measuring again could round it out by a pixel)
        extra = self.sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, max(0, self.width() - extra)
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.elided_text()
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
