"""The demo bot with a local ("端") plugin: its reply stops in ``conversation.chat.requires_action``
and goes on when the client submits tool outputs (coze-api.md §3, §5).

* A weather question: a ``function_call`` message, then ``requires_action`` with one
  ``submit_tool_outputs`` tool call of type ``function`` (``local_weather``, arguments
  ``{"city": …}``). The output the client submits is quoted in the answer that follows.
* A question with 预订 / book: the bot asks back through a ``reply_message`` call (what a
  workflow question node in a bot does); the submitted output is the person's answer.

``submit_tool_outputs`` continues the same chat (same id, same conversation): ``in_progress``,
a ``tool_response`` message, the answer streamed, ``completed`` and ``done``.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from coze_desktop.demo.bots import Bot, is_chinese, split_pieces
from coze_desktop.demo.state import Chat, DemoState
from coze_desktop.demo.turn import Frame, Pacing
from coze_desktop.demo.wire import (
    DONE_FRAME,
    ApiError,
    DeltaEncoder,
    JsonObject,
    dumps,
    new_id,
    now,
    sse_frame,
    verbose_content,
)

LOCAL_PLUGIN = "local_weather"
_CITY = re.compile(
    r"(北京|上海|南京|广州|深圳|杭州|成都|武汉|西安|重庆|Paris|London|Tokyo|Berlin|New York)", re.I
)
_BOOKING = re.compile(r"预订|预定|book", re.I)
_FINISH = verbose_content("generate_answer_finish", {"finish_reason": 0, "FinData": ""})


def _call_id() -> str:
    """A tool-call id that looks like Coze's (base64 of 40 random bytes)."""
    return base64.b64encode(os.urandom(40)).decode()


@dataclass
class _Pending:
    """What a chat waiting in requires_action asked for."""

    calls: dict[str, str]  # tool call id -> type (function | reply_message)
    question: str
    zh: bool
    booking: bool


def _message(chat: Chat, message_id: str, kind: str, content: str) -> JsonObject:
    stamp = now()
    return {
        "id": message_id,
        "conversation_id": chat.conversation_id,
        "bot_id": chat.bot_id,
        "role": "assistant",
        "type": kind,
        "content": content,
        "content_type": "text",
        "chat_id": chat.id,
        "section_id": chat.section_id,
        "created_at": stamp,
        "updated_at": stamp,
    }


