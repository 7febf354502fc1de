"""A one-line label that gives way when room is short: it cuts its text with "…" at the end.

The whole text stays the label's :meth:`~PySide6.QtWidgets.QLabel.text` and its tooltip, and its
size hint asks for the whole text, so it is cut only when the layout cannot give it that much
(e.g. the bot's name in the status bar of a narrow window). Marked ``elides_on_purpose`` for the
layout checks in the tests.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

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
