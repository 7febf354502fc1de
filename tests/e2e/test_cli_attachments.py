"""`coze-cli chat --file`: a real child process uploads to the demo server and sends object_string."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from coze_desktop.demo.routes import DEMO_MAX_UPLOAD_BYTES
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.store import Store

CLI = [sys.executable, "-m", "coze_desktop.cli"]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**env, "COZE_API_TOKEN": DEMO_TOKEN}
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def test_files_are_uploaded_and_described(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    image = tmp_path / "屏幕截图.dat"  # a PNG with a wrong extension
    image.write_bytes(png(6, 5))
    doc = tmp_path / "说明.txt"
    doc.write_text("hello 第一行\nsecond\n", encoding="utf-8")
    for extra in ([], ["--no-stream"]):
        p = cli(
            subprocess_env,
            "chat",
            "--json",
            *extra,
            "--bot-id",
            "demo-files",
            "--base-url",
            demo_fast.url,
            "--file",
            str(image),
            "--file",
            str(doc),
            "看看这些",
        )
        assert p.returncode == 0, p.stderr
        obj = json.loads(p.stdout)
        assert obj["status"] == "completed"
        atts = obj["attachments"]
        assert [(a["name"], a["kind"], a["bytes"]) for a in atts] == [
            ("屏幕截图.dat", "image", image.stat().st_size),
            ("说明.txt", "file", doc.stat().st_size),
        ]
        assert all(a["file_id"] for a in atts)
        assert "屏幕截图.dat: PNG 图片，6×5 像素" in obj["answer"]
        assert f"说明.txt: {doc.stat().st_size} 字节，第一行：hello 第一行" in obj["answer"]
    # the question is saved with its text and its files (see test_cli_attachment_history.py)
    with Store.open(Path(subprocess_env["COZE_DESKTOP_DATA_DIR"])) as store:
        saved = store.messages(int(obj["local_conversation_id"]))
    assert "看看这些" in [m.text for m in saved]
    assert [a.name for a in saved[0].attachments] == ["屏幕截图.dat", "说明.txt"]


def test_plain_output_with_a_file(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\nbody\n", encoding="utf-8")
    p = cli(
        subprocess_env,
        "chat",
        "--bot-id",
        "demo-files",
        "--base-url",
        demo_fast.url,
        "--file",
        str(doc),
        "what?",
    )
    assert p.returncode == 0, p.stderr
    assert "notes.md:" in p.stdout and "first line: # Notes" in p.stdout


@pytest.mark.parametrize("case", ["missing", "empty", "folder"])
def test_a_bad_file_is_refused_before_anything_is_sent(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path, case: str
) -> None:
    good = tmp_path / "好.txt"
    good.write_text("ok\n", encoding="utf-8")
    bad = {
        "missing": tmp_path / "不存在.pdf",
        "empty": tmp_path / "空文件.txt",
        "folder": tmp_path / "文件夹",
    }[case]
    if case == "empty":
        bad.write_bytes(b"")
    if case == "folder":
        bad.mkdir()
    chats = demo_fast.chat_count
    args = [
        "--bot-id",
        "demo-files",
        "--base-url",
        demo_fast.url,
        "--file",
        str(good),
        "--file",
        str(bad),
        "hi",
    ]
    p = cli(subprocess_env, "chat", "--json", *args)
    assert p.returncode == 2
    obj = json.loads(p.stdout)
    assert obj["status"] == "error" and obj["attachments"] == []
    assert str(bad) in p.stderr and str(bad) in obj["error"]["message"]
    assert demo_fast.chat_count == chats
    p = cli(subprocess_env, "chat", *args)
    assert p.returncode == 2 and str(bad) in p.stderr and p.stdout == ""
    assert demo_fast.chat_count == chats


def test_an_upload_error_sends_no_chat(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    big = tmp_path / "太大.bin"
    big.write_bytes(b"x" * (DEMO_MAX_UPLOAD_BYTES + 1))  # under Coze's 512 MB, over the demo's limit
    chats = demo_fast.chat_count
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--bot-id",
        "demo-files",
        "--base-url",
        demo_fast.url,
        "--file",
        str(big),
        "hi",
    )
    assert p.returncode == 1
    obj = json.loads(p.stdout)
    assert obj["status"] == "error" and obj["attachments"] == []
    assert obj["error"]["code"] == 4303 and obj["error"]["logid"]
    assert obj["local_conversation_id"] is None  # nothing saved either
    assert demo_fast.chat_count == chats
