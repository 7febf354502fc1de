"""Issue #12's "done when", as a new user does it in the app: Try the demo from the first-run
screen puts the demo workflows and the chat-flow in the sidebar (parameters filled in) and the
plugin bot among the bots; run the weather workflow with one parameter changed and watch its
nodes stream; answer the trip workflow's question node until the run finishes; talk to the
chat-flow and answer its question with the next message; answer the plugin bot's tool call in its
card; restart with the demo stopped and find the runs in the sidebar and the chats in the list,
all three by search, and all three in File → Export all."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from coze_desktop import app as app_module
from coze_desktop.app import AppContext
from coze_desktop.demo.server import DEMO_TOKEN
from coze_desktop.domain import Message, MessageState, WorkflowParam, WorkflowStatus
from coze_desktop.settings import DEMO_BASE_URL
from coze_desktop.store import SearchHit
from coze_desktop.ui.conversation_list import BotNameRole
from coze_desktop.ui.demo_setup import DEMO_BOT_IDS, DEMO_WORKFLOWS
from coze_desktop.ui.workflows.sidebar import KEY_ROLE
from coze_desktop.workers.chat import TOOL_CALL, waiting_tool_calls

from .conftest import WAIT_MS, AppFactory, send, show
from .test_app import CLOSED_PORT_URL
from .transfers import export

WEATHER_NAME = "天气查询 / Weather"  # what the demo's GET /v1/workflows/{id} calls them
TRIP_NAME = "出行问答 / Trip planner (question node)"
CHATFLOW_NAME = "天气对话流 / Weather chat-flow"
PLUGIN_BOT_NAME = "本地插件演示 / Local plugin bot"


def click_item(ctx: AppContext, qtbot: QtBot, item: QTreeWidgetItem) -> None:
    tree = ctx.window.workflows.panel.tree
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())


def sidebar_item(ctx: AppContext, workflow_id: str) -> QTreeWidgetItem:
    item = ctx.window.workflows.panel.workflow_item(workflow_id, DEMO_BASE_URL)
    assert item is not None, workflow_id
    return item


def list_bot_name(ctx: AppContext, conversation_id: int) -> str:
    """The bot name on the second line of the conversation's row in the list."""
    model = ctx.window.conversation_list.model
    row = model.row_of(conversation_id)
    assert row is not None
    return str(model.index(row).data(BotNameRole) or "")


def search(ctx: AppContext, qtbot: QtBot, query: str) -> list[SearchHit]:
    """Type ``query`` in the chat list's search box; the hits listed once shown."""
    chats = ctx.window.conversation_list
    chats.search_box.clear()
    with qtbot.waitSignal(chats.results_model.modelReset, timeout=WAIT_MS):  # after the debounce
        chats.search_box.setText(query)
    model = chats.results_model
    return [model.hit(row) for row in range(model.rowCount())]


