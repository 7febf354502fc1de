"""The SQLite file under the history store: opening, pragmas, schema, migrations, backups.

Opening is careful with the user's data:

* the folder is created 0700 and the database files 0600;
* a file that is not SQLite, is truncated or fails the integrity check is moved aside to
  ``<name>.corrupt-<YYYYmmdd-HHMMSS>`` (never deleted) and a fresh store is started;
* a file written by a newer version is refused and left byte-for-byte untouched;
* before a migration the file is copied with the SQLite backup API to
  ``<name>.bak-v<old>-<YYYYmmdd-HHMMSS>``, and every migration step runs in one transaction;
* SQLite errors become :class:`StoreError` subclasses with a message a user can act on.

Nothing here knows about Qt or the Coze API.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from coze_desktop.store.paths import ensure_private_dir

logger = logging.getLogger(__name__)


class _Locking(Protocol):
    _lock: threading.RLock


_P = ParamSpec("_P")
_R = TypeVar("_R")
_L = TypeVar("_L", bound=_Locking)


def locked(method: Callable[Concatenate[_L, _P], _R]) -> Callable[Concatenate[_L, _P], _R]:
    """Serialise a repository method with its object's ``_lock`` (one thread at a time): the
    one decorator of :class:`~coze_desktop.store.Store` and its run methods."""

    @functools.wraps(method)
    def wrapper(self: _L, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


PRIVATE_FILE_MODE = 0o600
DEFAULT_BUSY_TIMEOUT = 3.0  # seconds another program may hold the write lock before we give up
# PRAGMA quick_check reads the whole file (about 1 GB/s here): files up to this size get it at
# every open (≤ ~40 ms); larger ones get the cheap structural check, see _integrity_problem.
QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024
APPLICATION_ID = 0x437A4B44  # "CzKD": marks a file as a Coze Desktop history database
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILE_SUFFIXES = ("-wal", "-shm")

# Full-text documents: a message's text is document ``id << DOC_SHIFT``; the knowledge-base
# passage of rank r attached to it is document ``(id << DOC_SHIFT) + r + 1``. So a document id
# maps back to its message with a shift, and documents sort by message like messages do.
# Migration 3 writes the 10 literally (a migration must never change): changing it needs a new one.
DOC_SHIFT = 10
MAX_SOURCES_PER_MESSAGE = (1 << DOC_SHIFT) - 1
# Migration 5: the attachment at position p is document ``(id << DOC_SHIFT) + TOP_SLOT - p``, so
# a message's sources and attachments together fit in MAX_SOURCES_PER_MESSAGE slots.
TOP_SLOT = (1 << DOC_SHIFT) - 1

# Primary SQLite result codes (https://www.sqlite.org/rescode.html).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_CORRUPTION_CODES = frozenset({_SQLITE_CORRUPT, _SQLITE_NOTADB})


class StoreError(Exception):
    """Something went wrong with the history database; ``str(error)`` is fit to show a user."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class StoreVersionError(StoreError):
    """The file was written by a newer Coze Desktop (or needs an upgrade it cannot get)."""


class StoreLockedError(StoreError):
    """Another program holds the database lock and did not let go within the busy timeout."""


class StoreWriteError(StoreError):
    """The data could not be written: read-only file or folder, full disk, I/O error."""


class StoreCorruptError(StoreError):
    """The database is damaged (found while the store was already open, or read-only)."""


class ForeignDatabaseError(StoreError):
    """The file is a valid SQLite database that belongs to some other program."""


Migration = Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        conn.execute(statement)


