"""Streamed uploads over real HTTP against the demo server: progress, cancel mid-upload, names."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from pathlib import Path

import pytest

from coze_desktop.api import ChatAccumulator, ChatCanceledError, CozeClient
from coze_desktop.api.client import UPLOAD_CHUNK
from coze_desktop.api.files import AttachmentError, question_with_files
from coze_desktop.demo.routes import DEMO_MAX_UPLOAD_BYTES
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def ask(client: CozeClient, bot: str, message: dict[str, object]) -> str:
    acc = ChatAccumulator(lang="en")
    for event in client.stream_chat(bot, "u1", [message]):
        acc.feed(event)
    return acc.answer


@pytest.fixture
def client(demo_fast: DemoServer) -> CozeClient:
    return CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=10)


class CountingReader(io.BytesIO):
    """A file object that notes the size of every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.reads.append(len(chunk))
        return chunk


def test_progress_reaches_the_total_and_the_file_is_read_in_chunks(
    client: CozeClient, demo_fast: DemoServer
) -> None:
    data = bytes(range(256)) * (3 * UPLOAD_CHUNK // 256 + 17)
    assert 3 * UPLOAD_CHUNK < len(data) <= DEMO_MAX_UPLOAD_BYTES
    fh = CountingReader(data)
    seen: list[tuple[int, int]] = []
    up = client.upload_stream(fh, "数据 文件.bin", len(data), progress=lambda s, t: seen.append((s, t)))
    assert seen[0] == (0, len(data)) and seen[-1] == (len(data), len(data))
    assert [s for s, _ in seen] == sorted(s for s, _ in seen) and len(seen) == 5
    assert max(fh.reads) <= UPLOAD_CHUNK  # never the whole file at once
    assert up.bytes == len(data) and up.file_name == "数据 文件.bin"
    assert demo_fast._state.uploaded_file(up.id) == ("数据 文件.bin", data)


def test_cancel_mid_upload_leaves_no_file_and_no_chat(
    client: CozeClient, demo_fast: DemoServer, tmp_path: Path
) -> None:
    path = tmp_path / "大 图.png"
    path.write_bytes(png(2, 2) + b"\0" * (3 * UPLOAD_CHUNK))
    uploads, chats = demo_fast.upload_count, demo_fast.chat_count
    cancel = threading.Event()
    seen: list[int] = []

    def progress(sent: int, total: int) -> None:
        seen.append(sent)
        if sent >= UPLOAD_CHUNK:
            cancel.set()

    with pytest.raises(ChatCanceledError):
        client.attach(path, progress=progress, cancel=cancel)
    assert seen == [0, UPLOAD_CHUNK]  # nothing read or sent after the cancel
    assert demo_fast.upload_count == uploads and demo_fast.chat_count == chats
    # The server and the client are fine afterwards.
    assert client.attach(path).kind == "image"
    assert demo_fast.upload_count == uploads + 1


def test_cancel_before_the_upload_sends_nothing(
    client: CozeClient, demo_fast: DemoServer, tmp_path: Path
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    cancel = threading.Event()
    cancel.set()
    uploads = demo_fast.upload_count
    with pytest.raises(ChatCanceledError):
        client.upload_file(path, cancel=cancel)
    assert demo_fast.upload_count == uploads


def test_chinese_name_and_wrong_extension_reach_the_files_bot(client: CozeClient, tmp_path: Path) -> None:
    path = tmp_path / "收据照片.pdf"  # a PNG named like a PDF
    path.write_bytes(png(5, 7))
    seen: list[tuple[int, int]] = []
    att = client.attach(path, file_name="发票.pdf", progress=lambda s, t: seen.append((s, t)))
    assert (att.name, att.kind, att.bytes) == ("发票.pdf", "image", path.stat().st_size)
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    answer = ask(client, "demo-files", question_with_files("", [att]))
    assert "发票.pdf: PNG image, 5×7 pixels" in answer


def test_a_file_that_shrinks_while_uploading_is_refused(client: CozeClient, demo_fast: DemoServer) -> None:
    uploads = demo_fast.upload_count
    with pytest.raises(AttachmentError, match="shorter"):
        client.upload_stream(io.BytesIO(b"abc"), "short.txt", 10)
    assert demo_fast.upload_count == uploads
