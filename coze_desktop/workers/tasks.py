"""Run one blocking call (an HTTP request) in a worker thread and report its outcome.

    call = BackgroundCall(lambda: client.get_bot(bot_id))
    call.succeeded.connect(self._on_bot_fetch_succeeded)   # bound methods of GUI objects only
    call.failed.connect(self._on_bot_fetch_failed)
    threads.start(call, "get-bot")

The call cannot be interrupted; :meth:`BackgroundCall.stop` only makes its outcome be dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from coze_desktop.workers.threads import name_python_thread, return_to_gui_thread

logger = logging.getLogger(__name__)


class BackgroundCall(QObject):
    """Calls ``fn()`` once in its thread; emits :attr:`succeeded` or :attr:`failed`, then :attr:`done`."""

    succeeded = Signal(object)
    """The call returned. Argument: its return value."""

    failed = Signal(object)
    """The call raised. Argument: the exception (for known errors, ``CozeError`` or ``KeyringUnavailable``)."""

    done = Signal()
    """The call is over (after ``succeeded`` or ``failed``, or after being stopped)."""

    def __init__(self, fn: Callable[[], object], *, name: str = "call") -> None:
        super().__init__()
        self._fn = fn
        self._name = name
        self._stopped = threading.Event()

    @Slot()
    def run(self) -> None:
        """Make the call; never raises."""
        name_python_thread()
        try:
            result = self._fn()
        except Exception as exc:
            logger.info("%s failed: %s", self._name, exc, exc_info=not _is_known(exc))
            if not self._stopped.is_set():
                self.failed.emit(exc)
        else:
            if not self._stopped.is_set():
                self.succeeded.emit(result)
        finally:
            return_to_gui_thread(self)
            self.done.emit()

    def stop(self) -> None:
        """Drop the outcome: neither :attr:`succeeded` nor :attr:`failed` will be emitted."""
        self._stopped.set()


def _is_known(exc: Exception) -> bool:
    """Errors with a message for people need no traceback in the log."""
    return callable(getattr(exc, "user_message", None))
