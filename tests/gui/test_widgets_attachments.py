"""Attachments in the message view: thumbnails and chips, the image viewer, pictures in answers."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSize, Qt, QThread, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage, QTextCursor, QTextDocument, QWheelEvent
from PySide6.QtWidgets import QApplication, QTextBrowser, QToolButton
from pytestqt.qtbot import QtBot
from scripted_server import Script, ScriptedServer

from coze_desktop.demo.images import demo_image
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Message, MessageFile, MessageState, Role
from coze_desktop.ui.image_viewer import ImageViewer
from coze_desktop.ui.messages import MessageView, attachments, text_view
from coze_desktop.ui.messages.attachments import THUMBNAIL_SIZE, attachment_notices, format_size, images
from coze_desktop.ui.messages.reply_images import image_fragments
from coze_desktop.workers.threads import WorkerThreads

WAIT_MS = 10_000


@pytest.fixture
def threads(qtbot: QtBot) -> Iterator[WorkerThreads]:
    workers = WorkerThreads()
    yield workers
    qtbot.waitUntil(lambda: workers.active_count() == 0, timeout=WAIT_MS)  # no thread leaks
    images().set_threads(None)


@pytest.fixture
def view(qtbot: QtBot, threads: WorkerThreads) -> MessageView:
    widget = MessageView()
    widget.set_worker_threads(threads)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _file(path: Path, kind: str, mime: str) -> MessageFile:
    data = path.read_bytes()
    return MessageFile(
        name=path.name,
        size=len(data),
        kind=kind,
        mime=mime,
        sha256=hashlib.sha256(data).hexdigest(),
        file_id="file_1",
        path=str(path),
    )


def _photo(path: Path, size: QSize, color: str = "#3b82f6") -> Path:
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    stamp = time.monotonic_ns()
    for x in range(8):  # content of its own (a new sha256): nothing cached by an earlier test
        image.setPixelColor(x, 0, QColor(0, 0, 0) if stamp >> x & 1 else QColor(255, 255, 255))
    assert image.save(str(path))
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[MessageFile]:
    # A large photo (12 megapixels): its thumbnail must come from a scaled decode.
    photo = _photo(tmp_path / "海边 photo.jpg", QSize(4000, 3000))
    pdf = tmp_path / "报告 report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 3000)
    missing = MessageFile(name="old notes.txt", size=2048, kind="file", mime="text/plain", sha256="ab" * 32)
    return [_file(photo, "image", "image/jpeg"), _file(pdf, "file", "application/pdf"), missing]


def _question(files: list[MessageFile], message_id: int = 1) -> Message:
    return Message(
        id=message_id,
        conversation_id=1,
        role=Role.USER,
        text="看看这些",
        created_at=time.time(),
        attachments=files,
    )


def test_question_shows_thumbnail_and_chips(
    qtbot: QtBot, view: MessageView, files: list[MessageFile]
) -> None:
    decoded_in: list[bool] = []
    real_read = attachments.read_thumbnail

    def spy(path: str, box: QSize = THUMBNAIL_SIZE) -> QImage:
        decoded_in.append(QThread.currentThread() is QApplication.instance().thread())  # type: ignore[union-attr]
        return real_read(path, box)

    attachments.read_thumbnail = spy  # type: ignore[assignment]
    try:
        view.show_messages([_question(files)])
        strip = view.attachment_strip(1)
        assert strip is not None
        thumbnail, chip, missing = strip.buttons
        qtbot.waitUntil(lambda: strip.thumbnail_loaded(0), timeout=WAIT_MS)
    finally:
        attachments.read_thumbnail = real_read  # type: ignore[assignment]
    assert decoded_in == [False]  # decoded in a worker thread, once
    assert thumbnail.objectName() == "attachment_thumbnail"
    shown = thumbnail.iconSize()
    assert shown.width() <= THUMBNAIL_SIZE.width() and shown.height() <= THUMBNAIL_SIZE.height()
    assert (shown.width(), shown.height()) == (160, 120)  # 4:3 kept
    assert thumbnail.accessibleName() == "Image 海边 photo.jpg"
    assert chip.objectName() == "attachment_chip"
    assert (
        "报告 report.pdf" in chip.text()
        and "PDF" in chip.text()
        and format_size(files[1].size) in chip.text()
    )
    assert chip.accessibleName().startswith("File 报告 report.pdf, ")
    assert missing.objectName() == "attachment_missing"
    assert "not kept on this computer" in missing.text() and "old notes.txt" in missing.text()
    for button in strip.buttons:
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus  # keyboard reachable
    # Cached per sha256: the same picture in another message shows at once, nothing decoded again.
    view.add_message(_question(files[:1], message_id=2))
    again = view.attachment_strip(2)
    assert again is not None and again.thumbnail_loaded(0)
    assert not images().thumbnails.is_loading(files[0].sha256)


def test_sizes_read_well() -> None:
    assert format_size(512) == "512 B"
    assert format_size(1536) == "1.5 KB"
    assert format_size(3 * 1024 * 1024) == "3.0 MB"
    assert format_size(250 * 1024 * 1024) == "250 MB"


def test_chip_click_opens_the_file_with_the_default_application(
    qtbot: QtBot, view: MessageView, files: list[MessageFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view.show_messages([_question(files)])
    strip = view.attachment_strip(1)
    assert strip is not None
    qtbot.mouseClick(strip.buttons[1], Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(files[1].path)]
    # The keyboard does the same.
    strip.buttons[1].setFocus()
    qtbot.keyClick(strip.buttons[1], Qt.Key.Key_Space)
    assert len(opened) == 2


def test_a_file_that_cannot_be_opened_is_reported_not_raised(
    qtbot: QtBot, view: MessageView, files: list[MessageFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments.QDesktopServices, "openUrl", lambda url: False)
    view.show_messages([_question(files)])
    strip = view.attachment_strip(1)
    assert strip is not None
    with qtbot.waitSignal(attachment_notices.failed) as blocker:
        qtbot.mouseClick(strip.buttons[1], Qt.MouseButton.LeftButton)
    assert "报告 report.pdf" in blocker.args[0]
    with qtbot.waitSignal(attachment_notices.failed) as blocker:
        qtbot.mouseClick(strip.buttons[2], Qt.MouseButton.LeftButton)  # no copy kept
    assert "old notes.txt" in blocker.args[0] and "not kept" in blocker.args[0]


def test_thumbnail_opens_the_viewer_which_zooms_copies_and_saves(
    qtbot: QtBot, view: MessageView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = _photo(tmp_path / "chart.png", QSize(1200, 900), "#10b981")
    file = _file(photo, "image", "image/png")
    view.show_messages([_question([file])])
    strip = view.attachment_strip(1)
    assert strip is not None
    with qtbot.waitSignal(strip.image_opened, timeout=WAIT_MS):  # read at full size in a worker first
        qtbot.mouseClick(strip.buttons[0], Qt.MouseButton.LeftButton)
    viewer = strip.viewer
    assert isinstance(viewer, ImageViewer)
    qtbot.waitExposed(viewer)
    assert viewer.fitting and viewer.zoom < 1.0  # 1200×900 fits the window
    fit = viewer.zoom
    viewer.actual_size()
    assert viewer.zoom == 1.0 and not viewer.fitting
    viewer.zoom_in()
    assert viewer.zoom == pytest.approx(1.25)
    viewer.zoom_out()
    viewer.zoom_out()
    assert viewer.zoom == pytest.approx(0.8)
    # Ctrl + wheel zooms; the wheel alone scrolls.
    scroll_viewport = viewer.findChild(QToolButton)  # (none: just make sure the tree is built)
    assert scroll_viewport is None
    area = viewer._scroll.viewport()
    for modifiers, expected in (
        (Qt.KeyboardModifier.ControlModifier, 1.0),
        (Qt.KeyboardModifier.NoModifier, 1.0),
    ):
        event = QWheelEvent(
            QPointF(10, 10),
            QPointF(area.mapToGlobal(QPoint(10, 10))),
            QPoint(0, 0),
            QPoint(0, 120),
            Qt.MouseButton.NoButton,
            modifiers,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(area, event)
        assert viewer.zoom == pytest.approx(expected)
    viewer.fit()
    assert viewer.zoom == pytest.approx(fit)
    # Copy: the image on the clipboard.
    QGuiApplication.clipboard().clear()
    viewer.copy()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (1200, 900)
    # Save as…: the original bytes, not a re-encoded image.
    target = tmp_path / "saved" / "copy.png"
    target.parent.mkdir()
    monkeypatch.setattr(
        "coze_desktop.ui.image_viewer.QFileDialog.getSaveFileName", lambda *args, **kwargs: (str(target), "")
    )
    viewer.save_as()
    assert target.read_bytes() == photo.read_bytes()
    # A folder that is not there: said, not raised.
    with qtbot.waitSignal(viewer.failed) as blocker:
        assert not viewer.save_to(str(tmp_path / "no such folder" / "x.png"))
    assert "could not be saved" in blocker.args[0]
    # Esc closes.
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not viewer.isVisible())


def _answer(text: str, message_id: int = 2, state: MessageState = MessageState.COMPLETE) -> Message:
    return Message(
        id=message_id, conversation_id=1, role=Role.ASSISTANT, text=text, created_at=time.time(), state=state
    )


def test_answer_shows_a_markdown_image_over_http(
    qtbot: QtBot, view: MessageView, demo_fast: DemoServer, tmp_path: Path
) -> None:
    url = f"{demo_fast.url}/demo/images/chart.png"
    broken = f"{demo_fast.url}/demo/images/missing-{time.monotonic_ns()}.png"
    text = f"Chart:\n\n![Demo chart]({url})\n\nBroken: ![Lost picture]({broken})\n\nLocal: ![Secret](file:///etc/passwd)\n"
    view.show_messages([_answer(text)])

    def states() -> dict[str, str]:
        return dict(view.answer_images(2))

    qtbot.waitUntil(
        lambda: states().get(url) == "loaded" and states().get(broken) == "failed", timeout=WAIT_MS
    )
    assert states()["file:///etc/passwd"] == "failed"  # never read
    assert images().replies.failure("file:///etc/passwd") is None  # not even tried
    loaded = images().replies.get(url)
    assert loaded is not None and (loaded.image.width(), loaded.image.height()) == (480, 300)
    assert "Broken:" in (view.rendered_text(2) or "")
    # The answer's view grew to hold the picture.
    documents = view.rendered_documents(2) or []
    assert documents and documents[0].size().height() > 300
    # A click on the picture opens it in the viewer, with its original bytes to save.
    (body,) = [b for b in view.findChildren(QTextBrowser) if b.document() is documents[0]]
    position = next(p for p, f in image_fragments(documents[0]) if f.name() == url)
    cursor = QTextCursor(documents[0])
    cursor.setPosition(position)
    line = body.cursorRect(cursor)
    qtbot.mouseClick(
        body.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(line.x() + 40, line.bottom() - 40)
    )
    viewers = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImageViewer) and w.isVisible()]
    assert len(viewers) == 1 and viewers[0].windowTitle() == "chart.png"
    saved = tmp_path / "chart.png"
    assert viewers[0].save_to(str(saved)) and saved.read_bytes() == loaded.data
    viewers[0].close()
    qtbot.waitUntil(lambda: not viewers[0].isVisible())
    # The keyboard reaches it too: Tab to the picture (a link), Enter opens it.
    body.setTextCursor(QTextCursor(body.document()))  # from the top of the answer
    body.setFocus()
    qtbot.keyClick(body, Qt.Key.Key_Tab)
    qtbot.keyClick(body, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: any(isinstance(w, ImageViewer) and w.isVisible() for w in QApplication.topLevelWidgets())
    )
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, ImageViewer):
            widget.close()


def test_a_slow_image_does_not_hold_up_the_stream(
    qtbot: QtBot, view: MessageView, demo_fast: DemoServer
) -> None:
    url = f"{demo_fast.url}/demo/images/slow.png?n={time.monotonic_ns()}"
    view.show_messages([_question([])])
    view.add_message(_answer("", state=MessageState.STREAMING))
    view.begin_reply(2)
    view.append_reply(2, f"Look:\n\n![Slow chart]({url})\n\n")
    view.append_reply(2, "The text goes on at once.")
    final = _answer(f"Look:\n\n![Slow chart]({url})\n\nThe text goes on at once.")
    view.finish_reply(final)
    assert "The text goes on at once." in (view.rendered_text(2) or "")
    assert dict(view.answer_images(2))[url] == "loading"  # the placeholder, the picture still coming
    qtbot.waitUntil(lambda: dict(view.answer_images(2)).get(url) == "loaded", timeout=3 * WAIT_MS)


def test_object_string_answer_shows_its_images(
    qtbot: QtBot, view: MessageView, demo_fast: DemoServer
) -> None:
    url = f"{demo_fast.url}/demo/images/chart.png?object_string"
    content = json.dumps(
        [
            {"type": "text", "text": "这是图表"},
            {"type": "image", "file_url": url},
            {"type": "image", "file_id": "7391", "name": "no-url.png"},  # nothing to fetch
            {"type": "file", "file_url": "https://example.com/report.pdf", "name": "report.pdf"},
        ],
        ensure_ascii=False,
    )
    view.show_messages([_answer(content)])
    qtbot.waitUntil(lambda: dict(view.answer_images(2)).get(url) == "loaded", timeout=WAIT_MS)
    assert dict(view.answer_images(2))["coze-file:7391"] == "failed"
    text = view.rendered_text(2) or ""
    assert "这是图表" in text and "report.pdf" in text and '"type"' not in text  # not shown as JSON
    # A JSON array that is not object_string content stays as it was written.
    view.add_message(_answer('[1, 2, "three"]', message_id=3))
    assert '[1, 2, "three"]' in (view.rendered_text(3) or "")


def test_answer_views_never_read_images_from_disk(qtbot: QtBot, tmp_path: Path) -> None:
    picture = _photo(tmp_path / "local.png", QSize(20, 20))
    body = text_view._TextView()
    qtbot.addWidget(body)
    url = QUrl.fromLocalFile(str(picture))
    assert body.loadResource(QTextDocument.ResourceType.ImageResource.value, url) is None
    assert (
        QTextBrowser().loadResource(QTextDocument.ResourceType.ImageResource.value, url) is not None
    )  # Qt would


def test_a_picture_that_failed_loads_again_when_clicked(
    qtbot: QtBot, view: MessageView, scripted: ScriptedServer
) -> None:
    png = demo_image("chart.png")
    assert png is not None
    scripted.queue = [
        Script(status=503, chunks=[b"busy"]),
        Script(headers={"Content-Type": "image/png"}, chunks=[png]),
    ]
    url = f"{scripted.url}/picture-{time.monotonic_ns()}.png"
    view.show_messages([_answer(f"Here:\n\n![Busy server]({url})\n")])
    qtbot.waitUntil(lambda: dict(view.answer_images(2)).get(url) == "failed", timeout=WAIT_MS)
    (document,) = view.rendered_documents(2) or []
    (body,) = [b for b in view.findChildren(QTextBrowser) if b.document() is document]
    cursor = QTextCursor(document)
    cursor.setPosition(next(p for p, f in image_fragments(document) if f.name() == url))
    line = body.cursorRect(cursor)
    qtbot.mouseClick(
        body.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(line.x() + 30, line.bottom() - 15)
    )
    qtbot.waitUntil(lambda: dict(view.answer_images(2)).get(url) == "loaded", timeout=WAIT_MS)
    assert len(scripted.requests) == 2
