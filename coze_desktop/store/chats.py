"""The history repository: bots, conversations, messages and their details, API call counts.

:class:`Store` is what the GUI and the CLI use. Every method takes and returns the dataclasses
of :mod:`coze_desktop.domain`; objects passed in are never modified (the saved copy, with its
``id`` and ``uid`` filled in, is returned), so a failed write leaves the caller's data as it
was. Every write that touches more than one row runs in one transaction. A store may be shared
between threads: calls are serialised by a lock.

A streaming answer is saved through a :class:`ReplyWriter`: it starts in state ``streaming``,
is checkpointed about once a second and finished with its final state. A store that finds a
message still ``streaming`` when it opens marks it ``interrupted`` and keeps its text.

Attached files are copied into ``files/`` next to the database (see :mod:`.files`) by
:meth:`Store.keep_file`; a message's attachments are saved with it and read back with it.
Deleting for good removes the copies no remaining attachment uses; opening removes copies kept
more than a day ago that no attachment uses (kept for a message that was never sent).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from coze_desktop.domain import (
    DEFAULT_BASE_URL,
    Bot,
    Conversation,
    ErrorInfo,
    Message,
    MessageFile,
    MessageState,
    Role,
    Source,
    ToolStep,
    Usage,
    steps_from_text,
    steps_to_text,
    token_fingerprint,
)
from coze_desktop.store import search as search_module
from coze_desktop.store.db import (
    DEFAULT_BUSY_TIMEOUT,
    MAX_SOURCES_PER_MESSAGE,
    Database,
    StoreError,
    StoreWriteError,
    open_database,
)
from coze_desktop.store.db import locked as _locked
from coze_desktop.store.files import FILES_DIRNAME, FileStore, is_sha256
from coze_desktop.store.paths import resolve_db_path
from coze_desktop.store.replies import CHECKPOINT_INTERVAL, ReplyWriter, check_sources
from coze_desktop.store.runs import RunStore
from coze_desktop.store.search import DEFAULT_MARKERS, SearchHit

logger = logging.getLogger(__name__)

PREVIEW_CHARS = 120
TRASH_DAYS = 30  # a conversation or message in the trash is deleted for good after this many days
UNUSED_FILE_DAYS = 1.0  # a kept copy no attachment uses is deleted at opening after this many days
_DAY = 86400.0


class NotFoundError(StoreError, LookupError):
    """The conversation or message does not exist (any more)."""


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A row of the conversation list: the conversation, its size and its latest words."""

    conversation: Conversation
    message_count: int
    last_message_preview: str  # the first characters of the newest message, raw text


@dataclass(frozen=True, slots=True)
class TrashedConversation:
    """A conversation in the trash, with what a list of deleted items shows about it."""

    conversation: Conversation
    deleted_at: float  # Unix seconds
    bot_name: str  # the saved bot's name, or "" when the bot is unknown
    message_count: int  # messages it shows (its own trashed messages not counted)
    last_message_preview: str  # the first characters of its newest shown message, raw text


@dataclass(frozen=True, slots=True)
class TrashedMessage:
    """A message in the trash (its conversation is not), with the conversation it belongs to."""

    message: Message
    deleted_at: float  # Unix seconds
    conversation_title: str


_CONVERSATION_COLUMNS = (
    "c.id, c.uid, c.coze_conversation_id, c.bot_id, c.base_url, c.title, c.created_at, c.updated_at, "
    "c.pinned, c.workflow_id, c.app_id"
)
_CONVERSATION_COLUMN_COUNT = 11
_MESSAGE_COLUMNS = (
    "id, conversation_id, uid, coze_message_id, coze_chat_id, role, type, text, reasoning, "
    "content_type, state, error_code, error_text, error_logid, created_at, parent_id, steps"
)
_MESSAGE_COLUMN_COUNT = 17
_BOT_COLUMNS = "bot_id, base_url, name, description, icon_url, prologue, suggested_questions"


# Rows come from our own schema, so their column types are known; sqlite3 types them as Any.
def _conversation_from_row(row: Sequence[Any]) -> Conversation:
    conv_id, uid, coze_id, bot_id, base_url, title, created_at, updated_at, pinned, workflow_id, app_id = row
    return Conversation(
        id=conv_id,
        uid=uid,
        coze_conversation_id=coze_id,
        bot_id=bot_id,
        base_url=base_url,
        title=title,
        created_at=created_at,
        updated_at=updated_at,
        pinned=bool(pinned),
        workflow_id=workflow_id,
        app_id=app_id,
    )


def _message_from_row(row: Sequence[Any]) -> Message:
    (msg_id, conv_id, uid, coze_message_id, coze_chat_id, role, msg_type, text, reasoning,
     content_type, state, error_code, error_text, error_logid, created_at, parent_id, steps) = row  # fmt: skip
    error = None
    if error_code is not None or error_text is not None:
        error = ErrorInfo(code=error_code, message=error_text or "", logid=error_logid)
    return Message(
        id=msg_id,
        conversation_id=conv_id,
        uid=uid,
        role=Role(role),
        type=msg_type,
        text=text,
        reasoning=reasoning,
        content_type=content_type,
        state=MessageState(state),
        coze_message_id=coze_message_id,
        coze_chat_id=coze_chat_id,
        error=error,
        created_at=created_at,
        parent_id=parent_id,
        steps=steps_from_text(steps),
    )


def _bot_from_row(row: Sequence[Any]) -> Bot:
    bot_id, base_url, name, description, icon_url, prologue, questions = row
    try:
        parsed = json.loads(questions)
    except ValueError:
        parsed = []
    return Bot(
        bot_id=bot_id,
        base_url=base_url,
        name=name,
        description=description,
        icon_url=icon_url,
        prologue=prologue,
        suggested_questions=[str(q) for q in parsed] if isinstance(parsed, list) else [],
    )


def _month(when: float | None) -> str:
    return time.strftime("%Y-%m", time.localtime(time.time() if when is None else when))


