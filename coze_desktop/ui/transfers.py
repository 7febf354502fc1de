"""File → Export and File → Import in the background, one at a time, with progress and Cancel.

Exports and imports read and write attachments of up to hundreds of megabytes, so they run
through :class:`~coze_desktop.workers.tasks.BackgroundTask`: the conversations are read from the
store, the files written (or parsed and kept) in the task's thread, and the window stays
responsive. :class:`Transfers` starts them, shows a :class:`TransferStatus` in the status bar (what
is under way, a progress bar, Cancel) and says what happened through
:class:`~coze_desktop.ui.notify.UserMessages`. While one runs, another is refused (the window
also disables the menu items, see :attr:`Transfers.busy_changed`).

Cancel stops the work between conversations, files and chunks of a file
(:class:`~coze_desktop.export.Progress`): an export then leaves no file (written through a
``.part`` file, its attachments' folder removed); an import keeps only the conversations
saved whole before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from coze_desktop.domain import Message
from coze_desktop.export import FORMAT_BY_SUFFIX, ExportSummary, Progress, export_file
from coze_desktop.store import Store, StoreError, export_items, export_runs
from coze_desktop.ui.dialogs import ImportOutcome, import_file
from coze_desktop.ui.notify import UserMessages
from coze_desktop.workers.chat import ChatController
from coze_desktop.workers.tasks import BackgroundTask, TaskContext
from coze_desktop.workers.threads import Pacer, WorkerThreads

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports from the task's thread
_SCALE = 1000  # the progress bar's range


class TransferStatus(QWidget):
    """In the status bar while an export or import runs: what, how far, and Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setMaximumHeight(12)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("transfer_cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._retranslate()
        self.setVisible(False)

    def begin(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first report with a total
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def set_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
            return
        self.bar.setRange(0, _SCALE)
        self.bar.setValue(int(_SCALE * min(done, total) / total))

    def canceling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("Canceling…"))

    def end(self) -> None:
        self.setVisible(False)

    def _retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)


def _progress(ctx: TaskContext) -> Progress:
    """The :class:`~coze_desktop.export.Progress` of a task's work: reported to the GUI thread at
    most every :data:`PROGRESS_INTERVAL` (and at the start and end of a stage), canceled with the
    task, and pausing now and then (:class:`~coze_desktop.workers.threads.Pacer`) so that the GUI
    thread gets the interpreter lock between chunks."""
    pacer = Pacer()
    last = [0.0]

    def report(done: int, total: int) -> None:
        pacer.tick()
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL or done == total or done == 0:
            last[0] = now
            ctx.progress((done, total))

    return Progress(report, ctx.cancel_requested, pacer.tick)


