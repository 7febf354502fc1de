"""Bots that ask back, in the running app, against the demo server's ``demo-plugin`` bot: a reply
in ``requires_action`` waits as a card (the call's name and arguments, a box for the result),
Submit continues the SAME reply, Cancel ends it cleanly, and the steps (function call, tool
response) are collapsed above the answer, saved, and shown again after a restart."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from coze_desktop.api import CozeClient, ToolOutput
from coze_desktop.app import AppContext
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Message, MessageState, Role, ToolStep
from coze_desktop.ui.messages import MessageView
from coze_desktop.ui.messages.steps import _ToolCallCard
from coze_desktop.workers.chat import REPLY_MESSAGE, TOOL_CALL, waiting_tool_calls

from .conftest import WAIT_MS, AppFactory, send, show


def start(make_app: AppFactory, qtbot: QtBot, server: DemoServer) -> AppContext:
    ctx = make_app(server, bots=("demo-plugin",))
    show(ctx, qtbot)
    return ctx


def card_of(ctx: AppContext, qtbot: QtBot, message_id: int) -> _ToolCallCard:
    card = ctx.window.message_view.tool_call_card(message_id)
    assert card is not None
    qtbot.waitUntil(card.isVisible, timeout=WAIT_MS)  # shown once the layout has run
    return card


def label(card: _ToolCallCard, name: str) -> str:
    found = card.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def click(qtbot: QtBot, card: _ToolCallCard, name: str) -> None:
    button = card.findChild(QPushButton, name)
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_plugin_call_waits_as_a_card_then_the_same_reply_goes_on(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    view = ctx.window.message_view
    waiting = send(ctx, qtbot, "南京今天天气怎么样？")
    assert waiting.id is not None
    assert waiting.state is MessageState.INTERRUPTED and waiting.error is None  # waits; not "failed"
    [call] = waiting_tool_calls(waiting)
    assert call.kind == TOOL_CALL and call.name == "local_weather" and call.call_id

    card = card_of(ctx, qtbot, waiting.id)
    assert "local_weather" in label(card, "tool_call_name")
    arguments = label(card, "tool_call_arguments")
    assert json.loads(arguments) == {"city": "南京", "type": 0} and "\n" in arguments  # pretty-printed
    # No banner saying it failed or was interrupted; the composer says what to do instead.
    assert view.find_in_message(waiting.id, QPushButton, "banner_retry") is None
    reason = ctx.window.blocked_reason()
    assert reason is not None and "tool call" in reason
    assert not ctx.window.composer.send_button.isEnabled()

    # Submitting an empty result says so and sends nothing.
    click(qtbot, card, "tool_call_submit")
    assert "local_weather" in label(card, "tool_call_error")
    assert not ctx.controller.is_streaming(ctx.window.current_conversation_id)

    result = card.result_edit(call.call_id)
    assert result is not None
    result.setPlainText("晴，26°C，东南风 2 级")
    with (
        qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS),
        qtbot.waitSignal(ctx.controller.steps_received, timeout=WAIT_MS) as steps_blocker,
        qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker,
    ):
        click(qtbot, card, "tool_call_submit")
        assert ctx.window.message_view.tool_call_card(waiting.id) is None  # streaming again
    final: Message = blocker.args[1]
    assert final.id == waiting.id  # the SAME reply, in the same widget and saved message
    assert final.state is MessageState.COMPLETE and final.error is None
    assert "晴，26°C，东南风 2 级" in final.text
    assert view.message_ids().count(waiting.id) == 1 and len(view.message_ids()) == 2
    assert any(s.kind == TOOL_CALL for s in steps_blocker.args[2])  # live steps while streaming
    shown = view.message(waiting.id)
    assert shown is not None and shown.text == final.text

    # The steps: the call answered in the app, then the tool's response; collapsed, saved.
    # (Coze's tool_response echoing the output is not a second step.)
    assert [(s.kind, s.name, s.result) for s in final.steps] == [(TOOL_CALL, "local_weather", "晴，26°C，东南风 2 级")]
    panel = view.steps_panel(waiting.id)
    assert panel is not None and not panel.is_expanded()
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    saved = ctx.store.get_message(waiting.id)
    assert saved is not None and saved.state is MessageState.COMPLETE
    assert [s.to_json() for s in saved.steps] == [s.to_json() for s in final.steps]
    assert ctx.window.blocked_reason() is None

    # After a restart the steps are shown again from the store.
    cid = ctx.window.current_conversation_id
    assert cid is not None
    make_app.close(ctx)
    ctx = start(make_app, qtbot, demo_fast)
    assert ctx.window.open_conversation(cid)
    panel = ctx.window.message_view.steps_panel(waiting.id)
    assert panel is not None and panel.steps == [s for s in final.steps]
    assert not panel.is_expanded()
    toggle = panel.findChild(QToolButton, "steps_toggle")
    assert toggle is not None
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert panel.is_expanded()
    lines = [w.text() for w in panel.findChildren(QLabel, "step_line")]
    assert any("local_weather" in line and "city=南京" in line and "晴，26°C" in line for line in lines)


def test_a_question_waits_across_switches_and_restarts_then_cancel_ends_it_cleanly(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    waiting = send(ctx, qtbot, "帮我预订去上海的行程")
    assert waiting.id is not None and waiting.state is MessageState.INTERRUPTED
    [call] = waiting_tool_calls(waiting)
    assert call.kind == REPLY_MESSAGE
    card = card_of(ctx, qtbot, waiting.id)
    assert label(card, "tool_call_question") == "请问你想预订哪一天出发？"  # the bot's question
    assert card.findChild(QLabel, "tool_call_name") is None
    cid = ctx.window.current_conversation_id
    assert cid is not None

    edit = card.result_edit(call.call_id)
    assert edit is not None
    edit.setPlainText("typed before a switch")

    # Switching away and back: still waiting (the saved answer says so), with what was typed.
    ctx.window.new_chat()
    assert ctx.window.message_view.tool_call_card(waiting.id) is None
    assert ctx.window.blocked_reason() is None  # a new chat is not blocked
    assert ctx.window.open_conversation(cid)
    card = card_of(ctx, qtbot, waiting.id)
    edit = card.result_edit(call.call_id)
    assert edit is not None and edit.toPlainText() == "typed before a switch"

    # After a restart too.
    make_app.close(ctx)
    ctx = start(make_app, qtbot, demo_fast)
    assert ctx.window.open_conversation(cid)
    card = card_of(ctx, qtbot, waiting.id)
    assert label(card, "tool_call_question") == "请问你想预订哪一天出发？"
    assert ctx.window.blocked_reason() is not None

    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, card, "tool_call_cancel")
    stopped: Message = blocker.args[1]
    assert stopped.id == waiting.id and stopped.state is MessageState.STOPPED and stopped.error is None
    assert ctx.window.message_view.tool_call_card(waiting.id) is None
    assert waiting_tool_calls(ctx.store.get_message(waiting.id)) == []
    assert ctx.window.blocked_reason() is None
    # The chat goes on: a new question is answered.
    answer = send(ctx, qtbot, "南京天气")
    assert answer.state is MessageState.INTERRUPTED and answer.id != waiting.id  # Coze takes it


def test_a_bot_question_answered_in_the_card_continues_the_reply(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    waiting = send(ctx, qtbot, "Please book a trip to Paris")
    assert waiting.id is not None
    [call] = waiting_tool_calls(waiting)
    card = card_of(ctx, qtbot, waiting.id)
    assert label(card, "tool_call_question") == "Which day do you want to travel?"
    edit = card.result_edit(call.call_id)
    assert edit is not None
    edit.setPlainText("next Friday")
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter submits
    final: Message = blocker.args[1]
    assert final.id == waiting.id and final.state is MessageState.COMPLETE
    assert "next Friday" in final.text
    assert [(s.kind, s.result) for s in final.steps if s.kind == REPLY_MESSAGE] == [(REPLY_MESSAGE, "next Friday")]


def test_the_steps_of_any_answer_are_one_collapsed_line_each_above_it(qtbot: QtBot) -> None:
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    steps = [
        ToolStep("function_call", name="查询天气", arguments='{"城市": "南京"}', result="晴，26°C", duration_ms=12),
        ToolStep("tool_output", result="x" * 500),
    ]
    answer = Message(id=7, conversation_id=1, role=Role.ASSISTANT, text="南京今天晴。", steps=steps)
    view.show_messages([answer])
    panel = view.steps_panel(7)
    assert panel is not None and panel.steps == steps and not panel.is_expanded()
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    assert not panel.findChild(QWidget, "steps_list").isVisible()  # type: ignore[union-attr]
    toggle = panel.findChild(QToolButton, "steps_toggle")
    assert toggle is not None and toggle.text() == "2 steps"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    lines = [w.text() for w in panel.findChildren(QLabel, "step_line")]
    assert lines[0] == "called 查询天气 (城市=南京) → 12 ms, 晴，26°C"
    assert lines[1].startswith("tool output → xxx") and lines[1].endswith("…") and len(lines[1]) < 100
    details = [w.text() for w in panel.findChildren(QLabel, "step_detail")]
    assert details[0] == '{\n  "城市": "南京"\n}\n晴，26°C' and details[1] == "x" * 500

    # Live: an answer being written gets its steps as they come; none: no panel.
    view.show_messages([Message(id=8, conversation_id=1, role=Role.ASSISTANT, state=MessageState.STREAMING)])
    assert view.steps_panel(8) is None
    view.set_reply_steps(8, steps[:1])
    panel = view.steps_panel(8)
    assert panel is not None and panel.steps == steps[:1]
    toggle = panel.findChild(QToolButton, "steps_toggle")
    assert toggle is not None and toggle.text().startswith("1 step: called 查询天气")


def test_outputs_coze_refuses_leave_the_reply_waiting_with_why_and_what_was_typed(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    waiting = send(ctx, qtbot, "What's the weather in Tokyo?")
    assert waiting.id is not None and waiting.coze_chat_id
    cid = ctx.window.current_conversation_id
    conversation = ctx.store.get_conversation(cid) if cid is not None else None
    assert conversation is not None and conversation.coze_conversation_id
    [call] = waiting_tool_calls(waiting)
    # Someone else (coze-cli tool-output, say) answers the call first: Coze then refuses the app's.
    with (
        CozeClient(DEMO_TOKEN, demo_fast.url) as client,
        client.stream_submit_tool_outputs(
            conversation.coze_conversation_id, waiting.coze_chat_id, [ToolOutput(call.call_id, "cloudy")]
        ) as stream,
    ):
        assert list(stream)
    card = card_of(ctx, qtbot, waiting.id)
    edit = card.result_edit(call.call_id)
    assert edit is not None
    edit.setPlainText("sunny, 21°C")
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, card, "tool_call_submit")
    still: Message = blocker.args[1]
    assert still.id == waiting.id and still.state is MessageState.INTERRUPTED
    assert still.error is not None and still.error.code is not None
    assert waiting_tool_calls(still) == waiting_tool_calls(waiting)  # still waits, nothing answered
    card = card_of(ctx, qtbot, waiting.id)
    assert label(card, "tool_call_error") == still.error.message
    edit = card.result_edit(call.call_id)
    assert edit is not None and edit.toPlainText() == "sunny, 21°C"  # nothing typed is lost
    # Cancel still ends it cleanly.
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        click(qtbot, card, "tool_call_cancel")
    assert blocker.args[1].state is MessageState.STOPPED and blocker.args[1].error is None


def test_a_waiting_reply_can_be_written_again_but_blocks_other_questions(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    waiting = send(ctx, qtbot, "上海天气如何")
    assert waiting.id is not None and waiting_tool_calls(waiting)
    cid = ctx.window.current_conversation_id
    with pytest.raises(RuntimeError, match="tool call"):
        ctx.controller.send(cid, ctx.window.current_bot(), "another question")  # type: ignore[arg-type]
    assert not ctx.window.send("another question")  # said in the composer, nothing saved
    assert len(ctx.store.messages(cid)) == 2  # type: ignore[arg-type]
    view = ctx.window.message_view
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        button = view.action_button(waiting.id, "regenerate")
        assert button is not None and button.isEnabled()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    again: Message = blocker.args[1]
    assert again.id != waiting.id and again.state is MessageState.INTERRUPTED  # a new version, asking again
    assert view.version_text(again.id or 0) == "2/2"
    card_of(ctx, qtbot, again.id or 0)