class Store(RunStore):
    """The local chat history (and saved workflows and runs, see :class:`~.runs.RunStore`). Open it with :meth:`Store.open`; close it when done.

    Attributes set when opening: ``path`` (the database file), ``recovered_from`` (where a
    damaged file was moved, else ``None``; see :attr:`recovery_message`), ``backups`` (copies
    made before a migration), ``interrupted_count`` (streaming replies found cut off) and
    ``purged_count`` (items older than :data:`TRASH_DAYS` days deleted from the trash) and
    ``swept_files_count`` (copies of files no attachment used, deleted; see :meth:`sweep_files`).
    Kept files live in ``files_dir``, next to the database.
    """

    def __init__(self, database: Database) -> None:
        """Wrap an open :class:`Database`; most callers want :meth:`Store.open` instead."""
        self._db = database
        self._lock = threading.RLock()
        self.path: Path = database.path
        self.files_dir: Path = database.path.parent.absolute() / FILES_DIRNAME
        self._files = FileStore(self.files_dir)
        # Copies kept by this process for messages not saved yet: digest -> how many such keeps.
        # Deleting for good never removes them (the sweep at opening does, a day later).
        self._unattached: dict[str, int] = {}
        self.recovered_from: Path | None = database.recovered_from
        self.backups: list[Path] = list(database.backups)
        self.read_only: bool = database.read_only
        self.interrupted_count = 0 if database.read_only else self._mark_interrupted()
        self.interrupted_runs_count = self._init_runs()  # workflow runs a crash left running
        self.purged_count = 0 if database.read_only else self.purge_trash()
        self.swept_files_count = 0 if database.read_only else self.sweep_files()

    @classmethod
    def open(
        cls,
        path_or_data_dir: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Open the history in a data folder (``history.sqlite3`` inside) or a database file.

        ``None`` opens the default data folder (see :func:`~coze_desktop.store.paths.default_data_dir`).
        With ``read_only`` nothing is created, migrated or repaired, and writes raise
        :class:`~coze_desktop.store.db.StoreWriteError`. Raises the ``StoreError`` subclasses
        described in :func:`~coze_desktop.store.db.open_database`.
        """
        path = resolve_db_path(path_or_data_dir)
        database = open_database(path, read_only=read_only, busy_timeout=busy_timeout)
        try:
            return cls(database)
        except BaseException:
            database.close()
            raise

    @property
    def recovery_message(self) -> str | None:
        """What to tell the user when a damaged file was moved aside at opening, else ``None``."""
        if self.recovered_from is None:
            return None
        return (
            f"聊天记录文件已损坏，已移到 {self.recovered_from}，并新建了空的聊天记录。"
            f"The chat history file was damaged. It was moved to {self.recovered_from} "
            "(nothing was deleted) and a new, empty history was started."
        )

    @_locked
    def close(self) -> None:
        """Close the database. The store cannot be used afterwards."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _mark_interrupted(self) -> int:
        with self._db.translating_errors() as conn:
            count = int(conn.execute("SELECT count(*) FROM messages WHERE state = 'streaming'").fetchone()[0])
        if count:
            with self._db.transaction() as conn:
                conn.execute("UPDATE messages SET state = 'interrupted' WHERE state = 'streaming'")
            logger.warning("%d reply(ies) were cut off by a crash; marked them interrupted", count)
        return count

    @_locked
    def check_integrity(self) -> list[str]:
        """Run SQLite's full quick check (slow on a big file); an empty list means sound."""
        return self._db.integrity_problems()

    # ---------------------------------------------------------------------------------- bots

    @_locked
    def upsert_bot(self, bot: Bot) -> None:
        """Save a bot's profile, replacing what was known about the same bot id and base URL."""
        with self._db.transaction() as conn:
            _upsert_bot(conn, bot)

    @_locked
    def get_bot(self, bot_id: str, base_url: str = DEFAULT_BASE_URL) -> Bot | None:
        """The saved profile of a bot, or ``None``."""
        with self._db.translating_errors() as conn:
            row = conn.execute(
                f"SELECT {_BOT_COLUMNS} FROM bots WHERE bot_id = ? AND base_url = ?",  # noqa: S608
                (bot_id, base_url),
            ).fetchone()
        return None if row is None else _bot_from_row(row)

    @_locked
    def list_bots(self) -> list[Bot]:
        """Every saved bot, by name."""
        with self._db.translating_errors() as conn:
            rows = conn.execute(
                f"SELECT {_BOT_COLUMNS} FROM bots ORDER BY name, bot_id, base_url"  # noqa: S608
            ).fetchall()
        return [_bot_from_row(row) for row in rows]

    @_locked
    def rename_bot(self, bot_id: str, base_url: str, name: str) -> None:
        """Give a saved bot a local display name (Coze is not told).

        Raises ``ValueError`` for an empty name and :class:`NotFoundError` for an unknown bot.
        Adding the bot again later takes its name from Coze again.
        """
        name = name.strip()
        if not name:
            raise ValueError("a bot's name cannot be empty")
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE bots SET name = ? WHERE bot_id = ? AND base_url = ?", (name, bot_id, base_url)
            ).rowcount
        if not changed:
            raise NotFoundError(f"bot {bot_id} at {base_url} is not saved")

    @_locked
    def remove_bot(self, bot_id: str, base_url: str) -> bool:
        """Take a bot off the list of bots; True if it was there.

        Its conversations stay, with their ``bot_id``: they still open, show their messages and
        export; :meth:`get_bot` returns ``None`` for them until the bot is added again.
        """
        with self._db.transaction() as conn:
            removed = conn.execute(
                "DELETE FROM bots WHERE bot_id = ? AND base_url = ?", (bot_id, base_url)
            ).rowcount
        if removed:
            logger.info("removed bot %s at %s from the list", bot_id, base_url)
        return bool(removed)

    # ------------------------------------------------------------------------- conversations

    @_locked
    def create_conversation(self, conversation: Conversation) -> Conversation:
        """Save a new conversation; returns a copy with ``id``, ``uid`` and times filled in.

        ``uid`` is kept if given (it must be new) and otherwise made up; a zero ``created_at``
        becomes now and a zero ``updated_at`` becomes ``created_at``.
        """
        with self._db.transaction() as conn:
            return self._insert_conversation(conn, conversation)

    def _insert_conversation(self, conn: sqlite3.Connection, conv: Conversation) -> Conversation:
        uid = conv.uid or uuid.uuid4().hex
        if conn.execute("SELECT 1 FROM conversations WHERE uid = ?", (uid,)).fetchone():
            raise StoreError(f"a conversation with uid {uid} already exists", path=self.path)
        created_at = conv.created_at or time.time()
        updated_at = conv.updated_at or created_at
        cursor = conn.execute(
            "INSERT INTO conversations (uid, coze_conversation_id, bot_id, base_url, title, "
            "created_at, updated_at, pinned, workflow_id, app_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                conv.coze_conversation_id,
                conv.bot_id,
                conv.base_url.rstrip("/"),  # one spelling per server, as every lookup uses
                conv.title,
                created_at,
                updated_at,
                int(conv.pinned),
                conv.workflow_id or None,
                conv.app_id or None,
            ),
        )
        return dataclasses.replace(
            conv,
            id=cursor.lastrowid,
            uid=uid,
            base_url=conv.base_url.rstrip("/"),
            created_at=created_at,
            updated_at=updated_at,
        )

    @_locked
    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """A conversation by its local id, or ``None``."""
        return self._fetch_conversation("c.id = ?", conversation_id)

    @_locked
    def get_conversation_by_uid(self, uid: str) -> Conversation | None:
        """A conversation by its global uid, or ``None``."""
        return self._fetch_conversation("c.uid = ?", uid)

    @_locked
    def find_conversation_by_coze_id(self, coze_conversation_id: str, base_url: str) -> Conversation | None:
        """The newest local conversation continuing Coze conversation ``coze_conversation_id`` on
        ``base_url`` (Coze ids are per server), or ``None``."""
        with self._db.translating_errors() as conn:
            row = conn.execute(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c "  # noqa: S608 - fixed column list
                "WHERE c.coze_conversation_id = ? AND c.base_url = ? ORDER BY c.id DESC LIMIT 1",
                (coze_conversation_id, base_url.rstrip("/")),
            ).fetchone()
        return None if row is None else _conversation_from_row(row)

    def _fetch_conversation(self, where: str, value: object) -> Conversation | None:
        with self._db.translating_errors() as conn:
            row = conn.execute(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE {where}",  # noqa: S608
                (value,),
            ).fetchone()
        return None if row is None else _conversation_from_row(row)

    @_locked
    def list_conversations(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        bot_id: str | None = None,
        base_url: str | None = None,
    ) -> list[ConversationSummary]:
        """A page of conversations: pinned first, then the most recently active first."""
        where, params = self._conversation_filter(bot_id, base_url)
        sql = (
            f"SELECT {_CONVERSATION_COLUMNS}, "  # noqa: S608 - only fixed SQL fragments are joined
            "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.shown = 1), "
            f"(SELECT substr(m.text, 1, {PREVIEW_CHARS}) FROM messages m "
            " WHERE m.conversation_id = c.id AND m.shown = 1 ORDER BY m.id DESC LIMIT 1) "
            f"FROM conversations c {where} "
            "ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?"
        )
        with self._db.translating_errors() as conn:
            rows = conn.execute(sql, (*params, limit, offset)).fetchall()
        return [
            ConversationSummary(
                conversation=_conversation_from_row(row[:_CONVERSATION_COLUMN_COUNT]),
                message_count=int(row[_CONVERSATION_COLUMN_COUNT]),
                last_message_preview=row[_CONVERSATION_COLUMN_COUNT + 1] or "",
            )
            for row in rows
        ]

    @_locked
    def count_conversations(self, *, bot_id: str | None = None, base_url: str | None = None) -> int:
        """How many conversations :meth:`list_conversations` can page through."""
        where, params = self._conversation_filter(bot_id, base_url)
        with self._db.translating_errors() as conn:
            sql = f"SELECT count(*) FROM conversations c {where}"  # noqa: S608
            return int(conn.execute(sql, params).fetchone()[0])

    @staticmethod
    def _conversation_filter(bot_id: str | None, base_url: str | None) -> tuple[str, list[object]]:
        clauses: list[str] = ["c.deleted_at IS NULL"]
        params: list[object] = []
        if bot_id is not None:
            clauses.append("c.bot_id = ?")
            params.append(bot_id)
        if base_url is not None:
            clauses.append("c.base_url = ?")
            params.append(base_url)
        return "WHERE " + " AND ".join(clauses), params

    @_locked
    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Change a conversation's title."""
        self._update_conversation(conversation_id, "title = ?", title)

    @_locked
    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pin a conversation to the top of the list, or unpin it."""
        self._update_conversation(conversation_id, "pinned = ?", int(pinned))

    @_locked
    def set_coze_conversation_id(self, conversation_id: int, coze_conversation_id: str | None) -> None:
        """Remember (or forget) the Coze-side conversation id that continues this conversation."""
        self._update_conversation(conversation_id, "coze_conversation_id = ?", coze_conversation_id)

    def _update_conversation(self, conversation_id: int, assignment: str, value: object) -> None:
        with self._db.transaction() as conn:
            sql = f"UPDATE conversations SET {assignment} WHERE id = ?"  # noqa: S608
            if conn.execute(sql, (value, conversation_id)).rowcount == 0:
                raise NotFoundError(f"conversation {conversation_id} does not exist", path=self.path)

    @_locked
    def draft(self, conversation_id: int) -> str:
        """The unsent text kept with a conversation ("" when none, or when it does not exist)."""
        with self._db.translating_errors() as conn:
            row = conn.execute("SELECT draft FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return "" if row is None else str(row[0])

    @_locked
    def set_draft(self, conversation_id: int, text: str) -> None:
        """Keep ``text`` as the unsent text of a conversation ("" clears it); its time is not touched."""
        self._update_conversation(conversation_id, "draft = ?", text)

    @_locked
    def delete_conversation_forever(self, conversation_id: int) -> None:
        """Delete a conversation (in the trash or not) with all its messages and their details."""
        with self._db.transaction() as conn:
            used = _files_of(conn, "m.conversation_id = ?", (conversation_id,))
            cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cursor.rowcount == 0:
                raise NotFoundError(f"conversation {conversation_id} does not exist", path=self.path)
            unused = self._forget_files(conn, used)
        self._remove_copies(unused)

    delete_conversation = delete_conversation_forever  # the name before the trash; still deletes for good

    # --------------------------------------------------------------------------------- trash

    @_locked
    def trash_conversation(self, conversation_id: int, *, when: float | None = None) -> None:
        """Move a conversation to the trash (its messages stay with it); restorable for 30 days.

        ``when`` is the time of deletion (default now). Trashing it again changes nothing.
        """
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT deleted_at FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"conversation {conversation_id} does not exist", path=self.path)
            if row[0] is None:
                conn.execute(
                    "UPDATE conversations SET deleted_at = ? WHERE id = ?",
                    (time.time() if when is None else when, conversation_id),
                )

    @_locked
    def restore_conversation(self, conversation_id: int) -> None:
        """Take a conversation out of the trash (a conversation not in it is left as it is)."""
        self._update_conversation(conversation_id, "deleted_at = ?", None)

    @_locked
    def trash_message(self, message_id: int, *, when: float | None = None) -> None:
        """Move one message to the trash: it is no longer shown, listed or found; restorable.

        The messages after it stay where they are (a message in the trash is passed over, not
        cut out of the conversation). Trashing it again changes nothing.
        """
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT deleted_at, conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"message {message_id} does not exist", path=self.path)
            if row[0] is None:
                conn.execute(
                    "UPDATE messages SET deleted_at = ? WHERE id = ?",
                    (time.time() if when is None else when, message_id),
                )
                _refresh_path(conn, int(row[1]))

    @_locked
    def restore_message(self, message_id: int) -> None:
        """Take a message out of the trash; it is shown again in its place if its branch is shown."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT deleted_at, conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"message {message_id} does not exist", path=self.path)
            if row[0] is not None:
                conn.execute("UPDATE messages SET deleted_at = NULL WHERE id = ?", (message_id,))
                _refresh_path(conn, int(row[1]))

    @_locked
    def trashed_conversations(self) -> list[TrashedConversation]:
        """The conversations in the trash, most recently deleted first."""
        sql = (
            f"SELECT {_CONVERSATION_COLUMNS}, c.deleted_at, "  # noqa: S608 - fixed SQL fragments only
            "coalesce((SELECT b.name FROM bots b WHERE b.bot_id = c.bot_id AND b.base_url = c.base_url), ''), "
            "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.shown = 1), "
            f"(SELECT substr(m.text, 1, {PREVIEW_CHARS}) FROM messages m "
            " WHERE m.conversation_id = c.id AND m.shown = 1 ORDER BY m.id DESC LIMIT 1) "
            "FROM conversations c WHERE c.deleted_at IS NOT NULL ORDER BY c.deleted_at DESC, c.id DESC"
        )
        with self._db.translating_errors() as conn:
            rows = conn.execute(sql).fetchall()
        return [
            TrashedConversation(
                conversation=_conversation_from_row(row[:_CONVERSATION_COLUMN_COUNT]),
                deleted_at=float(row[_CONVERSATION_COLUMN_COUNT]),
                bot_name=row[_CONVERSATION_COLUMN_COUNT + 1],
                message_count=int(row[_CONVERSATION_COLUMN_COUNT + 2]),
                last_message_preview=row[_CONVERSATION_COLUMN_COUNT + 3] or "",
            )
            for row in rows
        ]

    @_locked
    def trashed_messages(self) -> list[TrashedMessage]:
        """The messages in the trash whose conversation is not in it, most recently deleted first.

        (The messages of a conversation in the trash come back with it.)
        """
        columns = ", ".join(f"m.{column.strip()}" for column in _MESSAGE_COLUMNS.split(","))
        sql = (
            f"SELECT {columns}, m.deleted_at, c.title FROM messages m "  # noqa: S608 - fixed SQL fragments
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.deleted_at IS NOT NULL AND c.deleted_at IS NULL ORDER BY m.deleted_at DESC, m.id DESC"
        )
        with self._db.translating_errors() as conn:
            rows = conn.execute(sql).fetchall()
            messages = [_message_from_row(row[:_MESSAGE_COLUMN_COUNT]) for row in rows]
            _attach_details(conn, messages, self._files)
        return [
            TrashedMessage(
                message=message,
                deleted_at=float(row[_MESSAGE_COLUMN_COUNT]),
                conversation_title=row[_MESSAGE_COLUMN_COUNT + 1],
            )
            for message, row in zip(messages, rows, strict=True)
        ]

    @_locked
    def empty_trash(self) -> int:
        """Delete everything in the trash for good; returns how many conversations and messages."""
        with self._db.transaction() as conn:
            used = _trash_files(conn, None)
            count = _purge(conn, None)
            unused = self._forget_files(conn, used)
        self._remove_copies(unused)
        return count

    @_locked
    def purge_trash(self, older_than_days: float = TRASH_DAYS, *, now: float | None = None) -> int:
        """Delete for good what has been in the trash longer than ``older_than_days`` days.

        Runs when the store opens. Returns how many conversations and messages were deleted.
        """
        cutoff = (time.time() if now is None else now) - older_than_days * _DAY
        with self._db.translating_errors() as conn:  # a read first: opening takes no write lock
            due = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM conversations WHERE deleted_at < ?) "
                "OR EXISTS (SELECT 1 FROM messages WHERE deleted_at < ?)",
                (cutoff, cutoff),
            ).fetchone()[0]
        if not due:
            return 0
        with self._db.transaction() as conn:
            used = _trash_files(conn, cutoff)
            count = _purge(conn, cutoff)
            unused = self._forget_files(conn, used)
        self._remove_copies(unused)
        if count:
            logger.info("deleted %d item(s) kept in the trash for more than %g days", count, older_than_days)
        return count

    # ------------------------------------------------------------------------------ messages

    @_locked
    def add_message(self, message: Message, *, version_of: int | None = None) -> Message:
        """Save a whole message (a question, or a finished answer) with its details.

        By default the message follows the last message the conversation shows (or
        ``message.parent_id`` when given). With ``version_of`` it becomes a new version of that
        message (an edited question): a sibling with the same parent, selected and shown, while
        the messages after the old version stay on the old version's branch; the conversation
        then forgets its Coze conversation, as Coze's no longer holds what the app shows.

        Returns the saved copy with ``id``, ``uid``, ``created_at`` and its version filled in.
        Raises :class:`NotFoundError` when the conversation (or ``version_of``) does not exist,
        ``ValueError`` when the message has no ``conversation_id`` or more sources than a
        message can keep, or ``version_of`` belongs to another conversation.

        ``message.attachments`` are saved with it, in order. An attachment should name a copy
        made by :meth:`keep_file` (its ``sha256``); one that names none but whose ``path`` is an
        existing file is copied first (under the store's lock: prefer :meth:`keep_file` in a
        worker for big files); one with neither is saved as given (no local copy).
        """
        conversation_id = message.conversation_id
        if conversation_id is None:
            raise ValueError("the message has no conversation_id")
        check_sources(message.sources)
        message = self._with_kept_files(message)
        with self._db.transaction() as conn:
            if not conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone():
                raise NotFoundError(f"conversation {conversation_id} does not exist", path=self.path)
            saved = self._insert_message(conn, message, conversation_id, version_of=version_of)
        self._attached(saved.attachments)
        return saved

    def _insert_message(
        self,
        conn: sqlite3.Connection,
        message: Message,
        conversation_id: int,
        *,
        version_of: int | None = None,
        refresh: bool = True,
    ) -> Message:
        """Insert one message; see :meth:`add_message`. With ``refresh`` false (an import), the
        file's ``selected`` flag is kept and the caller refreshes the shown path once at the end."""
        uid = message.uid or uuid.uuid4().hex
        created_at = message.created_at or time.time()
        error = message.error
        parent_id = message.parent_id
        selected = message.selected if not refresh else True
        if version_of is not None:
            row = conn.execute(
                "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (version_of,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"message {version_of} does not exist", path=self.path)
            if row[0] != conversation_id:
                raise ValueError(f"message {version_of} belongs to another conversation")
            parent_id = row[1]
        elif parent_id is None and refresh:  # after the last message shown (or in the trash)
            parent_id = _path_end(conn, conversation_id)
        cursor = conn.execute(
            "INSERT INTO messages (uid, conversation_id, coze_message_id, coze_chat_id, role, type, "
            "text, reasoning, content_type, state, error_code, error_text, error_logid, created_at, "
            "parent_id, selected, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                conversation_id,
                message.coze_message_id,
                message.coze_chat_id,
                message.role.value,
                message.type,
                message.text,
                message.reasoning,
                message.content_type,
                message.state.value,
                error.code if error else None,
                error.message if error else None,
                error.logid if error else None,
                created_at,
                parent_id,
                int(selected),
                steps_to_text(message.steps),
            ),
        )
        message_id = int(cursor.lastrowid or 0)
        if refresh:
            # The new message is the chosen version of its place: its siblings step aside.
            deselected = conn.execute(
                "UPDATE messages SET selected = 0 WHERE conversation_id = ? AND parent_id IS ? "
                "AND id != ? AND selected = 1",
                (conversation_id, parent_id, message_id),
            ).rowcount
            if deselected or version_of is not None or message.parent_id is not None:
                _refresh_path(conn, conversation_id)
            if version_of is not None:
                conn.execute(
                    "UPDATE conversations SET coze_conversation_id = NULL WHERE id = ?", (conversation_id,)
                )
        _insert_details(
            conn, message_id, message.sources, message.follow_ups, message.usage, message.duration
        )
        _insert_attachments(conn, message_id, message.attachments)
        _touch_conversation(conn, conversation_id, created_at)
        saved = dataclasses.replace(
            message,
            id=message_id,
            conversation_id=conversation_id,
            uid=uid,
            created_at=created_at,
            parent_id=parent_id,
            sources=list(message.sources),
            follow_ups=list(message.follow_ups),
            attachments=[self._located(a) for a in message.attachments],
            steps=list(message.steps),
        )
        if refresh:
            _attach_versions(conn, [saved])
        return saved

    @_locked
    def get_message(self, message_id: int) -> Message | None:
        """A message with its sources, follow-ups and usage, or ``None``."""
        found = self._load_messages("id = ?", (message_id,), "")
        return found[0] if found else None

    @_locked
    def messages(self, conversation_id: int) -> list[Message]:
        """The messages a conversation shows (one version of each, none in the trash), oldest first."""
        return self._load_messages("conversation_id = ? AND shown = 1", (conversation_id,), "ORDER BY id")

    @_locked
    def message_page(
        self, conversation_id: int, *, before_id: int | None = None, limit: int = 50
    ) -> list[Message]:
        """Up to ``limit`` messages older than ``before_id`` (or the newest), newest first.

        Page backwards through a long conversation by passing the smallest id of the last page.
        """
        if before_id is None:
            return self._load_messages(
                "conversation_id = ? AND shown = 1", (conversation_id,), "ORDER BY id DESC LIMIT ?", limit
            )
        return self._load_messages(
            "conversation_id = ? AND shown = 1 AND id < ?",
            (conversation_id, before_id),
            "ORDER BY id DESC LIMIT ?",
            limit,
        )

    @_locked
    def count_messages(self, conversation_id: int) -> int:
        """How many messages a conversation shows."""
        with self._db.translating_errors() as conn:
            sql = "SELECT count(*) FROM messages WHERE conversation_id = ? AND shown = 1"
            return int(conn.execute(sql, (conversation_id,)).fetchone()[0])

    def _load_messages(
        self, where: str, params: tuple[object, ...], tail: str, *tail_params: object
    ) -> list[Message]:
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} {tail}"  # noqa: S608
        with self._db.translating_errors() as conn:
            messages = [_message_from_row(row) for row in conn.execute(sql, (*params, *tail_params))]
            _attach_details(conn, messages, self._files)
            _attach_versions(conn, messages)
        return messages

    @_locked
    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every version of every message of a conversation (none in the trash), oldest first.

        ``shown`` tells which are on the path the conversation shows; ``parent_uid`` is the uid of
        the nearest earlier message not in the trash ("" for a first message). For a lossless export.
        """
        messages = self._load_messages(
            "conversation_id = ? AND deleted_at IS NULL", (conversation_id,), "ORDER BY id"
        )
        with self._db.translating_errors() as conn:
            rows = conn.execute(
                "SELECT id, parent_id, uid, deleted_at FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchall()
        parents = {row[0]: row[1] for row in rows}
        kept_uid = {row[0]: row[2] for row in rows if row[3] is None}
        for message in messages:
            parent, steps = parents.get(message.id), 0
            while parent is not None and parent not in kept_uid and steps < len(rows):
                parent, steps = parents.get(parent), steps + 1
            message.parent_uid = kept_uid.get(parent, "") if parent is not None else ""
        return messages

    @_locked
    def versions(self, message_id: int) -> list[int]:
        """The ids of the versions of a message (itself and its siblings not in the trash), oldest first.

        Raises :class:`NotFoundError` when the message does not exist.
        """
        with self._db.translating_errors() as conn:
            row = conn.execute(
                "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"message {message_id} does not exist", path=self.path)
            rows = conn.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? "
                "AND (deleted_at IS NULL OR id = ?) ORDER BY id",
                (row[0], row[1], message_id),
            ).fetchall()
        return [int(r[0]) for r in rows]

    @_locked
    def select_version(self, message_id: int) -> int:
        """Show ``message_id`` instead of its other versions; returns its conversation id.

        The messages that followed it when it was last shown come back with it; a message on a
        branch not shown (a search hit, say) is shown with the versions before it that lead to it.
        When this changes what the conversation shows, the conversation forgets its Coze
        conversation (the next question starts a new one, with the shown messages as context).
        Raises :class:`NotFoundError` when the message does not exist.
        """
        with self._db.transaction() as conn:
            row = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"message {message_id} does not exist", path=self.path)
            conversation_id = int(row[0])
            before = _shown_ids(conn, conversation_id)
            current: int | None = message_id
            seen: set[int] = set()
            while current is not None and current not in seen:  # up to the first message
                seen.add(current)
                found = conn.execute("SELECT parent_id FROM messages WHERE id = ?", (current,)).fetchone()
                if found is None:
                    break
                conn.execute(
                    "UPDATE messages SET selected = (id = ?) WHERE conversation_id = ? AND parent_id IS ? "
                    "AND selected != (id = ?)",
                    (current, conversation_id, found[0], current),
                )
                current = found[0]
            _refresh_path(conn, conversation_id)
            if _shown_ids(conn, conversation_id) != before:
                conn.execute(
                    "UPDATE conversations SET coze_conversation_id = NULL WHERE id = ?", (conversation_id,)
                )
        return conversation_id

    @_locked
    def delete_message_forever(self, message_id: int) -> None:
        """Delete one message (in the trash or not) with its sources, follow-ups and usage.

        The messages that followed it now follow the message it followed.
        """
        with self._db.transaction() as conn:
            row = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            used = _files_of(conn, "m.id = ?", (message_id,))
            if row is None or not _delete_messages(conn, "id = ?", (message_id,)):
                raise NotFoundError(f"message {message_id} does not exist", path=self.path)
            _refresh_path(conn, int(row[0]))
            unused = self._forget_files(conn, used)
        self._remove_copies(unused)

    delete_message = delete_message_forever  # the name before the trash; still deletes for good

    # ------------------------------------------------------------------------- streaming replies

    @_locked
    def start_reply(
        self,
        conversation_id: int,
        *,
        coze_chat_id: str | None = None,
        created_at: float | None = None,
        checkpoint_interval: float = CHECKPOINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        version_of: int | None = None,
    ) -> ReplyWriter:
        """Save an empty assistant answer in state ``streaming`` and return its writer.

        Call this before the first delta arrives. ``clock`` (monotonic seconds) decides when a
        checkpoint is due; tests pass a fake one. With ``version_of`` (an answer's id) the reply
        is a new version of that answer, in its place: see :meth:`add_message`.
        """
        message = Message(
            id=None,
            conversation_id=conversation_id,
            role=Role.ASSISTANT,
            type="answer",
            state=MessageState.STREAMING,
            coze_chat_id=coze_chat_id,
            created_at=created_at or time.time(),
        )
        saved = self.add_message(message, version_of=version_of)
        return ReplyWriter(self, saved, checkpoint_interval=checkpoint_interval, clock=clock)

    @_locked
    def _save_checkpoint(self, message_id: int, text: str, reasoning: str) -> None:
        # 'streaming' again: another process opening the store meanwhile marked it interrupted.
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE messages SET text = ?, reasoning = ?, state = 'streaming' WHERE id = ?",
                (text, reasoning, message_id),
            )

    @_locked
    def _save_final(self, message: Message) -> bool:
        assert message.id is not None and message.conversation_id is not None
        error = message.error
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE messages SET text = ?, reasoning = ?, state = ?, error_code = ?, "
                "error_text = ?, error_logid = ?, coze_message_id = coalesce(?, coze_message_id), "
                "coze_chat_id = coalesce(?, coze_chat_id), steps = ? WHERE id = ?",
                (
                    message.text,
                    message.reasoning,
                    message.state.value,
                    error.code if error else None,
                    error.message if error else None,
                    error.logid if error else None,
                    message.coze_message_id,
                    message.coze_chat_id,
                    steps_to_text(message.steps),
                    message.id,
                ),
            )
            if cursor.rowcount == 0:
                return False  # the user deleted the conversation while the answer streamed
            # An answer finished again (a reply that waited for tool outputs and went on): its
            # details are replaced, not added to.
            for table in ("sources", "follow_ups", "usage"):
                conn.execute(f"DELETE FROM {table} WHERE message_id = ?", (message.id,))  # noqa: S608
            _insert_details(
                conn, message.id, message.sources, message.follow_ups, message.usage, message.duration
            )
            _touch_conversation(conn, message.conversation_id, time.time())
        return True

    # -------------------------------------------------------------------------------- import

    @_locked
    def import_conversation(
        self, conversation: Conversation, messages: Iterable[Message], bot: Bot | None = None
    ) -> bool:
        """Save a conversation read from an export file, all or nothing; idempotent by uid.

        Returns ``False`` (and changes nothing) when a conversation with the same ``uid`` is
        already saved. Messages whose ``uid`` is already saved are skipped; a message saved as
        ``streaming`` comes in as ``interrupted``. ``bot``, if given, is saved too. Attachments
        are saved as :meth:`add_message` saves them (a ``path`` to an existing file is copied).
        """
        message_list = list(messages)
        for message in message_list:
            check_sources(message.sources)
        message_list = [self._with_kept_files(message) for message in message_list]
        with self._db.transaction() as conn:
            if (
                conversation.uid
                and conn.execute("SELECT 1 FROM conversations WHERE uid = ?", (conversation.uid,)).fetchone()
            ):
                return False
            if bot is not None:
                _upsert_bot(conn, bot)
            saved = self._insert_conversation(conn, conversation)
            assert saved.id is not None
            skipped = 0
            # Versions: a message names its parent by uid ("" for a first message); one without
            # (an older export) follows the message before it, so a list stays a list.
            ids_by_uid: dict[str, int] = {}
            previous: int | None = None
            for message in message_list:
                if (
                    message.uid
                    and conn.execute("SELECT 1 FROM messages WHERE uid = ?", (message.uid,)).fetchone()
                ):
                    skipped += 1
                    continue
                if message.state is MessageState.STREAMING:
                    message = dataclasses.replace(message, state=MessageState.INTERRUPTED)
                if message.parent_uid == "":
                    parent_id = None
                elif message.parent_uid is not None and message.parent_uid in ids_by_uid:
                    parent_id = ids_by_uid[message.parent_uid]
                else:
                    parent_id = previous
                message = dataclasses.replace(message, parent_id=parent_id)
                inserted = self._insert_message(conn, message, saved.id, refresh=False)
                assert inserted.id is not None
                ids_by_uid[inserted.uid] = previous = inserted.id
            _refresh_path(conn, saved.id)
            if conversation.updated_at:  # keep the file's time even if a message looks later
                conn.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = ?", (saved.updated_at, saved.id)
                )
        for message in message_list:
            self._attached(message.attachments)
        logger.info(
            "imported conversation %s (%d messages, %d already present)",
            saved.uid,
            len(message_list) - skipped,
            skipped,
        )
        return True

    # --------------------------------------------------------------------------------- files

    def keep_file(self, source: Path | bytes, name: str) -> MessageFile:
        """Keep a copy of an attached file (a path, or its bytes) in the data folder.

        The copy is content-addressed (one per distinct content), private, written through a
        temporary file and renamed; its size, kind and media type are recorded. Returns a
        :class:`~coze_desktop.domain.MessageFile` named ``name`` with ``sha256``, ``size``,
        ``kind``, ``mime`` and ``path`` set and ``file_id`` "". Safe to call from a worker
        thread: the copy is made without holding the store's lock. Raises
        :class:`~coze_desktop.store.files.SourceFileError` when the source cannot be read and
        :class:`~coze_desktop.store.db.StoreWriteError` when the copy cannot be written (full
        disk, read-only store); no partial file is left either way.
        """
        if self.read_only:
            raise StoreWriteError(
                f"聊天记录以只读方式打开，无法保存附件。The history {self.path} is open read-only: "
                "the attachment cannot be kept.",
                path=self.path,
            )
        for _attempt in range(3):
            kept = self._files.keep(source, name)
            with self._lock:
                if not kept.path.is_file():  # deleted for good meanwhile as unused: copy again
                    continue
                with self._db.transaction() as conn:
                    conn.execute(
                        "INSERT INTO files (sha256, size, kind, mime, created_at) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (sha256) DO UPDATE SET created_at = max(created_at, excluded.created_at)",
                        (kept.sha256, kept.size, kept.kind, kept.mime, time.time()),
                    )
                self._unattached[kept.sha256] = self._unattached.get(kept.sha256, 0) + 1
            return MessageFile(
                name=name,
                size=kept.size,
                kind=kept.kind,
                mime=kept.mime,
                sha256=kept.sha256,
                path=str(kept.path),
            )
        raise StoreWriteError(  # only if copies vanish as fast as they are made
            f"附件副本一再被删除，未能保存。The copy of {name} in {self.files_dir} kept disappearing.",
            path=self.files_dir,
        )

    def file_path(self, sha256: str) -> Path | None:
        """The local copy of the content ``sha256``, or ``None`` when not kept or missing on disk."""
        return self._files.existing(sha256)

    @_locked
    def set_attachment_file_id(self, message_id: int, sha256: str, file_id: str) -> None:
        """Record Coze's ``file_id`` for the attachments of a message with content ``sha256``.

        Raises :class:`NotFoundError` when the message has no such attachment.
        """
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE attachments SET file_id = ? WHERE message_id = ? AND sha256 = ?",
                (file_id, message_id, sha256),
            ).rowcount
        if not changed:
            raise NotFoundError(f"message {message_id} has no attachment {sha256}", path=self.path)

    @_locked
    def set_message_steps(self, message_id: int, steps: Sequence[ToolStep]) -> None:
        """Replace the steps of message ``message_id`` (e.g. a waiting answer's tool calls, once
        their outputs were given). Raises :class:`NotFoundError` when there is no such message."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE messages SET steps = ? WHERE id = ?", (steps_to_text(steps), message_id)
            ).rowcount
        if not changed:
            raise NotFoundError(f"message {message_id} does not exist", path=self.path)

    @_locked
    def sweep_files(self, older_than_days: float = UNUSED_FILE_DAYS, *, now: float | None = None) -> int:
        """Delete copies no attachment uses that were kept more than ``older_than_days`` ago
        (kept for a message that was never sent), and temporary files left by a crash.

        Runs when the store opens. Copies on disk the database does not know are left alone (they
        may belong to a damaged history moved aside). Returns how many copies were deleted.
        """
        cutoff = (time.time() if now is None else now) - older_than_days * _DAY
        with self._db.translating_errors() as conn:  # a read first: opening takes no write lock
            due = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM files f WHERE f.created_at < ? "
                "AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = f.sha256))",
                (cutoff,),
            ).fetchone()[0]
        unused: list[str] = []
        if due:
            with self._db.transaction() as conn:
                rows = conn.execute(
                    "DELETE FROM files WHERE created_at < ? "
                    "AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = files.sha256) "
                    "RETURNING sha256",
                    (cutoff,),
                ).fetchall()
            unused = [str(row[0]) for row in rows if str(row[0]) not in self._unattached]
            self._remove_copies(unused)
        self._files.remove_stale_parts(cutoff)
        if unused:
            logger.info("deleted %d kept file(s) no message uses", len(unused))
        return len(unused)

    def _with_kept_files(self, message: Message) -> Message:
        """``message`` with each attachment naming its local copy (copying a given path if needed)."""
        if len(message.attachments) + len(message.sources) > MAX_SOURCES_PER_MESSAGE:
            raise ValueError(
                f"a message can keep at most {MAX_SOURCES_PER_MESSAGE} sources and attachments together"
            )
        files: list[MessageFile] = []
        for attachment in message.attachments:
            if attachment.sha256 and not is_sha256(attachment.sha256):
                raise ValueError(
                    f"attachment {attachment.name!r}: not a SHA-256 digest: {attachment.sha256!r}"
                )
            if not (attachment.sha256 and self.file_path(attachment.sha256)) and attachment.path:
                source = Path(attachment.path)
                if source.is_file():
                    kept = self.keep_file(source, attachment.name)
                    attachment = dataclasses.replace(kept, name=attachment.name, file_id=attachment.file_id)
            files.append(attachment)
        return dataclasses.replace(message, attachments=files)

    def _located(self, attachment: MessageFile) -> MessageFile:
        """A copy of ``attachment`` with ``path`` naming the local copy, or "" when there is none."""
        copy = self._files.existing(attachment.sha256) if attachment.sha256 else None
        return dataclasses.replace(attachment, path=str(copy) if copy else "")

    def _attached(self, attachments: Sequence[MessageFile]) -> None:
        """Saved attachments now hold their copies: the copies need no more protection."""
        with self._lock:
            for attachment in attachments:
                left = self._unattached.get(attachment.sha256, 0) - 1
                if left > 0:
                    self._unattached[attachment.sha256] = left
                else:
                    self._unattached.pop(attachment.sha256, None)

    def _forget_files(self, conn: sqlite3.Connection, candidates: Iterable[str]) -> list[str]:
        """In a transaction that just deleted attachments: drop the rows of the copies among
        ``candidates`` that no remaining attachment uses; returns them (delete them after commit)."""
        doomed = [sha for sha in set(candidates) if sha and sha not in self._unattached]
        if not doomed:
            return []
        rows = conn.execute(
            "DELETE FROM files WHERE sha256 IN (SELECT value FROM json_each(?)) "
            "AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = files.sha256) RETURNING sha256",
            (json.dumps(doomed),),
        ).fetchall()
        unused = {str(row[0]) for row in rows}
        # A copy with no row (made before a crash, or by an import) goes too when nothing uses it.
        for sha in doomed:
            if (
                sha not in unused
                and not conn.execute("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha,)).fetchone()
            ):
                unused.add(sha)
        return sorted(unused)

    def _remove_copies(self, digests: Iterable[str]) -> None:
        with self._lock:
            for sha in digests:
                if is_sha256(sha) and sha not in self._unattached:
                    self._files.remove(sha)

    # ----------------------------------------------------------------------------- API calls

    @_locked
    def record_api_call(self, base_url: str, token: str, *, when: float | None = None) -> int:
        """Count one API call for the account behind ``token`` this month; returns the count.

        Only :func:`~coze_desktop.domain.token_fingerprint` of the token is stored.
        """
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO api_calls (base_url, account, month, count) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (base_url, account, month) DO UPDATE SET count = count + 1 "
                "RETURNING count",
                (base_url, token_fingerprint(token), _month(when)),
            ).fetchone()
        return int(row[0])

    @_locked
    def api_calls(self, base_url: str, token: str, month: str | None = None) -> int:
        """API calls counted for ``token``'s account in ``month`` ('YYYY-MM', default: now)."""
        with self._db.translating_errors() as conn:
            row = conn.execute(
                "SELECT count FROM api_calls WHERE base_url = ? AND account = ? AND month = ?",
                (base_url, token_fingerprint(token), month or _month(None)),
            ).fetchone()
        return 0 if row is None else int(row[0])

    # -------------------------------------------------------------------------------- search

    @_locked
    def search(
        self,
        query: str,
        *,
        bot_id: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 20,
        offset: int = 0,
        markers: tuple[str, str] = DEFAULT_MARKERS,
        runs: bool = True,
    ) -> list[SearchHit]:
        """Find saved messages whose text or source passages contain every word of ``query``,
        and (with ``runs``) saved workflow runs whose text does (with ``bot_id``, only the runs
        made with that bot: ``WorkflowRun.bot_id``).

        See :func:`coze_desktop.store.search.search_messages` for matching and ranking of
        messages and :func:`~coze_desktop.store.search.search_runs` for runs. Matching runs
        (``SearchHit.run_id`` set) come first, newest first, then the messages: ``offset`` and
        ``limit`` page through that one list. ``since``/``until`` bound ``created_at`` (a run's
        start; Unix seconds, ``until`` exclusive).
        """
        with self._db.translating_errors() as conn:
            run_hits: list[SearchHit] = []
            if runs:
                run_hits = search_module.search_runs(
                    conn,
                    query,
                    bot_id=bot_id,
                    since=since,
                    until=until,
                    limit=offset + limit,
                    offset=0,
                    markers=markers,
                )
            page = run_hits[offset : offset + limit]
            if len(page) >= limit:
                return page
            return page + search_module.search_messages(
                conn,
                query,
                bot_id=bot_id,
                since=since,
                until=until,
                limit=limit - len(page),
                offset=max(0, offset - len(run_hits)),
                markers=markers,
            )


