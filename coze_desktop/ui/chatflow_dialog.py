"""File → New chat-flow chat…: the ID of a chat-flow and its app ID (or the bot ID it is bound
to) for :meth:`MainWindow.start_chatflow`. The sidebar's saved chat-flows start chats the same way."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from coze_desktop.domain import Workflow
from coze_desktop.ui.dialogs import DIALOG_MIN_WIDTH, fit_to_contents


class ChatflowDialog(QDialog):
    """Asks for a chat-flow ID and an app ID or a bot ID (never both); emits :attr:`chosen`."""

    chosen = Signal(object)
    """The chat-flow to chat with. Argument: a ``Workflow`` of kind ``chatflow``."""

    def __init__(self, base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New chat-flow chat"))
        self._base_url = base_url
        self.workflow_id = QLineEdit(self)
        self.workflow_id.setObjectName("chatflow_workflow_id")
        self.workflow_id.setPlaceholderText(self.tr("e.g. 7351234567890123456"))
        self.app_id = QLineEdit(self)
        self.app_id.setObjectName("chatflow_app_id")
        self.app_id.setPlaceholderText(self.tr("the app the chat-flow belongs to"))
        self.bot_id = QLineEdit(self)
        self.bot_id.setObjectName("chatflow_bot_id")
        self.bot_id.setPlaceholderText(self.tr("or the bot it is bound to"))
        help_text = QLabel(
            self.tr(
                "A chat-flow is a workflow you talk to like a bot. Give its ID and the ID of its app "
                "(or of the bot it is bound to). It must be published as an API."
            ),
            self,
        )
        help_text.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("chatflow_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Start chat"))
        self._buttons.accepted.connect(self._on_buttons_accepted)
        self._buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Chat-flow ID:"), self.workflow_id)
        form.addRow(self.tr("App ID:"), self.app_id)
        form.addRow(self.tr("Bot ID:"), self.bot_id)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        fit_to_contents(self)

    def workflow(self) -> Workflow | None:
        """The chat-flow typed, or ``None`` (with the reason shown) when something is missing."""
        workflow_id = self.workflow_id.text().strip()
        app_id, bot_id = self.app_id.text().strip(), self.bot_id.text().strip()
        if not workflow_id:
            self.status.setText(self.tr("Enter the chat-flow ID."))
            return None
        if app_id and bot_id:
            self.status.setText(self.tr("Give the app ID or the bot ID, not both."))
            return None
        if not app_id and not bot_id:
            self.status.setText(self.tr("Enter the app ID of the chat-flow (or the bot ID it is bound to)."))
            return None
        return Workflow(workflow_id=workflow_id, base_url=self._base_url, kind="chatflow", app_id=app_id, bot_id=bot_id)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        workflow = self.workflow()
        if workflow is None:
            return
        self.accept()
        self.chosen.emit(workflow)