_V1_BASELINE = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    """CREATE TABLE bots (
        bot_id TEXT NOT NULL,
        base_url TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        icon_url TEXT NOT NULL DEFAULT '',
        prologue TEXT NOT NULL DEFAULT '',
        suggested_questions TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (bot_id, base_url)
    )""",
    """CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        coze_conversation_id TEXT,
        bot_id TEXT NOT NULL,
        base_url TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1))
    )""",
    "CREATE INDEX conversations_by_recency ON conversations (pinned, updated_at)",
    "CREATE INDEX conversations_by_bot ON conversations (bot_id, pinned, updated_at)",
    "CREATE INDEX conversations_by_coze_id ON conversations (coze_conversation_id)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        coze_message_id TEXT,
        coze_chat_id TEXT,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        type TEXT NOT NULL DEFAULT 'answer',
        text TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        content_type TEXT NOT NULL DEFAULT 'text',
        state TEXT NOT NULL
            CHECK (state IN ('complete', 'streaming', 'stopped', 'interrupted', 'failed')),
        error_code INTEGER,
        error_text TEXT,
        error_logid TEXT,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX messages_by_conversation ON messages (conversation_id)",
    "CREATE INDEX messages_by_time ON messages (created_at)",
    "CREATE INDEX messages_streaming ON messages (state) WHERE state = 'streaming'",
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        slice TEXT NOT NULL DEFAULT '',
        score REAL,
        document TEXT NOT NULL DEFAULT '',
        dataset TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        UNIQUE (message_id, rank)
    )""",
    """CREATE TABLE follow_ups (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (message_id, rank)
    ) WITHOUT ROWID""",
    """CREATE TABLE api_calls (
        base_url TEXT NOT NULL,
        account TEXT NOT NULL,
        month TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (base_url, account, month)
    ) WITHOUT ROWID""",
)

_V2_USAGE = (
    """CREATE TABLE usage (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        input_tokens INTEGER,
        output_tokens INTEGER,
        total_tokens INTEGER,
        duration_seconds REAL
    )""",
)

_V3_SEARCH = (
    # Documents are the message texts and the source passages, each followed by two U+001F: so
    # every character of the text starts a trigram and 1-2 character words can be looked up by
    # trigram prefix (search.py). The view lets FTS5 'rebuild' and 'integrity-check' work.
    """CREATE VIEW search_docs (doc_id, body) AS
        SELECT id << 10, text || char(31, 31) FROM messages
        UNION ALL
        SELECT (message_id << 10) + rank + 1, slice || char(31, 31) FROM sources""",
    """CREATE VIRTUAL TABLE search_index USING fts5 (
        body, content = 'search_docs', content_rowid = 'doc_id', tokenize = 'trigram'
    )""",
    """CREATE TRIGGER messages_index_insert AFTER INSERT ON messages BEGIN
        INSERT INTO search_index (rowid, body) VALUES (new.id << 10, new.text || char(31, 31));
    END""",
    """CREATE TRIGGER messages_index_delete AFTER DELETE ON messages BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', old.id << 10, old.text || char(31, 31));
    END""",
    """CREATE TRIGGER messages_index_update AFTER UPDATE OF text ON messages
        WHEN old.text IS NOT new.text BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', old.id << 10, old.text || char(31, 31));
        INSERT INTO search_index (rowid, body) VALUES (new.id << 10, new.text || char(31, 31));
    END""",
    """CREATE TRIGGER sources_index_insert AFTER INSERT ON sources BEGIN
        INSERT INTO search_index (rowid, body)
            VALUES ((new.message_id << 10) + new.rank + 1, new.slice || char(31, 31));
    END""",
    """CREATE TRIGGER sources_index_delete AFTER DELETE ON sources BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', (old.message_id << 10) + old.rank + 1, old.slice || char(31, 31));
    END""",
    """CREATE TRIGGER sources_index_update AFTER UPDATE OF message_id, rank, slice ON sources BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', (old.message_id << 10) + old.rank + 1, old.slice || char(31, 31));
        INSERT INTO search_index (rowid, body)
            VALUES ((new.message_id << 10) + new.rank + 1, new.slice || char(31, 31));
    END""",
    "INSERT INTO search_index (search_index) VALUES ('rebuild')",
)


_V4_TRASH_VERSIONS_DRAFTS = (
    # The trash: a deleted conversation or message keeps its rows with the time it was deleted,
    # so it can be restored for TRASH_DAYS days (chats.py purges older ones).
    "ALTER TABLE conversations ADD COLUMN deleted_at REAL",
    "ALTER TABLE messages ADD COLUMN deleted_at REAL",
    # The unsent text of the composer, kept with its conversation across restarts.
    "ALTER TABLE conversations ADD COLUMN draft TEXT NOT NULL DEFAULT ''",
    # Versions: messages form a tree. parent_id is the message this one follows (NULL for the
    # first); siblings are versions of one place in the conversation (a regenerated answer, an
    # edited question). ``selected`` marks the sibling chosen; ``shown`` marks the messages on the
    # path the conversation shows (the selected child at each step) that are not in the trash.
    # Along that path ids grow, so ``ORDER BY id`` over shown messages is the conversation's order.
    "ALTER TABLE messages ADD COLUMN parent_id INTEGER",
    "ALTER TABLE messages ADD COLUMN selected INTEGER NOT NULL DEFAULT 1 CHECK (selected IN (0, 1))",
    "ALTER TABLE messages ADD COLUMN shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1))",
    # Until now a conversation was a list: each message follows the one saved before it.
    """UPDATE messages SET parent_id = (
        SELECT max(p.id) FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
    )""",
    "CREATE INDEX messages_by_parent ON messages (parent_id)",
    "CREATE INDEX messages_shown ON messages (conversation_id, shown, id)",
    "CREATE INDEX conversations_deleted ON conversations (deleted_at) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX messages_deleted ON messages (deleted_at) WHERE deleted_at IS NOT NULL",
)


_V5_ATTACHMENTS = (
    # The local copies of attached files: one row per distinct content, named by its SHA-256 (the
    # copy is <data folder>/files/<sha256[:2]>/<sha256>, see files.py). created_at is when the
    # content was last kept, so a copy kept for a message not yet saved survives the sweep at
    # opening for a day.
    """CREATE TABLE files (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'file',
        mime TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    ) WITHOUT ROWID""",
    # A message's attachments in the order they were attached. sha256 names the local copy;
    # '' when none was ever kept (an import without the files). No foreign key to files: a copy
    # may be missing (an import) and an attachment outlives nothing but its message.
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 1022),
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT 'file',
        mime TEXT NOT NULL DEFAULT '',
        file_id TEXT NOT NULL DEFAULT '',
        UNIQUE (message_id, position)
    )""",
    "CREATE INDEX attachments_by_file ON attachments (sha256) WHERE sha256 != ''",
    # Attachment names are searchable: the name of the attachment at position p is document
    # (message_id << 10) + 1023 - p, counting down from the top of the message's slots while its
    # source passages count up from 1 (Store refuses a message whose sources and attachments
    # together would meet). 10 and 1023 are written literally, as in migration 3.
    "DROP VIEW search_docs",
    """CREATE VIEW search_docs (doc_id, body) AS
        SELECT id << 10, text || char(31, 31) FROM messages
        UNION ALL
        SELECT (message_id << 10) + rank + 1, slice || char(31, 31) FROM sources
        UNION ALL
        SELECT (message_id << 10) + 1023 - position, name || char(31, 31) FROM attachments""",
    """CREATE TRIGGER attachments_index_insert AFTER INSERT ON attachments BEGIN
        INSERT INTO search_index (rowid, body)
            VALUES ((new.message_id << 10) + 1023 - new.position, new.name || char(31, 31));
    END""",
    """CREATE TRIGGER attachments_index_delete AFTER DELETE ON attachments BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', (old.message_id << 10) + 1023 - old.position, old.name || char(31, 31));
    END""",
    """CREATE TRIGGER attachments_index_update AFTER UPDATE OF message_id, position, name ON attachments BEGIN
        INSERT INTO search_index (search_index, rowid, body)
            VALUES ('delete', (old.message_id << 10) + 1023 - old.position, old.name || char(31, 31));
        INSERT INTO search_index (rowid, body)
            VALUES ((new.message_id << 10) + 1023 - new.position, new.name || char(31, 31));
    END""",
)


