"""Start-up: time from launching the app to its main window on screen, and its memory once idle.

    python bench/startup.py [--runs 5] [--conversations 10000] [--out docs/benchmarks.md] [--xvfb]

Each run launches a new process — interpreter start included — on a fresh copy of a prepared
data folder: an empty history, then one of 10,000 conversations (4 messages each, mixed Chinese
and English, written once with bulk inserts through the app's own schema; the full-text index is
kept by its triggers). The clock starts in this process just before ``Popen`` and stops when the
child reports the main window's first frame: the child runs ``coze_desktop.app.main`` itself,
unchanged (``python bench/startup.py --child``), with two probes added from outside: a wrapper
around ``create_app`` that notes when it returns, and a ``showEvent`` on ``MainWindow`` that
watches the window's native ``QWindow`` for its first ``Expose``; the frame counts as shown when
the event loop comes back after that expose (Qt paints the widgets while handling it). Both
processes read ``time.perf_counter`` (CLOCK_MONOTONIC on Linux, shared by all processes).

Memory: ``VmRSS`` from ``/proc/self/status`` after the window is shown and the app has been
idle for ``--idle`` seconds (2 by default); then the child closes the window and the app quits as
usual. One warm-up launch per data folder is not counted (it fills the file cache), then the
median of ``--runs`` launches is reported. Qt runs ``offscreen`` (no display needed); ``--xvfb``
adds the same measurement with a real X11 window (``xcb``) on a private Xvfb server. The keyring
is Python keyring's ``fail`` backend, so no token is found and no real keyring is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchdoc import write_section  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Start-up"
TARGET_SECONDS = 1.0
TARGET_MB = 150.0
MESSAGES_PER_CONVERSATION = 4
SEED = 20241124
CHILD_TIMEOUT = 60.0
DB_NAME = "history.sqlite3"

ZH = (
    "我们 你们 这个 什么 怎么 可以 需要 已经 没有 问题 方法 系统 数据 数据库 服务器 接口 文档 用户 模型 训练 "
    "部署 配置 参数 网络 安全 性能 优化 缓存 索引 查询 搜索 知识库 北京 上海 天气 明天 价格 产品 订单 退款 "
    "物流 发票 项目 进度 风险 预算 设计 开发 测试 上线 版本 更新 错误 日志 监控 机器人 智能体 插件 工作流"
).split()
EN = (
    "the a of to and in is for that with on as it data database server client api token model prompt "
    "query index search cache python script config error request response stream chat bot agent workflow"
).split()


# ============================================================================ the child process


def run_child(args: argparse.Namespace) -> int:
    """Run the app exactly as ``coze-desktop`` does, report when its window is shown, then quit."""
    marks: dict[str, float] = {"script": time.perf_counter()}
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QApplication

    import coze_desktop.app as app_module
    from coze_desktop.ui.main_window import MainWindow

    marks["imported"] = time.perf_counter()
    real_create_app = app_module.create_app
    created: dict[str, Any] = {}

    def create_app(*a: Any, **kw: Any) -> Any:
        ctx = real_create_app(*a, **kw)
        marks["created"] = time.perf_counter()
        created["ctx"] = ctx
        return ctx

    app_module.create_app = create_app  # main() looks it up in the module at call time

    def report() -> None:
        marks["shown"] = time.perf_counter()
        QTimer.singleShot(int(args.idle * 1000), idle_done)

    def idle_done() -> None:
        memory = proc_status_kb()
        ctx = created.get("ctx")
        total = ctx.window.conversation_list.model.total() if ctx is not None else -1
        page = ctx.window.pages.currentWidget() if ctx is not None else None
        out = {
            "marks": marks,
            "rss_kb": memory.get("VmRSS", -1),
            "hwm_kb": memory.get("VmHWM", -1),
            "conversations_listed": total,
            "page": "welcome page" if type(page).__name__ == "WelcomeView" else "chat page",
            "platform": QApplication.platformName(),
            "pid": os.getpid(),
        }
        print(json.dumps(out), flush=True)
        if ctx is not None:
            ctx.window.close()  # the last window: the app quits as it does for the user

    class ExposeProbe(QObject):
        """Notes the first Expose of the main window's QWindow; reports once it has been handled."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose and "exposed" not in marks:
                marks["exposed"] = time.perf_counter()
                watched.removeEventFilter(self)
                QTimer.singleShot(0, report)  # runs after Qt has painted the window for this expose
            return False

    probe = ExposeProbe()

    own_show_event = MainWindow.__dict__.get("showEvent")  # none today; wrapped if one is added

    def show_event(self: MainWindow, event: QShowEvent) -> None:
        if "show" not in marks:
            marks["show"] = time.perf_counter()
            handle = self.windowHandle()
            if handle is not None:
                handle.installEventFilter(probe)
        if own_show_event is not None:
            own_show_event(self, event)
        else:
            super(MainWindow, self).showEvent(event)

    MainWindow.showEvent = show_event  # type: ignore[method-assign]
    return app_module.main(["coze-desktop"])


