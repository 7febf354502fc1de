"""At every window size nothing is cut off: the main window with a cited answer, the sources
panel at 1024×640, the first-run page; in Chinese and in English.

Each test lays the real window out at a size, walks its widget tree with
:func:`tests.gui.clipping.settled_clipping` and saves a screenshot to the test's temp folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Bot, Message, Role
from coze_desktop.settings import SETTINGS_FILENAME, Settings
from coze_desktop.ui.dialogs import fit_to_screen
from coze_desktop.ui.elided import ElidedButton
from coze_desktop.ui.messages import MessageView
from coze_desktop.ui.side_panels import (
    CHAT_MIN_WIDTH,
    CHAT_MIN_WIDTH_CAP,
    SIDEBAR_MIN_WIDTH,
    SOURCES_MIN_WIDTH,
)

from .clipping import save_screenshot, settled_clipping
from .conftest import WAIT_MS, AppFactory

LANGUAGES = ("zh_CN", "en")
SIZES = ((800, 600), (1440, 900))


@pytest.fixture
def app_in(make_app: AppFactory, qtbot: QtBot, data_dir: Path) -> Iterator[Callable[..., AppContext]]:
    """The real app in a language (English is restored afterwards: translators are app-wide)."""
    built: list[AppContext] = []

    def build(language: str, server: DemoServer | None, **kwargs: object) -> AppContext:
        settings = Settings(data_dir / SETTINGS_FILENAME)
        settings.language = language
        settings.sync()
        ctx = make_app(server, **kwargs)
        built.append(ctx)
        return ctx

    try:
        yield build
    finally:
        for ctx in built:
            ctx.appearance.install_translators("en")


def show_at(ctx: AppContext, qtbot: QtBot, width: int, height: int) -> None:
    window = ctx.window
    window.show()
    qtbot.waitExposed(window)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=WAIT_MS)


def resize(ctx: AppContext, qtbot: QtBot, width: int, height: int) -> None:
    window = ctx.window
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.splitter.width() > 0 and window.pages.width() <= window.splitter.width())


def ask(ctx: AppContext, qtbot: QtBot, text: str) -> None:
    ctx.window.composer.set_text(text)
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS):
        ctx.window.composer.send_button.click()


def check(ctx: AppContext, qtbot: QtBot, tmp_path: Path, name: str) -> None:
    """Nothing in the window is cut off; the chat keeps its width; a screenshot is kept."""
    window = ctx.window
    problems = settled_clipping(qtbot, window)
    save_screenshot(window, tmp_path / "screenshots", name)
    assert not problems, name
    if window.pages.isVisible():
        assert window.pages.width() >= CHAT_MIN_WIDTH, name


QUESTIONS = {"zh_CN": "7 天无理由退货怎么申请？", "en": "How do I return an item within 7 days?"}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_window_with_a_cited_answer_is_not_cut_off(
    app_in: Callable[..., AppContext],
    qtbot: QtBot,
    demo_fast: DemoServer,
    tmp_path: Path,
    language: str,
    size: tuple[int, int],
) -> None:
    ctx = app_in(language, demo_fast)
    window = ctx.window
    show_at(ctx, qtbot, *size)
    ask(ctx, qtbot, QUESTIONS[language])
    assert len(window.sources_panel.cards()) == 2
    check(ctx, qtbot, tmp_path, f"main-{language}-{size[0]}")
    panels = window.panels
    if size[0] < 1024:
        # Too narrow for both panels: the sources panel gave way first, behind a toggle.
        assert window.conversation_list.isVisible()
        assert panels.is_collapsed(window.sources_panel) and not window.sources_panel.isVisible()
        assert panels.toolbar.isVisible() and panels.show_sources_action.isVisible()
        panels.show_sources_action.trigger()
        assert window.sources_panel.isVisible() and not window.conversation_list.isVisible()
        assert panels.show_sidebar_action.isVisible() and not panels.show_sources_action.isVisible()
        check(ctx, qtbot, tmp_path, f"main-sources-{language}-{size[0]}")
        resize(ctx, qtbot, window.minimumWidth(), size[1])  # the narrowest window the app allows
        check(ctx, qtbot, tmp_path, f"main-narrowest-{language}")
        follow_ups = [b for b in window.message_view.findChildren(ElidedButton) if b.isVisible()]
        assert follow_ups and all(b.elided_text() == b.text() for b in follow_ups)  # room enough: whole
        assert window.bot_label.elided_text() != window.bot_label.text()  # the long server address gives way
        assert window.bot_label.toolTip() == window.bot_label.text()
    else:
        assert window.sources_panel.isVisible() and window.conversation_list.isVisible()
        assert not panels.toolbar.isVisible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_sources_panel_open_at_1024x640_is_not_cut_off(
    app_in: Callable[..., AppContext], qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, language: str
) -> None:
    ctx = app_in(language, demo_fast)
    window = ctx.window
    show_at(ctx, qtbot, 1024, 640)
    ask(ctx, qtbot, QUESTIONS[language])
    assert window.sources_panel.isVisible() and window.conversation_list.isVisible()
    cards = window.sources_panel.cards()
    assert cards and all(card.title.wordWrap() for card in cards)
    check(ctx, qtbot, tmp_path, f"sources-{language}-1024")
    window.splitter.setSizes([1, 2000, 1])  # both panels dragged as narrow as they go
    qtbot.waitUntil(lambda: window.sources_panel.width() == SOURCES_MIN_WIDTH)
    assert window.conversation_list.width() == SIDEBAR_MIN_WIDTH
    check(ctx, qtbot, tmp_path, f"sources-narrowest-{language}-1024")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_first_run_page_puts_the_demo_first_and_is_not_cut_off(
    app_in: Callable[..., AppContext], qtbot: QtBot, tmp_path: Path, language: str, size: tuple[int, int]
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # the keyring notice shows too: the longest first-run page
    try:
        ctx = app_in(language, None)
        window = ctx.window
        show_at(ctx, qtbot, *size)
        welcome = window.welcome
        assert window.pages.currentWidget() is welcome
        # "Try the demo bot" is the first choice, and the default one.
        demo, connect = welcome.demo_button, welcome.connect_button
        assert (
            demo.mapTo(welcome, demo.rect().topLeft()).y()
            < connect.mapTo(welcome, connect.rect().topLeft()).y()
        )
        assert demo.isDefault() and not connect.isDefault()
        # The keyring notice is one short line; the details open from its link.
        notice = welcome.token.notice()
        assert notice and "Secret Service" not in notice
        assert not welcome.token.notice_details.isVisible()
        check(ctx, qtbot, tmp_path, f"first-run-{language}-{size[0]}")
        welcome.token._notice.linkActivated.emit("#details")
        assert welcome.token.notice_details.isVisible()
        assert "Secret Service" in welcome.token.notice_details.text()
        check(ctx, qtbot, tmp_path, f"first-run-details-{language}-{size[0]}")
        resize(ctx, qtbot, window.minimumWidth(), 480)  # the narrowest, short window: the page scrolls
        assert welcome.scroll_area.verticalScrollBar().maximum() > 0
        check(ctx, qtbot, tmp_path, f"first-run-narrowest-{language}")
    finally:
        keyring.set_keyring(previous)


def test_side_panels_give_way_to_the_chat_and_come_back(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    window, panels = ctx.window, ctx.window.panels
    chats, sources = window.sidebar, window.sources_panel  # the chat list with the workflows under it
    assert window.minimumWidth() <= 800
    show_at(ctx, qtbot, 1440, 900)
    assert chats.isVisible() and sources.isVisible() and not panels.toolbar.isVisible()

    resize(ctx, qtbot, 800, 600)  # the sources panel gives way first
    assert chats.isVisible() and not sources.isVisible() and panels.is_collapsed(sources)
    assert window.pages.width() >= CHAT_MIN_WIDTH
    window.menus.sources_action.trigger()  # View → Sources panel on a folded panel brings it back
    assert sources.isVisible() and not chats.isVisible() and window.menus.sources_action.isChecked()
    panels.show_sidebar_action.trigger()
    assert chats.isVisible() and not sources.isVisible()
    resize(ctx, qtbot, window.minimumWidth(), 600)  # the narrowest window: still the chat and a panel
    assert chats.isVisible() and window.pages.width() >= CHAT_MIN_WIDTH

    panels.show_sources_action.trigger()  # asked for: the chat list gives way instead
    assert sources.isVisible() and not chats.isVisible() and panels.is_collapsed(chats)
    assert window.pages.width() >= CHAT_MIN_WIDTH
    chats.show()  # shown from elsewhere (not through the toggle) counts as asked for too
    assert chats.isVisible() and not sources.isVisible() and panels.is_collapsed(sources)
    assert window.pages.width() >= CHAT_MIN_WIDTH

    resize(ctx, qtbot, 1440, 900)  # room again: both come back, the toggles go
    assert chats.isVisible() and sources.isVisible() and not panels.toolbar.isVisible()
    assert window.pages.width() >= CHAT_MIN_WIDTH

    window.menus.sources_action.trigger()  # View → Sources panel off: hidden, not collapsed
    assert not ctx.settings.sources_panel_visible
    resize(ctx, qtbot, 800, 600)
    assert not sources.isVisible() and not panels.is_collapsed(sources) and not panels.toolbar.isVisible()
    window.menus.sources_action.trigger()  # on again at 800 px: shown, the chat list gives way
    assert sources.isVisible() and not chats.isVisible() and panels.show_sidebar_action.isVisible()


def test_long_suggested_questions_give_way_in_a_narrow_chat(qtbot: QtBot, tmp_path: Path) -> None:
    long_question = (
        "Could you explain in detail how the warranty applies to accessories that were bought "
        "separately from the device, and what I need to send in?"
    )
    bot = Bot(bot_id="b", name="Bot", prologue="Hello!", suggested_questions=[long_question])
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(CHAT_MIN_WIDTH, 600)
    view.show()
    qtbot.waitExposed(view)

    def long_buttons() -> list[QPushButton]:
        return [b for b in view.findChildren(QPushButton) if b.isVisible() and b.text() == long_question]

    view.show_prologue(bot)  # the bot's suggested question
    qtbot.waitUntil(lambda: len(long_buttons()) == 1)
    save_screenshot(view, tmp_path, "narrow-suggestions")
    assert not settled_clipping(qtbot, view)
    answer = Message(
        id=2, conversation_id=1, role=Role.ASSISTANT, text="Yes.", follow_ups=[long_question], created_at=1.0
    )
    view.show_messages([Message(id=1, conversation_id=1, role=Role.USER, text="Hi", created_at=1.0), answer])
    qtbot.waitUntil(lambda: len(long_buttons()) == 1)  # the answer's follow-up
    save_screenshot(view, tmp_path, "narrow-follow-ups")
    assert not settled_clipping(qtbot, view)
    button = long_buttons()[0]
    assert button.width() < button.sizeHint().width()  # cut with "…", the whole question in its tooltip
    assert button.toolTip() == long_question
    with qtbot.waitSignal(view.follow_up_clicked) as blocker:
        button.click()
    assert blocker.args == [long_question]


@pytest.mark.parametrize("language", LANGUAGES)
def test_settings_fit_a_small_screen(
    app_in: Callable[..., AppContext], qtbot: QtBot, demo_fast: DemoServer, tmp_path: Path, language: str
) -> None:
    ctx = app_in(language, demo_fast)
    show_at(ctx, qtbot, 800, 600)
    dialog = ctx.window.open_settings()
    qtbot.waitExposed(dialog)
    area = dialog.scroll_area
    assert dialog.height() <= dialog.screen().availableGeometry().height()
    qtbot.waitUntil(lambda: not area.verticalScrollBar().isVisible())  # room enough: nothing scrolls
    save_screenshot(dialog, tmp_path, f"settings-{language}")
    assert not settled_clipping(qtbot, dialog)
    fit_to_screen(dialog, area, max_height=480)  # as on a screen 480 px high (offscreen's is larger)
    qtbot.waitUntil(lambda: dialog.height() == 480)
    qtbot.waitUntil(lambda: area.verticalScrollBar().isVisible())  # the groups scroll; OK stays in view
    save_screenshot(dialog, tmp_path, f"settings-short-{language}")
    assert not settled_clipping(qtbot, dialog)
    dialog.reject()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_larger_font_widens_the_chat_instead_of_cutting_it(
    app_in: Callable[..., AppContext],
    qtbot: QtBot,
    demo_fast: DemoServer,
    data_dir: Path,
    tmp_path: Path,
    language: str,
) -> None:
    font = QApplication.font()  # the app-wide font is restored for the tests that follow
    try:
        settings = Settings(data_dir / SETTINGS_FILENAME)
        settings.font_size = 14
        settings.sync()
        ctx = app_in(language, demo_fast)
        window = ctx.window
        show_at(ctx, qtbot, 1000, 640)
        ask(ctx, qtbot, QUESTIONS[language])
        # The messages need more than the usual minimum; the chat gets it (panels fold away as needed).
        qtbot.waitUntil(lambda: window.panels.chat_min_width() > CHAT_MIN_WIDTH)
        qtbot.waitUntil(lambda: window.pages.width() >= window.message_view.minimumSizeHint().width())
        check(ctx, qtbot, tmp_path, f"font-14-{language}")
        resize(ctx, qtbot, window.minimumWidth(), 640)
        qtbot.waitUntil(lambda: window.pages.width() >= window.message_view.minimumSizeHint().width())
        check(ctx, qtbot, tmp_path, f"font-14-narrowest-{language}")
    finally:
        QApplication.setFont(font)


def test_a_very_long_bot_name_cannot_widen_the_window_past_a_small_screen(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    window = ctx.window
    show_at(ctx, qtbot, 1000, 640)
    bot = Bot(bot_id="long", name="A bot with a very long name " * 6, base_url=demo_fast.url)
    window.message_view.show_prologue(bot)
    qtbot.waitUntil(lambda: window.panels.chat_min_width() == CHAT_MIN_WIDTH_CAP)
    assert window.minimumWidth() < 1024


def test_events_reaching_a_window_torn_down_by_the_garbage_collector_are_ignored(
    make_app: AppFactory, qtbot: QtBot
) -> None:
    """Python's collector empties the objects of a closed window's reference cycle before Qt
    deletes the widgets, and queued layout events still arrive then (seen as a flaky
    AttributeError on a loaded machine). The filters must let them pass."""
    ctx = make_app(None)
    window = ctx.window
    window.show()
    qtbot.waitExposed(window)
    for owner in (window.panels, window.undo_notice):
        saved = dict(owner.__dict__)
        owner.__dict__.clear()  # what the collector's tp_clear does to a wrapper in a cycle
        try:
            for widget in (window.splitter, window.message_view, window.sources_panel):
                QApplication.sendEvent(widget, QEvent(QEvent.Type.LayoutRequest))
                QApplication.sendEvent(widget, QEvent(QEvent.Type.Resize))
        finally:
            owner.__dict__.update(saved)