# Full-text documents of workflow runs, in their own index (run_search_index): a run's parameters
# and output are document ``run_id << RUN_DOC_SHIFT``; its part at position p is
# ``(run_id << RUN_DOC_SHIFT) + p + 1``. Migration 6 writes the 16 literally.
RUN_DOC_SHIFT = 16
MAX_RUN_PARTS = (1 << RUN_DOC_SHIFT) - 1

_V6_WORKFLOWS = (
    # The steps an answer took (function calls, tool responses and outputs): JSON text, '' for none.
    "ALTER TABLE messages ADD COLUMN steps TEXT NOT NULL DEFAULT ''",
    # A chat-flow's conversation names its chat-flow and app (bot_id stays '' when none).
    "ALTER TABLE conversations ADD COLUMN workflow_id TEXT",
    "ALTER TABLE conversations ADD COLUMN app_id TEXT",
    # Saved workflows and chat-flows, with the parameter rows last used (JSON array).
    """CREATE TABLE workflows (
        workflow_id TEXT NOT NULL,
        base_url TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'workflow' CHECK (kind IN ('workflow', 'chatflow')),
        label TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        bot_id TEXT NOT NULL DEFAULT '',
        app_id TEXT NOT NULL DEFAULT '',
        params TEXT NOT NULL DEFAULT '[]',
        raw_params TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        PRIMARY KEY (workflow_id, base_url)
    ) WITHOUT ROWID""",
    # Runs outlive their saved workflow: no foreign key to workflows.
    """CREATE TABLE workflow_runs (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        workflow_id TEXT NOT NULL,
        base_url TEXT NOT NULL,
        bot_id TEXT NOT NULL DEFAULT '',
        app_id TEXT NOT NULL DEFAULT '',
        parameters TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'error')),
        execute_id TEXT,
        output TEXT NOT NULL DEFAULT '',
        debug_url TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        total_tokens INTEGER,
        error_code INTEGER,
        error_text TEXT,
        error_logid TEXT,
        started_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        duration REAL,
        stream INTEGER NOT NULL DEFAULT 1 CHECK (stream IN (0, 1))
    )""",
    "CREATE INDEX workflow_runs_by_time ON workflow_runs (started_at)",
    "CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, base_url, started_at)",
    "CREATE INDEX workflow_runs_by_execute_id ON workflow_runs (execute_id) WHERE execute_id IS NOT NULL",
    "CREATE INDEX workflow_runs_running ON workflow_runs (status) WHERE status = 'running'",
    """CREATE TABLE workflow_run_parts (
        run_id INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 65534),
        kind TEXT NOT NULL CHECK (kind IN ('node', 'interrupt', 'answer', 'error')),
        node_title TEXT NOT NULL DEFAULT '',
        node_type TEXT NOT NULL DEFAULT '',
        node_id TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
        event_id TEXT NOT NULL DEFAULT '',
        interrupt_type INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        duration REAL,
        PRIMARY KEY (run_id, position)
    ) WITHOUT ROWID""",
    "CREATE INDEX workflow_run_parts_by_event ON workflow_run_parts (event_id) WHERE event_id != ''",
    # Run text is searchable like messages (same trigram tokenizer and end mark), in its own
    # index: the parameters (JSON text) and output of a run, and the content of each part.
    """CREATE VIEW run_search_docs (doc_id, body) AS
        SELECT id << 16, parameters || char(31) || output || char(31, 31) FROM workflow_runs
        UNION ALL
        SELECT (run_id << 16) + position + 1, content || char(31, 31) FROM workflow_run_parts""",
    """CREATE VIRTUAL TABLE run_search_index USING fts5 (
        body, content = 'run_search_docs', content_rowid = 'doc_id', tokenize = 'trigram'
    )""",
    """CREATE TRIGGER workflow_runs_index_insert AFTER INSERT ON workflow_runs BEGIN
        INSERT INTO run_search_index (rowid, body)
            VALUES (new.id << 16, new.parameters || char(31) || new.output || char(31, 31));
    END""",
    """CREATE TRIGGER workflow_runs_index_delete AFTER DELETE ON workflow_runs BEGIN
        INSERT INTO run_search_index (run_search_index, rowid, body)
            VALUES ('delete', old.id << 16, old.parameters || char(31) || old.output || char(31, 31));
    END""",
    """CREATE TRIGGER workflow_runs_index_update AFTER UPDATE OF parameters, output ON workflow_runs
        WHEN old.parameters IS NOT new.parameters OR old.output IS NOT new.output BEGIN
        INSERT INTO run_search_index (run_search_index, rowid, body)
            VALUES ('delete', old.id << 16, old.parameters || char(31) || old.output || char(31, 31));
        INSERT INTO run_search_index (rowid, body)
            VALUES (new.id << 16, new.parameters || char(31) || new.output || char(31, 31));
    END""",
    """CREATE TRIGGER workflow_run_parts_index_insert AFTER INSERT ON workflow_run_parts BEGIN
        INSERT INTO run_search_index (rowid, body)
            VALUES ((new.run_id << 16) + new.position + 1, new.content || char(31, 31));
    END""",
    """CREATE TRIGGER workflow_run_parts_index_delete AFTER DELETE ON workflow_run_parts BEGIN
        INSERT INTO run_search_index (run_search_index, rowid, body)
            VALUES ('delete', (old.run_id << 16) + old.position + 1, old.content || char(31, 31));
    END""",
    """CREATE TRIGGER workflow_run_parts_index_update AFTER UPDATE OF content ON workflow_run_parts
        WHEN old.content IS NOT new.content BEGIN
        INSERT INTO run_search_index (run_search_index, rowid, body)
            VALUES ('delete', (old.run_id << 16) + old.position + 1, old.content || char(31, 31));
        INSERT INTO run_search_index (rowid, body)
            VALUES ((new.run_id << 16) + new.position + 1, new.content || char(31, 31));
    END""",
)


