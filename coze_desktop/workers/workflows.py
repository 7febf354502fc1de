"""Workflow runs in the background: one ``QThread`` per run (or resume of it).

:class:`WorkflowController` owns the live runs (one owner per fact): :meth:`~WorkflowController.run`
saves a new run in the store (:meth:`~coze_desktop.store.Store.start_run`) and starts a
:class:`WorkflowRunJob`; :meth:`~WorkflowController.resume` saves the user's answer into the
same run (:meth:`~coze_desktop.store.Store.resume_run`) and starts a job that continues it.

The job streams ``/v1/workflow/stream_run`` (or ``/stream_resume``), or calls
``/v1/workflow/run`` when the run is not streamed, folds the events with
:class:`~coze_desktop.api.workflows.WorkflowAccumulator`, saves node text as it arrives
(:meth:`~coze_desktop.store.Store.append_run_text`: the store checkpoints at most once a second)
and reports through signals. Node text is coalesced like a chat reply's: gathered in the worker
and emitted at most every :data:`EMIT_INTERVAL` seconds, one node per emission. Stop closes the
stream; what arrived is kept and the run ends as ``error`` ("Stopped."). A job never lets an
exception escape.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from coze_desktop.api import CozeError
from coze_desktop.api.errors import ChatCanceledError, WorkflowResumeLimitError, redact
from coze_desktop.api.workflows import (
    MAX_RESUMES,
    NodeMessage,
    WorkflowAccumulator,
    WorkflowInterrupt,
    WorkflowStream,
    check_resume_allowed,
)
from coze_desktop.domain import (
    ErrorInfo,
    Workflow,
    WorkflowInterruptInfo,
    WorkflowRun,
    WorkflowRunResult,
    WorkflowStatus,
)
from coze_desktop.store import Store, StoreError
from coze_desktop.workers.accounts import Account, Accounts
from coze_desktop.workers.threads import Pacer, WorkerThreads, name_python_thread, return_to_gui_thread

logger = logging.getLogger(__name__)

EMIT_INTERVAL = 1 / 60  # seconds: node text reaches the GUI at most this often (about 60 Hz)


class NoTokenError(RuntimeError):
    """No access token is saved for the workflow's server."""


