"""Plain data shared by every layer: the client, the store, the CLI and the GUI.

No Qt, no I/O. Everything that crosses a layer boundary is one of these dataclasses.
Times are Unix seconds as ``float``.
"""

from __future__ import annotations

import hashlib
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
    parent_uid: str | None = None  # export/import: the parent's uid, "" for a first message, None: the one before
    attachments: list[MessageFile] = field(default_factory=list)  # in the order they were attached


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
