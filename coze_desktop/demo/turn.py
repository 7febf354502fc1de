"""One chat turn: a bot's reply played out as SSE frames (stream) or finished in the background (poll).

Both ways produce the same messages and leave the same state behind; the state is updated
before the frame that announces it, so a client that retrieves the chat after seeing an event
finds it in that state.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from coze_desktop.demo.bots import Bot, Fault, Reply
from coze_desktop.demo.state import Chat, DemoState
from coze_desktop.demo.wire import (
    DONE_FRAME,
    DeltaEncoder,
    JsonObject,
    dumps,
    new_id,
    now,
    sse_frame,
    verbose_content,
)

Frame = tuple[float, bytes]
"""A stream step: seconds to wait in realistic pacing, then the bytes of one SSE event."""

EVENT_INTERVAL_ERROR = (5000, "event interval error")
INTERNAL_ERROR = (5000, "internal server error")
DROPPED = (5000, "connection dropped")
_SILENT_FAILURES = {Fault.FAILED: EVENT_INTERVAL_ERROR, Fault.ERROR_EVENT: INTERNAL_ERROR}
_FINISH_CONTENT = verbose_content("generate_answer_finish", {"finish_reason": 0, "FinData": ""})
_PROMPT_TOKENS = 120  # what the bot's persona and prompt would cost


@dataclass(frozen=True)
class Pacing:
    """How fast replies come out: like a model (default) or as fast as the socket allows."""

    fast: bool

    def pause(self, seconds: float) -> float:
        """A fixed pause (think time, recall), none when fast."""
        return 0.0 if self.fast else seconds

    def gap(self) -> float:
        """The pause between two deltas: 15–40 ms, none when fast."""
        return 0.0 if self.fast else random.uniform(0.015, 0.040)

    @property
    def background_delay(self) -> float:
        """How long a non-streamed chat stays in progress."""
        return 0.2 if self.fast else 1.5


class Turn:
    """The bot's reply to one chat, produced either as stream frames or quietly in the background."""

    def __init__(
        self, state: DemoState, chat: Chat, bot: Bot, question: str, pacing: Pacing, *, base_url: str = ""
    ) -> None:
        self._state = state
        self._chat = chat
        self._bot = bot
        self._pacing = pacing
        web = bot.web_answer(question, base_url) if bot.web_answer and base_url else None
        self._reply = web or (
            bot.files_answer(question, state.uploaded_file) if bot.files_answer else bot.answer(question)
        )
        self._answer_id = new_id()
        self._usage = _usage(question, self._reply)

    @property
    def chat(self) -> Chat:
        """The chat this turn answers."""
        return self._chat

    @property
    def drops_connection(self) -> bool:
        """Whether the stream must end by dropping the connection (``fault-drop``)."""
        return self._bot.fault is Fault.DROP

    def frames(self) -> Iterator[Frame]:
        """Yield the SSE frames of the chat, updating the chat's state as they go."""
        yield 0.0, self._chat_frame("conversation.chat.created")
        self._state.mark_in_progress(self._chat)
        yield 0.0, self._chat_frame("conversation.chat.in_progress")
        if self._bot.fault is Fault.FAILED:
            self._state.fail(self._chat, *EVENT_INTERVAL_ERROR)
            yield self._pacing.pause(0.5), self._chat_frame("conversation.chat.failed")
            return
        if self._reply.recall:
            yield self._pacing.pause(0.25), self._completed_frame(self._recall_message())
        yield from self._delta_frames()
        if self._bot.fault is Fault.ERROR_EVENT:
            self._state.fail(self._chat, *INTERNAL_ERROR)
            code, msg = INTERNAL_ERROR
            yield self._pacing.gap(), sse_frame("error", dumps({"code": code, "msg": msg}))
            return
        if self._bot.fault is Fault.DROP:
            self._state.fail(self._chat, *DROPPED)
            return
        answer = self._answer_message()
        yield 0.0, self._completed_frame(answer)
        yield 0.0, self._completed_frame(self._finish_message())
        for follow_up in self._follow_up_messages():
            yield self._pacing.pause(0.1), self._completed_frame(follow_up)
        if self._state.complete(self._chat, self._usage, answer):
            yield 0.0, self._chat_frame("conversation.chat.completed")
            yield 0.0, DONE_FRAME

    def finish_in_background(self) -> None:
        """Finish a non-streamed chat after :attr:`Pacing.background_delay`, unless it is canceled first."""
        threading.Thread(target=self._finish_later, name=f"demo-chat-{self._chat.id}", daemon=True).start()

    def release(self) -> None:
        """Mark the chat canceled if its stream stopped before the chat ended."""
        self._state.release(self._chat)

    def _finish_later(self) -> None:
        if self._chat.halt.wait(self._pacing.background_delay):
            return
        failure = _SILENT_FAILURES.get(self._bot.fault) if self._bot.fault else None
        if failure:
            self._state.fail(self._chat, *failure)
            return
        answer = self._answer_message()
        recall = [self._recall_message()] if self._reply.recall else []
        for message in [*recall, answer, self._finish_message(), *self._follow_up_messages()]:
            self._state.record(self._chat, message)
        self._state.complete(self._chat, self._usage, answer)

    def _delta_frames(self) -> Iterator[Frame]:
        delta = self._message(self._answer_id, "answer", "")
        if self._reply.reasoning_pieces:
            thinking = DeltaEncoder({**delta, "reasoning_content": ""}, "reasoning_content")
            yield from self._paced(self._reply.reasoning_pieces, thinking)
        yield from self._paced(self._reply.answer_pieces, DeltaEncoder(delta, "content"))

    def _paced(self, pieces: Sequence[str], encoder: DeltaEncoder) -> Iterator[Frame]:
        delay = self._pacing.pause(0.3)  # think before the first piece
        for piece in pieces:
            yield delay, encoder.frame(piece)
            delay = self._pacing.gap()

    def _chat_frame(self, event: str) -> bytes:
        return sse_frame(event, dumps(self._state.snapshot(self._chat)))

    def _completed_frame(self, message: JsonObject) -> bytes:
        self._state.record(self._chat, message)
        return sse_frame("conversation.message.completed", dumps(message))

    def _message(self, message_id: str, message_type: str, content: str) -> JsonObject:
        chat = self._chat
        return {
            "id": message_id,
            "conversation_id": chat.conversation_id,
            "bot_id": chat.bot_id,
            "role": "assistant",
            "type": message_type,
            "content": content,
            "content_type": "text",
            "chat_id": chat.id,
            "section_id": chat.section_id,
        }

    def _completed(self, message_id: str, message_type: str, content: str) -> JsonObject:
        stamp = now()
        return {**self._message(message_id, message_type, content), "created_at": stamp, "updated_at": stamp}

    def _recall_message(self) -> JsonObject:
        data = {"chunks": list(self._reply.recall), "ori_req": "", "status_code": 0}
        return self._completed(new_id(), "verbose", verbose_content("knowledge_recall", data))

    def _answer_message(self) -> JsonObject:
        answer = self._completed(self._answer_id, "answer", self._reply.answer)
        if self._reply.reasoning_pieces:
            answer["reasoning_content"] = self._reply.reasoning
        return answer

    def _finish_message(self) -> JsonObject:
        return self._completed(new_id(), "verbose", _FINISH_CONTENT)

    def _follow_up_messages(self) -> list[JsonObject]:
        return [self._completed(new_id(), "follow_up", text) for text in self._reply.follow_ups]


def _tokens(text: str) -> int:
    """A rough token count: about three UTF-8 bytes per token."""
    return (len(text.encode()) + 2) // 3


def _usage(question: str, reply: Reply) -> dict[str, int]:
    """The usage a real model would report for ``reply``, roughly."""
    recalled = sum(_tokens(chunk["slice"]) for chunk in reply.recall)
    input_count = _PROMPT_TOKENS + _tokens(question) + recalled
    output_count = _tokens(reply.answer) + _tokens(reply.reasoning)
    return {
        "token_count": input_count + output_count,
        "output_count": output_count,
        "input_count": input_count,
    }


class _Watched(Protocol):
    """What the server watches while it streams: an id for its log, and the event that stops it."""

    @property
    def id(self) -> str: ...

    @property
    def halt(self) -> threading.Event: ...


class Play(Protocol):
    """A streamed answer: a chat :class:`Turn`, the plugin bot's turns (``demo/tools.py``), a
    workflow run or a chat-flow's reply (``demo/workflows.py``)."""

    @property
    def chat(self) -> _Watched: ...

    @property
    def drops_connection(self) -> bool: ...

    def frames(self) -> Iterator[Frame]: ...

    def release(self) -> None: ...