def click_hit(ctx: AppContext, qtbot: QtBot, row: int) -> None:
    view = ctx.window.conversation_list.results_view
    index = ctx.window.conversation_list.results_model.index(row)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def test_a_new_user_runs_the_demo_workflows_chatflow_and_plugin_bot_then_finds_them_offline(
    make_app: AppFactory,
    qtbot: QtBot,
    memory_keyring: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    ctx = make_app(None)  # a first start: no token, no bot
    show(ctx, qtbot)
    window = ctx.window
    assert window.pages.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_bot() is not None, timeout=WAIT_MS)
    assert window.pages.currentWidget() is not window.welcome
    assert {b.bot_id for b in ctx.store.list_bots()} == set(DEMO_BOT_IDS)

    # The sidebar lists the demo workflows and the chat-flow under the names the server gives.
    panel = window.workflows.panel
    assert panel.tree.isVisible() and not panel.empty_label.isVisible()
    for spec in DEMO_WORKFLOWS:
        sidebar_item(ctx, spec.workflow_id)
    assert sidebar_item(ctx, "demo-weather").text(0) == WEATHER_NAME
    assert sidebar_item(ctx, "demo-trip").text(0) == TRIP_NAME
    assert CHATFLOW_NAME in sidebar_item(ctx, "demo-chatflow").text(0)
    assert "chat-flow" in sidebar_item(ctx, "demo-chatflow").text(0)

    # demo-weather: its parameters are filled in; change one, Run, the nodes stream.
    click_item(ctx, qtbot, sidebar_item(ctx, "demo-weather"))
    view = window.run_view
    assert window.pages.currentWidget() is view and view.title_label.text() == WEATHER_NAME
    assert [r.param() for r in view.form.rows()] == [
        WorkflowParam("city", "text", "南京"),
        WorkflowParam("days", "number", "3"),
    ]
    days = next(r for r in view.form.rows() if r.name_edit.text() == "days")
    days.value_edit.setText("2")
    streaming: list[tuple[int, bool]] = []  # what the view showed as each piece arrived
    ctx.workflows.node_delta.connect(
        lambda _run, _delta: streaming.append((len(view.nodes), view.status is WorkflowStatus.RUNNING))
    )
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert finished.args[1].status is WorkflowStatus.COMPLETED
    assert any(count >= 1 and running for count, running in streaming)  # shown while it ran
    assert [card.title_label.text() for card in view.nodes] == ["查询天气", "穿衣建议", "结束"]
    assert "第2天" in view.nodes[0].text and "第3天" not in view.nodes[0].text
    assert view.output_card.isVisible() and "外套" in view.output_card.markdown_view.toPlainText()
    weather_run = view.run_id
    assert weather_run is not None
    saved = ctx.store.get_run(weather_run)
    assert saved is not None and saved.parameters == {"city": "南京", "days": 2}
    remembered = ctx.store.get_workflow("demo-weather", DEMO_BASE_URL)
    assert remembered is not None and remembered.params[1] == WorkflowParam("days", "number", "2")

    # demo-trip: its question node asks twice; each answer resumes the same run, which finishes.
    click_item(ctx, qtbot, sidebar_item(ctx, "demo-trip"))
    assert view.title_label.text() == TRIP_NAME and view.form.rows() == []
    with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as first:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert first.args[1].status is WorkflowStatus.INTERRUPTED
    trip_run = view.run_id
    for question, reply in (("你想去哪个城市？", "杭州"), ("打算玩几天？", "2")):
        card = view.questions[-1]
        assert card.question_label.text() == question
        card.answer_edit.setText(reply)
        with qtbot.waitSignal(ctx.workflows.run_finished, timeout=WAIT_MS) as resumed:
            qtbot.mouseClick(card.resume_button, Qt.MouseButton.LeftButton)
        assert view.run_id == trip_run
    assert resumed.args[1].status is WorkflowStatus.COMPLETED
    assert "杭州" in view.output_card.text and "2日游" in view.output_card.text
    assert trip_run is not None
    trip = ctx.store.get_run(trip_run)
    assert trip is not None and [p.content for p in trip.parts if p.kind == "answer"] == ["杭州", "2"]

    # The chat-flow opens as a conversation; its question is answered by the next message.
    click_item(ctx, qtbot, sidebar_item(ctx, "demo-chatflow"))
    assert window.pages.currentWidget() is not view
    bot = window.current_bot()
    assert bot is not None and bot.name == CHATFLOW_NAME
    asked = send(ctx, qtbot, "帮我查天气")
    assert asked.state is MessageState.COMPLETE and asked.text == "你想查询哪个城市的天气？"
    told = send(ctx, qtbot, "南京")
    assert told.state is MessageState.COMPLETE and told.text.startswith("南京未来三天")
    chatflow_chat = window.current_conversation_id
    assert chatflow_chat is not None
    conversation = ctx.store.get_conversation(chatflow_chat)
    assert conversation is not None and (conversation.workflow_id, conversation.app_id) == ("demo-chatflow", "demo-app")

    # The plugin bot, picked in the header's bot menu: its tool call is answered in its card.
    window.new_chat()
    next(a for a in window.chat_header.bot_actions() if a.data() == "bot:demo-plugin").trigger()
    assert window.current_bot() is not None and window.current_bot().name == PLUGIN_BOT_NAME  # type: ignore[union-attr]
    waiting = send(ctx, qtbot, "南京今天天气怎么样？")
    assert waiting.state is MessageState.INTERRUPTED and waiting.id is not None
    [call] = waiting_tool_calls(waiting)
    assert call.kind == TOOL_CALL and call.name == "local_weather"
    card = window.message_view.tool_call_card(waiting.id)
    assert card is not None
    qtbot.waitUntil(card.isVisible, timeout=WAIT_MS)
    name = card.findChild(QLabel, "tool_call_name")
    assert name is not None and "local_weather" in name.text()
    result = card.result_edit(call.call_id)
    assert result is not None
    result.setPlainText("小雨，18°C")
    submit = card.findChild(QPushButton, "tool_call_submit")
    assert submit is not None
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    final: Message = blocker.args[1]
    assert final.id == waiting.id and final.state is MessageState.COMPLETE
    assert "小雨，18°C" in final.text
    plugin_chat = window.current_conversation_id
    assert plugin_chat is not None
    assert list_bot_name(ctx, plugin_chat) == PLUGIN_BOT_NAME  # the row's second line names the bot
    make_app.close(ctx)

    # A restart with the demo server stopped: its address is a closed port, nothing answers there.
    monkeypatch.setattr(app_module.DemoService, "endpoint", lambda _self: (CLOSED_PORT_URL, DEMO_TOKEN))
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    show(ctx, qtbot)
    window = ctx.window
    top = sidebar_item(ctx, "demo-weather")
    assert [top.child(i).data(0, KEY_ROLE) for i in range(top.childCount())] == [weather_run]
    trip_item = sidebar_item(ctx, "demo-trip")
    assert trip_item.childCount() == 1
    top.setExpanded(True)
    click_item(ctx, qtbot, top.child(0))
    view = window.run_view
    assert window.pages.currentWidget() is view and view.run_id == weather_run
    assert [card.title_label.text() for card in view.nodes] == ["查询天气", "穿衣建议", "结束"]
    assert "外套" in view.output_card.text
    trip_item.setExpanded(True)
    click_item(ctx, qtbot, trip_item.child(0))
    assert view.run_id == trip_run and "杭州" in view.output_card.text
    assert [q.question_label.text() for q in view.questions] == ["你想去哪个城市？", "打算玩几天？"]

    # The chats are in the list; they open from the history.
    model = window.conversation_list.model
    assert model.row_of(chatflow_chat) is not None and model.row_of(plugin_chat) is not None
    assert list_bot_name(ctx, plugin_chat) == PLUGIN_BOT_NAME
    assert window.open_conversation(chatflow_chat)
    assert window.message_view.message(told.id or 0) is not None
    assert window.open_conversation(plugin_chat)
    shown = window.message_view.message(final.id or 0)
    assert shown is not None and "小雨，18°C" in shown.text
    assert window.message_view.tool_call_card(final.id or 0) is None  # answered: no card waits

    # Search finds each of them: the weather run, the chat-flow's answer, the plugin's result.
    hits = search(ctx, qtbot, "外套")
    assert weather_run in [h.run_id for h in hits]
    click_hit(ctx, qtbot, [h.run_id for h in hits].index(weather_run))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is view and view.run_id == weather_run, timeout=WAIT_MS)
    assert trip_run in [h.run_id for h in search(ctx, qtbot, "2日游")]
    assert (chatflow_chat, told.id) in [(h.conversation_id, h.message_id) for h in search(ctx, qtbot, "南京未来三天")]
    assert (plugin_chat, final.id) in [(h.conversation_id, h.message_id) for h in search(ctx, qtbot, "小雨")]

    # File → Export all writes the runs and both chats.
    export(ctx, qtbot, tmp_path / "all.json", None)
    document = json.loads((tmp_path / "all.json").read_text("utf-8"))
    runs = {r["uid"]: r for r in document["workflow_runs"]}
    weather, trip_saved = ctx.store.get_run(weather_run), ctx.store.get_run(trip_run)
    assert weather is not None and trip_saved is not None
    assert set(runs) == {weather.uid, trip_saved.uid}
    assert [p["content"] for p in runs[trip_saved.uid]["parts"] if p["kind"] == "answer"] == ["杭州", "2"]
    texts = {m["text"] for c in document["conversations"] for m in c["messages"]}
    assert told.text in texts and final.text in texts
    export(ctx, qtbot, tmp_path / "all.md", None)
    markdown = (tmp_path / "all.md").read_text("utf-8")
    assert "外套" in markdown and "2日游" in markdown and "小雨，18°C" in markdown and "南京未来三天" in markdown


