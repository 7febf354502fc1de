"""`coze-cli chat` end to end: a real child process against the demo server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coze_desktop.demo.bots import BENCH_MAX_DELTAS, BENCH_PIECE
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer

CLI = [sys.executable, "-m", "coze_desktop.cli"]
JSON_KEYS = {
    "status",
    "conversation_id",
    "chat_id",
    "answer",
    "reasoning",
    "sources",
    "follow_ups",
    "usage",
    "required_action",
    "error",
    "local_conversation_id",
    "attachments",
    "steps",  # the tool calls and responses of the answer (ToolStep.to_json)
}
SOURCE_KEYS = {"slice", "score", "document", "dataset", "title", "url"}


def cli(
    env: dict[str, str], *args: str, token: str | None = DEMO_TOKEN, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    if token is not None:
        env["COZE_API_TOKEN"] = token
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False
    )


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stdout  # exactly one JSON object on stdout
    obj = json.loads(lines[0])
    assert set(obj) == JSON_KEYS
    return obj


def test_default_output(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(subprocess_env, "chat", "--bot-id", "demo-knowledge", "--base-url", demo_fast.url, "怎么退货？")
    assert p.returncode == 0, p.stderr
    assert "来源" in p.stdout or "Sources" in p.stdout
    assert "退换货政策.pdf" in p.stdout and "https://" in p.stdout
    assert "[1]" in p.stdout and "[2]" in p.stdout
    assert p.stderr == ""


def test_json_output_completed(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--bot-id",
        "demo-knowledge",
        "--base-url",
        demo_fast.url,
        "怎么退货？",
    )
    assert p.returncode == 0, p.stderr
    obj = as_json(p)
    assert obj["status"] == "completed"
    assert isinstance(obj["answer"], str) and obj["answer"]
    assert obj["error"] is None and obj["required_action"] is None
    assert isinstance(obj["conversation_id"], str) and isinstance(obj["chat_id"], str)
    sources = obj["sources"]
    assert isinstance(sources, list) and len(sources) >= 2
    for s in sources:
        assert set(s) == SOURCE_KEYS
        assert isinstance(s["score"], float)
        assert all(isinstance(s[k], str) for k in SOURCE_KEYS - {"score"})
    assert isinstance(obj["follow_ups"], list) and len(obj["follow_ups"]) == 3
    usage = obj["usage"]
    assert isinstance(usage, dict) and set(usage) == {"input_count", "output_count", "token_count"}
    assert all(isinstance(v, int) for v in usage.values())


def test_no_stream_json_matches_stream(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    streamed = as_json(
        cli(
            subprocess_env,
            "chat",
            "--json",
            "--bot-id",
            "demo-knowledge",
            "--base-url",
            demo_fast.url,
            "退货",
        )
    )
    polled_p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--no-stream",
        "--bot-id",
        "demo-knowledge",
        "--base-url",
        demo_fast.url,
        "退货",
    )
    assert polled_p.returncode == 0, polled_p.stderr
    polled = as_json(polled_p)
    for key in ("status", "answer", "sources", "follow_ups"):
        assert polled[key] == streamed[key], key


def test_reasoning_in_json(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    obj = as_json(
        cli(
            subprocess_env,
            "chat",
            "--json",
            "--bot-id",
            "demo-reasoning",
            "--base-url",
            demo_fast.url,
            "why?",
        )
    )
    assert obj["reasoning"] and obj["answer"]


@pytest.mark.parametrize(
    ("bot", "status", "code"),
    [
        ("fault-failed", "failed", 5000),
        ("fault-error-event", "error", 5000),
        ("fault-drop", "error", None),
        ("fault-401", "error", 4100),
        ("fault-4015", "error", 4015),
    ],
)
def test_failures_in_json(
    demo_fast: DemoServer, subprocess_env: dict[str, str], bot: str, status: str, code: int | None
) -> None:
    p = cli(subprocess_env, "chat", "--json", "--bot-id", bot, "--base-url", demo_fast.url, "hi")
    assert p.returncode == 1
    obj = as_json(p)
    assert obj["status"] == status
    err = obj["error"]
    assert isinstance(err, dict) and set(err) == {"code", "message", "logid"}
    assert err["code"] == code and err["message"]
    if bot in ("fault-error-event", "fault-drop"):
        assert obj["answer"], "the text received before the failure is kept"
    if bot in ("fault-401", "fault-4015"):
        assert err["logid"]
    assert "Error" in p.stderr or "错误" in p.stderr


def test_error_text_on_stderr_in_default_mode(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    env = dict(subprocess_env, LANG="zh_CN.UTF-8")
    p = cli(env, "chat", "--bot-id", "fault-4015", "--base-url", demo_fast.url, "hi")
    assert p.returncode == 1
    assert "4015" in p.stderr and "发布" in p.stderr and "logid" in p.stderr
    assert "COZE_API_TOKEN" not in p.stderr  # the token hint is only for an invalid token
    assert p.stdout.strip() == ""


def test_missing_token(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--bot-id",
        "demo-general",
        "--base-url",
        demo_fast.url,
        "hi",
        token=None,
    )
    assert p.returncode == 2
    obj = as_json(p)
    assert obj["status"] == "error" and "COZE_API_TOKEN" in obj["error"]["message"]  # type: ignore[index]


def test_token_from_keyring_and_base_from_env(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    ring = tmp_path / "ring.json"
    ring.write_text(json.dumps({f"coze-desktop|{demo_fast.url}": DEMO_TOKEN}))
    env = dict(
        subprocess_env,
        PYTHON_KEYRING_BACKEND="file_keyring.FileKeyring",
        TEST_KEYRING_FILE=str(ring),
        PYTHONPATH=str(Path(__file__).resolve().parents[1])
        + os.pathsep
        + subprocess_env.get("PYTHONPATH", ""),
        COZE_API_BASE=demo_fast.url,
    )
    p = cli(env, "chat", "--json", "--bot-id", "demo-general", "hello", token=None)
    assert p.returncode == 0, p.stderr
    assert as_json(p)["status"] == "completed"


def test_wrong_token_never_printed(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    secret = "pat_THIS_IS_A_SECRET_TOKEN_0123456789"
    for extra in ([], ["--json"]):
        p = cli(
            subprocess_env,
            "chat",
            *extra,
            "--bot-id",
            "demo-general",
            "--base-url",
            demo_fast.url,
            "hi",
            token=secret,
        )
        assert p.returncode == 1
        assert secret not in p.stdout and secret not in p.stderr
        assert "4100" in p.stdout + p.stderr
        assert "COZE_API_TOKEN" in p.stderr  # where the command line takes the token from


def test_conversation_id_continues(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    first = as_json(
        cli(subprocess_env, "chat", "--json", "--bot-id", "demo-general", "--base-url", demo_fast.url, "one")
    )
    conv = str(first["conversation_id"])
    second = as_json(
        cli(
            subprocess_env,
            "chat",
            "--json",
            "--bot-id",
            "demo-general",
            "--base-url",
            demo_fast.url,
            "--conversation-id",
            conv,
            "two",
        )
    )
    assert second["conversation_id"] == conv


def test_answer_is_written_as_it_arrives(demo_paced: DemoServer, subprocess_env: dict[str, str]) -> None:
    env = dict(subprocess_env, COZE_API_TOKEN=DEMO_TOKEN)
    proc = subprocess.Popen(
        [*CLI, "chat", "--bot-id", "demo-general", "--base-url", demo_paced.url, "Introduce yourself"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    t0 = time.monotonic()
    first = proc.stdout.read1(1)  # type: ignore[attr-defined]
    t_first = time.monotonic() - t0
    rest = proc.stdout.read()
    t_end = time.monotonic() - t0
    assert proc.wait(timeout=30) == 0
    assert first and rest
    assert t_end - t_first > 0.5, "the answer must appear while the bot is still writing"


def _start_endless_chat(env: dict[str, str], url: str, *extra: str) -> subprocess.Popen[bytes]:
    """A chat whose answer is still streaming whenever the test gets to it: the bench bot's 100,000
    pieces at the demo's realistic pace (15–40 ms apart) take about an hour."""
    env = dict(env, COZE_API_TOKEN=DEMO_TOKEN)
    return subprocess.Popen(
        [*CLI, "chat", *extra, "--bot-id", "bench", "--base-url", url, str(BENCH_MAX_DELTAS // 10)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _saved_answer(data_dir: str) -> tuple[str, str] | None:
    """The (state, text) of the newest saved answer, read-only, or None before there is one."""
    db = Path(data_dir) / "history.sqlite3"
    if not db.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        try:
            row = conn.execute(
                "SELECT state, text FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:  # the CLI is still creating the schema
            return None
    return (row[0], row[1]) if row else None


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds (a bound, not a pause)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_ctrl_c_stops(demo_paced: DemoServer, subprocess_env: dict[str, str]) -> None:
    proc = _start_endless_chat(subprocess_env, demo_paced.url)
    assert proc.stdout is not None
    # The first piece of the answer on stdout: the CLI is past start-up and handles Ctrl+C itself.
    # (A fixed sleep here sent the signal before that on a loaded machine: exit -2, not 130.)
    first = proc.stdout.read1(len(BENCH_PIECE.encode()))  # type: ignore[attr-defined]
    assert first, proc.communicate(timeout=30)[1].decode()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    assert (first + out).decode().startswith(BENCH_PIECE)
    assert "Stopped." in err.decode() and "Traceback" not in err.decode()
    saved = _saved_answer(subprocess_env["COZE_DESKTOP_DATA_DIR"])
    assert saved is not None and saved[0] == "stopped" and saved[1].startswith(BENCH_PIECE)


def test_ctrl_c_stops_json(demo_paced: DemoServer, subprocess_env: dict[str, str]) -> None:
    proc = _start_endless_chat(subprocess_env, demo_paced.url, "--json")
    data_dir = subprocess_env["COZE_DESKTOP_DATA_DIR"]
    # --json prints nothing before the end; the answer's first checkpoint in the history shows
    # that pieces are arriving (and that the CLI's Ctrl+C handling is in place).
    _wait_for(lambda: (saved := _saved_answer(data_dir)) is not None and saved[1], "the first checkpoint")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    obj = json.loads(out)
    assert obj["status"] == "canceled"
    assert obj["answer"].startswith(BENCH_PIECE) and obj["error"] is None
    assert _saved_answer(data_dir) == ("stopped", obj["answer"])


def test_a_store_failure_while_streaming_is_reported_once_and_the_chat_goes_on(
    demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process: the chat loop hands each delta straight to the writer; a write that fails
    is reported once, nothing more is handed over, and the answer is still printed."""
    from coze_desktop import cli as cli_module
    from coze_desktop.store import ReplyWriter, StoreWriteError

    handed: list[str] = []
    real_append = ReplyWriter.append

    def append(self: ReplyWriter, text_delta: str, reasoning_delta: str = "") -> None:
        handed.append(text_delta)
        if len(handed) == 3:
            raise StoreWriteError("the disk is full")
        real_append(self, text_delta, reasoning_delta)

    monkeypatch.setattr(ReplyWriter, "append", append)
    monkeypatch.setenv("COZE_API_TOKEN", DEMO_TOKEN)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    args = ["chat", "--json", "--data-dir", str(tmp_path / "data"), "--bot-id", "bench"]
    code = cli_module.main([*args, "--base-url", demo_fast.url, "10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["answer"] == BENCH_PIECE * 10
    assert err.count("Could not save the chat history: the disk is full") == 1
    assert len(handed) == 3
