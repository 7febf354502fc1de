"""The whole app, built by ``create_app`` on a temp data folder, against the demo server."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext, CrashHandler
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Bot, Conversation, Message, MessageState, Role
from coze_desktop.logs import LOG_FILENAME, crash_report
from coze_desktop.secrets import SERVICE, TokenStore
from coze_desktop.settings import DEMO_BASE_URL, SETTINGS_FILENAME, Settings
from coze_desktop.store import Store
from coze_desktop.ui.demo_setup import DEMO_BOT_IDS
from coze_desktop.ui.dialogs import CrashDialog

from .conftest import WAIT_MS, AppFactory, send, show
from .transfers import export

CLOSED_PORT_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


def button(qtbot: QtBot, widget: QWidget, text: str = "", *, name: str = "") -> QPushButton:
    """The last visible push button inside ``widget`` showing ``text`` (or named ``name``)."""

    def visible() -> list[QPushButton]:
        return [
            b
            for b in widget.findChildren(QPushButton)
            if b.isVisible() and (b.text() == text if text else b.objectName() == name)
        ]

    qtbot.waitUntil(lambda: bool(visible()), timeout=WAIT_MS)
    return visible()[-1]




def shown(ctx: AppContext) -> list[Message]:
    view = ctx.window.message_view
    return [m for m in (view.message(i) for i in view.message_ids()) if m is not None]


# --- the main path ---------------------------------------------------------------------------


def test_answer_streams_with_sources_follow_up_and_reads_back_offline(
    make_app: AppFactory, qtbot: QtBot, tmp_path: Path
) -> None:
    with DemoServer(fast=False) as server:
        ctx = make_app(server)
        show(ctx, qtbot)
        window = ctx.window
        assert window.pages.currentWidget() is not window.welcome
        assert window.composer.blocked_reason() is None
        deltas: list[str] = []
        ctx.controller.delta_received.connect(lambda _c, _m, text, _r: deltas.append(text))
        answer = send(ctx, qtbot, "7 天无理由退货怎么申请？")

        assert answer.state is MessageState.COMPLETE
        assert len(deltas) > 3  # it streamed
        cid = window.current_conversation_id
        assert cid is not None
        on_screen = shown(ctx)
        assert [m.role for m in on_screen] == [Role.USER, Role.ASSISTANT]
        assert on_screen[1].text == answer.text
        cards = window.sources_panel.cards()
        assert len(cards) == 2
        assert "退换货政策.pdf" in cards[0].source.document
        assert (
            cards[1].link is not None and "https://help.example.com/returns/shipping" in cards[1].link.text()
        )
        assert "tokens" in window.last_chat_label.text()
        assert window.conversation_list.model.total() == 1

        follow_up = answer.follow_ups[1]
        with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
            qtbot.mouseClick(button(qtbot, window.message_view, follow_up), Qt.MouseButton.LeftButton)
        second = blocker.args[1]
        assert second.state is MessageState.COMPLETE and second.conversation_id == cid
        saved = ctx.store.messages(cid)
        assert [m.text for m in saved if m.role is Role.USER] == ["7 天无理由退货怎么申请？", follow_up]
        assert saved[3].text == second.text and saved[3].sources == second.sources
        make_app.close(ctx)
    # The server is gone and the token forgotten: everything saved is still there.
    TokenStore().forget(server.url)
    ctx = make_app(None, base_url=CLOSED_PORT_URL)
    show(ctx, qtbot)
    window = ctx.window
    assert window.pages.currentWidget() is not window.welcome
    assert window.conversation_list.model.total() == 1
    with qtbot.waitSignal(window.conversation_list.conversation_activated, timeout=WAIT_MS):
        view = window.conversation_list.list_view
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(0, 0)).center()
        )
    assert window.current_conversation_id == cid
    assert [m.text for m in shown(ctx)] == [m.text for m in saved]
    assert len(window.sources_panel.cards()) == len(saved[3].sources)
    reason = window.composer.blocked_reason()
    assert reason is not None and "token" in reason.lower()

    window.new_chat()
    lst = window.conversation_list
    lst.search_box.setText("退货运费")
    qtbot.waitUntil(lambda: lst.results_model.rowCount() > 0, timeout=WAIT_MS)
    index = lst.results_model.index(0, 0)
    with qtbot.waitSignal(lst.search_hit_activated, timeout=WAIT_MS):
        qtbot.mouseClick(
            lst.results_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=lst.results_view.visualRect(index).center(),
        )
    assert window.current_conversation_id == cid

    for suffix in (".md", ".html", ".json"):
        path = tmp_path / f"export{suffix}"
        export(ctx, qtbot, path, [cid])
        assert "退货运费" in path.read_text(encoding="utf-8")


def test_stop_with_escape_keeps_the_text(make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer) -> None:
    ctx = make_app(demo_paced, bots=("demo-general",))
    show(ctx, qtbot)
    window = ctx.window
    window.composer.set_text("Write me something long")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    assert window.composer.stop_button.isVisible()
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    answer = blocker.args[1]
    assert answer.state is MessageState.STOPPED and answer.text
    assert shown(ctx)[1].state is MessageState.STOPPED and shown(ctx)[1].text == answer.text
    assert ctx.store.get_message(answer.id).state is MessageState.STOPPED
    assert window.composer.send_button.isVisible()


def test_failed_replies_offer_their_fixes(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("fault-401", "fault-4015", "fault-drop"))
    show(ctx, qtbot)
    window = ctx.window

    answer = send(ctx, qtbot, "Hello")  # fault-401: the token is refused
    assert answer.state is MessageState.FAILED and answer.error is not None and answer.error.code == 4100
    assert window.message_view.findChildren(QLabel, "") and any(
        answer.error.message in label.text() for label in window.message_view.findChildren(QLabel)
    )
    qtbot.mouseClick(
        button(qtbot, window.message_view, name="banner_open_settings"), Qt.MouseButton.LeftButton
    )
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    window.settings_dialog.reject()

    window.choose_bot("fault-4015")
    answer = send(ctx, qtbot, "Hello")
    assert answer.error is not None and answer.error.code == 4015 and "API" in answer.error.message
    qtbot.mouseClick(
        button(qtbot, window.message_view, name="banner_publish_help"), Qt.MouseButton.LeftButton
    )
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "Publish" in boxes[0].text()
    boxes[0].close()

    window.choose_bot("fault-drop")
    answer = send(ctx, qtbot, "Hello")
    assert answer.state is MessageState.FAILED and answer.text == "这条回答会在中途断开"
    assert answer.error is not None and "dropped" in answer.error.message.lower()
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(button(qtbot, window.message_view, name="banner_retry"), Qt.MouseButton.LeftButton)
    assert blocker.args[1].id != answer.id
    # The retried answer takes the failed one's place, as its second version.
    assert [m.id for m in shown(ctx)][1] == blocker.args[1].id and len(shown(ctx)) == 2
    assert window.message_view.version_text(blocker.args[1].id) == "2/2"


def test_replies_land_in_their_own_conversation(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced, bots=("demo-general", "demo-reasoning"))
    show(ctx, qtbot)
    window = ctx.window
    finished: list[tuple[int, Message]] = []
    ctx.controller.reply_finished.connect(lambda cid, m: finished.append((cid, m)))

    window.composer.set_text("First conversation")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    first = window.current_conversation_id
    assert first is not None

    window.choose_bot("demo-reasoning")  # a new chat while the first answer is still streaming
    assert window.current_conversation_id is None
    window.composer.set_text("Second conversation")
    qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    second = window.current_conversation_id
    assert second is not None and second != first
    assert set(ctx.controller.streaming_conversations()) == {first, second}  # two at once

    window.open_conversation(first)  # back to the first one mid-answer: the text so far is there
    live = shown(ctx)[1]
    assert live.state is MessageState.STREAMING
    owner = ctx.controller.live(live.id)  # the one copy of the answer being written
    assert owner is not None and live.text == owner.text and live.text
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=WAIT_MS)
    by_conversation = dict(finished)
    assert set(by_conversation) == {first, second}
    assert shown(ctx)[1].text == by_conversation[first].text  # the first answer, whole, on screen
    assert [m.conversation_id for m in ctx.store.messages(second)] == [second, second]
    window.open_conversation(second)
    assert shown(ctx)[1].text == by_conversation[second].text and "reasoning demo" in shown(ctx)[1].text


def test_closing_mid_reply_saves_and_exits_quickly(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced, bots=("demo-general",))
    show(ctx, qtbot)
    ctx.window.composer.set_text("A long answer, please")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(ctx.window.composer.send_button, Qt.MouseButton.LeftButton)
    cid = ctx.window.current_conversation_id
    started = time.monotonic()
    ctx.window.close()
    assert ctx.shutdown()
    assert time.monotonic() - started < 2.0
    make_app.built.remove(ctx)
    qtbot.waitUntil(lambda: ctx.threads.active_count() == 0, timeout=5000)
    with Store.open(make_app.data_dir) as store:
        answer = store.messages(cid)[1]
    assert answer.state is MessageState.STOPPED and answer.text


# --- settings, bots, first run ---------------------------------------------------------------


def test_settings_dialog_round_trip(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, memory_keyring
) -> None:
    ctx = make_app(demo_fast, token=None, bots=("demo-general",))
    show(ctx, qtbot)
    window = ctx.window
    assert "token" in (window.composer.blocked_reason() or "").lower()

    dialog = window.open_settings()
    dialog.token.edit.setText("pat_wrong-token-0123456789")
    dialog.bot_id.setText("demo-general")
    with qtbot.waitSignal(dialog.test_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is False and "token" in blocker.args[1].lower()

    dialog.token.edit.setText(DEMO_TOKEN)
    with qtbot.waitSignal(dialog.test_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is True
    dialog.user_id.setText("tester-1")
    dialog.streaming.setChecked(False)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.send_key.setCurrentIndex(dialog.send_key.findData("ctrl_enter"))
    dialog.font_size.setValue(13)
    dialog.call_limit.setValue(100)
    dialog.proxy.setText("")
    dialog.accept()
    assert not dialog.isVisible()
    assert memory_keyring.store[(SERVICE, demo_fast.url)] == DEMO_TOKEN
    assert window.composer.blocked_reason() is None
    assert window.composer.send_key() == "ctrl_enter"
    assert QApplication.font().pointSize() == 13
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "发送", timeout=WAIT_MS)  # no restart

    answer = send(ctx, qtbot, "Polled, not streamed")  # streaming is off now
    assert answer.state is MessageState.COMPLETE

    reread = Settings(make_app.data_dir / SETTINGS_FILENAME)
    assert (reread.user_id, reread.streaming, reread.theme, reread.language) == (
        "tester-1",
        False,
        "dark",
        "zh_CN",
    )
    assert (reread.send_key, reread.font_size, reread.call_warning_limit) == ("ctrl_enter", 13, 100)
    assert DEMO_TOKEN not in (make_app.data_dir / SETTINGS_FILENAME).read_text(encoding="utf-8")
    ctx.settings.theme = "system"
    ctx.settings.font_size = 0
    ctx.settings.language = "system"  # the translators are application-wide


def test_without_a_keyring_the_token_is_kept_for_the_session(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, token=None, bots=("demo-general",))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert "keyring" in (ctx.window.blocked_reason() or "").lower()
        dialog = ctx.window.open_settings()
        assert dialog.token.session_only.isChecked()  # offered at once
        dialog.token.session_only.setChecked(False)
        dialog.token.edit.setText(DEMO_TOKEN)
        dialog.accept()  # the keyring refuses: the dialog stays open and says why
        assert dialog.isVisible() and dialog.token.session_only.isChecked()
        dialog.accept()
        assert not dialog.isVisible()
        assert ctx.accounts.is_session_only(demo_fast.url)
        assert ctx.window.blocked_reason() is None
    finally:
        keyring.set_keyring(previous)


def test_add_bot_by_id(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    ctx.accounts.count_calls_with(ctx.store.record_api_call, count_local=True)  # the demo stands in for Coze
    show(ctx, qtbot)
    dialog = ctx.window.open_add_bot_dialog()
    dialog.bot_id.setText("no-such-bot")
    with qtbot.waitSignal(dialog.lookup_finished, timeout=WAIT_MS) as blocker:
        dialog._buttons.accepted.emit()
    assert blocker.args[0] is False and dialog.isVisible()
    dialog.bot_id.setText("demo-reasoning")
    with qtbot.waitSignal(dialog.lookup_finished, timeout=WAIT_MS) as blocker:
        dialog._buttons.accepted.emit()
    assert blocker.args[0] is True
    qtbot.waitUntil(lambda: ctx.settings.current_bot_id == "demo-reasoning", timeout=WAIT_MS)
    bot = ctx.store.get_bot("demo-reasoning", demo_fast.url)
    assert bot is not None and bot.prologue
    assert ctx.store.api_calls(demo_fast.url, DEMO_TOKEN) >= 2  # lookups count against the quota too
    assert ctx.window.current_bot() == bot
    assert button(qtbot, ctx.window.message_view, bot.suggested_questions[0])  # the prologue's suggestions
    ctx.window._fill_bots_menu()
    titles = [a.text() for a in ctx.window.menus.bots_menu.actions()]
    assert bot.name in titles


def test_first_run_connect_with_token_and_bot_id(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, memory_keyring
) -> None:
    ctx = make_app(None)
    show(ctx, qtbot)
    welcome = ctx.window.welcome
    assert ctx.window.pages.currentWidget() is welcome
    welcome.region.set_base_url(demo_fast.url)  # a custom address
    welcome.token.edit.setText(DEMO_TOKEN)
    welcome.bot_id.setText("no-such-bot")
    qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: welcome.connect_button.isEnabled() and bool(welcome.status.text()), timeout=WAIT_MS
    )
    assert ctx.window.pages.currentWidget() is welcome  # the bot was not found: still here, saying why
    assert "bot" in welcome.status.text().lower()

    welcome.bot_id.setText("demo-knowledge")
    qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctx.window.pages.currentWidget() is not welcome, timeout=WAIT_MS)
    assert memory_keyring.store[(SERVICE, demo_fast.url)] == DEMO_TOKEN
    assert ctx.settings.base_url == demo_fast.url and ctx.settings.current_bot_id == "demo-knowledge"
    assert ctx.window.composer.blocked_reason() is None
    bot = ctx.store.get_bot("demo-knowledge", demo_fast.url)
    assert bot is not None
    assert button(qtbot, ctx.window.message_view, bot.suggested_questions[0])


def test_first_run_demo_streams_with_sources_and_survives_a_restart(
    make_app: AppFactory, qtbot: QtBot, memory_keyring
) -> None:
    ctx = make_app(None)
    show(ctx, qtbot)
    window = ctx.window
    assert window.pages.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is not window.welcome, timeout=WAIT_MS)
    assert ctx.settings.base_url == DEMO_BASE_URL and ctx.settings.current_bot_id == "demo-knowledge"
    assert {b.bot_id for b in ctx.store.list_bots()} == set(DEMO_BOT_IDS)
    assert all(b.base_url == DEMO_BASE_URL for b in ctx.store.list_bots())
    assert memory_keyring.store == {}  # the demo token is not a secret and stays out of the keyring
    knowledge = ctx.store.get_bot("demo-knowledge", DEMO_BASE_URL)
    assert knowledge is not None
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(
            button(qtbot, window.message_view, knowledge.suggested_questions[0]), Qt.MouseButton.LeftButton
        )
    answer = blocker.args[1]
    assert answer.state is MessageState.COMPLETE and len(window.sources_panel.cards()) == 2
    cid = window.current_conversation_id
    conversation = ctx.store.get_conversation(cid)
    assert conversation is not None and conversation.base_url == DEMO_BASE_URL
    first_url = ctx.demo.endpoint()[0]
    make_app.close(ctx)
    assert ctx.demo._server is None  # stopped on quit

    ctx = make_app(None)  # the demo was in use: it starts again, on a new port
    show(ctx, qtbot)
    assert ctx.demo._server is not None and ctx.demo.endpoint()[0] != first_url
    assert ctx.window.open_conversation(cid)
    again = send(ctx, qtbot, "退货运费谁承担？")  # continues although the new server forgot the conversation
    assert again.state is MessageState.COMPLETE and again.conversation_id == cid


def test_window_geometry_and_splitter_are_restored(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    show(ctx, qtbot)
    ctx.window.menus.sources_action.trigger()  # hide the sources panel
    assert not ctx.window.sources_panel.isVisible()
    qtbot.waitUntil(lambda: ctx.window.minimumSize().width() < 700)  # the layout shrank
    ctx.window.resize(700, 520)  # smaller than the offscreen screen (800×600), which would clamp it
    assert (ctx.window.width(), ctx.window.height()) == (700, 520)
    ctx.window.splitter.setSizes([250, 450, 0])
    sizes = ctx.window.splitter.sizes()
    make_app.close(ctx)
    ctx = make_app(demo_fast, bots=("demo-general",))
    show(ctx, qtbot)
    assert (ctx.window.width(), ctx.window.height()) == (700, 520)
    assert not ctx.window.sources_panel.isVisible() and not ctx.window.menus.sources_action.isChecked()
    assert ctx.window.splitter.sizes()[0] == sizes[0]


def test_api_call_count_warns_near_the_limit(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    ctx.accounts.count_calls_with(ctx.store.record_api_call, count_local=True)  # the demo stands in for Coze
    ctx.window._update_status()
    assert ctx.window.api_calls_label.property("level") == "ok"
    send(ctx, qtbot, "Hello")
    count = ctx.store.api_calls(demo_fast.url, DEMO_TOKEN)
    assert count == 1  # one streamed chat is one API call
    assert "1 / 500" in ctx.window.api_calls_label.text()
    ctx.settings.call_warning_limit = 1
    assert ctx.window.api_calls_label.property("level") == "over"
    send(ctx, qtbot, "Hello again")
    assert "2 / 1" in ctx.window.api_calls_label.text()
    ctx.settings.call_warning_limit = 2
    assert ctx.window.api_calls_label.property("level") == "over"
    ctx.settings.call_warning_limit = 3
    assert ctx.window.api_calls_label.property("level") == "ok"  # 2 < 80 % of 3
    for _ in range(2):
        ctx.store.record_api_call(demo_fast.url, DEMO_TOKEN)  # e.g. calls made by coze-cli
    ctx.settings.call_warning_limit = 5
    assert "4 / 5" in ctx.window.api_calls_label.text()
    assert ctx.window.api_calls_label.property("level") == "warning"  # 4 >= 80 % of 5


def test_shortcuts_and_copy_last_answer(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))
    show(ctx, qtbot)
    answer = send(ctx, qtbot, "Hello")
    qtbot.keyClick(
        ctx.window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert QApplication.clipboard().text() == answer.text
    qtbot.keyClick(ctx.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert ctx.window.conversation_list.search_box.hasFocus()
    qtbot.keyClick(ctx.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert ctx.window.current_conversation_id is None and shown(ctx) == []


# --- no token anywhere it should not be ------------------------------------------------------


def test_a_session_leaves_the_token_nowhere(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    token = "pat_DistinctiveToken7Q2xZ9LmN4vB8kR1"
    ctx = make_app(demo_fast, token=None, bots=("demo-general",))
    show(ctx, qtbot)
    dialog = ctx.window.open_settings()
    dialog.token.edit.setText(token)
    dialog.accept()
    failed = send(ctx, qtbot, "Hello")  # the demo server refuses this token: an error is saved
    assert failed.state is MessageState.FAILED
    logging.getLogger("coze_desktop.test").warning("header was Authorization: Bearer %s", token)
    logging.getLogger("coze_desktop.test").error("token in an error: %s", token)
    try:
        raise RuntimeError(f"request failed with token {token}")
    except RuntimeError as exc:
        logging.getLogger("coze_desktop.test").exception("unexpected")
        report = crash_report(type(exc), exc, exc.__traceback__, ctx.accounts.known_secrets())
    assert token not in report and "RuntimeError" in report
    export(ctx, qtbot, tmp_path / "export.md", [failed.conversation_id])
    export(ctx, qtbot, tmp_path / "export.json", [failed.conversation_id])
    ctx.settings.sync()

    def assert_nowhere() -> list[Path]:
        files = [p for p in make_app.data_dir.rglob("*") if p.is_file()]
        files += [tmp_path / "export.md", tmp_path / "export.json"]
        for path in files:
            data = path.read_bytes()
            assert token.encode() not in data, f"the token is in {path}"
            assert token.encode("utf-16-le") not in data, f"the token is in {path}"
        return files

    names = {p.name for p in assert_nowhere()}  # while the app runs: the WAL file holds the latest writes
    assert {"history.sqlite3-wal", LOG_FILENAME, SETTINGS_FILENAME} <= names
    make_app.close(ctx)
    assert "history.sqlite3" in {p.name for p in assert_nowhere()}
    assert token not in report


def test_crash_dialog_shows_a_report_without_the_token(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    token = "pat_AnotherDistinctiveToken5T6y7U8i9O0"
    ctx = make_app(demo_fast, token=token, bots=("demo-general",))
    ctx.accounts.token(demo_fast.url)
    handler = CrashHandler(ctx)
    try:
        raise ValueError(f"bad value near {token}")
    except ValueError as exc:
        with qtbot.waitSignal(handler.crashed, timeout=WAIT_MS):
            handler.handle_exception(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in ctx.window.findChildren(CrashDialog)), timeout=WAIT_MS)
    dialog = next(d for d in ctx.window.findChildren(CrashDialog) if d.isVisible())
    try:
        raise KeyError(f"in a thread, {token}")
    except KeyError as exc:
        args = threading.ExceptHookArgs([type(exc), exc, exc.__traceback__, threading.current_thread()])
        with qtbot.waitSignal(handler.crashed, timeout=WAIT_MS):
            handler.handle_thread_exception(args)
    qtbot.waitUntil(lambda: "KeyError" in dialog.report.toPlainText(), timeout=WAIT_MS)
    assert [d for d in ctx.window.findChildren(CrashDialog) if d.isVisible()] == [dialog]  # one dialog
    text = dialog.report.toPlainText()
    assert "ValueError" in text and "Coze Desktop" in text and "PySide6" in text
    assert token not in text
    dialog.close()
    log = (ctx.log_folder / LOG_FILENAME).read_text(encoding="utf-8")
    assert "ValueError" in log and token not in log


# --- process-level checks --------------------------------------------------------------------


def test_many_void_qt_calls_do_not_crash(qapp: QApplication) -> None:
    """PySide6 6.12.0 on Python 3.11 dies after ~5,000 calls returning nothing (platform-notes.md)."""
    label = QLabel()
    for i in range(20_000):
        qapp.processEvents()
        label.setText(str(i))
    assert label.text() == "19999"


@pytest.mark.slow
def test_smoke_option_builds_the_window_and_says_so(subprocess_env: dict[str, str], tmp_path: Path) -> None:
    data = Path(subprocess_env["COZE_DESKTOP_DATA_DIR"])
    with Store.open(data) as store:
        store.upsert_bot(Bot(bot_id="b1", name="Bot"))
        conversation = store.create_conversation(Conversation(id=None, bot_id="b1", title="Saved"))
        store.add_message(Message(id=None, conversation_id=conversation.id, role=Role.USER, text="hi"))
    env = {**subprocess_env, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "coze_desktop", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["smoke ok: 1 conversations"]
    assert time.monotonic() - started < 30
    assert (data / SETTINGS_FILENAME).exists() and (data / "logs" / LOG_FILENAME).exists()
    assert os.stat(data).st_mode & 0o077 == 0  # the data folder is private


def test_theme_follows_the_setting(make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer) -> None:
    ctx = make_app(demo_fast, bots=("demo-general",))

    def window_lightness() -> float:
        return QApplication.palette().color(QPalette.ColorRole.Window).lightnessF()

    dark = next(a for a in ctx.window.findChildren(QAction) if a.data() == "dark")
    try:
        dark.trigger()  # View → Theme → Dark
        assert ctx.settings.theme == "dark"
        assert window_lightness() < 0.4
        ctx.settings.theme = "light"
        assert window_lightness() > 0.6
    finally:
        ctx.settings.theme = "system"
    assert window_lightness() > 0.6  # offscreen's system colours are light


def test_startup_probe_reports_when_the_window_is_shown(subprocess_env: dict[str, str], tmp_path: Path) -> None:
    launched = time.monotonic()
    env = {
        **subprocess_env,
        "QT_QPA_PLATFORM": "offscreen",
        "COZE_DESKTOP_STARTUP_PROBE": "1",
        "COZE_DESKTOP_LAUNCHED_AT": repr(launched),
    }
    result = subprocess.run(
        [sys.executable, "-m", "coze_desktop", "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    probe, smoke = result.stdout.splitlines()
    assert smoke == "smoke ok: 0 conversations"
    shown_ms = int(probe.removeprefix("window shown after ").removesuffix(" ms"))
    assert 0 < shown_ms <= (time.monotonic() - launched) * 1000  # measured from the launch, inside it
