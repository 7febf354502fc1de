"""Saved workflows and workflow runs: the part of :class:`~coze_desktop.store.chats.Store` that
keeps issue #12's workflows (a mixin; same lock and transactions as the chat history).

A run is saved as it streams: :meth:`RunStore.start_run` saves it ``running``; node messages go
to :meth:`RunStore.append_run_text`, which joins consecutive messages of one node into one part
and writes a checkpoint at most about once a second (a crash loses at most ~1 s of text; the
next opening marks a run left ``running`` as ``error``); :meth:`RunStore.finish_run` writes the
result. A resume continues the same run: :meth:`RunStore.resume_run` adds the user's answer as a
part and sets the run ``running`` again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coze_desktop.domain import (
    DEFAULT_BASE_URL,
    RUN_PART_KINDS,
    WORKFLOW_KINDS,
    ErrorInfo,
    Usage,
    Workflow,
    WorkflowParam,
    WorkflowRun,
    WorkflowRunPart,
    WorkflowRunResult,
    WorkflowStatus,
)
from coze_desktop.store.db import MAX_RUN_PARTS, Database, StoreError
from coze_desktop.store.db import locked as _locked

logger = logging.getLogger(__name__)

RUN_CHECKPOINT_INTERVAL = 1.0  # seconds between checkpoints of a streaming run
CRASH_MESSAGE = "运行被意外中断（程序退出或崩溃）。The run was cut off (the app quit or crashed)."


_WORKFLOW_COLUMNS = (
    "workflow_id, base_url, kind, label, name, description, bot_id, app_id, params, raw_params, added_at"
)
_RUN_COLUMNS = (
    "r.id, r.uid, r.workflow_id, r.base_url, r.bot_id, r.app_id, r.parameters, r.status, r.execute_id, "
    "r.output, r.debug_url, r.input_tokens, r.output_tokens, r.total_tokens, r.error_code, r.error_text, "
    "r.error_logid, r.started_at, r.updated_at, r.duration, r.stream, "
    "coalesce((SELECT coalesce(nullif(w.label, ''), nullif(w.name, ''), '') FROM workflows w "
    "WHERE w.workflow_id = r.workflow_id AND w.base_url = r.base_url), '')"
)
_PART_COLUMNS = (
    "kind, node_title, node_type, node_id, content, finished, event_id, interrupt_type, created_at, duration"
)


def _workflow_from_row(row: Sequence[Any]) -> Workflow:
    (workflow_id, base_url, kind, label, name, description, bot_id, app_id, params, raw_params,
     added_at) = row  # fmt: skip
    return Workflow(
        workflow_id=workflow_id,
        base_url=base_url,
        kind=kind,
        label=label,
        name=name,
        description=description,
        bot_id=bot_id,
        app_id=app_id,
        params=_params_from_text(params),
        raw_params=raw_params,
        added_at=added_at,
    )


def _params_from_text(text: str) -> list[WorkflowParam]:
    try:
        items = json.loads(text)
    except ValueError:
        return []
    out: list[WorkflowParam] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(WorkflowParam.from_json(item))
        except ValueError:
            continue
    return out


def _params_to_text(params: Iterable[WorkflowParam]) -> str:
    return json.dumps([p.to_json() for p in params], ensure_ascii=False)


def parameters_to_text(parameters: dict[str, Any]) -> str:
    """How a run's parameters are saved (and indexed): JSON, non-ASCII kept as is."""
    return json.dumps(parameters, ensure_ascii=False)


