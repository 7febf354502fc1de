"""Attachments through the window's File → Export and File → Import (issue #11 item 5): the same
path as coze-cli, the files next to a Markdown export, and what the import report says."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sample_files import PDF, png_bytes

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, Role
from coze_desktop.export import ConversationExport, to_json
from coze_desktop.store import Store

from .conftest import WAIT_MS, AppFactory, show
from .transfers import import_


def posted(ctx: AppContext) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    ctx.window.messages.posted.connect(lambda level, text: said.append((level, text)))
    return said


def with_files(store: Store, base_url: str, title: str) -> int:
    conversation = store.create_conversation(
        Conversation(id=None, bot_id="demo-files", base_url=base_url, title=title, created_at=1_700_000_000.0)
    )
    assert conversation.id is not None
    store.add_message(
        Message(
            id=None,
            conversation_id=conversation.id,
            role=Role.USER,
            type="question",
            text="看图",
            attachments=[store.keep_file(png_bytes(), "截图.png"), store.keep_file(PDF, "合同.pdf")],
        )
    )
    return conversation.id


def test_export_from_the_window_writes_the_files_and_says_where(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    with_files(ctx.store, demo_fast.url, "带图")
    said = posted(ctx)
    path = tmp_path / "export" / "带图.md"
    path.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(path), ""))

    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        ctx.window.menus.export_all_requested.emit()  # File → Export all conversations…
    folder = path.parent / "带图_files"
    assert said[-1] == ("info", f"Exported to {path}, attached files in {folder}")
    assert (folder / "截图.png").read_bytes() == png_bytes()
    assert (folder / "合同.pdf").read_bytes() == PDF
    assert "](带图_files/截图.png)" in path.read_text(encoding="utf-8")

    html = tmp_path / "page.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(html), ""))
    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        ctx.window.menus.export_all_requested.emit()
    assert said[-1] == ("info", f"Exported to {html}")  # one file: nothing beside it
    assert "data:image/png;base64," in html.read_text(encoding="utf-8")


def test_the_save_dialog_offers_json_without_attachments(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    with_files(ctx.store, demo_fast.url, "带图")
    offered: list[str] = []

    def save_as(path: Path, kind: str) -> None:
        def dialog(*args: object, **_kwargs: object) -> tuple[str, str]:
            offered[:] = str(args[3]).split(";;")
            return str(path), next(f for f in offered if f.startswith(kind))

        monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
        with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
            ctx.window.menus.export_all_requested.emit()

    save_as(tmp_path / "full", "JSON, for import")
    save_as(tmp_path / "bare", "JSON without attachments")
    assert offered[-2:] == ["JSON, for import (*.json)", "JSON without attachments (*.json)"]
    full = json.loads((tmp_path / "full.json").read_text(encoding="utf-8"))
    bare = json.loads((tmp_path / "bare.json").read_text(encoding="utf-8"))
    (full_message,) = full["conversations"][0]["messages"]
    (bare_message,) = bare["conversations"][0]["messages"]
    assert [base64.b64decode(a["data"]) for a in full_message["attachments"]] == [png_bytes(), PDF]
    assert [a["name"] for a in bare_message["attachments"]] == ["截图.png", "合同.pdf"]
    assert all("data" not in a for a in bare_message["attachments"])


def test_import_from_the_window_restores_files_and_reports_a_bad_one(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "elsewhere") as elsewhere:
        cid = with_files(elsewhere, demo_fast.url, "别处的图")
        conversation = elsewhere.get_conversation(cid)
        assert conversation is not None
        document = json.loads(to_json([ConversationExport(conversation, elsewhere.all_messages(cid))]))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    tampered = json.loads(json.dumps(document))
    tampered["conversations"][0]["uid"] = "another"
    tampered["conversations"][0]["messages"][0]["uid"] = "another-m"
    tampered["conversations"][0]["messages"][0]["attachments"][1]["data"] = (
        "bm90IHRoZSBwZGY="  # "not the pdf"
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")

    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    said = posted(ctx)
    import_(ctx, qtbot, good)
    assert said[-1][0] == "info"
    (summary,) = [s for s in ctx.store.list_conversations() if s.conversation.title == "别处的图"]
    assert summary.conversation.id is not None
    (message,) = ctx.store.all_messages(summary.conversation.id)
    assert [Path(a.path).read_bytes() for a in message.attachments] == [png_bytes(), PDF]
    assert all(Path(a.path).is_relative_to(make_app.data_dir) for a in message.attachments)

    import_(ctx, qtbot, bad)
    level, _text = said[-1]
    assert level == "warning"
    assert "Skipped: attachment '合同.pdf' of message another-m in conversation another" in (
        ctx.window.last_import_report
    )
    assert "does not match its sha256" in ctx.window.last_import_report
