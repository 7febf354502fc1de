"""Plain data shared by every layer: the client, the store, the CLI and the GUI.

No Qt, no I/O. Everything that crosses a layer boundary is one of these dataclasses.
Times are Unix seconds as ``float``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DEFAULT_BASE_URL = "https://api.coze.cn"
GLOBAL_BASE_URL = "https://api.coze.com"


class ChatStatus(StrEnum):
    """Status of one chat turn, as Coze reports it, plus ``error`` for client-side failures."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"
    CANCELED = "canceled"
    ERROR = "error"  # not a Coze status: the request or the stream broke (network, error event, bad JSON)

    @classmethod
    def parse(cls, value: object) -> ChatStatus | None:
        """Map a wire status to a member; accepts the open-source spellings (``cancelled``, ``required_action``)."""
        if not isinstance(value, str):
            return None
        v = value.strip().lower()
        v = {"cancelled": "canceled", "required_action": "requires_action"}.get(v, v)
        try:
            return cls(v)
        except ValueError:
            return None

    @property
    def is_terminal(self) -> bool:
        return self not in (ChatStatus.CREATED, ChatStatus.IN_PROGRESS)


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class MessageState(StrEnum):
    """Lifecycle of a saved message."""

    COMPLETE = "complete"
    STREAMING = "streaming"  # being written right now
    STOPPED = "stopped"  # the user pressed Stop; the text so far is kept
    INTERRUPTED = "interrupted"  # the app died mid-reply; found on the next start
    FAILED = "failed"  # an API or network error ended it; ``error`` says why


@dataclass(slots=True)
class Source:
    """One knowledge-base passage a bot recalled for an answer."""

    slice: str = ""
    score: float | None = None
    document: str = ""
    dataset: str = ""
    title: str = ""
    url: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "slice": self.slice,
            "score": self.score,
            "document": self.document,
            "dataset": self.dataset,
            "title": self.title,
            "url": self.url,
        }


@dataclass(slots=True)
class Usage:
    input_count: int = 0
    output_count: int = 0
    token_count: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "input_count": self.input_count,
            "output_count": self.output_count,
            "token_count": self.token_count,
        }


@dataclass(slots=True)
class ErrorInfo:
    """Why a chat failed, in a form that can be saved and shown again later.

    Its kind is not saved: ``coze_desktop.api.errors.classify(code)`` derives it from the code.
    """

    code: int | None
    message: str
    logid: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "logid": self.logid}


@dataclass(slots=True)
class Bot:
    bot_id: str
    name: str = ""
    description: str = ""
    icon_url: str = ""
    prologue: str = ""
    suggested_questions: list[str] = field(default_factory=list)
    base_url: str = DEFAULT_BASE_URL


TOOL_STEP_KINDS = ("function_call", "tool_response", "tool_output", "tool_call", "reply_message")
CALL_STEP_KINDS = ("tool_call", "reply_message")  # requires_action calls the person answers


