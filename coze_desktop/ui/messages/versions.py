"""The parts of a message that deal with its versions: the "‹ 2/3 ›" switcher and the editor
that sends a question again as a new version.

A regenerated answer and an edited question are versions of one place in the conversation
(the store keeps them as siblings; see ``Store.select_version``). The message widgets of
:mod:`coze_desktop.ui.messages.message` build these parts only when they are needed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

_EDITOR_MIN_LINES = 3
_EDITOR_MAX_LINES = 10


class VersionSwitcher(QWidget):
    """The "‹ 2/3 ›" of a message: which version of a message is shown, with buttons to the previous and next one.

    Emits :attr:`step_requested` with -1 or +1; the caller switches and shows the result.
    """

    step_requested = Signal(int)  # -1: the previous version, +1: the next one

    def __init__(self, version: int, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self._previous = self._button("‹", "version_previous", self.tr("Previous version"))
        self._previous.clicked.connect(self._on_previous_clicked)
        self._label = QLabel(self)
        self._label.setObjectName("version_label")
        self._label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._next = self._button("›", "version_next", self.tr("Next version"))
        self._next.clicked.connect(self._on_next_clicked)
        row.addWidget(self._previous)
        row.addWidget(self._label)
        row.addWidget(self._next)
        self.set_version(version, count)

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    def _on_previous_clicked(self) -> None:
        self.step_requested.emit(-1)

    def _on_next_clicked(self) -> None:
        self.step_requested.emit(1)

    def set_version(self, version: int, count: int) -> None:
        """Show ``version`` of ``count`` (both 1-based)."""
        self._label.setText(self.tr("%1/%2").replace("%1", str(version)).replace("%2", str(count)))
        description = self.tr("Version %1 of %2").replace("%1", str(version)).replace("%2", str(count))
        self._label.setToolTip(description)
        self.setAccessibleName(description)
        self._previous.setEnabled(version > 1)
        self._next.setEnabled(version < count)

    def text(self) -> str:
        """What the label says, e.g. "2/3"."""
        return self._label.text()


class QuestionEditor(QFrame):
    """Edit a question in place and send it again; the earlier text stays as a version.

    Emits :attr:`submitted` with the new text (the editor stays open until the caller shows the
    new version, so nothing typed is lost if sending is refused) or :attr:`canceled`.
    Ctrl+Enter sends, Escape cancels.
    """

    submitted = Signal(str)
    canceled = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = text
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        note = QLabel(
            self.tr(
                "Editing… Sending asks this again; the earlier question and its answers are kept as a version."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        note.setObjectName("edit_note")
        self._text = QPlainTextEdit(self)
        self._text.setObjectName("edit_text")
        self._text.setAccessibleName(self.tr("Edited question"))
        self._text.setPlainText(text)
        self._text.setTabChangesFocus(True)
        line = self._text.fontMetrics().lineSpacing()
        self._text.setMinimumHeight(line * _EDITOR_MIN_LINES + 12)
        self._text.setMaximumHeight(line * _EDITOR_MAX_LINES + 12)  # longer text scrolls inside
        self._text.installEventFilter(self)
        self._text.textChanged.connect(self._on_text_text_changed)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        self._cancel = QPushButton(self.tr("Cancel"), self)
        self._cancel.setObjectName("edit_cancel")
        self._cancel.clicked.connect(self.canceled)
        self._send = QPushButton(self.tr("Send"), self)
        self._send.setObjectName("edit_send")
        self._send.setDefault(True)
        self._send.setToolTip(self.tr("Send the edited question (Ctrl+Enter)"))
        self._send.clicked.connect(self._on_send_clicked)
        buttons.addWidget(self._cancel)
        buttons.addWidget(self._send)
        layout.addWidget(note)
        layout.addWidget(self._text)
        layout.addLayout(buttons)
        self._on_text_text_changed()

    def text(self) -> str:
        """The text as edited so far."""
        return self._text.toPlainText()

    def set_text(self, text: str) -> None:
        self._text.setPlainText(text)

    def focus_text(self) -> None:
        """Put the cursor at the end of the text."""
        self._text.setFocus(Qt.FocusReason.OtherFocusReason)
        self._text.moveCursor(self._text.textCursor().MoveOperation.End)

    def _can_send(self) -> bool:
        text = self.text().strip()
        return bool(text) and text != self._original.strip()

    def _on_text_text_changed(self) -> None:
        can_send = self._can_send()
        self._send.setEnabled(can_send)
        if not self.text().strip():
            self._send.setToolTip(self.tr("Type a question to send"))
        elif not can_send:
            self._send.setToolTip(self.tr("Change the question to send it again"))
        else:
            self._send.setToolTip(self.tr("Send the edited question (Ctrl+Enter)"))

    def _on_send_clicked(self) -> None:
        if self._can_send():
            self.submitted.emit(self.text().strip())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._text and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                self.canceled.emit()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self._on_send_clicked()
                return True
        return False
