"""The history database file: schema, pragmas, permissions, migrations, damage, locks, errors."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import Conversation, Message, MessageState, Role, Source
from coze_desktop.store import (
    SCHEMA_VERSION,
    ForeignDatabaseError,
    Store,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
    StoreWriteError,
)
from coze_desktop.store import db as store_db
from coze_desktop.store import search as search_module
from coze_desktop.store.paths import DB_FILENAME


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A typical, permissive umask: what the store creates must be private anyway."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def add_chat(store: Store, text: str = "你好，世界") -> tuple[int, int]:
    conv = store.create_conversation(Conversation(id=None, bot_id="bot", title="t"))
    assert conv.id is not None
    msg = store.add_message(
        Message(id=None, conversation_id=conv.id, role=Role.USER, type="question", text=text)
    )
    assert msg.id is not None
    return conv.id, msg.id


# ----------------------------------------------------------------------------- schema and pragmas


def test_new_store_has_current_schema_and_pragmas(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        conn = store._db.conn
        assert store.path == tmp_path / DB_FILENAME
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA application_id").fetchone()[0] == store_db.APPLICATION_ID
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        for table in (
            "bots", "conversations", "messages", "sources", "follow_ups", "usage", "api_calls",
            "workflows", "workflow_runs", "workflow_run_parts", "run_search_index",
        ):  # fmt: skip
            assert table in names
        for index in ("messages_by_conversation", "messages_by_time", "messages_streaming"):
            assert index in names
        assert "search_index" in names
        assert store.backups == []  # a new file has nothing to back up
        assert store.recovered_from is None and store.recovery_message is None


def test_files_and_folders_are_private(tmp_path: Path, umask_022: None) -> None:
    data_dir = tmp_path / "deep" / "data"
    with Store.open(data_dir) as store:
        add_chat(store)
        assert mode(tmp_path / "deep") == 0o700
        assert mode(data_dir) == 0o700
        for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm"):
            assert mode(data_dir / name) == 0o600, name


def test_existing_wide_file_is_made_private(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    os.chmod(tmp_path / DB_FILENAME, 0o644)
    Store.open(tmp_path).close()
    assert mode(tmp_path / DB_FILENAME) == 0o600


# ------------------------------------------------------------------------------------ migrations


def make_v1_database(path: Path) -> None:
    """A database as version 1 of the app left it, with a conversation, a Q&A and a source."""
    conn = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(conn, path, target=1)
    conn.execute(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at, pinned) "
        "VALUES (1, 'c1', 'bot', 'https://api.coze.cn', '旧的会话', 100, 200, 1)"
    )
    conn.execute(
        "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at) VALUES "
        "(1, 'm1', 1, 'user', 'question', '数据库迁移怎么做？', 'complete', 150), "
        "(2, 'm2', 1, 'assistant', 'answer', '先备份，再迁移。', 'complete', 160)"
    )
    conn.execute(
        "INSERT INTO sources (message_id, rank, slice, title) VALUES (2, 0, '备份是迁移的第一步', '手册')"
    )
    conn.execute("INSERT INTO follow_ups (message_id, rank, text) VALUES (2, 0, '如何回滚？')")
    conn.close()


def test_migrates_v1_database_keeping_data_and_backing_up(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    make_v1_database(path)

    with Store.open(path) as store:
        assert store._db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conv = store.get_conversation(1)
        assert conv is not None and conv.title == "旧的会话" and conv.pinned
        question, answer = store.messages(1)
        assert question.text == "数据库迁移怎么做？"
        assert answer.sources[0].slice == "备份是迁移的第一步" and answer.follow_ups == ["如何回滚？"]
        assert answer.usage is None and answer.duration is None
        # v4 chained the old list into a thread, each message following the one before it:
        assert (question.parent_id, answer.parent_id) == (None, question.id)
        # v3 built the index over the old rows, messages and passages alike:
        assert [h.message_id for h in store.search("数据库迁移")] == [1]
        assert [h.in_source for h in store.search("第一步")] == [True]
        # v2's table works:
        writer = store.start_reply(1)
        writer.append("ok")
        assert writer.finish(duration=2.5).duration == 2.5
        assert store.get_message(writer.message_id).duration == 2.5  # type: ignore[union-attr]

        (backup,) = store.backups
    assert backup.name.startswith(f"{DB_FILENAME}.bak-v1-")
    assert mode(backup) == 0o600
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert copy.execute("SELECT text FROM messages ORDER BY id").fetchall() == [
        ("数据库迁移怎么做？",),
        ("先备份，再迁移。",),
    ]
    copy.close()


def test_failing_migration_step_leaves_previous_version(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    make_v1_database(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("UPDATE messages SET text = 'garbled'")
        raise sqlite3.OperationalError("simulated failure in the middle of a migration")

    conn = sqlite3.connect(path, isolation_level=None)
    migrations = (store_db.migrate_v1_baseline, store_db.migrate_v2_usage, broken)
    with pytest.raises(StoreError, match="simulated failure"):
        store_db.migrate(conn, path, migrations=migrations)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # v2 committed, v3 rolled back
    assert not conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'half_done'").fetchone()
    assert conn.execute("SELECT text FROM messages WHERE id = 1").fetchone()[0] == "数据库迁移怎么做？"
    conn.close()
    assert list(tmp_path.glob(f"{DB_FILENAME}.bak-v1-*"))  # backed up before the first step

    with Store.open(path) as store:  # the real migrations finish the job later
        assert store.messages(1)[0].text == "数据库迁移怎么做？"


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE from_the_future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = sha256(path)
    listing = sorted(os.listdir(tmp_path))

    with pytest.raises(StoreVersionError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message and f"up to {SCHEMA_VERSION}" in message
    assert caught.value.path == path
    assert sha256(path) == before
    assert sorted(os.listdir(tmp_path)) == listing  # no -wal, -shm, backup or corrupt copy


def test_newer_schema_in_write_ahead_log_is_refused_untouched(tmp_path: Path) -> None:
    """A newer app still running has its header change in the -wal only: SQLite must tell."""
    path = tmp_path / DB_FILENAME
    Store.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = sha256(path)
    try:
        with pytest.raises(StoreVersionError, match=f"schema version {SCHEMA_VERSION + 5}"):
            Store.open(path)
        assert sha256(path) == before
    finally:
        other.close()


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = sha256(path)
    with pytest.raises(ForeignDatabaseError, match="other program"):
        Store.open(path)
    assert sha256(path) == before


# ----------------------------------------------------------------------------------- damaged files


def corrupt_copies(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob(f"{DB_FILENAME}.corrupt-*"))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(8192), id="random-bytes"),
        pytest.param("这不是数据库 / not a database\n".encode() * 50, id="text-file"),
        pytest.param(b"SQLite format 3\x00" + b"\x00" * 20, id="header-only"),
    ],
)
def test_non_database_file_is_moved_aside(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(content)
    with Store.open(tmp_path) as store:
        (moved,) = corrupt_copies(tmp_path)
        assert store.recovered_from == moved
        assert moved.read_bytes() == content  # kept byte for byte, never deleted
        assert store.recovery_message is not None and str(moved) in store.recovery_message
        add_chat(store)  # the fresh store works
        assert store.list_conversations()[0].message_count == 1


def test_truncated_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with Store.open(path) as store:
        for i in range(200):
            add_chat(store, f"第 {i} 条消息 " * 50)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == data[: len(data) // 2]
        assert store.count_conversations() == 0


def test_page_damaged_inside_database_is_found_by_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with Store.open(path) as store:
        for i in range(100):
            add_chat(store, f"消息 {i} " * 100)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[3 * page_size : 3 * page_size + 300] = b"\xff" * 300  # garble a b-tree page, keep the header
    path.write_bytes(bytes(data))
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == bytes(data)
        assert store.count_conversations() == 0


def test_side_files_move_with_the_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"garbage" * 100)
    (tmp_path / (DB_FILENAME + "-wal")).write_bytes(b"old log")
    with Store.open(path) as store:
        moved = store.recovered_from
        assert moved is not None
        assert moved.with_name(moved.name + "-wal").read_bytes() == b"old log"
        add_chat(store)  # the new database did not pick up the foreign log


def test_two_recoveries_in_the_same_second_keep_both_files(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    for content in (b"first" * 50, b"second" * 50):
        path.write_bytes(content)
        Store.open(path).close()
    contents = {p.read_bytes() for p in corrupt_copies(tmp_path)}
    assert contents == {b"first" * 50, b"second" * 50}


def test_read_only_open_of_damaged_file_raises_without_moving(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"not sqlite" * 100)
    with pytest.raises(StoreCorruptError, match="damaged"):
        Store.open(path, read_only=True)
    assert path.read_bytes() == b"not sqlite" * 100
    assert corrupt_copies(tmp_path) == []


# ----------------------------------------------------------------------------------------- locks


def test_write_lock_held_by_another_connection(tmp_path: Path) -> None:
    with Store.open(tmp_path, busy_timeout=0.3) as store:
        conv_id, _ = add_chat(store)
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        question = Message(id=None, conversation_id=conv_id, role=Role.USER, text="等一下")
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as caught:
            store.add_message(question)
        assert time.monotonic() - started < 10  # bounded by the busy timeout, not forever
        assert str(store.path) in str(caught.value) and "locked" in str(caught.value)
        assert question.id is None and question.uid == ""  # the caller's object is untouched
        assert store.count_messages(conv_id) == 1  # reading still works (WAL)
        other.execute("ROLLBACK")
        other.close()
        store.add_message(question)
        assert store.count_messages(conv_id) == 2


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("UPDATE api_calls SET count = count WHERE 0")
conn.execute("COMMIT")  # exclusive locking mode keeps the lock after the commit
print("locked", flush=True)
time.sleep(60)
"""