def _upsert_bot(conn: sqlite3.Connection, bot: Bot) -> None:
    conn.execute(
        f"INSERT INTO bots ({_BOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
        "ON CONFLICT (bot_id, base_url) DO UPDATE SET name = excluded.name, "
        "description = excluded.description, icon_url = excluded.icon_url, "
        "prologue = excluded.prologue, suggested_questions = excluded.suggested_questions",
        (
            bot.bot_id,
            bot.base_url,
            bot.name,
            bot.description,
            bot.icon_url,
            bot.prologue,
            json.dumps(list(bot.suggested_questions), ensure_ascii=False),
        ),
    )


def _path_end(conn: sqlite3.Connection, conversation_id: int) -> int | None:
    """The last message on the path a conversation shows, counting the ones in the trash.

    So a message added after a trashed one follows it, and a restored message comes back in
    its place rather than as another version of the next one.
    """
    row = conn.execute(
        "SELECT max(id) FROM messages WHERE conversation_id = ? AND shown = 1", (conversation_id,)
    ).fetchone()
    last: int | None = row[0] if row else None
    while True:
        if last is None:
            child = conn.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL AND selected = 1 "
                "AND deleted_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
        else:
            child = conn.execute(
                "SELECT id FROM messages WHERE parent_id = ? AND selected = 1 AND deleted_at IS NOT NULL "
                "ORDER BY id DESC LIMIT 1",
                (last,),
            ).fetchone()
        if child is None:
            return last
        last = int(child[0])


