"""Wires the workflows part of the window: the sidebar section, the run view, the dialogs, the
store and the :class:`~coze_desktop.workers.workflows.WorkflowController`.

The window builds one :class:`WorkflowsSection` and shows :attr:`WorkflowsSection.view` in the
middle when :attr:`~WorkflowsSection.shown` says so; picking a conversation hides it again.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

from coze_desktop.api.errors import WorkflowResumeLimitError
from coze_desktop.domain import (
    ErrorInfo,
    Workflow,
    WorkflowInterruptInfo,
    WorkflowRun,
    WorkflowRunResult,
)
from coze_desktop.settings import Settings
from coze_desktop.store import Store, StoreError
from coze_desktop.ui.notify import UserMessages
from coze_desktop.ui.workflows.add_dialog import AddWorkflowDialog
from coze_desktop.ui.workflows.run_view import RunView
from coze_desktop.ui.workflows.sidebar import RUNS_SHOWN, WorkflowsPanel
from coze_desktop.workers.accounts import Accounts
from coze_desktop.workers.threads import WorkerThreads
from coze_desktop.workers.workflows import NodeDelta, NoTokenError, WorkflowController

logger = logging.getLogger(__name__)

REMEMBER_DELAY_MS = 300  # the form is saved this long after the last keystroke (and on Run)


class WorkflowsSection(QObject):
    """The workflows section's behaviour; see the module doc."""

    shown = Signal()
    """The run view should be on screen (a workflow or a run was picked)."""

    hidden = Signal()
    """The run view has nothing to show any more (its workflow was removed)."""

    chatflow_opened = Signal(object)
    """A chat-flow was picked: it talks like a bot, in a conversation. Argument: the ``Workflow``."""

    export_run_requested = Signal(int)
    """"Export run…" was chosen (in the run view or on a run in the list). Argument: the run id."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        accounts: Accounts,
        threads: WorkerThreads,
        controller: WorkflowController,
        messages: UserMessages,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._store = store
        self._settings = settings
        self._accounts = accounts
        self._threads = threads
        self._controller = controller
        self._messages = messages
        self._window = window
        self.panel = WorkflowsPanel(window)
        self.view = RunView(window)
        self.add_dialog: AddWorkflowDialog | None = None
        self._remember_timer = QTimer(self)
        self._remember_timer.setSingleShot(True)
        self._remember_timer.setInterval(REMEMBER_DELAY_MS)
        self._remember_timer.timeout.connect(self.remember_params)
        p, v, c = self.panel, self.view, controller
        p.workflow_selected.connect(self._on_panel_workflow_selected)
        p.run_selected.connect(self._on_panel_run_selected)
        p.add_requested.connect(self.open_add_dialog)
        p.rename_requested.connect(self._on_panel_rename_requested)
        p.remove_requested.connect(self._on_panel_remove_requested)
        p.export_run_requested.connect(self.export_run_requested)
        v.export_requested.connect(self.export_run_requested)
        v.run_requested.connect(self._on_view_run_requested)
        v.stop_requested.connect(self._on_view_stop_requested)
        v.resume_requested.connect(self._on_view_resume_requested)
        v.params_changed.connect(self._on_view_params_changed)
        c.node_delta.connect(self._on_controller_node_delta)
        c.interrupted.connect(self._on_controller_interrupted)
        c.run_failed.connect(self._on_controller_run_failed)
        c.run_finished.connect(self._on_controller_run_finished)
        c.running_changed.connect(self._on_controller_running_changed)
        self.refresh()

    # --- public ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the saved workflows and their runs again."""
        try:
            workflows = self._store.list_workflows()
            runs: dict[tuple[str, str], list[WorkflowRun]] = {}
            totals: dict[tuple[str, str], int] = {}
            for wf in workflows:  # each workflow's newest runs, however old they are
                key = (wf.workflow_id, wf.base_url)
                runs[key] = self._store.list_runs(wf.workflow_id, wf.base_url, limit=RUNS_SHOWN)
                if len(runs[key]) == RUNS_SHOWN:
                    totals[key] = self._store.count_runs(wf.workflow_id, wf.base_url)
            for run in self._store.list_runs_without_workflow(limit=RUNS_SHOWN):
                runs.setdefault((run.workflow_id, run.base_url), []).append(run)
        except StoreError as exc:
            logger.warning("could not list workflows: %s", exc)
            return
        self.panel.set_workflows(workflows, runs, totals)

    def show_workflow(self, workflow: Workflow) -> None:
        """Show ``workflow``'s run view (a chat-flow opens as a conversation instead)."""
        self.remember_params()
        if workflow.kind == "chatflow":
            self.chatflow_opened.emit(workflow)
            return
        self.view.show_workflow(workflow)
        self.panel.select("workflow", (workflow.workflow_id, workflow.base_url))
        self.shown.emit()

    def open_run(self, run_id: int) -> bool:
        """Show a saved run (read-only; live when still going); False when it is gone."""
        self.remember_params()
        run = self._store.get_run(run_id)
        if run is None:
            self._messages.error(self.tr("This run no longer exists."))
            self.refresh()
            return False
        workflow = self._store.get_workflow(run.workflow_id, run.base_url) or Workflow(
            workflow_id=run.workflow_id, base_url=run.base_url, bot_id=run.bot_id, app_id=run.app_id
        )
        self.view.show_run(
            workflow,
            run,
            live=self._controller.live_nodes(run_id),
            running=self._controller.is_running(run_id),
        )
        self.panel.select("run", run_id)
        self.shown.emit()
        return True

    def leave(self) -> None:
        """The window shows something else (a conversation)."""
        self.remember_params()
        self.panel.clear_selection()

    def open_add_dialog(self) -> AddWorkflowDialog:
        account = self._accounts.account(self._settings.base_url)
        dialog = AddWorkflowDialog(
            account, self._threads, lang=self._settings.error_language(), parent=self._window
        )
        dialog.finished.connect(self._on_add_dialog_finished)
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def add_workflow(self, workflow: Workflow) -> Workflow | None:
        """Save ``workflow`` and show it; ``None`` (after saying why) when saving failed."""
        try:
            saved = self._store.save_workflow(workflow)
        except StoreError as exc:
            self._messages.error(self.tr("The workflow could not be saved: {error}").format(error=exc))
            return None
        self.refresh()
        self.show_workflow(saved)
        return saved

    def rename(self, workflow: Workflow, label: str) -> None:
        workflow.label = label.strip()
        try:
            self._store.save_workflow(workflow)
        except StoreError as exc:
            self._messages.error(self.tr("The workflow could not be renamed: {error}").format(error=exc))
            return
        if self.view.workflow is not None and self._same(self.view.workflow, workflow):
            self.view.workflow.label = workflow.label
            self.view.retranslate()
        self.refresh()

    def remove(self, workflow: Workflow) -> None:
        """Remove ``workflow`` from the list (its runs stay readable)."""
        try:
            self._store.remove_workflow(workflow.workflow_id, workflow.base_url)
        except StoreError as exc:
            self._messages.error(self.tr("The workflow could not be removed: {error}").format(error=exc))
            return
        self.refresh()
        if (
            self.view.workflow is not None
            and self._same(self.view.workflow, workflow)
            and self.view.saved_run is None
        ):
            self.view.workflow = None
            self.hidden.emit()

    @Slot()
    def remember_params(self) -> None:
        """Save the form of the shown workflow (its rows, or its raw JSON)."""
        self._remember_timer.stop()
        workflow = self.view.workflow
        if workflow is None or self.view.saved_run is not None:
            return
        params, raw = self.view.form.params(), self.view.form.raw_text()
        if params == workflow.params and raw == workflow.raw_params:
            return
        workflow.params, workflow.raw_params = params, raw
        try:
            self._store.set_workflow_params(workflow.workflow_id, workflow.base_url, params, raw)
        except StoreError as exc:
            logger.warning("could not remember the parameters: %s", exc)

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _same(a: Workflow, b: Workflow) -> bool:
        return (a.workflow_id, a.base_url) == (b.workflow_id, b.base_url)

    def _lang(self) -> str:
        return self._settings.error_language()

    @Slot(object)
    def _on_panel_workflow_selected(self, workflow: Workflow) -> None:
        self.show_workflow(workflow)

    @Slot(int)
    def _on_panel_run_selected(self, run_id: int) -> None:
        self.open_run(run_id)

    @Slot(object)
    def _on_panel_rename_requested(self, workflow: Workflow) -> None:
        label, ok = QInputDialog.getText(
            self._window,
            self.tr("Rename workflow"),
            self.tr("Name shown in the list:"),
            QLineEdit.EchoMode.Normal,
            workflow.title,
        )
        if ok:
            self.rename(workflow, label)

    @Slot(object)
    def _on_panel_remove_requested(self, workflow: Workflow) -> None:
        if self._messages.confirm_destructive(
            self.tr("Remove workflow"),
            self.tr("Remove “{name}” from the list? Its saved runs stay readable.").format(
                name=workflow.title
            ),
            self.tr("Remove"),
        ):
            self.remove(workflow)

    @Slot(int)
    def _on_add_dialog_finished(self, result: int) -> None:
        dialog, self.add_dialog = self.add_dialog, None
        if dialog is None:
            return
        workflow = dialog.workflow()
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted and workflow is not None:
            self.add_workflow(workflow)

    @Slot(object)
    def _on_view_run_requested(self, params: dict[str, Any]) -> None:
        workflow = self.view.workflow
        if workflow is None:
            return
        self.remember_params()
        try:
            run = self._controller.run(workflow, params)
        except NoTokenError:
            self.view.set_form_error(self.tr("Enter your access token in Settings first."))
            return
        except ValueError:  # the only one: a bot id together with an app id
            self.view.set_form_error(self.tr("Give this workflow a bot ID or an app ID, not both."))
            return
        except StoreError as exc:
            self._messages.error(self.tr("The run could not be saved: {error}").format(error=exc))
            return
        self.view.begin_run(run)
        self.refresh()
        if run.id is not None:
            self.panel.select("run", run.id)

    @Slot()
    def _on_view_stop_requested(self) -> None:
        if self.view.run_id is not None:
            self._controller.stop(self.view.run_id)

    @Slot(int, str)
    def _on_view_resume_requested(self, run_id: int, answer: str) -> None:
        try:
            self._controller.resume(run_id, answer)
        except WorkflowResumeLimitError as exc:
            self.view.resume_refused(exc.user_message(self._lang()))
            return
        except NoTokenError:
            self.view.resume_refused(self.tr("Enter your access token in Settings first."))
            return
        except (LookupError, RuntimeError):
            self.view.resume_refused(self.tr("This run cannot be resumed any more."))
            return
        except StoreError as exc:
            self.view.resume_refused(self.tr("The answer could not be saved: {error}").format(error=exc))
            return
        self.view.resumed(answer)

    @Slot()
    def _on_view_params_changed(self) -> None:
        self._remember_timer.start()

    @Slot(int, object)
    def _on_controller_node_delta(self, run_id: int, delta: NodeDelta) -> None:
        if self.view.run_id == run_id:
            self.view.add_node_delta(delta)

    @Slot(int, object)
    def _on_controller_interrupted(self, run_id: int, info: WorkflowInterruptInfo) -> None:
        if self.view.run_id == run_id:
            self.view.show_interrupt(info)

    @Slot(int, object)
    def _on_controller_run_failed(self, run_id: int, error: ErrorInfo) -> None:
        if self.view.run_id == run_id:
            self.view.show_failed(error)

    @Slot(int, object)
    def _on_controller_run_finished(self, run_id: int, result: WorkflowRunResult) -> None:
        if self.view.run_id == run_id:
            self.view.show_finished(result, self._store.get_run(run_id))
        self.refresh()

    @Slot(int, bool)
    def _on_controller_running_changed(self, _run_id: int, _running: bool) -> None:
        self.refresh()
