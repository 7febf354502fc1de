"""UI streaming: how long the real main window's event loop stalls while a 100 KB answer streams in.

    python bench/ui_stream.py [--runs 3] [--deltas 33334] [--out docs/benchmarks.md]
    QT_QPA_PLATFORM=xcb xvfb-run -a python bench/ui_stream.py --no-micro --out docs/benchmarks.md

(the second: the same in a real X11 window, written to a section of its own, "on xcb")

The demo server runs in its own process (``python -m coze_desktop.demo --port 0 --fast``), so it
does not compete for the benchmark's GIL. Each run is a fresh process (``--child``) that builds
the real app with :func:`coze_desktop.app.create_app` on a temporary data folder (offscreen Qt
unless ``QT_QPA_PLATFORM`` says otherwise, the demo token kept for the session only, no keyring
touched), shows the main window, waits until it is exposed and settled, and sends the question
through :meth:`MainWindow.send` — what the Send button does. Two 100 KB answers are streamed:

* ``bench``: the demo's ``bench`` bot answers N pieces of ``数据x`` (3 characters); the default
  N = 33,334 gives 100,002 characters in one paragraph (the worst case for appending text);
* ``markdown``: a ~100,000-character Markdown answer shaped like a long model reply (headings,
  paragraphs, lists, tables, code), from the same demo server run by this script in its own
  process (``--serve``) with one bot added at runtime, ``bench-markdown``; no demo code changes.

A 1 ms ``Qt.PreciseTimer`` ticks on the GUI thread from the send until 500 ms after the
controller's ``reply_finished``; a stall is a gap between two ticks minus the 1 ms interval.
Reported per run: the longest stall, the 99th percentile gap, the time from send to
``reply_finished`` (the final Markdown render of the answer is part of it: the window renders in
its own ``reply_finished`` slot, which runs first), and a check that the saved answer (read from
the store) is exactly what the server streamed. The slow GUI-thread calls of the app are timed
by thin wrappers installed in the child (no app code is changed), so each long stall is
attributed to the call that caused it.

``--general`` adds runs against the realistic-pace ``demo-general`` bot (a short Markdown answer,
15–40 ms between pieces) on a paced demo server. Unless ``--no-micro``, a last process measures in
isolation the costs behind the stalls (``--micro``). ``--profile`` adds a cProfile of the GUI thread
during the stream to each run's output (printed, not written to the doc); ``--bare`` runs without
the wrappers, to check they do not change the picture.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchdoc import write_section  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## UI streaming"
TARGET_STALL_MS = 50.0
TICK_MS = 1
TAIL_MS = 500  # keep ticking this long after reply_finished: the final render's paint shows up here
SETTLE_MS = 500  # after the window is exposed, before sending
BENCH_PIECE = "数据x"  # what the bench bot sends N times (coze_desktop/demo/bots.py)
DEFAULT_DELTAS = 33_334  # 100,002 characters
CHILD_TIMEOUT = 180.0
GENERAL_QUESTION = "Show me a Markdown table"
MARKDOWN_BOT = "bench-markdown"  # added to the demo's bots in the server process (``--serve``)
MARKDOWN_CHARS = 100_000
MARKDOWN_SEED = 20241124
ZH_WORDS = (
    "我们 可以 通过 数据库 索引 来 提高 查询 性能 ，但是 需要 注意 缓存 的 一致性 。 模型 在 训练 之后 "
    "部署 到 服务器 上 ，用户 发送 消息 ，机器人 根据 知识库 回答 问题 。 首先 ， 然后 ， 最后 ， 另外 "
    "因此 如果 虽然 所以 而且 比如 就是 非常 特别 可能 一定 系统 接口 文档 配置 参数 网络 安全 优化 "
    "工作流 插件 变量 函数 代码 脚本 程序 算法 结构 框架 组件 模块 功能 页面 按钮 。"
).split()
EN_WORDS = (
    "the a of to and in is for that with on as it be this are by from or at an can you your we "
    "data database server client api token model prompt query index search cache python stream "
    "chat bot agent workflow plugin knowledge base document latency throughput deploy release."
).split()


def markdown_answer(chars: int = MARKDOWN_CHARS, seed: int = MARKDOWN_SEED) -> str:
    """A deterministic Markdown answer of about ``chars`` characters, shaped like a long LLM reply:
    headings, Chinese and English paragraphs, lists, a table every third section and a Python block
    every fourth."""
    rng = random.Random(seed)

    def prose(words: Sequence[str], length: int, joiner: str) -> str:
        out: list[str] = []
        size = 0
        while size < length:
            word = rng.choice(words)
            out.append(word)
            size += len(word) + len(joiner)
        return joiner.join(out).strip()

    parts: list[str] = []
    size = 0
    section = 0
    while size < chars:
        section += 1
        block = [f"## 第 {section} 节 / Section {section}", prose(ZH_WORDS, rng.randint(150, 400), "")]
        block.append(prose(EN_WORDS, rng.randint(200, 500), " ").capitalize() + ".")
        block.append(
            "\n".join(f"- **要点 {i}**：{prose(ZH_WORDS, rng.randint(20, 60), '')}" for i in range(1, 5))
        )
        if section % 3 == 0:
            rows = [
                f"| 方案 {i} | {rng.randint(1, 999)} ms | {prose(EN_WORDS, 20, ' ')} |" for i in range(1, 5)
            ]
            block.append("\n".join(["| 方案 | 延迟 | 说明 |", "| --- | ---: | --- |", *rows]))
        if section % 4 == 0:
            body = "\n".join(f"    total += item.value * {i}  # {prose(EN_WORDS, 20, ' ')}" for i in range(8))
            block.append(
                f"```python\ndef step_{section}(items):\n    total = 0\n    for item in items:\n{body}\n    return total\n```"
            )
        text = "\n\n".join(block)
        parts.append(text)
        size += len(text) + 2
    return "\n\n".join(parts)


def run_micro(_args: argparse.Namespace) -> int:
    """Isolated costs on the GUI thread, and what the design avoids; prints JSON.

    All on the app's own answer view (``messages.text_view._TextView``, shown, 600 px wide), its own
    ``render_markdown`` and segmenter, with the Markdown answer the benchmark streams.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import threading

    from PySide6.QtGui import QTextCursor, QTextDocument
    from PySide6.QtWidgets import QApplication

    from coze_desktop.api.sse import SseDecoder
    from coze_desktop.ui import markdown
    from coze_desktop.ui.messages import answer_body, text_view
    from coze_desktop.ui.segments import split_segments
    from coze_desktop.workers.threads import Pacer

    app = QApplication([])
    palette = app.palette()

    def view() -> Any:
        shown = text_view._TextView()
        shown.resize(600, 400)
        shown.show()
        app.processEvents()
        return shown

    def ms(action: Callable[[], object]) -> float:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000

    code = "```python\ndef greet(name: str) -> str:\n    return f'hi {name}'\n```"
    out: dict[str, float] = {}
    out["first_code_block_ms"] = ms(lambda: markdown.render_markdown(QTextDocument(), code, palette))
    out["next_code_block_ms"] = ms(lambda: markdown.render_markdown(QTextDocument(), code, palette))
    for step in markdown.warm_up_steps(palette):
        step()
    text = markdown_answer()
    whole = view()

    def render_whole() -> None:
        # The cheapest way to show it as one document: rendered detached, then adopted and laid out.
        document = QTextDocument(whole)
        document.setDefaultFont(whole.document().defaultFont())
        markdown.render_markdown(document, answer_body._display_markdown(text), palette)
        whole.adopt_document(document)
        document.size()

    out["whole_render_ms"] = ms(render_whole)
    segments = split_segments(text)
    out["segments"] = len(segments)

    def render_segment(segment: Any) -> float:
        # What _AnswerBody._render does: a detached document, adopted by the shown view.
        shown = view()
        cursor = QTextCursor(shown.document())
        text_view._insert_streamed(cursor, segment.text)  # the plain text a stream left there
        app.processEvents()

        def render() -> None:
            document = QTextDocument(shown)
            document.setDefaultFont(shown.document().defaultFont())
            markdown.render_markdown(document, answer_body._display_markdown(segment.prefix + segment.text), palette)
            shown.adopt_document(document)
            document.size()

        return ms(render)

    costs = [render_segment(segment) for segment in segments]
    out["segment_render_median_ms"] = statistics.median(costs)
    out["segment_render_max_ms"] = max(costs)
    out["segment_render_total_ms"] = sum(costs)
    shown = view()
    cursor = QTextCursor(shown.document())
    out["insert_2000_ms"] = ms(lambda: text_view._insert_streamed(cursor, BENCH_PIECE * 667))

    # A second Python thread decoding events as fast as it can, as a worker does under a --fast
    # stream, with and without the worker's Pacer: the GUI thread's renders while it runs.
    events = ('data: {"content":"数据x"}\n\n' * 50).encode()
    for label, paced in (("busy", False), ("paced", True)):
        stop = threading.Event()

        def decode(paced: bool = paced, stop: threading.Event = stop) -> None:
            pacer = Pacer()
            while not stop.is_set():
                list(SseDecoder().feed(events))
                if paced:
                    pacer.tick()

        worker = threading.Thread(target=decode)
        worker.start()
        try:
            busy = [render_segment(segment) for segment in segments[:8]]
        finally:
            stop.set()
            worker.join()
        out[f"segment_render_{label}_median_ms"] = statistics.median(busy)
        out[f"segment_render_{label}_max_ms"] = max(busy)
    print(json.dumps(out), flush=True)
    return 0


