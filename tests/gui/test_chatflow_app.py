"""Chat-flows in the running app, against the demo server's ``demo-chatflow`` (app ``demo-app``):
a chat started with ``MainWindow.start_chatflow`` (or File → New chat-flow chat…) talks to
``/v1/workflows/chat``, its answers stream like a bot's, and a question node's question is the
bot's message that the user's next message answers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Message, MessageState, Workflow
from coze_desktop.ui.conversation_list import BotNameRole
from coze_desktop.workers.uploads import LocalFile

from .conftest import WAIT_MS, AppFactory, send, show


def start(make_app: AppFactory, qtbot: QtBot, server: DemoServer) -> AppContext:
    ctx = make_app(server, bots=("demo-general",))
    show(ctx, qtbot)
    return ctx


def test_a_chatflow_streams_and_its_question_node_is_answered_by_the_next_message(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    flow = Workflow(workflow_id="demo-chatflow", base_url=demo_fast.url, kind="chatflow", app_id="demo-app")
    ctx.window.start_chatflow(flow)
    assert ctx.window.blocked_reason() is None
    assert ctx.window.current_bot() is not None and ctx.window.current_bot().name == "demo-chatflow"  # type: ignore[union-attr]

    ctx.window.composer.set_text("帮我查天气")
    with (
        qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS),  # it streams like a bot
        qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker,
    ):
        qtbot.mouseClick(ctx.window.composer.send_button, Qt.MouseButton.LeftButton)
    asked: Message = blocker.args[1]
    # The question node asks (requires_action on /v1/workflows/chat): its question is the answer.
    assert asked.state is MessageState.COMPLETE and asked.error is None
    assert asked.text == "你想查询哪个城市的天气？"
    assert asked.steps == []
    assert asked.id is not None and ctx.window.message_view.tool_call_card(asked.id) is None
    cid = ctx.window.current_conversation_id
    assert cid is not None
    conversation = ctx.store.get_conversation(cid)
    assert conversation is not None
    assert (conversation.workflow_id, conversation.app_id, conversation.bot_id) == ("demo-chatflow", "demo-app", "")
    assert conversation.coze_conversation_id
    assert ctx.window.blocked_reason() is None  # the next message answers it

    answer = send(ctx, qtbot, "南京")
    assert answer.state is MessageState.COMPLETE
    assert answer.text.startswith("南京未来三天")
    again = ctx.store.get_conversation(cid)
    assert again is not None and again.coze_conversation_id == conversation.coze_conversation_id  # same chat

    # After a restart the conversation still talks to the chat-flow.
    make_app.close(ctx)
    ctx = start(make_app, qtbot, demo_fast)
    assert ctx.window.open_conversation(cid)
    assert ctx.window.blocked_reason() is None
    more = send(ctx, qtbot, "上海天气")
    assert more.state is MessageState.COMPLETE and more.text.startswith("上海未来三天")


def test_new_chatflow_chat_from_the_menu_checks_its_ids(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    dialog = ctx.window.open_chatflow_dialog()
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[union-attr]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "chat-flow ID" in dialog.status.text()
    dialog.workflow_id.setText(" demo-chatflow ")
    dialog.app_id.setText("demo-app")
    dialog.bot_id.setText("demo-general")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "not both" in dialog.status.text()
    dialog.bot_id.clear()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert ctx.window.current_conversation_id is None

    answer = send(ctx, qtbot, "北京天气")
    assert answer.state is MessageState.COMPLETE and answer.text.startswith("北京未来三天")
    cid = ctx.window.current_conversation_id
    conversation = ctx.store.get_conversation(cid) if cid is not None else None
    assert conversation is not None and conversation.workflow_id == "demo-chatflow"

    # A wrong app id is the chat-flow's error, shown on the answer like a bot's.
    ctx.window.start_chatflow(
        Workflow(workflow_id="demo-chatflow", base_url=demo_fast.url, kind="chatflow", app_id="no-such-app")
    )
    failed = send(ctx, qtbot, "北京天气")
    assert failed.state is MessageState.FAILED and failed.error is not None and failed.error.code == 4200
    # A new bot chat afterwards is a bot chat again.
    ctx.window.new_chat()
    plain = send(ctx, qtbot, "hello")
    cid = ctx.window.current_conversation_id
    conversation = ctx.store.get_conversation(cid) if cid is not None else None
    assert plain.state is MessageState.COMPLETE and conversation is not None and conversation.workflow_id is None


def test_a_chatflow_bound_to_a_bot_sends_the_bot_id_and_no_app_id(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    ctx.window.start_chatflow(
        Workflow(workflow_id="demo-chatflow", base_url=demo_fast.url, kind="chatflow", bot_id="demo-general")
    )
    answer = send(ctx, qtbot, "Weather in London")
    assert answer.state is MessageState.COMPLETE and answer.text.startswith("London, the next three days")
    cid = ctx.window.current_conversation_id
    conversation = ctx.store.get_conversation(cid) if cid is not None else None
    assert conversation is not None
    assert (conversation.workflow_id, conversation.app_id, conversation.bot_id) == ("demo-chatflow", None, "demo-general")
    # Files cannot go to a chat-flow: said, nothing sent.
    note = tmp_path / "note.txt"
    note.write_text("hello", encoding="utf-8")
    assert not ctx.window.send_files("a file", [LocalFile(note, note.name)])
    assert len(ctx.store.messages(cid or 0)) == 2


def test_a_chatflow_in_the_sidebar_opens_as_a_conversation(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = start(make_app, qtbot, demo_fast)
    ctx.store.save_workflow(
        Workflow(workflow_id="demo-chatflow", base_url=demo_fast.url, kind="chatflow", app_id="demo-app", label="天气助手")
    )
    section = ctx.window.workflows
    section.refresh()
    item = section.panel.workflow_item("demo-chatflow", demo_fast.url)
    assert item is not None
    rect = section.panel.tree.visualItemRect(item)
    qtbot.mouseClick(section.panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    # Not the run view: a chat with the chat-flow, named by its label, the composer ready.
    assert ctx.window.pages.currentWidget() is not ctx.window.run_view
    bot = ctx.window.current_bot()
    assert bot is not None and bot.name == "天气助手"
    asked = send(ctx, qtbot, "帮我查天气")
    assert asked.text == "你想查询哪个城市的天气？"
    cid = ctx.window.current_conversation_id
    assert cid is not None
    conversation = ctx.store.get_conversation(cid)
    assert conversation is not None and (conversation.workflow_id, conversation.app_id) == ("demo-chatflow", "demo-app")
    # Its row in the chat list is named by the chat-flow, like a bot's chat by its bot.
    model = ctx.window.conversation_list.model
    row = model.row_of(cid)
    assert row is not None
    assert model.data(model.index(row), BotNameRole) == "天气助手"
