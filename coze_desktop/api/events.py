"""Typed chat events and the wire objects they carry (coze-api.md §3).

Parsing is lenient the way a client of a changing service must be: unknown fields are
ignored, missing fields take empty values, numbers may arrive as strings, and an unknown
event name becomes :class:`UnknownEvent` instead of an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from coze_desktop.domain import ChatStatus, ErrorInfo, Usage

from .sse import SseEvent

# Event names on the wire (§3), with the open-source server's spellings (§13).
CHAT_CREATED = "conversation.chat.created"
CHAT_IN_PROGRESS = "conversation.chat.in_progress"
CHAT_COMPLETED = "conversation.chat.completed"
CHAT_FAILED = "conversation.chat.failed"
CHAT_REQUIRES_ACTION = "conversation.chat.requires_action"
CHAT_CANCELED = "conversation.chat.canceled"
MESSAGE_DELTA = "conversation.message.delta"
MESSAGE_COMPLETED = "conversation.message.completed"
AUDIO_DELTA = "conversation.audio.delta"
ERROR = "error"
DONE = "done"

_CHAT_EVENT_ALIASES = {
    "conversation.chat.cancelled": CHAT_CANCELED,
    "conversation.chat.required_action": CHAT_REQUIRES_ACTION,
}
_DONE_ALIASES = {DONE, "conversation.stream.done"}


def as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return ""


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def parse_usage(value: Any) -> Usage | None:
    """Usage in either spelling (``*_count`` or the docs' ``*_tokens``)."""
    if not isinstance(value, dict):
        return None
    inp = as_int(value.get("input_count", value.get("input_tokens")))
    out = as_int(value.get("output_count", value.get("output_tokens")))
    tot = as_int(value.get("token_count", value.get("total_tokens")))
    if inp is None and out is None and tot is None:
        return None
    inp, out = inp or 0, out or 0
    return Usage(input_count=inp, output_count=out, token_count=tot if tot is not None else inp + out)


def parse_error_info(value: Any) -> ErrorInfo | None:
    """``last_error`` or an ``error`` event payload; ``None`` when it says all is well."""
    if not isinstance(value, dict):
        return None
    code = as_int(value.get("code"))
    msg = as_str(value.get("msg", value.get("message")))
    if not code and not msg:
        return None
    return ErrorInfo(code=code, message=msg)


@dataclass(slots=True)
class ApiChat:
    """The Chat object of §3 (also returned by create, retrieve and cancel)."""

    id: str = ""
    conversation_id: str = ""
    bot_id: str = ""
    status: ChatStatus | None = None
    raw_status: str = ""
    usage: Usage | None = None
    last_error: ErrorInfo | None = None
    required_action: dict[str, Any] | None = None
    section_id: str = ""
    created_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None

    @classmethod
    def from_json(cls, d: Any) -> ApiChat:
        if not isinstance(d, dict):
            return cls()
        ra = d.get("required_action")
        return cls(
            id=as_str(d.get("id")),
            conversation_id=as_str(d.get("conversation_id")),
            bot_id=as_str(d.get("bot_id")),
            status=ChatStatus.parse(d.get("status")),
            raw_status=as_str(d.get("status")),
            usage=parse_usage(d.get("usage")),
            last_error=parse_error_info(d.get("last_error")),
            required_action=ra if isinstance(ra, dict) else None,
            section_id=as_str(d.get("section_id")),
            created_at=as_int(d.get("created_at")),
            completed_at=as_int(d.get("completed_at")),
            failed_at=as_int(d.get("failed_at")),
        )


@dataclass(slots=True)
class ApiMessage:
    """The Message object of §3 (deltas, completed messages, listed messages)."""

    id: str = ""
    conversation_id: str = ""
    bot_id: str = ""
    chat_id: str = ""
    section_id: str = ""
    role: str = ""
    type: str = ""
    content: str = ""
    content_type: str = ""
    reasoning_content: str = ""
    created_at: int | None = None
    updated_at: int | None = None
    meta_data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Any) -> ApiMessage:
        if not isinstance(d, dict):
            return cls()
        return _message_from_dict(d)


# Positional order of ApiMessage's string fields, for _message_from_dict.
_MESSAGE_STR_FIELDS = (
    "id",
    "conversation_id",
    "bot_id",
    "chat_id",
    "section_id",
    "role",
    "type",
    "content",
    "content_type",
    "reasoning_content",
)
_MESSAGE_STR_DEFAULTS = ("",) * len(_MESSAGE_STR_FIELDS)
_ONLY_STR = {str}