def migrate_v1_baseline(conn: sqlite3.Connection) -> None:
    """Version 1: bots, conversations, messages, sources, follow-ups and API call counts."""
    _run(conn, _V1_BASELINE)


def migrate_v2_usage(conn: sqlite3.Connection) -> None:
    """Version 2: token usage and duration of each chat, kept with its answer."""
    _run(conn, _V2_USAGE)


def migrate_v3_search(conn: sqlite3.Connection) -> None:
    """Version 3: the trigram full-text index over message texts and source passages."""
    _run(conn, _V3_SEARCH)


def migrate_v4_trash_versions_drafts(conn: sqlite3.Connection) -> None:
    """Version 4: the trash (deleted_at), drafts, and versions of messages (parent_id, selected, shown)."""
    _run(conn, _V4_TRASH_VERSIONS_DRAFTS)


def migrate_v5_attachments(conn: sqlite3.Connection) -> None:
    """Version 5: attached files (one local copy per distinct content) and their searchable names."""
    _run(conn, _V5_ATTACHMENTS)


def migrate_v6_workflows(conn: sqlite3.Connection) -> None:
    """Version 6 (#12): steps of answers, chat-flow conversations, saved workflows, their runs
    (with parts) and the full-text index over run text."""
    _run(conn, _V6_WORKFLOWS)


