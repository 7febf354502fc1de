"""File → Export and File → Import run in a background task (``ui/transfers.py``): the window keeps
turning while a large attachment is written, Cancel leaves no export file and no imported
conversation, one runs at a time, and a file that cannot be written is reported with its path.

To look at a transfer in the middle, a gate holds the task's thread at a known point (the first
progress report after a file's content, or the first file kept by an import) until the test has
looked; the work itself is real.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot
from sample_files import PDF

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, MessageFile, Role
from coze_desktop.export import ConversationExport, Progress, to_json
from coze_desktop.store import Store

from .conftest import WAIT_MS, AppFactory, show
from .transfers import export, wait_task

LARGE = 3 * 1024 * 1024 + 17  # bytes of the large attachment (several chunks of the JSON writer)


def posted(ctx: AppContext) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    ctx.window.messages.posted.connect(lambda level, text: said.append((level, text)))
    return said


def large_bytes() -> bytes:
    return os.urandom(LARGE)


def with_files(store: Store, base_url: str, title: str, files: list[tuple[bytes, str]]) -> int:
    conversation = store.create_conversation(
        Conversation(id=None, bot_id="demo-files", base_url=base_url, title=title, created_at=1_700_000_000.0)
    )
    assert conversation.id is not None
    kept: list[MessageFile] = [store.keep_file(data, name) for data, name in files]
    store.add_message(
        Message(id=None, conversation_id=conversation.id, role=Role.USER, type="question", text=title, attachments=kept)
    )
    return conversation.id


class Gate:
    """Holds the task's thread the first time ``wrapped`` is called in a thread other than the GUI
    thread, until :meth:`release`; records whether it was ever called in the GUI thread."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self._open = threading.Event()
        self.called_in_gui_thread = False

    def wrap(self, fn: Callable[..., Any], when: Callable[..., bool] = lambda *_a, **_k: True) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                self.called_in_gui_thread = True
            elif not self.reached.is_set() and when(*args, **kwargs):
                self.reached.set()
                # Bounded: a test that fails must not hang the suite.
                assert self._open.wait(WAIT_MS / 1000), "the test never released the gate"
            return fn(*args, **kwargs)

        return wrapped

    def release(self) -> None:
        self._open.set()


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate()
    yield g
    g.release()  # never leave a thread waiting


def hold_after_first_file_bytes(monkeypatch: pytest.MonkeyPatch, gate: Gate) -> None:
    """The export's thread stops at its first progress report after some file content is written."""
    monkeypatch.setattr(Progress, "advance", gate.wrap(Progress.advance))


