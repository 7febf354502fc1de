"""One owner for background threads: start each worker in its own ``QThread``, clean up, stop all.

A worker is a ``QObject`` with a ``run()`` slot, a ``stop()`` method that is safe to call from
the GUI thread, and a ``done`` signal emitted as the last thing ``run()`` does, after handing
itself back to the GUI thread with :func:`return_to_gui_thread`. The registry moves it into a
new thread, starts it, quits the thread on ``done`` and, once the thread has ended, lets go of
both. Python owns the worker and the thread, so they are deleted then, in the GUI thread, with
no thread running: Qt's ``finished → deleteLater`` idiom would delete Python-owned objects
from another thread behind Python's back, a fragile mix (one crash seen in the test suite). On quit,
:meth:`WorkerThreads.shutdown` stops every worker and waits a bounded time for their threads.

Receivers of a worker's signals must be bound methods of ``QObject``\\ s living in the GUI
thread: Qt then queues the call into the GUI thread. A lambda or ``functools.partial`` would
run in the worker's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, SignalInstance, Slot

logger = logging.getLogger(__name__)


class ThreadWorker(Protocol):
    """What :meth:`WorkerThreads.start` needs from a worker (a ``QObject``)."""

    @property
    def done(self) -> SignalInstance:
        """Emitted as the last thing :meth:`run` does, after :func:`return_to_gui_thread`."""
        ...

    def run(self) -> None:
        """Do the work; runs in the worker's own thread and never raises."""
        ...

    def stop(self) -> None:
        """Ask the work to end soon; called from the GUI thread."""
        ...

    def moveToThread(self, thread: QThread) -> bool:
        """``QObject.moveToThread``."""
        ...


# A worker thread runs Python (decoding events, folding them) and so needs the interpreter lock,
# as does every Python slot and paint handler of the window. When an answer arrives faster than a
# worker can decode it, the worker would hold the lock nearly all the time, and each step of the
# GUI thread would wait up to the interpreter's switch interval (5 ms) to get it back: rendering
# one segment of an answer took twenty times longer (bench/ui_stream.py). So a busy worker
# sleeps briefly after every burst of work; waiting for the network ends a burst, no pause needed.
WORKER_BURST = 0.001  # seconds of work with no wait...
WORKER_PAUSE = 0.001  # ...then this long asleep, the lock left to the GUI thread


class Pacer:
    """Call :meth:`tick` after each unit of work in a worker thread: once the thread has worked
    for ``burst`` seconds without a wait longer than ``pause`` between two ticks, it sleeps for
    ``pause`` seconds. Wall-clock time: a thread's CPU clock ticks every 15.6 ms on Windows."""

    def __init__(
        self,
        burst: float = WORKER_BURST,
        pause: float = WORKER_PAUSE,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._burst = burst
        self._pause = pause
        self._clock = clock
        self._sleep = sleep
        self._started = self._last = clock()

    def tick(self) -> None:
        now = self._clock()
        if now - self._last > self._pause:
            self._started = now  # it waited (for the network, or for the lock): a new burst
        elif now - self._started >= self._burst:
            self._sleep(self._pause)
            now = self._started = self._clock()
        self._last = now


def return_to_gui_thread(worker: QObject) -> None:
    """Move ``worker`` (from its own thread) back to the GUI thread, so it is deleted there."""
    app = QCoreApplication.instance()
    if app is not None:
        worker.moveToThread(app.thread())


def name_python_thread() -> None:
    """Give the running QThread's name to Python's view of it, so log lines say which worker wrote them."""
    name = QThread.currentThread().objectName()
    if name:
        threading.current_thread().name = name


class WorkerThreads(QObject):
    """The running background threads of the app (one per worker)."""

    all_finished = Signal()
    """The last running worker thread has finished and was cleaned up."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[QThread, ThreadWorker] = {}

    def start(self, worker: ThreadWorker, name: str) -> QThread:
        """Run ``worker.run()`` in a new thread called ``name``; returns the thread."""
        thread = QThread()
        thread.setObjectName(name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued call would wait for a GUI thread that
        # may itself be blocked in wait_all().
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._running[thread] = worker
        thread.start()
        logger.debug("started thread %s", name)
        return thread

    @Slot()
    def _on_thread_finished(self) -> None:
        for thread in [t for t in self._running if t.isFinished()]:
            thread.wait()
            del self._running[thread]  # the last references: worker and thread are deleted here
            logger.debug("thread %s finished", thread.objectName())
        if not self._running:
            self.all_finished.emit()

    def active_count(self) -> int:
        """How many worker threads are running or not yet cleaned up (0 means none leaked)."""
        return len(self._running)

    def stop_all(self) -> None:
        """Ask every running worker to stop (each saves what it has)."""
        for worker in list(self._running.values()):
            worker.stop()

    def wait_all(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every thread to end; True if all ended."""
        deadline = time.monotonic() + timeout
        for thread in list(self._running):
            remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if not thread.wait(remaining_ms):
                logger.warning("thread %s did not end within %.1f s", thread.objectName(), timeout)
                return False
        return True

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop every worker and wait up to ``timeout`` seconds; True if all threads ended."""
        self.stop_all()
        return self.wait_all(timeout)