@dataclass(slots=True)
class ToolStep:
    """One step an answer took before (or while) answering: a plugin or function the bot called
    and what came back. Shown as collapsible steps above the answer.

    ``kind`` is ``function_call`` (the bot called ``name`` with ``arguments``; ``result`` is the
    paired ``tool_response``/``tool_output`` when one came), ``tool_response``/``tool_output`` (a
    response with no call before it), or ``tool_call`` (a ``requires_action`` call answered by
    the user in the app, ``result`` the output submitted, or still pending when ``result`` is ""),
    or ``reply_message`` (the same for a call in which the bot asks the person a question, its
    ``arguments`` holding the question, ``result`` the answer): see :data:`CALL_STEP_KINDS`.
    """

    kind: str
    name: str = ""
    arguments: str = ""  # JSON text as received
    result: str = ""
    call_id: str = ""
    duration_ms: int | None = None
    created_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "arguments": self.arguments,
            "result": self.result,
            "call_id": self.call_id,
            "duration_ms": self.duration_ms,
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, d: Any) -> ToolStep:
        """Lenient: missing fields take defaults, wrong types are coerced or dropped."""
        if not isinstance(d, dict):
            raise ValueError("a step must be a JSON object")
        kind = d.get("kind")
        if not isinstance(kind, str) or not kind:
            raise ValueError("a step needs a kind")
        duration = d.get("duration_ms")
        created = d.get("created_at")
        args = d.get("arguments", "")
        return cls(
            kind=kind,
            name=_text(d.get("name")),
            arguments=args if isinstance(args, str) else json.dumps(args, ensure_ascii=False),
            result=_text(d.get("result")),
            call_id=_text(d.get("call_id")),
            duration_ms=int(duration)
            if isinstance(duration, int | float) and not isinstance(duration, bool)
            else None,
            created_at=float(created)
            if isinstance(created, int | float) and not isinstance(created, bool)
            else 0.0,
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def steps_to_text(steps: Iterable[ToolStep]) -> str:
    """The JSON text a list of steps is saved as ("" for none)."""
    items = [s.to_json() for s in steps]
    return json.dumps(items, ensure_ascii=False) if items else ""


def steps_from_text(text: str | None) -> list[ToolStep]:
    """The steps saved by :func:`steps_to_text`; damaged text gives the steps that can be read."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    out: list[ToolStep] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(ToolStep.from_json(item))
        except ValueError:
            continue
    return out


@dataclass(slots=True)
class ChatResult:
    """Everything one chat turn produced, folded from its events (stream or poll)."""

    status: ChatStatus = ChatStatus.IN_PROGRESS
    conversation_id: str | None = None
    chat_id: str | None = None
    answer: str = ""
    reasoning: str = ""
    sources: list[Source] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    usage: Usage | None = None
    required_action: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    answer_message_id: str | None = None
    steps: list[ToolStep] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``coze-cli chat --json`` object (see README)."""
        return {
            "status": self.status.value,
            "conversation_id": self.conversation_id,
            "chat_id": self.chat_id,
            "answer": self.answer,
            "reasoning": self.reasoning,
            "sources": [s.to_json() for s in self.sources],
            "follow_ups": list(self.follow_ups),
            "usage": self.usage.to_json() if self.usage else None,
            "required_action": self.required_action,
            "error": self.error.to_json() if self.error else None,
            "steps": [s.to_json() for s in self.steps],
        }


@dataclass(slots=True)
class Conversation:
    """A locally saved conversation."""

    id: int | None
    bot_id: str
    title: str = ""
    base_url: str = DEFAULT_BASE_URL
    coze_conversation_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    pinned: bool = False
    uid: str = ""  # stable global id (uuid4 hex), kept across export and import
    workflow_id: str | None = None  # a chat-flow's conversation: the chat-flow (bot_id "" when none)
    app_id: str | None = None  # the app a chat-flow conversation runs in, else None


@dataclass(slots=True)
class MessageFile:
    """A file attached to a message (an upload of the user's, or an image in a reply), as the
    local history keeps it: one content-addressed copy per distinct file in the data folder."""

    name: str  # the original file name, shown to people (Chinese names included)
    size: int  # bytes
    kind: str = "file"  # image | audio | file: told by content (api.files.kind_of), not by name
    mime: str = ""  # media type, e.g. image/png, application/pdf; "" when unknown
    sha256: str = ""  # hex digest of the content: names the local copy; "" when no copy was ever kept
    file_id: str = ""  # Coze's id from /v1/files/upload; "" when not uploaded (e.g. imported)
    path: str = ""  # absolute path of the local copy when the store has it, else ""

    def to_json(self) -> dict[str, Any]:
        """Everything but ``path`` (a detail of one machine's data folder)."""
        return {
            "name": self.name,
            "size": self.size,
            "kind": self.kind,
            "mime": self.mime,
            "sha256": self.sha256,
            "file_id": self.file_id,
        }


@dataclass(slots=True)
class Message:
    """A locally saved message: a user question or an assistant answer.

    ``sources``, ``follow_ups``, ``usage`` and ``duration`` belong to assistant answers.
    """

    id: int | None
    conversation_id: int | None
    role: Role
    text: str = ""
    type: str = "answer"  # Coze message type: question, answer, ...
    reasoning: str = ""
    content_type: str = "text"
    state: MessageState = MessageState.COMPLETE
    coze_message_id: str | None = None
    coze_chat_id: str | None = None
    error: ErrorInfo | None = None
    created_at: float = 0.0
    sources: list[Source] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    usage: Usage | None = None
    duration: float | None = None  # seconds from send to the end of the reply
    uid: str = ""  # stable global id (uuid4 hex), kept across export and import
    parent_id: int | None = None  # the message this one follows; None: after the last one shown
    # Versions (a regenerated answer, an edited question are siblings: same parent).
    selected: bool = True  # the version chosen among its siblings
    shown: bool = True  # on the path the conversation shows (see Store.messages)
    version: int = 1  # 1-based position among its versions, oldest first
    version_count: int = 1  # how many versions this place of the conversation has
    parent_uid: str | None = (
        None  # export/import: the parent's uid, "" for a first message, None: the one before
    )
    attachments: list[MessageFile] = field(default_factory=list)  # in the order they were attached
    steps: list[ToolStep] = field(default_factory=list)  # an answer's tool calls and responses, in order


def token_fingerprint(token: str) -> str:
    """A short, non-reversible name for an account's token, for counting API calls per account."""
    return hashlib.sha256(("coze-desktop:" + token).encode("utf-8")).hexdigest()[:12]


# --- workflow runs (issue #12) -------------------------------------------------------------------


class WorkflowStatus(StrEnum):
    """How a workflow run (or the part of it one request saw) ended."""

    RUNNING = "running"  # still streaming; never the status of a finished fold
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # a question/input node or a local plugin waits for an answer
    ERROR = "error"


@dataclass(slots=True)
class WorkflowNodeOutput:
    """What one node said: its consecutive messages joined."""

    node_title: str
    content: str = ""
    node_type: str = ""
    node_id: str = ""
    finished: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"node_title": self.node_title, "content": self.content}


