"""The right numbers: the status bar's last answer and API calls, and the Bots menu's tick."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Conversation, Message, MessageState, Role, Usage
from coze_desktop.settings import DEMO_BASE_URL
from coze_desktop.ui.formatting import answer_stats

from .conftest import WAIT_MS, AppFactory, send, show


def last_answer(ctx: AppContext) -> str:
    label = ctx.window.last_chat_label
    return label.text() if label.isVisibleTo(ctx.window) else ""


def saved_chat(ctx: AppContext, bot_id: str, *, tokens: int, seconds: float, base_url: str = "") -> int:
    """A conversation with one answered question, saved directly (its numbers known exactly)."""
    conversation = ctx.store.create_conversation(
        Conversation(id=None, bot_id=bot_id, base_url=base_url or ctx.settings.base_url, title=f"{tokens}")
    )
    assert conversation.id is not None
    at = time.time()
    for role, text in ((Role.USER, "question"), (Role.ASSISTANT, "answer")):
        ctx.store.add_message(
            Message(
                id=None,
                conversation_id=conversation.id,
                role=role,
                type="answer" if role is Role.ASSISTANT else "question",
                text=text,
                created_at=at,
                usage=Usage(token_count=tokens) if role is Role.ASSISTANT else None,
                duration=seconds if role is Role.ASSISTANT else None,
            )
        )
    return conversation.id


def ticked(ctx: AppContext) -> list[str]:
    return [str(a.data()) for a in ctx.window.menus.bots_menu.actions() if a.isCheckable() and a.isChecked()]


# --- the last answer -----------------------------------------------------------------------------


def test_last_answer_belongs_to_the_conversation_on_screen(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    show(ctx, qtbot)
    window = ctx.window
    big = saved_chat(ctx, "demo-general", tokens=12345, seconds=2.5)
    small = saved_chat(ctx, "demo-general", tokens=7, seconds=0.4)
    assert last_answer(ctx) == ""  # a new chat has no answer yet

    window.open_conversation(big)
    expected = "Last answer: " + " · ".join(answer_stats(ctx.store.messages(big)[1]))
    assert last_answer(ctx) == expected
    assert "2.5 s" in expected and "tokens" in expected  # formatted by the message footer's formatter
    window.open_conversation(small)
    assert last_answer(ctx) == "Last answer: 0.4 s · 7 tokens"

    answer = send(ctx, qtbot, "Hello")  # an answer in the conversation on screen shows at once
    assert answer.state is MessageState.COMPLETE
    assert last_answer(ctx) == "Last answer: " + " · ".join(answer_stats(answer))

    window.new_chat()  # switching to a chat without answers clears it
    assert last_answer(ctx) == ""
    window.open_conversation(big)
    assert last_answer(ctx) == expected


def test_last_answer_after_stop_says_stopped_and_ignores_other_chats(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced, bots=("demo-general",))
    show(ctx, qtbot)
    window = ctx.window
    other = saved_chat(ctx, "demo-general", tokens=99, seconds=1.5)

    window.composer.set_text("Write me something long")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    streaming = window.current_conversation_id
    window.open_conversation(other)  # the answer goes on in the background
    assert last_answer(ctx) == "Last answer: 1.5 s · 99 tokens"
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args[0] == streaming
    assert last_answer(ctx) == "Last answer: 1.5 s · 99 tokens"  # not the other chat's answer

    window.open_conversation(streaming)
    window.composer.set_text("And another long one")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    stopped = blocker.args[1]
    assert stopped.state is MessageState.STOPPED
    text = last_answer(ctx)
    assert text.startswith("Last answer: stopped") and "0 tokens" not in text
    assert text == " · ".join(["Last answer: stopped", *answer_stats(stopped)])

    window.open_conversation(other)
    window.open_conversation(streaming)  # read back from the store, it still says stopped
    assert last_answer(ctx).startswith("Last answer: stopped")


def test_last_answer_in_chinese(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    ctx.settings.language = "zh_CN"
    make_app.close(ctx)
    ctx = make_app(demo_fast, bots=("demo-general",))
    try:
        show(ctx, qtbot)
        conversation = saved_chat(ctx, "demo-general", tokens=42, seconds=3.0)
        ctx.window.open_conversation(conversation)
        assert last_answer(ctx) == "上次回答：3.0 秒 · 42 Tokens"  # the footer's words and format
    finally:
        ctx.appearance.install_translators("en")  # translators are application-wide


# --- API calls -----------------------------------------------------------------------------------


def test_the_demo_server_uses_no_api_calls(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    show(ctx, qtbot)
    send(ctx, qtbot, "Hello")
    assert ctx.store.api_calls(demo_fast.url, DEMO_TOKEN) == 0  # a server on this machine is free
    label = ctx.window.api_calls_label
    assert label.text() == "API calls this month: –" and "not counted" in label.toolTip()


# --- the Bots menu -------------------------------------------------------------------------------


def test_bots_menu_ticks_the_bot_of_the_conversation_on_screen_after_a_restart(
    make_app: AppFactory, qtbot: QtBot, memory_keyring: object
) -> None:
    ctx = make_app(None)
    show(ctx, qtbot)
    window = ctx.window
    window.start_demo()
    qtbot.waitUntil(lambda: ticked(ctx) == ["demo-knowledge"], timeout=WAIT_MS)
    reasoning = saved_chat(ctx, "demo-reasoning", tokens=5, seconds=1.0, base_url=DEMO_BASE_URL)
    window.open_conversation(reasoning)
    assert ticked(ctx) == ["demo-reasoning"]  # the conversation on screen talks to this bot
    general = next(a for a in window.menus.bots_menu.actions() if a.data() == "demo-general")
    general.trigger()  # as a click in the menu does
    assert window.current_conversation_id is None and ticked(ctx) == ["demo-general"]
    make_app.close(ctx)

    ctx = make_app(None)  # a restart on the same data folder
    show(ctx, qtbot)
    qtbot.waitUntil(lambda: ticked(ctx) == ["demo-general"])  # before the menu is ever opened
    ctx.window.open_conversation(reasoning)
    assert ticked(ctx) == ["demo-reasoning"]
    ctx.window.new_chat()
    assert ticked(ctx) == ["demo-general"]
