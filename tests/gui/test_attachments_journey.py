"""Issue #11's "done when", as a new user does it: attach an image and a PDF in the app (paper clip,
drag and paste), send them to the demo files bot, see them described; delete the originals,
restart offline, still see the image, open the PDF, and find the message by the PDF's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import MessageState
from coze_desktop.secrets import TokenStore
from coze_desktop.ui.messages import attachments

from .conftest import WAIT_MS, AppFactory, show
from .test_app import CLOSED_PORT_URL
from .test_composer_attachments import drop


def test_attach_send_restart_offline_and_find_again(
    make_app: AppFactory, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = tmp_path / "桌面"
    originals.mkdir()
    photo = originals / "海边 sunset.png"
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(QColor("#f97316"))
    assert image.save(str(photo))
    pdf = originals / "报销单 2026.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% expenses of December\n" + b"0" * 2000)

    with DemoServer(fast=True) as server:
        ctx = make_app(server, bots=("demo-files",))
        show(ctx, qtbot)
        window = ctx.window
        composer = window.composer
        # The paper clip picks the PDF...
        monkeypatch.setattr(
            QFileDialog, "getOpenFileNames", staticmethod(lambda *args, **kwargs: ([str(pdf)], ""))
        )
        qtbot.mouseClick(composer.attach_button, Qt.MouseButton.LeftButton)
        # ...the photo is dropped on the window, and a screenshot is pasted.
        assert drop(window, [photo]).isAccepted()
        pasted = QImage(120, 90, QImage.Format.Format_RGB32)
        pasted.fill(QColor("teal"))
        QApplication.clipboard().setImage(pasted)
        composer.input.setFocus()
        qtbot.keyClick(composer.input, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        names = [f.name for f in composer.chips.files()]
        assert names[:2] == [pdf.name, photo.name] and names[2].startswith("Pasted image")
        composer.set_text("请看这三个文件")
        with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as finished:
            qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
        answer = finished.args[1]
        assert answer.state is MessageState.COMPLETE
        assert f"{photo.name}: PNG" in answer.text and "800×500" in answer.text
        assert f"{pdf.name}:" in answer.text and "%PDF-1.4" in answer.text
        assert "120×90" in answer.text
        cid = answer.conversation_id
        question = ctx.store.messages(cid)[0]
        assert [f.name for f in question.attachments] == names
        assert all(f.file_id and f.path for f in question.attachments)
        make_app.close(ctx)
    # The originals are gone, the server too, and the token forgotten: the app is offline.
    photo.unlink()
    pdf.unlink()
    TokenStore().forget(server.url)

    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    show(ctx, qtbot)
    window = ctx.window
    assert window.open_conversation(cid)
    strip = window.message_view.attachment_strip(question.id or 0)
    assert strip is not None
    qtbot.waitUntil(lambda: strip.thumbnail_loaded(1) and strip.thumbnail_loaded(2), timeout=WAIT_MS)
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    qtbot.mouseClick(strip.buttons[0], Qt.MouseButton.LeftButton)
    kept_pdf = ctx.store.file_path(question.attachments[0].sha256)
    assert kept_pdf is not None and opened == [QUrl.fromLocalFile(str(kept_pdf))]
    assert kept_pdf.read_bytes().startswith(b"%PDF-1.4\n% expenses of December")

    # Search by the PDF's name: the hit opens the conversation at the question.
    window.new_chat()
    lst = window.conversation_list
    lst.search_box.setText("报销单")
    qtbot.waitUntil(lambda: lst.results_model.rowCount() > 0, timeout=WAIT_MS)
    index = lst.results_model.index(0, 0)
    with qtbot.waitSignal(lst.search_hit_activated, timeout=WAIT_MS) as hit:
        qtbot.mouseClick(
            lst.results_view.viewport(), Qt.MouseButton.LeftButton, pos=lst.results_view.visualRect(index).center()
        )
    assert hit.args == [cid, question.id]
    assert window.current_conversation_id == cid
