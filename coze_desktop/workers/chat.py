"""Chat replies in the background: stream or poll, one ``QThread`` per answer.

One request travels one way: :meth:`ChatController.send` saves the question, starts an empty
answer in the store (:meth:`~coze_desktop.store.Store.start_reply`) and hands the work to a job:

* :class:`StreamWorker` streams ``/v3/chat`` in its own thread, folds the events with
  :class:`~coze_desktop.api.ChatAccumulator`, saves through the store's ``ReplyWriter`` as the
  text arrives (a checkpoint at most once a second, the final state at the end) and reports
  through signals. Text is coalesced: pieces are gathered in the worker and emitted at most
  every :data:`EMIT_INTERVAL` seconds (screen rate), plus a final flush.
* :class:`PollingJob` does the same without streaming (a setting): the client's
  ``chat_and_poll`` (create, poll once a second, list the messages) run as a
  :class:`~coze_desktop.workers.tasks.BackgroundTask`; Stop sets its cancel event, checked
  between polls, and Coze is asked to cancel the chat.

Every job signal carries the local conversation id and the answer's message id, so a reply
lands in its own conversation whichever one is on screen, and several can stream at once
(one per conversation). A job never lets an exception escape: anything unexpected is logged
and the answer is finished as ``failed`` with a readable error. Stop saves the partial answer
as ``stopped``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from coze_desktop.api import ChatAccumulator, CozeClient, CozeError, ToolOutput
from coze_desktop.api.client import MAX_ADDITIONAL_MESSAGES, ChatStream
from coze_desktop.api.errors import CozeAPIError, ErrorKind, redact
from coze_desktop.api.events import ChatEvent, MessageDelta
from coze_desktop.api.files import Attachment, question_with_files
from coze_desktop.api.result import ANSWER_SEPARATOR
from coze_desktop.api.workflows import pending_tool_calls
from coze_desktop.domain import (
    Bot,
    ChatStatus,
    Conversation,
    ErrorInfo,
    Message,
    MessageFile,
    MessageState,
    Role,
    Source,
    ToolStep,
    Workflow,
)
from coze_desktop.settings import Settings
from coze_desktop.store import ReplyWriter, Store, StoreError
from coze_desktop.store.db import MAX_SOURCES_PER_MESSAGE
from coze_desktop.workers.accounts import Account, Accounts
from coze_desktop.workers.tasks import BackgroundTask, TaskContext
from coze_desktop.workers.threads import Pacer, WorkerThreads, name_python_thread, return_to_gui_thread
from coze_desktop.workers.uploads import LocalFile, UploadCache, UploadItem, UploadJob, as_attachment

logger = logging.getLogger(__name__)

EMIT_INTERVAL = 1 / 60  # seconds: text reaches the GUI at most this often (about 60 Hz)
POLL_INTERVAL = 1.0  # seconds between two retrieves of a non-streamed chat (Coze asks for ≥ 1 s)
POLL_TIMEOUT = 300.0  # seconds a non-streamed chat may take
TITLE_CHARS = 40


def conversation_title(question: str) -> str:
    """A conversation's title made from its first question: one line, at most 40 characters."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def _rest(full: str, shown: str) -> str:
    """What ``full`` adds after ``shown``; nothing when they disagree (what was shown stays)."""
    return full[len(shown) :] if len(full) > len(shown) and full.startswith(shown) else ""


# A bot that calls a local plugin or a question node ends its chat in ``requires_action``: the
# reply waits for the person. Its tool calls are saved as steps of the answer, with an empty
# ``result`` until they are answered, and the answer is saved ``interrupted`` (like a workflow run
# that a question node interrupted) - so the waiting reply is shown with its calls after a
# switch or a restart, from the store, with no state held elsewhere.
TOOL_CALL = "tool_call"  # a ``function`` call: a local ("端") plugin the person answers for
REPLY_MESSAGE = "reply_message"  # a ``reply_message`` call: the bot asks the person a question
CALL_KINDS = (TOOL_CALL, REPLY_MESSAGE)


def waiting_tool_calls(message: Message | None) -> list[ToolStep]:
    """The tool calls an answer waits for (empty when it does not wait)."""
    if message is None or message.role is not Role.ASSISTANT or message.state is not MessageState.INTERRUPTED:
        return []
    return [s for s in message.steps if s.kind in CALL_KINDS and not s.result]


def answered(steps: Sequence[ToolStep], outputs: Sequence[ToolOutput]) -> list[ToolStep]:
    """``steps`` (copies) with the waiting calls that ``outputs`` answer given their result."""
    given = {o.tool_call_id: o.output for o in outputs}
    return [
        dataclasses.replace(s, result=given[s.call_id])
        if s.kind in CALL_KINDS and not s.result and s.call_id in given
        else dataclasses.replace(s)
        for s in steps
    ]


def _arguments_text(arguments: object) -> str:
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def with_calls(steps: Sequence[ToolStep], required_action: Mapping[str, Any] | None) -> list[ToolStep]:
    """``steps`` (copies; the accumulator made a ``tool_call`` step of each call of a
    ``requires_action`` chat) with the ``reply_message`` calls marked as the bot's questions and
    any call the accumulator did not fold added, waiting for its result."""
    calls = [c for c in pending_tool_calls(required_action) if c["id"]]
    questions = {c["id"] for c in calls if c["type"] == "reply_message"}
    out = [
        dataclasses.replace(s, kind=REPLY_MESSAGE) if s.kind == TOOL_CALL and s.call_id in questions
        else dataclasses.replace(s)
        for s in steps
    ]
    known = {s.call_id for s in out if s.call_id}
    stamp = time.time()
    out.extend(
        ToolStep(
            kind=REPLY_MESSAGE if c["id"] in questions else TOOL_CALL,
            name=c["name"],
            arguments=_arguments_text(c["arguments"]),
            call_id=c["id"],
            created_at=stamp,
        )
        for c in calls
        if c["id"] not in known
    )
    return out


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """What a job needs to produce one answer."""

    conversation_id: int
    bot_id: str
    question: str
    coze_conversation_id: str | None
    account: Account
    lang: str  # "zh" or "en": the language of error texts
    sent_at: float  # time.monotonic() when the user sent the question
    # The shown messages before the question, (role, text) oldest first: sent as context when
    # a new Coze conversation starts (after a regenerate, an edit or a version switch).
    context: tuple[tuple[str, str], ...] = ()
    # The question's files, uploaded (file_id set): sent with it as object_string.
    attachments: tuple[Attachment, ...] = ()
    # The files of each context item (same order as ``context``; may be shorter: no files).
    context_files: tuple[tuple[Attachment, ...], ...] = ()
    # A chat-flow conversation: sent to /v1/workflows/chat with its app id (or the bot id).
    workflow_id: str | None = None
    app_id: str | None = None
    # A reply that waited for tool outputs and goes on (/v3/chat/submit_tool_outputs): the
    # waiting Coze chat, the outputs, and the answer as saved before (its text, steps, ...).
    chat_id: str | None = None
    tool_outputs: tuple[ToolOutput, ...] = ()
    earlier: Message | None = None

    @property
    def streams_only(self) -> bool:
        """Chat-flows and tool outputs have no polled form: they always stream."""
        return bool(self.workflow_id or self.tool_outputs)

    def query(self) -> str | list[dict[str, Any]]:
        """The question alone: its text, or an object_string message when it has files."""
        if not self.attachments:
            return self.question
        return [question_with_files(self.question, self.attachments)]

    def chat_messages(self) -> str | list[dict[str, Any]]:
        """What to send to a new Coze conversation: the question, with the context when there is
        some (earlier questions with files as object_string); at most
        :data:`~coze_desktop.api.client.MAX_ADDITIONAL_MESSAGES` items, the newest context kept."""
        if not self.context:
            return self.query()
        items: list[dict[str, Any]] = []
        for index, (role, text) in enumerate(self.context):
            files = self.context_files[index] if index < len(self.context_files) else ()
            if role == "user":
                if text or files:
                    items.append(question_with_files(text, files))
            elif text:
                items.append({"role": "assistant", "type": "answer", "content": text, "content_type": "text"})
        keep = MAX_ADDITIONAL_MESSAGES - 1
        return [*items[max(0, len(items) - keep) :], question_with_files(self.question, self.attachments)]


