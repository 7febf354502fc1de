"""The box at the bottom where a question is written and sent.

The send key is a preference: ``"enter"`` (Enter sends, Shift+Enter breaks the line) or
``"ctrl_enter"`` (Ctrl+Enter sends, Enter breaks the line). While an answer streams the
Send button gives way to Stop. When sending is impossible (no token, no bot...), the reason
is shown above the box and sending is disabled; the text can still be written.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.ui import theme

SEND_KEYS = ("enter", "ctrl_enter")
MIN_LINES = 2  # the input grows with its text between these heights
MAX_LINES = 10


class _ReasonLabel(QLabel):
    """Why sending is blocked: a tinted strip above the input."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.warning_background(self.palette()))
        painter.drawRoundedRect(self.rect(), 6, 6)
        painter.end()
        super().paintEvent(event)


class Composer(QWidget):
    """Multi-line input with Send and Stop; see the module docstring."""

    send_requested = Signal(str)  # the text to send, stripped and not empty (the box is cleared)
    stop_requested = Signal()  # the user pressed Stop while an answer streamed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._send_key = "enter"
        self._streaming = False
        self._blocked_reason: str | None = None

        self.reason_label = _ReasonLabel(self)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setWordWrap(True)
        self.reason_label.setContentsMargins(10, 6, 10, 6)
        self.reason_label.setVisible(False)
        self.reason_label.setAccessibleName(self.tr("Why sending is unavailable"))

        self.input = QPlainTextEdit(self)
        self.input.setTabChangesFocus(True)
        self.input.setFrameShape(QFrame.Shape.NoFrame)
        self.input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.input.setAccessibleName(self.tr("Message"))
        self.input.installEventFilter(self)
        self.input.document().setDocumentMargin(6)

        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setDefault(True)
        self.send_button.setAccessibleName(self.tr("Send"))
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setAccessibleName(self.tr("Stop the answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer (the text so far is kept)"))
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.setVisible(False)

        self._frame = QFrame(self)  # the rounded box around the input and the buttons
        self._frame.setFrameShape(QFrame.Shape.StyledPanel)
        self._frame.setBackgroundRole(QPalette.ColorRole.Base)
        self._frame.setAutoFillBackground(True)
        row = QHBoxLayout(self._frame)
        row.setContentsMargins(4, 4, 6, 4)
        row.setSpacing(6)
        row.addWidget(self.input, 1, Qt.AlignmentFlag.AlignTop)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(self.reason_label)
        layout.addWidget(self._frame)
        self.setAccessibleName(self.tr("Message composer"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.input.textChanged.connect(self._on_input_text_changed)
        self._update_placeholder()
        self._update_height()
        self._update_buttons()

    # -------------------------------------------------------------------------------- public

    def set_send_key(self, send_key: str) -> None:
        """``"enter"``: Enter sends, Shift+Enter breaks the line; ``"ctrl_enter"``: the reverse."""
        if send_key not in SEND_KEYS:
            raise ValueError(f"send key must be one of {SEND_KEYS}, not {send_key!r}")
        self._send_key = send_key
        self._update_placeholder()

    def send_key(self) -> str:
        return self._send_key

    def set_streaming(self, streaming: bool) -> None:
        """While an answer streams, Stop replaces Send and nothing can be sent."""
        self._streaming = streaming
        self._update_buttons()

    def set_blocked_reason(self, reason: str | None) -> None:
        """Disable sending and say why (e.g. "No token — open Settings"); ``None`` allows it."""
        self._blocked_reason = reason or None
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(bool(reason))
        self._update_buttons()

    def blocked_reason(self) -> str | None:
        return self._blocked_reason

    def can_send(self) -> bool:
        """Whether Send would send now (not blocked, not streaming, some text)."""
        return not self._streaming and self._blocked_reason is None and bool(self.text().strip())

    def text(self) -> str:
        return self.input.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (e.g. a question to edit and resend), cursor at the end."""
        self.input.setPlainText(text)
        self.input.moveCursor(self.input.textCursor().MoveOperation.End)

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------------------- internals

    def _send(self) -> None:
        if not self.can_send():
            return
        text = self.text().strip()
        self.input.clear()
        self.send_requested.emit(text)

    def _on_send_button_clicked(self) -> None:
        self._send()
        self.focus_input()

    def _on_input_text_changed(self) -> None:
        self._update_height()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.send_button.setVisible(not self._streaming)
        self.stop_button.setVisible(self._streaming)
        self.send_button.setEnabled(self.can_send())
        if self._blocked_reason:
            self.send_button.setToolTip(self._blocked_reason)
        else:
            self.send_button.setToolTip(self._send_hint())

    def _send_hint(self) -> str:
        if self._send_key == "enter":
            return self.tr("Enter to send, Shift+Enter for a new line")
        return self.tr("Ctrl+Enter to send, Enter for a new line")

    def _update_placeholder(self) -> None:
        self.input.setPlaceholderText(self.tr("Ask anything…  (%1)").replace("%1", self._send_hint()))
        self._update_buttons()

    def _update_height(self) -> None:
        """Grow with the text from MIN_LINES to MAX_LINES lines, then scroll."""
        document = self.input.document()
        layout = document.documentLayout()
        margin = document.documentMargin()
        line = self.input.fontMetrics().lineSpacing()
        lowest, highest = MIN_LINES * line + 2 * margin, MAX_LINES * line + 2 * margin
        content = margin  # block rectangles include the top margin but not the bottom one
        block = document.begin()
        while block.isValid() and content < highest:  # stop early for a huge paste
            content += layout.blockBoundingRect(block).height()
            block = block.next()
        margins = self.input.contentsMargins()
        height = math.ceil(min(max(content, lowest), highest)) + margins.top() + margins.bottom()
        if height != self.input.height():
            self.input.setFixedHeight(height)
        # A scroll bar only once the box has stopped growing (a line's rounding would show one early).
        self.input.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if content > highest
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def _is_send_key(self, event: QKeyEvent) -> bool | None:
        """True: send; False: new line; None: not Enter at all."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return None
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if self._send_key == "enter":
            return modifiers == Qt.KeyboardModifier.NoModifier or (
                ctrl and not modifiers & Qt.KeyboardModifier.ShiftModifier
            )
        return ctrl

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            decision = self._is_send_key(event)
            if decision is True:
                self._send()
                return True  # never insert the line break, even when sending is not possible
            if decision is False:
                self.input.textCursor().insertText("\n")
                return True
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_height()

    def changeEvent(self, event: QEvent) -> None:
        """Follow a language change at once (the window sets the blocked reason again)."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.reason_label.setAccessibleName(self.tr("Why sending is unavailable"))
        self.input.setAccessibleName(self.tr("Message"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send"))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop the answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer (the text so far is kept)"))
        self.setAccessibleName(self.tr("Message composer"))
        self._update_placeholder()
