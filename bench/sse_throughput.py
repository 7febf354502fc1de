"""SSE throughput: coze-cli against the official SDK (cozepy) and a plain read of the same bytes.

The demo server in --fast mode streams one chat of N answer deltas (default 100,000) over
loopback. Each contender runs as a whole process, three times, the contenders taking turns (so a
change in the machine's load falls on all of them alike); the median run is reported with its
events per second, seconds, CPU seconds and peak memory (the child's own rusage from wait4).
coze-cli saves its chat into a temporary data folder, never the real one.

    python bench/sse_throughput.py [--deltas 100000] [--runs 3] [--out docs/benchmarks.md]

cozepy is installed for the benchmark only, in bench/.venv-cozepy (created on first run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from benchdoc import write_section  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
COZEPY_VENV = ROOT / "bench" / ".venv-cozepy"
COZEPY_VERSION = "0.20.0"
DEMO_TOKEN = "demo-token-not-secret"  # the demo server's public token (coze_desktop/demo/server.py)
SECTION = "## SSE throughput"

COZEPY_SCRIPT = textwrap.dedent(
    """
    import sys
    from cozepy import Coze, TokenAuth, Message, ChatEventType
    url, token, n = sys.argv[1], sys.argv[2], sys.argv[3]
    coze = Coze(auth=TokenAuth(token), base_url=url)
    events, parts = 0, []
    for event in coze.chat.stream(bot_id="bench", user_id="bench",
                                  additional_messages=[Message.build_user_question_text(n)]):
        events += 1
        if event.event == ChatEventType.CONVERSATION_MESSAGE_DELTA:
            parts.append(event.message.content)
    answer = "".join(parts)
    print(len(answer))
    """
)

PLAIN_SCRIPT = textwrap.dedent(
    """
    import json, sys, http.client, urllib.parse
    url, token, n = sys.argv[1], sys.argv[2], sys.argv[3]
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    body = json.dumps({"bot_id": "bench", "user_id": "bench", "stream": True, "auto_save_history": True,
                       "additional_messages": [{"role": "user", "content": n, "content_type": "text"}]})
    conn.request("POST", "/v3/chat", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    resp = conn.getresponse()
    total = events = 0
    prev = b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            break
        total += len(chunk)
        joined = prev + chunk  # a blank line may straddle two reads
        events += joined.count(b"\\n\\n") - prev.count(b"\\n\\n")
        prev = chunk[-1:]
    print(events, total)
    """
)


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the child itself
    peak_mb: float
    output: str  # what the contender printed: its answer length, or events and bytes


def start_demo() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "coze_desktop.demo", "--port", "0", "--fast"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.match(r"Coze demo server: (\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"demo server did not start: {line!r}")
    return proc, m.group(1)


def ensure_cozepy() -> Path:
    py = COZEPY_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(COZEPY_VENV)], check=True)
    check = subprocess.run(
        [str(py), "-c", "import cozepy; print(cozepy.VERSION)"], capture_output=True, text=True
    )
    if check.returncode != 0 or check.stdout.strip() != COZEPY_VERSION:
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"cozepy=={COZEPY_VERSION}"], check=True)
    return py


def compile_coze_desktop() -> None:
    """Give coze-cli its bytecode, as the other contenders have theirs.

    pip compiles a package's modules when it installs it (cozepy, requests and urllib3 have
    their ``.pyc`` files), but coze_desktop runs from this checkout; where
    PYTHONDONTWRITEBYTECODE is set, every coze-cli run would compile each of its modules from
    source again (about 45 ms of start-up on the 2-core machine). compileall writes the
    ``__pycache__`` files (git-ignored) whatever that variable says.
    """
    import compileall

    if not compileall.compile_dir(str(ROOT / "coze_desktop"), quiet=1):
        raise SystemExit("could not compile coze_desktop")


def measure(cmd: list[str], env: dict[str, str]) -> Run:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    # wait4 gives this child's own rusage: ru_maxrss is its peak resident memory (KiB on Linux).
    out_chunks = []
    assert proc.stdout is not None
    while chunk := proc.stdout.read(65536):
        out_chunks.append(chunk)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, b"".join(out_chunks).decode())


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deltas", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = ap.parse_args()

    cozepy_py = ensure_cozepy()
    compile_coze_desktop()
    demo, url = start_demo()
    data_dir = tempfile.TemporaryDirectory(prefix="coze-sse-throughput-")
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        {
            "COZE_API_TOKEN": DEMO_TOKEN,
            "COZE_DESKTOP_DATA_DIR": data_dir.name,  # the history coze-cli saves: not the real one
            "NO_PROXY": "127.0.0.1",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    n = str(args.deltas)
    contenders = {
        "coze-cli chat --json": [
            str(Path(sys.executable).parent / "coze-cli"),
            "chat",
            "--json",
            "--bot-id",
            "bench",
            "--base-url",
            url,
            n,
        ],
        f"cozepy {COZEPY_VERSION} (official SDK)": [str(cozepy_py), "-c", COZEPY_SCRIPT, url, DEMO_TOKEN, n],
        "plain read of the bytes (no parsing)": [sys.executable, "-c", PLAIN_SCRIPT, url, DEMO_TOKEN, n],
    }
    runs: dict[str, list[Run]] = {name: [] for name in contenders}
    load_before = os.getloadavg()[0]
    try:
        for _ in range(args.runs):  # round by round, so that the load changes alike for all
            for name, cmd in contenders.items():
                runs[name].append(measure(cmd, env))
    finally:
        demo.terminate()
        demo.wait(timeout=10)
        data_dir.cleanup()
    load_after = os.getloadavg()[0]
    results = {name: median_run(rs) for name, rs in runs.items()}
    ratios = sorted(
        sdk.seconds / ours.seconds
        for ours, sdk in zip(
            runs["coze-cli chat --json"], runs[f"cozepy {COZEPY_VERSION} (official SDK)"], strict=True
        )
    )

    # Every contender read the same stream: its event count comes from the plain reader, and
    # each client must have received the whole answer, or its rate would mean nothing.
    events_in_stream, stream_bytes = (
        int(x) for x in results["plain read of the bytes (no parsing)"].output.split()
    )
    cli_answer = json.loads(results["coze-cli chat --json"].output)
    answer_lengths = {
        len(cli_answer["answer"]),
        int(results[f"cozepy {COZEPY_VERSION} (official SDK)"].output),
    }
    if cli_answer["status"] != "completed" or len(answer_lengths) != 1:
        raise SystemExit(f"the contenders did not receive the same answer: {answer_lengths}")
    for name, r in results.items():
        print(
            f"{name:40s} {events_in_stream / r.seconds:>12,.0f} events/s {r.seconds:7.2f} s"
            f" {r.cpu_seconds:7.2f} s CPU {r.peak_mb:7.1f} MB"
        )

    ours = results["coze-cli chat --json"]
    sdk = results[f"cozepy {COZEPY_VERSION} (official SDK)"]
    plain = results["plain read of the bytes (no parsing)"]
    rows = "\n".join(
        f"| {name} | {events_in_stream / r.seconds:,.0f} | {r.seconds:.2f} | {r.cpu_seconds:.2f} | {r.peak_mb:.1f} |"
        for name, r in results.items()
    )
    speed = sdk.seconds / ours.seconds  # same stream, so the ratio of rates is the ratio of times
    mem = ours.peak_mb / sdk.peak_mb
    section = f"""{SECTION}