def test_export_with_a_large_attachment_runs_while_the_window_keeps_turning(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    data = large_bytes()
    cid = with_files(ctx.store, demo_fast.url, "大文件", [(data, "big.bin"), (PDF, "合同.pdf")])
    said = posted(ctx)
    ticks: list[int] = []
    timer = QTimer(ctx.window)
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    hold_after_first_file_bytes(monkeypatch, gate)
    path = tmp_path / "big.json"

    task = ctx.window.export_to(path, [cid])
    assert task is not None and task.running
    qtbot.waitUntil(gate.reached.is_set, timeout=WAIT_MS)  # the thread is in the middle of the file
    before = len(ticks)
    qtbot.waitUntil(lambda: len(ticks) >= before + 3, timeout=WAIT_MS)  # the GUI thread keeps turning
    status = ctx.window.transfer_status
    assert status.isVisible() and "big.json" in status.label.text()
    assert status.bar.maximum() > 0 and status.bar.value() < status.bar.maximum()  # a known total, not done
    assert not path.exists() and path.with_name("big.json.part").exists()  # written through a .part file
    assert not ctx.window.menus.export_all_action.isEnabled()  # one at a time
    assert not ctx.window.menus.import_action.isEnabled()
    ctx.window.menus.rebuild(sources_visible=False, theme="system", language="en")  # as a language switch does
    assert not ctx.window.menus.export_action.isEnabled() and not ctx.window.menus.import_action.isEnabled()
    ctx.window.repaint()  # painting works meanwhile

    gate.release()
    wait_task(qtbot, task)
    timer.stop()
    assert not gate.called_in_gui_thread
    assert said[-1] == ("info", f"Exported to {path}")
    (message,) = json.loads(path.read_text(encoding="utf-8"))["conversations"][0]["messages"]
    assert base64.b64decode(message["attachments"][0]["data"]) == data
    assert base64.b64decode(message["attachments"][1]["data"]) == PDF
    assert not status.isVisible()
    assert ctx.window.menus.export_all_action.isEnabled() and ctx.window.menus.import_action.isEnabled()


@pytest.mark.parametrize("suffix", [".md", ".json"])
def test_cancel_leaves_no_export_file(
    make_app: AppFactory,
    qtbot: QtBot,
    demo_fast: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gate: Gate,
    suffix: str,
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    cid = with_files(ctx.store, demo_fast.url, "大文件", [(large_bytes(), "big.bin"), (PDF, "合同.pdf")])
    said = posted(ctx)
    hold_after_first_file_bytes(monkeypatch, gate)
    out = tmp_path / "out"
    out.mkdir()
    path = out / f"big{suffix}"

    task = ctx.window.export_to(path, [cid])
    assert task is not None
    qtbot.waitUntil(gate.reached.is_set, timeout=WAIT_MS)
    if suffix == ".md":
        assert (out / "big_files" / "big.bin").exists()  # the first file is in its folder already
    qtbot.mouseClick(ctx.window.transfer_status.cancel_button, Qt.MouseButton.LeftButton)
    assert task.cancel_requested
    gate.release()
    wait_task(qtbot, task)

    assert said[-1] == ("info", "Export canceled; no file was written.")
    assert list(out.iterdir()) == []  # no export, no .part file, no attachments' folder
    assert ctx.window.menus.export_action.isEnabled()
    export(ctx, qtbot, path, [cid])  # and the next export runs whole
    assert path.exists() and said[-1][0] == "info"


def _export_document(tmp_path: Path, base_url: str) -> Path:
    """A JSON export of two conversations, each with a file, made from another history."""
    with Store.open(tmp_path / "elsewhere") as elsewhere:
        items = []
        for title in ("第一个", "第二个"):
            cid = with_files(elsewhere, base_url, title, [(title.encode() + PDF, f"{title}.pdf")])
            conversation = elsewhere.get_conversation(cid)
            assert conversation is not None
            items.append(ConversationExport(conversation, elsewhere.all_messages(cid)))
        path = tmp_path / "two.json"
        path.write_text(to_json(items), encoding="utf-8")
    return path


def test_cancel_an_import_leaves_no_conversation_and_one_runs_at_a_time(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    document = _export_document(tmp_path, demo_fast.url)
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    said = posted(ctx)
    before = ctx.store.count_conversations()
    monkeypatch.setattr(Store, "keep_file", gate.wrap(Store.keep_file))

    task = ctx.window.import_from(document)
    assert task is not None
    qtbot.waitUntil(gate.reached.is_set, timeout=WAIT_MS)  # keeping the first conversation's file
    assert not ctx.window.menus.import_action.isEnabled()
    assert ctx.window.import_from(document) is None  # refused while one runs, and said so
    assert ctx.window.export_to(tmp_path / "x.md", None) is None
    assert said[-1] == ("warning", "An export or import is under way: wait for it to end, or cancel it.")
    ctx.window.transfers.cancel()
    assert ctx.window.transfer_status.label.text() == "Canceling…"
    gate.release()
    wait_task(qtbot, task)

    assert said[-1][0] == "info" and said[-1][1].startswith("Import canceled.")
    assert ctx.store.count_conversations() == before  # not half of it, not the first one
    assert not (tmp_path / "x.md").exists()
    assert ctx.window.menus.import_action.isEnabled()

    monkeypatch.undo()
    task = ctx.window.import_from(document)  # the same file again, to the end: both come in
    wait_task(qtbot, task)
    assert ctx.store.count_conversations() == before + 2
    assert said[-1][1].startswith("Imported 2 conversation(s)")


def test_an_export_that_cannot_be_written_is_reported_with_its_path(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    cid = with_files(ctx.store, demo_fast.url, "带文件", [(PDF, "合同.pdf")])
    said = posted(ctx)
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")

    for name in ("chat.md", "chat.json", "chat.html"):
        path = not_a_folder / name
        export(ctx, qtbot, path, [cid])
        level, text = said[-1]
        assert level == "error"
        assert text.startswith(f"The export to {path} could not be written: ") and "Not a directory" in text
    assert not_a_folder.read_text(encoding="utf-8") == "a file where the folder should be"
    assert not list(tmp_path.glob("chat*"))