MIGRATIONS: tuple[Migration, ...] = (
    migrate_v1_baseline,
    migrate_v2_usage,
    migrate_v3_search,
    migrate_v4_trash_versions_drafts,
    migrate_v5_attachments,
    migrate_v6_workflows,
)
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------------------------
# Errors


def primary_code(exc: sqlite3.Error) -> int | None:
    """The primary SQLite result code of an exception, or ``None`` when it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_corruption(exc: sqlite3.Error) -> bool:
    """True when SQLite says the file is damaged or is not a database."""
    return primary_code(exc) in _CORRUPTION_CODES


def translate_error(exc: sqlite3.Error, path: Path, *, busy_timeout: float) -> StoreError:
    """Turn a ``sqlite3`` exception into a :class:`StoreError` with a readable message."""
    code = primary_code(exc)
    detail = str(exc)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in detail:
        return StoreLockedError(
            f"聊天记录数据库正被另一个程序使用，等待 {busy_timeout:g} 秒后仍未释放。"
            f"The history database {path} is locked by another program (still busy after "
            f"{busy_timeout:g} s). Close other Coze Desktop windows or coze-cli commands and "
            "try again. Nothing was changed.",
            path=path,
        )
    if code == _SQLITE_FULL:
        return StoreWriteError(
            f"磁盘已满，聊天记录未保存。The disk is full: the chat history could not be saved "
            f"to {path}. Free some space and try again; nothing was half-written.",
            path=path,
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM):
        return StoreWriteError(
            f"聊天记录文件或其文件夹是只读的，无法保存。The history database {path} or its folder "
            "is read-only, so the chat history cannot be saved. Check the permissions of the "
            "folder and the file.",
            path=path,
        )
    if code == _SQLITE_CANTOPEN:
        return StoreWriteError(
            f"无法打开聊天记录文件。Cannot open the history database {path}: check that the "
            "folder exists and that you may write to it.",
            path=path,
        )
    if code == _SQLITE_IOERR:
        return StoreWriteError(
            f"读写聊天记录时发生磁盘错误。A disk I/O error occurred on the history database "
            f"{path} ({detail}). Check that the disk is connected, writable and not full.",
            path=path,
        )
    if code in _CORRUPTION_CODES:
        return StoreCorruptError(
            f"聊天记录文件已损坏。The history database {path} is damaged ({detail}). Restart "
            "Coze Desktop: it moves the damaged file aside and starts a new history.",
            path=path,
        )
    return StoreError(f"聊天记录数据库出错。History database error on {path}: {detail}", path=path)


def _os_error(exc: OSError, path: Path, action: tuple[str, str]) -> StoreWriteError:
    """``action`` is what could not be done, in Chinese and in English."""
    return StoreWriteError(
        f"无法{action[0]}聊天记录：{exc.strerror or exc}。Cannot {action[1]} the chat history at "
        f"{path}: {exc.strerror or exc}. Check that the folder exists and that you may write to it.",
        path=path,
    )


# --------------------------------------------------------------------------------------------
# The open database


class Database:
    """An open history database: one connection plus what opening it found out.

    The connection is in autocommit mode; writes go through :meth:`transaction`. It may be used
    from several threads, but only one at a time (the repository serialises calls with a lock).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        busy_timeout: float,
        read_only: bool,
        recovered_from: Path | None = None,
        backups: Sequence[Path] = (),
    ) -> None:
        self.conn = conn
        self.path = path
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self.recovered_from = recovered_from
        self.backups = list(backups)

    def error(self, exc: sqlite3.Error) -> StoreError:
        """The :class:`StoreError` that explains ``exc`` for this file."""
        return translate_error(exc, self.path, busy_timeout=self.busy_timeout)

    @contextlib.contextmanager
    def translating_errors(self) -> Iterator[sqlite3.Connection]:
        """Run a read (or a single statement) with SQLite errors turned into StoreErrors."""
        try:
            yield self.conn
        except sqlite3.Error as exc:
            raise self.error(exc) from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All statements inside commit together or not at all (``BEGIN IMMEDIATE``)."""
        with _transaction(self.conn, self.path, self.busy_timeout):
            yield self.conn

    def integrity_problems(self) -> list[str]:
        """Run the full ``PRAGMA quick_check``; an empty list means the file is sound."""
        with self.translating_errors() as conn:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        """Close the connection; SQLite folds the write-ahead log back into the file."""
        try:
            self.conn.close()
        except sqlite3.Error as exc:
            logger.warning("closing %s failed: %s", self.path, exc)


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, path: Path, busy_timeout: float) -> Iterator[None]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. on SQLITE_FULL)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error as rollback_exc:
                logger.error("rollback on %s failed: %s", path, rollback_exc)
        if isinstance(exc, sqlite3.Error):
            raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
        raise


def open_database(
    path: Path,
    *,
    read_only: bool = False,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    quick_check_max_bytes: int = QUICK_CHECK_MAX_BYTES,
) -> Database:
    """Open (creating, repairing or migrating as needed) the history database at ``path``.

    Raises :class:`StoreVersionError` for a file from a newer version (left untouched),
    :class:`StoreLockedError` when another program holds the lock, :class:`StoreWriteError`
    when the folder or file cannot be written, :class:`ForeignDatabaseError` for another
    program's database. A damaged file is moved aside and reported in ``recovered_from``.
    """
    if read_only:
        return _open_read_only(path, busy_timeout)
    try:
        ensure_private_dir(path.parent)
    except OSError as exc:
        raise _os_error(exc, path.parent, ("创建文件夹保存", "create the folder for")) from exc

    recovered_from: Path | None = None
    problem = header_problem(path)
    if problem is None:
        _refuse_newer_file(path, busy_timeout)
    else:
        recovered_from = move_aside(path, problem)

    conn = _connect_private(path, busy_timeout)
    try:
        problem = _integrity_problem(conn, path, busy_timeout, quick_check_max_bytes)
        if problem is not None:
            conn.close()
            recovered_from = move_aside(path, problem)
            conn = _connect_private(path, busy_timeout)
        _check_ownership(conn, path, busy_timeout)
        _configure(conn, path, busy_timeout)
        backups = migrate(conn, path, busy_timeout=busy_timeout)
        tighten_permissions(path)
    except BaseException:
        conn.close()
        raise
    logger.info("opened history database %s (schema version %d)", path, SCHEMA_VERSION)
    return Database(
        conn,
        path,
        busy_timeout=busy_timeout,
        read_only=False,
        recovered_from=recovered_from,
        backups=backups,
    )


def _open_read_only(path: Path, busy_timeout: float) -> Database:
    if not path.is_file():
        raise StoreError(f"没有找到聊天记录文件。No history database at {path}.", path=path)
    problem = header_problem(path)
    if problem is not None:
        raise StoreCorruptError(
            f"聊天记录文件已损坏。The history database {path} is damaged ({problem}).", path=path
        )
    _refuse_newer_file(path, busy_timeout)
    try:
        conn = sqlite3.connect(
            path.resolve().as_uri() + "?mode=ro",
            uri=True,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    try:
        problem = _integrity_problem(conn, path, busy_timeout, QUICK_CHECK_MAX_BYTES)
        if problem is not None:
            raise StoreCorruptError(
                f"聊天记录文件已损坏。The history database {path} is damaged ({problem}).", path=path
            )
        version = _user_version(conn, path, busy_timeout)
        if version != SCHEMA_VERSION:
            raise StoreVersionError(
                f"聊天记录文件需要升级，请先以正常模式打开一次。The history database {path} has "
                f"schema version {version} and needs an upgrade to {SCHEMA_VERSION}; open it "
                "once without read-only mode first.",
                path=path,
            )
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return Database(conn, path, busy_timeout=busy_timeout, read_only=True)


def _connect_private(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Connect read-write, creating the file 0600 first so SQLite never makes it wider."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except FileExistsError:
        pass
    except OSError as exc:
        raise _os_error(exc, path, ("创建文件保存", "create the file for")) from exc
    else:
        os.close(fd)
        os.chmod(path, PRIVATE_FILE_MODE)  # os.open's mode is filtered by the umask
    try:
        return sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc


def _configure(conn: sqlite3.Connection, path: Path, busy_timeout: float) -> None:
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    if str(mode).lower() != "wal":
        logger.warning("%s: write-ahead log unavailable, journal mode is %s", path, mode)


def tighten_permissions(path: Path) -> None:
    """Take group and other permissions off the database file and its -wal/-shm companions."""
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILE_SUFFIXES)):
        try:
            mode = candidate.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(candidate, mode & 0o700)
        except FileNotFoundError:
            continue
        except OSError as exc:
            logger.warning("cannot make %s private: %s", candidate, exc)


# --------------------------------------------------------------------------------------------
# Damage detection and moving aside


def header_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be an intact SQLite database, judged from its header.

    ``None`` when the file is missing, empty (SQLite treats that as a new database) or looks
    fine. Only cheap checks: the magic string, the page size and the length of the file.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with path.open("rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _os_error(exc, path, ("读取", "read")) from exc
    if not header.startswith(SQLITE_MAGIC):
        return "not an SQLite database"
    if len(header) < 100:
        return "truncated header"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "invalid page size"
    if _has_wal_content(path):
        return None  # the file may legitimately be short until the log is checkpointed
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]  # "version-valid-for" matches change counter
    if size % page_size or (size_is_valid and pages * page_size > size):
        return "truncated file"
    return None


def _has_wal_content(path: Path) -> bool:
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except FileNotFoundError:
        return False


def _integrity_problem(
    conn: sqlite3.Connection, path: Path, busy_timeout: float, quick_check_max_bytes: int
) -> str | None:
    """Return why the database is damaged, or ``None``. Lock errors are raised, not judged.

    Files up to ``quick_check_max_bytes`` get ``PRAGMA quick_check``; bigger ones (where that
    takes seconds) get a structural check: the schema and the first row of every table.
    """
    try:
        if path.stat().st_size <= quick_check_max_bytes:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
            return None if rows == ["ok"] else "; ".join(rows)[:500]
        tables = conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
        for (name,) in tables:
            conn.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()  # noqa: S608 - schema names
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    return None


def _timestamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _free_name(path: Path, base: str) -> Path:
    """``base`` next to ``path``, or ``base-1``, ``base-2``... if that name is taken."""
    candidate = path.with_name(base)
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{base}-{counter}")
        counter += 1
    return candidate


def move_aside(path: Path, reason: str) -> Path:
    """Rename a damaged database (and its -wal/-shm) to ``<name>.corrupt-<timestamp>``.

    The files are never deleted; the returned path is where the database went.
    """
    target = _free_name(path, f"{path.name}.corrupt-{_timestamp()}")
    try:
        os.rename(path, target)
        for suffix in SIDE_FILE_SUFFIXES:
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.rename(side, target.with_name(target.name + suffix))
    except OSError as exc:
        raise _os_error(exc, path, ("移走损坏的", "move aside the damaged file of")) from exc
    logger.warning("history database %s is damaged (%s); moved it to %s", path, reason, target)
    return target


# --------------------------------------------------------------------------------------------
# Versions, backups and migrations


def _user_version(conn: sqlite3.Connection, path: Path, busy_timeout: float) -> int:
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc


def _newer_version_error(path: Path, found: int) -> StoreVersionError:
    return StoreVersionError(
        f"这个聊天记录文件来自更新版本的 Coze Desktop（数据库版本 {found}，本程序只支持到 "
        f"{SCHEMA_VERSION}），为避免损坏，文件未作任何修改。The history database {path} was "
        f"written by a newer Coze Desktop (schema version {found}; this version understands up "
        f"to {SCHEMA_VERSION}). It was left untouched: update Coze Desktop to open it.",
        path=path,
    )


def _refuse_newer_file(path: Path, busy_timeout: float) -> None:
    """Raise :class:`StoreVersionError` for a newer schema without writing a single byte.

    The version is read from the file header; only when a write-ahead log may hold a newer
    header is SQLite asked, through a read-only connection that cannot checkpoint.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except FileNotFoundError:
        return
    if len(header) < 100:
        return
    version = int.from_bytes(header[60:64], "big")
    if _has_wal_content(path):
        try:
            conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
        try:
            version = _user_version(conn, path, busy_timeout)
        finally:
            conn.close()
    if version > SCHEMA_VERSION:
        raise _newer_version_error(path, version)


