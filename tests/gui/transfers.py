"""Waiting for the window's background exports and imports (``ui/transfers.py``) in GUI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.workers.tasks import BackgroundTask

from .conftest import WAIT_MS


def wait_task(qtbot: QtBot, task: BackgroundTask[Any] | None) -> None:
    """Wait until ``task`` (an export or import the window started) has ended and said so."""
    assert task is not None, "the window refused to start it"
    if task.running:
        with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
            pass
    assert not task.running


def export(
    ctx: AppContext, qtbot: QtBot, path: Path, conversation_ids: list[int] | None, *, include_files: bool = True
) -> None:
    """``MainWindow.export_to`` and wait for it to end."""
    wait_task(qtbot, ctx.window.export_to(path, conversation_ids, include_files=include_files))


def import_(ctx: AppContext, qtbot: QtBot, path: Path) -> None:
    """``MainWindow.import_from`` and wait for it to end."""
    wait_task(qtbot, ctx.window.import_from(path))
