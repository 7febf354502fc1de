"""``_attach_versions`` (siblings fetched once, counted in Python) against the per-message SQL it
replaced, on random version trees built through the store (versions, first messages with several
versions, messages in the trash, restored, deleted for good, two conversations)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coze_desktop.domain import Conversation, Message, Role
from coze_desktop.store import Store
from coze_desktop.store.chats import _MESSAGE_COLUMNS, _attach_versions, _message_from_row
from coze_desktop.store.paths import DB_FILENAME

# The query _attach_versions ran before (two correlated subqueries per message): the oracle.
_SIBLINGS = (
    "FROM messages s WHERE s.conversation_id = m.conversation_id AND s.parent_id IS m.parent_id "
    "AND (s.deleted_at IS NULL OR s.id = m.id)"
)
_ORACLE = (
    f"SELECT m.id, m.selected, m.shown, (SELECT count(*) {_SIBLINGS} AND s.id <= m.id), "  # noqa: S608
    f"(SELECT count(*) {_SIBLINGS}) FROM messages m "
    "WHERE m.id IN (SELECT value FROM json_each(?))"
)

Version = tuple[int, bool, bool, int, int]  # id, selected, shown, version, version_count


def oracle(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Version]:
    rows = conn.execute(_ORACLE, (json.dumps(ids),))
    return {row[0]: (row[0], bool(row[1]), bool(row[2]), int(row[3]), int(row[4])) for row in rows}


def attached(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Version]:
    sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))"  # noqa: S608
    messages = [_message_from_row(row) for row in conn.execute(sql, (json.dumps(ids),))]
    _attach_versions(conn, messages)
    return {
        m.id: (m.id, m.selected, m.shown, m.version, m.version_count) for m in messages if m.id is not None
    }


operation = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1)),
    st.tuples(st.just("version"), st.integers(0, 10_000)),
    st.tuples(st.just("trash"), st.integers(0, 10_000)),
    st.tuples(st.just("restore"), st.integers(0, 10_000)),
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
)


def build(store: Store, operations: list[tuple[str, int]]) -> list[int]:
    conversations = []
    for title in ("一", "two"):
        conv = store.create_conversation(Conversation(id=None, bot_id="bot", title=title))
        assert conv.id is not None
        conversations.append(conv.id)
    ids: list[int] = []
    owner: dict[int, int] = {}
    for n, (kind, pick) in enumerate(operations):
        if kind == "add" or not ids:
            cid = conversations[pick % 2]
            saved = store.add_message(
                Message(id=None, conversation_id=cid, role=Role.USER, type="question", text=f"m{n}")
            )
        else:
            target = ids[pick % len(ids)]
            if kind == "version":
                cid = owner[target]
                saved = store.add_message(
                    Message(id=None, conversation_id=cid, role=Role.USER, type="question", text=f"v{n}"),
                    version_of=target,
                )
            else:
                if kind == "trash":
                    store.trash_message(target)
                elif kind == "restore":
                    store.restore_message(target)
                else:
                    store.delete_message_forever(target)
                    ids.remove(target)
                continue
        assert saved.id is not None
        ids.append(saved.id)
        assert saved.conversation_id is not None
        owner[saved.id] = saved.conversation_id
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    operations=st.lists(operation, min_size=1, max_size=30),
    subset=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_attach_versions_matches_the_per_message_sql(
    operations: list[tuple[str, int]], subset: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "data") as store:
            ids = build(store, operations)
        conn = sqlite3.connect(Path(tmp) / "data" / DB_FILENAME)
        try:
            expected = oracle(conn, ids)
            assert attached(conn, ids) == expected  # every message, in the trash or not
            assert len(expected) == len(ids)
            some = sorted({ids[k % len(ids)] for k in subset}) if ids else []
            assert attached(conn, some) == oracle(conn, some)  # a page: the siblings still all count
            shown = [row[0] for row in conn.execute("SELECT id FROM messages WHERE shown = 1")]
            assert attached(conn, shown) == oracle(conn, shown)
        finally:
            conn.close()


def test_attach_versions_counts_first_messages_per_conversation_and_skips_the_trash(tmp_path: Path) -> None:
    """A table case: two versions of a first message, a third in the trash, another conversation's
    first message not counted among them."""
    with Store.open(tmp_path / "data") as store:
        ids = build(store, [("add", 0), ("add", 1), ("version", 0), ("version", 0), ("trash", 3)])
    first, other, second, third = ids
    conn = sqlite3.connect(tmp_path / "data" / DB_FILENAME)
    try:
        got = attached(conn, ids)
        assert got == oracle(conn, ids)
        assert (got[first][3:], got[second][3:], got[third][3:]) == ((1, 2), (2, 2), (3, 3))
        assert got[other][3:] == (1, 1)
    finally:
        conn.close()
