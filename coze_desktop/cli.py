"""``coze-cli``: talk to a Coze bot and work with the saved history from a terminal. No Qt.

    coze-cli chat --bot-id ID [--base-url URL] [--user-id ID] [--conversation-id ID]
                  [--no-stream] [--json] [--no-save] [--file PATH ...] MESSAGE
    coze-cli history [--json]                      (chats and workflow runs, newest first)
    coze-cli show CONVERSATION|run:ID [--json]
    coze-cli search QUERY [--bot ID] [--json]      (a workflow run's hit is printed as run:ID)
    coze-cli export [--format md|json|html] [--no-files] [--no-runs] (--all | CONVERSATION|run:ID ...) -o PATH
    coze-cli import PATH
    coze-cli chat --workflow-id ID [--app-id ID | --bot-id ID] [...] MESSAGE     (a chat-flow)
    coze-cli tool-output --conversation-id ID --chat-id ID --output CALL_ID=TEXT ... [--json]
    coze-cli workflow run --workflow-id ID [--param KEY=VALUE | --param KEY:=JSON ...]
                          [--bot-id ID | --app-id ID] [--no-stream] [--json] [--no-save]
    coze-cli workflow resume --workflow-id ID --event-id EID --interrupt-type N --data TEXT
                             [--execute-id ID] [--json] [--no-save]

Workflow runs are saved in the history as they stream (``--no-save``: not); a resume continues the
saved run that holds the interrupt (by event id, else ``--execute-id``).

The token comes from ``COZE_API_TOKEN``, else from the keyring entry the desktop app uses;
never from the command line. ``chat``, ``tool-output`` and ``workflow`` exit 0 when the chat or
run completed, 3 when it waits for the user (requires_action, an interrupted run), 1 for other
failures and 2 for usage errors. The history lives in
the desktop app's data folder unless ``--data-dir`` or ``COZE_DESKTOP_DATA_DIR`` names another.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import locale
import os
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from coze_desktop import __version__
from coze_desktop.api import ChatAccumulator, CozeClient, CozeError, ErrorKind, classify
from coze_desktop.api.client import ChatStream
from coze_desktop.api.events import ChatEvent, MessageDelta
from coze_desktop.api.files import Attachment, AttachmentError, check_file, question_with_files
from coze_desktop.api.workflows import (
    MAX_RESUMES,
    NodeMessage,
    ToolOutput,
    WorkflowAccumulator,
    WorkflowStream,
    pending_tool_calls,
)
from coze_desktop.domain import (
    CALL_STEP_KINDS,
    DEFAULT_BASE_URL,
    ChatResult,
    ChatStatus,
    Conversation,
    ErrorInfo,
    Message,
    MessageFile,
    MessageState,
    Role,
    ToolStep,
    WorkflowRun,
    WorkflowRunResult,
    WorkflowStatus,
)
from coze_desktop.export import (
    FORMATS,
    ConversationExport,
    ExportFormatError,
    export_file,
    parse_json_export,
    run_json,
    to_json,
    to_markdown,
)
from coze_desktop.secrets import ENV_TOKEN, token_from_env_or_keyring
from coze_desktop.store import (
    ConversationSummary,
    ReplyWriter,
    Store,
    StoreError,
    export_items,
    export_runs,
    import_items,
)

ENV_BASE = "COZE_API_BASE"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_WAITING = 3  # the chat or the workflow run waits for the user (requires_action, interrupted)
TITLE_CHARS = 40

_FINAL_STATE = {
    ChatStatus.COMPLETED: MessageState.COMPLETE,
    ChatStatus.CANCELED: MessageState.STOPPED,
}


def ui_lang() -> str:
    """``zh`` or ``en``, from the usual locale variables."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = locale.getlocale()[0] or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def default_user_id() -> str:
    """A stable, non-identifying end-user id for this OS account (Coze isolates memory by it)."""
    seed = f"{getpass.getuser()}@{platform.node()}"
    return "coze-desktop-" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _time(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


# --- chat ---------------------------------------------------------------------------------------


class _Printer:
    """Default output: the answer as it arrives, then sources and follow-ups."""

    def __init__(self, out: TextIO, err: TextIO, lang: str) -> None:
        self.out, self.err, self.lang = out, err, lang
        self._in_reasoning = False
        self._wrote_answer = False

    def reasoning(self, text: str) -> None:
        if not self._in_reasoning:
            self.err.write(_t(self.lang, "[思考] ", "[reasoning] "))
            self._in_reasoning = True
        self.err.write(text)
        self.err.flush()

    def answer(self, text: str) -> None:
        if self._in_reasoning:
            self.err.write("\n")
            self.err.flush()
            self._in_reasoning = False
        self.out.write(text)
        self.out.flush()
        self._wrote_answer = True

    def summary(self, result: ChatResult) -> None:
        if self._wrote_answer:
            self.out.write("\n")
        if result.sources:
            self.out.write("\n" + _t(self.lang, "来源：", "Sources:") + "\n")
            for i, s in enumerate(result.sources, 1):
                name = s.document or s.title or _t(self.lang, "（未命名）", "(untitled)")
                bits = [f"[{i}] {name}"]
                if s.dataset:
                    bits.append(f"— {s.dataset}")
                if s.score is not None:
                    bits.append(f"({s.score:.2f})")
                if s.url:
                    bits.append(s.url)
                self.out.write(" ".join(bits) + "\n")
        if result.follow_ups:
            self.out.write("\n" + _t(self.lang, "你可以继续问：", "You could ask next:") + "\n")
            for q in result.follow_ups:
                self.out.write(f"  - {q}\n")
        self.out.flush()


class _Recorder:
    """Saves one chat turn in the history: the question at once, the answer as it streams
    (checkpointed at least once a second, so a crash loses at most the last second), and the
    final state with sources, follow-ups and usage. Storage problems are reported, never fatal:
    the chat goes on and the answer is still printed."""

    def __init__(self, store: Store, err: TextIO, lang: str) -> None:
        self.store, self.err, self.lang = store, err, lang
        self.conversation: Conversation | None = None
        self.writer: ReplyWriter | None = None
        self.broken = False
        self._started = time.monotonic()
        self.steps_before: list[ToolStep] = []  # a continued reply: the answered tool calls

    def _warn(self, exc: StoreError) -> None:
        if not self.broken:
            self.err.write(
                _t(self.lang, "无法保存聊天记录：", "Could not save the chat history: ") + str(exc) + "\n"
            )
            self.err.flush()
        self.broken = True

    def begin(
        self,
        bot_id: str,
        base_url: str,
        question: str,
        coze_conversation_id: str | None,
        files: Sequence[tuple[str, Attachment]] = (),
        *,
        workflow_id: str | None = None,
        app_id: str | None = None,
    ) -> None:
        """Save the question with a copy of each attached file (``(path, uploaded)`` pairs)."""
        try:
            kept: list[MessageFile] = []
            for path, uploaded in files:  # copied first: a copy that fails saves no half question
                copy = self.store.keep_file(Path(path), uploaded.name)
                kept.append(replace(copy, file_id=uploaded.file_id))
            conv = None
            if coze_conversation_id:
                conv = self.store.find_conversation_by_coze_id(coze_conversation_id, base_url)
            if conv is None:
                title = " ".join(question.split())[:TITLE_CHARS]
                conv = self.store.create_conversation(
                    Conversation(
                        id=None,
                        bot_id=bot_id,
                        base_url=base_url,
                        title=title,
                        coze_conversation_id=coze_conversation_id,
                        workflow_id=workflow_id or None,
                        app_id=app_id or None,
                    )
                )
            assert conv.id is not None
            self.store.add_message(
                Message(
                    id=None,
                    conversation_id=conv.id,
                    role=Role.USER,
                    type="question",
                    text=question,
                    created_at=time.time(),
                    attachments=kept,
                )
            )
            self.conversation = conv
            self.writer = self.store.start_reply(conv.id)
        except StoreError as exc:
            self._warn(exc)

    def continue_conversation(self, coze_conversation_id: str, base_url: str, coze_chat_id: str) -> None:
        """A continued reply (tool outputs): saved as a new answer in the local conversation that
        holds Coze conversation ``coze_conversation_id``; nothing is saved when there is none."""
        try:
            conv = self.store.find_conversation_by_coze_id(coze_conversation_id, base_url)
            if conv is None or conv.id is None:
                self.err.write(
                    _t(
                        self.lang,
                        f"本地没有 Coze 会话 {coze_conversation_id} 的记录，这次回复不保存。",
                        f"No saved chat holds Coze conversation {coze_conversation_id}; this reply is not saved.",
                    )
                    + "\n"
                )
                self.broken = True
                return
            self.conversation = conv
            self.writer = self.store.start_reply(conv.id, coze_chat_id=coze_chat_id)
        except StoreError as exc:
            self._warn(exc)

    def answered(self, coze_chat_id: str, outputs: Sequence[ToolOutput]) -> None:
        """The tool calls the continued reply answers: the waiting answer's ``tool_call`` and
        ``reply_message`` steps (or bare ``tool_call`` ones) with the outputs given, saved as the
        first steps of the new answer; the waiting answer's own steps get the outputs too, so it
        no longer reads as waiting (as in the window, where the same answer goes on)."""
        given = {o.tool_call_id: o.output for o in outputs}
        waiting: list[ToolStep] = []
        try:
            if self.conversation is not None and self.conversation.id is not None:
                for message in reversed(self.store.messages(self.conversation.id)):
                    if message.coze_chat_id == coze_chat_id and message.steps:
                        waiting = [
                            s for s in message.steps if s.kind in CALL_STEP_KINDS and s.call_id in given
                        ]
                        if waiting and message.id is not None:  # it no longer waits: its calls are answered
                            self.store.set_message_steps(
                                message.id,
                                [
                                    replace(s, result=given[s.call_id])
                                    if s.kind in CALL_STEP_KINDS and s.call_id in given
                                    else s
                                    for s in message.steps
                                ],
                            )
                        break
        except StoreError as exc:
            self._warn(exc)
        known = {s.call_id for s in waiting}
        self.steps_before = [replace(s, result=given[s.call_id]) for s in waiting] + [
            ToolStep("tool_call", call_id=call_id, result=output, created_at=time.time())
            for call_id, output in given.items()
            if call_id not in known
        ]

    def count_call(self, base_url: str, token: str) -> None:
        if not self.broken:
            try:
                self.store.record_api_call(base_url, token)
            except StoreError as exc:
                self._warn(exc)

    def writer_append(self) -> Callable[[str, str], None] | None:
        """The writer's own ``append`` for the chat loop (one call per delta), or ``None`` when
        nothing is saved. A ``StoreError`` it raises goes to :meth:`storage_failed`."""
        return self.writer.append if self.writer is not None and not self.broken else None

    def storage_failed(self, exc: StoreError) -> None:
        """Report ``exc`` once; the chat goes on without saving."""
        self._warn(exc)

    def finish(self, acc: ChatAccumulator) -> None:
        if self.writer is None or self.conversation is None or self.broken:
            return
        result = acc.result()
        state = _FINAL_STATE.get(result.status, MessageState.FAILED)
        error = result.error
        if result.status is ChatStatus.REQUIRES_ACTION:
            # Waiting for the user is not a failure: the reply is kept as it is (a chat-flow's
            # question), or, when it has no text, as a note of the tool calls it waits for.
            state, error = MessageState.COMPLETE, None
            if not result.answer:
                try:
                    self.writer.append(_waiting_note(self.lang, result.required_action), "")
                except StoreError as exc:
                    self._warn(exc)
                    return
        steps = self.steps_before + _new_steps(
            _mark_questions(result.steps, result.required_action), self.steps_before
        )
        if self.conversation.workflow_id:  # a chat-flow's question is its answer, not a call to answer
            steps = [s for s in steps if not (s.kind in CALL_STEP_KINDS and not s.result)]
        try:
            if result.conversation_id and not self.conversation.coze_conversation_id:
                assert self.conversation.id is not None
                self.store.set_coze_conversation_id(self.conversation.id, result.conversation_id)
            self.writer.finish(
                state,
                error=error,
                sources=result.sources,
                follow_ups=result.follow_ups,
                usage=result.usage,
                duration=time.monotonic() - self._started,
                coze_message_id=result.answer_message_id,
                coze_chat_id=result.chat_id,
                steps=steps,
            )
        except StoreError as exc:
            self._warn(exc)


def _mark_questions(steps: Sequence[ToolStep], required_action: dict[str, Any] | None) -> list[ToolStep]:
    """``steps`` with the calls of type ``reply_message`` (the bot asks the person a question)
    saved as ``reply_message`` steps, as the window saves them; other steps as they are."""
    questions = {c["id"] for c in pending_tool_calls(required_action) if c["type"] == "reply_message"}
    return [
        replace(s, kind="reply_message") if s.kind == "tool_call" and s.call_id in questions else s
        for s in steps
    ]


def _new_steps(steps: Sequence[ToolStep], answered: Sequence[ToolStep]) -> list[ToolStep]:
    """``steps`` without the bare responses that only repeat an output already answered."""
    outputs = {s.result for s in answered}
    return [s for s in steps if not (s.kind in ("tool_response", "tool_output") and s.result in outputs)]


def _error_line(lang: str, info: ErrorInfo) -> str:
    parts = [_t(lang, "错误", "Error")]
    if info.code is not None:
        parts.append(str(info.code))
    line = " ".join(parts) + ": " + info.message
    if info.logid:
        line += f" (logid: {info.logid})"
    return line


class _CtrlC:
    """Ctrl+C while a reply or a run streams: :attr:`cancel` is set and the stream being read is
    aborted (its socket closed; asking Coze to cancel is left to the caller, outside the handler)."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.stream: ChatStream | WorkflowStream | None = None
        self._previous: Any = None

    def install(self) -> None:
        self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def restore(self) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def watch(self, stream: ChatStream | WorkflowStream) -> None:
        """``stream`` is the one being read now (aborted at once if Ctrl+C came first)."""
        self.stream = stream
        if self.cancel.is_set():
            stream.abort()

    def _on_sigint(self, _sig: int, _frame: object) -> None:
        self.cancel.set()
        stream = self.stream
        if stream is not None:
            stream.abort()


def _events(
    client: CozeClient,
    args: argparse.Namespace,
    ctrl_c: _CtrlC,
    attachments: Sequence[Attachment] = (),
) -> Iterator[ChatEvent]:
    """Start the chat; its events. Raises :class:`CozeError` as iterating does. With attachments
    the question goes as one ``object_string`` message (its text and one part per file)."""
    message: str | list[dict[str, Any]] = (
        [question_with_files(args.message, attachments)] if attachments else args.message
    )
    if args.workflow_id:  # a chat-flow: streamed only, text only (checked in cmd_chat)
        stream = client.stream_workflow_chat(
            args.workflow_id,
            args.message,
            app_id=args.app_id,
            bot_id=args.chatflow_bot_id,
            conversation_id=args.conversation_id,
        )
        ctrl_c.watch(stream)
        return iter(stream)
    if args.no_stream:
        return client.chat_and_poll(
            args.bot_id, args.user_id, message, conversation_id=args.conversation_id, cancel=ctrl_c.cancel
        )
    stream = client.stream_chat(args.bot_id, args.user_id, message, conversation_id=args.conversation_id)
    ctrl_c.watch(stream)
    return iter(stream)  # the stream's own iterator: no generator in between, once per event


def _open_store(args: argparse.Namespace, err: TextIO, lang: str) -> Store | None:
    try:
        store = Store.open(args.data_dir)
    except StoreError as exc:
        err.write(_t(lang, "无法打开聊天记录：", "Could not open the chat history: ") + str(exc) + "\n")
        return None
    if store.recovery_message:
        err.write(store.recovery_message + "\n")
    return store


def _fold_events(
    events: Iterable[ChatEvent], acc: ChatAccumulator, recorder: _Recorder | None, printer: _Printer | None
) -> None:
    """Fold a chat's events: saved as they arrive (unless saving failed once) and printed."""
    save = recorder.writer_append() if recorder is not None else None
    for event in events:
        shown = acc.feed(event)
        reasoning = event.message.reasoning_content if isinstance(event, MessageDelta) else ""
        if save is not None and (shown or reasoning):
            try:
                save(shown, reasoning)
            except StoreError as exc:  # reported once; the chat goes on unsaved
                assert recorder is not None
                recorder.storage_failed(exc)
                save = None
        if printer is not None:
            if reasoning:
                printer.reasoning(reasoning)
            if shown:
                printer.answer(shown)


def _end_chat(
    acc: ChatAccumulator,
    recorder: _Recorder | None,
    cancel: threading.Event,
    printer: _Printer | None,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    lang: str,
    attachments: Sequence[Attachment] = (),
) -> int:
    """The end of a chat or its continuation: the exit code, the summary and the output."""
    code = _chat_exit_code(acc.status)
    if acc.status is ChatStatus.CANCELED and cancel.is_set():
        code = EXIT_INTERRUPTED
    if printer is not None:
        printer.summary(acc.result())
    local_id = (
        recorder.conversation.id if recorder is not None and recorder.conversation is not None else None
    )
    return _finish_chat(acc, local_id, args, out, err, lang, code=code, attachments=attachments)


def cmd_chat(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()
    _check_chat_target(args, lang)
    if not args.user_id:
        args.user_id = default_user_id()
    acc = ChatAccumulator(lang=lang)
    printer = None if args.json else _Printer(out, err, lang)
    base_url = (args.base_url or os.environ.get(ENV_BASE) or DEFAULT_BASE_URL).rstrip("/")
    token = token_from_env_or_keyring(base_url)
    if not token:
        acc.error, acc.status = _no_token(lang), ChatStatus.ERROR
        return _finish_chat(acc, None, args, out, err, lang, code=EXIT_USAGE)
    for path in args.files:  # every file is checked before anything is uploaded or sent
        try:
            check_file(path)
        except AttachmentError as exc:
            acc.error = ErrorInfo(None, _t(lang, f"无法附加文件 {exc}", f"Cannot attach {exc}"))
            acc.status = ChatStatus.ERROR
            return _finish_chat(acc, None, args, out, err, lang, code=EXIT_USAGE)
    attachments: list[Attachment] = []

    store = None if args.no_save else _open_store(args, err, lang)
    recorder = _Recorder(store, err, lang) if store is not None else None
    ctrl_c = _CtrlC()
    ctrl_c.install()
    try:
        on_request = (lambda _path: recorder.count_call(base_url, token)) if recorder is not None else None
        with CozeClient(token, base_url, on_request=on_request) as client:
            try:
                for path in args.files:  # an upload error ends here: no chat is sent, nothing saved
                    attachments.append(client.attach(path))
                if recorder is not None:  # the question is saved with a copy of each file
                    recorder.begin(
                        args.bot_id,
                        base_url,
                        args.message,
                        args.conversation_id,
                        list(zip(args.files, attachments, strict=True)),
                        workflow_id=args.workflow_id,
                        app_id=args.app_id,
                    )
                _fold_events(_events(client, args, ctrl_c, attachments), acc, recorder, printer)
            except CozeError as exc:
                acc.fail(exc)
            stream = ctrl_c.stream
            if isinstance(stream, ChatStream) and stream.canceled:
                stream.cancel()  # tell Coze too, now that we are out of the signal handler
        if recorder is not None:
            recorder.finish(acc)
    finally:
        ctrl_c.restore()
        if store is not None:
            store.close()
    return _end_chat(acc, recorder, ctrl_c.cancel, printer, args, out, err, lang, attachments)


def _finish_chat(
    acc: ChatAccumulator,
    local_conversation_id: int | None,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    lang: str,
    *,
    code: int,
    attachments: Sequence[Attachment] = (),
) -> int:
    result = acc.result()
    if args.json:
        obj = result.to_json()
        obj["steps"] = [s.to_json() for s in _mark_questions(result.steps, result.required_action)]
        obj["local_conversation_id"] = local_conversation_id
        obj["attachments"] = [a.to_json() for a in attachments]
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
    if result.error is not None:
        err.write(_error_line(lang, result.error) + "\n")
        if classify(result.error.code) is ErrorKind.AUTH:  # the advice above names the app's settings
            err.write(
                _t(
                    lang,
                    f"命令行的令牌来自环境变量 {ENV_TOKEN}，否则来自 Coze Desktop 保存的令牌。",
                    f"The command line takes the token from {ENV_TOKEN}, else the one Coze Desktop saved.",
                )
                + "\n"
            )
    elif result.status is ChatStatus.REQUIRES_ACTION and not args.json:
        _explain_requires_action(err, lang, result, args)
    elif result.status is ChatStatus.CANCELED:
        err.write(_t(lang, "已停止。", "Stopped.") + "\n")
    err.flush()
    return code


# --- workflows, chat-flows and tool outputs (issue #12) ------------------------------------------


def _chat_exit_code(status: ChatStatus) -> int:
    if status is ChatStatus.COMPLETED:
        return EXIT_OK
    return EXIT_WAITING if status is ChatStatus.REQUIRES_ACTION else EXIT_FAILED


def _check_chat_target(args: argparse.Namespace, lang: str) -> None:
    """``chat`` talks to a bot (``--bot-id``) or to a chat-flow (``--workflow-id``, with an
    optional ``--app-id`` or ``--bot-id``); raises :class:`_UsageError` for anything else."""
    if args.workflow_id:
        if args.app_id and args.bot_id:
            raise _UsageError(
                _t(lang, "--app-id 和 --bot-id 只能给一个。", "Give --app-id or --bot-id, not both.")
            )
        if args.no_stream or args.files:
            raise _UsageError(
                _t(
                    lang,
                    "对话流只支持流式的文字消息：不能与 --no-stream 或 --file 一起用。",
                    "A chat-flow takes streamed text messages only: not with --no-stream or --file.",
                )
            )
        # From here on ``bot_id`` is what the history records as the chat's "bot" (workflow:ID);
        # the bot a chat-flow is bound to, if any, moves to ``chatflow_bot_id``.
        args.chatflow_bot_id, args.bot_id = args.bot_id, f"workflow:{args.workflow_id}"
    elif not args.bot_id:
        raise _UsageError(
            _t(
                lang,
                "请用 --bot-id 指定机器人，或用 --workflow-id 指定对话流。",
                "Name a bot with --bot-id, or a chat-flow with --workflow-id.",
            )
        )
    elif args.app_id:
        raise _UsageError(
            _t(
                lang,
                "--app-id 只用于对话流（--workflow-id）。",
                "--app-id goes with a chat-flow (--workflow-id).",
            )
        )


def _waiting_note(lang: str, required_action: dict[str, Any] | None) -> str:
    calls = pending_tool_calls(required_action)
    names = ", ".join(f"{c['name']}({json.dumps(c['arguments'], ensure_ascii=False)})" for c in calls) or _t(
        lang, "（未知）", "(unknown)"
    )
    return _t(lang, f"〔等待工具输出：{names}〕", f"[waiting for tool outputs: {names}]")


def _explain_requires_action(
    err: TextIO, lang: str, result: ChatResult, args: argparse.Namespace | None = None
) -> None:
    """What the chat waits for, and how to answer it."""
    workflow_id = getattr(args, "workflow_id", None)
    if workflow_id:  # a chat-flow's question node: the next message answers it (no tool outputs)
        target = f"--app-id {args.app_id}" if args is not None and args.app_id else ""
        if args is not None and getattr(args, "chatflow_bot_id", None):
            target = f"--bot-id {args.chatflow_bot_id}"
        err.write(
            _t(lang, "对话流在等待你的回答。回答：", "The chat-flow waits for your answer. Answer with: ")
            + f"coze-cli chat --workflow-id {workflow_id} {target} --conversation-id {result.conversation_id} '…'\n"
        )
        return
    calls = pending_tool_calls(result.required_action)
    if not calls:
        err.write(
            _t(lang, "等待你的回答（requires_action）。", "Waiting for your answer (requires_action).") + "\n"
        )
        return
    err.write(
        _t(
            lang,
            "机器人在等待工具输出（requires_action）：",
            "The bot waits for tool outputs (requires_action):",
        )
        + "\n"
    )
    for call in calls:
        args_text = json.dumps(call["arguments"], ensure_ascii=False)
        kind = _t(lang, "提问", "question") if call["type"] == "reply_message" else call["type"]
        err.write(f"  {call['id']}  [{kind}] {call['name']} {args_text}\n")
    outputs = " ".join(f"--output '{c['id']}=…'" for c in calls)
    err.write(
        _t(lang, "回答：", "Answer with: ")
        + f"coze-cli tool-output --conversation-id {result.conversation_id} --chat-id {result.chat_id} {outputs}\n"
    )


def _parse_outputs(items: Sequence[str], lang: str) -> list[ToolOutput]:
    outputs = []
    for item in items:
        # Coze's call ids are base64 and may end in "=" padding: the id runs to the last "=" of
        # the first run of "=" signs, so "abc==" answered "yes" is written abc===yes.
        first = item.find("=")
        end = first
        while 0 <= end + 1 < len(item) and item[end + 1] == "=":
            end += 1
        call_id, sep, text = (item[:end], "=", item[end + 1 :]) if first > 0 else ("", "", "")
        if not sep or not call_id:
            raise _UsageError(
                _t(lang, f"--output 应为 CALL_ID=TEXT：{item}", f"--output takes CALL_ID=TEXT: {item}")
            )
        outputs.append(ToolOutput(call_id, text))
    return outputs


def _base_url_and_token(args: argparse.Namespace) -> tuple[str, str | None]:
    base_url = (args.base_url or os.environ.get(ENV_BASE) or DEFAULT_BASE_URL).rstrip("/")
    return base_url, token_from_env_or_keyring(base_url)


def _no_token(lang: str) -> ErrorInfo:
    return ErrorInfo(
        None,
        _t(
            lang,
            f"没有访问令牌。请设置环境变量 {ENV_TOKEN}，或在 Coze Desktop 的设置中保存令牌。",
            f"No access token. Set the {ENV_TOKEN} environment variable, or save a token in Coze Desktop's settings.",
        ),
    )


def cmd_tool_output(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Submit tool outputs to a chat waiting in requires_action; the same reply streams on."""
    lang = ui_lang()
    outputs = _parse_outputs(args.outputs, lang)
    acc = ChatAccumulator(lang=lang)
    acc.conversation_id, acc.chat_id = args.conversation_id, args.chat_id
    printer = None if args.json else _Printer(out, err, lang)
    base_url, token = _base_url_and_token(args)
    if not token:
        acc.error, acc.status = _no_token(lang), ChatStatus.ERROR
        return _finish_chat(acc, None, args, out, err, lang, code=EXIT_USAGE)
    store = None if args.no_save else _open_store(args, err, lang)
    recorder = _Recorder(store, err, lang) if store is not None else None
    if recorder is not None:
        recorder.continue_conversation(args.conversation_id, base_url, args.chat_id)
        recorder.answered(args.chat_id, outputs)
    ctrl_c = _CtrlC()
    ctrl_c.install()
    try:
        on_request = (lambda _path: recorder.count_call(base_url, token)) if recorder is not None else None
        with CozeClient(token, base_url, on_request=on_request) as client:
            try:
                stream = client.stream_submit_tool_outputs(args.conversation_id, args.chat_id, outputs)
                ctrl_c.watch(stream)
                _fold_events(stream, acc, recorder, printer)
            except CozeError as exc:
                acc.fail(exc)
            if isinstance(ctrl_c.stream, ChatStream) and ctrl_c.stream.canceled:
                ctrl_c.stream.cancel()  # tell Coze too, now that we are out of the signal handler
        if recorder is not None:
            recorder.finish(acc)
    finally:
        ctrl_c.restore()
        if store is not None:
            store.close()
    return _end_chat(acc, recorder, ctrl_c.cancel, printer, args, out, err, lang)


def parse_param(item: str, lang: str = "en") -> tuple[str, Any]:
    """``KEY=VALUE`` (a string) or ``KEY:=JSON`` (any JSON value), as HTTPie spells them."""
    eq = item.find("=")
    if eq <= 0 or (eq == 1 and item[0] == ":"):
        raise _UsageError(
            _t(
                lang,
                f"--param 应为 KEY=VALUE 或 KEY:=JSON：{item}",
                f"--param takes KEY=VALUE or KEY:=JSON: {item}",
            )
        )
    if item[eq - 1] == ":":
        key, text = item[: eq - 1], item[eq + 1 :]
        try:
            return key, json.loads(text)
        except ValueError as exc:
            raise _UsageError(
                _t(
                    lang,
                    f"--param {key}:= 后面不是 JSON：{exc}",
                    f"--param {key}:= is not followed by JSON: {exc}",
                )
            ) from None
    return item[:eq], item[eq + 1 :]


class _WorkflowPrinter:
    """Default output of a run: each node's output on stdout as it arrives, node titles on stderr."""

    def __init__(self, out: TextIO, err: TextIO, lang: str) -> None:
        self.out, self.err, self.lang = out, err, lang
        self._nodes = 0
        self._at_line_start = True

    def node_text(self, acc: WorkflowAccumulator, text: str) -> None:
        if len(acc.nodes) != self._nodes:
            self._nodes = len(acc.nodes)
            if not self._at_line_start:
                self.out.write("\n")
                self.out.flush()
            title = acc.nodes[-1].node_title or _t(self.lang, "（无标题节点）", "(untitled node)")
            self.err.write(f"▶ {title}\n")
            self.err.flush()
        self.out.write(text)
        self.out.flush()
        self._at_line_start = text.endswith("\n") if text else self._at_line_start

    def summary(self, result: WorkflowRunResult, workflow_id: str, no_stream: bool) -> None:
        if no_stream and result.output:
            self.out.write(result.output)
            self._at_line_start = result.output.endswith("\n")
        if not self._at_line_start:
            self.out.write("\n")
        self.out.flush()
        if result.interrupt is not None:
            i = result.interrupt
            self.err.write(
                _t(self.lang, "工作流在等待你的回答", "The workflow waits for your answer")
                + (f"（{i.node_title}）" if i.node_title else "")
                + ": "
                + (i.question or _t(self.lang, "（没有问题文字）", "(no question text)"))
                + "\n"
            )
            self.err.write(
                _t(self.lang, "回答：", "Answer with: ")
                + f"coze-cli workflow resume --workflow-id {workflow_id} --event-id '{i.event_id}' "
                f"--interrupt-type {i.type} --data '…'\n"
            )
        if result.debug_url:
            self.err.write(_t(self.lang, "调试链接：", "Debug link: ") + result.debug_url + "\n")
        if result.usage is not None:
            self.err.write(
                _t(self.lang, f"tokens：{result.usage.token_count}", f"tokens: {result.usage.token_count}")
                + "\n"
            )
        self.err.flush()


class _RunRecorder:
    """Saves one workflow run (or a resume of one) in the history as it streams: node text is
    checkpointed about once a second by the store, the result is written at the end. Storage
    problems are reported once, never fatal: the run goes on and is still printed."""

    def __init__(self, store: Store, err: TextIO, lang: str) -> None:
        self.store, self.err, self.lang = store, err, lang
        self.run_id: int | None = None
        self.resumes_done = 0
        self._started = time.monotonic()
        self._warned = False
        self._created = False  # the run was saved by this command (not an earlier one resumed)

    def _warn(self, exc: StoreError) -> None:
        """Report ``exc`` once; the run goes on unsaved."""
        if not self._warned:
            self.err.write(
                _t(self.lang, "无法保存工作流运行记录：", "Could not save the workflow run: ")
                + str(exc)
                + "\n"
            )
            self.err.flush()
        self._warned = True
        self.run_id = None

    def start(self, run: WorkflowRun) -> None:
        try:
            self.run_id = self.store.start_run(run).id
            self._created = True
        except StoreError as exc:
            self._warn(exc)

    def resume(self, args: argparse.Namespace, base_url: str) -> None:
        """Continue the saved run holding the interrupt (found by event id, else ``--execute-id``);
        an unknown run is saved as a new one, and the user is told."""
        try:
            run = self.store.find_run_by_event_id(args.event_id)
            if run is None and args.execute_id:
                run = self.store.find_run_by_execute_id(args.execute_id)
            if run is None or run.id is None:
                self.err.write(
                    _t(
                        self.lang,
                        "本地没有这次运行的记录（按事件 ID 或执行 ID 都没找到），恢复的部分另存为一次新的运行。",
                        "No saved run holds this interrupt (by event id or execute id); "
                        "the resumed part is saved as a new run.",
                    )
                    + "\n"
                )
                saved = self.store.start_run(
                    WorkflowRun(
                        id=None, workflow_id=args.workflow_id, base_url=base_url, execute_id=args.execute_id
                    )
                )
                self.run_id, self._created = saved.id, True
            else:
                self.resumes_done = run.resume_count
                if run.status is not WorkflowStatus.INTERRUPTED:  # nothing waits: Coze will refuse it
                    status = _run_status(self.lang, run.status)
                    self.err.write(
                        _t(
                            self.lang,
                            f"run:{run.id} 没有在等待回答（{status}），这次恢复不保存。",
                            f"run:{run.id} is not waiting for an answer ({status}); this resume is not saved.",
                        )
                        + "\n"
                    )
                    return
                if run.resume_count >= MAX_RESUMES:  # refused before a request: nothing is saved
                    return
                self.run_id = run.id
            assert self.run_id is not None
            self.store.resume_run(self.run_id, args.data, args.event_id, interrupt_type=args.interrupt_type)
        except StoreError as exc:
            self._warn(exc)

    def node(self, event: NodeMessage) -> None:
        if self.run_id is None:
            return
        try:
            self.store.append_run_text(
                self.run_id,
                event.node_title,
                event.node_id,
                event.content,
                event.node_is_finish,
                node_type=event.node_type,
            )
        except StoreError as exc:
            self._warn(exc)

    def discard(self) -> None:
        """The request was refused before it was sent (bad input): a run just started is deleted;
        a resume whose answer was never sent is ended as it was found cut short."""
        if self.run_id is None:
            return
        try:
            if self._created:
                self.store.delete_run(self.run_id)
            else:
                self.store.finish_run(
                    self.run_id,
                    WorkflowRunResult(
                        status=WorkflowStatus.ERROR, error=ErrorInfo(None, "the answer was not sent")
                    ),
                )
        except StoreError as exc:
            self._warn(exc)
        self.run_id = None

    def finish(self, result: WorkflowRunResult) -> None:
        if self.run_id is None:
            return
        try:
            self.store.finish_run(self.run_id, result, time.monotonic() - self._started)
        except StoreError as exc:
            self._warn(exc)


def _run_workflow_command(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    lang: str,
    start: Callable[[CozeClient, WorkflowAccumulator, _RunRecorder | None], WorkflowStream | None],
    begin: Callable[[_RunRecorder, str], None],
) -> int:
    """Run ``start`` (which opens a stream, or folds a non-streamed answer itself and returns
    None) with output, Ctrl+C, ``--json``, saving (``begin`` saves the run's start unless
    ``--no-save``) and the exit status of ``workflow run``/``resume``."""
    acc = WorkflowAccumulator(lang=lang)
    printer = None if args.json else _WorkflowPrinter(out, err, lang)
    base_url, token = _base_url_and_token(args)
    code: int | None = None
    recorder: _RunRecorder | None = None
    if not token:
        acc.error, acc.status = _no_token(lang), WorkflowStatus.ERROR
        code = EXIT_USAGE
    else:
        store = None if args.no_save else _open_store(args, err, lang)
        recorder = _RunRecorder(store, err, lang) if store is not None else None
        ctrl_c = _CtrlC()
        ctrl_c.install()
        try:
            if recorder is not None:
                begin(recorder, base_url)
            with CozeClient(token, base_url) as client:
                try:
                    stream = start(client, acc, recorder)
                    if stream is not None:
                        ctrl_c.watch(stream)
                        for event in stream:
                            shown = acc.feed(event)
                            if recorder is not None and isinstance(event, NodeMessage):
                                recorder.node(event)
                            if printer is not None and shown:
                                printer.node_text(acc, shown)
                    acc.finish()
                except CozeError as exc:
                    acc.fail(exc)
                except ValueError as exc:
                    if recorder is not None:
                        recorder.discard()
                    raise _UsageError(str(exc)) from None
            if recorder is not None:
                recorder.finish(acc.result())
        finally:
            ctrl_c.restore()
            if store is not None:
                store.close()
        if ctrl_c.cancel.is_set():
            code = EXIT_INTERRUPTED
    result = acc.result()
    run_id = recorder.run_id if recorder is not None else None
    if code is None:
        code = {WorkflowStatus.COMPLETED: EXIT_OK, WorkflowStatus.INTERRUPTED: EXIT_WAITING}.get(
            result.status, EXIT_FAILED
        )
    if args.json:
        obj = result.to_json()
        obj["local_run_id"] = run_id
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
    elif printer is not None:
        printer.summary(result, args.workflow_id, bool(getattr(args, "no_stream", False)))
        if run_id is not None:
            err.write(_t(lang, f"已保存为 run:{run_id}", f"Saved as run:{run_id}") + "\n")
            err.flush()
    if result.error is not None:
        err.write(_error_line(lang, result.error) + "\n")
        err.flush()
    return code


def cmd_workflow_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()
    params: dict[str, Any] = dict(parse_param(p, lang) for p in args.params)
    if args.bot_id and args.app_id:
        raise _UsageError(
            _t(lang, "--app-id 和 --bot-id 只能给一个。", "Give --app-id or --bot-id, not both.")
        )

    def begin(recorder: _RunRecorder, base_url: str) -> None:
        recorder.start(
            WorkflowRun(
                id=None,
                workflow_id=args.workflow_id,
                base_url=base_url,
                bot_id=args.bot_id or "",
                app_id=args.app_id or "",
                parameters=params,
                stream=not args.no_stream,
            )
        )

    def start(
        client: CozeClient, acc: WorkflowAccumulator, _recorder: _RunRecorder | None
    ) -> WorkflowStream | None:
        if args.no_stream:
            acc.feed_response(
                client.run_workflow(args.workflow_id, params, bot_id=args.bot_id, app_id=args.app_id)
            )
            return None
        return client.stream_workflow(args.workflow_id, params, bot_id=args.bot_id, app_id=args.app_id)

    return _run_workflow_command(args, out, err, lang, start, begin)


def cmd_workflow_resume(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()

    def begin(recorder: _RunRecorder, base_url: str) -> None:
        recorder.resume(args, base_url)

    def start(
        client: CozeClient, acc: WorkflowAccumulator, recorder: _RunRecorder | None
    ) -> WorkflowStream | None:
        # A saved run knows its earlier resumes: past the limit the resume is refused here.
        done = recorder.resumes_done if recorder is not None else 0
        return client.stream_resume_workflow(
            args.workflow_id, args.event_id, args.data, args.interrupt_type, resumes_done=done
        )

    return _run_workflow_command(args, out, err, lang, start, begin)


# --- history -------------------------------------------------------------------------------------


class _UsageError(Exception):
    """A problem with what the user asked for; the message says what."""


def _store_or_fail(args: argparse.Namespace, err: TextIO, lang: str) -> Store:
    store = _open_store(args, err, lang)
    if store is None:
        raise _UsageError("")
    return store


def _find_conversation(store: Store, ref: str, lang: str) -> Conversation:
    conv = store.get_conversation(int(ref)) if ref.isdigit() else store.get_conversation_by_uid(ref)
    if conv is None:
        raise _UsageError(
            _t(
                lang,
                f"找不到会话 {ref}。用 coze-cli history 查看会话编号。",
                f"No conversation {ref}. See `coze-cli history` for the ids.",
            )
        )
    return conv


RUN_PREFIX = "run:"  # how the CLI names a saved workflow run: run:<id>


def cmd_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()
    with _store_or_fail(args, err, lang) as store:
        summaries = []
        offset = 0
        while page := store.list_conversations(limit=500, offset=offset):
            summaries += page
            offset += len(page)
        runs: list[WorkflowRun] = []
        while page_runs := store.list_runs(limit=500, offset=len(runs)):
            runs += page_runs
    # Newest first, chats and runs together (the store lists pinned conversations first, which
    # is for the app's list): a chat by its last message, a run by its last change.
    rows: list[tuple[float, int, ConversationSummary | WorkflowRun]] = [
        (s.conversation.updated_at, s.conversation.id or 0, s) for s in summaries
    ]
    rows += [(r.updated_at, r.id or 0, r) for r in runs]
    rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        items: list[dict[str, Any]] = []
        for _when, _id, item in rows:
            if isinstance(item, WorkflowRun):
                items.append(
                    {
                        "kind": "run",
                        "id": f"{RUN_PREFIX}{item.id}",
                        "run_id": item.id,
                        "title": item.title,
                        "workflow_id": item.workflow_id,
                        "status": item.status.value,
                        "started_at": item.started_at,
                        "updated_at": item.updated_at,
                    }
                )
            else:
                items.append(
                    {
                        "kind": "chat",
                        "id": item.conversation.id,
                        "title": item.conversation.title,
                        "bot_id": item.conversation.bot_id,
                        "updated_at": item.conversation.updated_at,
                        "message_count": item.message_count,
                    }
                )
        out.write(json.dumps(items, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not rows:
        out.write(_t(lang, "还没有聊天记录。", "No saved chats yet.") + "\n")
    for _when, _id, item in rows:
        if isinstance(item, WorkflowRun):
            status = _run_status(lang, item.status)
            out.write(
                f"{RUN_PREFIX + str(item.id):>7} {_time(item.updated_at)}  {status:>5}  {item.workflow_id}  {item.title}\n"
            )
        else:
            c = item.conversation
            pin = "*" if c.pinned else " "
            out.write(
                f"{c.id:>6}{pin} {_time(c.updated_at)}  {item.message_count:>5}  {c.bot_id}  {c.title}\n"
            )
    return EXIT_OK


def _run_status(lang: str, status: WorkflowStatus) -> str:
    return {
        WorkflowStatus.RUNNING: _t(lang, "运行中", "running"),
        WorkflowStatus.COMPLETED: _t(lang, "完成", "done"),
        WorkflowStatus.INTERRUPTED: _t(lang, "等待回答", "waiting"),
        WorkflowStatus.ERROR: _t(lang, "出错", "error"),
    }[status]


def _find_run(store: Store, ref: str, lang: str) -> WorkflowRun:
    number = ref[len(RUN_PREFIX) :]
    run = store.get_run(int(number)) if number.isdigit() else store.get_run_by_uid(number)
    if run is None:
        raise _UsageError(
            _t(
                lang,
                f"找不到工作流运行 {ref}。用 coze-cli history 查看编号（run:…）。",
                f"No workflow run {ref}. See `coze-cli history` for the ids (run:…).",
            )
        )
    return run


def _show_run(run: WorkflowRun, lang: str) -> str:
    """A saved run for people: parameters, each node's output, interrupts and their answers,
    the output, usage, debug link and error."""
    lines = [f"# {run.title}", ""]
    lines.append(
        f"{RUN_PREFIX}{run.id}  {_t(lang, '工作流', 'workflow')} {run.workflow_id}  ({run.base_url})"
    )
    bits = [_t(lang, "状态：", "Status: ") + _run_status(lang, run.status), _time(run.started_at)]
    if run.duration is not None:
        bits.append(f"{run.duration:.1f} s")
    if run.execute_id:
        bits.append(f"execute_id {run.execute_id}")
    lines.append("  ".join(bits))
    if run.bot_id or run.app_id:
        lines.append(f"bot_id {run.bot_id}" if run.bot_id else f"app_id {run.app_id}")
    lines += ["", _t(lang, "参数：", "Parameters:"), json.dumps(run.parameters, ensure_ascii=False, indent=2)]
    for part in run.parts:
        lines.append("")
        if part.kind == "node":
            lines.append(f"▶ {part.node_title or _t(lang, '（无标题节点）', '(untitled node)')}")
            lines.append(part.content)
        elif part.kind == "interrupt":
            where = f"（{part.node_title}）" if part.node_title else ""
            lines.append(_t(lang, f"⏸ 等待回答{where}：", f"⏸ Waiting for an answer{where}: ") + part.content)
            lines.append(f"  event_id {part.event_id}  interrupt_type {part.interrupt_type}")
        elif part.kind == "answer":
            lines.append(_t(lang, "↳ 回答：", "↳ Answer: ") + part.content)
        else:
            lines.append(_t(lang, "✗ 错误：", "✗ Error: ") + part.content)
    if run.output:
        lines += ["", _t(lang, "输出：", "Output:"), run.output]
    if run.usage is not None:
        lines.append(
            _t(
                lang,
                f"tokens：{run.usage.token_count}（输入 {run.usage.input_count}，输出 {run.usage.output_count}）",
                f"tokens: {run.usage.token_count} (in {run.usage.input_count}, out {run.usage.output_count})",
            )
        )
    if run.debug_url:
        lines.append(_t(lang, "调试链接：", "Debug link: ") + run.debug_url)
    if run.error is not None:
        lines.append(_error_line(lang, run.error))
    return "\n".join(lines) + "\n"


def cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    lang = ui_lang()
    if args.conversation.startswith(RUN_PREFIX):
        with _store_or_fail(args, err, lang) as store:
            run = _find_run(store, args.conversation, lang)
        if args.json:
            out.write(json.dumps({"id": f"{RUN_PREFIX}{run.id}"} | run_json(run), ensure_ascii=False) + "\n")
        else:
            out.write(_show_run(run, lang))
        return EXIT_OK
    with _store_or_fail(args, err, lang) as store:
        conv = _find_conversation(store, args.conversation, lang)
        assert conv.id is not None
        (item,) = export_items(store, [conv.id])
    if args.json:
        obj: dict[str, Any] = {"id": item.conversation.id}
        # the documented export schema; attachments without their content, with where the copy is
        obj.update(json.loads(to_json([item], include_files=False))["conversations"][0])
        files = {m.uid: m.attachments for m in item.messages}
        for message in obj["messages"]:  # what is attached and where its copy is; never the content
            message["attachments"] = [
                a.to_json() | {"path": a.path} for a in files.get(message.get("uid", ""), [])
            ]
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        out.write(to_markdown([item], lang=lang, attachments=False))  # listed below, with more detail
        out.write(_attachment_list(item, lang))
    return EXIT_OK


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _attachment_list(item: ConversationExport, lang: str) -> str:
    """The files attached to the messages the conversation shows, one line each ("" when none)."""
    kinds = {"image": _t(lang, "图片", "image"), "audio": _t(lang, "音频", "audio")}
    lines: list[str] = []
    for message in item.messages:
        if not message.shown:
            continue
        who = _t(lang, "问", "Q") if message.role is Role.USER else _t(lang, "答", "A")
        for a in message.attachments:
            line = f"- [{who} {_time(message.created_at)}] {a.name} — {_size(a.size)}, {kinds.get(a.kind, _t(lang, '文件', 'file'))}"
            if not a.path:
                line += _t(lang, "（没有本地副本）", " (no local copy)")
            lines.append(line)
    if not lines:
        return ""
    return "\n" + _t(lang, "附件：", "Attachments:") + "\n" + "\n".join(lines) + "\n"


def cmd_search(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()
    with _store_or_fail(args, err, lang) as store:
        hits = store.search(args.query, bot_id=args.bot, limit=args.limit)
    if args.json:
        rows = [
            {
                "conversation_id": h.conversation_id,
                "message_id": h.message_id,
                "role": h.role.value,
                "snippet": h.snippet,
                "created_at": h.created_at,
            }
            if h.run_id is None
            else {
                "run": f"{RUN_PREFIX}{h.run_id}",
                "run_id": h.run_id,
                "title": h.conversation_title,
                "snippet": h.snippet,
                "created_at": h.created_at,
            }
            for h in hits
        ]
        out.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not hits:
        out.write(_t(lang, "没有找到。", "Nothing found.") + "\n")
    for h in hits:
        if h.run_id is not None:
            out.write(
                f"[{RUN_PREFIX}{h.run_id}] {_time(h.created_at)} {h.conversation_title} · {' '.join(h.snippet.split())}\n"
            )
            continue
        who = _t(lang, "问", "Q") if h.role is Role.USER else _t(lang, "答", "A")
        out.write(
            f"[{h.conversation_id}/{h.message_id}] {_time(h.created_at)} {h.conversation_title} · {who}: {' '.join(h.snippet.split())}\n"
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    lang = ui_lang()
    if not args.all and not args.conversations:
        raise _UsageError(
            _t(
                lang,
                "请给出会话编号（或 run:编号），或用 --all 导出全部。",
                "Name the conversations (or run:ID) to export, or use --all.",
            )
        )
    with _store_or_fail(args, err, lang) as store:
        chat_refs = [ref for ref in args.conversations if not ref.startswith(RUN_PREFIX)]
        run_refs = [ref for ref in args.conversations if ref.startswith(RUN_PREFIX)]
        if args.all:
            items = export_items(store)  # every conversation, the oldest first
            runs = [] if args.no_runs else export_runs(store)  # every run, the oldest first
        else:
            ids = [_find_conversation(store, ref, lang).id for ref in chat_refs]
            items = export_items(store, [i for i in ids if i is not None])
            runs = [_find_run(store, ref, lang) for ref in run_refs]
    path = Path(args.output)
    try:
        summary = export_file(path, items, args.format, lang=lang, include_files=not args.no_files, runs=runs)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename and str(exc.filename) not in (str(path), f"{path}.part"):
            reason += f" ({exc.filename})"  # an attachment's copy, or the folder beside the export
        raise _UsageError(
            _t(lang, f"无法写入 {path}：{reason}", f"Could not write {path}: {reason}")
        ) from None
    n, k = len(items), len(runs)
    if runs:
        err.write(
            _t(
                lang,
                f"已导出 {n} 个会话和 {k} 次工作流运行到 {path}",
                f"Exported {n} conversation(s) and {k} workflow run(s) to {path}",
            )
            + "\n"
        )
    else:
        err.write(_t(lang, f"已导出 {n} 个会话到 {path}", f"Exported {n} conversation(s) to {path}") + "\n")
    if summary.folder is not None:
        k = summary.files_written
        err.write(
            _t(lang, f"附件 {k} 个，在 {summary.folder}", f"{k} attached file(s) in {summary.folder}") + "\n"
        )
    if summary.files_missing:
        k = summary.files_missing
        err.write(
            _t(
                lang,
                f"{k} 个附件没有保留文件，只列出名称。",
                f"{k} attachment(s) had no file kept: listed by name.",
            )
            + "\n"
        )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    lang = ui_lang()
    try:
        data = Path(args.path).read_bytes()
    except OSError as exc:
        raise _UsageError(
            _t(lang, f"无法读取 {args.path}：{exc.strerror}", f"Could not read {args.path}: {exc.strerror}")
        ) from None
    try:
        result = parse_json_export(data)
    except ExportFormatError as exc:
        raise _UsageError(str(exc)) from None
    with _store_or_fail(args, err, lang) as store:
        report = import_items(store, result)
    out.write(
        _t(
            lang,
            f"导入了 {len(report.imported)} 个会话（{report.messages_imported} 条消息），{len(report.already_present)} 个已存在。",
            f"Imported {len(report.imported)} conversation(s) ({report.messages_imported} messages); "
            f"{len(report.already_present)} were already there.",
        )
        + "\n"
    )
    if report.runs_imported or report.runs_already_present:
        out.write(
            _t(
                lang,
                f"导入了 {len(report.runs_imported)} 次工作流运行，{len(report.runs_already_present)} 次已存在。",
                f"Imported {len(report.runs_imported)} workflow run(s); "
                f"{len(report.runs_already_present)} were already there.",
            )
            + "\n"
        )
    if report.workflows_added:
        k = len(report.workflows_added)
        out.write(
            _t(lang, f"工作流列表加入了 {k} 个工作流。", f"Added {k} workflow(s) to the list of workflows.") + "\n"
        )
    if report.files_kept:
        k = report.files_kept
        out.write(_t(lang, f"恢复了 {k} 个附件文件。", f"Restored {k} attached file(s).") + "\n")
    for item in [*report.skipped, *report.failed]:
        out.write(_t(lang, "跳过：", "Skipped: ") + str(item) + "\n")
    for warning in report.warnings:
        out.write(_t(lang, "注意：", "Note: ") + warning + "\n")
    return EXIT_OK if not report.failed else EXIT_FAILED


# --- the command line ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coze-cli", description="Talk to Coze (扣子) bots and search your saved chats."
    )
    parser.add_argument("--version", action="version", version=f"coze-cli {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        help="the history's folder (default: $COZE_DESKTOP_DATA_DIR or the desktop app's data folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser(
        "chat",
        parents=[common],
        help="send one message to a bot and print the reply",
        description=f"The token is read from {ENV_TOKEN}, else from the keyring entry of Coze Desktop.",
    )
    chat.add_argument("--bot-id", help="the bot's ID (published to the API channel)")
    chat.add_argument("--workflow-id", help="talk to this chat-flow instead of a bot (/v1/workflows/chat)")
    chat.add_argument("--app-id", help="the app a chat-flow belongs to (with --workflow-id)")
    chat.add_argument("--base-url", help=f"API base URL (default: ${ENV_BASE} or {DEFAULT_BASE_URL})")
    chat.add_argument(
        "--user-id", default=None, help="end-user id sent to Coze (default: derived from this OS account)"
    )
    chat.add_argument("--conversation-id", help="continue this Coze conversation")
    chat.add_argument("--no-stream", action="store_true", help="create the chat and poll until it finishes")
    chat.add_argument("--json", action="store_true", help="print one JSON object when the chat ends")
    chat.add_argument("--no-save", action="store_true", help="do not save this chat in the history")
    chat.add_argument(
        "--file",
        action="append",
        default=[],
        dest="files",
        metavar="PATH",
        help="upload this file and send it with the message (repeat for several files)",
    )
    chat.add_argument("message", help="what to say")
    chat.set_defaults(func=cmd_chat)

    tool = sub.add_parser(
        "tool-output",
        parents=[common],
        help="answer a chat waiting in requires_action; the same reply streams on",
        description=f"The token is read from {ENV_TOKEN}, else from the keyring entry of Coze Desktop.",
    )
    tool.add_argument("--conversation-id", required=True, help="the Coze conversation of the waiting chat")
    tool.add_argument("--chat-id", required=True, help="the waiting chat's id")
    tool.add_argument(
        "--output",
        action="append",
        required=True,
        dest="outputs",
        metavar="CALL_ID=TEXT",
        help="the output of one tool call (repeat for each pending call)",
    )
    tool.add_argument("--base-url", help=f"API base URL (default: ${ENV_BASE} or {DEFAULT_BASE_URL})")
    tool.add_argument("--json", action="store_true", help="print one JSON object when the chat ends")
    tool.add_argument("--no-save", action="store_true", help="do not save the reply in the history")
    tool.set_defaults(func=cmd_tool_output)

    workflow = sub.add_parser("workflow", help="run a Coze workflow, or resume an interrupted run")
    wsub = workflow.add_subparsers(dest="workflow_command", required=True)
    wrun = wsub.add_parser(
        "run",
        parents=[common],
        help="run a workflow; node output streams to stdout",
        description=f"The token is read from {ENV_TOKEN}, else from the keyring entry of Coze Desktop. "
        "Runs are not saved in the history yet.",
    )
    wrun.add_argument("--workflow-id", required=True)
    wrun.add_argument(
        "--param",
        action="append",
        default=[],
        dest="params",
        metavar="KEY=VALUE|KEY:=JSON",
        help="a parameter: KEY=VALUE gives a string, KEY:=JSON any JSON value (repeat)",
    )
    target = wrun.add_mutually_exclusive_group()
    target.add_argument("--bot-id", help="run the workflow for this bot")
    target.add_argument("--app-id", help="run the workflow of this app")
    wrun.add_argument("--no-stream", action="store_true", help="wait for the output (/v1/workflow/run)")
    wrun.add_argument("--base-url", help=f"API base URL (default: ${ENV_BASE} or {DEFAULT_BASE_URL})")
    wrun.add_argument("--json", action="store_true", help="print one JSON object when the run ends")
    wrun.add_argument("--no-save", action="store_true", help="do not save this run in the history")
    wrun.set_defaults(func=cmd_workflow_run)
    wres = wsub.add_parser(
        "resume",
        parents=[common],
        help="answer an interrupted run (a question node, an input node, a local plugin)",
        description="Coze resumes a run at most 3 times.",
    )
    wres.add_argument("--workflow-id", required=True)
    wres.add_argument("--event-id", required=True, help="the interrupt's event id")
    wres.add_argument("--interrupt-type", required=True, type=int, help="the interrupt's type (e.g. 2)")
    wres.add_argument("--data", required=True, help="the answer (resume_data)")
    wres.add_argument("--base-url", help=f"API base URL (default: ${ENV_BASE} or {DEFAULT_BASE_URL})")
    wres.add_argument("--json", action="store_true", help="print one JSON object when the run ends")
    wres.add_argument("--no-save", action="store_true", help="do not save this resume in the history")
    wres.add_argument(
        "--execute-id", help="the run's execute id: finds the saved run when the event id does not"
    )
    wres.set_defaults(func=cmd_workflow_resume)

    history = sub.add_parser(
        "history", parents=[common], help="list saved conversations and workflow runs, newest first"
    )
    history.add_argument("--json", action="store_true")
    history.add_argument("--limit", type=int, default=0, help="at most this many (default: all)")
    history.set_defaults(func=cmd_history)

    show = sub.add_parser(
        "show", parents=[common], help="show one conversation with its messages and sources"
    )
    show.add_argument(
        "conversation", help="the conversation's id (see history) or uid, or run:ID for a workflow run"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    search = sub.add_parser(
        "search", parents=[common], help="search every saved message, source passage and workflow run"
    )
    search.add_argument("query")
    search.add_argument("--bot", help="only conversations with this bot id")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    export = sub.add_parser("export", parents=[common], help="export conversations to Markdown, JSON or HTML")
    export.add_argument(
        "conversations", nargs="*", metavar="CONVERSATION", help="a conversation's id or uid, or run:ID"
    )
    export.add_argument("--all", action="store_true", help="every saved conversation and workflow run")
    export.add_argument("--format", choices=FORMATS, default="md")
    export.add_argument(
        "--no-files",
        action="store_true",
        help="leave the attachments' content out: JSON without data, HTML without images, Markdown without the folder",
    )
    export.add_argument("-o", "--output", required=True, help="the file to write")
    export.add_argument("--no-runs", action="store_true", help="with --all: leave the workflow runs out")
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser(
        "import", parents=[common], help="import a JSON export (importing twice adds nothing)"
    )
    imp.add_argument("path")
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        return int(args.func(args, sys.stdout, sys.stderr))
    except _UsageError as exc:
        if str(exc):
            sys.stderr.write(str(exc) + "\n")
        return EXIT_USAGE
    except StoreError as exc:
        sys.stderr.write(str(exc) + "\n")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