`bench/sse_throughput.py`, run on {time.strftime("%Y-%m-%d")}: the demo server in `--fast` mode streams one chat of
{args.deltas:,} answer deltas over loopback; each contender runs as a whole process (start-up included),
{args.runs} times, the contenders taking turns, and the median run is shown. CPU is the process's own
user + system time and peak memory its own max RSS (wait4). coze-cli saves the chat into a temporary
data folder.
coze_desktop is compiled to bytecode first, as pip compiles the installed contenders (with
`PYTHONDONTWRITEBYTECODE` set, an editable checkout would otherwise be compiled on every start).
Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()};
load average {load_before:.1f} before the run and {load_after:.1f} after it (other work on the machine).

The stream: {events_in_stream:,} events, {stream_bytes / 1e6:.1f} MB; every client received the whole answer.

| client | events/s | seconds | CPU s | peak MB |
|---|---:|---:|---:|---:|
{rows}

- coze-cli vs cozepy: **{speed:.2f}×** the events per second (target ≥ 3×), **{mem:.2f}×** the peak memory (target < 1×).
  Run by run (each coze-cli run against the cozepy run right after it): {", ".join(f"{r:.2f}×" for r in ratios)}.
- coze-cli vs the plain read: {plain.seconds / ours.seconds:.2f}× the speed — the cost of decoding, parsing and folding every event.
- Target {"met" if speed >= 3 and mem < 1 else "NOT met"}.
"""
    write_section(args.out, section)
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