def _delete_messages(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> int:
    """Delete the messages matching ``where`` for good; their followers follow their parents."""
    sql = f"SELECT id, parent_id FROM messages WHERE {where} ORDER BY id DESC"  # noqa: S608 - fixed SQL
    doomed = [(int(message_id), parent_id) for message_id, parent_id in conn.execute(sql, params)]
    for message_id, parent_id in doomed:  # newest first, so a chain of them collapses onto its start
        conn.execute("UPDATE messages SET parent_id = ? WHERE parent_id = ?", (parent_id, message_id))
        conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    return len(doomed)


def _purge(conn: sqlite3.Connection, cutoff: float | None) -> int:
    """Delete for good what went to the trash before ``cutoff`` (everything when ``None``)."""
    before = "" if cutoff is None else " AND deleted_at < ?"
    params: tuple[object, ...] = () if cutoff is None else (cutoff,)
    sql = f"DELETE FROM conversations WHERE deleted_at IS NOT NULL{before}"  # noqa: S608 - fixed SQL
    conversations = conn.execute(sql, params).rowcount
    return conversations + _delete_messages(conn, f"deleted_at IS NOT NULL{before}", params)


def _files_of(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> set[str]:
    """The digests of the copies used by the attachments of the messages ``m`` matching ``where``."""
    sql = (
        "SELECT DISTINCT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id "  # noqa: S608
        f"WHERE a.sha256 != '' AND {where}"
    )
    return {str(row[0]) for row in conn.execute(sql, params)}


def _trash_files(conn: sqlite3.Connection, cutoff: float | None) -> set[str]:
    """The digests used by what :func:`_purge` is about to delete."""
    if cutoff is None:
        return _files_of(
            conn,
            "(m.deleted_at IS NOT NULL OR m.conversation_id IN "
            "(SELECT c.id FROM conversations c WHERE c.deleted_at IS NOT NULL))",
            (),
        )
    return _files_of(
        conn,
        "(m.deleted_at < ? OR m.conversation_id IN (SELECT c.id FROM conversations c WHERE c.deleted_at < ?))",
        (cutoff, cutoff),
    )


def _insert_attachments(
    conn: sqlite3.Connection, message_id: int, attachments: Sequence[MessageFile]
) -> None:
    if attachments:
        conn.executemany(
            "INSERT INTO attachments (message_id, position, name, sha256, size, kind, mime, file_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (message_id, position, a.name, a.sha256, a.size, a.kind, a.mime, a.file_id)
                for position, a in enumerate(attachments)
            ],
        )


def _touch_conversation(conn: sqlite3.Connection, conversation_id: int, when: float) -> None:
    conn.execute(
        "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?",
        (when, conversation_id),
    )


def _insert_details(
    conn: sqlite3.Connection,
    message_id: int,
    sources: Sequence[Source],
    follow_ups: Sequence[str],
    usage: Usage | None,
    duration: float | None,
) -> None:
    if sources:
        conn.executemany(
            "INSERT INTO sources (message_id, rank, slice, score, document, dataset, title, url) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (message_id, rank, s.slice, s.score, s.document, s.dataset, s.title, s.url)
                for rank, s in enumerate(sources)
            ],
        )
    if follow_ups:
        conn.executemany(
            "INSERT INTO follow_ups (message_id, rank, text) VALUES (?, ?, ?)",
            [(message_id, rank, text) for rank, text in enumerate(follow_ups)],
        )
    if usage is not None or duration is not None:
        conn.execute(
            "INSERT INTO usage (message_id, input_tokens, output_tokens, total_tokens, "
            "duration_seconds) VALUES (?, ?, ?, ?, ?)",
            (
                message_id,
                usage.input_count if usage else None,
                usage.output_count if usage else None,
                usage.token_count if usage else None,
                duration,
            ),
        )