def run_server(_args: argparse.Namespace) -> int:
    """The demo server with one more bot, ``bench-markdown``, which answers :func:`markdown_answer`."""
    from coze_desktop.demo import __main__ as demo_main
    from coze_desktop.demo.bots import BOTS, Bot, Reply, split_pieces

    answer = Reply(answer_pieces=split_pieces(markdown_answer()))
    BOTS[MARKDOWN_BOT] = Bot(
        MARKDOWN_BOT,
        "基准测试：长 Markdown / Benchmark: long Markdown",
        "回答一篇约 100 KB 的 Markdown（标题、段落、列表、表格、代码块）。",
        "发送任意问题。",
        (),
        lambda _question: answer,
    )
    return demo_main.main(["--port", "0", "--fast"])


# ============================================================================ the child process


@dataclass
class CallStats:
    """Durations of one instrumented function (milliseconds)."""

    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0


@dataclass
class Recorder:
    """What the child records on the GUI thread: tick times and instrumented calls."""

    ticks: list[float] = field(default_factory=list)
    calls: dict[str, CallStats] = field(default_factory=dict)
    intervals: list[tuple[float, float, str, int]] = field(default_factory=list)  # start, end, name, depth
    depth: int = 0

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Replace ``owner.name`` by a wrapper that times each call (GUI-thread functions only)."""
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            self.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                ended = time.perf_counter()
                stats = self.calls.setdefault(label, CallStats())
                ms = (ended - started) * 1000
                stats.count += 1
                stats.total_ms += ms
                stats.max_ms = max(stats.max_ms, ms)
                if ms >= 2.0:
                    self.intervals.append((started, ended, label, self.depth))

        timed.__name__ = getattr(original, "__name__", name)
        timed.__doc__ = getattr(original, "__doc__", None)
        setattr(owner, name, timed)


def instrument(recorder: Recorder) -> None:
    """Time the GUI-thread work a streamed answer causes, before the app is built."""
    from coze_desktop.ui import markdown
    from coze_desktop.ui.messages import answer_body, message, text_view
    from coze_desktop.workers import chat

    widget = message._MessageWidget
    body = answer_body._AnswerBody
    recorder.wrap(widget, "append", "_MessageWidget.append (streamed text shown)")
    recorder.wrap(body, "_render_open", "_AnswerBody._render_open (throttled re-render of the streamed segment)")
    recorder.wrap(body, "_render", "_AnswerBody._render (one segment's Markdown)")
    recorder.wrap(body, "_add_view", "_AnswerBody._add_view (a new segment view)")
    recorder.wrap(widget, "finish", "_MessageWidget.finish (final render)")
    recorder.wrap(answer_body, "render_markdown", "markdown.render_markdown")
    recorder.wrap(markdown, "_style_inline", "markdown._style_inline")
    recorder.wrap(markdown, "_style_table", "markdown._style_table (one table)")
    recorder.wrap(markdown, "_frame_code_block", "markdown._frame_code_block (one code block)")
    recorder.wrap(text_view, "_insert_plain", "text_view._insert_plain (QTextCursor.insertText)")
    recorder.wrap(
        text_view._TextView,
        "_on_layout_size_changed",
        "_TextView._on_layout_size_changed (setFixedHeight)",
    )
    recorder.wrap(chat.ChatController, "send", "ChatController.send")


def _percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile of ``values`` (0 when empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


def expected_answer(bot: str, question: str) -> str | None:
    """What the server streams for this bot and question, when the benchmark knows it."""
    if bot == "bench":
        return BENCH_PIECE * int(question)
    if bot == MARKDOWN_BOT:
        return markdown_answer()
    return None


def run_child(args: argparse.Namespace) -> int:
    """One run: build the real app, stream one answer into the shown window, print JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    recorder = Recorder()
    if not args.bare:
        instrument(recorder)

    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from coze_desktop.api import CozeClient
    from coze_desktop.app import create_app
    from coze_desktop.demo.server import DEMO_TOKEN
    from coze_desktop.domain import Message, MessageState
    from coze_desktop.logs import teardown_logging
    from coze_desktop.secrets import TokenStore
    from coze_desktop.settings import SETTINGS_FILENAME, Settings
    from coze_desktop.store import Store

    with tempfile.TemporaryDirectory(prefix="coze-ui-stream-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with CozeClient(DEMO_TOKEN, args.url) as client:
            bot = client.get_bot(args.bot)
        store = Store.open(data_dir)
        store.upsert_bot(bot)
        store.close()
        settings = Settings(data_dir / SETTINGS_FILENAME)
        settings.base_url = args.url
        settings.current_bot_id = args.bot
        settings.streaming = True
        tokens = TokenStore()
        tokens.save(args.url, DEMO_TOKEN, session_only=True)

        ctx = create_app([], data_dir=data_dir, settings=settings, token_store=tokens, modal_messages=False)
        window = ctx.window
        app = ctx.app
        window.show()
        deadline = time.monotonic() + 10
        while not (window.windowHandle() and window.windowHandle().isExposed()):
            if time.monotonic() > deadline:
                raise SystemExit("the main window was never exposed")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        settle = QEventLoop()
        QTimer.singleShot(SETTLE_MS, settle.quit)
        settle.exec()
        if window.blocked_reason() is not None:
            raise SystemExit(f"cannot send: {window.blocked_reason()}")

        ticker = QTimer()
        ticker.setTimerType(Qt.TimerType.PreciseTimer)
        ticker.setInterval(TICK_MS)
        ticker.timeout.connect(lambda: recorder.ticks.append(time.perf_counter()))
        result: dict[str, Any] = {}
        deltas: list[int] = []
        marks: dict[str, float] = {}

        def on_delta(_cid: int, _mid: int, text: str, _reasoning: str) -> None:
            if not deltas:
                marks["first_delta"] = time.perf_counter()
            deltas.append(len(text))

        def on_finished(_cid: int, message: Message) -> None:
            marks["finished"] = time.perf_counter()
            result["message"] = message
            QTimer.singleShot(TAIL_MS, ctx.loop.stop)

        ctx.controller.delta_received.connect(on_delta)
        ctx.controller.reply_finished.connect(on_finished)
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        ticker.start()
        recorder.ticks.append(time.perf_counter())
        marks["send"] = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        sent = window.send(args.question)
        if not sent:
            raise SystemExit("MainWindow.send refused the question")
        watchdog = QTimer()
        watchdog.setSingleShot(True)
        watchdog.timeout.connect(ctx.loop.stop)
        watchdog.start(int(CHILD_TIMEOUT * 1000))
        with ctx.loop:  # as main() runs the app
            ctx.loop.run_forever()
            if profiler is not None:
                profiler.disable()
            ticker.stop()
            marks["end"] = time.perf_counter()
            message = result.get("message")
            if message is None:
                raise SystemExit("no reply_finished before the watchdog")
            saved = ctx.store.get_message(message.id)
            shown = window.message_view.message(message.id)
            documents = window.message_view.rendered_documents(message.id) or []
            rendered_chars = sum(document.characterCount() - 1 for document in documents)
            segments = len(documents)
            window.close()
            ctx.shutdown()
        teardown_logging()

    expected = expected_answer(args.bot, args.question)
    saved_text = saved.text if saved is not None else ""
    gaps = [(b - a) * 1000 for a, b in zip(recorder.ticks, recorder.ticks[1:], strict=False)]
    gap_starts = recorder.ticks[:-1]
    send_at = marks["send"]
    top = sorted(range(len(gaps)), key=gaps.__getitem__, reverse=True)[:5]
    stalls = []
    for index in sorted(top):
        start, end = gap_starts[index], gap_starts[index] + gaps[index] / 1000
        during = [
            {"call": name, "ms": round((e - s) * 1000, 1), "depth": depth}
            for s, e, name, depth in recorder.intervals
            if s < end and e > start and depth == 0
        ]
        stalls.append(
            {
                "at_ms": round(max(0.0, start - send_at) * 1000, 1),
                "stall_ms": round(gaps[index] - TICK_MS, 1),
                "during": during,
            }
        )
    renders = [
        round((e - s) * 1000, 1)
        for s, e, name, _depth in recorder.intervals
        if name.startswith("_AnswerBody._render_open")
    ]
    out = {
        "bot": args.bot,
        "question": args.question,
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "send_to_finished_ms": (marks["finished"] - send_at) * 1000,
        "send_to_first_delta_ms": (marks.get("first_delta", marks["finished"]) - send_at) * 1000,
        "max_stall_ms": max(gaps) - TICK_MS if gaps else 0.0,
        "p99_gap_ms": _percentile(gaps, 0.99),
        "p50_gap_ms": _percentile(gaps, 0.50),
        "ticks": len(recorder.ticks),
        "gaps_over_16ms": sum(g - TICK_MS > 16 for g in gaps),
        "gaps_over_50ms": sum(g - TICK_MS > TARGET_STALL_MS for g in gaps),
        "delta_signals": len(deltas),
        "streamed_chars": sum(deltas),
        "saved_chars": len(saved_text),
        "saved_state": saved.state.value if saved is not None else None,
        "shown_chars": len(shown.text) if shown is not None else -1,
        "rendered_chars": rendered_chars,
        "segments": segments,
        "expected_chars": len(expected) if expected is not None else -1,
        "saved_ok": (
            saved is not None
            and saved.state is MessageState.COMPLETE
            and len(saved_text) == sum(deltas)
            and (expected is None or saved_text == expected)
        ),
        "stalls": stalls,
        "throttle_renders_ms": renders,
        "calls": {name: vars(stats) for name, stats in recorder.calls.items()},
    }
    print(json.dumps(out, ensure_ascii=False), flush=True)
    if profiler is not None:
        import pstats

        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return 0


# ============================================================================ the parent process


def child_env() -> dict[str, str]:
    """The child's environment: offscreen Qt, no proxies, no keyring, loopback only."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("COZE_API_TOKEN", None)
    env.pop("COZE_API_BASE", None)
    return env


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (every core; /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is counted in user already)
    busy = sum(fields[:3]) + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a running process has used."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def run_once(
    url: str, server_pid: int, bot: str, question: str, *, profile: bool, bare: bool
) -> dict[str, Any]:
    """Run one child and return what it measured, with ``other_cores``: the CPU the rest of the
    machine used meanwhile (busy CPU time less the child's, the server's and this process's, per
    second of the run; 2.0 means two cores busy with other work all along)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--url", url, "--bot", bot]
    cmd += ["--question", question] + (["--profile"] if profile else []) + (["--bare"] if bare else [])
    with tempfile.TemporaryDirectory(prefix="coze-ui-stream-env-") as home:
        env = child_env()
        env["COZE_DESKTOP_DATA_DIR"] = str(Path(home) / "unused")  # never the real data folder
        before = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
        busy0, server0, t0 = _machine_busy_s(), _process_cpu_s(server_pid), time.monotonic()
        try:
            done = subprocess.run(
                cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT + 30
            )
        except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child on timeout
            raise SystemExit(f"a run timed out after {exc.timeout:.0f} s") from exc
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
        ours = sum(
            a.ru_utime + a.ru_stime - (b.ru_utime + b.ru_stime) for a, b in zip(after, before, strict=True)
        )
        ours += _process_cpu_s(server_pid) - server0
        other = max(0.0, _machine_busy_s() - busy0 - ours) / wall
    if done.returncode != 0:
        raise SystemExit(f"a run failed ({done.returncode}):\n{done.stderr[-4000:]}")
    if profile:
        print(done.stderr, file=sys.stderr)
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    result["other_cores"] = other
    return result


@dataclass
class Variant:
    """One kind of answer to stream, and the server that sends it."""

    key: str
    title: str
    server: list[str]
    bot: str
    question: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def median(self) -> dict[str, Any]:
        """The median run by longest stall."""
        return sorted(self.runs, key=lambda r: r["max_stall_ms"])[len(self.runs) // 2]

    @property
    def worst(self) -> dict[str, Any]:
        """The run with the longest stall."""
        return max(self.runs, key=lambda r: r["max_stall_ms"])


def variants(args: argparse.Namespace) -> list[Variant]:
    """The answers to stream, with the server command for each."""
    demo = [sys.executable, "-m", "coze_desktop.demo", "--port", "0"]
    chars = args.deltas * len(BENCH_PIECE)
    utf8_kb = args.deltas * len(BENCH_PIECE.encode()) / 1000
    markdown = markdown_answer()
    found = [
        Variant(
            "bench",
            f"`bench` bot: {args.deltas:,} pieces of `{BENCH_PIECE}` = {chars:,} characters "
            f"({utf8_kb:,.0f} KB UTF-8) in **one paragraph** (no line break)",
            [*demo, "--fast"],
            "bench",
            str(args.deltas),
        ),
        Variant(
            "markdown",
            f"`{MARKDOWN_BOT}`: a {len(markdown):,}-character ({len(markdown.encode()) / 1000:,.0f} KB UTF-8) "
            f"Markdown answer in {markdown.count(chr(10) * 2) + 1:,} blocks (headings, Chinese and English "
            "paragraphs, lists, tables, Python blocks), cut by the demo's `split_pieces` "
            f"into {len(split_markdown(markdown)):,} pieces",
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            MARKDOWN_BOT,
            "长回答",
        ),
    ]
    if args.general:
        found.append(
            Variant(
                "general",
                f'`demo-general` at the demo\'s realistic pace (15–40 ms between pieces): "{GENERAL_QUESTION}"',
                demo,
                "demo-general",
                GENERAL_QUESTION,
            )
        )
    return [v for v in found if v.key in args.variants or v.key == "general"]


def split_markdown(text: str) -> tuple[str, ...]:
    """``text`` cut into stream pieces the way the demo server cuts it."""
    from coze_desktop.demo.bots import split_pieces

    return split_pieces(text)


@contextmanager
def server_process(cmd: list[str]) -> Iterator[tuple[str, int]]:
    """Run a demo server command in its own process; yields its URL and process id and stops it
    after."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=child_env())
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.match(r"Coze demo server: (\S+)", line)
        if not match:
            raise SystemExit(f"demo server did not start: {line!r}")
        yield match.group(1), proc.pid
    finally:
        proc.terminate()  # SIGTERM: the server stops cleanly (coze_desktop/demo/__main__.py)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def describe_stall(run: dict[str, Any]) -> str:
    """The longest stall of a run and the instrumented calls that overlapped it."""
    worst = max(run["stalls"], key=lambda s: s["stall_ms"])
    return (
        f"{worst['stall_ms']:.0f} ms at +{worst['at_ms'] / 1000:.2f} s, during {summarize(worst['during'])}"
    )


def summarize(calls: list[dict[str, Any]]) -> str:
    """``3 × append (max 88 ms); 1 × render_markdown (100 ms)``: the outermost timed calls, grouped."""
    groups: dict[str, list[float]] = {}
    for call in calls:
        groups.setdefault(call["call"].split(" (")[0], []).append(call["ms"])
    if not groups:
        return "none of the timed calls"
    return "; ".join(
        f"{len(ms)} × `{name}` ({sum(ms):.0f} ms, longest {max(ms):.0f})"
        if len(ms) > 1
        else f"`{name}` ({ms[0]:.0f} ms)"
        for name, ms in groups.items()
    )


def run_row(label: str, r: dict[str, Any]) -> str:
    """One run as a row of the Markdown table."""
    final = _call(r, "_MessageWidget.finish")["max_ms"]
    appends = _call(r, "_MessageWidget.append")
    return (
        f"| {label} | {r['max_stall_ms']:.0f} | {r['p99_gap_ms']:.1f} | {r['gaps_over_50ms']} | "
        f"{r['send_to_finished_ms'] / 1000:.2f} | {r['delta_signals']} | {appends.get('max_ms', 0.0):.0f} | "
        f"{r.get('segments', 0)} | {len(r['throttle_renders_ms'])} | {max(r['throttle_renders_ms'], default=0.0):.0f} | "
        f"{final:.0f} | "
        f"{'✅' if r['saved_ok'] else '❌'} | {r['other_cores']:.1f} |"
    )


def run_micro_child() -> dict[str, float]:
    """Run :func:`run_micro` in a fresh process."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--micro"]
    done = subprocess.run(cmd, env=child_env(), cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"the isolated measurements failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def micro_lines(m: dict[str, float]) -> list[str]:
    """The "where the time goes" part of the section."""
    return [
        "Where the time goes — isolated measurements on the app's own answer view (`_TextView`, shown, "
        "600 px wide), its own `render_markdown` and segmenter, same machine (`--micro`):",
        "",
        "| what | ms |",
        "|---|---:|",
        f"| the whole 100 KB Markdown answer as **one** document: rendered detached, adopted by the view, laid "
        f"out (the least a one-document view must do at once) | {m['whole_render_ms']:.0f} |",
        f"| the same answer as the view shows it: {m['segments']:.0f} segments, each rendered into a detached "
        f"document, adopted by its view and laid out — median / slowest / all | "
        f"{m['segment_render_median_ms']:.1f} / {m['segment_render_max_ms']:.1f} / {m['segment_render_total_ms']:.0f} |",
        f"| one segment while another Python thread decodes events flat out (a worker under `--fast`), "
        f"median / slowest | {m['segment_render_busy_median_ms']:.0f} / {m['segment_render_busy_max_ms']:.0f} |",
        f"| the same with that thread paced by the workers' `Pacer` (after 1 ms of work with no wait, 1 ms asleep) | "
        f"{m['segment_render_paced_median_ms']:.1f} / {m['segment_render_paced_max_ms']:.1f} |",
        f"| insert 2,000 streamed characters as plain text (one pass's share) | {m['insert_2000_ms']:.1f} |",
        f"| the first code block highlighted in a process (PySide builds enum types, Pygments its Python "
        f"lexer) / the next; the app pays the first at idle after start-up | "
        f"{m['first_code_block_ms']:.0f} / {m['next_code_block_ms']:.1f} |",
        "",
    ]


def report(args: argparse.Namespace, done: list[Variant], micro: dict[str, float] | None) -> str:
    """The Markdown section."""
    first = done[0].runs[0]
    met = all(v.worst["max_stall_ms"] <= TARGET_STALL_MS for v in done)
    platform_name = first["platform"]
    lines = [
        SECTION if platform_name == "offscreen" else f"{SECTION} on {platform_name}",
        "",
        f"`python bench/ui_stream.py --runs {args.runs}{' --general' if args.general else ''}`, "
        f"run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs ({platform.system()} {platform.machine()}), "
        f"Python {platform.python_version()}, PySide6 {first['pyside']}, Qt platform `{first['platform']}`; "
        f"load average {args.load_before:.1f} before the runs and {args.load_after:.1f} after them "
        "(other work on the machine).",
        "",
        "Method: the demo server runs `--fast` in its own process (no pauses: the answer arrives as fast as "
        "loopback allows, the hardest case for the GUI). Each run is a fresh process that builds the real app "
        "with `create_app` on a temporary data folder (demo token for the session only, no keyring), shows the "
        f"main window (1180×760), waits until it is exposed plus {SETTLE_MS} ms, then sends the question "
        "through `MainWindow.send` (what the Send button does). A 1 ms `PreciseTimer` ticks on the GUI thread "
        f"from the send until {TAIL_MS} ms after `reply_finished`; a stall is a gap between two ticks minus "
        "1 ms. \"send → finished\" ends at the controller's `reply_finished`, after the window's own slot has "
        "rendered the final Markdown. The saved answer is read back from the store and compared with the text "
        "the server sent. The app's GUI-thread calls are timed by wrappers installed in the benchmark process "
        f"(no app change), which says what each stall was made of. {args.runs} runs per answer; the median run "
        'is the one with the median longest stall. "Other work" is the CPU the rest of the machine used '
        "during a run, in cores (the machine's busy time from `/proc/stat` less the run's own process, the "
        f"demo server's and the benchmark's, per second; {os.cpu_count()} would mean every core busy with other "
        "work throughout).",
        "",
        "Answers streamed:",
        "",
        *(f"- **{v.key}**: {v.title}." for v in done),
        "",
        "| run | longest stall (ms) | p99 gap (ms) | stalls > 50 ms | send → finished (s) | text signals "
        "| slowest pass of text (ms) | segments | throttled re-renders | slowest re-render (ms) "
        "| final render (ms) | saved = sent | other work (cores) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        *(run_row(f"{v.key} {i}", r) for v in done for i, r in enumerate(v.runs, start=1)),
        "",
    ]
    for v in done:
        mid, worst = v.median, v.worst
        lines.append(
            f"- **{v.key}**: median run — longest stall **{mid['max_stall_ms']:.0f} ms**, p99 gap "
            f"{mid['p99_gap_ms']:.1f} ms, send → finished **{mid['send_to_finished_ms'] / 1000:.2f} s** (first text "
            f"after {mid['send_to_first_delta_ms']:.0f} ms); worst stall of the {len(v.runs)} runs "
            f"**{worst['max_stall_ms']:.0f} ms** ({describe_stall(worst)}; other work "
            f"{worst['other_cores']:.1f} cores)."
        )
    lines += [
        f"- Target: no stall over {TARGET_STALL_MS:.0f} ms while a 100 KB answer streams — "
        + ("**met**." if met else "**NOT met**."),
        "",
    ]
    for v in done:
        mid = v.median
        lines += [
            f"**{v.key}**, median run: the five longest stalls and the timed calls running during each "
            "(a stall made of several calls is a burst of queued text signals handled back to back):",
            "",
            "| when (after send) | stall (ms) | during |",
            "|---:|---:|---|",
            *(
                f"| +{s['at_ms'] / 1000:.2f} s | {s['stall_ms']:.0f} | {summarize(s['during'])} |"
                for s in sorted(mid["stalls"], key=lambda s: -s["stall_ms"])
            ),
            "",
            "| timed call | calls | total (ms) | slowest (ms) |",
            "|---|---:|---:|---:|",
            *(
                f"| `{name}` | {st['count']} | {st['total_ms']:.0f} | {st['max_ms']:.1f} |"
                for name, st in sorted(mid["calls"].items(), key=lambda kv: -kv[1]["max_ms"])
            ),
            "",
            "Throttled re-renders (ms each, in order): "
            + (", ".join(f"{ms:.0f}" for ms in mid["throttle_renders_ms"]) or "none")
            + ".",
            "",
        ]
    if micro is not None:
        lines += micro_lines(micro)
    lines += causes(done, micro)
    return "\n".join(lines)


def _call(run: dict[str, Any], prefix: str) -> dict[str, float]:
    """The stats of the timed call whose label starts with ``prefix`` (zeros if it never ran)."""
    return next(
        (v for k, v in run["calls"].items() if k.startswith(prefix)),
        {"count": 0, "total_ms": 0.0, "max_ms": 0.0},
    )


def causes(done: list[Variant], micro: dict[str, float] | None) -> list[str]:
    """How the view keeps each pass of the event loop short, in numbers from the runs above."""
    found = {v.key: v.median for v in done}
    lines = ["How each pass of the event loop stays short:", ""]
    lines.append(
        "- **Segments.** An answer is shown as a column of documents of about 2,500–4,500 characters "
        "each (`coze_desktop/ui/segments.py`), so inserting, rendering and laying out always cost what one "
        "segment costs. A segment the stream has left is rendered once, when it closes; the segment being "
        "streamed into takes plain text and is re-rendered at most every 250 ms (longer when rendering is slow), "
        "in a pass of its own; the final render only renders what is not rendered yet, the last segment first "
        "(at most ~8 ms of rendering per pass)."
    )
    if micro is not None:
        lines.append(
            f"  Rendering the 100 KB answer into one document costs {micro['whole_render_ms']:.0f} ms in one go; "
            f"as {micro['segments']:.0f} segments it costs {micro['segment_render_total_ms']:.0f} ms in all but "
            f"at most {micro['segment_render_max_ms']:.0f} ms at a time."
        )
    lines.append(
        "- **Streamed text per pass.** The worker emits text at most 60 times a second; the view shows at most "
        "2,000 characters of it per pass of the event loop (the rest waits for the next pass, after input, "
        "painting and timers) and never grows a paragraph on screen past 1,500 characters."
    )
    pacing = (
        "- **The interpreter lock.** Every Python slot, paint handler and Qt virtual of the window needs the "
        "GIL. A worker decoding a `--fast` stream would hold it almost all the time, and each step of the GUI "
        "thread would wait up to the interpreter's 5 ms switch interval to get it back"
    )
    if micro is not None:
        pacing += (
            f": one segment's render took {micro['segment_render_busy_median_ms']:.0f} ms (median) instead of "
            f"{micro['segment_render_median_ms']:.1f} ms. The worker's `Pacer` sleeps 1 ms after each 1 ms of work "
            f"with no wait, and the same render takes {micro['segment_render_paced_median_ms']:.1f} ms"
        )
    lines.append(
        pacing + ". Waiting for the network ends a burst, so at a model's pace the worker never pauses; "
        "under `--fast` the stream takes longer in all (send → finished above) and the window stays live."
    )
    lines.append(
        "- **Warm-up.** Rendering's one-time costs (PySide's enum types, the Pygments Python lexer) are paid in "
        "small steps at idle, 100 ms after the message view is first shown."
    )
    for key, name in (("bench", "bench"), ("markdown", "markdown")):
        if key in found:
            run = found[key]
            append = _call(run, "_MessageWidget.append")
            render = _call(run, "_AnswerBody._render")
            final = _call(run, "_MessageWidget.finish")
            lines.append(
                f"- **{name}**, median run: {append['count']:.0f} passes of streamed text (slowest "
                f"{append['max_ms']:.0f} ms), {render['count']:.0f} segment renders (slowest {render['max_ms']:.0f} ms), "
                f"final render {final['max_ms']:.0f} ms."
            )
    lines.append("")
    return lines


def pyside_version() -> str:
    """The installed PySide6 version."""
    import PySide6

    return str(PySide6.__version__)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each answer (default: %(default)s)")
    parser.add_argument(
        "--deltas",
        type=int,
        default=DEFAULT_DELTAS,
        help="pieces the bench bot sends, 3 characters each (default: %(default)s = 100,002 characters)",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=("bench", "markdown"),
        default=["bench", "markdown"],
        help="which 100 KB answers to stream (default: both)",
    )
    parser.add_argument("--out", type=Path, help="Markdown file to write the section into")
    parser.add_argument("--general", action="store_true", help="also run the paced demo-general bot")
    parser.add_argument(
        "--no-micro", action="store_true", help="skip the isolated measurements of where the time goes"
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the GUI thread per run")
    parser.add_argument(
        "--bare", action="store_true", help="time nothing but the ticks (to check the wrappers cost nothing)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--micro", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--bot", default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--question", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or one of its child roles); returns the exit code."""
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    if args.serve:
        return run_server(args)
    if args.micro:
        return run_micro(args)
    if not 0 < args.deltas <= 1_000_000:
        raise SystemExit("--deltas must be between 1 and 1,000,000 (the bench bot's limit)")
    done = variants(args)
    args.load_before = os.getloadavg()[0]
    for variant in done:
        with server_process(variant.server) as (url, server_pid):
            for i in range(args.runs):
                run = run_once(
                    url, server_pid, variant.bot, variant.question, profile=args.profile, bare=args.bare
                )
                run["pyside"] = pyside_version()
                variant.runs.append(run)
                print(
                    f"{variant.key} run {i + 1}: longest stall {run['max_stall_ms']:.0f} ms, p99 gap "
                    f"{run['p99_gap_ms']:.1f} ms, send→finished {run['send_to_finished_ms']:.0f} ms, "
                    f"saved = sent: {run['saved_ok']}, other work {run['other_cores']:.1f} cores; "
                    f"{describe_stall(run)}",
                    flush=True,
                )
    args.load_after = os.getloadavg()[0]
    micro = run_micro_child() if not args.no_micro else None
    if not all(r["saved_ok"] for v in done for r in v.runs):
        print("WARNING: a saved answer differs from what was sent", file=sys.stderr)
    section = report(args, done, micro)
    print(section)
    if args.out:
        write_section(args.out, section)
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
