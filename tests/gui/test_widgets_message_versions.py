"""MessageView's version parts: the "‹ 1/2 ›" switcher, the banner of a retried answer, the editor."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Message, MessageState, Role
from coze_desktop.ui.messages import MessageView


@pytest.fixture
def view(qtbot: QtBot) -> MessageView:
    widget = MessageView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def message(message_id: int, role: Role, text: str, **kwargs: object) -> Message:
    return Message(id=message_id, conversation_id=1, role=role, text=text, created_at=time.time(), **kwargs)  # type: ignore[arg-type]


def test_switcher_shows_the_version_and_asks_for_the_next(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages(
        [message(1, Role.USER, "Q"), message(2, Role.ASSISTANT, "A", version=1, version_count=2)]
    )
    assert view.version_text(1) is None and view.version_text(2) == "1/2"
    previous = view.find_in_message(2, QToolButton, "version_previous")
    assert previous is not None and not previous.isEnabled()
    with qtbot.waitSignal(view.version_requested) as blocker:
        qtbot.mouseClick(view.find_in_message(2, QToolButton, "version_next"), Qt.MouseButton.LeftButton)
    assert blocker.args == [2, 1]


@pytest.mark.parametrize("state", [MessageState.STOPPED, MessageState.FAILED])
def test_a_retried_answer_keeps_its_banner_without_retry(view: MessageView, state: MessageState) -> None:
    view.show_messages(
        [
            message(1, Role.USER, "Q"),
            message(2, Role.ASSISTANT, "partial", state=state, version=1, version_count=2),
        ]
    )
    assert view.find_in_message(2, QPushButton, "banner_retry") is None
    assert view.find_in_message(2, QLabel, "banner_newer_version") is not None
    view.show_messages(
        [
            message(1, Role.USER, "Q"),
            message(3, Role.ASSISTANT, "partial", state=state, version=2, version_count=2),
        ]
    )
    assert view.find_in_message(3, QPushButton, "banner_retry") is not None  # the newest is current


def test_editor_sends_the_changed_text_or_cancels(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([message(1, Role.USER, "old question"), message(2, Role.ASSISTANT, "A")])
    editor = view.edit_message(1)
    assert editor is not None and view.edit_message(2) is None  # answers are regenerated, not edited
    send = view.find_in_message(1, QPushButton, "edit_send")
    assert send is not None and not send.isEnabled()
    editor.set_text("new question  ")
    with qtbot.waitSignal(view.edit_requested) as blocker:
        qtbot.mouseClick(send, Qt.MouseButton.LeftButton)
    assert blocker.args == [1, "new question"]
    assert view.is_editing(1) and view.edit_message(1) is editor  # open until the new version is shown
    qtbot.keyClick(view.find_in_message(1, QPlainTextEdit, "edit_text"), Qt.Key.Key_Escape)
    assert not view.is_editing(1)
    assert view.message(1).text == "old question"  # type: ignore[union-attr]
