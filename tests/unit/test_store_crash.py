"""A streaming reply survives SIGKILL: a real child process writes, the parent kills it and looks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coze_desktop.domain import MessageState
from coze_desktop.store import Store

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
    pytest.mark.slow,
]

CHILD = """
import json, sys, time
from coze_desktop.domain import Conversation
from coze_desktop.store import Store

store = Store.open(sys.argv[1])
conv = store.create_conversation(Conversation(id=None, bot_id="bot", title="crash"))
writer = store.start_reply(conv.id)
print(json.dumps({"message_id": writer.message_id}), flush=True)
i = 0
while True:
    writer.append(f"第{i}段 chunk {i}; ", f"r{i};")
    print(json.dumps({"i": i, "t": time.monotonic()}), flush=True)  # after append returned
    i += 1
    time.sleep(0.002)
"""

RUN_BEFORE_KILL = 3.9  # seconds: three checkpoints, then the kill lands just before the fourth
CHECKPOINT_INTERVAL = 1.0
SLACK = 0.5  # scheduling noise on a loaded machine


def piece(i: int) -> str:
    return f"第{i}段 chunk {i}; "


def test_reply_killed_mid_answer_is_interrupted_and_keeps_text(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert child.stdout is not None
    try:
        message_id = json.loads(child.stdout.readline())["message_id"]
        appended: list[tuple[int, float]] = []
        for line in child.stdout:
            report = json.loads(line)
            appended.append((report["i"], report["t"]))
            if report["t"] - appended[0][1] >= RUN_BEFORE_KILL:
                break
        os.kill(child.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        appended += [(r["i"], r["t"]) for r in map(json.loads, child.stdout.read().splitlines())]
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    with Store.open(tmp_path) as store:
        assert store.recovered_from is None and store.check_integrity() == []
        assert store.interrupted_count == 1
        message = store.get_message(message_id)
    assert message is not None
    assert message.state is MessageState.INTERRUPTED

    # The saved text is exactly the first k pieces, in order: nothing garbled, nothing torn.
    saved_pieces = message.text.count("; ")
    assert message.text == "".join(piece(i) for i in range(saved_pieces))
    assert message.reasoning == "".join(f"r{i};" for i in range(saved_pieces))
    assert saved_pieces > 0, "no checkpoint in 3.9 s of streaming"

    # What was appended up to one checkpoint interval before the last append is saved.
    times = dict(appended)
    last_time = appended[-1][1]
    assert last_time <= killed_at
    assert last_time - appended[0][1] >= RUN_BEFORE_KILL
    last_saved_time = times.get(saved_pieces - 1, last_time)  # the kill may fall before a print
    lost_seconds = last_time - last_saved_time
    assert lost_seconds <= CHECKPOINT_INTERVAL + SLACK, f"{lost_seconds:.2f} s of text were lost"