def proc_status_kb(pid: int | str = "self") -> dict[str, int]:
    """The ``kB`` fields of ``/proc/<pid>/status`` (VmRSS, VmHWM, ...)."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            found[name] = int(parts[0])
    return found


# ============================================================================ preparing the data


def build_history(folder: Path, conversations: int, seed: int = SEED) -> dict[str, float]:
    """A history of ``conversations`` conversations of 4 messages each in ``folder``; returns facts."""
    from coze_desktop.domain import Bot
    from coze_desktop.store import Store

    rng = random.Random(seed)
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DB_NAME
    with Store.open(path) as store:  # the schema exactly as the app creates it
        for i in range(3):
            store.upsert_bot(
                Bot(bot_id=f"bot-{i}", name=f"助手 {i} / Assistant {i}", base_url="https://api.coze.cn")
            )
    if conversations == 0:
        return {"build_seconds": time.perf_counter() - started, "messages": 0, "mb": _size_mb(path)}

    def text(length: int) -> str:
        words: list[str] = []
        size = 0
        while size < length:
            word = rng.choice(ZH) if rng.random() < 0.7 else " " + rng.choice(EN) + " "
            words.append(word)
            size += len(word)
        return "".join(words).strip()[:length]

    now = time.time()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway file: build speed over durability
    conn.execute("BEGIN")
    rows = []
    messages = []
    message_id = 0
    for conv in range(1, conversations + 1):
        start = now - rng.random() * 2 * 365 * 86400
        rows.append(
            (
                conv,
                uuid.UUID(int=rng.getrandbits(128)).hex,
                f"bot-{conv % 3}",
                "https://api.coze.cn",
                text(rng.randint(6, 20)),
                start,
                start + 60 * MESSAGES_PER_CONVERSATION,
            )
        )
        for seq in range(MESSAGES_PER_CONVERSATION):
            message_id += 1
            user = seq % 2 == 0
            messages.append(
                (
                    message_id,
                    uuid.UUID(int=rng.getrandbits(128)).hex,
                    conv,
                    "user" if user else "assistant",
                    "question" if user else "answer",
                    text(rng.randint(10, 80) if user else rng.randint(100, 800)),
                    "complete",
                    start + 60 * seq,
                    message_id - 1 if seq else None,  # follows the message before it, as the app saves it
                )
            )
    conn.executemany(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at, parent_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        messages,
    )
    conn.execute("COMMIT")
    conn.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with Store.open(path) as store:  # check it through the API the app uses
        listed = store.count_conversations()
        if listed != conversations:
            raise SystemExit(f"the built history lists {listed} conversations, expected {conversations}")
    return {"build_seconds": time.perf_counter() - started, "messages": len(messages), "mb": _size_mb(path)}


def _size_mb(path: Path) -> float:
    """Size of the database with its WAL and SHM files, in MiB."""
    return sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name)) / 2**20


# ============================================================================ launching


@dataclass
class Launch:
    """One launch: seconds from Popen to each mark, and memory once idle."""

    seconds: dict[str, float]
    rss_mb: float
    hwm_mb: float
    listed: int
    page: str
    platform: str


@dataclass
class Scenario:
    """A data folder to start on, and the launches made on it."""

    name: str
    template: Path
    conversations: int
    platform: str
    warmup: Launch | None = None
    launches: list[Launch] = field(default_factory=list)

    def median(self, key: str) -> float:
        """Median seconds from ``Popen`` to the mark ``key`` over the counted launches."""
        return statistics.median(launch.seconds[key] for launch in self.launches)

    @property
    def median_rss(self) -> float:
        """Median idle RSS in MiB over the counted launches."""
        return statistics.median(launch.rss_mb for launch in self.launches)


def child_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """The child's environment: its own data folder, no proxies, no keyring, offscreen unless told."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["COZE_DESKTOP_DATA_DIR"] = str(data_dir)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.pop("COZE_API_TOKEN", None)
    env.pop("COZE_API_BASE", None)
    env.update(extra)
    return env


