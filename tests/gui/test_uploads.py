"""Sending with files through the worker layer against the demo server: uploads in the
background, the question saved with its attachments, cancel and errors sending nothing, and
file ids reused (the demo's upload count does not grow)."""

from __future__ import annotations

import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from coze_desktop.api import CozeClient
from coze_desktop.api.files import Attachment
from coze_desktop.demo.routes import DEMO_MAX_UPLOAD_BYTES
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Message, MessageState, Role
from coze_desktop.workers.accounts import Account
from coze_desktop.workers.chat import ReplyRequest
from coze_desktop.workers.uploads import LocalFile

from .conftest import WAIT_MS, Chat


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def files(tmp_path: Path) -> list[LocalFile]:
    image = tmp_path / "截图.txt"  # a PNG with a wrong extension
    image.write_bytes(png(4, 3))
    doc = tmp_path / "合同.md"
    doc.write_text("first line\nsecond\n", encoding="utf-8")
    return [LocalFile(image, image.name), LocalFile(doc, doc.name)]


def send_files(chat: Chat, text: str, files: list[LocalFile], conversation_id: int | None = None) -> Message:
    """Send with files and wait for the answer's final state."""
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        with chat.qtbot.waitSignal(chat.controller.upload_finished, timeout=WAIT_MS):
            chat.controller.send(conversation_id, chat.bot("demo-files"), text, files)
    answer: Message = blocker.args[1]
    assert answer.state is MessageState.COMPLETE, answer.error
    return answer


@pytest.mark.parametrize("streaming", [True, False])
def test_send_with_files_uploads_then_saves_and_answers(
    make_chat: Any, demo_fast: DemoServer, files: list[LocalFile], data_dir: Path, streaming: bool
) -> None:
    chat: Chat = make_chat(demo_fast, streaming=streaming)
    uploads = demo_fast.upload_count
    progress: list[tuple[object, int, int, int]] = []
    chat.controller.upload_progress.connect(lambda *args: progress.append(args))
    answer = send_files(chat, "what are these?", files)
    assert "截图.txt: PNG image, 4×3 pixels" in answer.text
    assert "合同.md: 18 bytes, first line: first line" in answer.text
    assert demo_fast.upload_count == uploads + 2
    assert (None, 1, 18, 18) in progress  # per file, up to its size
    question = chat.store.messages(answer.conversation_id)[0]
    assert question.role is Role.USER and question.text == "what are these?"
    assert [(f.name, f.kind, bool(f.file_id)) for f in question.attachments] == [
        ("截图.txt", "image", True),
        ("合同.md", "file", True),
    ]
    assert all(Path(f.path).is_relative_to(data_dir) for f in question.attachments)


def test_send_files_without_text_titles_the_chat_after_the_first_file(
    make_chat: Any, demo_fast: DemoServer, files: list[LocalFile]
) -> None:
    chat: Chat = make_chat(demo_fast)
    answer = send_files(chat, "   ", files[:1])
    assert "截图.txt: PNG image, 4×3 pixels" in answer.text
    conversation = chat.store.get_conversation(answer.conversation_id)
    assert conversation is not None and conversation.title == "截图.txt"
    assert chat.store.messages(answer.conversation_id)[0].text == ""


def test_a_file_sent_once_is_not_uploaded_again(
    make_chat: Any, demo_fast: DemoServer, files: list[LocalFile], tmp_path: Path
) -> None:
    chat: Chat = make_chat(demo_fast)
    first = send_files(chat, "look", files)
    uploads = demo_fast.upload_count
    # The same content under another path, in a later message of the same conversation.
    copy = tmp_path / "again.png"
    copy.write_bytes(files[0].path.read_bytes())
    later = send_files(chat, "and this?", [LocalFile(copy, copy.name)], first.conversation_id)
    assert "PNG image, 4×3 pixels" in later.text  # by the id of the first upload (named 截图.txt there)
    # Regenerate: the question's files go again, by id.
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        chat.controller.retry(later.id)
    again: Message = blocker.args[1]
    assert again.state is MessageState.COMPLETE and "PNG image, 4×3 pixels" in again.text
    assert again.id != later.id
    assert demo_fast.upload_count == uploads  # nothing uploaded twice