@dataclass(slots=True)
class WorkflowInterruptInfo:
    """A run paused for an answer: resume it with ``event_id`` and ``type`` (coze-api.md §9)."""

    event_id: str
    type: int
    node_title: str = ""
    question: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "node_title": self.node_title,
            "question": self.question,
        }


@dataclass(slots=True)
class WorkflowRunResult:
    """Everything one workflow run (or one resume of it) produced, folded from its events."""

    status: WorkflowStatus = WorkflowStatus.RUNNING
    execute_id: str | None = None
    output: str = ""
    output_json: Any = None
    nodes: list[WorkflowNodeOutput] = field(default_factory=list)
    interrupt: WorkflowInterruptInfo | None = None
    debug_url: str | None = None
    usage: Usage | None = None
    error: ErrorInfo | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``coze-cli workflow run --json`` object (see README)."""
        return {
            "status": self.status.value,
            "execute_id": self.execute_id,
            "output": self.output,
            "output_json": self.output_json,
            "nodes": [n.to_json() for n in self.nodes],
            "interrupt": self.interrupt.to_json() if self.interrupt else None,
            "debug_url": self.debug_url,
            "usage": self.usage.to_json() if self.usage else None,
            "error": self.error.to_json() if self.error else None,
        }


# --- saved workflows and runs (issue #12) --------------------------------------------------------

WORKFLOW_KINDS = ("workflow", "chatflow")
PARAM_TYPES = ("text", "number", "boolean", "json")


@dataclass(slots=True)
class WorkflowParam:
    """One remembered parameter row of a workflow: ``value`` as typed, read by ``type``."""

    name: str
    type: str = "text"  # text | number | boolean | json
    value: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "value": self.value}

    @classmethod
    def from_json(cls, d: Any) -> WorkflowParam:
        if not isinstance(d, dict) or not isinstance(d.get("name"), str):
            raise ValueError("a parameter row must be an object with a name")
        kind = d.get("type")
        return cls(
            name=d["name"],
            type=kind if kind in PARAM_TYPES else "text",
            value=_text(d.get("value")),
        )


_TRUE = ("true", "1", "yes", "on", "是", "真")
_FALSE = ("false", "0", "no", "off", "否", "假")


def params_to_json(rows: Iterable[WorkflowParam]) -> dict[str, Any]:
    """The ``parameters`` object of a run from parameter rows (rows without a name are skipped).

    Raises ``ValueError`` with a readable message naming the row on a bad number, boolean or
    JSON value, or on a name given twice.
    """
    out: dict[str, Any] = {}
    for row in rows:
        name = row.name.strip()
        if not name:
            continue
        if name in out:
            raise ValueError(f"parameter {name!r} is given twice / 参数 {name!r} 重复")
        value = row.value
        if row.type == "number":
            out[name] = _number(name, value)
        elif row.type == "boolean":
            v = value.strip().lower()
            if v in _TRUE:
                out[name] = True
            elif v in _FALSE:
                out[name] = False
            else:
                raise ValueError(
                    f"parameter {name!r}: {value!r} is not a boolean (true or false) / "
                    f"参数 {name!r}：{value!r} 不是布尔值（true 或 false）"
                )
        elif row.type == "json":
            try:
                out[name] = json.loads(value)
            except ValueError as exc:
                raise ValueError(
                    f"parameter {name!r}: not valid JSON ({exc}) / 参数 {name!r}：不是有效的 JSON（{exc}）"
                ) from exc
        else:
            out[name] = value
    return out


def _number(name: str, value: str) -> int | float:
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"parameter {name!r}: {value!r} is not a number / 参数 {name!r}：{value!r} 不是数字")
    return number


@dataclass(slots=True)
class Workflow:
    """A saved workflow or chat-flow (listed in the sidebar), with its remembered parameters."""

    workflow_id: str
    base_url: str = DEFAULT_BASE_URL
    kind: str = "workflow"  # workflow | chatflow
    label: str = ""  # the user's name for it
    name: str = ""  # Coze's name, when known
    description: str = ""
    bot_id: str = ""
    app_id: str = ""
    params: list[WorkflowParam] = field(default_factory=list)
    raw_params: str = ""  # the raw-JSON text when the user used raw mode, else ""
    added_at: float = 0.0

    @property
    def title(self) -> str:
        return self.label or self.name or self.workflow_id


@dataclass(slots=True)
class WorkflowRunPart:
    """One piece of a saved run, in order: a node's output, an interrupt (its question), the
    user's answer to it, or the error that ended the run."""

    kind: str  # node | interrupt | answer | error
    node_title: str = ""
    node_type: str = ""
    node_id: str = ""
    content: str = ""  # node text; the question of an interrupt; the answer; the error message
    finished: bool = False
    event_id: str = ""  # interrupt and answer: the interrupt's event id
    interrupt_type: int = 0
    created_at: float = 0.0
    duration: float | None = None  # node: seconds from its first message to its last

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node_title": self.node_title,
            "node_type": self.node_type,
            "node_id": self.node_id,
            "content": self.content,
            "finished": self.finished,
            "event_id": self.event_id,
            "interrupt_type": self.interrupt_type,
            "created_at": self.created_at,
            "duration": self.duration,
        }


