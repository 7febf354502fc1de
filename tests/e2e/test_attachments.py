"""Attachments over real HTTP against the demo server: local checks, upload, object_string, the files bot."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from coze_desktop.api import ChatAccumulator, CozeAPIError, CozeClient, ErrorKind
from coze_desktop.api.files import (
    Attachment,
    AttachmentError,
    check_file,
    kind_of,
    object_string,
    question_with_files,
)
from coze_desktop.demo.images import image_info
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


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def bmp(width: int, height: int) -> bytes:
    return b"BM" + b"\x00" * 12 + struct.pack("<Iii", 40, width, height) + b"\x00" * 28


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    body += (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


@pytest.fixture
def client(demo_fast: DemoServer) -> CozeClient:
    return CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=10)


def ask(client: CozeClient, bot: str, message: dict[str, object], *, stream: bool = True) -> str:
    acc = ChatAccumulator(lang="en")
    events = (
        client.stream_chat(bot, "u1", [message])
        if stream
        else client.chat_and_poll(bot, "u1", [message], interval=0.05)
    )
    for event in events:
        acc.feed(event)
    return acc.answer


# --- local checks and content sniffing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt", "size"),
    [
        (png(3, 2), "PNG", (3, 2)),
        (gif(5, 7), "GIF", (5, 7)),
        (bmp(9, -4), "BMP", (9, 4)),
        (jpeg(640, 480), "JPEG", (640, 480)),
        (webp_vp8x(300, 200), "WebP", (300, 200)),
    ],
)
def test_images_are_told_by_content(data: bytes, fmt: str, size: tuple[int, int]) -> None:
    assert kind_of(data[:16]) == "image"
    assert image_info(data) == (fmt, *size)


def test_other_content_is_a_file_or_audio() -> None:
    assert kind_of(b"%PDF-1.7\n") == "file"
    assert kind_of("第一行\n".encode()) == "file"
    assert kind_of(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio"
    assert kind_of(b"ID3\x04\x00") == "audio"


def test_check_file_refusals_name_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "没有.txt"
    with pytest.raises(AttachmentError, match="no such file") as info:
        check_file(missing)
    assert str(missing) in str(info.value)
    with pytest.raises(AttachmentError, match="folder"):
        check_file(tmp_path)
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    with pytest.raises(AttachmentError, match="empty") as info:
        check_file(empty)
    assert str(empty) in str(info.value)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    with pytest.raises(AttachmentError, match="too large"):
        check_file(big, max_bytes=10)
    assert check_file(big, max_bytes=11) == 11


def test_object_string_content() -> None:
    atts = [Attachment("图.png", "F1", 10, "image"), Attachment("a.pdf", "F2", 20, "file")]
    msg = question_with_files("看看这张图", atts)
    assert msg["content_type"] == "object_string"
    assert json.loads(msg["content"]) == [
        {"type": "text", "text": "看看这张图"},
        {"type": "image", "file_id": "F1"},
        {"type": "file", "file_id": "F2"},
    ]
    assert "看看" in object_string("看看", atts)  # Chinese stays readable in the JSON text
    assert question_with_files("hi", [])["content_type"] == "text"


# --- upload and chat over HTTP ------------------------------------------------------------------


def test_several_files_with_chinese_names_go_to_the_files_bot(client: CozeClient, tmp_path: Path) -> None:
    image = tmp_path / "截图.txt"  # a PNG with a wrong extension
    image.write_bytes(png(4, 3))
    doc = tmp_path / "合同 草稿.md"
    doc.write_text("第一行：合同\n第二行\n", encoding="utf-8")
    atts = [client.attach(image), client.attach(doc)]
    assert [(a.name, a.kind) for a in atts] == [("截图.txt", "image"), ("合同 草稿.md", "file")]
    assert atts[0].file_id != atts[1].file_id and atts[1].bytes == doc.stat().st_size
    for stream in (True, False):
        answer = ask(client, "demo-files", question_with_files("看看这些文件", atts), stream=stream)
        assert "截图.txt: PNG 图片，4×3 像素" in answer
        assert f"合同 草稿.md: {doc.stat().st_size} 字节，第一行：第一行：合同" in answer


def test_files_bot_in_english_and_plain_text(client: CozeClient, tmp_path: Path) -> None:
    pic = tmp_path / "photo.bin"
    pic.write_bytes(jpeg(800, 600))
    answer = ask(client, "demo-files", question_with_files("what is this?", [client.attach(pic)]))
    assert "photo.bin: JPEG image, 800×600 pixels" in answer
    assert "Attach an image" in ask(client, "demo-files", question_with_files("hello", []))


@pytest.mark.parametrize("case", ["missing", "empty", "folder", "too large"])
def test_local_refusals_upload_and_send_nothing(
    client: CozeClient, demo_fast: DemoServer, tmp_path: Path, case: str
) -> None:
    path = {
        "missing": tmp_path / "无.png",
        "empty": tmp_path / "空.png",
        "folder": tmp_path,
        "too large": tmp_path / "大.bin",
    }[case]
    if case == "empty":
        path.write_bytes(b"")
    if case == "too large":
        path.write_bytes(b"x" * 100)
    chats = demo_fast.chat_count
    with pytest.raises(AttachmentError) as info:
        client.attach(path, max_bytes=50)
    assert str(path) in str(info.value)
    assert demo_fast.chat_count == chats


def test_server_refusals_classify_as_file_errors(
    client: CozeClient, demo_fast: DemoServer, tmp_path: Path
) -> None:
    chats = demo_fast.chat_count
    with pytest.raises(CozeAPIError) as info:  # 4300: empty (sent past the local check)
        client.upload_fileobj(__import__("io").BytesIO(b""), "空.txt")
    assert info.value.code == 4300 and info.value.kind is ErrorKind.FILE and info.value.logid
    big = tmp_path / "大文件.bin"
    big.write_bytes(b"x" * (DEMO_MAX_UPLOAD_BYTES + 1))
    with pytest.raises(CozeAPIError) as info:  # 4303: over the demo's limit, the local check allows it
        client.attach(big)
    assert info.value.code == 4303 and info.value.kind is ErrorKind.FILE
    with pytest.raises(CozeAPIError) as info:  # 4301: two files in one request
        client._call("POST", "/v1/files/upload", files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))])
    assert info.value.code == 4301 and info.value.kind is ErrorKind.FILE
    assert demo_fast.chat_count == chats


def test_demo_server_forgets_the_oldest_uploads_past_its_memory_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from coze_desktop.demo import state

    monkeypatch.setattr(state, "MAX_KEPT_UPLOAD_BYTES", 10)
    demo = state.DemoState()
    demo.add_file("1", "a", b"x" * 6)
    demo.add_file("2", "b", b"y" * 6)
    assert demo.uploaded_file("1") is None and demo.uploaded_file("2") == ("b", b"y" * 6)