def test_after_a_restart_retry_uploads_the_local_copies(
    make_chat: Any, demo_fast: DemoServer, files: list[LocalFile]
) -> None:
    chat: Chat = make_chat(demo_fast)
    answer = send_files(chat, "look", files)
    for f in files:
        f.path.unlink()  # the originals are gone: the history's copies are sent
    chat.controller.upload_cache = type(chat.controller.upload_cache)()  # a new run of the app
    uploads = demo_fast.upload_count
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        chat.controller.retry(answer.id)
    again: Message = blocker.args[1]
    assert again.state is MessageState.COMPLETE, again.error
    assert "截图.txt: PNG image, 4×3 pixels" in again.text and "合同.md: 18 bytes" in again.text
    assert demo_fast.upload_count == uploads + 2
    question = chat.store.messages(answer.conversation_id)[0]
    assert all(f.file_id for f in question.attachments)


def test_edit_keeps_the_files_of_the_question(
    make_chat: Any, demo_fast: DemoServer, files: list[LocalFile]
) -> None:
    chat: Chat = make_chat(demo_fast)
    answer = send_files(chat, "look", files)
    question = chat.store.messages(answer.conversation_id)[0]
    uploads = demo_fast.upload_count
    assert question.id is not None
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        chat.controller.edit(question.id, "look again")
    edited_answer: Message = blocker.args[1]
    assert "截图.txt: PNG image" in edited_answer.text
    edited = chat.store.messages(answer.conversation_id)[0]
    assert edited.id != question.id and edited.text == "look again"
    assert [f.name for f in edited.attachments] == ["截图.txt", "合同.md"]
    assert demo_fast.upload_count == uploads


def test_cancel_saves_and_sends_nothing(
    qtbot: QtBot, make_chat: Any, demo_fast: DemoServer, files: list[LocalFile]
) -> None:
    chat: Chat = make_chat(demo_fast)
    chats = demo_fast.chat_count
    conversations = len(chat.store.list_conversations())
    with qtbot.waitSignal(chat.controller.upload_canceled, timeout=WAIT_MS) as blocker:
        chat.controller.send(None, chat.bot("demo-files"), "look", files)
        assert chat.controller.is_uploading(None)
        chat.controller.stop(None)
    assert blocker.args == [None]
    qtbot.waitUntil(lambda: not chat.controller.is_uploading(None))
    assert demo_fast.chat_count == chats
    assert len(chat.store.list_conversations()) == conversations


def test_cancel_mid_upload_stops_the_upload(
    qtbot: QtBot, make_chat: Any, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat: Chat = make_chat(demo_fast)
    cid, _answer = chat.send_and_wait("demo-general", "hello")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (DEMO_MAX_UPLOAD_BYTES - 10))
    original = CozeClient.upload_stream
    events: list[threading.Event] = []

    def upload_stream(self: CozeClient, fh: Any, name: str, size: int, **kw: Any) -> Any:
        progress, cancel = kw["progress"], kw["cancel"]
        events.append(cancel)

        def cancel_after_the_first_chunk(sent: int, total: int) -> None:
            progress(sent, total)
            if sent > 0:
                cancel.set()  # what Stop does (BackgroundTask.cancel), at a known point

        return original(self, fh, name, size, progress=cancel_after_the_first_chunk, cancel=cancel)

    monkeypatch.setattr(CozeClient, "upload_stream", upload_stream)
    uploads, chats = demo_fast.upload_count, demo_fast.chat_count
    before = chat.store.messages(cid)
    with qtbot.waitSignal(chat.controller.upload_canceled, timeout=WAIT_MS) as blocker:
        chat.controller.send(cid, chat.bot("demo-general"), "and this", [LocalFile(big, big.name)])
    assert blocker.args == [cid] and len(events) == 1
    assert demo_fast.upload_count == uploads and demo_fast.chat_count == chats
    assert [m.id for m in chat.store.messages(cid)] == [m.id for m in before]


