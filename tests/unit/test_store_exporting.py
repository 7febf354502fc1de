"""The one path between the history and the export files (coze_desktop.store.exporting and
coze_desktop.export.writer), shared by File → Export/Import and coze-cli."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import Bot, Conversation, Message, Role
from coze_desktop.export import FORMAT_BY_SUFFIX, FORMATS, parse_json_export, render, to_json, write_file
from coze_desktop.store import Store, export_items, import_items


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def _conversation(store: Store, title: str, created_at: float, *, pinned: bool = False) -> int:
    conversation = store.create_conversation(
        Conversation(id=None, bot_id="bot", title=title, created_at=created_at, pinned=pinned)
    )
    assert conversation.id is not None
    store.add_message(Message(id=None, conversation_id=conversation.id, role=Role.USER, text=f"{title}?"))
    return conversation.id


def test_export_items_keep_the_order_given_and_leave_out_what_is_gone(store: Store) -> None:
    store.upsert_bot(Bot("bot", name="Helper"))
    first = _conversation(store, "first", 1_700_000_000.0)
    second = _conversation(store, "second", 1_700_000_100.0)
    items = export_items(store, [second, 999, first])
    assert [item.conversation.title for item in items] == ["second", "first"]
    assert [[m.text for m in item.messages] for item in items] == [["second?"], ["first?"]]
    assert all(item.bot is not None and item.bot.name == "Helper" for item in items)


def test_export_all_is_every_conversation_oldest_first(store: Store) -> None:
    # The list shows pinned and recent conversations first; an export of everything reads in time order.
    for n in range(12):
        _conversation(store, f"c{n}", 1_700_000_000.0 + n, pinned=n == 7)
    items = export_items(store)
    assert [item.conversation.title for item in items] == [f"c{n}" for n in range(12)]
    assert export_items(store, []) == []


def test_what_is_exported_imports_into_another_history(store: Store, tmp_path: Path) -> None:
    _conversation(store, "moved", 1_700_000_000.0)
    text = to_json(export_items(store))
    with Store.open(tmp_path / "other") as other:
        report = import_items(other, parse_json_export(text))
        assert (len(report.imported), report.messages_imported) == (1, 1)
        assert [item.conversation.title for item in export_items(other)] == ["moved"]


def test_render_knows_each_format_by_name_and_suffix(store: Store) -> None:
    items = export_items(store, [_conversation(store, "标题", 1_700_000_000.0)])
    assert set(FORMAT_BY_SUFFIX.values()) == set(FORMATS)
    assert render(items, "md", lang="en").startswith("# 标题")
    assert render(items, "html").startswith("<!DOCTYPE html>")
    assert parse_json_export(render(items, "json")).items[0].conversation.title == "标题"
    with pytest.raises(ValueError, match="unknown export format"):
        render(items, "pdf")


def test_write_file_replaces_the_file_whole_or_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "export.md"
    path.write_text("old", encoding="utf-8")
    write_file(path, "新的\n")
    assert path.read_text(encoding="utf-8") == "新的\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.md"]
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(OSError):
        write_file(folder, "text")  # a folder cannot be replaced by a file
    assert folder.is_dir() and not (tmp_path / "folder.md.part").exists()
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            with pytest.raises(OSError):
                write_file(locked / "x.md", "text")
        finally:
            locked.chmod(0o700)
