"""ConversationListView: paging, search with escaped highlights, rename/pin/delete."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette, QTextDocument
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Conversation, Message, Role
from coze_desktop.store import Store
from coze_desktop.ui import theme
from coze_desktop.ui.appearance import dark_palette
from coze_desktop.ui.conversation_list import (
    PAGE_SIZE,
    BotNameRole,
    ConversationIdRole,
    ConversationListModel,
    ConversationListView,
    MessageIdRole,
    PreviewRole,
    SnippetHtmlRole,
    StreamingRole,
    TitleRole,
    snippet_document,
)
from coze_desktop.ui.formatting import short_time


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history") as opened:
        yield opened


def add_conversation(
    store: Store, title: str, *texts: str, when: float | None = None, bot_id: str = "bot"
) -> int:
    when = time.time() if when is None else when
    conversation = store.create_conversation(
        Conversation(id=None, bot_id=bot_id, title=title, created_at=when, updated_at=when)
    )
    assert conversation.id is not None
    for text in texts:
        store.add_message(
            Message(id=None, conversation_id=conversation.id, role=Role.USER, text=text, created_at=when)
        )
    return conversation.id


@pytest.fixture
def view(qtbot: QtBot, store: Store) -> ConversationListView:
    widget = ConversationListView(store)
    qtbot.addWidget(widget)
    widget.resize(300, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ids_in_view(view: ConversationListView) -> list[int]:
    model = view.model
    return [model.index(row).data(ConversationIdRole) for row in range(model.rowCount())]


def test_pages_through_a_thousand_conversations(qtbot: QtBot, store: Store, qtmodeltester: object) -> None:
    base = time.time() - 10_000
    for number in range(1000):
        add_conversation(store, f"Chat {number}", when=base + number)
    model = ConversationListModel(store)
    assert model.total() == 1000
    assert model.rowCount() == PAGE_SIZE
    assert model.index(0).data() == "Chat 999"  # newest first
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE_SIZE
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 1000
    assert len({model.index(row).data(ConversationIdRole) for row in range(1000)}) == 1000
    qtmodeltester.check(ConversationListModel(store))  # type: ignore[attr-defined]


def test_view_fetches_more_as_it_scrolls(qtbot: QtBot, store: Store) -> None:
    for number in range(450):
        add_conversation(store, f"Chat {number}", when=1_700_000_000 + number)
    widget = ConversationListView(store)
    qtbot.addWidget(widget)
    widget.resize(300, 400)
    widget.show()
    assert widget.list_view.uniformItemSizes()
    assert widget.model.rowCount() == PAGE_SIZE
    bar = widget.list_view.verticalScrollBar()
    while widget.model.rowCount() < 450:
        rows = widget.model.rowCount()
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda rows=rows: widget.model.rowCount() > rows)  # the next page came in
        qtbot.waitUntil(lambda: bar.maximum() > bar.value())  # and is laid out: the next scroll moves
    assert widget.model.rowCount() == 450


def test_rows_show_title_bot_time_pin_and_tooltip(view: ConversationListView, store: Store) -> None:
    first = add_conversation(store, "", "最后一条消息 preview", bot_id="b1")
    pinned = add_conversation(store, "Pinned one", bot_id="b2", when=time.time() - 86_400 * 30)
    store.set_pinned(pinned, True)
    view.set_bot_names({"b1": "旅行助手"})
    view.refresh()
    assert ids_in_view(view) == [pinned, first]  # pinned first
    index = view.model.index(1)
    assert index.data() == "Untitled chat"
    assert index.data(BotNameRole) == "旅行助手"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "1 messages\n最后一条消息 preview"
    assert "pinned" in view.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    view.set_bot_names(lambda bot_id: bot_id.upper())
    assert view.model.index(0).data(BotNameRole) == "B2"


def test_short_time() -> None:
    now = time.mktime((2026, 5, 20, 15, 0, 0, 0, 0, -1))
    assert ":" in short_time(now - 3600, now) or "." in short_time(now - 3600, now)
    assert short_time(now - 86_400, now) == "Yesterday"
    assert short_time(0, now) == ""


def test_activation_is_emitted_for_user_choices_only(
    qtbot: QtBot, view: ConversationListView, store: Store
) -> None:
    older = add_conversation(store, "Older", when=time.time() - 100)
    newer = add_conversation(store, "Newer")
    view.refresh()
    with qtbot.assertNotEmitted(view.conversation_activated):
        view.select_conversation(older)
    assert view.current_conversation_id() == older
    rect = view.list_view.visualRect(view.model.index(0))
    with qtbot.waitSignal(view.conversation_activated) as blocker:
        qtbot.mouseClick(view.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [newer]
    # A refresh (the store changed) keeps the selection and emits nothing.
    newest = add_conversation(store, "Newest")
    with qtbot.assertNotEmitted(view.conversation_activated):
        view.refresh()
    assert view.current_conversation_id() == newer
    assert ids_in_view(view)[0] == newest
    view.select_conversation(None)
    assert view.current_conversation_id() is None


def test_new_chat_button(qtbot: QtBot, view: ConversationListView) -> None:
    with qtbot.waitSignal(view.new_chat_requested):
        qtbot.mouseClick(view.new_chat_button, Qt.MouseButton.LeftButton)


def test_search_with_a_two_character_chinese_query(
    qtbot: QtBot, view: ConversationListView, store: Store
) -> None:
    plain = add_conversation(store, "北京旅行", "我们下周去北京看故宫")
    tricky = add_conversation(store, "<b>x</b> & co", "<b>x</b> 北京 <i>y</i>")
    add_conversation(store, "Other", "nothing to see")
    view.refresh()
    assert view.search_box.placeholderText() == "Search all chats"
    view.search_box.setText("北京")
    results = view.results_model
    qtbot.waitUntil(lambda: results.rowCount() == 2)
    assert view.results_view.isVisible()
    rows = {results.index(row).data(ConversationIdRole): results.index(row) for row in range(2)}
    assert set(rows) == {plain, tricky}
    html = rows[tricky].data(SnippetHtmlRole)
    assert "<b>北京</b>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;i&gt;y&lt;/i&gt;" in html
    assert "<b>x</b>" not in html and "<i>y</i>" not in html
    rendered = QTextDocument()
    rendered.setHtml(html)
    assert "<b>x</b> 北京 <i>y</i>" in rendered.toPlainText()  # shown literally
    assert rows[tricky].data(TitleRole) == "<b>x</b> & co"  # drawn as plain text
    # Activating a hit gives the conversation and the message.
    message_id = rows[tricky].data(MessageIdRole)
    with qtbot.waitSignal(view.search_hit_activated) as blocker:
        rect = view.results_view.visualRect(rows[tricky])
        qtbot.mouseClick(view.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [tricky, message_id]
    # Esc in the search box goes back to the list.
    qtbot.keyClick(view.search_box, Qt.Key.Key_Escape)
    assert view.search_box.text() == ""
    assert view.list_view.isVisible() and not view.results_view.isVisible()


def test_search_without_hits_says_so(qtbot: QtBot, view: ConversationListView, store: Store) -> None:
    add_conversation(store, "Chat", "hello")
    view.search_box.setText("zzzz")
    qtbot.waitUntil(lambda: "No messages match" in view.no_results_label.text())
    view.search_box.clear()
    assert view.list_view.isVisible()


def test_delete_asks_then_moves_to_the_trash(qtbot: QtBot, view: ConversationListView, store: Store) -> None:
    keep = add_conversation(store, "Keep", when=time.time() - 10)
    doomed = add_conversation(store, "Doomed", "bye")
    view.refresh()
    view.select_conversation(doomed)
    answers = [False, True]
    asked: list[tuple[str, str, str]] = []

    def confirm(title: str, text: str, action: str) -> bool:
        asked.append((title, text, action))
        return answers.pop(0)

    view.set_confirm(confirm)
    with qtbot.assertNotEmitted(view.conversation_deleted):
        qtbot.keyClick(view.list_view, Qt.Key.Key_Delete)
    assert ids_in_view(view) == [doomed, keep]
    with qtbot.waitSignal(view.conversation_deleted) as blocker:
        qtbot.keyClick(view.list_view, Qt.Key.Key_Delete)
    assert blocker.args == [doomed]
    assert ids_in_view(view) == [keep]
    assert [t.conversation.id for t in store.trashed_conversations()] == [doomed]
    title, text, action = asked[0]
    assert title == "Delete chat"
    assert "Doomed" in text and "Recently deleted" in text and "30 days" in text
    assert action == "Move to trash"


def test_rename_and_pin_from_the_context_menu(
    qtbot: QtBot, view: ConversationListView, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add_conversation(store, "First", when=time.time() - 10)
    second = add_conversation(store, "Second")
    view.refresh()

    def choose(text: str) -> None:
        menu = view.context_menu(first)
        next(action for action in menu.actions() if action.text() == text).trigger()

    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kwargs: ("  重命名 Renamed  ", True))
    with qtbot.waitSignal(view.conversation_renamed) as blocker:
        choose("Rename…")
    assert blocker.args == [first]
    assert store.get_conversation(first).title == "重命名 Renamed"  # type: ignore[union-attr]
    assert view.model.index(1).data() == "重命名 Renamed"
    with qtbot.waitSignal(view.pin_toggled) as blocker:
        choose("Pin to top")
    assert blocker.args == [first, True]
    assert store.get_conversation(first).pinned  # type: ignore[union-attr]
    assert ids_in_view(view) == [first, second]
    assert any(action.text() == "Unpin" for action in view.context_menu(first).actions())


def test_focus_search_and_accessible_names(qtbot: QtBot, view: ConversationListView) -> None:
    view.activateWindow()
    view.focus_search()
    qtbot.waitUntil(view.search_box.hasFocus)
    assert view.list_view.accessibleName() == "Chats"
    assert view.search_box.accessibleName() == "Search all chats"


def test_a_chat_with_a_reply_being_written_shows_a_pulsing_mark(
    qtbot: QtBot, view: ConversationListView, store: Store
) -> None:
    writing = add_conversation(store, "Writing now", "question")
    other = add_conversation(store, "Quiet", "question")
    view.set_streaming(writing, True)  # marked before its row is loaded: kept for the refresh
    view.refresh()
    rows = {view.model.index(r).data(ConversationIdRole): view.model.index(r) for r in range(2)}
    assert rows[writing].data(StreamingRole) and not rows[other].data(StreamingRole)
    assert "reply being written" in rows[writing].data(Qt.ItemDataRole.AccessibleTextRole)
    assert "reply being written" not in rows[other].data(Qt.ItemDataRole.AccessibleTextRole)

    def row_image() -> object:
        index = view.model.index(view.model.row_of(writing) or 0)
        return view.list_view.viewport().grab(view.list_view.visualRect(index)).toImage()

    lit = row_image()
    qtbot.waitUntil(lambda: row_image() != lit, timeout=5000)  # the dots take turns
    view.set_streaming(writing, False)
    index = view.model.index(view.model.row_of(writing) or 0)
    assert not index.data(StreamingRole)
    assert "reply being written" not in index.data(Qt.ItemDataRole.AccessibleTextRole)
    qtbot.waitUntil(lambda: row_image() != lit, timeout=5000)  # the time is back in its place


# --- search results read well --------------------------------------------------------------------

SEARCH_TEXTS = {
    "CJK": "我们下周去北京看故宫，顺便吃烤鸭。北京的秋天很美，香山的红叶也值得一看。" * 2,
    "Latin": "We are planning a long trip and the first stop will be 北京 where we intend to see "
    "many famous places and eat a lot of duck",
    "Markdown": "## Trip to 北京\n\n- **day one**: the `Forbidden City`\n- day two: [Great Wall](http://x.example)",
    "Short": "北京",
}


def search_rows(qtbot: QtBot, view: ConversationListView, store: Store) -> dict[str, QModelIndex]:
    for title, text in SEARCH_TEXTS.items():
        add_conversation(store, title, text)
    view.refresh()
    view.search_box.setText("北京")
    results = view.results_model
    qtbot.waitUntil(lambda: results.rowCount() == len(SEARCH_TEXTS))
    return {results.index(row).data(TitleRole): results.index(row) for row in range(results.rowCount())}


def test_search_snippets_are_plain_text(qtbot: QtBot, view: ConversationListView, store: Store) -> None:
    rows = search_rows(qtbot, view, store)
    shown = QTextDocument()
    shown.setHtml(rows["Markdown"].data(SnippetHtmlRole))
    assert shown.toPlainText() == "You: Trip to 北京 day one: the Forbidden City day two: Great Wall"
    latin = rows["Latin"].data(Qt.ItemDataRole.ToolTipRole)
    assert latin.startswith("…and the first") and latin.endswith(" many…")  # whole words


def test_search_rows_are_even_and_show_two_whole_lines_of_any_script(
    qtbot: QtBot, view: ConversationListView, store: Store
) -> None:
    rows = search_rows(qtbot, view, store)
    rects = {title: view.results_view.visualRect(index) for title, index in rows.items()}
    assert len({rect.height() for rect in rects.values()}) == 1  # even rows
    font = view.results_view.font()
    title_line = view.results_view.fontMetrics().lineSpacing()
    for title in ("CJK", "Latin", "Markdown"):
        rect = rects[title].adjusted(12, 8, -12, -8)  # the delegate's margins
        document = snippet_document(rows[title].data(SnippetHtmlRole), font, QColor("black"), view.palette())
        document.setTextWidth(rect.width())
        assert document.size().height() > 0  # laid out
        layout = document.begin().layout()
        assert layout.lineCount() >= 2, title
        second_line_bottom = layout.lineAt(1).y() + layout.lineAt(1).height()
        assert title_line + 4 + second_line_bottom <= rect.height(), title  # both lines fit whole


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_search_matches_have_a_background_visible_on_chinese_text(
    qtbot: QtBot, view: ConversationListView, store: Store, dark: bool
) -> None:
    if dark:
        view.setPalette(dark_palette())
    rows = search_rows(qtbot, view, store)
    palette = view.results_view.palette()
    highlight = theme.search_highlight(palette)
    base = palette.color(QPalette.ColorRole.Base)
    assert abs(highlight.lightnessF() - base.lightnessF()) >= 0.1  # tells apart from the background
    image = view.results_view.viewport().grab(view.results_view.visualRect(rows["CJK"])).toImage()
    marked = sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).rgb() == highlight.rgb()
    )
    assert marked >= 100  # two matches, each a highlighted box behind two characters


def test_a_chat_preview_shows_a_picture_and_markup_as_their_text(view: ConversationListView, store: Store) -> None:
    add_conversation(store, "图表", "这是演示图表：\n\n![每天的回答数](https://example.com/chart.png) **粗体** `code`")
    view.refresh()
    preview = view.model.index(0).data(PreviewRole)
    assert preview == "这是演示图表： 每天的回答数 粗体 code"