class ReplyJob(QObject):
    """What both kinds of job share: signals, folding events, saving, finishing.

    Each signal but ``done`` starts with the local conversation id and
    the answer's message id ("ids" below), so receivers need not know which job sent it.
    """

    started = Signal(int, int, str, str)
    """Coze accepted the chat. Arguments: conversation id, message id, Coze conversation id, Coze chat id."""

    delta_received = Signal(int, int, str, str)
    """New answer text arrived (coalesced). Arguments: conversation id, message id, answer text to
    append, reasoning text to append (either may be empty)."""

    sources_received = Signal(int, int, list)
    """Knowledge-base passages were recalled. Arguments: ids, every ``Source`` so far."""

    follow_ups_received = Signal(int, int, list)
    """Suggested next questions arrived. Arguments: ids, every question so far (``str``)."""

    steps_received = Signal(int, int, list)
    """The bot called a function, a tool answered, or a tool output was reported. Arguments: ids,
    every ``ToolStep`` of the answer so far (copies; those of a continued reply's earlier part first)."""

    failed = Signal(int, int, object)
    """The answer failed (emitted just before ``finished``). Arguments: ids, the ``ErrorInfo``."""

    coze_conversation_restarted = Signal(int, int)
    """Coze no longer knew the conversation (``ErrorKind.CONVERSATION_GONE``), so this answer starts a new one on its
    side: the bot does not remember the earlier messages. Arguments: ids."""

    finished = Signal(int, object)
    """The answer is saved in its final state. Arguments: conversation id, the saved ``Message``."""

    done = Signal()
    """The job is over (after ``finished``); its thread may end."""

    def __init__(self, store: Store, writer: ReplyWriter, request: ReplyRequest) -> None:
        super().__init__()
        self._store = store
        self._writer = writer
        self._request = request
        self._ids = (request.conversation_id, writer.message_id)
        self._acc = ChatAccumulator(lang=request.lang)
        self._stop = threading.Event()
        self._finish_lock = threading.Lock()
        self._finished = False
        self._pending_text: list[str] = []
        self._pending_reasoning: list[str] = []
        self._last_emit = 0.0
        self._sources_seen = 0
        self._follow_ups_seen = 0
        self._started_reported = False
        self._checkpoint_failed = False
        earlier = request.earlier
        # A continued reply: its earlier text is in the writer; new text starts a new paragraph.
        self._earlier_steps: list[ToolStep] = (
            answered(earlier.steps, request.tool_outputs) if earlier is not None else []
        )
        self._separate = earlier is not None and bool(earlier.text)
        self._steps_seen: tuple[int, str] = (0, "")

    @property
    def conversation_id(self) -> int:
        return self._ids[0]

    @property
    def message_id(self) -> int:
        return self._ids[1]

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    # --- requests ----------------------------------------------------------------------------

    def _client(self) -> CozeClient:
        return self._request.account.client()

    def _forget_coze_conversation(self) -> None:
        logger.info("Coze no longer knows this conversation; starting a new one on its side")
        try:
            self._store.set_coze_conversation_id(self.conversation_id, None)
        except StoreError as exc:
            logger.info("could not forget the Coze conversation id: %s", exc)
        self.coze_conversation_restarted.emit(*self._ids)

    # --- folding -----------------------------------------------------------------------------

    def _take(self, event: ChatEvent) -> None:
        """Fold one event: save and queue its text, report ids, sources and follow-ups."""
        shown = self._acc.feed(event)
        reasoning = event.message.reasoning_content if isinstance(event, MessageDelta) else ""
        if shown and self._separate:
            shown, self._separate = ANSWER_SEPARATOR + shown, False
        if shown or reasoning:
            self._append(shown, reasoning)
        if not self._started_reported and self._acc.conversation_id:
            self._report_started()
        if not isinstance(event, MessageDelta):
            self._report_steps()
        if len(self._acc.sources) != self._sources_seen:
            self._flush()
            self._sources_seen = len(self._acc.sources)
            self.sources_received.emit(*self._ids, list(self._acc.sources))
        if len(self._acc.follow_ups) != self._follow_ups_seen:
            self._flush()
            self._follow_ups_seen = len(self._acc.follow_ups)
            self.follow_ups_received.emit(*self._ids, list(self._acc.follow_ups))
        if self._pending_text or self._pending_reasoning:
            now = time.monotonic()
            if now - self._last_emit >= EMIT_INTERVAL:
                self._flush(now)

    def _steps(self) -> list[ToolStep]:
        """Every step of the answer so far: the earlier part's, then this chat's (without Coze's
        echo of the outputs just submitted: they are the results of the earlier part's calls)."""
        submitted = {o.output for o in self._request.tool_outputs}
        return [
            *self._earlier_steps,
            *(
                s
                for s in self._acc.steps
                if not (s.kind in ("tool_response", "tool_output") and not s.name and s.result.strip() in submitted)
            ),
        ]

    def _report_steps(self) -> None:
        steps = self._acc.steps
        seen = (len(steps), steps[-1].result if steps else "")
        if seen != self._steps_seen:
            self._steps_seen = seen
            self._flush()
            self.steps_received.emit(*self._ids, [dataclasses.replace(s) for s in self._steps()])

    def _append(self, text: str, reasoning: str) -> None:
        try:
            self._writer.append(text, reasoning)
        except StoreError as exc:  # the text stays in memory; the next checkpoint retries
            if not self._checkpoint_failed:
                logger.warning("could not checkpoint the answer: %s", exc)
            self._checkpoint_failed = True
        if text:
            self._pending_text.append(text)
        if reasoning:
            self._pending_reasoning.append(reasoning)

    def _flush(self, now: float | None = None) -> None:
        if self._pending_text or self._pending_reasoning:
            text, reasoning = "".join(self._pending_text), "".join(self._pending_reasoning)
            self._pending_text.clear()
            self._pending_reasoning.clear()
            self.delta_received.emit(*self._ids, text, reasoning)
        self._last_emit = time.monotonic() if now is None else now

    def _report_started(self) -> None:
        self._started_reported = True
        coze_id = self._acc.conversation_id or ""
        if coze_id != (self._request.coze_conversation_id or ""):
            try:
                self._store.set_coze_conversation_id(self.conversation_id, coze_id)
            except StoreError as exc:  # e.g. the conversation was deleted meanwhile
                logger.info("could not keep the Coze conversation id: %s", exc)
        self.started.emit(*self._ids, coze_id, self._acc.chat_id or "")

    # --- finishing ---------------------------------------------------------------------------

    def _complete_from_result(self) -> None:
        """Add what the final result has beyond what was shown (a polled answer's reasoning)."""
        if self._request.earlier is not None:
            return  # a continued reply streams: what it shows is what arrived
        text = _rest(self._acc.answer, self._writer.text)
        reasoning = _rest(self._acc.reasoning, self._writer.reasoning)
        if text or reasoning:
            self._append(text, reasoning)

    def _final_state(self) -> tuple[MessageState, ErrorInfo | None]:
        status = self._acc.status
        if self._stop.is_set() or status is ChatStatus.CANCELED:
            return MessageState.STOPPED, None
        if status is ChatStatus.COMPLETED:
            return MessageState.COMPLETE, None
        if status is ChatStatus.REQUIRES_ACTION:
            if self._request.workflow_id:
                # A chat-flow's question node: its question is the answer; the next message answers it.
                return MessageState.COMPLETE, None
            if any(c["id"] for c in pending_tool_calls(self._acc.required_action)):
                return MessageState.INTERRUPTED, None  # waits for the person's tool outputs
            return MessageState.FAILED, ErrorInfo(
                None,
                QCoreApplication.translate(
                    "ChatController", "The bot asked for tool outputs but named no tool call. Retry."
                ),
            )
        return MessageState.FAILED, self._acc.error or ErrorInfo(
            None,
            QCoreApplication.translate("ChatController", "The reply ended before it was finished. Retry."),
        )

    def _finish(self, exc: BaseException | None) -> None:
        """Save the answer in its final state and report it; at most once per job."""
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
            try:
                self._save_and_report(exc)
            except Exception:
                logger.exception("could not finish answer %d", self.message_id)
                error = ErrorInfo(
                    None,
                    QCoreApplication.translate(
                        "ChatController", "The answer could not be saved. See the log for details."
                    ),
                )
                self.failed.emit(*self._ids, error)
                self.finished.emit(self.conversation_id, self._unsaved(error))

    def _save_and_report(self, exc: BaseException | None) -> None:
        if isinstance(exc, CozeError):
            self._acc.fail(exc)
        elif exc is not None:
            logger.error("answer %d failed unexpectedly", self.message_id, exc_info=exc)
            self._acc.status = ChatStatus.ERROR
            self._acc.error = ErrorInfo(
                None,
                QCoreApplication.translate(
                    "ChatController", "Something unexpected went wrong: {error}. See the log for details."
                ).format(error=redact(f"{type(exc).__name__}: {exc}", self._request.account.token)),
            )
        self._complete_from_result()
        self._flush()
        state, error = self._final_state()
        steps = self._steps()
        if state is MessageState.INTERRUPTED:
            steps = [*self._earlier_steps, *with_calls(self._acc.steps, self._acc.required_action)]
        elif self._request.workflow_id:  # a chat-flow's question is its answer, not a call to answer
            steps = [s for s in steps if not (s.kind in CALL_KINDS and not s.result)]
        earlier = self._request.earlier
        if earlier is not None and state is MessageState.FAILED and not self._started_reported:
            # Coze never took the outputs (refused, or the network was down): the reply still
            # waits, with why the outputs could not be sent.
            state, steps = MessageState.INTERRUPTED, list(earlier.steps)
        sources = [*(earlier.sources if earlier is not None else ()), *self._acc.sources]
        duration = time.monotonic() - self._request.sent_at
        if earlier is not None and earlier.duration is not None:
            duration += earlier.duration
        message = self._writer.finish(
            state,
            error=error,
            sources=sources[:MAX_SOURCES_PER_MESSAGE],
            follow_ups=self._acc.follow_ups,
            usage=self._acc.usage or (earlier.usage if earlier is not None else None),
            duration=duration,
            coze_message_id=self._acc.answer_message_id,
            coze_chat_id=self._acc.chat_id or self._request.chat_id,
            steps=steps,
        )
        logger.info("answer %d finished: %s", self.message_id, state.value)
        if error is not None:
            self.failed.emit(*self._ids, error)
        self.finished.emit(self.conversation_id, message)

    def _unsaved(self, error: ErrorInfo) -> Message:
        return Message(
            id=self.message_id,
            conversation_id=self.conversation_id,
            role=Role.ASSISTANT,
            text=self._writer.text,
            reasoning=self._writer.reasoning,
            state=MessageState.FAILED,
            error=error,
            sources=list(self._acc.sources),
            follow_ups=list(self._acc.follow_ups),
        )

    def settle(self) -> None:
        """Finish now as ``stopped`` unless already finished (on quit, for a job that did not end)."""
        self._stop.set()
        self._finish(None)

    def stop(self) -> None:
        """Ask the job to stop; the answer so far is saved as ``stopped``. Safe from any thread."""
        raise NotImplementedError


