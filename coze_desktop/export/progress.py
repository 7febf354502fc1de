"""How a long export or import reports how far it is, and learns that it should stop.

Standard library only. The window runs exports and imports in a background task and passes a
:class:`Progress` built on the task's cancel event and progress report; ``coze-cli`` passes
none. The work calls :meth:`Progress.check` between conversations and files (and between the
chunks of a large file): once the cancel event is set it raises :class:`Canceled`, and each
writer removes what it had written before letting it through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Canceled(Exception):
    """The export or import was canceled; what it had written is removed."""

    def __init__(self) -> None:
        super().__init__("canceled")


class Progress:
    """Counts work done out of a total, reports it, and raises :class:`Canceled` when asked to stop.

    ``report(done, total)`` receives the counts (``total`` 0: not known yet); ``cancel`` is the
    event that asks the work to stop; ``pause`` is called at each :meth:`check` (the window passes
    a :class:`~coze_desktop.workers.threads.Pacer`'s ``tick``, so that work done in long C calls
    that hold the interpreter lock — base64, JSON — leaves the GUI thread its turns). All optional.
    """

    def __init__(
        self,
        report: Callable[[int, int], object] | None = None,
        cancel: threading.Event | None = None,
        pause: Callable[[], object] | None = None,
    ) -> None:
        self._report = report
        self._cancel = cancel
        self._pause = pause
        self.done = 0
        self.total = 0

    @property
    def canceled(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Canceled` when the work was asked to stop."""
        if self._pause is not None:
            self._pause()
        if self.canceled:
            raise Canceled

    def start(self, total: int) -> None:
        """A new stage of ``total`` units begins (0: its size is not known)."""
        self.check()
        self.done, self.total = 0, max(total, 0)
        self._send()

    def advance(self, amount: int = 1) -> None:
        """``amount`` more units are done; then stop here if asked to."""
        self.done += amount
        self._send()
        self.check()

    def _send(self) -> None:
        if self._report is not None:
            self._report(min(self.done, self.total) if self.total else self.done, self.total)


def checked(progress: Progress | None) -> Progress:
    """``progress``, or one that reports nowhere and is never canceled."""
    return progress if progress is not None else Progress()
