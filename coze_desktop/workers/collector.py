"""Python's cycle collector, run in the GUI thread only (the habit of anki's ``GarbageCollector``).

Reference counting frees most objects where their last reference goes, but objects in a
reference cycle wait for the cycle collector, which runs whenever allocations pass a threshold —
in whatever thread is allocating at that moment. A ``QObject`` freed that way in a worker thread
is deleted behind the GUI thread's back (a queued event still on its way, a slot running) and
can crash the process. So while a :class:`GuiThreadCollector` is installed, automatic collection
is off and the collector runs from a timer in the GUI thread, with the same generation
thresholds Python uses. Code should still not rely on it for ``QObject``\\ s: break cycles when
work ends (see :meth:`~coze_desktop.workers.tasks.BackgroundTask`).
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)

COLLECT_INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Turns automatic cycle collection off and collects on a GUI-thread timer instead.

    Create it in the GUI thread, :meth:`install` it, and :meth:`uninstall` it on quit (which
    collects once more and turns automatic collection back on).
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = COLLECT_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._was_enabled = False

    def install(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def uninstall(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    @property
    def installed(self) -> bool:
        return self._timer.isActive()

    def collect_if_due(self) -> int:
        """Collect the generations whose counts passed Python's thresholds; how many were freed."""
        counts = gc.get_count()
        freed = 0
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                break
            freed = gc.collect(generation)
        if freed:
            logger.debug("collected %d objects in reference cycles", freed)
        return freed
