"""The cycle collector runs in the GUI thread only (workers/collector.py)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from coze_desktop.workers.collector import GuiThreadCollector


class Looped(QObject):
    """A QObject in a reference cycle with itself: only the cycle collector frees it."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self


def test_installed_collector_turns_automatic_collection_off_and_collects_on_its_timer(qtbot: QtBot) -> None:
    gc.enable()
    collector = GuiThreadCollector(interval_ms=10)
    collector.install()
    try:
        assert not gc.isenabled() and collector.installed
        freed_in: list[bool] = []
        gui = QThread.currentThread()
        looped = Looped()
        looped.destroyed.connect(lambda: freed_in.append(QThread.currentThread() is gui))
        del looped

        # A worker thread allocating a lot would have triggered a collection there; not any more.
        def allocate() -> None:
            garbage = [[i] for i in range(50_000)]
            del garbage

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert freed_in == []
        kept = [[i] for i in range(5 * gc.get_threshold()[0])]  # enough new objects: a collection is due
        qtbot.waitUntil(lambda: freed_in == [True], timeout=5000)  # the timer collected it, here
        del kept
    finally:
        collector.uninstall()
    assert gc.isenabled() and not collector.installed


def test_collect_if_due_collects_only_once_the_threshold_is_passed() -> None:
    gc.collect()
    collector = GuiThreadCollector()
    freed: list[int] = []
    looped = Looped()
    looped.destroyed.connect(lambda: freed.append(1))
    del looped
    assert collector.collect_if_due() == 0 and freed == []  # a few new objects: not due yet
    kept = [[i] for i in range(5 * gc.get_threshold()[0])]
    assert collector.collect_if_due() > 0 and freed == [1]
    del kept