@dataclass(frozen=True, slots=True)
class ResumeRequest:
    """The answer to an interrupt: what ``/v1/workflow/stream_resume`` needs."""

    event_id: str
    answer: str
    interrupt_type: int


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What a job needs to run (or resume) one saved run."""

    run_id: int
    workflow_id: str
    parameters: dict[str, Any]
    account: Account
    lang: str  # "zh" or "en": the language of error texts
    bot_id: str = ""
    app_id: str = ""
    stream: bool = True
    resume: ResumeRequest | None = None
    started_at: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class NodeDelta:
    """New text of one node (coalesced), as the view draws it."""

    index: int  # the node's place in the run (0, 1, …; continues across resumes)
    title: str
    node_type: str
    text: str  # to append
    finished: bool
    duration: float | None  # seconds from the node's first message to its last, once finished


class WorkflowRunJob(QObject):
    """Streams (or runs) one workflow run, or one resume of it, in its own thread.

    Every signal but ``done`` starts with the run's id.
    """

    node_delta = Signal(int, object)
    """Node text arrived. Arguments: run id, a :class:`NodeDelta`."""

    interrupted = Signal(int, object)
    """The run waits for an answer. Arguments: run id, the ``WorkflowInterruptInfo``."""

    failed = Signal(int, object)
    """The run failed or was stopped (emitted just before ``finished``). Arguments: run id, ``ErrorInfo``."""

    finished = Signal(int, object)
    """The run (or this part of it) is saved in its final state. Arguments: run id, the ``WorkflowRunResult``."""

    done = Signal()
    """The job is over (after ``finished``); its thread may end."""

    def __init__(
        self, store: Store, request: RunRequest, acc: WorkflowAccumulator, node_offset: int = 0
    ) -> None:
        super().__init__()
        self._store = store
        self._request = request
        self._acc = acc
        self._node_offset = node_offset  # nodes shown before this accumulator's (a reopened run)
        self._stop = threading.Event()
        self._stream_lock = threading.Lock()
        self._stream: WorkflowStream | None = None
        self._finish_lock = threading.Lock()
        self._finished = False
        self._pending: NodeDelta | None = None
        self._last_emit = 0.0
        self._node_started: dict[int, float] = {}
        self._save_failed = False

    @property
    def run_id(self) -> int:
        return self._request.run_id

    # --- the thread --------------------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        """Run, save and report; never raises."""
        name_python_thread()
        error: BaseException | None = None
        try:
            self._work()
        except Exception as exc:  # a CozeError, or a bug: either way the run is finished below
            error = exc
        finally:
            self._finish(error)
            return_to_gui_thread(self)
            self.done.emit()

    def _work(self) -> None:
        req = self._request
        if req.resume is not None:
            check_resume_allowed(self._acc.resumes)  # before any request
            self._acc.resumed()
        with req.account.client() as client:
            if req.resume is None and not req.stream:
                response = client.run_workflow(
                    req.workflow_id, req.parameters, bot_id=req.bot_id or None, app_id=req.app_id or None
                )
                self._acc.feed_response(response)
                return
            if req.resume is not None:
                stream = client.stream_resume_workflow(
                    req.workflow_id,
                    req.resume.event_id,
                    req.resume.answer,
                    req.resume.interrupt_type,
                    resumes_done=self._acc.resumes - 1,
                )
            else:
                stream = client.stream_workflow(
                    req.workflow_id, req.parameters, bot_id=req.bot_id or None, app_id=req.app_id or None
                )
            with self._stream_lock:
                self._stream = stream
            if self._stop.is_set():
                stream.abort()
            pacer = Pacer()
            for event in stream:
                self._take(event)
                pacer.tick()
            self._acc.finish()

    def _take(self, event: object) -> None:
        if isinstance(event, NodeMessage):
            before = len(self._acc.nodes)
            self._acc.feed(event)
            index = len(self._acc.nodes) - 1
            node = self._acc.nodes[index]
            now = time.monotonic()
            self._node_started.setdefault(index, now)
            duration = now - self._node_started[index] if node.finished else None
            self._save_text(node.node_title, node.node_id, event.content, node.finished, node.node_type)
            self._queue(
                NodeDelta(
                    index + self._node_offset,
                    node.node_title,
                    node.node_type,
                    event.content,
                    node.finished,
                    duration,
                ),
                new_node=len(self._acc.nodes) != before,
            )
        else:
            self._acc.feed(event)  # type: ignore[arg-type]
            if isinstance(event, WorkflowInterrupt):
                self._flush()  # the interrupt is saved with the run's end (Store.finish_run)

    def _queue(self, delta: NodeDelta, *, new_node: bool) -> None:
        pending = self._pending
        if pending is not None and (new_node or pending.index != delta.index):
            self._flush()
            pending = None
        if pending is None:
            self._pending = delta
        else:
            pending.text += delta.text
            pending.finished = delta.finished
            pending.duration = delta.duration
            pending.node_type = pending.node_type or delta.node_type
        now = time.monotonic()
        if delta.finished or now - self._last_emit >= EMIT_INTERVAL:
            self._flush(now)

    def _flush(self, now: float | None = None) -> None:
        if self._pending is not None:
            delta, self._pending = self._pending, None
            self.node_delta.emit(self.run_id, delta)
        self._last_emit = time.monotonic() if now is None else now

    # --- saving ------------------------------------------------------------------------------

    def _save_text(self, title: str, node_id: str, text: str, finished: bool, node_type: str) -> None:
        try:
            self._store.append_run_text(self.run_id, title, node_id, text, finished, node_type=node_type)
        except StoreError as exc:  # the text is still shown; the next checkpoint retries
            if not self._save_failed:
                logger.warning("could not save node text of run %d: %s", self.run_id, exc)
            self._save_failed = True

    # --- finishing ---------------------------------------------------------------------------

    def _finish(self, exc: BaseException | None) -> None:
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
            self._flush()
            if self._stop.is_set() and not isinstance(exc, CozeError):
                exc = ChatCanceledError()
            if isinstance(exc, CozeError):
                self._acc.fail(exc)
            elif exc is not None:
                logger.error("workflow run %d failed unexpectedly", self.run_id, exc_info=exc)
                self._acc.status = WorkflowStatus.ERROR
                self._acc.error = ErrorInfo(
                    None,
                    QCoreApplication.translate(
                        "WorkflowController",
                        "Something unexpected went wrong: {error}. See the log for details.",
                    ).format(error=redact(f"{type(exc).__name__}: {exc}", self._request.account.token)),
                )
            result = self._acc.result()
            try:
                self._store.finish_run(self.run_id, result, time.monotonic() - self._request.started_at)
            except StoreError as save_error:
                logger.warning("could not save the end of run %d: %s", self.run_id, save_error)
            logger.info("workflow run %d ended: %s", self.run_id, result.status.value)
            if result.status is WorkflowStatus.INTERRUPTED and result.interrupt is not None:
                self.interrupted.emit(self.run_id, result.interrupt)
            if result.status is WorkflowStatus.ERROR and result.error is not None:
                self.failed.emit(self.run_id, result.error)
            self.finished.emit(self.run_id, result)

    def settle(self) -> None:
        """Finish now as stopped unless already finished (on quit, for a job that did not end)."""
        self._stop.set()
        self._finish(None)

    def stop(self) -> None:
        """Close the stream at once; what arrived is saved. Safe from any thread."""
        self._stop.set()
        with self._stream_lock:
            stream = self._stream
        if stream is not None:
            stream.abort()


@dataclass(slots=True)
class LiveRun:
    """A run the controller follows: its fold (kept across resumes) and its job, if one runs."""

    run_id: int
    workflow: Workflow
    acc: WorkflowAccumulator
    node_offset: int = 0
    job: WorkflowRunJob | None = None
    nodes: list[NodeDelta] = field(default_factory=list)  # what the GUI thread received


class WorkflowController(QObject):
    """Starts, resumes and stops workflow runs; the one owner of the live ones.

    Signals carry the run id (several runs may go at once, one per workflow at most shown).
    """

    run_started = Signal(int, object)
    """A run was saved and its job started. Arguments: run id, the saved ``WorkflowRun``."""

    node_delta = Signal(int, object)
    """See :attr:`WorkflowRunJob.node_delta`."""

    interrupted = Signal(int, object)
    """See :attr:`WorkflowRunJob.interrupted`."""

    run_failed = Signal(int, object)
    """See :attr:`WorkflowRunJob.failed`."""

    run_finished = Signal(int, object)
    """A run (or a resume of it) ended and is saved. Arguments: run id, the ``WorkflowRunResult``."""

    running_changed = Signal(int, bool)
    """A run started or stopped going. Arguments: run id, running."""

    def __init__(
        self,
        store: Store,
        accounts: Accounts,
        threads: WorkerThreads,
        *,
        lang: Callable[[], str],
        streaming: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._accounts = accounts
        self._threads = threads
        self._lang = lang
        self._streaming = streaming
        self._live: dict[int, LiveRun] = {}

    # --- public API --------------------------------------------------------------------------

    def is_running(self, run_id: int) -> bool:
        live = self._live.get(run_id)
        return live is not None and live.job is not None

    def running_ids(self) -> list[int]:
        return [run_id for run_id, live in self._live.items() if live.job is not None]

    def live_nodes(self, run_id: int) -> list[NodeDelta]:
        """The node text received so far of a run that is going (empty when it is not)."""
        live = self._live.get(run_id)
        return list(live.nodes) if live is not None and live.job is not None else []

    def resumes_done(self, run: WorkflowRun) -> int:
        """How often ``run`` was resumed (its answers)."""
        live = self._live.get(run.id) if run.id is not None else None
        if live is not None:
            return live.acc.resumes
        return run.resume_count

    def run(
        self, workflow: Workflow, parameters: dict[str, Any], *, stream: bool | None = None
    ) -> WorkflowRun:
        """Save a new run of ``workflow`` with ``parameters`` and start it; returns the saved run.

        Raises :class:`NoTokenError` when there is no token for the workflow's server, ``ValueError``
        for a bot id together with an app id, ``StoreError`` when saving fails."""
        if workflow.bot_id and workflow.app_id:
            raise ValueError("a workflow runs with a bot id or an app id, not both")
        account = self._account(workflow.base_url)
        streamed = self._streaming() if stream is None else stream
        now = time.time()
        run = self._store.start_run(
            WorkflowRun(
                id=None,
                uid=uuid.uuid4().hex,
                workflow_id=workflow.workflow_id,
                base_url=workflow.base_url,
                bot_id=workflow.bot_id,
                app_id=workflow.app_id,
                parameters=dict(parameters),
                status=WorkflowStatus.RUNNING,
                execute_id=None,
                debug_url=None,
                usage=None,
                error=None,
                started_at=now,
                updated_at=now,
                duration=None,
                stream=streamed,
            )
        )
        assert run.id is not None
        live = LiveRun(run.id, workflow, WorkflowAccumulator(lang=self._lang()))
        self._live[run.id] = live
        request = RunRequest(
            run.id,
            workflow.workflow_id,
            dict(parameters),
            account,
            self._lang(),
            bot_id=workflow.bot_id,
            app_id=workflow.app_id,
            stream=streamed,
        )
        self._start(live, request)
        self.run_started.emit(run.id, run)
        return run

    def resume(self, run_id: int, answer: str) -> None:
        """Answer the interrupt ``run_id`` waits for and continue the same run.

        Raises ``LookupError`` when the run or its interrupt is gone, ``RuntimeError`` when it
        is already going (:class:`NoTokenError` when there is no token), :class:`WorkflowResumeLimitError` past
        :data:`~coze_desktop.api.workflows.MAX_RESUMES` resumes (nothing is sent or saved)."""
        if self.is_running(run_id):
            raise RuntimeError(f"run {run_id} is already going")
        run = self._store.get_run(run_id)
        if run is None:
            raise LookupError(f"run {run_id} does not exist")
        interrupt = run.pending_interrupt
        if interrupt is None:
            raise LookupError(f"run {run_id} does not wait for an answer")
        live = self._live.get(run_id)
        if live is None:  # a run saved earlier (another session): a new fold that continues it
            workflow = self._store.get_workflow(run.workflow_id, run.base_url) or Workflow(
                workflow_id=run.workflow_id, base_url=run.base_url, bot_id=run.bot_id, app_id=run.app_id
            )
            acc = WorkflowAccumulator(lang=self._lang())
            acc.resumes = self.resumes_done(run)
            acc.status = WorkflowStatus.INTERRUPTED
            acc.execute_id = run.execute_id
            acc.debug_url = run.debug_url
            live = LiveRun(run_id, workflow, acc, node_offset=sum(1 for p in run.parts if p.kind == "node"))
            self._live[run_id] = live
        if live.acc.resumes >= MAX_RESUMES:
            raise WorkflowResumeLimitError(MAX_RESUMES)
        account = self._account(run.base_url)
        self._store.resume_run(run_id, answer, interrupt.event_id, interrupt_type=interrupt.interrupt_type)
        request = RunRequest(
            run_id,
            run.workflow_id,
            dict(run.parameters),
            account,
            self._lang(),
            bot_id=run.bot_id,
            app_id=run.app_id,
            resume=ResumeRequest(interrupt.event_id, answer, interrupt.interrupt_type),
        )
        self._start(live, request)

    def stop(self, run_id: int) -> None:
        """Stop a going run; what arrived is kept."""
        live = self._live.get(run_id)
        if live is not None and live.job is not None:
            live.job.stop()

    def stop_all(self) -> None:
        """Ask every going run to stop (each keeps what arrived); :meth:`shutdown` waits."""
        for live in self._live.values():
            if live.job is not None:
                live.job.stop()

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop every run and wait up to ``timeout`` seconds; True when all threads ended.
        Runs that did not end in time are saved from here."""
        jobs = [live.job for live in self._live.values() if live.job is not None]
        if not jobs:
            return True
        for job in jobs:
            job.stop()
        ended = self._threads.wait_all(timeout)
        for job in jobs:
            job.settle()
        return ended

    # --- internals ---------------------------------------------------------------------------

    def _account(self, base_url: str) -> Account:
        account = self._accounts.account(base_url)
        if account is None:
            raise NoTokenError(f"no access token for {base_url}")
        return account

    def _start(self, live: LiveRun, request: RunRequest) -> None:
        job = WorkflowRunJob(self._store, request, live.acc, live.node_offset)
        job.node_delta.connect(self._on_job_node_delta)
        job.interrupted.connect(self._on_job_interrupted)
        job.failed.connect(self._on_job_failed)
        job.finished.connect(self._on_job_finished)
        live.job = job
        self._threads.start(job, f"workflow-{live.run_id}")
        self.running_changed.emit(live.run_id, True)

    @Slot(int, object)
    def _on_job_node_delta(self, run_id: int, delta: NodeDelta) -> None:
        live = self._live.get(run_id)
        if live is not None:
            last = live.nodes[-1] if live.nodes else None
            if last is not None and last.index == delta.index:
                last.text += delta.text
                last.finished, last.duration = delta.finished, delta.duration
            else:
                live.nodes.append(dataclasses.replace(delta))
        self.node_delta.emit(run_id, delta)

    @Slot(int, object)
    def _on_job_interrupted(self, run_id: int, info: WorkflowInterruptInfo) -> None:
        self.interrupted.emit(run_id, info)

    @Slot(int, object)
    def _on_job_failed(self, run_id: int, error: ErrorInfo) -> None:
        self.run_failed.emit(run_id, error)

    @Slot(int, object)
    def _on_job_finished(self, run_id: int, result: WorkflowRunResult) -> None:
        live = self._live.get(run_id)
        if live is not None:
            live.job = None
            if result.status is not WorkflowStatus.INTERRUPTED:
                del self._live[run_id]  # nothing more to continue: the store has it all
        self.running_changed.emit(run_id, False)
        self.run_finished.emit(run_id, result)
