"""The "Deleted · Undo" bar shown for a few seconds after something went to the trash.

It floats over the bottom of another widget (the message view), blocks nothing, and is replaced
by the next notice. Undo runs the callback given with the notice, once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from coze_desktop.ui import theme

NOTICE_MS = 6000  # how long a notice stays
_MARGIN = 12  # from the bottom of the widget it floats over


class UndoNotice(QFrame):
    """A small non-modal bar: a text and an Undo button; hides itself after :data:`NOTICE_MS`."""

    undone = Signal()  # the user pressed Undo (after the notice's callback ran)

    def __init__(self, anchor: QWidget, parent: QWidget) -> None:
        """Float over the bottom of ``anchor``, a child of ``parent`` (or ``parent`` itself)."""
        super().__init__(parent)
        self._anchor = anchor
        self._undo: Callable[[], None] | None = None
        self.setObjectName("undo_notice")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton(self)
        self._retranslate()
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 8, 6)
        row.setSpacing(12)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(NOTICE_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        anchor.installEventFilter(self)
        self.hide()

    def _retranslate(self) -> None:
        self.setAccessibleName(self.tr("Deleted · Undo"))
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))

    def changeEvent(self, event: QEvent) -> None:
        """A language switch relabels the button; a notice in the old language goes away."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.dismiss()

    def show_notice(self, text: str, undo: Callable[[], None]) -> None:
        """Show ``text`` with Undo (running ``undo``) for a few seconds, replacing any older notice."""
        self._undo = undo
        self.label.setText(text)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self.timer.start()

    def dismiss(self) -> None:
        """Hide the notice; its Undo is no longer offered."""
        self.timer.stop()
        self._undo = None
        self.hide()

    def _on_undo_button_clicked(self) -> None:
        undo = self._undo
        self.dismiss()
        if undo is not None:
            undo()
            self.undone.emit()

    def _on_timer_timeout(self) -> None:
        self.dismiss()

    def _place(self) -> None:
        area = self._anchor.geometry()
        parent = self.parentWidget()
        if parent is not None and self._anchor.parentWidget() is not parent:
            area = QRect(self._anchor.mapTo(parent, self._anchor.rect().topLeft()), area.size())
        size = self.sizeHint()
        width = min(max(size.width(), 280), max(area.width() - 2 * _MARGIN, 0))
        self.setGeometry(
            area.left() + (area.width() - width) // 2,
            area.bottom() - size.height() - _MARGIN,
            width,
            size.height(),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if "_anchor" not in self.__dict__:  # a closed window being torn down (see SidePanels)
            return False
        if watched is self._anchor and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            if self.isVisible():
                self._place()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(theme.border_color(self.palette()))
        painter.setBrush(theme.card_background(self.palette()))
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 8, 8)
        painter.end()
