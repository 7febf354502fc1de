"""A streaming answer, saved as it arrives: :class:`ReplyWriter`, made by :meth:`Store.start_reply`.

The answer starts in state ``streaming``; pieces are kept in memory and written as a checkpoint
at most once a second, so a crash loses at most about a second of text (the next start marks
such an answer ``interrupted``); :meth:`ReplyWriter.finish` writes the final state with its
sources, follow-ups and usage in one transaction.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from coze_desktop.domain import ErrorInfo, Message, MessageState, Source, ToolStep, Usage
from coze_desktop.store.db import MAX_SOURCES_PER_MESSAGE

if TYPE_CHECKING:
    from coze_desktop.store.chats import Store

logger = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 1.0  # seconds between checkpoints of a streaming reply


def check_sources(sources: Sequence[Source]) -> None:
    """Refuse more sources than a message can keep (their rank is part of a search key)."""
    if len(sources) > MAX_SOURCES_PER_MESSAGE:
        raise ValueError(f"a message can keep at most {MAX_SOURCES_PER_MESSAGE} sources, got {len(sources)}")


def _joined(parts: list[str]) -> str:
    """Join accumulated pieces and keep the result as the only piece (O(total) once)."""
    text = "".join(parts)
    parts[:] = [text] if text else []
    return text


class ReplyWriter:
    """Saves one streaming assistant answer: created by :meth:`Store.start_reply`.

    :meth:`append` costs O(len(delta)): pieces are kept in memory and written as a checkpoint
    at most once per ``checkpoint_interval`` seconds (about 1 s), so a crash loses at most
    about a second of text. :meth:`finish` writes the final state with sources, follow-ups
    and usage in one transaction. Used as a context manager, a block left by an exception
    finishes the answer as ``failed`` and one left normally finishes it as ``complete``.
    """

    def __init__(
        self,
        store: Store,
        message: Message,
        *,
        checkpoint_interval: float = CHECKPOINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap a message already saved as ``streaming``; use :meth:`Store.start_reply`."""
        assert message.id is not None
        self._store = store
        self._message = message
        self._message_id: int = message.id
        self._interval = checkpoint_interval
        self._clock = clock
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._dirty = False
        self._finished = False
        self._last_checkpoint = clock()

    @property
    def message_id(self) -> int:
        """The local id of the answer being written."""
        return self._message_id

    @property
    def uid(self) -> str:
        """The global uid of the answer being written."""
        return self._message.uid

    @property
    def finished(self) -> bool:
        """True once :meth:`finish` succeeded."""
        return self._finished

    @property
    def text(self) -> str:
        """The answer's text so far (what was appended)."""
        return _joined(self._text)

    @property
    def reasoning(self) -> str:
        """The answer's reasoning so far."""
        return _joined(self._reasoning)

    def append(self, text_delta: str, reasoning_delta: str = "") -> None:
        """Add a piece of the answer (and of its reasoning); checkpoints when one is due.

        May raise :class:`~coze_desktop.store.db.StoreWriteError` from a checkpoint; the text
        stays in memory and the next checkpoint (a second later) or :meth:`finish` retries.
        """
        if self._finished:
            raise RuntimeError("the reply is already finished")
        if text_delta:
            self._text.append(text_delta)
            self._dirty = True
        if reasoning_delta:
            self._reasoning.append(reasoning_delta)
            self._dirty = True
        if self._dirty and self._clock() - self._last_checkpoint >= self._interval:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Write the text so far to the database now (if anything changed since last time)."""
        if not self._dirty:
            return
        self._last_checkpoint = self._clock()  # even if it fails: retry in a second, not per delta
        self._store._save_checkpoint(self._message_id, _joined(self._text), _joined(self._reasoning))
        self._dirty = False

    def finish(
        self,
        state: MessageState = MessageState.COMPLETE,
        *,
        error: ErrorInfo | None = None,
        sources: Sequence[Source] = (),
        follow_ups: Sequence[str] = (),
        usage: Usage | None = None,
        duration: float | None = None,
        coze_message_id: str | None = None,
        coze_chat_id: str | None = None,
        steps: Sequence[ToolStep] = (),
    ) -> Message:
        """Save the whole answer with its final ``state`` and details (``steps``: the tool calls
        and responses of the answer, in order); returns it.

        ``state`` is complete, stopped, failed or interrupted. If the conversation was deleted
        while the answer streamed, nothing is saved. On a ``StoreError`` nothing was written
        and ``finish`` may be called again.
        """
        if self._finished:
            raise RuntimeError("the reply is already finished")
        if state is MessageState.STREAMING:
            raise ValueError("finish() needs a final state, not 'streaming'")
        check_sources(sources)
        final = dataclasses.replace(
            self._message,
            text=_joined(self._text),
            reasoning=_joined(self._reasoning),
            state=state,
            error=error,
            sources=list(sources),
            follow_ups=list(follow_ups),
            usage=usage,
            duration=duration,
            coze_message_id=coze_message_id or self._message.coze_message_id,
            coze_chat_id=coze_chat_id or self._message.coze_chat_id,
            steps=list(steps),
        )
        if not self._store._save_final(final):
            logger.info("answer %d was deleted while it streamed; not saved", self._message_id)
        self._finished = True
        self._dirty = False
        return final

    def __enter__(self) -> ReplyWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._finished:
            return
        if exc is None:
            self.finish()
        else:
            self.finish(MessageState.FAILED, error=ErrorInfo(code=None, message=str(exc) or repr(exc)))
