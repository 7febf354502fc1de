"""Fold chat events into a :class:`~coze_desktop.domain.ChatResult`.

Used the same way by the CLI and the GUI worker::

    acc = ChatAccumulator()
    try:
        for event in stream:
            shown = acc.feed(event)      # the answer text this event added, to display
    except CozeError as exc:
        acc.fail(exc)                    # keeps everything received so far
    result = acc.result()

Appending costs time in proportion to the new text: pieces are joined only when asked.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from typing import Any

from coze_desktop.domain import ChatResult, ChatStatus, ErrorInfo, Source, ToolStep, Usage

from .errors import ChatCanceledError, CozeError
from .events import (
    ApiMessage,
    ChatCanceled,
    ChatCompleted,
    ChatEvent,
    ChatFailed,
    ChatRequiresAction,
    ChatStatusEvent,
    ErrorEvent,
    MessageCompleted,
    MessageDelta,
)
from .recall import sources_from_legacy_knowledge, sources_from_verbose

ANSWER_SEPARATOR = "\n\n"


@dataclass(slots=True)
class _Answer:
    id: str
    parts: list[str]


class ChatAccumulator:
    """Collects one chat turn. ``feed`` returns the answer text to append on screen ("" if none)."""

    def __init__(self, *, lang: str = "zh") -> None:
        self.lang = lang
        self.status = ChatStatus.IN_PROGRESS
        self.conversation_id: str | None = None
        self.chat_id: str | None = None
        self.sources: list[Source] = []
        self.follow_ups: list[str] = []
        self.tool_messages: list[ApiMessage] = []  # function_call, tool_response, tool_output ...
        self.steps: list[ToolStep] = []  # the tool messages folded into steps (see _on_tool_message)
        self.usage: Usage | None = None
        self.required_action: dict[str, Any] | None = None
        self.error: ErrorInfo | None = None
        self._answers: list[_Answer] = []
        self._by_id: dict[str, _Answer] = {}
        self._last: _Answer | None = None  # the answer the last delta went to
        self._reasoning: list[str] = []
        self._reasoning_final: str | None = None

    # --- feeding -----------------------------------------------------------------------------

    def feed(self, event: ChatEvent) -> str:
        if isinstance(event, MessageDelta):
            # Hot path: one call per streamed delta, nearly always more of the answer in progress.
            msg = event.message
            if self.chat_id is None or self.conversation_id is None:
                self._note_ids(msg)
            if msg.reasoning_content:
                self._reasoning.append(msg.reasoning_content)
            content = msg.content
            if not content or msg.type not in ("answer", ""):
                return ""
            last = self._last
            if last is not None and last.id == msg.id and msg.id:
                last.parts.append(content)
                return content
            ans, sep = self._answer_for(msg.id)
            ans.parts.append(content)
            self._last = ans
            return sep + content if sep else content
        if isinstance(event, MessageCompleted):
            return self._on_completed(event.message)
        if isinstance(event, ChatStatusEvent):
            self._on_status(event)
        elif isinstance(event, ErrorEvent):
            self.status = ChatStatus.ERROR
            if self.error is None:
                self.error = ErrorInfo(event.code, event.msg or event.data)
        return ""

    def _answer_for(self, msg_id: str) -> tuple[_Answer, str]:
        ans = self._by_id.get(msg_id) if msg_id else None
        if ans is None:
            ans = _Answer(msg_id, [])
            if msg_id:
                self._by_id[msg_id] = ans
            sep = ANSWER_SEPARATOR if self._answers and self._answers[-1].parts else ""
            self._answers.append(ans)
            if sep:
                ans.parts.append(sep)
                return ans, sep
        return ans, ""

    def _on_completed(self, msg: ApiMessage) -> str:
        self._note_ids(msg)
        kind = msg.type
        if kind == "answer" or (kind == "" and msg.role == "assistant"):
            return self._complete_answer(msg)
        if kind == "follow_up":
            if msg.content.strip():
                self.follow_ups.append(msg.content.strip())
        elif kind == "verbose":
            self.sources.extend(sources_from_verbose(msg.content))
        elif kind == "knowledge":
            self.sources.extend(sources_from_legacy_knowledge(msg.content))
        elif kind not in ("question",):
            self.tool_messages.append(msg)
            self._on_tool_message(msg)
        return ""

    # --- steps ---------------------------------------------------------------------------------

    def _on_tool_message(self, msg: ApiMessage) -> None:
        """Fold a ``function_call``/``tool_response``/``tool_output`` into :attr:`steps`: a
        response answers the latest call before it that has none yet."""
        now = time.time()
        if msg.type == "function_call":
            name, arguments = _call_of(msg.content)
            self.steps.append(ToolStep("function_call", name=name, arguments=arguments, created_at=now))
        elif msg.type in ("tool_response", "tool_output"):
            open_step = self._open_step()
            if open_step is None:
                self.steps.append(ToolStep(msg.type, result=msg.content, created_at=now))
            else:
                open_step.result = msg.content
                if open_step.created_at:
                    open_step.duration_ms = max(0, round((now - open_step.created_at) * 1000))

    def _open_step(self) -> ToolStep | None:
        return next(
            (s for s in reversed(self.steps) if s.kind in ("function_call", "tool_call") and not s.result),
            None,
        )

    def _on_required_action(self, required: dict[str, Any] | None) -> None:
        """The calls the client must answer become ``tool_call`` steps (a ``function_call`` step
        of the same name waiting for its result turns into one)."""
        ra = required if isinstance(required, dict) else {}
        sub = ra.get("submit_tool_outputs")
        calls = sub.get("tool_calls") if isinstance(sub, dict) else None
        for call in calls if isinstance(calls, list) else []:
            if not isinstance(call, dict):
                continue
            raw_fn = call.get("function")
            fn: dict[str, Any] = raw_fn if isinstance(raw_fn, dict) else {}
            name = str(fn.get("name") or "")
            args = fn.get("arguments")
            arguments = (
                args
                if isinstance(args, str)
                else ("" if args is None else json.dumps(args, ensure_ascii=False))
            )
            call_id = str(call.get("id") or "")
            match = next(
                (
                    s
                    for s in self.steps
                    if s.kind == "function_call" and not s.result and not s.call_id and s.name == name
                ),
                None,
            )
            if match is not None:
                match.kind, match.call_id = "tool_call", call_id
                match.arguments = match.arguments or arguments
            elif not any(s.call_id == call_id for s in self.steps if call_id):
                self.steps.append(
                    ToolStep(
                        "tool_call", name=name, arguments=arguments, call_id=call_id, created_at=time.time()
                    )
                )

    def _complete_answer(self, msg: ApiMessage) -> str:
        if msg.reasoning_content:
            self._reasoning_final = msg.reasoning_content
        ans = self._by_id.get(msg.id) if msg.id else None
        if ans is None:
            if not msg.content:
                return ""
            ans, sep = self._answer_for(msg.id)
            ans.parts.append(msg.content)
            return sep + msg.content
        # The completed content is authoritative; show only what the deltas did not.
        sep = ans.parts[0] if ans.parts and ans.parts[0] == ANSWER_SEPARATOR else ""
        had = "".join(ans.parts[1:] if sep else ans.parts)
        ans.parts = [sep, msg.content] if sep else [msg.content]
        return msg.content[len(had) :] if msg.content.startswith(had) else ""

    def _on_status(self, event: ChatStatusEvent) -> None:
        chat = event.chat
        self.conversation_id = chat.conversation_id or self.conversation_id
        self.chat_id = chat.id or self.chat_id
        if chat.usage is not None:
            self.usage = chat.usage
        if isinstance(event, ChatCompleted):
            self.status = ChatStatus.COMPLETED
        elif isinstance(event, ChatFailed):
            self.status = ChatStatus.FAILED
            self.error = chat.last_error or ErrorInfo(None, "chat failed")
        elif isinstance(event, ChatRequiresAction):
            self.status = ChatStatus.REQUIRES_ACTION
            self.required_action = chat.required_action
            self._on_required_action(chat.required_action)
        elif isinstance(event, ChatCanceled):
            self.status = ChatStatus.CANCELED

    def _note_ids(self, msg: ApiMessage) -> None:
        self.conversation_id = self.conversation_id or msg.conversation_id or None
        self.chat_id = self.chat_id or msg.chat_id or None

    def fail(self, exc: CozeError) -> None:
        """Record why the chat ended early. Everything received so far is kept."""
        if isinstance(exc, ChatCanceledError):
            self.status = ChatStatus.CANCELED
            return
        if self.status is not ChatStatus.FAILED:
            self.status = ChatStatus.ERROR
        self.error = exc.to_info(self.lang)

    # --- reading -----------------------------------------------------------------------------

    @property
    def answer(self) -> str:
        return "".join("".join(a.parts) for a in self._answers)

    @property
    def reasoning(self) -> str:
        return self._reasoning_final if self._reasoning_final is not None else "".join(self._reasoning)

    @property
    def answer_message_id(self) -> str | None:
        return next((a.id for a in self._answers if a.id), None)

    def result(self) -> ChatResult:
        return ChatResult(
            status=self.status,
            conversation_id=self.conversation_id,
            chat_id=self.chat_id,
            answer=self.answer,
            reasoning=self.reasoning,
            sources=list(self.sources),
            follow_ups=list(self.follow_ups),
            usage=self.usage,
            required_action=self.required_action,
            error=self.error,
            answer_message_id=self.answer_message_id,
            steps=[dataclasses.replace(s) for s in self.steps],
        )


def _call_of(content: str) -> tuple[str, str]:
    """The name and arguments (JSON text) of a ``function_call`` message's content."""
    try:
        obj = json.loads(content)
    except ValueError:
        return "", content
    if not isinstance(obj, dict):
        return "", content
    name = obj.get("name") or obj.get("plugin_name") or ""
    args = obj.get("arguments", obj.get("parameters", ""))
    arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return str(name), arguments