def _refresh_path(conn: sqlite3.Connection, conversation_id: int) -> None:
    """Recompute ``shown`` for a conversation after its versions or its trash changed.

    Walks from the first message following the selected child at each step (the newest one
    when none is selected). A selected message in the trash gives way to its newest version not
    in the trash, if it has one (``selected`` is left alone, so restoring it shows it again);
    without one it is not shown but the walk goes on through its selected child. A message whose
    parent no longer exists counts as following the message saved before it, as in the days when
    a conversation was a list.
    """
    rows = conn.execute(
        "SELECT id, parent_id, selected, deleted_at FROM messages WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    ).fetchall()
    ids = {row[0] for row in rows}
    children: dict[int | None, list[tuple[int, bool, bool]]] = {}
    previous: int | None = None
    for message_id, parent_id, selected, deleted_at in rows:
        key = parent_id if parent_id in ids else (None if parent_id is None else previous)
        children.setdefault(key, []).append((message_id, bool(selected), deleted_at is not None))
        previous = message_id
    shown: list[int] = []
    visited: set[int] = set()
    level = children.get(None, [])
    while level:
        chosen = next((c for c in reversed(level) if c[1]), level[-1])
        if chosen[2]:  # in the trash: a version that is not takes its place, if there is one
            chosen = next((c for c in reversed(level) if not c[2]), chosen)
        chosen_id, _selected, trashed = chosen
        if chosen_id in visited:  # a cycle in damaged data: stop rather than loop
            break
        visited.add(chosen_id)
        if not trashed:
            shown.append(chosen_id)
        level = children.get(chosen_id, [])
    path = json.dumps(shown)
    conn.execute(
        "UPDATE messages SET shown = (id IN (SELECT value FROM json_each(?))) "
        "WHERE conversation_id = ? AND shown != (id IN (SELECT value FROM json_each(?)))",
        (path, conversation_id, path),
    )


def _shown_ids(conn: sqlite3.Connection, conversation_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM messages WHERE conversation_id = ? AND shown = 1 ORDER BY id", (conversation_id,)
    )
    return [int(row[0]) for row in rows]


def _attach_versions(conn: sqlite3.Connection, messages: list[Message]) -> None:
    """Fill ``selected``, ``shown``, ``version`` and ``version_count`` of loaded messages.

    Versions of a message are its siblings (same conversation and parent; the first messages
    of a conversation, whose parent is NULL, are siblings too) not in the trash, oldest first;
    a message in the trash still counts itself. Two queries whatever the number of messages
    (the loaded rows, then the siblings not in the trash); the counting is done here.
    """
    if not messages:
        return
    by_id = {m.id: m for m in messages}
    ids = json.dumps(list(by_id))
    loaded = conn.execute(
        "SELECT id, conversation_id, parent_id, selected, shown, deleted_at IS NOT NULL FROM messages "
        "WHERE id IN (SELECT value FROM json_each(?))",
        (ids,),
    ).fetchall()
    parents = json.dumps(sorted({row[2] for row in loaded if row[2] is not None}))
    root_conversations = json.dumps(sorted({row[1] for row in loaded if row[2] is None}))
    kept: dict[tuple[int, int | None], list[int]] = {}  # (conversation, parent) -> ids not in the trash
    queries = [("parent_id IN (SELECT value FROM json_each(?))", parents)]
    if root_conversations != "[]":  # first messages: by conversation (``+`` keeps the planner off
        # the parent index, whose NULL entries are every conversation's first messages)
        queries.append(
            ("conversation_id IN (SELECT value FROM json_each(?)) AND +parent_id IS NULL", root_conversations)
        )
    for where, values in queries:
        sql = f"SELECT id, conversation_id, parent_id FROM messages WHERE {where} AND deleted_at IS NULL"  # noqa: S608
        for sibling_id, conversation_id, parent_id in conn.execute(sql, (values,)):
            kept.setdefault((conversation_id, parent_id), []).append(sibling_id)
    for siblings in kept.values():
        siblings.sort()
    for message_id, conversation_id, parent_id, selected, shown, trashed in loaded:
        siblings = kept.get((conversation_id, parent_id), [])
        message = by_id[message_id]
        message.selected = bool(selected)
        message.shown = bool(shown)
        message.version = bisect.bisect_right(siblings, message_id) + (1 if trashed else 0)
        message.version_count = len(siblings) + (1 if trashed else 0)


def _attach_details(conn: sqlite3.Connection, messages: list[Message], files: FileStore) -> None:
    """Fill ``sources``, ``follow_ups``, ``usage``, ``duration`` and ``attachments`` of freshly
    loaded messages (one query per kind of detail, whatever the number of messages)."""
    if not messages:
        return
    by_id = {m.id: m for m in messages}
    ids = json.dumps(list(by_id))
    in_ids = "message_id IN (SELECT value FROM json_each(?))"
    for row in conn.execute(
        "SELECT message_id, slice, score, document, dataset, title, url FROM sources "  # noqa: S608
        f"WHERE {in_ids} ORDER BY message_id, rank",
        (ids,),
    ):
        by_id[row[0]].sources.append(Source(*row[1:]))
    for message_id, text in conn.execute(
        f"SELECT message_id, text FROM follow_ups WHERE {in_ids} ORDER BY message_id, rank",  # noqa: S608
        (ids,),
    ):
        by_id[message_id].follow_ups.append(text)
    for message_id, input_tokens, output_tokens, total_tokens, duration in conn.execute(
        "SELECT message_id, input_tokens, output_tokens, total_tokens, duration_seconds "  # noqa: S608
        f"FROM usage WHERE {in_ids}",
        (ids,),
    ):
        message = by_id[message_id]
        if total_tokens is not None or input_tokens is not None or output_tokens is not None:
            message.usage = Usage(input_tokens or 0, output_tokens or 0, total_tokens or 0)
        message.duration = duration
    for message_id, name, sha, size, kind, mime, file_id in conn.execute(
        "SELECT message_id, name, sha256, size, kind, mime, file_id FROM attachments "  # noqa: S608
        f"WHERE {in_ids} ORDER BY message_id, position",
        (ids,),
    ):
        copy = files.existing(sha) if sha else None
        by_id[message_id].attachments.append(
            MessageFile(
                name=name,
                size=size,
                kind=kind,
                mime=mime,
                sha256=sha,
                file_id=file_id,
                path=str(copy) if copy else "",
            )
        )
