"""Habits users bring from other chat apps (issue #9, item 8), in the real app against the demo server.

Import from the File menu, the language applied without a restart, the bot picker in the chat
header, the demo one click away after "Skip", a message when no browser opens a link, and a
notice when Coze had forgotten a conversation.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from coze_desktop import cli
from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Bot, Conversation, Message, MessageState, Role, Source
from coze_desktop.export import ConversationExport, to_json
from coze_desktop.settings import DEMO_BASE_URL
from coze_desktop.store import Store
from coze_desktop.ui.chat_header import ChatHeader
from coze_desktop.ui.dialogs import show_link_failed
from coze_desktop.ui.markdown import open_web_link

from .conftest import DEMO_BOTS, WAIT_MS, AppFactory, send, show
from .transfers import export


def posted(ctx: AppContext) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    ctx.window.messages.posted.connect(lambda level, text: said.append((level, text)))
    return said


def menu_action(ctx: AppContext, menu_title: str, text: str) -> QAction:
    for top in ctx.window.menuBar().actions():
        if top.text() == menu_title and top.menu() is not None:
            for action in top.menu().actions():
                if action.text() == text:
                    return action
    raise AssertionError(f"no {text!r} in the {menu_title!r} menu")


def language_action(ctx: AppContext, value: str) -> QAction:
    """The View → Language entry for ``value`` (the menus are rebuilt on a language change)."""
    return next(a for a in ctx.window.menus.language_group.actions() if a.data() == value)


def list_rows(ctx: AppContext) -> int:
    return ctx.window.conversation_list.model.rowCount()


# --- import ------------------------------------------------------------------------------------


def _export_file(folder: Path) -> Path:
    """A JSON export written by the store's export code from a store of its own."""
    with Store.open(folder / "elsewhere") as other:
        bot = Bot(bot_id="imported-bot", base_url="https://api.coze.cn", name="Imported bot")
        other.upsert_bot(bot)
        conversation = other.create_conversation(
            Conversation(id=None, bot_id=bot.bot_id, base_url=bot.base_url, title="Trip to Hangzhou")
        )
        assert conversation.id is not None
        for role, text in ((Role.USER, "Where to stay?"), (Role.ASSISTANT, "Near the West Lake.")):
            other.add_message(
                Message(
                    id=None,
                    conversation_id=conversation.id,
                    role=role,
                    type="question" if role is Role.USER else "answer",
                    text=text,
                    state=MessageState.COMPLETE,
                )
            )
        items = [ConversationExport(conversation, other.messages(conversation.id), bot)]
        path = folder / "export.json"
        path.write_text(to_json(items), encoding="utf-8")
    return path


def test_import_from_the_file_menu_reports_and_lists(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _export_file(tmp_path)
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    said = posted(ctx)
    before = list_rows(ctx)
    chosen: list[Path] = [path]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(chosen[0]), ""))

    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        menu_action(ctx, "&File", "&Import…").trigger()
    assert list_rows(ctx) == before + 1  # the list shows it at once
    titles = [s.conversation.title for s in ctx.store.list_conversations()]
    assert "Trip to Hangzhou" in titles
    assert ctx.window.last_import_report.startswith(
        "Imported 1 conversation(s) (2 messages) from export.json; 0 already there; 0 skipped."
    )
    assert said[-1] == ("info", ctx.window.last_import_report)

    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        ctx.window.menus.import_action.trigger()  # the same file again adds nothing, and says so
    assert list_rows(ctx) == before + 1
    assert "0 conversation(s)" in said[-1][1] and "1 already there" in said[-1][1]

    broken = dict(json.loads(path.read_text(encoding="utf-8")))
    broken["conversations"] = [{"uid": "x", "messages": "not a list"}, *broken["conversations"]]
    broken["conversations"][1] = {**broken["conversations"][1], "uid": "another-uid"}
    chosen[0] = tmp_path / "partly.json"
    chosen[0].write_text(json.dumps(broken), encoding="utf-8")
    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        ctx.window.menus.import_action.trigger()  # one readable conversation, one skipped with its reason
    level, text = said[-1]
    assert level == "warning" and "1 conversation(s)" in text and "1 skipped" in text
    assert "Skipped: conversation" in ctx.window.last_import_report
    assert list_rows(ctx) == before + 2

    chosen[0] = tmp_path / "notes.json"
    chosen[0].write_text("[1, 2]", encoding="utf-8")
    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        ctx.window.menus.import_action.trigger()
    level, text = said[-1]
    assert level == "error" and "notes.json cannot be imported" in text and "Not a Coze Desktop export" in text
    assert list_rows(ctx) == before + 2  # nothing lost, nothing added


