"""Exports of conversations with versions: JSON keeps the whole tree and imports it back,
Markdown and HTML show the version shown, version 1 files still import as a list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import Conversation, Message, Role
from coze_desktop.export import (
    FORMAT_NAME,
    ConversationExport,
    parse_json_export,
    to_html,
    to_json,
    to_markdown,
)
from coze_desktop.store import Store, export_items, import_items


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def with_versions(store: Store) -> int:
    """Q1 A1 Q2 A2 with A1 regenerated (A1b shown) and Q2 kept on A1's branch."""
    conv = store.create_conversation(Conversation(id=None, bot_id="bot", title="versions", uid="c" * 32))
    assert conv.id is not None
    cid = conv.id
    store.add_message(Message(id=None, conversation_id=cid, role=Role.USER, text="Q1 first", type="question"))
    for text in ("A1 original",):
        writer = store.start_reply(cid)
        writer.append(text)
        a1 = writer.finish()
    store.add_message(Message(id=None, conversation_id=cid, role=Role.USER, text="Q2 later", type="question"))
    writer = store.start_reply(cid)
    writer.append("A2 later")
    writer.finish()
    writer = store.start_reply(cid, version_of=a1.id)
    writer.append("A1 regenerated")
    writer.finish()
    return cid


def export_item(store: Store, cid: int) -> ConversationExport:
    (item,) = export_items(store, [cid])  # the window's and the CLI's way: every version
    return item


def test_json_round_trip_keeps_every_version_and_the_one_shown(store: Store, tmp_path: Path) -> None:
    cid = with_versions(store)
    text = to_json([export_item(store, cid)])
    messages = json.loads(text)["conversations"][0]["messages"]
    assert [m["text"] for m in messages] == [
        "Q1 first",
        "A1 original",
        "Q2 later",
        "A2 later",
        "A1 regenerated",
    ]
    by_uid = {m["uid"]: m["text"] for m in messages}
    assert [by_uid.get(m["parent_uid"]) for m in messages] == [
        None,
        "Q1 first",
        "A1 original",
        "Q2 later",
        "Q1 first",
    ]
    assert [m["selected"] for m in messages] == [True, False, True, True, True]

    with Store.open(tmp_path / "other") as other:
        report = import_items(other, parse_json_export(text))
        assert report.messages_imported == 5
        imported = other.get_conversation_by_uid("c" * 32)
        assert imported is not None and imported.id is not None
        shown = other.messages(imported.id)
        assert [m.text for m in shown] == ["Q1 first", "A1 regenerated"]
        assert (shown[1].version, shown[1].version_count) == (2, 2)
        other.select_version(other.versions(shown[1].id)[0])  # type: ignore[arg-type]
        assert [m.text for m in other.messages(imported.id)] == [
            "Q1 first",
            "A1 original",
            "Q2 later",
            "A2 later",
        ]
        # And exported again, it is the same tree.
        again = json.loads(to_json([export_item(other, imported.id)]))["conversations"][0]["messages"]
        assert [(m["uid"], m["parent_uid"]) for m in again] == [(m["uid"], m["parent_uid"]) for m in messages]


def test_markdown_and_html_show_only_the_shown_version(store: Store) -> None:
    item = export_item(store, with_versions(store))
    for rendered in (to_markdown([item], lang="en"), to_html([item], lang="en")):
        assert "A1 regenerated" in rendered
        assert "A1 original" not in rendered and "Q2 later" not in rendered and "A2 later" not in rendered


def test_a_version_1_file_still_imports_as_a_list(store: Store) -> None:
    messages = [
        {"uid": f"m{n}", "role": "user" if n % 2 else "assistant", "text": f"M{n}"} for n in range(1, 5)
    ]
    document = {
        "format": FORMAT_NAME,
        "version": 1,
        "conversations": [{"uid": "old", "bot_id": "bot", "messages": messages}],
    }
    report = import_items(store, parse_json_export(json.dumps(document)))
    assert report.imported == ["old"]
    imported = store.get_conversation_by_uid("old")
    assert imported is not None and imported.id is not None
    assert [m.text for m in store.messages(imported.id)] == ["M1", "M2", "M3", "M4"]