class StreamWorker(ReplyJob):
    """Streams one answer in its own thread (see :class:`~coze_desktop.workers.threads.WorkerThreads`)."""

    def __init__(self, store: Store, writer: ReplyWriter, request: ReplyRequest) -> None:
        super().__init__(store, writer, request)
        self._stream_lock = threading.Lock()
        self._stream: ChatStream | None = None

    @Slot()
    def run(self) -> None:
        """Stream, save and report the answer; never raises."""
        name_python_thread()
        error: BaseException | None = None
        try:
            self._stream_reply()
        except Exception as exc:  # a CozeError, or a bug: either way the answer is finished below
            error = exc
        finally:
            self._finish(error)
            return_to_gui_thread(self)
            self.done.emit()

    def _stream_reply(self) -> None:
        with self._client() as client:
            stream = self._open(client)
            with self._stream_lock:
                self._stream = stream
            if self._stop.is_set():
                stream.abort()
            pacer = Pacer()  # leaves the GUI thread its share of the interpreter (see Pacer)
            try:
                for event in stream:
                    self._take(event)
                    pacer.tick()
            finally:
                if stream.canceled:
                    stream.cancel()  # tell Coze too; here, not in the GUI thread, as it is a request

    def _open(self, client: CozeClient) -> ChatStream:
        req = self._request
        if req.tool_outputs:
            assert req.coze_conversation_id and req.chat_id  # checked by ChatController.submit_tool_outputs
            return client.stream_submit_tool_outputs(req.coze_conversation_id, req.chat_id, req.tool_outputs)
        try:
            if not req.coze_conversation_id:
                return self._start(client, req.chat_messages(), None)
            return self._start(client, req.query(), req.coze_conversation_id)
        except CozeAPIError as exc:
            if exc.kind is not ErrorKind.CONVERSATION_GONE or not req.coze_conversation_id or self._stop.is_set():
                raise
        self._forget_coze_conversation()
        return self._start(client, req.chat_messages(), None)

    def _start(
        self, client: CozeClient, message: str | list[dict[str, Any]], conversation_id: str | None
    ) -> ChatStream:
        """Open the chat: ``/v3/chat`` with the bot, or ``/v1/workflows/chat`` for a chat-flow
        (with its app id, else the bot id; never both)."""
        req = self._request
        if req.workflow_id:
            return client.stream_workflow_chat(
                req.workflow_id,
                message,
                app_id=req.app_id or None,
                bot_id=None if req.app_id else (req.bot_id or None),
                conversation_id=conversation_id,
            )
        return client.stream_chat(req.bot_id, req.account.user_id, message, conversation_id=conversation_id)

    def stop(self) -> None:
        """Close the stream at once (the worker then asks Coze to cancel the chat)."""
        self._stop.set()
        with self._stream_lock:
            stream = self._stream
        if stream is not None:
            stream.abort()