RUN_PART_KINDS = ("node", "interrupt", "answer", "error")


@dataclass(slots=True)
class WorkflowRun:
    """One saved run of a workflow, with every resume of it (its parts, in order)."""

    id: int | None
    uid: str = ""  # stable global id (uuid4 hex), kept across export and import
    workflow_id: str = ""
    base_url: str = DEFAULT_BASE_URL
    bot_id: str = ""
    app_id: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    status: WorkflowStatus = WorkflowStatus.RUNNING
    execute_id: str | None = None
    output: str = ""
    debug_url: str | None = None
    usage: Usage | None = None
    error: ErrorInfo | None = None
    started_at: float = 0.0
    updated_at: float = 0.0
    duration: float | None = None  # seconds the run took (all its requests together)
    stream: bool = True
    parts: list[WorkflowRunPart] = field(default_factory=list)
    label: str = ""  # the saved workflow's title when the run was read (not saved with the run)

    @property
    def title(self) -> str:
        """For lists: the workflow's label (or id) and the first parameter value."""
        head = self.label or self.workflow_id
        for value in self.parameters.values():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            text = " ".join(text.split())
            if text:
                return f"{head} · {text[:60]}"
            break
        return head

    @property
    def output_json(self) -> Any:
        """The output parsed when it is JSON (an object or array), else ``None``."""
        text = self.output.strip()
        if not text or text[0] not in "{[":
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    @property
    def resume_count(self) -> int:
        """How many times the run was resumed (its answers)."""
        return sum(1 for p in self.parts if p.kind == "answer")

    @property
    def pending_interrupt(self) -> WorkflowRunPart | None:
        """The interrupt the run waits on (status interrupted), else ``None``."""
        if self.status is not WorkflowStatus.INTERRUPTED:
            return None
        return next((p for p in reversed(self.parts) if p.kind == "interrupt"), None)