def _message_from_dict(d: dict[str, Any]) -> ApiMessage:
    # Hot path: one call per streamed delta. The string fields are looked up in one C-level
    # map; only when one of them is not already a string (rare) is each converted.
    get = d.get
    strs = list(map(get, _MESSAGE_STR_FIELDS, _MESSAGE_STR_DEFAULTS))
    if set(map(type, strs)) != _ONLY_STR:
        strs = [v if v.__class__ is str else as_str(v) for v in strs]
    created, updated, meta = get("created_at"), get("updated_at"), get("meta_data")
    msg_id, conv_id, bot_id, chat_id, section_id, role, kind, content, content_type, reasoning = strs
    return ApiMessage(
        msg_id,
        conv_id,
        bot_id,
        chat_id,
        section_id,
        role,
        kind,
        content,
        content_type,
        reasoning,
        None if created is None else as_int(created),
        None if updated is None else as_int(updated),
        meta if meta.__class__ is dict else {},
    )


# --- events -------------------------------------------------------------------------------


@dataclass(slots=True)
class ChatEvent:
    """Base of every typed event; ``name`` is the event name as it came on the wire."""

    name: str


@dataclass(slots=True)
class ChatStatusEvent(ChatEvent):
    """``conversation.chat.*``: the chat object changed state."""

    chat: ApiChat


@dataclass(slots=True)
class ChatCreated(ChatStatusEvent):
    pass


@dataclass(slots=True)
class ChatInProgress(ChatStatusEvent):
    pass


@dataclass(slots=True)
class ChatCompleted(ChatStatusEvent):
    """Terminal. ``chat.usage`` holds the final token counts."""


@dataclass(slots=True)
class ChatFailed(ChatStatusEvent):
    """Terminal. ``chat.last_error`` says why."""


@dataclass(slots=True)
class ChatRequiresAction(ChatStatusEvent):
    """Terminal for this request. ``chat.required_action`` lists the tool calls to answer."""


@dataclass(slots=True)
class ChatCanceled(ChatStatusEvent):
    """Terminal."""


@dataclass(slots=True)
class MessageDelta(ChatEvent):
    """A piece of a message being written: ``message.content`` and/or ``message.reasoning_content``."""

    message: ApiMessage


@dataclass(slots=True)
class MessageCompleted(ChatEvent):
    """A finished message of any type (answer, follow_up, verbose, function_call, knowledge, ...)."""

    message: ApiMessage


@dataclass(slots=True)
class AudioDelta(ChatEvent):
    """``content`` is base64 audio."""

    message: ApiMessage


@dataclass(slots=True)
class ErrorEvent(ChatEvent):
    """A stream-level ``error`` event. Terminal. ``code``/``msg`` are empty when the payload had none."""

    code: int | None
    msg: str
    data: str


@dataclass(slots=True)
class Done(ChatEvent):
    """The stream ended normally. ``data`` is the raw payload (``"[DONE]"``, ``[DONE]``, empty, or JSON)."""

    data: str


@dataclass(slots=True)
class UnknownEvent(ChatEvent):
    """An event this client does not know yet: passed on, never fatal."""

    data: str


@dataclass(slots=True)
class MalformedEvent(ChatEvent):
    """A known event whose data was not the JSON object it should be. Passed on, never fatal."""

    data: str
    reason: str


_STATUS_EVENTS: dict[str, type[ChatStatusEvent]] = {
    CHAT_CREATED: ChatCreated,
    CHAT_IN_PROGRESS: ChatInProgress,
    CHAT_COMPLETED: ChatCompleted,
    CHAT_FAILED: ChatFailed,
    CHAT_REQUIRES_ACTION: ChatRequiresAction,
    CHAT_CANCELED: ChatCanceled,
}
_MESSAGE_EVENTS: dict[str, type[MessageDelta] | type[MessageCompleted] | type[AudioDelta]] = {
    MESSAGE_DELTA: MessageDelta,
    MESSAGE_COMPLETED: MessageCompleted,
    AUDIO_DELTA: AudioDelta,
}

_decoder = json.JSONDecoder()
_scan_once = _decoder.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__; not in typeshed

# The delta as Coze sends it (coze-api.md §3): compact JSON, these keys in this order, every
# value a string, and only the content may hold escapes. Such a delta is read with one regular
# expression, without building a dict; its values are exactly what JSON decoding would give
# (a JSON string without escapes or control characters is its own text). Any other shape takes
# the general path.
_STR = r'"([^"\\\x00-\x1f]*+)"'
_ESCAPED_BODY = r'(?:[^"\\\x00-\x1f]++|\\.)*+'  # a JSON string's text, escapes allowed
_delta_shape = re.compile(
    rf'\{{"id":{_STR},"conversation_id":{_STR},"bot_id":{_STR},"role":{_STR},"type":{_STR},'
    rf'"content":"({_ESCAPED_BODY})","content_type":{_STR},"chat_id":{_STR}(?:,"section_id":{_STR})?\}}'
).fullmatch
_CONTENT = 6  # the content's group in _delta_shape