class PollingJob(ReplyJob):
    """Produces one answer without streaming: ``CozeClient.chat_and_poll`` run as a
    :class:`~coze_desktop.workers.tasks.BackgroundTask`, its events folded like a stream's."""

    def __init__(self, store: Store, writer: ReplyWriter, request: ReplyRequest) -> None:
        super().__init__(store, writer, request)
        self._task: BackgroundTask[None] | None = None

    def start(self, threads: WorkerThreads) -> None:
        """Start polling in a thread of ``threads``."""
        self._task = BackgroundTask(
            threads, self._run, name=f"chat-{self.message_id}", lang=self._request.lang
        )
        self._task.finished.connect(self.done)
        self._task.start()

    def _run(self, ctx: TaskContext) -> None:
        """Poll, save and report the answer (in the task's thread); never raises."""
        error: BaseException | None = None
        try:
            self._poll_reply(ctx.cancel_requested)
        except Exception as exc:  # a CozeError, or a bug: either way the answer is finished below
            error = exc
        finally:
            self._finish(error)

    def _poll_reply(self, cancel: threading.Event) -> None:
        req = self._request
        with self._client() as client:

            def chat(message: str | list[dict[str, Any]], conversation_id: str | None) -> Iterator[ChatEvent]:
                return client.chat_and_poll(
                    req.bot_id,
                    req.account.user_id,
                    message,
                    conversation_id=conversation_id,
                    interval=POLL_INTERVAL,
                    timeout=POLL_TIMEOUT,
                    cancel=cancel,
                )

            events = chat(
                req.query() if req.coze_conversation_id else req.chat_messages(), req.coze_conversation_id
            )
            try:
                first = next(events)  # the chat is created here
            except CozeAPIError as exc:
                if exc.kind is not ErrorKind.CONVERSATION_GONE or not req.coze_conversation_id or cancel.is_set():
                    raise
                self._forget_coze_conversation()
                events = chat(req.chat_messages(), None)
                first = next(events)
            self._take(first)
            for event in events:
                self._take(event)

    def stop(self) -> None:
        """Stop polling (Coze is asked to cancel the chat); safe from any thread."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()


@dataclass(slots=True)
class _PendingSend:
    """A question waiting for its files to be uploaded, and what to do once they are."""

    target: int | None  # the conversation id; None: a new conversation, made after the uploads
    bot: Bot | None  # the bot of a new conversation
    text: str
    question_id: int | None = None  # retry: the question asked again (its file ids are updated)
    version_of: int | None = None  # retry: the answer to write again
    edit_of: int | None = None  # edit: the question a new version replaces
    job: UploadJob | None = None


@dataclass(slots=True)
class LiveReply:
    """The live state of one answer being written, as far as the GUI thread has received it.

    Owned by :class:`ChatController` (the one copy of a reply in flight); the window, the
    conversation switcher and exports ask :meth:`ChatController.live` instead of keeping their own.
    """

    conversation_id: int
    message_id: int
    text_parts: list[str] = field(default_factory=list)
    reasoning_parts: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    steps: list[ToolStep] = field(default_factory=list)
    coze_chat_id: str | None = None

    @property
    def text(self) -> str:
        return _joined(self.text_parts)

    @property
    def reasoning(self) -> str:
        return _joined(self.reasoning_parts)

    def applied_to(self, message: Message) -> Message:
        """``message`` (the answer as saved at its last checkpoint) with the live text, reasoning
        and sources on top. Follow-up questions are shown once the answer is finished, so they
        are not applied."""
        return dataclasses.replace(
            message,
            text=self.text,
            reasoning=self.reasoning,
            sources=list(self.sources),
            steps=list(self.steps),
            state=MessageState.STREAMING,
            error=None,
        )


def _joined(parts: list[str]) -> str:
    """Join pieces and keep the result as the only piece (each read is O(new text))."""
    text = "".join(parts)
    parts[:] = [text] if text else []
    return text


class ChatController(QObject):
    """Sends questions and follows their answers; what the main window talks to.

    At most one answer streams per conversation; several conversations may stream at once.
    Signals carry the local conversation id, so a view can route each event to its conversation.
    """

    conversation_created = Signal(int)
    """A conversation was created for a first question. Argument: its id."""

    message_added = Signal(int, object)
    """The user's question was saved. Arguments: conversation id, the saved ``Message``."""

    reply_started = Signal(int, object)
    """An (empty, ``streaming``) answer was saved and its job started. Arguments: conversation id, ``Message``."""

    chat_started = Signal(int, int, str)
    """Coze accepted the chat. Arguments: conversation id, message id, Coze chat id."""

    delta_received = Signal(int, int, str, str)
    """See :attr:`ReplyJob.delta_received`."""

    sources_received = Signal(int, int, list)
    """See :attr:`ReplyJob.sources_received`."""

    follow_ups_received = Signal(int, int, list)
    """See :attr:`ReplyJob.follow_ups_received`."""

    steps_received = Signal(int, int, list)
    """See :attr:`ReplyJob.steps_received`."""

    reply_failed = Signal(int, int, object)
    """An answer failed. Arguments: conversation id, message id, ``ErrorInfo``."""

    coze_conversation_restarted = Signal(int, int)
    """Coze had forgotten a conversation, so a new Coze conversation was started for an answer
    (the bot does not remember what came before). Arguments: conversation id, message id."""

    reply_finished = Signal(int, object)
    """An answer is saved in its final state. Arguments: conversation id, the saved ``Message``."""

    streaming_changed = Signal(int, bool)
    """A conversation started or stopped waiting for an answer. Arguments: conversation id, streaming."""

    path_changed = Signal(int, int)
    """What a conversation shows changed in place: a new version of an answer or a question, or
    another version chosen (the view reloads it). Arguments: conversation id, the id of the
    message that changed (to keep in view)."""

    # The uploads of a question's files (send with files, retry/regenerate/edit of a question
    # with files). "target" is the conversation id, or None for a question that starts a new
    # conversation (it is created only once every file is uploaded).

    upload_started = Signal(object, int)
    """Files are being uploaded before a question is sent. Arguments: target, how many files."""

    upload_progress = Signal(object, int, int, int)
    """Arguments: target, the file's index, bytes of it sent, its size."""

    upload_failed = Signal(object, str, str)
    """A file could not be uploaded: nothing was saved or sent. Arguments: target, text for
    people (naming the file), the file's name."""

    upload_canceled = Signal(object)
    """The uploads were stopped: nothing was saved or sent. Argument: target."""

    upload_finished = Signal(object, int)
    """Every file was uploaded and the question is saved and being answered. Arguments: target,
    the conversation id (new when the target was None)."""

    def __init__(
        self,
        store: Store,
        accounts: Accounts,
        threads: WorkerThreads,
        settings: Settings,
        *,
        lang: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._accounts = accounts
        self._threads = threads
        self._settings = settings
        self._lang = lang
        self._jobs: dict[int, ReplyJob] = {}
        self._live: dict[int, LiveReply] = {}  # by answer message id
        self._uploads: dict[int | None, _PendingSend] = {}  # by target (see upload_started)
        self.upload_cache = UploadCache()  # file ids of this run, by (base_url, sha256)
        self.max_attachment_bytes: Callable[[], int] = settings.max_attachment_bytes

    # --- public API --------------------------------------------------------------------------

    def new_conversation(self, bot: Bot | None, question: str, *, workflow: Workflow | None = None) -> Conversation:
        """Create (and return) a conversation with ``bot`` titled after ``question``, before sending
        it: the caller can show the conversation before its first events arrive.

        With ``workflow`` (a chat-flow) the conversation talks to it instead, through
        ``/v1/workflows/chat`` with the workflow's app id, else its bot id (``bot`` is not used).
        Raises ``ValueError`` for an empty question (or no bot nor workflow) and ``StoreError``
        when saving fails.
        """
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        title = conversation_title(question)
        if workflow is not None:
            new = Conversation(
                id=None,
                bot_id="" if workflow.app_id else workflow.bot_id,
                title=title,
                base_url=workflow.base_url,
                workflow_id=workflow.workflow_id,
                app_id=workflow.app_id or None,
            )
        elif bot is not None:
            new = Conversation(id=None, bot_id=bot.bot_id, title=title, base_url=bot.base_url)
        else:
            raise ValueError("a conversation needs a bot or a chat-flow")
        conversation = self._store.create_conversation(new)
        assert conversation.id is not None
        self.conversation_created.emit(conversation.id)
        return conversation

    def send(
        self, conversation_id: int | None, bot: Bot, text: str, files: Sequence[LocalFile] = ()
    ) -> int | None:
        """Save ``text`` as a question and start its answer; returns the conversation id.

        With ``conversation_id`` ``None`` a new conversation is made first (:meth:`new_conversation`).
        With ``files`` they are uploaded first (:class:`~coze_desktop.workers.uploads.UploadJob`,
        see the ``upload_*`` signals) and the question is saved and sent only once every upload
        succeeded; the text may then be empty, and the conversation id is returned when known
        (None for a new conversation: it is made after the uploads, see :attr:`upload_finished`).
        Raises ``ValueError`` for an empty question, ``RuntimeError`` when the conversation is
        already waiting for an answer (or has no token for uploads), and ``StoreError`` when saving fails.
        """
        question = text.strip()
        if files:
            return self._send_with_files(conversation_id, bot, question, list(files))
        if not question:
            raise ValueError("the question is empty")
        if conversation_id is None:
            conversation = self.new_conversation(bot, question)
        else:
            self._check_idle(conversation_id)
            conversation = self._conversation(conversation_id)
        assert conversation.id is not None
        saved = self._store.add_message(
            Message(id=None, conversation_id=conversation.id, role=Role.USER, text=question, type="question")
        )
        self.message_added.emit(conversation.id, saved)
        self._start_reply(conversation, question)
        return conversation.id

    def retry(self, message_id: int) -> int:
        """Write the answer ``message_id`` again, as a new version in its place; the old one is kept.

        The new answer follows the same question (the messages after the old answer stay with
        the old version) and is asked in a new Coze conversation with the messages before it as
        context. A question with files sends them again: their ids from this run, else their
        local copies are uploaded again first. Returns the conversation id. Raises ``LookupError``
        when the answer or its question is gone and ``RuntimeError`` when the conversation is
        already waiting for an answer.
        """
        answer = self._store.get_message(message_id)
        if answer is None or answer.conversation_id is None or answer.role is not Role.ASSISTANT:
            raise LookupError(f"answer {message_id} does not exist")
        self._check_idle(answer.conversation_id, replacing=message_id)
        question = self._question_before(answer)
        if question is None:
            raise LookupError(f"no question precedes message {message_id}")
        conversation = self._conversation(answer.conversation_id)
        if question.attachments:
            pending = _PendingSend(
                conversation.id, None, question.text, question_id=question.id, version_of=message_id
            )
            self._start_uploads(pending, conversation.base_url, list(question.attachments))
        else:
            self._start_reply(conversation, question.text, version_of=message_id)
        return answer.conversation_id

    def edit(self, message_id: int, text: str) -> int:
        """Ask ``text`` instead of the question ``message_id``: a new version of the question, in
        its place, and a new answer after it; the earlier question and its answers stay as the
        earlier version. The question's files go with the new version (uploaded again first
        when this run has not uploaded them). Returns the conversation id.

        Raises ``ValueError`` for an empty text (without files), ``LookupError`` when the question
        is gone, ``RuntimeError`` when the conversation is waiting for an answer, ``StoreError``
        when saving fails.
        """
        question_text = text.strip()
        question = self._store.get_message(message_id)
        if question is None or question.conversation_id is None or question.role is not Role.USER:
            raise LookupError(f"question {message_id} does not exist")
        if not question_text and not question.attachments:
            raise ValueError("the question is empty")
        conversation_id = question.conversation_id
        self._check_idle(conversation_id)
        if question.attachments:
            conversation = self._conversation(conversation_id)
            pending = _PendingSend(conversation_id, None, question_text, edit_of=message_id)
            self._start_uploads(pending, conversation.base_url, list(question.attachments))
            return conversation_id
        saved = self._store.add_message(
            Message(
                id=None, conversation_id=conversation_id, role=Role.USER, text=question_text, type="question"
            ),
            version_of=message_id,
        )
        assert saved.id is not None
        self.path_changed.emit(conversation_id, saved.id)
        self._start_reply(self._conversation(conversation_id), question_text)
        return conversation_id

    def is_uploading(self, target: int | None) -> bool:
        """Whether the files of a question for ``target`` (None: a new conversation) are uploading."""
        return target in self._uploads

    def cancel_upload(self, target: int | None) -> None:
        """Stop the uploads for ``target``: nothing is saved or sent (:attr:`upload_canceled`)."""
        pending = self._uploads.get(target)
        if pending is not None and pending.job is not None:
            logger.info("canceling the uploads for %s", "a new conversation" if target is None else target)
            pending.job.cancel()

    def switch_version(self, message_id: int, step: int) -> int | None:
        """Show the version ``step`` places after (negative: before) ``message_id``; returns the id
        of the version now shown, or ``None`` when there is none that far.

        Raises ``LookupError`` when the message is gone and ``RuntimeError`` while the
        conversation is waiting for an answer (the answer being written would be hidden).
        """
        message = self._store.get_message(message_id)
        if message is None or message.conversation_id is None:
            raise LookupError(f"message {message_id} does not exist")
        if self.is_streaming(message.conversation_id):
            raise RuntimeError(f"conversation {message.conversation_id} is waiting for an answer")
        versions = self._store.versions(message_id)
        index = versions.index(message_id) + step
        if not 0 <= index < len(versions):
            return None
        target = versions[index]
        self._store.select_version(target)
        self.path_changed.emit(message.conversation_id, target)
        return target

    def show_message(self, message_id: int) -> bool:
        """Make a message on a version not shown (a search hit) the one shown, with the versions
        leading to it; True if what the conversation shows changed. Nothing changes while its
        conversation waits for an answer. Raises ``StoreError`` when saving fails."""
        message = self._store.get_message(message_id)
        if message is None or message.shown or self.is_streaming(message.conversation_id):
            return False
        self._store.select_version(message_id)
        return True

    def stop(self, conversation_id: int | None) -> None:
        """Stop the answer being written in ``conversation_id`` (its text so far is kept), or
        the uploads of a question for it (None: for a new conversation; nothing is sent)."""
        self.cancel_upload(conversation_id)
        if conversation_id is None:
            return
        job = self._jobs.get(conversation_id)
        if job is not None:
            logger.info("stopping the answer in conversation %d", conversation_id)
            job.stop()

    # --- replies that wait for tool outputs -------------------------------------------------------

    def waiting_reply(self, conversation_id: int | None) -> Message | None:
        """The answer of ``conversation_id`` that waits for the person's tool outputs (its last
        shown message, saved ``interrupted`` with unanswered calls), else ``None``."""
        if conversation_id is None or self.is_streaming(conversation_id):
            return None
        try:
            newest = self._store.message_page(conversation_id, limit=1)
        except StoreError as exc:
            logger.info("could not read the newest message: %s", exc)
            return None
        return newest[0] if newest and waiting_tool_calls(newest[0]) else None

    def submit_tool_outputs(self, message_id: int, outputs: Mapping[str, str]) -> int:
        """Answer the tool calls answer ``message_id`` waits for (``outputs``: the text for each
        call id) and let the SAME answer go on streaming (``/v3/chat/submit_tool_outputs``): the
        same message, continued, with :attr:`reply_started`, deltas and :attr:`reply_finished`.
        Returns the conversation id.

        Raises ``LookupError`` when the answer is gone or waits for nothing, ``ValueError`` when
        a call has no output (its text names it), ``RuntimeError`` when the conversation is busy,
        the answer lost its Coze chat or there is no token, ``StoreError`` when saving fails.
        """
        message = self._store.get_message(message_id)
        calls = waiting_tool_calls(message)
        if message is None or message.conversation_id is None or not calls:
            raise LookupError(f"answer {message_id} is not waiting for tool outputs")
        conversation_id = message.conversation_id
        if self.is_streaming(conversation_id) or self.is_uploading(conversation_id):
            raise RuntimeError(f"conversation {conversation_id} is already waiting for an answer")
        given: list[ToolOutput] = []
        for call in calls:
            text = (outputs.get(call.call_id) or "").strip()
            if not text:
                raise ValueError(
                    QCoreApplication.translate("ChatController", "Write the result of {name} first.").format(
                        name=call.name or call.call_id
                    )
                )
            given.append(ToolOutput(call.call_id, text))
        conversation = self._conversation(conversation_id)
        if not conversation.coze_conversation_id or not message.coze_chat_id:
            raise RuntimeError(
                QCoreApplication.translate(
                    "ChatController", "This reply no longer knows its Coze chat, so it cannot go on. Cancel it and ask again."
                )
            )
        account = self._accounts.account(conversation.base_url)
        if account is None:
            raise RuntimeError(
                QCoreApplication.translate(
                    "ChatController",
                    "No access token for this bot's server. Enter your token in Settings, then retry.",
                )
            )
        request = ReplyRequest(
            conversation_id=conversation_id,
            bot_id=conversation.bot_id,
            question="",
            coze_conversation_id=conversation.coze_conversation_id,
            account=account,
            lang=self._lang(),
            sent_at=time.monotonic(),
            chat_id=message.coze_chat_id,
            tool_outputs=tuple(given),
            earlier=message,
        )
        continued = dataclasses.replace(message, state=MessageState.STREAMING, error=None)
        writer = ReplyWriter(self._store, continued)
        writer.append(message.text, message.reasoning)  # the same answer: its text so far stays
        live = LiveReply(conversation_id, message_id, coze_chat_id=message.coze_chat_id)
        live.text_parts.append(message.text)
        live.reasoning_parts.append(message.reasoning)
        live.sources = list(message.sources)
        live.steps = answered(message.steps, given)
        self._live[message_id] = live
        logger.info("answer %d: submitting %d tool output(s)", message_id, len(given))
        self._start_job(request, writer, live.applied_to(continued))
        return conversation_id

    def cancel_tool_calls(self, message_id: int) -> Message:
        """End the chat answer ``message_id`` waits in: saved ``stopped`` with what it has (its
        calls stay, unanswered; no error). Emits :attr:`reply_finished`; returns the saved answer.

        Nothing is sent to Coze: ``requires_action`` is a terminal status there, which
        ``/v3/chat/cancel`` refuses to cancel (coze-api.md §5), and the next chat of the conversation
        is accepted as it is. Raises ``LookupError`` when the answer is gone or waits for
        nothing, ``StoreError`` when saving fails.
        """
        message = self._store.get_message(message_id)
        if message is None or message.conversation_id is None or not waiting_tool_calls(message):
            raise LookupError(f"answer {message_id} is not waiting for tool outputs")
        writer = ReplyWriter(self._store, message)
        writer.append(message.text, message.reasoning)
        saved = writer.finish(
            MessageState.STOPPED,
            sources=message.sources,
            follow_ups=message.follow_ups,
            usage=message.usage,
            duration=message.duration,
            coze_message_id=message.coze_message_id,
            coze_chat_id=message.coze_chat_id,
            steps=message.steps,
        )
        logger.info("answer %d: tool calls canceled", message_id)
        self.reply_finished.emit(message.conversation_id, saved)
        return saved

    def live(self, message_id: int | None) -> LiveReply | None:
        """The live state of answer ``message_id`` while it is being written, else ``None``
        (then the store has its final state)."""
        return self._live.get(message_id) if message_id is not None else None

    def with_live(self, message: Message) -> Message:
        """``message`` as it is now: with its live state when it is an answer being written."""
        live = self.live(message.id)
        return live.applied_to(message) if live is not None else message

    def is_streaming(self, conversation_id: int | None) -> bool:
        """Whether ``conversation_id`` is waiting for an answer."""
        return conversation_id is not None and conversation_id in self._jobs

    def streaming_conversations(self) -> list[int]:
        """The conversations waiting for an answer."""
        return list(self._jobs)

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop every answer and wait up to ``timeout`` seconds; True when all threads ended.

        Answers that did not end in time are saved as ``stopped`` from here, so nothing is lost
        even when a request cannot be interrupted.
        """
        jobs = list(self._jobs.values())
        for target in list(self._uploads):
            self.cancel_upload(target)
        for job in jobs:
            job.stop()
        ended = self._threads.wait_all(timeout)
        for job in jobs:
            job.settle()
        return ended

    # --- internals ---------------------------------------------------------------------------

    def _check_idle(self, conversation_id: int, *, replacing: int | None = None) -> None:
        """Refuse to start an answer while one is written, files upload, or an answer waits for
        tool outputs (unless it is ``replacing``, the answer written again)."""
        if self.is_streaming(conversation_id) or self.is_uploading(conversation_id):
            raise RuntimeError(f"conversation {conversation_id} is already waiting for an answer")
        waiting = self.waiting_reply(conversation_id)
        if waiting is not None and waiting.id != replacing:
            raise RuntimeError(
                QCoreApplication.translate(
                    "ChatController", "The bot is waiting for your answer to its tool call: submit it or cancel it first."
                )
            )

    def _send_with_files(
        self, conversation_id: int | None, bot: Bot, question: str, files: list[LocalFile]
    ) -> int | None:
        base_url = bot.base_url
        if conversation_id is not None:
            self._check_idle(conversation_id)
            base_url = self._conversation(conversation_id).base_url
        elif self.is_uploading(None):
            raise RuntimeError("the files of a new conversation are being uploaded")
        self._start_uploads(_PendingSend(conversation_id, bot, question), base_url, list(files))
        return conversation_id

    def _start_uploads(self, pending: _PendingSend, base_url: str, items: list[UploadItem]) -> None:
        account = self._accounts.account(base_url)
        if account is None:
            raise RuntimeError(
                QCoreApplication.translate(
                    "ChatController",
                    "No access token for this bot's server. Enter your token in Settings, then retry.",
                )
            )
        job = UploadJob(
            self._threads,
            self._store,
            account,
            self.upload_cache,
            items,
            lang=self._lang,
            max_bytes=self.max_attachment_bytes(),
            parent=self,
        )
        pending.job = job
        job.progressed.connect(self._on_upload_progressed)
        job.succeeded.connect(self._on_upload_succeeded)
        job.failed.connect(self._on_upload_failed)
        job.canceled.connect(self._on_upload_canceled)
        job.finished.connect(self._on_upload_job_finished)
        self._uploads[pending.target] = pending
        logger.info("uploading %d file(s) before sending", len(items))
        self.upload_started.emit(pending.target, len(items))
        job.start()

    def _pending_of(self, job: object) -> _PendingSend | None:
        return next((p for p in self._uploads.values() if p.job is job), None)

    @Slot(object, int, int, int)
    def _on_upload_progressed(self, job: object, index: int, sent: int, total: int) -> None:
        pending = self._pending_of(job)
        if pending is not None:
            self.upload_progress.emit(pending.target, index, sent, total)

    @Slot(object, str, str)
    def _on_upload_failed(self, job: object, text: str, name: str) -> None:
        pending = self._pending_of(job)
        if pending is not None:
            del self._uploads[pending.target]
            self.upload_failed.emit(pending.target, text, name)

    @Slot(object)
    def _on_upload_canceled(self, job: object) -> None:
        pending = self._pending_of(job)
        if pending is not None:
            del self._uploads[pending.target]
            self.upload_canceled.emit(pending.target)

    @Slot(object)
    def _on_upload_job_finished(self, job: object) -> None:
        pending = self._pending_of(job)
        if pending is not None:  # ended without an outcome (cannot happen; never keep it busy)
            del self._uploads[pending.target]
        if isinstance(job, UploadJob):
            job.deleteLater()

    @Slot(object, list)
    def _on_upload_succeeded(self, job: object, files: list[MessageFile]) -> None:
        pending = self._pending_of(job)
        if pending is None:
            return
        del self._uploads[pending.target]
        try:
            conversation_id = self._send_uploaded(pending, files)
        except (StoreError, LookupError, ValueError, RuntimeError) as exc:
            logger.info("the question with files could not be sent: %s", exc)
            text = QCoreApplication.translate(
                "ChatController", "The question could not be sent: {error}"
            ).format(error=exc)
            self.upload_failed.emit(pending.target, text, "")
            return
        self.upload_finished.emit(pending.target, conversation_id)

    def _send_uploaded(self, pending: _PendingSend, files: list[MessageFile]) -> int:
        """Save and send a question whose files are all uploaded; its conversation id."""
        if pending.version_of is not None:  # retry / regenerate
            assert pending.target is not None
            if pending.question_id is not None:
                self._remember_file_ids(pending.question_id, files)
            self._start_reply(
                self._conversation(pending.target), pending.text, version_of=pending.version_of, files=files
            )
            return pending.target
        if pending.edit_of is not None:
            assert pending.target is not None
            saved = self._store.add_message(
                Message(
                    id=None,
                    conversation_id=pending.target,
                    role=Role.USER,
                    text=pending.text,
                    type="question",
                    attachments=list(files),
                ),
                version_of=pending.edit_of,
            )
            assert saved.id is not None
            self.path_changed.emit(pending.target, saved.id)
            self._start_reply(self._conversation(pending.target), pending.text, files=files)
            return pending.target
        if pending.target is None:
            assert pending.bot is not None
            conversation = self.new_conversation(pending.bot, pending.text or files[0].name)
        else:
            if self.is_streaming(pending.target):
                raise RuntimeError(f"conversation {pending.target} is already waiting for an answer")
            conversation = self._conversation(pending.target)
        assert conversation.id is not None
        saved = self._store.add_message(
            Message(
                id=None,
                conversation_id=conversation.id,
                role=Role.USER,
                text=pending.text,
                type="question",
                attachments=list(files),
            )
        )
        self.message_added.emit(conversation.id, saved)
        self._start_reply(conversation, pending.text, files=files)
        return conversation.id

    def _remember_file_ids(self, question_id: int, files: list[MessageFile]) -> None:
        """Save the file ids a question's files got when uploaded again (after a restart)."""
        question = self._store.get_message(question_id)
        before = {f.sha256: f.file_id for f in question.attachments} if question is not None else {}
        for file in files:
            if file.sha256 and before.get(file.sha256) != file.file_id:
                try:
                    self._store.set_attachment_file_id(question_id, file.sha256, file.file_id)
                except StoreError as exc:
                    logger.info("could not save a new file id: %s", exc)

    def _conversation(self, conversation_id: int) -> Conversation:
        conversation = self._store.get_conversation(conversation_id)
        if conversation is None:
            raise LookupError(f"conversation {conversation_id} does not exist")
        return conversation

    def _question_before(self, answer: Message) -> Message | None:
        """The question an answer replies to: its nearest earlier user message."""
        parent_id = answer.parent_id
        for _ in range(50):  # an answer follows its question; older lists may hold a few answers in a row
            if parent_id is None:
                return None
            parent = self._store.get_message(parent_id)
            if parent is None:
                return None
            if parent.role is Role.USER:
                return parent
            parent_id = parent.parent_id
        return None

    def _context(
        self, conversation_id: int, answer_id: int
    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[Attachment, ...], ...]]:
        """The shown messages before the question that ``answer_id`` replies to, as (role, text),
        and the files of each (those with a Coze file id: files are not uploaded for context)."""
        earlier = list(reversed(self._store.message_page(conversation_id, before_id=answer_id, limit=100)))
        last_question = max((i for i, m in enumerate(earlier) if m.role is Role.USER), default=0)
        kept = [m for m in earlier[:last_question] if m.text or m.attachments]
        files = tuple(tuple(as_attachment(f) for f in m.attachments if f.file_id) for m in kept)
        return tuple((m.role.value, m.text) for m in kept), files

    def _start_reply(
        self,
        conversation: Conversation,
        question: str,
        *,
        version_of: int | None = None,
        files: Sequence[MessageFile] = (),
    ) -> None:
        assert conversation.id is not None
        conversation_id = conversation.id
        sent_at = time.monotonic()
        writer = self._store.start_reply(conversation_id, version_of=version_of)
        if version_of is not None:
            # The new version replaced the old one in the store (and Coze's conversation was
            # forgotten): the view shows the new path before the answer starts streaming.
            conversation = dataclasses.replace(conversation, coze_conversation_id=None)
            self.path_changed.emit(conversation_id, writer.message_id)
        placeholder = Message(
            id=writer.message_id,
            conversation_id=conversation_id,
            role=Role.ASSISTANT,
            state=MessageState.STREAMING,
            created_at=time.time(),
            uid=writer.uid,
        )
        self._live[writer.message_id] = LiveReply(conversation_id, writer.message_id)
        account = self._accounts.account(conversation.base_url)
        if account is None:
            self.reply_started.emit(conversation_id, placeholder)
            self._fail_at_once(conversation_id, writer)
            return
        context, context_files = self._context(conversation_id, writer.message_id)
        request = ReplyRequest(
            conversation_id=conversation_id,
            bot_id=conversation.bot_id,
            question=question,
            coze_conversation_id=conversation.coze_conversation_id,
            account=account,
            lang=self._lang(),
            sent_at=sent_at,
            context=context,
            attachments=tuple(as_attachment(f) for f in files),
            context_files=context_files,
            workflow_id=conversation.workflow_id or None,
            app_id=conversation.app_id or None,
        )
        self._start_job(request, writer, placeholder)

    def _start_job(self, request: ReplyRequest, writer: ReplyWriter, placeholder: Message) -> None:
        conversation_id = request.conversation_id
        job: ReplyJob
        if self._settings.streaming or request.streams_only:
            job = StreamWorker(self._store, writer, request)
        else:
            job = PollingJob(self._store, writer, request)
        self._connect(job)
        self._jobs[conversation_id] = job
        self.reply_started.emit(conversation_id, placeholder)
        self.streaming_changed.emit(conversation_id, True)
        if isinstance(job, PollingJob):
            job.start(self._threads)
        else:
            self._threads.start(job, f"chat-{writer.message_id}")

    def _connect(self, job: ReplyJob) -> None:
        # The job's signals arrive here (queued, in the GUI thread): the live state is updated
        # first, then passed on, so whoever asks :meth:`live` sees what the view was told.
        job.started.connect(self._on_job_started)
        job.delta_received.connect(self._on_job_delta_received)
        job.sources_received.connect(self._on_job_sources_received)
        job.follow_ups_received.connect(self._on_job_follow_ups_received)
        job.steps_received.connect(self._on_job_steps_received)
        job.failed.connect(self.reply_failed)
        job.coze_conversation_restarted.connect(self.coze_conversation_restarted)
        job.finished.connect(self._on_job_finished)

    def _fail_at_once(self, conversation_id: int, writer: ReplyWriter) -> None:
        error = ErrorInfo(
            None,
            QCoreApplication.translate(
                "ChatController",
                "No access token for this bot's server. Enter your token in Settings, then retry.",
            ),
        )
        message = writer.finish(MessageState.FAILED, error=error)
        self._live.pop(writer.message_id, None)
        self.reply_failed.emit(conversation_id, writer.message_id, error)
        self.reply_finished.emit(conversation_id, message)

    @Slot(int, int, str, str)
    def _on_job_started(self, conversation_id: int, message_id: int, coze_id: str, chat_id: str) -> None:
        logger.info("answer %d: Coze chat %s started", message_id, chat_id or "?")
        live = self._live.get(message_id)
        if live is not None:
            live.coze_chat_id = chat_id or None
        self.chat_started.emit(conversation_id, message_id, chat_id)

    @Slot(int, int, str, str)
    def _on_job_delta_received(
        self, conversation_id: int, message_id: int, text: str, reasoning: str
    ) -> None:
        live = self._live.get(message_id)
        if live is not None:
            if text:
                live.text_parts.append(text)
            if reasoning:
                live.reasoning_parts.append(reasoning)
        self.delta_received.emit(conversation_id, message_id, text, reasoning)

    @Slot(int, int, list)
    def _on_job_sources_received(self, conversation_id: int, message_id: int, sources: list[Source]) -> None:
        live = self._live.get(message_id)
        if live is not None:
            live.sources = list(sources)
        self.sources_received.emit(conversation_id, message_id, sources)

    @Slot(int, int, list)
    def _on_job_follow_ups_received(
        self, conversation_id: int, message_id: int, follow_ups: list[str]
    ) -> None:
        live = self._live.get(message_id)
        if live is not None:
            live.follow_ups = list(follow_ups)
        self.follow_ups_received.emit(conversation_id, message_id, follow_ups)

    @Slot(int, int, list)
    def _on_job_steps_received(self, conversation_id: int, message_id: int, steps: list[ToolStep]) -> None:
        live = self._live.get(message_id)
        if live is not None:
            live.steps = list(steps)
        self.steps_received.emit(conversation_id, message_id, steps)

    @Slot(int, object)
    def _on_job_finished(self, conversation_id: int, message: Message) -> None:
        if message.id is not None:
            self._live.pop(message.id, None)  # from now on the store has it
        job = self._jobs.get(conversation_id)
        if job is not None and job.message_id == message.id:
            del self._jobs[conversation_id]
            self.streaming_changed.emit(conversation_id, False)
        self.reply_finished.emit(conversation_id, message)