# --- language ----------------------------------------------------------------------------------


def _menu_titles(ctx: AppContext) -> list[str]:
    return [action.text() for action in ctx.window.menuBar().actions()]


def test_language_applies_at_once_even_while_an_answer_streams(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced)
    ctx.settings.language = "en"
    show(ctx, qtbot)
    window = ctx.window
    first = send(ctx, qtbot, "What is in the knowledge base?")
    assert _menu_titles(ctx)[0] == "&File"
    assert window.composer.input.placeholderText().startswith("Ask anything")
    assert window.last_chat_label.text().startswith("Last answer")

    window.composer.set_text("Tell me more")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS):
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    assert ctx.controller.is_streaming(window.current_conversation_id)
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as finished:
        language_action(ctx, "zh_CN").trigger()
        qtbot.waitUntil(lambda: _menu_titles(ctx)[0] == "文件(&F)", timeout=WAIT_MS)
        # every visible part follows, while the answer is still being written
        assert _menu_titles(ctx) == ["文件(&F)", "编辑(&E)", "视图(&V)", "智能体(&B)", "设置(&S)", "帮助(&H)"]
        assert window.composer.input.placeholderText().startswith("输入你的问题")
        assert window.composer.stop_button.text() == "停止"
        assert window.conversation_list.search_box.placeholderText() == "搜索全部对话"
        assert window.sources_panel._heading.text() == "引用来源"
        assert window.api_calls_label.text().startswith("本月 API 调用")
        assert window.last_chat_label.text().startswith("上次回答")
        assert window.chat_header.bot_button.toolTip().endswith("选择、重命名或移除智能体")

        def shown_buttons() -> set[str]:  # the rebuilt messages show on the next pass of the loop
            return {b.text() for b in window.message_view.findChildren(QToolButton) if b.isVisible()}

        qtbot.waitUntil(lambda: "复制" in shown_buttons(), timeout=WAIT_MS)
        actions = shown_buttons()
        assert "Copy" not in actions  # the messages' actions
        assert not [text for text in actions if "source" in text]  # and footers ("N sources")
    answer = finished.args[1]
    assert answer.state is MessageState.COMPLETE
    # the answer kept streaming into the rebuilt view: all of its text is there, once
    assert window.message_view.message(answer.id).text == answer.text
    assert window.message_view.message_ids()[-1] == answer.id
    assert first.id in window.message_view.message_ids()
    assert ctx.settings.language == "zh_CN"
    dialog = window.open_settings()  # dialogs opened later speak the new language too
    try:
        assert dialog.windowTitle() == "设置"
    finally:
        dialog.reject()

    trash = window.open_trash()  # a window left open follows a switch too
    assert trash.windowTitle() == "最近删除"
    language_action(ctx, "en").trigger()
    qtbot.waitUntil(lambda: _menu_titles(ctx)[0] == "&File", timeout=WAIT_MS)
    assert window.composer.send_button.text() == "Send"
    assert (trash.windowTitle(), trash.restore_button.text()) == ("Recently deleted", "Restore")
    assert window.undo_notice.undo_button.text() == "Undo"
    trash.close()


# --- bot picker --------------------------------------------------------------------------------