def launch(template: Path, idle: float, extra_env: dict[str, str]) -> Launch:
    """Start the app on a fresh copy of ``template`` and time it until its window is shown."""
    with tempfile.TemporaryDirectory(prefix="coze-startup-") as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(template, data_dir)
        env = child_env(data_dir, extra_env)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--idle", str(idle)]
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], CHILD_TIMEOUT)
            line = proc.stdout.readline() if ready else ""
            code = proc.wait(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise SystemExit("the app did not quit after its window was closed") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = proc.stderr.read() if proc.stderr else ""
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    if not line or code != 0:
        raise SystemExit(f"a launch failed (exit {code}, printed {line!r}):\n{err[-4000:]}")
    data = json.loads(line)
    marks = data["marks"]
    return Launch(
        seconds={key: value - started for key, value in marks.items()},
        rss_mb=data["rss_kb"] / 1024,
        hwm_mb=data["hwm_kb"] / 1024,
        listed=data["conversations_listed"],
        page=data["page"],
        platform=data["platform"],
    )


def smoke(template: Path, runs: int) -> list[float]:
    """Seconds for whole ``python -m coze_desktop --smoke`` processes (build, show, quit) on ``template``."""
    found = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="coze-startup-smoke-") as tmp:
            data_dir = Path(tmp) / "data"
            shutil.copytree(template, data_dir)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "coze_desktop", "--smoke"],
                env=child_env(data_dir, {}),
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT,
            )
            found.append(time.perf_counter() - started)
        if done.returncode != 0 or "smoke ok" not in done.stdout:
            raise SystemExit(f"--smoke failed ({done.returncode}): {done.stdout}{done.stderr[-2000:]}")
    return found


