"""Images loaded off the GUI thread: a reply's pictures from the web, a message's thumbnails.

* :func:`~coze_desktop.api.images.fetch_image` (api layer, no Qt) downloads one http(s) image
  with a timeout and a size cap and checks that the content is an image.
* :class:`ImageLoader` runs such work through :class:`~coze_desktop.workers.tasks.BackgroundTask`,
  a few at a time, and keeps each result for the session: every key (a URL, a file's sha256) is
  loaded once, however often it is asked for. The work is given by the caller, so the decoding
  (a ``QImage``, which needs QtGui, not allowed here) runs in the worker thread too.

QtCore only (see pyproject's import contracts).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from coze_desktop.api.images import ImageFetchError
from coze_desktop.workers.tasks import BackgroundTask, TaskContext
from coze_desktop.workers.threads import WorkerThreads

logger = logging.getLogger(__name__)

MAX_RUNNING = 3  # images loaded at the same time; the others wait their turn
CACHE_SIZE = 200  # results kept (least recently used forgotten first)

T = TypeVar("T")


class ImageLoader(QObject, Generic[T]):
    """Loads each key once, in the background, and keeps the results for the session.

    :meth:`request` starts ``work`` for a key not loaded, not loading and not failed yet; at most
    :data:`MAX_RUNNING` run at once. :attr:`loaded` or :attr:`failed` then says how it went, in
    the GUI thread. Create it in the GUI thread.
    """

    loaded = Signal(str, object)  # key, what the work returned
    failed = Signal(str, str)  # key, why (for the log)

    def __init__(
        self,
        threads: WorkerThreads | None,
        *,
        cache_size: int = CACHE_SIZE,
        max_running: int = MAX_RUNNING,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._threads = threads
        self._cache: OrderedDict[str, T] = OrderedDict()
        self._cache_size = cache_size
        self._max_running = max_running
        self._failed: dict[str, str] = {}
        self._waiting: OrderedDict[str, Callable[[TaskContext], T]] = OrderedDict()
        self._running: dict[str, tuple[int, BackgroundTask[T]]] = {}  # key → (serial, task)
        self._serial = 0

    def set_threads(self, threads: WorkerThreads | None) -> None:
        """The thread owner to run the work in; ``None``: run it at once in the calling thread."""
        self._threads = threads

    def get(self, key: str) -> T | None:
        """The result for ``key`` if it is loaded."""
        value = self._cache.get(key)
        if value is not None:
            self._cache.move_to_end(key)
        return value

    def failure(self, key: str) -> str | None:
        """Why ``key`` could not be loaded, or ``None`` when it did not fail."""
        return self._failed.get(key)

    def is_loading(self, key: str) -> bool:
        return key in self._running or key in self._waiting

    def request(self, key: str, work: Callable[[TaskContext], T]) -> None:
        """Load ``key`` with ``work`` (run in a worker thread) unless it is known or on its way."""
        if key in self._cache or key in self._failed or self.is_loading(key):
            return
        if self._threads is not None and not shiboken6.isValid(self._threads):
            self._threads = None  # its window is gone
        if self._threads is None:
            self._run_here(key, work)
            return
        self._waiting[key] = work
        self._start_next()

    def forget(self, key: str) -> None:
        """Drop the result (or failure) kept for ``key``: the next request loads it again."""
        self._cache.pop(key, None)
        self._failed.pop(key, None)

    def clear(self) -> None:
        """Forget every result and failure; cancel what is loading."""
        for _serial, task in self._running.values():
            task.cancel()
        self._running.clear()
        self._waiting.clear()
        self._cache.clear()
        self._failed.clear()

    def _run_here(self, key: str, work: Callable[[TaskContext], T]) -> None:
        try:
            value = work(_NoTaskContext())  # type: ignore[arg-type]  # the parts of TaskContext work uses
        except Exception as exc:
            self._on_task_failed(key, None, str(exc), exc)
        else:
            self._on_task_succeeded(key, None, value)

    def _start_next(self) -> None:
        assert self._threads is not None
        while self._waiting and len(self._running) < self._max_running:
            key, work = self._waiting.popitem(last=False)
            # No parent and no reference to the task in its own callbacks (a serial number names
            # it): once over, the task is freed by reference counting, not kept by the loader.
            self._serial += 1
            serial = self._serial
            task: BackgroundTask[T] = BackgroundTask(self._threads, work, name="load-image")
            task.on_success(functools.partial(self._on_task_succeeded, key, serial))
            task.on_failure(functools.partial(self._on_task_failed, key, serial))
            task.on_cancel(functools.partial(self._on_task_over, key, serial))
            self._running[key] = (serial, task)
            task.start()

    def _is_current(self, key: str, serial: int | None) -> bool:
        running = self._running.get(key)
        return running is not None and running[0] == serial

    def _on_task_over(self, key: str, serial: int | None) -> None:
        if serial is not None and self._is_current(key, serial):
            del self._running[key]
        if self._threads is not None:
            self._start_next()

    def _on_task_succeeded(self, key: str, serial: int | None, value: object) -> None:
        if serial is not None and not self._is_current(key, serial):
            return  # cleared meanwhile
        self._on_task_over(key, serial)
        self._cache[key] = value  # type: ignore[assignment]  # what the work returned: a T
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        self.loaded.emit(key, value)

    def _on_task_failed(self, key: str, serial: int | None, text: str, exc: object) -> None:
        if serial is not None and not self._is_current(key, serial):
            return
        self._on_task_over(key, serial)
        reason = str(exc) if isinstance(exc, ImageFetchError) else text
        logger.info("image %s not loaded: %s", key[:200], reason)
        self._failed[key] = reason
        self.failed.emit(key, reason)


class _NoTaskContext:
    """What work run in the calling thread sees: never canceled, progress dropped."""

    cancel_requested = threading.Event()
    canceled = False

    def progress(self, value: object) -> None:
        pass
