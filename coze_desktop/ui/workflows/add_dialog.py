"""Add a workflow or chat-flow by its ID: its name and description are looked up in the
background (``GET /v1/workflows/{id}``); when Coze does not give them the workflow can still be
added, under its label or ID."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.api.workflows import WorkflowInfo
from coze_desktop.domain import Workflow
from coze_desktop.ui.dialogs import DIALOG_MIN_WIDTH, fit_to_contents
from coze_desktop.workers.accounts import Account
from coze_desktop.workers.tasks import BackgroundTask
from coze_desktop.workers.threads import WorkerThreads


def lookup_workflow(account: Account, workflow_id: str) -> WorkflowInfo:
    """Runs in a worker thread: the workflow's profile."""
    with account.client() as client:
        return client.get_workflow_info(workflow_id)


class AddWorkflowDialog(QDialog):
    """ID, kind (workflow or chat-flow), an optional bot ID or app ID (never both), a label."""

    lookup_finished = Signal(bool, str)
    """The lookup ended. Arguments: whether the workflow was found, the text shown."""

    def __init__(
        self,
        account: Account | None,
        threads: WorkerThreads,
        *,
        lang: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a workflow"))
        self._account = account
        self._threads = threads
        self._lang = lang
        self._call: BackgroundTask[WorkflowInfo] | None = None
        self._workflow: Workflow | None = None
        self._lookup_failed_for = ""  # the ID whose lookup failed: a second Add adds it without a name
        self.workflow_id = QLineEdit(self)
        self.workflow_id.setPlaceholderText(self.tr("e.g. 7428123456789012345"))
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("Workflow"), "workflow")
        self.kind.addItem(self.tr("Chat-flow"), "chatflow")
        self.bot_id = QLineEdit(self)
        self.bot_id.setPlaceholderText(self.tr("optional"))
        self.app_id = QLineEdit(self)
        self.app_id.setPlaceholderText(self.tr("optional"))
        self.label = QLineEdit(self)
        self.label.setPlaceholderText(self.tr("optional: the name shown in the list"))
        help_text = QLabel(
            self.tr(
                "The workflow ID is the number at the end of the workflow's address in Coze "
                "(…/work_flow?workflow_id=<b>7428123456789012345</b>). The workflow must be published. "
                "Give a bot ID or an app ID when the workflow needs one (a chat-flow of an app needs "
                "its app ID), never both."
            ),
            self,
        )
        help_text.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.add_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText(self.tr("Add"))
        self._buttons.accepted.connect(self._on_buttons_accepted)
        self._buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Workflow ID:"), self.workflow_id)
        form.addRow(self.tr("Kind:"), self.kind)
        form.addRow(self.tr("Bot ID:"), self.bot_id)
        form.addRow(self.tr("App ID:"), self.app_id)
        form.addRow(self.tr("Label:"), self.label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons)
        if account is None:
            self.status.setText(self.tr("Enter your access token in Settings first."))
            self.add_button.setEnabled(False)
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        fit_to_contents(self)

    def workflow(self) -> Workflow | None:
        """The workflow to save, filed under the account's stored base URL."""
        return self._workflow

    def validate(self) -> str:
        """What is wrong with the fields ("" when nothing)."""
        if not self.workflow_id.text().strip():
            return self.tr("Enter the workflow ID.")
        if self.bot_id.text().strip() and self.app_id.text().strip():
            return self.tr("Give a bot ID or an app ID, not both: Coze refuses a run with both.")
        return ""

    def _made(self, info: WorkflowInfo | None) -> Workflow:
        assert self._account is not None
        return Workflow(
            workflow_id=self.workflow_id.text().strip(),
            base_url=self._account.base_url,
            kind=str(self.kind.currentData()),
            label=self.label.text().strip(),
            name=info.name if info is not None else "",
            description=info.description if info is not None else "",
            bot_id=self.bot_id.text().strip(),
            app_id=self.app_id.text().strip(),
            added_at=time.time(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        problem = self.validate()
        account = self._account
        if problem or account is None:
            self.status.setText(problem)
            return
        workflow_id = self.workflow_id.text().strip()
        if self._lookup_failed_for == workflow_id:  # the user chose to add it without its name
            self._workflow = self._made(None)
            super().accept()
            return
        self._buttons.setEnabled(False)
        self.status.setText(self.tr("Looking the workflow up…"))
        self._call = (
            BackgroundTask(
                self._threads,
                lambda _ctx: lookup_workflow(account, workflow_id),
                name="add-workflow",
                lang=self._lang,
            )
            .on_success(self._on_lookup_succeeded)
            .on_failure(self._on_lookup_failed)
            .start()
        )

    @Slot(object)
    def _on_lookup_succeeded(self, info: object) -> None:
        assert isinstance(info, WorkflowInfo)
        self._call = None
        self._workflow = self._made(info)
        if not self.app_id.text().strip() and not self.bot_id.text().strip() and info.app_id:
            self._workflow.app_id = info.app_id  # a chat-flow of an app runs with its app id
        text = self.tr("Found “{name}”.").format(name=info.name or info.workflow_id)
        self.status.setText(text)
        self.lookup_finished.emit(True, text)
        super().accept()

    @Slot(str, object)
    def _on_lookup_failed(self, text: str, _exc: object) -> None:
        self._call = None
        self._buttons.setEnabled(True)
        self._lookup_failed_for = self.workflow_id.text().strip()
        shown = self.tr("{error}\nPress “Add anyway” to add it without its name.").format(error=text)
        self.add_button.setText(self.tr("Add anyway"))
        self.status.setText(shown)
        self.lookup_finished.emit(False, shown)

    def reject(self) -> None:
        if self._call is not None:
            self._call.cancel()
        super().reject()