class ToolBots:
    """Plays the plugin bot's turns and remembers which chats wait for which tool calls."""

    def __init__(self, state: DemoState, pacing: Pacing) -> None:
        self._state = state
        self._pacing = pacing
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}  # chat id -> what it waits for

    def start(self, chat: Chat, bot: Bot, question: str) -> _AskTurn:
        """The first part of the reply, ending in requires_action."""
        zh = is_chinese(question)
        booking = bool(_BOOKING.search(question))
        call_id = _call_id()
        if booking:
            ask = "请问你想预订哪一天出发？" if zh else "Which day do you want to travel?"
            call: JsonObject = {
                "id": call_id,
                "type": "reply_message",
                "function": {"name": "问答" if zh else "question", "arguments": dumps({"question": ask})},
            }
        else:
            match = _CITY.search(question)
            city = match.group(1) if match else ("南京" if zh else "Nanjing")
            call = {
                "id": call_id,
                "type": "function",
                "function": {"name": LOCAL_PLUGIN, "arguments": dumps({"city": city, "type": 0})},
            }
        with self._lock:
            self._pending[chat.id] = _Pending({call_id: call["type"]}, question, zh, booking)
        required = {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": [call]}}
        return _AskTurn(self._state, self._pacing, chat, bot, call, required)

    def continue_chat(self, conversation_id: str, chat_id: str, outputs: object) -> _AnswerTurn:
        """Check the outputs of ``/v3/chat/submit_tool_outputs`` (4000 unless they answer exactly
        the pending tool calls) and return the rest of the same reply."""
        if not isinstance(outputs, list) or not outputs:
            raise ApiError(4000, "tool_outputs must be a non-empty list")
        given: dict[str, str] = {}
        for item in outputs:
            if not isinstance(item, dict) or not isinstance(item.get("tool_call_id"), str):
                raise ApiError(4000, "each tool output needs a tool_call_id and an output string")
            output = item.get("output")
            if not isinstance(output, str):
                raise ApiError(4000, "each tool output needs an output string")
            given[item["tool_call_id"]] = output
        with self._lock:
            pending = self._pending.get(chat_id)
            if pending is not None:
                unknown = sorted(set(given) - set(pending.calls))
                missing = sorted(set(pending.calls) - set(given))
                if unknown or missing:
                    raise ApiError(
                        4000,
                        f"tool outputs do not match the tool calls (unknown: {unknown}, missing: {missing})",
                    )
            chat = self._state.continue_after_action(conversation_id, chat_id)  # 4001/4002/4000/5000
            if pending is None:  # requires_action of another kind: nothing the demo can continue
                self._state.release(chat)
                raise ApiError(4000, "this chat has no pending tool calls of the demo plugin bot")
            del self._pending[chat_id]
        return _AnswerTurn(self._state, self._pacing, chat, given, pending)


class _AskTurn:
    """created, in_progress, the function_call message, requires_action (no ``done``: terminal)."""

    drops_connection = False

    def __init__(
        self, state: DemoState, pacing: Pacing, chat: Chat, bot: Bot, call: JsonObject, required: JsonObject
    ) -> None:
        self._state, self._pacing, self.chat = state, pacing, chat
        self._bot, self._call, self._required = bot, call, required

    def _function_call(self) -> JsonObject:
        fn = self._call["function"]
        content = {
            "name": fn["name"],
            "arguments": fn["arguments"],
            "plugin_name": "本地插件" if self._call["type"] == "function" else "问答节点",
            "plugin_type": 1,
            "thought": "",
        }
        return _message(self.chat, new_id(), "function_call", dumps(content))

    def frames(self) -> Iterator[Frame]:
        yield 0.0, sse_frame("conversation.chat.created", dumps(self._state.snapshot(self.chat)))
        self._state.mark_in_progress(self.chat)
        yield 0.0, sse_frame("conversation.chat.in_progress", dumps(self._state.snapshot(self.chat)))
        message = self._function_call()
        self._state.record(self.chat, message)
        yield self._pacing.pause(0.4), sse_frame("conversation.message.completed", dumps(message))
        if self._state.require_action(self.chat, self._required):
            yield 0.0, sse_frame("conversation.chat.requires_action", dumps(self._state.snapshot(self.chat)))

    def finish_in_background(self) -> None:
        """The non-streamed chat: reach requires_action a moment later."""

        def run() -> None:
            if self.chat.halt.wait(self._pacing.background_delay):
                return
            self._state.record(self.chat, self._function_call())
            self._state.require_action(self.chat, self._required)

        threading.Thread(target=run, name=f"demo-plugin-{self.chat.id}", daemon=True).start()

    def release(self) -> None:
        self._state.release(self.chat)


class _AnswerTurn:
    """The reply after tool outputs: in_progress, tool_response, answer deltas, completed, done."""

    drops_connection = False

    def __init__(
        self, state: DemoState, pacing: Pacing, chat: Chat, outputs: dict[str, str], pending: _Pending
    ) -> None:
        self._state, self._pacing, self.chat = state, pacing, chat
        output = "；".join(outputs.values()) if pending.zh else "; ".join(outputs.values())
        self._output = output
        if pending.booking:
            answer = (
                f"好的，已为你记下出发日期：{output}。（演示：没有真的预订。）"
                if pending.zh
                else f"All right, I noted your travel day: {output}. (A demo: nothing was booked.)"
            )
        else:
            answer = (
                f"本地插件 {LOCAL_PLUGIN} 返回：{output}\n\n根据这个结果，出门前记得看看是否需要带伞。"
                if pending.zh
                else f"The local plugin {LOCAL_PLUGIN} says: {output}\n\nBased on that, check whether you need an umbrella."
            )
        self._answer = answer
        self._usage = {"token_count": 60 + len(answer), "output_count": len(answer), "input_count": 60}

    def frames(self) -> Iterator[Frame]:
        chat = self.chat
        yield 0.0, sse_frame("conversation.chat.in_progress", dumps(self._state.snapshot(chat)))
        response = _message(chat, new_id(), "tool_response", self._output)
        self._state.record(chat, response)
        yield 0.0, sse_frame("conversation.message.completed", dumps(response))
        answer_id = new_id()
        delta = {k: v for k, v in _message(chat, answer_id, "answer", "").items() if not k.endswith("_at")}
        encoder = DeltaEncoder(delta, "content")
        delay = self._pacing.pause(0.3)
        for piece in split_pieces(self._answer):
            yield delay, encoder.frame(piece)
            delay = self._pacing.gap()
        answer = _message(chat, answer_id, "answer", self._answer)
        self._state.record(chat, answer)
        yield 0.0, sse_frame("conversation.message.completed", dumps(answer))
        finish = _message(chat, new_id(), "verbose", _FINISH)
        self._state.record(chat, finish)
        yield 0.0, sse_frame("conversation.message.completed", dumps(finish))
        if self._state.complete(chat, self._usage, answer):
            yield 0.0, sse_frame("conversation.chat.completed", dumps(self._state.snapshot(chat)))
            yield 0.0, DONE_FRAME

    def release(self) -> None:
        self._state.release(self.chat)
