"""The composer's files: paper clip and shortcut, drop, paste, chips, refusals, sending with
no text, the upload state; the Settings limit; and the whole app sending an image and a PDF."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from coze_desktop.demo.server import DemoServer
from coze_desktop.settings import MAX_ATTACHMENT_MB, SETTINGS_FILENAME, Settings
from coze_desktop.ui.attachment_chips import PROGRESS_MIN_BYTES
from coze_desktop.ui.composer import ATTACH_SHORTCUT, Composer
from coze_desktop.workers.uploads import LocalFile

from .conftest import WAIT_MS, show


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def composer(qtbot: QtBot) -> Composer:
    widget = Composer()
    qtbot.addWidget(widget)
    widget.resize(700, widget.sizeHint().height())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "照片.png"
    path.write_bytes(png(300, 200))
    return path


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "合同.pdf"
    path.write_bytes(b"%PDF-1.4\n% a small document\n")
    return path


def drop(target: QWidget, urls: list[Path]) -> QDropEvent:
    """Drag ``urls`` onto ``target`` and drop them (Qt delivers a drop to the widget that
    accepted the drag's enter event); returns the drop event."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in urls])
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(target, event)
    return event


def test_the_paper_clip_opens_a_multi_file_picker(
    qtbot: QtBot, composer: Composer, picture: Path, document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def pick(parent: object, caption: str = "", *args: object) -> tuple[list[str], str]:
        asked.append(caption)
        return [str(picture), str(document)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    assert composer.attach_button.accessibleName() == "Attach files"
    assert ATTACH_SHORTCUT.replace("Ctrl", "") in composer.attach_button.toolTip().replace("Ctrl", "")
    assert not composer.attach_button.icon().isNull()
    qtbot.mouseClick(composer.attach_button, Qt.MouseButton.LeftButton)
    assert asked == ["Attach files"]
    assert [(f.name, f.kind) for f in composer.chips.files()] == [("照片.png", "image"), ("合同.pdf", "file")]
    image_chip, file_chip = composer.chips.chips
    assert image_chip.is_thumbnail and not file_chip.is_thumbnail
    pixmap = image_chip.icon.pixmap()
    assert max(pixmap.width(), pixmap.height()) <= 40  # scaled down, not the 300×200 image
    assert file_chip.size_label.text() and not file_chip.icon.pixmap().isNull()
    assert composer.chips.isVisible()
    # The shortcut opens the picker too.
    composer.attach_action.trigger()
    assert len(asked) == 2 and len(composer.chips.chips) == 2  # the same files are not added twice


def test_files_dropped_on_the_composer_become_chips(
    composer: Composer, picture: Path, document: Path
) -> None:
    event = drop(composer, [picture, document])
    assert event.isAccepted()
    assert [f.name for f in composer.chips.files()] == ["照片.png", "合同.pdf"]
    text_only = QMimeData()
    text_only.setText("just text")
    assert not composer.accepts_drop(text_only)


def test_a_pasted_image_becomes_a_png_with_a_readable_name(qtbot: QtBot, composer: Composer) -> None:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    QApplication.clipboard().setImage(image)
    composer.input.setFocus()
    qtbot.keyClick(composer.input, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    files = composer.chips.files()
    assert len(files) == 1 and files[0].kind == "image"
    assert files[0].name.startswith("Pasted image 20") and files[0].name.endswith(".png")
    assert QImage(str(files[0].path)).size() == image.size()
    assert composer.text() == ""  # nothing pasted as text
    QApplication.clipboard().setText("plain words")
    qtbot.keyClick(composer.input, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert composer.text() == "plain words" and len(composer.chips.chips) == 1


def test_a_chip_can_be_removed(qtbot: QtBot, composer: Composer, picture: Path, document: Path) -> None:
    composer.add_files([picture, document])
    assert composer.send_button.isEnabled()
    qtbot.mouseClick(composer.chips.chips[0].remove_button, Qt.MouseButton.LeftButton)
    assert [f.name for f in composer.chips.files()] == ["合同.pdf"]
    assert composer.chips.chips[0].remove_button.accessibleName() == "Remove 合同.pdf"
    qtbot.mouseClick(composer.chips.chips[0].remove_button, Qt.MouseButton.LeftButton)
    assert composer.chips.files() == [] and not composer.chips.isVisible()
    assert not composer.send_button.isEnabled()  # no text, no files


def test_refusals_name_the_file_and_add_nothing(
    qtbot: QtBot, composer: Composer, tmp_path: Path, picture: Path
) -> None:
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2_000_000)
    refused: list[str] = []
    composer.attachment_refused.connect(refused.append)
    composer.set_max_attachment_bytes(1024 * 1024)
    added = composer.add_files([empty, tmp_path, tmp_path / "missing.pdf", big, picture])
    assert added == 1 and [f.name for f in composer.chips.files()] == ["照片.png"]
    notice = composer.attach_notice.text()
    assert composer.attach_notice.isVisible() and len(refused) == 1
    for name in ("空.txt", tmp_path.name, "missing.pdf", "big.bin"):
        assert name in notice
    assert "empty" in notice and "folder" in notice and "too large" in notice
    composer.add_files([picture])  # a good add clears the notice
    assert not composer.attach_notice.isVisible()


def test_send_with_files_and_no_text_then_failure_keeps_everything(
    qtbot: QtBot, composer: Composer, picture: Path
) -> None:
    composer.add_files([picture])
    assert composer.can_send()
    with qtbot.waitSignal(composer.send_files_requested) as blocker:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    text, files = blocker.args
    assert text == "" and files == [LocalFile(picture, "照片.png")]
    assert (
        composer.is_uploading() and composer.stop_button.isVisible() and not composer.send_button.isVisible()
    )
    assert not composer.chips.chips[0].remove_button.isEnabled() and not composer.attach_button.isEnabled()
    with qtbot.waitSignal(composer.upload_cancel_requested), qtbot.assertNotEmitted(composer.stop_requested):
        qtbot.mouseClick(composer.stop_button, Qt.MouseButton.LeftButton)
    composer.end_upload(False, "“照片.png” could not be uploaded")
    assert [f.name for f in composer.chips.files()] == ["照片.png"]
    assert "照片.png" in composer.attach_notice.text() and composer.send_button.isVisible()


def test_the_text_comes_back_after_a_failed_send_and_goes_after_a_sent_one(
    qtbot: QtBot, composer: Composer, picture: Path
) -> None:
    composer.add_files([picture])
    composer.set_text("what is this?")
    with qtbot.waitSignal(composer.send_files_requested) as blocker:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "what is this?"
    composer.set_upload_progress(0, PROGRESS_MIN_BYTES // 2, PROGRESS_MIN_BYTES)
    assert composer.chips.chips[0].progress.isVisible() and composer.chips.chips[0].progress.value() == 500
    composer.end_upload(False)
    assert composer.text() == "what is this?" and len(composer.chips.chips) == 1
    assert not composer.chips.chips[0].progress.isVisible()
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    composer.end_upload(True)
    assert composer.text() == "" and composer.chips.files() == [] and not composer.is_uploading()


def test_largest_attachment_setting(tmp_path: Path) -> None:
    s = Settings(tmp_path / "s.ini")
    assert s.max_attachment_mb == MAX_ATTACHMENT_MB == 512
    s.max_attachment_mb = 20
    assert Settings(tmp_path / "s.ini").max_attachment_bytes() == 20 * 1024 * 1024
    s.setValue("files/max_attachment_mb", 100_000)  # over Coze's limit: the default
    assert s.max_attachment_mb == 512


def test_the_app_sends_an_image_and_a_pdf_to_the_files_bot(
    qtbot: QtBot, make_app: Any, demo_fast: DemoServer, picture: Path, document: Path
) -> None:
    ctx = make_app(demo_fast, bots=("demo-files",))
    show(ctx, qtbot)
    window = ctx.window
    assert drop(window, [picture]).isAccepted()  # dropped on the window, not on the composer
    window.composer.add_files([document])
    assert [f.name for f in window.composer.chips.files()] == ["照片.png", "合同.pdf"]
    uploads = demo_fast.upload_count
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    answer = blocker.args[1]
    assert "照片.png: PNG image, 300×200 pixels" in answer.text
    assert "合同.pdf: 28 bytes, first line: %PDF-1.4" in answer.text
    assert demo_fast.upload_count == uploads + 2
    assert window.composer.chips.files() == [] and not window.composer.is_uploading()
    assert window._current_id == answer.conversation_id  # the new conversation is on screen
    question = ctx.store.messages(answer.conversation_id)[0]
    assert [f.name for f in question.attachments] == ["照片.png", "合同.pdf"]


def test_the_app_keeps_text_and_files_when_an_upload_fails(
    qtbot: QtBot, make_app: Any, demo_fast: DemoServer, tmp_path: Path, picture: Path
) -> None:
    ctx = make_app(demo_fast, bots=("demo-files",))
    show(ctx, qtbot)
    window = ctx.window
    big = tmp_path / "太大.bin"
    big.write_bytes(b"x" * (1024 * 1024 + 1))  # over the demo server's limit
    window.composer.add_files([picture, big])
    window.composer.set_text("look")
    chats = demo_fast.chat_count
    with qtbot.waitSignal(ctx.controller.upload_failed, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    assert demo_fast.chat_count == chats
    assert window.composer.text() == "look" and len(window.composer.chips.chips) == 2
    assert "太大.bin" in window.composer.attach_notice.text()
    assert window._current_id is None


def test_stop_in_the_app_cancels_the_uploads_and_keeps_everything(
    qtbot: QtBot, make_app: Any, demo_fast: DemoServer, picture: Path, document: Path
) -> None:
    ctx = make_app(demo_fast, bots=("demo-files",))
    show(ctx, qtbot)
    composer = ctx.window.composer
    composer.add_files([picture, document])
    composer.set_text("look")
    chats = demo_fast.chat_count
    with qtbot.waitSignal(ctx.controller.upload_canceled, timeout=WAIT_MS):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
        assert composer.is_uploading() and composer.stop_button.isVisible()
        qtbot.mouseClick(composer.stop_button, Qt.MouseButton.LeftButton)
    assert demo_fast.chat_count == chats and ctx.store.list_conversations() == []
    assert composer.text() == "look" and len(composer.chips.chips) == 2 and not composer.is_uploading()
    assert composer.send_button.isVisible() and composer.send_button.isEnabled()
    # Esc stops the uploads too.
    with qtbot.waitSignal(ctx.controller.upload_canceled, timeout=WAIT_MS):
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(ctx.window, Qt.Key.Key_Escape)
    assert demo_fast.chat_count == chats and composer.text() == "look" and len(composer.chips.chips) == 2


def test_attachments_speak_chinese(
    qtbot: QtBot, make_app: Any, demo_fast: DemoServer, data_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir / SETTINGS_FILENAME)
    settings.language = "zh_CN"
    settings.sync()
    ctx = make_app(demo_fast, bots=("demo-files",))
    try:
        show(ctx, qtbot)
        composer = ctx.window.composer
        assert composer.attach_button.accessibleName() == "添加附件"
        assert (
            "Ctrl+Shift+A" in composer.attach_button.toolTip() and "拖放" in composer.attach_button.toolTip()
        )
        image = QImage(8, 8, QImage.Format.Format_RGB32)
        image.fill(QColor("red"))
        assert composer.add_image(image)
        assert composer.chips.files()[0].name.startswith("粘贴的图片 20")
        empty = tmp_path / "空.txt"
        empty.write_bytes(b"")
        composer.add_files([empty])
        assert composer.attach_notice.text() == "“空.txt”是空文件，扣子不接受空文件。"
        dialog = ctx.window.open_settings()
        try:
            assert dialog.max_attachment.value() == 512 and dialog.max_attachment.suffix() == " MB"
            dialog.max_attachment.setValue(1)
            dialog.accept()
        finally:
            dialog.close()
        big = tmp_path / "大.bin"
        big.write_bytes(b"x" * (1024 * 1024 + 1))
        assert composer.add_files([big]) == 0  # the new Settings limit applies at once
        assert composer.attach_notice.text().startswith("“大.bin”太大：")
    finally:
        ctx.appearance.install_translators("en")  # translators are application-wide