class Transfers(QObject):
    """Runs the window's exports and imports in the background, one at a time."""

    busy_changed = Signal(bool)
    """An export or import started (True) or ended (False)."""
    imported = Signal(object)
    """An import ended with an outcome (:class:`~coze_desktop.ui.dialogs.ImportOutcome`; its
    messages were said): the window lists what came in."""
    finished = Signal()
    """An export or import is over, whatever its outcome, and what happened was said."""

    def __init__(
        self,
        store: Store,
        controller: ChatController,
        threads: WorkerThreads,
        messages: UserMessages,
        status: TransferStatus,
        *,
        lang: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._controller = controller
        self._threads = threads
        self._messages = messages
        self.status = status
        self._lang = lang
        self.task: BackgroundTask[Any] | None = None  # the one running, if any
        self._path = Path()
        status.cancel_requested.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def cancel(self) -> None:
        """Stop the export or import under way (between files): it leaves nothing half done."""
        if self.task is not None and not self.task.cancel_requested:
            self.task.cancel()
            self.status.canceling()

    # --- export ----------------------------------------------------------------------------------

    def export(
        self,
        path: Path,
        conversation_ids: list[int] | None,
        *,
        include_files: bool = True,
        run_ids: Sequence[int] | None = (),
    ) -> BackgroundTask[ExportSummary] | None:
        """Start writing ``conversation_ids`` (None: all, the oldest first) and the workflow runs
        ``run_ids`` (None: all, the oldest first; after the conversations) to ``path`` as
        Markdown, JSON or HTML (by its suffix), with the attachments unless ``include_files`` is
        False, as ``coze-cli export`` writes them. Returns the task (its ``succeeded`` carries the
        :class:`~coze_desktop.export.ExportSummary`), or None when another one runs (said so).
        A run still going is written as last saved (at most about a second behind)."""
        if self._refused():
            return None
        kind = FORMAT_BY_SUFFIX.get(path.suffix.lower(), "md")
        lang = self._lang()
        live = self._live_answers(conversation_ids)  # read in this thread: the live copies live here
        store = self._store
        wanted_runs = None if run_ids is None else list(run_ids)

        def work(ctx: TaskContext) -> ExportSummary:
            progress = _progress(ctx)
            progress.start(0)
            items = export_items(store, conversation_ids)
            for item in items:  # an answer being written goes in as it is now, not as last checkpointed
                item.messages = [live.get(m.id, m) if m.id is not None else m for m in item.messages]
            runs = export_runs(store, wanted_runs) if wanted_runs != [] else []
            progress.check()
            summary = export_file(
                path, items, kind, lang=lang, include_files=include_files, progress=progress, runs=runs
            )
            logger.info("exported %d conversation(s) and %d run(s) as %s", len(items), len(runs), kind)
            return summary

        task = BackgroundTask(self._threads, work, name="export", lang=self._lang)
        task.on_success(self._on_export_succeeded).on_failure(self._on_export_failed)
        task.on_cancel(self._on_export_canceled)
        self._begin(task, path, self.tr("Exporting to {name}…").format(name=path.name))
        return task

    def _live_answers(self, conversation_ids: list[int] | None) -> dict[int, Message]:
        """The answers being written in the conversations to export, as they are now."""
        live: dict[int, Message] = {}
        for conversation_id in self._controller.streaming_conversations():
            if conversation_ids is not None and conversation_id not in conversation_ids:
                continue
            for message in self._store.all_messages(conversation_id):
                if message.id is not None and self._controller.live(message.id) is not None:
                    live[message.id] = self._controller.with_live(message)
        return live

    @Slot(object)
    def _on_export_succeeded(self, summary: object) -> None:
        assert isinstance(summary, ExportSummary)
        if summary.folder is not None:
            text = self.tr("Exported to {path}, attached files in {folder}")
            self._messages.info(text.format(path=self._path, folder=summary.folder))
        else:
            self._messages.info(self.tr("Exported to {path}").format(path=self._path))

    @Slot(str, object)
    def _on_export_failed(self, text: str, exc: object) -> None:
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
        elif isinstance(exc, StoreError):
            reason = str(exc)
        else:
            reason = text
        self._messages.error(
            self.tr("The export to {path} could not be written: {error}").format(path=self._path, error=reason)
        )

    @Slot()
    def _on_export_canceled(self) -> None:
        self._messages.info(self.tr("Export canceled; no file was written."))

    # --- import ----------------------------------------------------------------------------------

    def import_(self, path: Path) -> BackgroundTask[ImportOutcome] | None:
        """Start importing the JSON export ``path`` (as ``coze-cli import`` does). Returns the task
        (its ``succeeded`` carries the :class:`~coze_desktop.ui.dialogs.ImportOutcome`), or None
        when another export or import runs (said so)."""
        if self._refused():
            return None
        store = self._store

        def work(ctx: TaskContext) -> ImportOutcome:
            return import_file(store, path, _progress(ctx))

        task = BackgroundTask(self._threads, work, name="import", lang=self._lang)
        task.on_success(self._on_import_succeeded).on_failure(self._on_import_failed)
        task.on_cancel(self._on_import_canceled)
        self._begin(task, path, self.tr("Importing {name}…").format(name=path.name))
        return task

    @Slot(object)
    def _on_import_succeeded(self, outcome: object) -> None:
        assert isinstance(outcome, ImportOutcome)
        summary = outcome.text.splitlines()[0]
        if outcome.report is None:
            self._messages.error(summary)
        else:
            (self._messages.warning if outcome.problems else self._messages.info)(summary)
        self.imported.emit(outcome)

    @Slot(str, object)
    def _on_import_failed(self, text: str, _exc: object) -> None:
        self._messages.error(self.tr("{path} could not be imported: {error}").format(path=self._path, error=text))

    @Slot()
    def _on_import_canceled(self) -> None:
        self._messages.info(
            self.tr("Import canceled. Conversations imported before it are kept; importing the file again adds the rest.")
        )
        self.imported.emit(None)

    # --- both --------------------------------------------------------------------------------------

    def _refused(self) -> bool:
        if self.task is None:
            return False
        self._messages.warning(self.tr("An export or import is under way: wait for it to end, or cancel it."))
        return True

    def _begin(self, task: BackgroundTask[Any], path: Path, text: str) -> None:
        self.task = task
        self._path = path
        task.on_progress(self._on_task_progressed)
        task.finished.connect(self._on_task_finished)
        self.status.begin(text)
        self.busy_changed.emit(True)
        task.start()

    @Slot(object)
    def _on_task_progressed(self, value: object) -> None:
        if isinstance(value, tuple) and len(value) == 2:  # what _progress reports: (done, total)
            self.status.set_progress(int(value[0]), int(value[1]))

    @Slot()
    def _on_task_finished(self) -> None:
        self.task = None
        self.status.end()
        self.busy_changed.emit(False)
        self.finished.emit()