def test_try_the_demo_again_adds_what_is_new_and_keeps_what_the_user_changed(
    make_app: AppFactory, qtbot: QtBot, memory_keyring: object
) -> None:
    ctx = make_app(None)
    show(ctx, qtbot)
    window = ctx.window
    window.start_demo()
    qtbot.waitUntil(lambda: window.current_bot() is not None, timeout=WAIT_MS)
    # As a user who tried the demo before the workflows were added, with their own changes.
    store = ctx.store
    assert store.remove_workflow("demo-trip", DEMO_BASE_URL)
    assert store.remove_workflow("demo-chatflow", DEMO_BASE_URL)
    store.rename_bot("demo-general", DEMO_BASE_URL, "我的助手")
    store.set_workflow_params("demo-weather", DEMO_BASE_URL, [WorkflowParam("city", "text", "成都")], "")
    weather = store.get_workflow("demo-weather", DEMO_BASE_URL)
    assert weather is not None
    store.save_workflow(dataclasses.replace(weather, label="我的天气"))
    window.workflows.refresh()
    before = len(store.list_workflows())

    window.menus.try_demo_action.trigger()  # Help → Try the demo bot
    qtbot.waitUntil(lambda: len(store.list_workflows()) == before + 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.workflows.panel.workflow_item("demo-trip", DEMO_BASE_URL) is not None, timeout=WAIT_MS)
    assert sorted(w.workflow_id for w in store.list_workflows()) == sorted(s.workflow_id for s in DEMO_WORKFLOWS)
    kept = store.get_workflow("demo-weather", DEMO_BASE_URL)
    assert kept is not None and kept.params == [WorkflowParam("city", "text", "成都")] and kept.label == "我的天气"
    general = store.get_bot("demo-general", DEMO_BASE_URL)
    assert general is not None and general.name == "我的助手"
    chatflow = store.get_workflow("demo-chatflow", DEMO_BASE_URL)
    assert chatflow is not None and (chatflow.kind, chatflow.app_id, chatflow.name) == (
        "chatflow",
        "demo-app",
        CHATFLOW_NAME,
    )
    # Once more: nothing is missing, nothing is added twice, the knowledge bot's chat opens at once.
    window.menus.try_demo_action.trigger()
    assert window.current_bot() is not None and window.current_bot().bot_id == "demo-knowledge"  # type: ignore[union-attr]
    assert len(store.list_workflows()) == len(DEMO_WORKFLOWS)
    assert len(store.list_bots()) == len(DEMO_BOT_IDS)