def test_store_locked_by_another_process_is_reported_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with Store.open(path) as store:
        add_chat(store)
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLockedError, match="another program"):
            Store.open(path, busy_timeout=0.3)
    finally:
        locker.kill()
        locker.wait()
    assert corrupt_copies(tmp_path) == []  # a lock is not damage: nothing was moved aside
    with Store.open(path) as store:
        assert store.list_conversations()[0].message_count == 1


# --------------------------------------------------------------------------- read-only and full disk


def test_read_only_store_reads_but_refuses_writes(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        conv_id, _ = add_chat(store, "只读测试")
    before = sha256(tmp_path / DB_FILENAME)
    with Store.open(tmp_path, read_only=True) as store, pytest.MonkeyPatch.context() as patch:
        assert store.read_only and store.messages(conv_id)[0].text == "只读测试"
        patch.setattr(search_module, "SCAN_PROBE", 0)  # make short words go through the index too
        assert [h.message_id for h in store.search("只读")] == [
            h.message_id for h in store.search("只读测试")
        ]
        assert len(store.search("只读")) == 1
        question = Message(id=None, conversation_id=conv_id, role=Role.USER, text="写不进去")
        with pytest.raises(StoreWriteError, match="read-only") as caught:
            store.add_message(question)
        assert str(store.path) in str(caught.value)
        assert question.id is None
        with pytest.raises(StoreWriteError):
            store.record_api_call("https://api.coze.cn", "token")
    assert sha256(tmp_path / DB_FILENAME) == before


def test_read_only_open_of_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="No history database"):
        Store.open(tmp_path / "nothing.sqlite3", read_only=True)
    assert not (tmp_path / "nothing.sqlite3").exists()


