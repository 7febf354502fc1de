"""Versions of messages: the conversation as a tree, the shown path, regenerate and edit in place."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import Conversation, Message, MessageState, Role
from coze_desktop.store import NotFoundError, Store
from coze_desktop.store import db as store_db
from coze_desktop.store.chats import _refresh_path
from coze_desktop.store.paths import DB_FILENAME


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def ask(store: Store, cid: int, text: str) -> Message:
    return store.add_message(
        Message(id=None, conversation_id=cid, role=Role.USER, type="question", text=text)
    )


def answer(store: Store, cid: int, text: str, *, version_of: int | None = None) -> Message:
    writer = store.start_reply(cid, version_of=version_of)
    writer.append(text)
    return writer.finish()


def texts(store: Store, cid: int) -> list[str]:
    return [m.text for m in store.messages(cid)]


@pytest.fixture
def thread(store: Store) -> tuple[int, list[Message]]:
    """Q1 A1 Q2 A2 Q3 A3, with a Coze conversation id."""
    conv = store.create_conversation(Conversation(id=None, bot_id="bot", coze_conversation_id="coze-1"))
    assert conv.id is not None
    saved = []
    for n in (1, 2, 3):
        saved.append(ask(store, conv.id, f"Q{n}"))
        saved.append(answer(store, conv.id, f"A{n}"))
    return conv.id, saved


def test_regenerating_an_older_answer_lands_after_its_question(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, _a1, q2, a2, _q3, _a3) = thread
    new = answer(store, cid, "A2 again", version_of=a2.id)
    assert new.parent_id == q2.id and (new.version, new.version_count) == (2, 2)
    # The new version replaces the old in place; the later messages stay on the old branch.
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2 again"]
    shown = store.messages(cid)
    assert (shown[-1].version, shown[-1].version_count) == (2, 2)
    assert (shown[1].version, shown[1].version_count) == (1, 1)
    # Coze's conversation no longer holds what is shown: the next question starts a new one.
    assert store.get_conversation(cid).coze_conversation_id is None  # type: ignore[union-attr]
    assert store.versions(a2.id) == [a2.id, new.id]  # type: ignore[arg-type]

    # Switching back shows version 1 with the messages that followed it.
    assert store.select_version(a2.id) == cid  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]
    assert [(m.version, m.version_count) for m in store.messages(cid)][3] == (1, 2)
    store.select_version(new.id)  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2 again"]
    assert store.count_messages(cid) == 4


def test_next_question_after_a_new_version_continues_its_branch(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, _a1, _q2, a2, _q3, _a3) = thread
    new = answer(store, cid, "A2 again", version_of=a2.id)
    q4 = ask(store, cid, "Q4")
    assert q4.parent_id == new.id
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2 again", "Q4"]
    store.select_version(a2.id)  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]


def test_edited_question_is_a_new_version_with_its_own_answer(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (q1, a1, q2, _a2, _q3, _a3) = thread
    edited = store.add_message(
        Message(id=None, conversation_id=cid, role=Role.USER, type="question", text="Q2 edited"),
        version_of=q2.id,
    )
    assert edited.parent_id == a1.id and (edited.version, edited.version_count) == (2, 2)
    answer(store, cid, "A2'")
    assert texts(store, cid) == ["Q1", "A1", "Q2 edited", "A2'"]
    store.select_version(q2.id)  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]

    # Even the first question can be edited: versions of a first message have no parent.
    first = store.add_message(
        Message(id=None, conversation_id=cid, role=Role.USER, type="question", text="Q1 edited"),
        version_of=q1.id,
    )
    assert first.parent_id is None and texts(store, cid) == ["Q1 edited"]
    assert store.versions(q1.id) == [q1.id, first.id]  # type: ignore[arg-type]


def test_selecting_the_shown_version_keeps_the_coze_conversation(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, a1, *_rest) = thread
    store.select_version(a1.id)  # type: ignore[arg-type]
    assert store.get_conversation(cid).coze_conversation_id == "coze-1"  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        store.select_version(999_999)
    with pytest.raises(NotFoundError):
        store.versions(999_999)


def test_path_goes_through_a_trashed_message(store: Store, thread: tuple[int, list[Message]]) -> None:
    cid, (_q1, _a1, q2, _a2, _q3, _a3) = thread
    conn = store._db.conn
    # The trash marks a message deleted; the path goes on through its selected child.
    conn.execute("UPDATE messages SET deleted_at = 1 WHERE id = ?", (q2.id,))
    _refresh_path(conn, cid)
    assert texts(store, cid) == ["Q1", "A1", "A2", "Q3", "A3"]
    # A trashed version is not counted among the versions of its siblings.
    new = answer(store, cid, "A3 again", version_of=_a3.id)
    conn.execute("UPDATE messages SET deleted_at = 1 WHERE id = ?", (_a3.id,))
    _refresh_path(conn, cid)
    assert texts(store, cid)[-1] == "A3 again"
    assert (store.messages(cid)[-1].version, store.messages(cid)[-1].version_count) == (1, 1)
    assert store.versions(new.id) == [new.id]  # type: ignore[arg-type]


def test_deleting_a_message_keeps_the_rest_connected(store: Store, thread: tuple[int, list[Message]]) -> None:
    cid, (_q1, _a1, q2, a2, _q3, _a3) = thread
    store.delete_message(a2.id)  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2", "Q3", "A3"]
    store.delete_message(q2.id)  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q3", "A3"]


def test_all_messages_holds_every_version_with_parent_uids(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (q1, _a1, q2, a2, _q3, _a3) = thread
    new = answer(store, cid, "A2 again", version_of=a2.id)
    every = store.all_messages(cid)
    assert [m.text for m in every] == ["Q1", "A1", "Q2", "A2", "Q3", "A3", "A2 again"]
    assert [m.shown for m in every] == [True, True, True, False, False, False, True]
    assert [m.selected for m in every] == [True, True, True, False, True, True, True]
    assert every[0].parent_uid == "" and every[1].parent_uid == q1.uid
    assert every[-1].parent_uid == q2.uid and new.uid == every[-1].uid


def test_import_restores_the_tree_and_a_plain_list_stays_a_list(store: Store) -> None:
    conv = Conversation(id=None, bot_id="bot", uid="c" * 32)

    def msg(uid: str, role: Role, text: str, parent: str | None, selected: bool = True) -> Message:
        return Message(
            id=None, conversation_id=None, role=role, text=text, uid=uid, parent_uid=parent, selected=selected
        )

    tree = [
        msg("q1", Role.USER, "Q1", ""),
        msg("a1", Role.ASSISTANT, "A1", "q1", selected=False),
        msg("q2", Role.USER, "Q2", "a1"),
        msg("a1b", Role.ASSISTANT, "A1b", "q1"),
    ]
    assert store.import_conversation(conv, tree)
    cid = store.get_conversation_by_uid("c" * 32).id  # type: ignore[union-attr]
    assert texts(store, cid) == ["Q1", "A1b"]
    store.select_version(store.versions(store.messages(cid)[1].id)[0])  # type: ignore[arg-type]
    assert texts(store, cid) == ["Q1", "A1", "Q2"]

    listed = [msg(f"l{n}", Role.USER if n % 2 else Role.ASSISTANT, f"M{n}", None) for n in range(1, 5)]
    assert store.import_conversation(Conversation(id=None, bot_id="bot", uid="d" * 32), listed)
    cid2 = store.get_conversation_by_uid("d" * 32).id  # type: ignore[union-attr]
    assert texts(store, cid2) == ["M1", "M2", "M3", "M4"]
    assert all(m.version_count == 1 for m in store.messages(cid2))


def test_a_linear_v3_conversation_still_shows_everything(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(conn, path, target=3)
    conn.execute(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at, pinned) "
        "VALUES (1, 'c1', 'bot', 'https://api.coze.cn', 't', 1, 2, 0)"
    )
    rows = [(n, f"m{n}", "user" if n % 2 else "assistant", f"M{n}") for n in range(1, 6)]
    # The old Retry added a second answer after the first: it stays, as the list it was.
    conn.executemany(
        "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at) "
        "VALUES (?, ?, 1, ?, 'answer', ?, 'complete', 10)",
        [*rows, (6, "m6", "assistant", "M6")],
    )
    conn.close()
    with Store.open(path) as store:
        shown = store.messages(1)
        assert [m.text for m in shown] == ["M1", "M2", "M3", "M4", "M5", "M6"]
        assert all((m.version, m.version_count) == (1, 1) for m in shown)
        # Regenerating the last answer of the old list puts the new one in its place.
        writer = store.start_reply(1, version_of=6)
        writer.append("M6 again")
        writer.finish(MessageState.COMPLETE)
        assert [m.text for m in store.messages(1)] == ["M1", "M2", "M3", "M4", "M5", "M6 again"]


def test_selecting_a_message_on_a_hidden_branch_shows_the_way_to_it(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, _a1, _q2, a2, _q3, a3) = thread
    answer(store, cid, "A2 again", version_of=a2.id)
    assert a3.text not in texts(store, cid)
    store.select_version(a3.id)  # type: ignore[arg-type]  # e.g. a search hit in the old branch
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]


def test_trashing_the_shown_version_shows_another_and_restoring_brings_it_back(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, _a1, _q2, a2, _q3, _a3) = thread
    new = answer(store, cid, "A2 again", version_of=a2.id)
    assert new.id is not None and texts(store, cid) == ["Q1", "A1", "Q2", "A2 again"]
    store.trash_message(new.id)
    # The version left takes its place, with the messages that followed it.
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]
    assert [(m.version, m.version_count) for m in store.messages(cid)][3] == (1, 1)
    store.restore_message(new.id)  # Undo: the version that was shown is shown again
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2 again"]


def test_trashing_a_message_without_versions_passes_over_it(
    store: Store, thread: tuple[int, list[Message]]
) -> None:
    cid, (_q1, _a1, q2, _a2, _q3, _a3) = thread
    assert q2.id is not None
    store.trash_message(q2.id)
    assert texts(store, cid) == ["Q1", "A1", "A2", "Q3", "A3"]
    store.restore_message(q2.id)
    assert texts(store, cid) == ["Q1", "A1", "Q2", "A2", "Q3", "A3"]
