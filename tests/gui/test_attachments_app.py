"""Attachments and reply pictures in the real app: the demo over HTTP, the history on disk."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, MessageState, Role
from coze_desktop.ui.messages import attachments

from .conftest import WAIT_MS, AppFactory, send, show


def test_a_reply_with_a_picture_shows_it(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-files",))
    show(ctx, qtbot)
    said: list[tuple[str, str]] = []
    ctx.window.messages.posted.connect(lambda level, text: said.append((level, text)))
    answer = send(ctx, qtbot, "Show me a picture")
    assert answer.state is MessageState.COMPLETE and answer.id is not None
    url = f"{demo_fast.url}/demo/images/chart.png"
    assert f"]({url})" in answer.text
    view = ctx.window.message_view
    qtbot.waitUntil(lambda: view.answer_images(answer.id or 0) == [(url, "loaded")], timeout=WAIT_MS)
    broken = send(ctx, qtbot, "Show me a broken picture")
    qtbot.waitUntil(
        lambda: [s for _u, s in view.answer_images(broken.id or 0)] == ["failed"], timeout=WAIT_MS
    )
    assert not [text for level, text in said if level == "error"]  # a placeholder, not an error box


def test_kept_attachments_show_after_a_restart_without_the_originals(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = tmp_path / "originals"
    originals.mkdir()
    photo = originals / f"旅行 photo {time.monotonic_ns()}.png"
    image = QImage(QSize(640, 480), QImage.Format.Format_RGB32)
    image.fill(QColor("#f59e0b"))
    image.setPixelColor(0, 0, QColor(time.monotonic_ns() % 255, 1, 2))  # content of its own: a new sha256
    assert image.save(str(photo))
    pdf = originals / "发票 invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"invoice " * 200)

    ctx = make_app(demo_fast, bots=("demo-files",))
    store = ctx.store
    kept = [store.keep_file(photo, photo.name), store.keep_file(pdf, pdf.name)]
    conversation = store.create_conversation(
        Conversation(id=None, bot_id="demo-files", base_url=demo_fast.url, title="Trip")
    )
    question = store.add_message(
        Message(
            id=None,
            conversation_id=conversation.id,
            role=Role.USER,
            type="question",
            text="看看这些",
            created_at=time.time(),
            attachments=kept,
        )
    )
    make_app.close(ctx)
    for original in (photo, pdf):
        original.unlink()

    ctx = make_app(demo_fast, bots=("demo-files",))
    show(ctx, qtbot)
    assert conversation.id is not None and question.id is not None
    assert ctx.window.open_conversation(conversation.id)
    view = ctx.window.message_view
    strip = view.attachment_strip(question.id)
    assert strip is not None
    qtbot.waitUntil(lambda: strip.thumbnail_loaded(0), timeout=WAIT_MS)
    assert [f.name for f in strip.files] == [photo.name, pdf.name]
    kept_pdf = ctx.store.file_path(kept[1].sha256)
    assert kept_pdf is not None and kept_pdf.is_file() and not pdf.exists()
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.mouseClick(strip.buttons[1], Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(kept_pdf))]
    assert kept_pdf.read_bytes().startswith(b"%PDF-1.4\ninvoice")
    # When no application opens it, the status bar says so.
    monkeypatch.setattr(attachments.QDesktopServices, "openUrl", lambda url: False)
    with qtbot.waitSignal(ctx.window.messages.posted) as blocker:
        qtbot.mouseClick(strip.buttons[1], Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "warning" and pdf.name in blocker.args[1]