def test_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreWriteError) as caught:
        Store.open(blocker / "data")
    assert str(blocker / "data") in str(caught.value)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores file permissions, so chmod cannot make a folder read-only for it; "
    "test_read_only_store_reads_but_refuses_writes covers the error mapping via mode=ro",
)
def test_read_only_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        conv_id, _ = add_chat(store)
    os.chmod(data / DB_FILENAME, 0o400)
    os.chmod(data, 0o500)
    try:
        with pytest.raises(StoreWriteError):
            with Store.open(data) as store:
                store.add_message(Message(id=None, conversation_id=conv_id, role=Role.USER, text="x"))
    finally:
        os.chmod(data, 0o700)
        os.chmod(data / DB_FILENAME, 0o600)


def fill_disk(store: Store) -> None:
    """Let the file grow by two pages at most: SQLite then fails with SQLITE_FULL, as on a full disk."""
    conn = store._db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")


def free_disk(store: Store) -> None:
    store._db.conn.execute("PRAGMA max_page_count = 1073741823")


def table_counts(store: Store) -> dict[str, int]:
    conn = store._db.conn
    return {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
        for t in ("messages", "sources", "usage")
    }


def test_full_disk_writes_nothing_and_leaves_caller_objects_alone(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        conv_id, _ = add_chat(store)
        conv_before = store.get_conversation(conv_id)
        counts = table_counts(store)
        fill_disk(store)
        answer = Message(
            id=None,
            conversation_id=conv_id,
            role=Role.ASSISTANT,
            text="很长的回答。" * 5000,
            sources=[Source(slice="资料" * 2000, title=f"doc {i}") for i in range(5)],
        )
        with pytest.raises(StoreWriteError, match="full") as caught:
            store.add_message(answer)
        assert str(store.path) in str(caught.value)
        assert answer.id is None and answer.uid == "" and answer.created_at == 0.0
        assert table_counts(store) == counts
        assert store.get_conversation(conv_id) == conv_before
        assert store.check_integrity() == []
        store._db.conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")
        free_disk(store)
        assert store.add_message(answer).id is not None


def test_full_disk_while_streaming_keeps_text_in_memory(tmp_path: Path) -> None:
    now = [0.0]
    with Store.open(tmp_path) as store:
        conv_id, _ = add_chat(store)
        writer = store.start_reply(conv_id, clock=lambda: now[0])
        writer.append("第一段。")
        now[0] = 1.0
        writer.append("第二段。")  # checkpoint
        fill_disk(store)
        now[0] = 2.0
        with pytest.raises(StoreWriteError):
            writer.append("第三段。" * 20000)
        assert store.get_message(writer.message_id).text == "第一段。第二段。"  # type: ignore[union-attr]
        with pytest.raises(StoreWriteError):
            writer.finish()
        free_disk(store)
        final = writer.finish()
        assert final.text == "第一段。第二段。" + "第三段。" * 20000
        saved = store.get_message(writer.message_id)
        assert saved is not None and saved.text == final.text and saved.state is MessageState.COMPLETE


# ---------------------------------------------------------------------------------- error mapping


def sqlite_error(code: int, text: str) -> sqlite3.Error:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize(
    ("code", "text", "expected", "words"),
    [
        (5, "database is locked", StoreLockedError, "locked"),
        (6, "database table is locked", StoreLockedError, "locked"),
        (13, "database or disk is full", StoreWriteError, "full"),
        (8, "attempt to write a readonly database", StoreWriteError, "read-only"),
        (8 | (1 << 8), "attempt to write a readonly database", StoreWriteError, "read-only"),
        (10, "disk I/O error", StoreWriteError, "I/O"),
        (14, "unable to open database file", StoreWriteError, "Cannot open"),
        (11, "database disk image is malformed", StoreCorruptError, "damaged"),
        (26, "file is not a database", StoreCorruptError, "damaged"),
        (1, "no such table: x", StoreError, "no such table"),
    ],
)
def test_sqlite_errors_become_readable_store_errors(
    code: int, text: str, expected: type[StoreError], words: str
) -> None:
    path = Path("/somewhere/history.sqlite3")
    error = store_db.translate_error(sqlite_error(code, text), path, busy_timeout=3)
    assert type(error) is expected
    assert words in str(error) and str(path) in str(error) and error.path == path
