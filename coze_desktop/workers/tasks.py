"""The one helper for one-shot background work: :class:`BackgroundTask` (modelled on anki's ``QueryOp``).

Streaming replies keep their own worker thread and signals (:mod:`~coze_desktop.workers.chat`);
everything else that blocks — a bot lookup, the token check, a non-streaming chat with its
polling — runs through this helper, one way::

    task = BackgroundTask(threads, lambda ctx: lookup_bot(account, bot_id), name="add-bot", lang=lang)
    task.on_success(self._on_lookup_succeeded).on_failure(self._on_lookup_failed).start()
    ...
    task.cancel()  # e.g. the dialog closed: no outcome is delivered

* ``op(ctx)`` runs in its own thread (started by :class:`~coze_desktop.workers.threads.WorkerThreads`,
  so it is stopped and waited for on quit). ``ctx`` is a :class:`TaskContext`: ``ctx.progress(value)``
  reports progress, ``ctx.cancel_requested`` is a ``threading.Event`` to pass to calls that can be
  interrupted (e.g. ``CozeClient.chat_and_poll(cancel=...)``).
* The outcome arrives in the GUI thread, always: :attr:`BackgroundTask.succeeded` with the
  return value, :attr:`BackgroundTask.failed` with readable text (see :func:`describe_error`) and
  the exception, or :attr:`BackgroundTask.canceled`; then :attr:`BackgroundTask.finished`.
  The ``on_*`` callbacks are connected to those signals, so any callable (a lambda too) runs in
  the GUI thread.
* On the qasync loop UI code may also read top to bottom: ``bot = await task.start().result()``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from coze_desktop.api import CozeError
from coze_desktop.secrets import KeyringUnavailable
from coze_desktop.workers.threads import WorkerThreads, name_python_thread, return_to_gui_thread

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Tasks that are running: a task is kept alive until its outcome is delivered, so a caller may
# start one and forget it.
_RUNNING: set[BackgroundTask[Any]] = set()


def describe_error(exc: BaseException, lang: str) -> str:
    """A known error's advice for people, else a short generic line (details go to the log)."""
    if isinstance(exc, CozeError | KeyringUnavailable):
        return exc.user_message(lang)
    # Context "dialogs": where this text was first written; its translations live there.
    return QCoreApplication.translate(
        "dialogs", "Unexpected error ({name}). See the log for details."
    ).format(name=type(exc).__name__)


class TaskFailed(Exception):
    """Raised by :meth:`BackgroundTask.result` when the work failed; ``text`` is for people."""

    def __init__(self, text: str, error: BaseException) -> None:
        super().__init__(text)
        self.text = text
        self.error = error


class TaskContext:
    """What the work sees of its task: progress reports and the cancel request."""

    def __init__(self, worker: _TaskWorker) -> None:
        self._worker = worker

    @property
    def cancel_requested(self) -> threading.Event:
        """Set when the task is canceled; pass it to calls that can be interrupted."""
        return self._worker.cancel_requested

    @property
    def canceled(self) -> bool:
        return self._worker.cancel_requested.is_set()

    def progress(self, value: object) -> None:
        """Report progress (any value the receiver understands); dropped after a cancel."""
        if not self.canceled:
            self._worker.progressed.emit(value)


class _TaskWorker(QObject):
    """Runs ``op`` in its thread (see :class:`~coze_desktop.workers.threads.ThreadWorker`)."""

    progressed = Signal(object)
    returned = Signal(object)
    raised = Signal(object)
    done = Signal()

    def __init__(self, op: Callable[[TaskContext], object], name: str) -> None:
        super().__init__()
        self._op = op
        self._name = name
        self.cancel_requested = threading.Event()

    @Slot()
    def run(self) -> None:
        """Do the work; never raises."""
        name_python_thread()
        try:
            result = self._op(TaskContext(self))
        except Exception as exc:
            logger.info("%s failed: %s", self._name, exc, exc_info=not _is_known(exc))
            self.raised.emit(exc)
        else:
            self.returned.emit(result)
        finally:
            return_to_gui_thread(self)
            self.done.emit()

    def stop(self) -> None:
        """Ask the work to end (it sees ``ctx.cancel_requested``); safe from any thread."""
        self.cancel_requested.set()

    def forget_op(self) -> None:
        """Let go of the work once it has run (GUI thread): ``op`` is often a method of the task's
        owner, and holding it would make owner → task → worker → op → owner a cycle that only
        Python's cycle collector frees — in whatever thread it happens to run (see
        :mod:`~coze_desktop.workers.collector`)."""
        self._op = _spent