def test_bot_picker_switches_renames_and_removes_and_a_removed_bots_chat_stays_readable(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window, header = ctx.window, ctx.window.chat_header
    knowledge = ctx.store.get_bot("demo-knowledge", demo_fast.url)
    assert knowledge is not None
    assert header.bot_name_shown() == knowledge.name
    assert header.bot_button.isVisible() and not header.demo_button.isVisible()

    # switch: the picker lists the region's bots, ticks the one new chats use
    actions = header.bot_actions()
    assert {a.data() for a in actions} == {"bot:" + b for b in DEMO_BOTS}
    assert [a.isChecked() for a in actions if a.data() == "bot:demo-knowledge"] == [True]
    next(a for a in actions if a.data() == "bot:demo-reasoning").trigger()
    assert ctx.settings.current_bot_id == "demo-reasoning"
    assert window.current_bot() is not None and window.current_bot().bot_id == "demo-reasoning"
    assert header.bot_name_shown() == ctx.store.get_bot("demo-reasoning", demo_fast.url).name
    next(a for a in header.bot_actions() if a.data() == "bot:demo-knowledge").trigger()

    answer = send(ctx, qtbot, "What is in the knowledge base?")
    cid = window.current_conversation_id
    assert cid is not None

    # rename: a local display name, shown at once
    header.rename_action().trigger()
    dialog = window.bot_picker.rename_dialog
    assert dialog is not None
    dialog.setTextValue("   ")
    dialog.accept()  # an empty name is refused and changes nothing
    assert ctx.store.get_bot("demo-knowledge", demo_fast.url).name == knowledge.name
    header.rename_action().trigger()
    dialog = window.bot_picker.rename_dialog
    assert dialog is not None
    dialog.setTextValue("My handbook")
    dialog.accept()
    assert ctx.store.get_bot("demo-knowledge", demo_fast.url).name == "My handbook"
    assert header.bot_name_shown() == "My handbook"
    assert "My handbook" in window.bot_label.text()

    # remove: the chat stays open and readable, sending says why not and offers to add it again
    said = posted(ctx)
    header.remove_action().trigger()
    assert ctx.store.get_bot("demo-knowledge", demo_fast.url) is None
    assert ctx.settings.current_bot_id != "demo-knowledge"
    assert window.current_conversation_id == cid
    assert header.readd_button.isVisible()
    assert not header.remove_action().isEnabled()
    reason = window.composer.blocked_reason()
    assert reason is not None and "removed" in reason and "Add it again" in reason
    assert window.send("One more question") is False
    assert said[-1][0] == "warning" and "removed" in said[-1][1]
    assert "demo-knowledge" not in [a.data().removeprefix("bot:") for a in header.bot_actions()]

    window.new_chat()  # a new chat talks to a bot still on the list
    assert window.current_bot() is not None and window.current_bot().bot_id != "demo-knowledge"
    assert window.open_conversation(cid)
    assert answer.id in window.message_view.message_ids()
    assert window.message_view.message(answer.id).text == answer.text
    exported = tmp_path / "removed.json"
    export(ctx, qtbot, exported, [cid])
    assert answer.text in json.loads(exported.read_text(encoding="utf-8"))["conversations"][0]["messages"][1]["text"]

    # add it again from the header: the chat can go on
    qtbot.mouseClick(header.readd_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctx.store.get_bot("demo-knowledge", demo_fast.url) is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.composer.blocked_reason() is None, timeout=WAIT_MS)
    assert not header.readd_button.isVisible()
    assert send(ctx, qtbot, "And now?").state is MessageState.COMPLETE


# --- the demo after "Skip" ---------------------------------------------------------------------


def test_after_skip_the_demo_is_one_click_away(make_app: AppFactory, qtbot: QtBot) -> None:
    ctx = make_app()  # no bot, no token: the first-run screen
    show(ctx, qtbot)
    window = ctx.window
    assert window.pages.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.skip_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is not window.welcome
    header = window.chat_header
    assert header.demo_button.isVisible() and header.demo_button.text() == "Try the demo bot"
    assert window.menus.try_demo_action.text() == "Try the &demo bot"
    assert menu_action(ctx, "&Help", "Try the &demo bot") is window.menus.try_demo_action

    window.menus.try_demo_action.trigger()
    qtbot.waitUntil(lambda: ctx.store.get_bot("demo-knowledge", DEMO_BASE_URL) is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.current_bot() is not None, timeout=WAIT_MS)
    assert window.current_bot().bot_id == "demo-knowledge"
    assert window.pages.currentWidget() is not window.welcome
    assert not header.demo_button.isVisible()
    assert window.composer.blocked_reason() is None
    assert send(ctx, qtbot, "What is in the knowledge base?").state is MessageState.COMPLETE


def test_the_first_run_page_follows_a_language_switch_and_keeps_what_was_typed(
    make_app: AppFactory, qtbot: QtBot
) -> None:
    ctx = make_app()  # no bot, no token: the first-run screen
    ctx.settings.language = "en"
    show(ctx, qtbot)
    window = ctx.window
    assert window.welcome.demo_button.text() == "Try the demo bot"
    window.welcome.region.set_base_url("https://api.coze.com")
    window.welcome.token.edit.setText("pat_typed_not_saved")
    window.welcome.bot_id.setText("7350000000000000001")
    language_action(ctx, "zh_CN").trigger()
    qtbot.waitUntil(lambda: window.welcome.demo_button.text() == "试用演示智能体", timeout=WAIT_MS)
    page = window.welcome
    assert window.pages.currentWidget() is page  # still on screen, now in Chinese
    assert page.region.base_url() == "https://api.coze.com"
    assert page.token.edit.text() == "pat_typed_not_saved"
    assert page.bot_id.text() == "7350000000000000001"


def test_empty_state_demo_button_starts_the_demo(make_app: AppFactory, qtbot: QtBot) -> None:
    ctx = make_app()
    show(ctx, qtbot)
    window = ctx.window
    window.welcome.skipped.emit()
    qtbot.mouseClick(window.chat_header.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_bot() is not None, timeout=WAIT_MS)
    assert window.current_bot().bot_id == "demo-knowledge"
    assert window.current_bot().base_url == DEMO_BASE_URL


# --- links -------------------------------------------------------------------------------------


def test_a_link_no_browser_can_open_says_so_with_the_url(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    said = posted(ctx)
    opened: list[str] = []

    def no_browser(url: QUrl) -> bool:
        opened.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", no_browser)
    url = "https://example.com/handbook/chapter-2"
    ctx.window.sources_panel.show_sources(
        [Source(document="Handbook", slice="Chapter 2", url=url, score=0.9)]
    )
    card = ctx.window.sources_panel.cards()[0]
    link = next(label for label in card.findChildren(type(card.passage)) if url in label.text())
    link.linkActivated.emit(url)  # as clicking the card's link does
    assert opened == [url]
    assert said and said[-1][0] == "warning"
    assert "No web browser" in said[-1][1] and url in said[-1][1]

    assert open_web_link("https://example.com/other") is False  # Markdown links take the same path
    assert "https://example.com/other" in said[-1][1]


def test_the_link_failed_box_shows_and_copies_the_url(qtbot: QtBot, qapp: object) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    url = "https://example.com/a?b=1"
    box = show_link_failed(parent, url)
    assert box.informativeText() == url
    assert box.defaultButton() is box.escapeButton() is box.button(QMessageBox.StandardButton.Close)
    copy = next(b for b in box.buttons() if b.text() == "Copy link")
    copy.click()
    assert QGuiApplication.clipboard().text() == url
    if box.isVisible():
        box.done(QMessageBox.StandardButton.Close)


# --- Coze forgot the conversation --------------------------------------------------------------


def test_a_new_coze_conversation_is_noted_in_the_chat(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window, header = ctx.window, ctx.window.chat_header
    send(ctx, qtbot, "What is in the knowledge base?")
    cid = window.current_conversation_id
    assert cid is not None
    assert header.notice() == "" and not header.notice_label.isVisible()
    ctx.store.set_coze_conversation_id(cid, "7000000000000000001")  # one the server never had

    with qtbot.waitSignal(ctx.controller.coze_conversation_restarted, timeout=WAIT_MS) as restarted:
        answer = send(ctx, qtbot, "Tell me more")
    assert restarted.args[0] == cid
    assert answer.state is MessageState.COMPLETE  # no error box: the answer came
    assert "new one was started" in header.notice() and header.notice_label.isVisible()
    conversation = ctx.store.get_conversation(cid)
    assert conversation is not None and conversation.coze_conversation_id not in (None, "7000000000000000001")

    window.new_chat()
    assert header.notice() == ""
    window.open_conversation(cid)  # kept while the conversation is open, and when it is open again
    assert "new one was started" in header.notice()


def test_the_header_elides_a_long_bot_name_instead_of_widening_the_chat(qtbot: QtBot) -> None:
    header = ChatHeader()
    qtbot.addWidget(header)
    name = "A very long bot name that would never fit next to the buttons " * 3
    bot = Bot(bot_id="long", name=name)
    header.show_bot(bot, choices=[bot], new_chat_bot_id="long")
    header.resize(320, 40)
    header.show()
    qtbot.waitExposed(header)
    assert header.minimumSizeHint().width() < 200
    assert header.bot_name_shown() == name
    assert header.bot_button.text().endswith("…") and len(header.bot_button.text()) < len(name)
    assert name in header.bot_button.toolTip()
    header.show_bot(bot, removed=True, choices=[], new_chat_bot_id="")
    assert header.readd_button.isVisible() and not header.remove_action().isEnabled()


# --- export ------------------------------------------------------------------------------------


def test_export_all_from_the_file_menu_is_what_coze_cli_export_all_writes(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    for n, title in enumerate(("oldest", "pinned", "newest")):
        conversation = ctx.store.create_conversation(
            Conversation(
                id=None,
                bot_id="demo-knowledge",
                base_url=demo_fast.url,
                title=title,
                created_at=1_700_000_000.0 + n,
                pinned=title == "pinned",
            )
        )
        assert conversation.id is not None
        ctx.store.add_message(
            Message(id=None, conversation_id=conversation.id, role=Role.USER, type="question", text=f"{title}?")
        )
    said = posted(ctx)
    path = tmp_path / "all.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(path), ""))

    with qtbot.waitSignal(ctx.window.transfers.finished, timeout=WAIT_MS):
        menu_action(ctx, "&File", "Export &all conversations and workflow runs…").trigger()
    assert said[-1] == ("info", f"Exported to {path}")
    from_window = json.loads(path.read_text(encoding="utf-8"))["conversations"]
    assert [c["title"] for c in from_window] == ["oldest", "pinned", "newest"]  # oldest first, as the CLI
    assert not list(tmp_path.glob("*.part"))

    # coze-cli goes the same path through the store: the same conversations, the same order.
    cli_path = tmp_path / "cli.json"
    args = cli.build_parser().parse_args(
        ["export", "--all", "--format", "json", "-o", str(cli_path), "--data-dir", str(make_app.data_dir)]
    )
    assert cli.cmd_export(args, io.StringIO(), io.StringIO()) == cli.EXIT_OK
    assert json.loads(cli_path.read_text(encoding="utf-8"))["conversations"] == from_window


def test_an_export_made_while_an_answer_streams_has_its_text_so_far(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No checkpoint reaches the database: what the export shows can only come from the live reply.
    monkeypatch.setattr(Store, "_save_checkpoint", lambda *_args: None)
    ctx = make_app(demo_paced)
    show(ctx, qtbot)
    window = ctx.window
    window.composer.set_text("What is in the knowledge base?")
    with qtbot.waitSignal(ctx.controller.delta_received, timeout=WAIT_MS) as first:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    conversation_id, message_id = first.args[0], first.args[1]
    live = ctx.controller.live(message_id)
    assert live is not None and ctx.controller.is_streaming(conversation_id)
    saved = ctx.store.get_message(message_id)
    assert saved is not None and saved.text == ""  # nothing checkpointed
    so_far = ctx.controller.with_live(saved).text
    assert so_far
    path = tmp_path / "streaming.md"
    export(ctx, qtbot, path, [conversation_id])
    assert so_far in path.read_text(encoding="utf-8")
