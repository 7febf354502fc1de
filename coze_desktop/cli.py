"""``coze-cli``: talk to a Coze bot from a terminal. Never imports Qt.

    coze-cli chat --bot-id ID [--base-url URL] [--user-id ID] [--conversation-id ID]
                  [--no-stream] [--json] MESSAGE

The token comes from ``COZE_API_TOKEN``, else from the keyring entry the desktop app uses;
never from the command line. Exit status 0 only when the chat completed.
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
from collections.abc import Iterator, Sequence
from typing import TextIO

from coze_desktop import __version__
from coze_desktop.api import ChatAccumulator, CozeClient, CozeError
from coze_desktop.api.client import ChatStream
from coze_desktop.api.events import ChatEvent, MessageDelta
from coze_desktop.domain import DEFAULT_BASE_URL, ChatResult, ChatStatus, ErrorInfo
from coze_desktop.secrets import ENV_TOKEN, token_from_env_or_keyring

ENV_BASE = "COZE_API_BASE"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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


def _error_line(lang: str, info: ErrorInfo) -> str:
    parts = [_t(lang, "错误", "Error")]
    if info.code is not None:
        parts.append(str(info.code))
    line = " ".join(parts) + ": " + info.message
    if info.logid:
        line += f" (logid: {info.logid})"
    return line


def _events(
    client: CozeClient, args: argparse.Namespace, holder: dict[str, ChatStream], cancel: threading.Event
) -> Iterator[ChatEvent]:
    if args.no_stream:
        yield from client.chat_and_poll(
            args.bot_id, args.user_id, args.message, conversation_id=args.conversation_id, cancel=cancel
        )
        return
    stream = client.stream_chat(args.bot_id, args.user_id, args.message, conversation_id=args.conversation_id)
    holder["stream"] = stream
    if cancel.is_set():
        stream.abort()
    yield from stream


def run_chat(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    lang = ui_lang()
    acc = ChatAccumulator(lang=lang)
    printer = None if args.json else _Printer(out, err, lang)
    base_url = args.base_url or os.environ.get(ENV_BASE) or DEFAULT_BASE_URL
    token, _where = token_from_env_or_keyring(base_url)
    if not token:
        acc.error = ErrorInfo(
            None,
            _t(
                lang,
                f"没有访问令牌。请设置环境变量 {ENV_TOKEN}，或在 Coze Desktop 的设置中保存令牌。",
                f"No access token. Set the {ENV_TOKEN} environment variable, or save a token in Coze Desktop's settings.",
            ),
        )
        acc.status = ChatStatus.ERROR
        return _finish(acc, args, out, err, lang, code=EXIT_USAGE)

    cancel = threading.Event()
    holder: dict[str, ChatStream] = {}

    def on_sigint(_sig: int, _frame: object) -> None:
        cancel.set()
        stream = holder.get("stream")
        if stream is not None:
            stream.abort()  # only close the socket here; the cancel request is sent below

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with CozeClient(token, base_url) as client:
            try:
                for event in _events(client, args, holder, cancel):
                    shown = acc.feed(event)
                    if printer is not None:
                        if isinstance(event, MessageDelta) and event.message.reasoning_content:
                            printer.reasoning(event.message.reasoning_content)
                        if shown:
                            printer.answer(shown)
            except CozeError as exc:
                acc.fail(exc)
            stream = holder.get("stream")
            if stream is not None and stream.canceled:
                stream.cancel()  # tell Coze too, now that we are out of the signal handler
    finally:
        signal.signal(signal.SIGINT, previous)
    code = EXIT_OK if acc.status is ChatStatus.COMPLETED else EXIT_FAILED
    if acc.status is ChatStatus.CANCELED and cancel.is_set():
        code = EXIT_INTERRUPTED
    if printer is not None:
        printer.summary(acc.result())
    return _finish(acc, args, out, err, lang, code=code)


def _finish(
    acc: ChatAccumulator, args: argparse.Namespace, out: TextIO, err: TextIO, lang: str, *, code: int
) -> int:
    result = acc.result()
    if args.json:
        out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        out.flush()
    if result.error is not None:
        err.write(_error_line(lang, result.error) + "\n")
    elif result.status is ChatStatus.REQUIRES_ACTION and not args.json:
        err.write(
            _t(
                lang,
                "机器人需要调用本地工具（requires_action），命令行暂不支持。",
                "The bot asked for a local tool call (requires_action), which the CLI does not handle.",
            )
            + "\n"
        )
    elif result.status is ChatStatus.CANCELED:
        err.write(_t(lang, "已停止。", "Stopped.") + "\n")
    err.flush()
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coze-cli", description="Talk to Coze (扣子) bots from the command line."
    )
    parser.add_argument("--version", action="version", version=f"coze-cli {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser(
        "chat",
        help="send one message to a bot and print the reply",
        description=f"The token is read from {ENV_TOKEN}, else from the keyring entry of Coze Desktop.",
    )
    chat.add_argument("--bot-id", required=True, help="the bot's ID (published to the API channel)")
    chat.add_argument("--base-url", help=f"API base URL (default: ${ENV_BASE} or {DEFAULT_BASE_URL})")
    chat.add_argument(
        "--user-id", default=None, help="end-user id sent to Coze (default: derived from this OS account)"
    )
    chat.add_argument("--conversation-id", help="continue this Coze conversation")
    chat.add_argument("--no-stream", action="store_true", help="create the chat and poll until it finishes")
    chat.add_argument("--json", action="store_true", help="print one JSON object when the chat ends")
    chat.add_argument("message", help="what to say")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "chat":
        if not args.user_id:
            args.user_id = default_user_id()
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(encoding="utf-8", errors="replace")
        return run_chat(args, sys.stdout, sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