class BackgroundTask(QObject, Generic[T]):
    """One call of ``op`` off the GUI thread, its outcome delivered in the GUI thread.

    Create it in the GUI thread. Each signal fires at most once; exactly one of
    :attr:`succeeded`, :attr:`failed` and :attr:`canceled` fires, then :attr:`finished`.
    """

    progressed = Signal(object)
    """The work reported progress. Argument: the value given to ``ctx.progress``."""

    succeeded = Signal(object)
    """The work returned. Argument: its return value."""

    failed = Signal(str, object)
    """The work raised. Arguments: readable text (:func:`describe_error`), the exception."""

    canceled = Signal()
    """The task was canceled: whatever the work returned or raised is dropped."""

    finished = Signal()
    """The task is over (after its outcome); its thread ends."""

    def __init__(
        self,
        threads: WorkerThreads,
        op: Callable[[TaskContext], T],
        *,
        name: str,
        lang: str | Callable[[], str] = "en",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._threads = threads
        self._name = name
        self._lang = lang
        self._worker = _TaskWorker(op, name)
        self._worker.progressed.connect(self._on_worker_progressed)
        self._worker.returned.connect(self._on_worker_returned)
        self._worker.raised.connect(self._on_worker_raised)
        self._worker.done.connect(self._on_worker_done)
        self._started = False
        self._over = False
        self._future: asyncio.Future[T] | None = None
        self._outcome: tuple[str, object] | None = None  # ("returned" | "raised" | "canceled", value)

    # --- fluent set-up (anki: QueryOp(...).success(f).failure(g).run_in_background()) ------------

    def on_success(self, fn: Callable[[T], object]) -> BackgroundTask[T]:
        self.succeeded.connect(fn)
        return self

    def on_failure(self, fn: Callable[[str, BaseException], object]) -> BackgroundTask[T]:
        self.failed.connect(fn)
        return self

    def on_progress(self, fn: Callable[[Any], object]) -> BackgroundTask[T]:
        self.progressed.connect(fn)
        return self

    def on_cancel(self, fn: Callable[[], object]) -> BackgroundTask[T]:
        self.canceled.connect(fn)
        return self

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> BackgroundTask[T]:
        """Run the work in a new thread; returns ``self``."""
        if self._started:
            raise RuntimeError(f"task {self._name} was already started")
        self._started = True
        _RUNNING.add(self)
        self._threads.start(self._worker, self._name)
        return self

    def cancel(self) -> None:
        """Cancel: the work sees ``ctx.cancel_requested``; no result or failure is delivered."""
        if not self._over:
            self._worker.stop()

    @property
    def running(self) -> bool:
        return self._started and not self._over

    @property
    def cancel_requested(self) -> bool:
        return self._worker.cancel_requested.is_set()

    async def result(self) -> T:
        """Wait (on the running asyncio loop, qasync in the app) for the outcome.

        Returns what the work returned; raises :class:`TaskFailed` when it failed and
        ``asyncio.CancelledError`` when the task was canceled.
        """
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
            if self._outcome is not None:  # the outcome came before the first await
                self._settle_future(*self._outcome)
        return await self._future

    def _settle_future(self, kind: str, value: object) -> None:
        future = self._future
        if future is None or future.done():
            return
        if kind == "returned":
            future.set_result(value)  # type: ignore[arg-type]  # what op returned: a T
        elif kind == "raised":
            assert isinstance(value, TaskFailed)
            future.set_exception(value)
        else:
            future.cancel()

    # --- outcome, in the GUI thread ----------------------------------------------------------------

    def _language(self) -> str:
        return self._lang() if callable(self._lang) else self._lang

    @Slot(object)
    def _on_worker_progressed(self, value: object) -> None:
        if not self.cancel_requested:
            self.progressed.emit(value)

    @Slot(object)
    def _on_worker_returned(self, result: object) -> None:
        if self._deliver_cancel():
            return
        self._outcome = ("returned", result)
        self._settle_future(*self._outcome)
        self.succeeded.emit(result)

    @Slot(object)
    def _on_worker_raised(self, exc: object) -> None:
        if self._deliver_cancel():
            return
        assert isinstance(exc, BaseException)
        text = describe_error(exc, self._language())
        self._outcome = ("raised", TaskFailed(text, exc))
        self._settle_future(*self._outcome)
        self.failed.emit(text, exc)

    def _deliver_cancel(self) -> bool:
        if not self.cancel_requested:
            return False
        self._outcome = ("canceled", None)
        self._settle_future(*self._outcome)
        self.canceled.emit()
        return True

    @Slot()
    def _on_worker_done(self) -> None:
        self._over = True
        self._worker.forget_op()
        self.finished.emit()
        # Not freed here: the last reference may be this one, and a QObject deleted inside its
        # own slot is used by Qt after the slot returns. A zero timer lets go of it afterwards.
        QTimer.singleShot(0, self._release)

    def _release(self) -> None:
        _RUNNING.discard(self)


def _spent(ctx: TaskContext) -> object:
    raise RuntimeError("this task has already run")


def _is_known(exc: Exception) -> bool:
    """Errors with a message for people need no traceback in the log."""
    return callable(getattr(exc, "user_message", None))