@pytest.mark.parametrize("case", ["too large", "bad token"])
def test_an_upload_error_sends_nothing_and_names_the_file(
    qtbot: QtBot, make_chat: Any, demo_fast: DemoServer, files: list[LocalFile], tmp_path: Path, case: str
) -> None:
    chat: Chat = make_chat(
        demo_fast, token="not-the-demo-token" if case == "bad token" else "demo-token-not-secret"
    )
    chat.settings.language = "en"
    big = tmp_path / "大文件.bin"
    big.write_bytes(b"x" * (DEMO_MAX_UPLOAD_BYTES + 1))
    items = [files[0], LocalFile(big, big.name)] if case == "too large" else files
    chats = demo_fast.chat_count
    conversations = len(chat.store.list_conversations())
    with qtbot.waitSignal(chat.controller.upload_failed, timeout=WAIT_MS) as blocker:
        chat.controller.send(None, chat.bot("demo-files"), "look", items)
    target, text, name = blocker.args
    expected = "大文件.bin" if case == "too large" else "截图.txt"
    assert target is None and name == expected and expected in text
    # The demo answers a file over its 1 MB limit with 4303 (Coze: unsupported type).
    assert ("not supported" if case == "too large" else "token") in text.lower()
    assert demo_fast.chat_count == chats
    assert len(chat.store.list_conversations()) == conversations
    assert not chat.controller.is_uploading(None)


def test_a_missing_file_is_refused_before_anything_is_sent(
    qtbot: QtBot, make_chat: Any, demo_fast: DemoServer, files: list[LocalFile]
) -> None:
    chat: Chat = make_chat(demo_fast)
    files[1].path.unlink()
    uploads = demo_fast.upload_count
    with qtbot.waitSignal(chat.controller.upload_failed, timeout=WAIT_MS) as blocker:
        chat.controller.send(None, chat.bot("demo-files"), "look", files)
    assert blocker.args[2] == "合同.md" and "合同.md" in blocker.args[1]
    assert demo_fast.upload_count == uploads + 1  # the first file went; the message did not


def test_context_sends_earlier_questions_with_files_as_object_string() -> None:
    account = Account(base_url="x", api_url="http://127.0.0.1:1", token="t")
    pic = Attachment("a.png", "F1", 10, "image")
    doc = Attachment("b.pdf", "F2", 20, "file")
    request = ReplyRequest(
        conversation_id=1,
        bot_id="b",
        question="and now?",
        coze_conversation_id=None,
        account=account,
        lang="en",
        sent_at=0.0,
        context=(("user", ""), ("assistant", "an image"), ("user", "plain")),
        attachments=(doc,),
        context_files=((pic,),),
    )
    items = request.chat_messages()
    assert isinstance(items, list)
    assert [i["content_type"] for i in items] == ["object_string", "text", "text", "object_string"]
    assert items[0]["content"] == '[{"type": "image", "file_id": "F1"}]'
    assert items[-1]["content"] == '[{"type": "text", "text": "and now?"}, {"type": "file", "file_id": "F2"}]'
    assert request.query() == [items[-1]]
    plain = ReplyRequest(1, "b", "hi", "c", account, "en", 0.0)
    assert plain.query() == "hi" and plain.chat_messages() == "hi"


def test_a_network_error_names_the_file(qtbot: QtBot, make_chat: Any, files: list[LocalFile]) -> None:
    server = DemoServer(fast=True).start()
    chat: Chat = make_chat(server)
    server.stop()  # the connection is refused from now on
    chat.settings.language = "en"
    with qtbot.waitSignal(chat.controller.upload_failed, timeout=WAIT_MS) as blocker:
        chat.controller.send(None, chat.bot("demo-files"), "look", files)
    _target, text, name = blocker.args
    assert name == "截图.txt" and text.startswith("“截图.txt” could not be uploaded: ")
    assert chat.store.list_conversations() == []