@contextmanager
def xvfb() -> Iterator[dict[str, str]]:
    """A private Xvfb server (1280×800); yields the environment for an xcb child."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 10)
        display = os.read(read_fd, 64).decode().strip() if ready else ""
        if not display:
            raise SystemExit("Xvfb did not start")
        yield {"QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{display}"}
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ============================================================================ the report


def report(
    args: argparse.Namespace,
    scenarios: list[Scenario],
    facts: dict[str, dict[str, float]],
    smokes: dict[str, list[float]],
) -> str:
    """The Markdown section."""
    import PySide6

    rows = []
    for s in scenarios:
        shown, rss = s.median("shown"), s.median_rss
        big = s.conversations >= args.conversations
        verdict = (
            ("✅" if shown <= TARGET_SECONDS else "❌ missed")
            + " / "
            + ("✅" if rss <= TARGET_MB else "❌ missed")
            if big
            else ""
        )
        rows.append(
            f"| {s.name} | **{shown:.2f}** | {s.median('script'):.2f} | {s.median('imported') - s.median('script'):.2f} | "
            f"{s.median('created') - s.median('imported'):.2f} | {shown - s.median('created'):.2f} | **{rss:.0f}** | "
            f"{statistics.median(launch.hwm_mb for launch in s.launches):.0f} | "
            f"{s.warmup.seconds['shown'] if s.warmup else float('nan'):.2f} | "
            f"{' '.join(format(launch.seconds['shown'], '.2f') for launch in s.launches)} | {verdict} |"
        )
    main = [s for s in scenarios if s.conversations >= args.conversations]
    met_time = all(s.median("shown") <= TARGET_SECONDS for s in main)
    met_mem = all(s.median_rss <= TARGET_MB for s in main)
    big = facts.get("big", {})
    listed = {s.name: (s.launches[0].listed, s.launches[0].page) for s in scenarios}
    lines = [
        SECTION,
        "",
        f"`python bench/startup.py --runs {args.runs} --conversations {args.conversations}"
        f"{' --xvfb' if args.xvfb else ''}`, run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs "
        f"({platform.system()} {platform.machine()}), Python {platform.python_version()}, PySide6 {PySide6.__version__}.",
        "",
        "Method: each launch is a new process (`python bench/startup.py --child`, which calls "
        "`coze_desktop.app.main` unchanged, as `python -m coze_desktop` does) on a fresh copy of a prepared "
        "data folder. The clock starts in the parent just before `Popen` (interpreter start included) and stops "
        "when the child's event loop comes back from the main window's first `Expose`, i.e. after Qt painted "
        "the first frame; probes are a wrapper around `create_app` and a `showEvent` added to `MainWindow` from "
        "outside. Memory is the child's `VmRSS` after the window was shown and the app sat idle for "
        f"{args.idle:g} s (`VmHWM`, the peak, alongside). One warm-up launch per row is not counted; the median "
        f"of {args.runs} launches is shown. Settings are the defaults (coze.cn, no token: keyring `fail` "
        "backend), so an empty history opens on the welcome page and a full one on the chat page.",
        "",
        f"History: empty, and {args.conversations:,} conversations × {MESSAGES_PER_CONVERSATION} messages "
        f"({int(big.get('messages', 0)):,} messages, mixed Chinese/English, questions 10–80 characters, answers "
        f"100–800; {big.get('mb', 0):.0f} MB with the full-text index), written once with bulk inserts through the "
        f"app's schema in {big.get('build_seconds', 0):.1f} s.",
        "",
        "| history | to window shown (s) | interpreter start (s) | imports (s) | `create_app` (s) "
        "| show → first frame (s) | RSS idle (MB) | peak RSS (MB) | warm-up launch (s) | all launches (s) "
        f"| ≤ {TARGET_SECONDS:g} s / ≤ {TARGET_MB:.0f} MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *rows,
        "",
        'Columns from "interpreter start" on split the median time: from `Popen` to the first line of the '
        "child script, then importing PySide6 and `coze_desktop.app`, then `create_app` (QApplication, "
        "settings, logging, store, controller, the whole `MainWindow`), then from `create_app`'s return to the "
        "first frame (`window.show()` and the first paint).",
        "",
        "What the window showed: "
        + "; ".join(
            f"{name}: {page}, {count:,} conversations in the list" for name, (count, page) in listed.items()
        )
        + ".",
        "",
        "Cross-check without probes: `python -m coze_desktop --smoke` as a whole process (build the window, "
        "show it, process events once, shut down, exit), median of "
        f"{args.runs}: "
        + "; ".join(f"{name} {statistics.median(times):.2f} s" for name, times in smokes.items())
        + ".",
        "",
        f"- Target with {args.conversations:,} conversations ({', '.join(s.platform for s in main)}): "
        f"window shown in ≤ {TARGET_SECONDS:g} s — "
        + ("**met**" if met_time else "**NOT met**")
        + f"; ≤ {TARGET_MB:.0f} MB in use once idle — "
        + ("**met**." if met_mem else "**NOT met**."),
        "",
    ]
    return "\n".join(lines)



def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="counted launches per row (default: %(default)s)")
    parser.add_argument(
        "--conversations", type=int, default=10_000, help="size of the big history (default: %(default)s)"
    )
    parser.add_argument(
        "--idle", type=float, default=2.0, help="seconds idle before reading RSS (default: 2)"
    )
    parser.add_argument("--out", type=Path, help="Markdown file to write the section into")
    parser.add_argument("--xvfb", action="store_true", help="also launch with a real X11 window on Xvfb")
    parser.add_argument(
        "--dir",
        type=Path,
        help="where to keep the prepared data folders (default: a temporary folder, removed after)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or the probed app with ``--child``); returns the exit code."""
    args = parse_args(argv)
    if args.child:
        return run_child(args)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="coze-startup-bench-"))
    try:
        facts: dict[str, dict[str, float]] = {}
        templates = {"empty": workdir / "empty", "big": workdir / f"conversations-{args.conversations}"}
        for key, folder in templates.items():
            count = 0 if key == "empty" else args.conversations
            if not (folder / DB_NAME).exists():
                print(f"building the {key} history in {folder}", flush=True)
                facts[key] = build_history(folder, count)
                (folder.parent / f"{folder.name}.json").write_text(json.dumps(facts[key]), encoding="utf-8")
            else:
                facts[key] = json.loads((folder.parent / f"{folder.name}.json").read_text(encoding="utf-8"))
        platforms: list[tuple[str, dict[str, str] | None]] = [("offscreen", {})]
        if args.xvfb:
            platforms.append(("xcb", None))
        scenarios: list[Scenario] = []
        for name, env in platforms:
            with xvfb() if env is None else _nothing(env) as extra:
                for key, folder in templates.items():
                    count = 0 if key == "empty" else args.conversations
                    label = ("empty" if count == 0 else f"{count:,} conversations") + f" ({name})"
                    scenario = Scenario(label, folder, count, name)
                    scenario.warmup = launch(folder, args.idle, extra)
                    for _ in range(args.runs):
                        scenario.launches.append(launch(folder, args.idle, extra))
                    scenarios.append(scenario)
                    print(
                        f"{label}: shown {scenario.median('shown'):.3f} s (median; "
                        f"{', '.join(format(x.seconds['shown'], '.3f') for x in scenario.launches)}), "
                        f"RSS {scenario.median_rss:.0f} MB, platform {scenario.launches[0].platform}",
                        flush=True,
                    )
        smokes = {
            ("empty" if key == "empty" else f"{args.conversations:,} conversations"): smoke(folder, args.runs)
            for key, folder in templates.items()
        }
        section = report(args, scenarios, facts, smokes)
        print(section)
        if args.out:
            write_section(args.out, section)
            print(f"written to {args.out}")
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


@contextmanager
def _nothing(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A context that yields ``env`` unchanged (the offscreen platform needs no server)."""
    yield env


if __name__ == "__main__":
    sys.exit(main())