def _parameters_from_text(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _run_from_row(row: Sequence[Any]) -> WorkflowRun:
    (run_id, uid, workflow_id, base_url, bot_id, app_id, parameters, status, execute_id, output,
     debug_url, input_tokens, output_tokens, total_tokens, error_code, error_text, error_logid,
     started_at, updated_at, duration, stream, label) = row  # fmt: skip
    usage = None
    if input_tokens is not None or output_tokens is not None or total_tokens is not None:
        usage = Usage(input_tokens or 0, output_tokens or 0, total_tokens or 0)
    error = None
    if error_code is not None or error_text is not None:
        error = ErrorInfo(code=error_code, message=error_text or "", logid=error_logid)
    return WorkflowRun(
        id=run_id,
        uid=uid,
        workflow_id=workflow_id,
        base_url=base_url,
        bot_id=bot_id,
        app_id=app_id,
        parameters=_parameters_from_text(parameters),
        status=WorkflowStatus(status),
        execute_id=execute_id,
        output=output,
        debug_url=debug_url,
        usage=usage,
        error=error,
        started_at=started_at,
        updated_at=updated_at,
        duration=duration,
        stream=bool(stream),
        label=label,
    )


def _part_from_row(row: Sequence[Any]) -> WorkflowRunPart:
    (
        kind,
        node_title,
        node_type,
        node_id,
        content,
        finished,
        event_id,
        interrupt_type,
        created_at,
        duration,
    ) = row
    return WorkflowRunPart(
        kind=kind,
        node_title=node_title,
        node_type=node_type,
        node_id=node_id,
        content=content,
        finished=bool(finished),
        event_id=event_id,
        interrupt_type=interrupt_type,
        created_at=created_at,
        duration=duration,
    )


@dataclass(slots=True)
class _OpenNode:
    """The node part a streaming run is writing: its pieces are kept until a checkpoint."""

    position: int
    node_title: str
    node_id: str
    node_type: str
    pieces: list[str] = field(default_factory=list)
    finished: bool = False
    started: float = 0.0  # wall clock of its first message
    last: float = 0.0  # wall clock of its latest message
    dirty: bool = False

    @property
    def text(self) -> str:
        text = "".join(self.pieces)
        self.pieces[:] = [text] if text else []
        return text


@dataclass(slots=True)
class _RunBuffer:
    open_node: _OpenNode | None = None
    last_checkpoint: float = 0.0


class RunStore:
    """Saved workflows and runs; mixed into :class:`~coze_desktop.store.chats.Store`."""

    _db: Database
    _lock: threading.RLock
    path: Path
    # Checkpoints of streaming runs: at most one per this many seconds, by this (monotonic) clock.
    run_checkpoint_interval: float = RUN_CHECKPOINT_INTERVAL
    run_clock: Callable[[], float] = staticmethod(time.monotonic)

    def _init_runs(self) -> int:
        """Set up the buffers of streaming runs; mark runs a crash left ``running`` as ``error``."""
        self._run_buffers: dict[int, _RunBuffer] = {}
        if self._db.read_only:
            return 0
        with self._db.translating_errors() as conn:
            count = int(
                conn.execute("SELECT count(*) FROM workflow_runs WHERE status = 'running'").fetchone()[0]
            )
        if count:
            with self._db.transaction() as conn:
                conn.execute(
                    "UPDATE workflow_runs SET status = 'error', error_code = NULL, error_text = ?, "
                    "error_logid = NULL WHERE status = 'running'",
                    (CRASH_MESSAGE,),
                )
            logger.warning("%d workflow run(s) were cut off by a crash; marked them error", count)
        return count

    # ------------------------------------------------------------------------------ workflows

    @_locked
    def save_workflow(self, wf: Workflow) -> Workflow:
        """Save (or update) a workflow by ``(workflow_id, base_url)``; returns the saved copy.

        A zero ``added_at`` becomes now for a new workflow and keeps the saved one otherwise.
        """
        workflow_id = wf.workflow_id.strip()
        if not workflow_id:
            raise ValueError("a workflow needs a workflow_id")
        if wf.kind not in WORKFLOW_KINDS:
            raise ValueError(f"unknown workflow kind {wf.kind!r}")
        base_url = wf.base_url.rstrip("/")
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT added_at FROM workflows WHERE workflow_id = ? AND base_url = ?",
                (workflow_id, base_url),
            ).fetchone()
            added_at = wf.added_at or (row[0] if row else time.time())
            conn.execute(
                f"INSERT INTO workflows ({_WORKFLOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
                "ON CONFLICT (workflow_id, base_url) DO UPDATE SET kind = excluded.kind, "
                "label = excluded.label, name = excluded.name, description = excluded.description, "
                "bot_id = excluded.bot_id, app_id = excluded.app_id, params = excluded.params, "
                "raw_params = excluded.raw_params, added_at = excluded.added_at",
                (
                    workflow_id,
                    base_url,
                    wf.kind,
                    wf.label,
                    wf.name,
                    wf.description,
                    wf.bot_id,
                    wf.app_id,
                    _params_to_text(wf.params),
                    wf.raw_params,
                    added_at,
                ),
            )
        return dataclasses.replace(
            wf, workflow_id=workflow_id, base_url=base_url, added_at=added_at, params=list(wf.params)
        )

    @_locked
    def list_workflows(self) -> list[Workflow]:
        """The saved workflows and chat-flows, in the order they were added."""
        with self._db.translating_errors() as conn:
            rows = conn.execute(
                f"SELECT {_WORKFLOW_COLUMNS} FROM workflows ORDER BY added_at, workflow_id"  # noqa: S608
            ).fetchall()
        return [_workflow_from_row(row) for row in rows]

    @_locked
    def get_workflow(self, workflow_id: str, base_url: str = DEFAULT_BASE_URL) -> Workflow | None:
        with self._db.translating_errors() as conn:
            row = conn.execute(
                f"SELECT {_WORKFLOW_COLUMNS} FROM workflows WHERE workflow_id = ? AND base_url = ?",  # noqa: S608
                (workflow_id, base_url.rstrip("/")),
            ).fetchone()
        return None if row is None else _workflow_from_row(row)

    @_locked
    def remove_workflow(self, workflow_id: str, base_url: str = DEFAULT_BASE_URL) -> bool:
        """Forget a saved workflow (its runs stay readable). False when it was not saved."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM workflows WHERE workflow_id = ? AND base_url = ?",
                (workflow_id, base_url.rstrip("/")),
            )
        return cursor.rowcount > 0

    @_locked
    def set_workflow_params(
        self, workflow_id: str, base_url: str, params: Sequence[WorkflowParam], raw_params: str = ""
    ) -> None:
        """Remember the parameter rows (and raw JSON text) last used with a saved workflow.

        Nothing happens for a workflow that is not saved."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE workflows SET params = ?, raw_params = ? WHERE workflow_id = ? AND base_url = ?",
                (_params_to_text(params), raw_params, workflow_id, base_url.rstrip("/")),
            )

    # ----------------------------------------------------------------------------------- runs

    @_locked
    def start_run(self, run: WorkflowRun) -> WorkflowRun:
        """Save a new run as ``running``; returns a copy with ``id``, ``uid`` and times filled in.

        Parts given with it are saved too (an import uses :meth:`import_run` instead)."""
        with self._db.transaction() as conn:
            saved = self._insert_run(conn, dataclasses.replace(run, status=WorkflowStatus.RUNNING))
        assert saved.id is not None
        self._run_buffers[saved.id] = _RunBuffer(last_checkpoint=self.run_clock())
        return saved

    def _insert_run(self, conn: sqlite3.Connection, run: WorkflowRun) -> WorkflowRun:
        uid = run.uid or uuid.uuid4().hex
        if conn.execute("SELECT 1 FROM workflow_runs WHERE uid = ?", (uid,)).fetchone():
            raise StoreError(f"a workflow run with uid {uid} already exists", path=self.path)
        if not run.workflow_id:
            raise ValueError("a run needs a workflow_id")
        if len(run.parts) > MAX_RUN_PARTS:
            raise ValueError(f"a run can keep at most {MAX_RUN_PARTS} parts, got {len(run.parts)}")
        started_at = run.started_at or time.time()
        updated_at = run.updated_at or started_at
        usage, error = run.usage, run.error
        cursor = conn.execute(
            "INSERT INTO workflow_runs (uid, workflow_id, base_url, bot_id, app_id, parameters, status, "
            "execute_id, output, debug_url, input_tokens, output_tokens, total_tokens, error_code, "
            "error_text, error_logid, started_at, updated_at, duration, stream) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                run.workflow_id,
                run.base_url.rstrip("/"),
                run.bot_id,
                run.app_id,
                parameters_to_text(run.parameters),
                run.status.value,
                run.execute_id,
                run.output,
                run.debug_url,
                usage.input_count if usage else None,
                usage.output_count if usage else None,
                usage.token_count if usage else None,
                error.code if error else None,
                error.message if error else None,
                error.logid if error else None,
                started_at,
                updated_at,
                run.duration,
                int(run.stream),
            ),
        )
        run_id = int(cursor.lastrowid or 0)
        for position, part in enumerate(run.parts):
            _insert_part(conn, run_id, position, part)
        return dataclasses.replace(
            run,
            id=run_id,
            uid=uid,
            base_url=run.base_url.rstrip("/"),
            started_at=started_at,
            updated_at=updated_at,
            parts=list(run.parts),
        )

    @_locked
    def add_run_part(self, run_id: int, part: WorkflowRunPart) -> None:
        """Append a part (an interrupt, an answer, an error, a whole node) after the run's parts.

        A node being streamed by :meth:`append_run_text` is written and closed first."""
        if part.kind not in RUN_PART_KINDS:
            raise ValueError(f"unknown run part kind {part.kind!r}")
        with self._db.transaction() as conn:
            self._flush_run(conn, run_id, close=True)
            position = _next_position(conn, run_id)
            _insert_part(conn, run_id, position, part)
            conn.execute("UPDATE workflow_runs SET updated_at = ? WHERE id = ?", (time.time(), run_id))

    @_locked
    def append_run_text(
        self,
        run_id: int,
        node_title: str,
        node_id: str,
        text: str,
        finished: bool = False,
        *,
        node_type: str = "",
    ) -> None:
        """Add a node's message to a streaming run: consecutive messages of one node (same
        ``node_id``, else same title) join into one part. Checkpoints at most about once a second.

        May raise :class:`~coze_desktop.store.db.StoreWriteError` from a checkpoint; the text stays
        in memory and the next checkpoint or :meth:`finish_run` retries.
        """
        buffer = self._run_buffers.setdefault(run_id, _RunBuffer(last_checkpoint=self.run_clock()))
        now = time.time()
        node = buffer.open_node
        same = (
            node is not None
            and not node.finished
            and ((node.node_id == node_id) if (node_id or node.node_id) else node.node_title == node_title)
        )
        if node is None or not same:
            position = self._reserve_position(run_id, buffer)
            node = _OpenNode(position, node_title, node_id, node_type, started=now)
            buffer.open_node = node
        if text:
            node.pieces.append(text)
        node.node_type = node.node_type or node_type
        node.finished = node.finished or finished
        node.last = now
        node.dirty = True
        if self.run_clock() - buffer.last_checkpoint >= self.run_checkpoint_interval:
            self.checkpoint_run(run_id)

    def _reserve_position(self, run_id: int, buffer: _RunBuffer) -> int:
        """The position of a new node part: the open node (if any) is written first."""
        with self._db.transaction() as conn:
            self._flush_run(conn, run_id, close=True)
            position = _next_position(conn, run_id)
            # The part is written now (empty) so the positions stay in order with other parts.
            _insert_part(conn, run_id, position, WorkflowRunPart("node", created_at=time.time()))
        return position

    @_locked
    def checkpoint_run(self, run_id: int) -> None:
        """Write the streaming node's text now (if it changed since the last checkpoint)."""
        buffer = self._run_buffers.get(run_id)
        if buffer is None:
            return
        buffer.last_checkpoint = self.run_clock()  # even if it fails: retry in a second
        with self._db.transaction() as conn:
            self._flush_run(conn, run_id, close=False)
            # 'running' again: another process opening the store meanwhile marked it as cut off.
            conn.execute(
                "UPDATE workflow_runs SET status = 'running', error_code = NULL, error_text = NULL, "
                "error_logid = NULL, updated_at = ? WHERE id = ?",
                (time.time(), run_id),
            )

    def _flush_run(self, conn: sqlite3.Connection, run_id: int, *, close: bool) -> None:
        buffer = self._run_buffers.get(run_id)
        node = buffer.open_node if buffer else None
        if buffer is None or node is None:
            return
        if node.dirty:
            conn.execute(
                "UPDATE workflow_run_parts SET node_title = ?, node_type = ?, node_id = ?, content = ?, "
                "finished = ?, created_at = ?, duration = ? WHERE run_id = ? AND position = ?",
                (
                    node.node_title,
                    node.node_type,
                    node.node_id,
                    node.text,
                    int(node.finished),
                    node.started,
                    max(0.0, node.last - node.started),
                    run_id,
                    node.position,
                ),
            )
            node.dirty = False
        if close:
            buffer.open_node = None

    @_locked
    def finish_run(self, run_id: int, result: WorkflowRunResult, duration: float | None = None) -> None:
        """Save how a run (or one resume of it) ended: status, output, debug url, usage, error,
        execute id. The streaming node is written; nodes of ``result`` are saved as parts when
        none were streamed since the last answer (a run saved only at its end); the interrupt
        becomes an ``interrupt`` part and an error an ``error`` part. ``duration`` adds to the
        run's. A run that does not exist any more (deleted meanwhile) is left alone.
        """
        status = result.status if result.status is not WorkflowStatus.RUNNING else WorkflowStatus.ERROR
        error = result.error
        if status is WorkflowStatus.ERROR and error is None:
            error = ErrorInfo(None, "the run ended without a result")
        usage = result.usage
        now = time.time()
        with self._db.transaction() as conn:
            if not conn.execute("SELECT 1 FROM workflow_runs WHERE id = ?", (run_id,)).fetchone():
                self._run_buffers.pop(run_id, None)
                logger.info("workflow run %d was deleted while it ran; not saved", run_id)
                return
            self._flush_run(conn, run_id, close=True)
            kinds = [
                row[0]
                for row in conn.execute(
                    "SELECT kind FROM workflow_run_parts WHERE run_id = ? ORDER BY position", (run_id,)
                )
            ]
            since_answer = kinds[len(kinds) - kinds[::-1].index("answer") :] if "answer" in kinds else kinds
            position = _next_position(conn, run_id)
            if "node" not in since_answer:
                for node in result.nodes:
                    part = WorkflowRunPart(
                        "node",
                        node_title=node.node_title,
                        node_type=node.node_type,
                        node_id=node.node_id,
                        content=node.content,
                        finished=node.finished,
                        created_at=now,
                    )
                    _insert_part(conn, run_id, position, part)
                    position += 1
            interrupt = result.interrupt
            if (
                interrupt is not None
                and not conn.execute(
                    "SELECT 1 FROM workflow_run_parts WHERE run_id = ? AND kind = 'interrupt' AND event_id = ?",
                    (run_id, interrupt.event_id),
                ).fetchone()
            ):
                part = WorkflowRunPart(
                    "interrupt",
                    node_title=interrupt.node_title,
                    content=interrupt.question,
                    event_id=interrupt.event_id,
                    interrupt_type=interrupt.type,
                    created_at=now,
                )
                _insert_part(conn, run_id, position, part)
                position += 1
            if status is WorkflowStatus.ERROR and error is not None:
                _insert_part(
                    conn, run_id, position, WorkflowRunPart("error", content=error.message, created_at=now)
                )
            conn.execute(
                "UPDATE workflow_runs SET status = ?, output = CASE WHEN ? != '' THEN ? ELSE output END, "
                "execute_id = coalesce(?, execute_id), debug_url = coalesce(?, debug_url), "
                "input_tokens = CASE WHEN ? THEN coalesce(input_tokens, 0) + ? ELSE input_tokens END, "
                "output_tokens = CASE WHEN ? THEN coalesce(output_tokens, 0) + ? ELSE output_tokens END, "
                "total_tokens = CASE WHEN ? THEN coalesce(total_tokens, 0) + ? ELSE total_tokens END, "
                "error_code = ?, error_text = ?, error_logid = ?, updated_at = ?, "
                "duration = CASE WHEN ? IS NULL THEN duration ELSE coalesce(duration, 0) + ? END "
                "WHERE id = ?",
                (
                    status.value,
                    result.output,
                    result.output,
                    result.execute_id,
                    result.debug_url,
                    usage is not None,
                    usage.input_count if usage else 0,
                    usage is not None,
                    usage.output_count if usage else 0,
                    usage is not None,
                    usage.token_count if usage else 0,
                    error.code if error and status is WorkflowStatus.ERROR else None,
                    error.message if error and status is WorkflowStatus.ERROR else None,
                    error.logid if error and status is WorkflowStatus.ERROR else None,
                    now,
                    duration,
                    duration,
                    run_id,
                ),
            )
        self._run_buffers.pop(run_id, None)

    @_locked
    def resume_run(self, run_id: int, answer: str, event_id: str, *, interrupt_type: int = 0) -> None:
        """The user answered the run's interrupt ``event_id``: the answer becomes a part and the
        run is ``running`` again (its parts continue after it). Raises ``LookupError`` (a
        :class:`~coze_desktop.store.chats.NotFoundError`) when the run does not exist."""
        from coze_desktop.store.chats import NotFoundError

        now = time.time()
        with self._db.transaction() as conn:
            row = conn.execute("SELECT 1 FROM workflow_runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"workflow run {run_id} does not exist", path=self.path)
            if not interrupt_type:
                found = conn.execute(
                    "SELECT interrupt_type FROM workflow_run_parts WHERE run_id = ? AND kind = 'interrupt' "
                    "AND event_id = ? ORDER BY position DESC LIMIT 1",
                    (run_id, event_id),
                ).fetchone()
                interrupt_type = int(found[0]) if found else 0
            self._flush_run(conn, run_id, close=True)
            part = WorkflowRunPart(
                "answer", content=answer, event_id=event_id, interrupt_type=interrupt_type, created_at=now
            )
            _insert_part(conn, run_id, _next_position(conn, run_id), part)
            conn.execute(
                "UPDATE workflow_runs SET status = 'running', error_code = NULL, error_text = NULL, "
                "error_logid = NULL, updated_at = ? WHERE id = ?",
                (now, run_id),
            )
        self._run_buffers[run_id] = _RunBuffer(last_checkpoint=self.run_clock())

    @_locked
    def get_run(self, run_id: int) -> WorkflowRun | None:
        """A run with its parts (text not yet checkpointed included), or ``None``."""
        return self._fetch_run("r.id = ?", run_id)

    @_locked
    def get_run_by_uid(self, uid: str) -> WorkflowRun | None:
        return self._fetch_run("r.uid = ?", uid)

    def _fetch_run(self, where: str, value: object) -> WorkflowRun | None:
        with self._db.translating_errors() as conn:
            row = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM workflow_runs r WHERE {where}",  # noqa: S608 - fixed SQL
                (value,),
            ).fetchone()
            if row is None:
                return None
            run = _run_from_row(row)
            run.parts = [
                _part_from_row(r)
                for r in conn.execute(
                    f"SELECT {_PART_COLUMNS} FROM workflow_run_parts WHERE run_id = ? "  # noqa: S608
                    "ORDER BY position",
                    (run.id,),
                )
            ]
        buffer = self._run_buffers.get(run.id) if run.id is not None else None
        node = buffer.open_node if buffer else None
        if node is not None and 0 <= node.position < len(run.parts):
            part = run.parts[node.position]
            part.node_title, part.node_id, part.node_type = node.node_title, node.node_id, node.node_type
            part.content, part.finished = node.text, node.finished
        return run

    @_locked
    def list_runs(
        self,
        workflow_id: str | None = None,
        base_url: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[WorkflowRun]:
        """A page of runs, newest first (parts not loaded)."""
        where, params = _run_filter(workflow_id, base_url)
        with self._db.translating_errors() as conn:
            rows = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM workflow_runs r {where} "  # noqa: S608 - fixed SQL
                "ORDER BY r.started_at DESC, r.id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [_run_from_row(row) for row in rows]

    @_locked
    def list_runs_without_workflow(self, limit: int = 50) -> list[WorkflowRun]:
        """The newest runs whose workflow is not in the saved list (removed, or never added, as
        runs of the CLI), newest first (parts not loaded)."""
        with self._db.translating_errors() as conn:
            rows = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM workflow_runs r WHERE NOT EXISTS ("  # noqa: S608 - fixed SQL
                " SELECT 1 FROM workflows w WHERE w.workflow_id = r.workflow_id AND w.base_url = r.base_url) "
                "ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_run_from_row(row) for row in rows]

    @_locked
    def count_runs(self, workflow_id: str | None = None, base_url: str | None = None) -> int:
        where, params = _run_filter(workflow_id, base_url)
        with self._db.translating_errors() as conn:
            return int(conn.execute(f"SELECT count(*) FROM workflow_runs r {where}", params).fetchone()[0])  # noqa: S608

    @_locked
    def find_run_by_execute_id(self, execute_id: str) -> WorkflowRun | None:
        """The newest run with this execute id, with its parts, or ``None``."""
        with self._db.translating_errors() as conn:
            row = conn.execute(
                "SELECT id FROM workflow_runs WHERE execute_id = ? ORDER BY id DESC LIMIT 1", (execute_id,)
            ).fetchone()
        return None if row is None else self._fetch_run("r.id = ?", row[0])

    @_locked
    def find_run_by_event_id(self, event_id: str) -> WorkflowRun | None:
        """The run holding the interrupt ``event_id``, with its parts, or ``None``."""
        if not event_id:
            return None
        with self._db.translating_errors() as conn:
            row = conn.execute(
                "SELECT run_id FROM workflow_run_parts WHERE event_id = ? AND kind = 'interrupt' "
                "ORDER BY run_id DESC LIMIT 1",
                (event_id,),
            ).fetchone()
        return None if row is None else self._fetch_run("r.id = ?", row[0])

    @_locked
    def delete_run(self, run_id: int) -> bool:
        """Delete a run with its parts for good. False when it did not exist."""
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM workflow_runs WHERE id = ?", (run_id,))
        self._run_buffers.pop(run_id, None)
        return cursor.rowcount > 0

    @_locked
    def import_run(self, run: WorkflowRun) -> bool:
        """Save a run read from an export file with its parts; idempotent by uid.

        Returns ``False`` (and changes nothing) when a run with the same ``uid`` is saved. A run
        saved ``running`` comes in as ``error`` (it was cut off where it was exported)."""
        if run.status is WorkflowStatus.RUNNING:
            run = dataclasses.replace(
                run, status=WorkflowStatus.ERROR, error=run.error or ErrorInfo(None, CRASH_MESSAGE)
            )
        with self._db.transaction() as conn:
            if run.uid and conn.execute("SELECT 1 FROM workflow_runs WHERE uid = ?", (run.uid,)).fetchone():
                return False
            self._insert_run(conn, run)
        return True


def run_title(conn: sqlite3.Connection, run_id: int) -> tuple[str, float]:
    """The title of a saved run (see :attr:`WorkflowRun.title`) and when it started."""
    row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM workflow_runs r WHERE r.id = ?", (run_id,)).fetchone()  # noqa: S608
    if row is None:
        return "", 0.0
    run = _run_from_row(row)
    return run.title, run.started_at


def _run_filter(workflow_id: str | None, base_url: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if workflow_id is not None:
        clauses.append("r.workflow_id = ?")
        params.append(workflow_id)
    if base_url is not None:
        clauses.append("r.base_url = ?")
        params.append(base_url.rstrip("/"))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _next_position(conn: sqlite3.Connection, run_id: int) -> int:
    row = conn.execute("SELECT max(position) FROM workflow_run_parts WHERE run_id = ?", (run_id,)).fetchone()
    position = 0 if row is None or row[0] is None else int(row[0]) + 1
    if position > MAX_RUN_PARTS - 1:
        raise ValueError(f"a run can keep at most {MAX_RUN_PARTS} parts")
    return position


def _insert_part(conn: sqlite3.Connection, run_id: int, position: int, part: WorkflowRunPart) -> None:
    if part.kind not in RUN_PART_KINDS:
        raise ValueError(f"unknown run part kind {part.kind!r}")
    conn.execute(
        f"INSERT INTO workflow_run_parts (run_id, position, {_PART_COLUMNS}) "  # noqa: S608 - fixed SQL
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            position,
            part.kind,
            part.node_title,
            part.node_type,
            part.node_id,
            part.content,
            int(part.finished),
            part.event_id,
            int(part.interrupt_type),
            part.created_at or time.time(),
            part.duration,
        ),
    )
