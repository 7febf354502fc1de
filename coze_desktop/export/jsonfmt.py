"""The JSON export, the lossless form, and its reader side by side (``docs/export-format.md``).

:func:`to_json` writes it; :func:`parse_json_export` reads it back into domain objects ready for
the store (:func:`coze_desktop.store.exporting.import_items` saves them). The reader is strict
about what identifies data and forgiving about everything else.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from coze_desktop import __version__
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
    WorkflowRun,
    WorkflowRunPart,
    WorkflowStatus,
)
from coze_desktop.export.attachments import file_data, file_size, local_copy
from coze_desktop.export.common import ConversationExport, iso_utc, utf8_safe
from coze_desktop.export.progress import Progress, checked

FORMAT_NAME = "coze-desktop-export"
FORMAT_VERSION = 2  # the major version this module writes and the highest it reads (2: versions)


# ---------------------------------------------------------------------------------------------
# Data read from a file
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """Something in an import file that was left out, and why.

    ``what`` is ``"conversation"`` or ``"message"``; ``ref`` is its uid when it has a usable one,
    else its 1-based position such as ``"#3"``; ``conversation`` is the uid of the conversation a
    skipped message belonged to.
    """

    what: str
    ref: str
    reason: str
    conversation: str = ""

    def __str__(self) -> str:
        where = f"{self.what} {self.ref}"
        if self.conversation:
            where += f" in conversation {self.conversation}"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ImportResult:
    """What :func:`parse_json_export` read: domain objects ready for the store, and what it left out.

    ``warnings`` lists things that were imported but changed (an unknown message state).
    ``files`` holds the content of attachments that came with their data, by message uid and
    position in ``Message.attachments``; those attachments have ``path`` ``""`` until the store
    keeps the data (:func:`coze_desktop.store.exporting.import_items` checks it against ``sha256``).
    """

    items: list[ConversationExport] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[tuple[str, int], FileData] = field(default_factory=dict)
    runs: list[WorkflowRun] = field(default_factory=list)  # the "workflow_runs" of the file


@dataclass(frozen=True, slots=True)
class FileData:
    """An attachment's content as the file holds it: base64 text, and the sha256 it declared
    (lower-case; ``""`` when none, possibly not a valid digest: then it cannot match)."""

    base64: str
    declared_sha256: str


class ExportFormatError(ValueError):
    """The data is not a Coze Desktop export this version can read; the message says why."""


# ---------------------------------------------------------------------------------------------
# JSON export
# ---------------------------------------------------------------------------------------------


def to_json(
    items: Sequence[ConversationExport],
    *,
    exported_at: float | None = None,
    include_files: bool = True,
    runs: Sequence[WorkflowRun] = (),
) -> str:
    """Serialize conversations losslessly (see ``docs/export-format.md``); ``exported_at`` defaults to now.

    Local integer ids are left out; uids identify conversations and messages. Non-finite numbers
    (NaN, infinity) are written as ``null`` so the output is strict JSON, and lone surrogates in
    text (not representable in UTF-8) as U+FFFD. Each attachment carries its content as base64
    ``data`` when its local copy can be read, unless ``include_files`` is False.
    """
    return _document_text(items, exported_at, file_data if include_files else None, runs)


_DataOf = Callable[[MessageFile], str | None]  # an attachment's ``data`` value, None: leave it out
_STREAM_CHUNK = 3 * 256 * 1024  # bytes of a file base64-encoded at a time (a multiple of 3)


def write_json(
    out: BinaryIO,
    items: Sequence[ConversationExport],
    *,
    exported_at: float | None = None,
    include_files: bool = True,
    progress: Progress | None = None,
    runs: Sequence[WorkflowRun] = (),
) -> None:
    """Write what :func:`to_json` returns to ``out`` as UTF-8, with each file's content streamed
    from its local copy a chunk at a time, so a history of large files never sits in memory whole.

    ``progress`` counts the bytes of the files' content and is checked between chunks.
    Raises ``OSError`` when a copy found at the start cannot be read any more, or ``out`` fails,
    and :class:`~coze_desktop.export.progress.Canceled` when ``progress`` is canceled.
    """
    progress = checked(progress)
    nonce = secrets.token_hex(16)  # unguessable: no text in the history can look like a marker
    sources: list[Path] = []

    def marker(attachment: MessageFile) -> str | None:
        path = local_copy(attachment)
        if path is None:
            return None
        sources.append(path)
        return f"\x00{nonce}:{len(sources) - 1}\x00"

    text = _document_text(items, exported_at, marker if include_files else None, runs)
    progress.start(sum(file_size(path) for path in sources))
    position = 0
    for match in re.finditer(r"\\u0000" + nonce + r":(\d+)\\u0000", text):
        out.write(text[position : match.start()].encode("utf-8"))
        with sources[int(match.group(1))].open("rb") as source:
            while chunk := source.read(_STREAM_CHUNK):
                out.write(base64.b64encode(chunk))
                progress.advance(len(chunk))
        position = match.end()
    out.write(text[position:].encode("utf-8"))


def _document_text(
    items: Sequence[ConversationExport],
    exported_at: float | None,
    data_of: _DataOf | None,
    runs: Sequence[WorkflowRun] = (),
) -> str:
    """The whole JSON document as text; ``data_of`` gives each attachment's ``data`` (None: none)."""
    moment = datetime.now(UTC).timestamp() if exported_at is None else exported_at
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": iso_utc(moment),
        "app_version": __version__,
        "conversations": [_conversation_json(item, data_of) for item in items],
        "workflow_runs": [run_json(run) for run in runs],
    }
    return utf8_safe(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def _finite(value: float | None) -> float | None:
    """``value`` as a float, or None when it is missing, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _conversation_json(item: ConversationExport, data_of: _DataOf | None) -> dict[str, Any]:
    """The JSON object for one conversation, with its bot and messages."""
    conversation = item.conversation
    return {
        "uid": conversation.uid,
        "title": conversation.title,
        "bot_id": conversation.bot_id,
        "base_url": conversation.base_url,
        "coze_conversation_id": conversation.coze_conversation_id,
        "created_at": _finite(conversation.created_at),
        "created_at_iso": iso_utc(conversation.created_at),
        "updated_at": _finite(conversation.updated_at),
        "updated_at_iso": iso_utc(conversation.updated_at),
        "pinned": bool(conversation.pinned),
        "workflow_id": conversation.workflow_id,
        "app_id": conversation.app_id,
        "bot": _bot_json(item.bot) if item.bot else None,
        "messages": [
            _message_json(message, _parent_uid(message, item.messages[index - 1] if index else None), data_of)
            for index, message in enumerate(item.messages)
        ],
    }


def _bot_json(bot: Bot) -> dict[str, Any]:
    """The JSON object for a bot."""
    return {
        "bot_id": bot.bot_id,
        "name": bot.name,
        "description": bot.description,
        "icon_url": bot.icon_url,
        "prologue": bot.prologue,
        "suggested_questions": list(bot.suggested_questions),
        "base_url": bot.base_url,
    }


def _parent_uid(message: Message, previous: Message | None) -> str | None:
    """The uid of the message ``message`` follows (None for a first message); when not known, the one before it."""
    if message.parent_uid is not None:
        return message.parent_uid or None
    return previous.uid if previous is not None else None


def _message_json(message: Message, parent_uid: str | None, data_of: _DataOf | None) -> dict[str, Any]:
    """The JSON object for a message."""
    sources = [source.to_json() | {"score": _finite(source.score)} for source in message.sources]
    return {
        "uid": message.uid,
        "role": message.role.value,
        "type": message.type,
        "text": message.text,
        "reasoning": message.reasoning,
        "content_type": message.content_type,
        "state": message.state.value,
        "coze_message_id": message.coze_message_id,
        "coze_chat_id": message.coze_chat_id,
        "error": message.error.to_json() if message.error else None,
        "created_at": _finite(message.created_at),
        "created_at_iso": iso_utc(message.created_at),
        "sources": sources,
        "follow_ups": list(message.follow_ups),
        "usage": message.usage.to_json() if message.usage else None,
        "duration": _finite(message.duration),
        "parent_uid": parent_uid,
        "selected": bool(message.selected),
        "attachments": [_attachment_json(attachment, data_of) for attachment in message.attachments],
        "steps": [step.to_json() | {"created_at": _finite(step.created_at)} for step in message.steps],
    }


def run_json(run: WorkflowRun) -> dict[str, Any]:
    """The JSON object for one workflow run with its parts (the "workflow_runs" record)."""
    return {
        "uid": run.uid,
        "workflow_id": run.workflow_id,
        "base_url": run.base_url,
        "bot_id": run.bot_id,
        "app_id": run.app_id,
        "title": run.title,
        "workflow_label": run.label,
        "parameters": run.parameters,
        "status": run.status.value,
        "execute_id": run.execute_id,
        "output": run.output,
        "debug_url": run.debug_url,
        "usage": run.usage.to_json() if run.usage else None,
        "error": run.error.to_json() if run.error else None,
        "started_at": _finite(run.started_at),
        "started_at_iso": iso_utc(run.started_at),
        "updated_at": _finite(run.updated_at),
        "updated_at_iso": iso_utc(run.updated_at),
        "duration": _finite(run.duration),
        "stream": bool(run.stream),
        "parts": [
            part.to_json() | {"created_at": _finite(part.created_at), "duration": _finite(part.duration)}
            for part in run.parts
        ],
    }


def _attachment_json(attachment: MessageFile, data_of: _DataOf | None) -> dict[str, Any]:
    """An attachment's fields, and its content as base64 ``data`` when wanted and readable."""
    obj = attachment.to_json()
    if data_of is not None and (data := data_of(attachment)) is not None:
        obj["data"] = data
    return obj


# ---------------------------------------------------------------------------------------------
# JSON import: lenient coercion of optional fields
# ---------------------------------------------------------------------------------------------


def _as_opt_str(value: object) -> str | None:
    """An optional string field: strings as they are, numbers as their text, anything else None."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _as_str(value: object) -> str:
    """A string field: strings as they are, numbers as their text, anything else ``""``."""
    text = _as_opt_str(value)
    return "" if text is None else text


def _as_float(value: object) -> float | None:
    """A finite float from a number or a numeric string, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _as_int(value: object) -> int | None:
    """An int from an int, an integral float or a string like ``"42"`` / ``"42.0"``, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass  # "42.0", or too many digits: try it as a float below
    number = _as_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _as_bool(value: object) -> bool:
    """A boolean from ``true``/``false``, 0/1 or their string forms; anything else is False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False


def _as_str_list(value: object) -> list[str]:
    """A list of strings; non-list values give ``[]`` and non-scalar entries are dropped."""
    if not isinstance(value, list):
        return []
    return [text for entry in value if (text := _as_opt_str(entry)) is not None]


def _as_time(raw: dict[str, Any], key: str) -> float:
    """Seconds from ``raw[key]``; failing that from the human ``raw[key + "_iso"]``; else 0.0."""
    seconds = _as_float(raw.get(key))
    if seconds is not None:
        return seconds
    iso = raw.get(key + "_iso")
    if not isinstance(iso, str):
        return 0.0
    try:
        moment = datetime.fromisoformat(iso.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _as_uid(value: object) -> str:
    """A uid: a non-blank string (numbers accepted as text), or ``""`` when unusable."""
    text = _as_str(value)
    return text if text.strip() else ""


def _as_role(value: object) -> Role | None:
    """The role from ``"user"``/``"assistant"`` in any case, else None."""
    if not isinstance(value, str):
        return None
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None


def _as_state(value: object) -> MessageState | None:
    """The message state; missing means complete; None for a value this version does not know."""
    if value is None:
        return MessageState.COMPLETE
    if not isinstance(value, str):
        return None
    try:
        return MessageState(value.strip().lower())
    except ValueError:
        return None


def _as_error(value: object) -> ErrorInfo | None:
    """An ``{code, message, logid}`` object as ErrorInfo; a bare string is taken as the message."""
    if isinstance(value, str):
        return ErrorInfo(code=None, message=utf8_safe(value))
    if not isinstance(value, dict):
        return None
    return ErrorInfo(
        code=_as_int(value.get("code")),
        message=_as_str(value.get("message")),
        logid=_as_opt_str(value.get("logid")),
    )


def _as_usage(value: object) -> Usage | None:
    """An ``{input_count, output_count, token_count}`` object as Usage (missing counts are 0)."""
    if not isinstance(value, dict):
        return None
    return Usage(
        input_count=_as_int(value.get("input_count")) or 0,
        output_count=_as_int(value.get("output_count")) or 0,
        token_count=_as_int(value.get("token_count")) or 0,
    )


def _as_sources(value: object) -> list[Source]:
    """The source objects of a message; entries that are not objects are dropped."""
    if not isinstance(value, list):
        return []
    return [
        Source(
            slice=_as_str(entry.get("slice")),
            score=_as_float(entry.get("score")),
            document=_as_str(entry.get("document")),
            dataset=_as_str(entry.get("dataset")),
            title=_as_str(entry.get("title")),
            url=_as_str(entry.get("url")),
        )
        for entry in value
        if isinstance(entry, dict)
    ]


def _as_bot(value: object, bot_id: str, base_url: str) -> Bot | None:
    """The conversation's bot; ``bot_id`` and ``base_url`` default to the conversation's."""
    if not isinstance(value, dict):
        return None
    return Bot(
        bot_id=_as_uid(value.get("bot_id")) or bot_id,
        name=_as_str(value.get("name")),
        description=_as_str(value.get("description")),
        icon_url=_as_str(value.get("icon_url")),
        prologue=_as_str(value.get("prologue")),
        suggested_questions=_as_str_list(value.get("suggested_questions")),
        base_url=_as_str(value.get("base_url")) or base_url,
    )


_SHA256 = re.compile(r"[0-9a-f]{64}")
_KINDS = ("image", "audio", "file")


def _as_sha256(value: object) -> str:
    """A SHA-256 hex digest in lower case, or ``""`` when missing or not one (it names a file in
    the data folder, so nothing else may pass)."""
    text = _as_str(value).strip().lower()
    return text if _SHA256.fullmatch(text) else ""


def _as_attachment(value: dict[str, Any]) -> MessageFile:
    """An attachment object as a MessageFile with no local copy (``path`` ``""``)."""
    kind = _as_str(value.get("kind")).strip().lower()
    return MessageFile(
        name=_as_str(value.get("name")).strip() or "file",
        size=max(_as_int(value.get("size")) or 0, 0),
        kind=kind if kind in _KINDS else "file",
        mime=_as_str(value.get("mime")).strip(),
        sha256=_as_sha256(value.get("sha256")),
        file_id=_as_str(value.get("file_id")),
    )


def _as_steps(value: object) -> list[ToolStep]:
    """The steps of an answer; entries that are not step objects are dropped."""
    if not isinstance(value, list):
        return []
    steps: list[ToolStep] = []
    for entry in value:
        try:
            steps.append(ToolStep.from_json(entry))
        except ValueError:
            continue
    return steps


_PART_KINDS = ("node", "interrupt", "answer", "error")


def _as_part(value: dict[str, Any]) -> WorkflowRunPart:
    """A part of a run; an unknown kind is read as a node."""
    kind = _as_str(value.get("kind")).strip().lower()
    return WorkflowRunPart(
        kind=kind if kind in _PART_KINDS else "node",
        node_title=_as_str(value.get("node_title")),
        node_type=_as_str(value.get("node_type")),
        node_id=_as_str(value.get("node_id")),
        content=_as_str(value.get("content")),
        finished=_as_bool(value.get("finished")),
        event_id=_as_str(value.get("event_id")),
        interrupt_type=_as_int(value.get("interrupt_type")) or 0,
        created_at=_as_float(value.get("created_at")) or 0.0,
        duration=_as_float(value.get("duration")),
    )


def _brief(value: object) -> str:
    """A short description of a JSON value for error messages (never the whole of a huge value)."""
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return "an object" if isinstance(value, dict) else "a list"


# ---------------------------------------------------------------------------------------------
# JSON import: structure
# ---------------------------------------------------------------------------------------------


def parse_json_export(text: str | bytes) -> ImportResult:
    """Read a JSON export into domain objects (ids None, uids kept) ready for the store.

    Raises :class:`ExportFormatError` when the data is not a Coze Desktop export or is a newer
    major version. Inside a valid file, broken conversations and messages are skipped and listed
    in ``skipped``; wrongly typed optional fields are coerced when unambiguous, else defaulted.
    """
    root = _load_root(text)
    _check_header(root)
    conversations = root.get("conversations")
    if not isinstance(conversations, list):
        raise ExportFormatError('The export has no "conversations" list.')
    reader = _Reader()
    for number, raw in enumerate(conversations, start=1):
        reader.read_conversation(number, raw)
    runs = root.get("workflow_runs")
    if runs is not None and not isinstance(runs, list):
        reader.result.warnings.append(f'"workflow_runs" is {_brief(runs)}, not a list: no runs imported')
    for number, raw in enumerate(runs if isinstance(runs, list) else [], start=1):
        reader.read_run(number, raw)
    return reader.result


def _load_root(text: str | bytes) -> dict[str, Any]:
    """Decode the document and return its top-level object."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportFormatError(
                f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."
            ) from None
    try:
        root = json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise ExportFormatError("The file is not valid JSON (nested too deeply).") from None
    except ValueError as exc:
        raise ExportFormatError(f"The file is not valid JSON ({exc}).") from None
    if not isinstance(root, dict):
        raise ExportFormatError(
            f"Not a Coze Desktop export: the file holds {_brief(root)}, not a JSON object."
        )
    return root


def _check_header(root: dict[str, Any]) -> None:
    """Refuse data whose ``format`` is wrong or whose ``version`` is missing or newer than supported."""
    if root.get("format") != FORMAT_NAME:
        raise ExportFormatError(
            f'Not a Coze Desktop export: "format" is {_brief(root.get("format"))}, expected "{FORMAT_NAME}".'
        )
    version = _as_int(root.get("version"))
    if version is None or version < 1:
        raise ExportFormatError(f'The export has no valid "version" (found {_brief(root.get("version"))}).')
    if version > FORMAT_VERSION:
        raise ExportFormatError(
            f"This file uses export format version {version}; this Coze Desktop ({__version__}) reads "
            f"versions 1 to {FORMAT_VERSION} only. Update Coze Desktop to import it."
        )


class _Reader:
    """Reads conversations one by one, remembering uids so duplicates are skipped."""

    def __init__(self) -> None:
        self.result = ImportResult()
        self._conversation_uids: set[str] = set()
        self._message_uids: set[str] = set()
        self._run_uids: set[str] = set()
        self._previous_uid = ""  # of the message read last in the current conversation

    def _skip(self, what: str, ref: str, reason: str, conversation: str = "") -> None:
        self.result.skipped.append(SkippedItem(what, ref, reason, conversation))

    def read_conversation(self, number: int, raw: object) -> None:
        """Add one conversation to the result, or record why it was skipped."""
        if not isinstance(raw, dict):
            self._skip("conversation", f"#{number}", f"is {_brief(raw)}, not a JSON object")
            return
        uid = _as_uid(raw.get("uid"))
        problem = self._conversation_problem(uid, raw)
        if problem:
            self._skip("conversation", uid or f"#{number}", problem)
            return
        self._conversation_uids.add(uid)
        conversation = self._conversation(uid, raw)
        self._previous_uid = ""
        messages = []
        for position, raw_message in enumerate(raw.get("messages") or [], start=1):
            message = self.read_message(uid, position, raw_message)
            if message is not None:
                messages.append(message)
        bot = _as_bot(raw.get("bot"), conversation.bot_id, conversation.base_url)
        self.result.items.append(ConversationExport(conversation, messages, bot))

    def _conversation_problem(self, uid: str, raw: dict[str, Any]) -> str | None:
        """Why a conversation object cannot be imported, or None if it can."""
        if not uid:
            return "has no uid"
        if not _as_uid(raw.get("bot_id")) and not _as_uid(raw.get("workflow_id")):
            return "has no bot_id"  # a chat-flow's conversation may have only its workflow_id
        if uid in self._conversation_uids:
            return "duplicate uid: an earlier conversation in the file has it"
        messages = raw.get("messages")
        if messages is not None and not isinstance(messages, list):
            return f'"messages" is {_brief(messages)}, not a list'
        return None

    @staticmethod
    def _conversation(uid: str, raw: dict[str, Any]) -> Conversation:
        """The Conversation fields of a conversation object."""
        return Conversation(
            id=None,
            bot_id=_as_uid(raw.get("bot_id")),
            title=_as_str(raw.get("title")),
            base_url=_as_str(raw.get("base_url")) or DEFAULT_BASE_URL,
            coze_conversation_id=_as_opt_str(raw.get("coze_conversation_id")),
            created_at=_as_time(raw, "created_at"),
            updated_at=_as_time(raw, "updated_at"),
            pinned=_as_bool(raw.get("pinned")),
            uid=uid,
            workflow_id=_as_uid(raw.get("workflow_id")) or None,
            app_id=_as_uid(raw.get("app_id")) or None,
        )

    def read_message(self, conversation_uid: str, number: int, raw: object) -> Message | None:
        """One message of a conversation, or None after recording why it was skipped."""
        if not isinstance(raw, dict):
            self._skip("message", f"#{number}", f"is {_brief(raw)}, not a JSON object", conversation_uid)
            return None
        uid = _as_uid(raw.get("uid"))
        role = _as_role(raw.get("role"))
        if not uid:
            problem = "has no uid"
        elif role is None:
            problem = f"unknown role {_brief(raw.get('role'))}"
        elif uid in self._message_uids:
            problem = "duplicate uid: an earlier message in the file has it"
        else:
            self._message_uids.add(uid)
            return self._message(uid, role, raw, conversation_uid)
        self._skip("message", uid or f"#{number}", problem, conversation_uid)
        return None

    def _message(self, uid: str, role: Role, raw: dict[str, Any], conversation_uid: str) -> Message:
        """The Message fields of a message object; an unknown state becomes complete, with a warning."""
        state = _as_state(raw.get("state"))
        if state is None:
            self.result.warnings.append(
                f"message {uid} in conversation {conversation_uid}: unknown state "
                f"{_brief(raw.get('state'))}, imported as complete"
            )
            state = MessageState.COMPLETE
        default_type = "question" if role is Role.USER else "answer"
        return Message(
            id=None,
            conversation_id=None,
            role=role,
            text=_as_str(raw.get("text")),
            type=_as_str(raw.get("type")) or default_type,
            reasoning=_as_str(raw.get("reasoning")),
            content_type=_as_str(raw.get("content_type")) or "text",
            state=state,
            coze_message_id=_as_opt_str(raw.get("coze_message_id")),
            coze_chat_id=_as_opt_str(raw.get("coze_chat_id")),
            error=_as_error(raw.get("error")),
            created_at=_as_time(raw, "created_at"),
            sources=_as_sources(raw.get("sources")),
            follow_ups=_as_str_list(raw.get("follow_ups")),
            usage=_as_usage(raw.get("usage")),
            duration=_as_float(raw.get("duration")),
            uid=uid,
            parent_uid=self._parent_uid(raw),
            selected=_as_bool(raw["selected"]) if "selected" in raw else True,
            attachments=self._attachments(uid, raw.get("attachments")),
            steps=_as_steps(raw.get("steps")),
        )

    def read_run(self, number: int, raw: object) -> None:
        """One workflow run (a "workflow_runs" record), or record why it was skipped."""
        if not isinstance(raw, dict):
            self._skip("workflow run", f"#{number}", f"is {_brief(raw)}, not a JSON object")
            return
        uid = _as_uid(raw.get("uid"))
        workflow_id = _as_uid(raw.get("workflow_id"))
        if not uid:
            problem = "has no uid"
        elif not workflow_id:
            problem = "has no workflow_id"
        elif uid in self._run_uids:
            problem = "duplicate uid: an earlier run in the file has it"
        else:
            self._run_uids.add(uid)
            self.result.runs.append(self._run(uid, workflow_id, raw))
            return
        self._skip("workflow run", uid or f"#{number}", problem)

    def _run(self, uid: str, workflow_id: str, raw: dict[str, Any]) -> WorkflowRun:
        status_text = _as_str(raw.get("status")).strip().lower()
        try:
            status = WorkflowStatus(status_text or "completed")
        except ValueError:
            self.result.warnings.append(
                f"workflow run {uid}: unknown status {_brief(raw.get('status'))}, imported as error"
            )
            status = WorkflowStatus.ERROR
        parameters = raw.get("parameters")
        parts_raw = raw.get("parts")
        return WorkflowRun(
            id=None,
            uid=uid,
            workflow_id=workflow_id,
            base_url=_as_str(raw.get("base_url")) or DEFAULT_BASE_URL,
            bot_id=_as_str(raw.get("bot_id")),
            app_id=_as_str(raw.get("app_id")),
            label=_as_str(raw.get("workflow_label")),
            parameters=parameters if isinstance(parameters, dict) else {},
            status=status,
            execute_id=_as_opt_str(raw.get("execute_id")),
            output=_as_str(raw.get("output")),
            debug_url=_as_opt_str(raw.get("debug_url")),
            usage=_as_usage(raw.get("usage")),
            error=_as_error(raw.get("error")),
            started_at=_as_time(raw, "started_at"),
            updated_at=_as_time(raw, "updated_at"),
            duration=_as_float(raw.get("duration")),
            stream=_as_bool(raw["stream"]) if "stream" in raw else True,
            parts=[
                _as_part(p) for p in (parts_raw if isinstance(parts_raw, list) else []) if isinstance(p, dict)
            ],
        )

    def _attachments(self, message_uid: str, value: object) -> list[MessageFile]:
        """The attachments of a message (entries that are not objects are dropped); the content
        of those that carry ``data`` goes into ``result.files``."""
        if not isinstance(value, list):
            return []
        attachments: list[MessageFile] = []
        for raw in value:
            if not isinstance(raw, dict):
                continue
            data = raw.get("data")
            if isinstance(data, str):
                declared = _as_str(raw.get("sha256")).strip().lower()
                self.result.files[(message_uid, len(attachments))] = FileData(data, declared)
            attachments.append(_as_attachment(raw))
        return attachments

    def _parent_uid(self, raw: dict[str, Any]) -> str | None:
        """Version 2's tree of versions: the parent's uid, "" for a first message, or None when the
        message follows the one before it in the file (always so in version 1, without "parent_uid")."""
        previous, self._previous_uid = self._previous_uid, _as_uid(raw.get("uid"))
        if "parent_uid" not in raw:
            return None
        parent = _as_uid(raw["parent_uid"]) if raw["parent_uid"] is not None else ""
        if parent == previous:  # also a first message (null) at the start of the list
            return None
        return parent
