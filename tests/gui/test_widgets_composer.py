"""Composer: send keys, Stop while streaming, blocked reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coze_desktop.ui.composer import Composer


@pytest.fixture
def composer(qtbot: QtBot) -> Composer:
    widget = Composer()
    qtbot.addWidget(widget)
    widget.resize(600, widget.sizeHint().height())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_enter_sends_stripped_text_and_clears(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer.input, "  hello  ")  # QTest types ASCII only
    with qtbot.waitSignal(composer.send_requested) as blocker:
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert blocker.args == ["hello"]
    assert composer.text() == ""
    composer.set_text("\n 你好，扣子 \n")
    with qtbot.waitSignal(composer.send_requested) as blocker:
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert blocker.args == ["你好，扣子"]


def test_shift_enter_breaks_the_line(qtbot: QtBot, composer: Composer) -> None:
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClicks(composer.input, "first")
        qtbot.keyClick(composer.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(composer.input, "second")
    assert composer.text() == "first\nsecond"
    with qtbot.waitSignal(composer.send_requested) as blocker:
        qtbot.keyClick(composer.input, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert blocker.args == ["first\nsecond"]


def test_ctrl_enter_mode_inverts_the_keys(qtbot: QtBot, composer: Composer) -> None:
    composer.set_send_key("ctrl_enter")
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClicks(composer.input, "a")
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
        qtbot.keyClicks(composer.input, "b")
    assert composer.text() == "a\nb"
    with qtbot.waitSignal(composer.send_requested) as blocker:
        qtbot.keyClick(composer.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["a\nb"]
    with pytest.raises(ValueError, match="send key"):
        composer.set_send_key("alt_enter")


def test_whitespace_is_not_sent(qtbot: QtBot, composer: Composer) -> None:
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClicks(composer.input, "   ")
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert not composer.send_button.isEnabled()


def test_send_button_sends(qtbot: QtBot, composer: Composer) -> None:
    composer.set_text("from the button")
    assert composer.send_button.isEnabled()
    with qtbot.waitSignal(composer.send_requested) as blocker:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["from the button"]


def test_blocked_reason_disables_sending_and_is_shown(qtbot: QtBot, composer: Composer) -> None:
    composer.set_text("question")
    composer.set_blocked_reason("No token — open Settings")
    assert not composer.send_button.isEnabled()
    assert composer.reason_label.isVisible()
    assert composer.reason_label.text() == "No token — open Settings"
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    assert composer.text() == "question"  # kept, and no line break added
    composer.set_blocked_reason(None)
    assert composer.send_button.isEnabled()
    assert not composer.reason_label.isVisible()


def test_stop_button_while_streaming(qtbot: QtBot, composer: Composer) -> None:
    assert composer.send_button.isVisible() and not composer.stop_button.isVisible()
    composer.set_streaming(True)
    assert composer.stop_button.isVisible() and not composer.send_button.isVisible()
    composer.set_text("next question")
    with qtbot.assertNotEmitted(composer.send_requested):
        qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    with qtbot.waitSignal(composer.stop_requested):
        qtbot.mouseClick(composer.stop_button, Qt.MouseButton.LeftButton)
    composer.set_streaming(False)
    assert composer.send_button.isVisible() and not composer.stop_button.isVisible()
    assert composer.text() == "next question"


def test_input_grows_with_its_text(composer: Composer) -> None:
    start = composer.input.height()
    composer.set_text("\n".join(str(n) for n in range(6)))
    assert composer.input.height() > start
    composer.set_text("\n".join(str(n) for n in range(100)))
    tall = composer.input.height()
    composer.set_text("\n".join(str(n) for n in range(200)))
    assert composer.input.height() == tall  # capped; it scrolls from there


def test_accessible_names(composer: Composer) -> None:
    assert composer.input.accessibleName() == "Message"
    assert composer.send_button.accessibleName() == "Send"
    assert composer.stop_button.accessibleName()