def _check_ownership(conn: sqlite3.Connection, path: Path, busy_timeout: float) -> None:
    """Refuse another program's SQLite database before changing anything in it."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        has_tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] > 0
    except sqlite3.Error as exc:
        raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    if app_id not in (0, APPLICATION_ID) or (version == 0 and has_tables):
        raise ForeignDatabaseError(
            f"这个文件不是 Coze Desktop 的聊天记录。{path} is an SQLite database of some other "
            "program, not a Coze Desktop history. It was left untouched; choose another file.",
            path=path,
        )


def backup_database(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the open database with the SQLite backup API to ``<name>.bak-v<version>-<time>``.

    The copy is a self-contained file (rollback journal mode), private (0600).
    """
    target = _free_name(path, f"{path.name}.bak-v{version}-{_timestamp()}")
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        os.close(fd)
        os.chmod(target, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise _os_error(exc, target, ("备份", "back up")) from exc
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error:
        copy.close()
        target.unlink(missing_ok=True)  # our own half-made copy, not the user's data
        raise
    copy.close()
    logger.info("backed up %s (schema version %d) to %s", path, version, target)
    return target


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    target: int = SCHEMA_VERSION,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[Path]:
    """Bring the schema from its ``PRAGMA user_version`` up to ``target``.

    An existing database is first backed up (see :func:`backup_database`); then each step runs
    in its own transaction together with the new ``user_version``, so a failing step leaves the
    file at the previous version. Returns the backups made.
    """
    version = _user_version(conn, path, busy_timeout)
    if version > len(migrations):
        raise _newer_version_error(path, version)
    if version >= target:
        return []
    backups: list[Path] = []
    if version > 0:
        try:
            backups.append(backup_database(conn, path, version))
        except sqlite3.Error as exc:
            raise translate_error(exc, path, busy_timeout=busy_timeout) from exc
    for step in range(version, target):
        with _transaction(conn, path, busy_timeout):
            migrations[step](conn)
            conn.execute(f"PRAGMA user_version = {step + 1}")
        logger.info("migrated %s to schema version %d", path, step + 1)
    return backups