# The deltas of one message differ only in their content, so what comes before and after it is
# remembered from the last delta that pattern read: a delta that is that same prefix and suffix
# around a JSON string's text is read by comparing and slicing, and gives what the pattern would
# (the content's group ends at the suffix's opening quote; the rest of the pattern sees the same
# text as before). One tuple, replaced whole: threads reading streams side by side each see a
# consistent one.
_content_body = re.compile(_ESCAPED_BODY).fullmatch
_DeltaFields = tuple[str, str, str, str, str, str, str, str]  # ApiMessage's fields but the content
_last_delta: tuple[str, str, _DeltaFields] = ("", "", ("",) * 8)


def _decode_json(text: str) -> Any:
    """``json.loads`` for the hot path: compact JSON (as Coze sends) goes straight to the C
    scanner; anything else (surrounding spaces, errors) takes the full decoder."""
    try:
        obj, end = _scan_once(text, 0)
    except StopIteration:
        return _decoder.decode(text)
    if end != len(text):
        return _decoder.decode(text)
    return obj


def _remember_delta(data: str, shape: re.Match[str], fields: _DeltaFields) -> None:
    global _last_delta
    _last_delta = (data[: shape.start(_CONTENT)], data[shape.end(_CONTENT) :], fields)


TERMINAL_EVENTS = (ChatCompleted, ChatFailed, ChatRequiresAction, ChatCanceled, ErrorEvent)


def parse_event(sse: SseEvent) -> ChatEvent:
    """Turn one decoded SSE event into a typed chat event. Never raises."""
    name = sse.event
    if name == MESSAGE_DELTA:  # the bulk of every stream
        data = sse.data
        prefix, suffix, fields = _last_delta
        start, stop = len(prefix), len(data) - len(suffix)
        if start and start <= stop and data[:start] == prefix and data[stop:] == suffix:
            content = data[start:stop]
            # No quote, no backslash and printable (so no control character) is plain JSON text:
            # three quick checks before the pattern, which also allows escapes.
            plain = '"' not in content and "\\" not in content and content.isprintable()
            if plain or _content_body(content) is not None:
                try:
                    if not plain and "\\" in content:
                        content = _scan_once('"' + content + '"', 0)[0]  # the JSON string's escapes
                except ValueError:
                    pass  # a bad escape: the pattern below finds it too
                else:
                    msg_id, conv_id, bot_id, chat_id, section_id, role, kind, content_type = fields
                    return MessageDelta(
                        name,
                        ApiMessage(
                            msg_id, conv_id, bot_id, chat_id, section_id, role, kind, content, content_type
                        ),
                    )
        shape = _delta_shape(data)
        if shape is not None:
            msg_id, conv_id, bot_id, role, kind, content, content_type, chat_id, section_id = shape.groups()
            section_id = section_id or ""
            try:
                if "\\" in content:
                    content = _scan_once('"' + content + '"', 0)[0]  # the JSON string's escapes
            except ValueError:
                pass  # a bad escape: the general path below says what is wrong
            else:
                fields = (msg_id, conv_id, bot_id, chat_id, section_id, role, kind, content_type)
                _remember_delta(data, shape, fields)
                return MessageDelta(
                    name,
                    ApiMessage(
                        msg_id, conv_id, bot_id, chat_id, section_id, role, kind, content, content_type
                    ),
                )
        try:
            obj, end = _scan_once(data, 0)
        except (StopIteration, ValueError):
            pass  # the general path below says what is wrong
        else:
            if end == len(data) and obj.__class__ is dict:
                return MessageDelta(name, _message_from_dict(obj))
    msg_cls = _MESSAGE_EVENTS.get(name)
    status_cls = None if msg_cls else _STATUS_EVENTS.get(_CHAT_EVENT_ALIASES.get(name, name))
    if msg_cls or status_cls:
        try:
            obj = _decode_json(sse.data)
        except ValueError as exc:
            return MalformedEvent(name, sse.data, f"invalid JSON: {exc}")
        if obj.__class__ is not dict:
            return MalformedEvent(name, sse.data, "data is not a JSON object")
        if msg_cls is not None:
            return msg_cls(name, ApiMessage.from_json(obj))
        assert status_cls is not None
        return status_cls(name, ApiChat.from_json(obj))
    if name == ERROR:
        code: int | None = None
        msg = ""
        try:
            obj = json.loads(sse.data) if sse.data.strip() else {}
        except ValueError:
            obj = None
            msg = sse.data.strip()
        if isinstance(obj, dict):
            code = as_int(obj.get("code", obj.get("error_code")))
            msg = as_str(obj.get("msg", obj.get("message", obj.get("error_message"))))
        return ErrorEvent(name, code, msg, sse.data)
    if name in _DONE_ALIASES:
        return Done(name, sse.data)
    return UnknownEvent(name, sse.data)
