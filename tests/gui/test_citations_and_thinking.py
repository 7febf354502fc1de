"""The whole app: citations link to the sources panel, search hits in passages, live reasoning,
streaming code fences and the conversation list's streaming mark."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser, QToolButton
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.domain import Conversation, Message, Role, Source
from coze_desktop.ui.conversation_list import StreamingRole

from .conftest import WAIT_MS, AppFactory, show

CITED = "退货免运费 [1]，退款三天到账 [2]。\n\n```text\nnot a link: [1]\n```\n"
SOURCES = [
    Source(slice="七天无理由退货，运费由商家承担。", document="退换货政策.pdf", score=0.9),
    Source(slice="退款在收到退货后三个工作日内原路退回。", document="退款说明.md", score=0.8),
    Source(slice="冰川徒步需要提前预约向导。", document="户外活动.md", score=0.4),
]


def seed(ctx: AppContext) -> tuple[int, int]:
    """A saved chat: a question, an answer citing its sources, then a newer exchange without."""
    store = ctx.store
    conversation = store.create_conversation(Conversation(id=None, bot_id="demo-knowledge", title="退货"))
    assert conversation.id is not None
    cid = conversation.id
    store.add_message(Message(id=None, conversation_id=cid, role=Role.USER, text="怎么退货？"))
    cited = store.add_message(
        Message(id=None, conversation_id=cid, role=Role.ASSISTANT, text=CITED, sources=list(SOURCES))
    )
    store.add_message(Message(id=None, conversation_id=cid, role=Role.USER, text="谢谢"))
    store.add_message(Message(id=None, conversation_id=cid, role=Role.ASSISTANT, text="不客气。"))
    ctx.window.conversation_list.refresh()
    assert cited.id is not None
    return cid, cited.id


def citation_point(ctx: AppContext, message_id: int, href: str) -> tuple[QTextBrowser, object]:
    view = ctx.window.message_view
    documents = view.rendered_documents(message_id)
    assert documents is not None
    for body in view.findChildren(QTextBrowser):
        if body.document() not in documents:
            continue
        block = body.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().anchorHref() == href:
                    cursor = QTextCursor(body.document())
                    cursor.setPosition(fragment.position() + 1)
                    return body, body.cursorRect(cursor).center()
                it += 1
            block = block.next()
    raise AssertionError(f"no link {href}")


def test_citation_shows_the_hidden_sources_panel_and_highlights_the_card(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window = ctx.window
    cid, answer_id = seed(ctx)
    ctx.settings.sources_panel_visible = False
    assert not window.sources_panel.isVisible()
    assert window.open_conversation(cid)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in window.message_view.findChildren(QTextBrowser)))

    body, point = citation_point(ctx, answer_id, "cite:2")
    qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(window.sources_panel.isVisible, timeout=WAIT_MS)
    assert window.menus.sources_action.isChecked()
    assert [c.source.document for c in window.sources_panel.cards()] == [s.document for s in SOURCES]
    card = window.sources_panel.highlighted_card()
    assert card is not None and card.rank == 2
    qtbot.waitUntil(lambda: card.visibleRegion().boundingRect().height() > 0, timeout=WAIT_MS)

    # The "3 sources" button shows a hidden panel too.
    window.menus.sources_action.trigger()
    assert not window.sources_panel.isVisible()
    button = next(
        b for b in window.message_view.findChildren(QToolButton) if b.objectName() == "sources_button"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.sources_panel.isVisible, timeout=WAIT_MS)
    assert len(window.sources_panel.cards()) == 3


def test_citation_brings_back_a_sources_panel_folded_away_in_a_small_window(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window = ctx.window
    cid, answer_id = seed(ctx)
    assert window.open_conversation(cid)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.panels.is_collapsed(window.sources_panel), timeout=WAIT_MS)
    assert ctx.settings.sources_panel_visible  # wanted, but there is no room for it
    qtbot.waitUntil(lambda: all(b.isVisible() for b in window.message_view.findChildren(QTextBrowser)))

    body, point = citation_point(ctx, answer_id, "cite:1")
    qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(window.sources_panel.isVisible, timeout=WAIT_MS)
    assert not window.panels.is_collapsed(window.sources_panel)
    card = window.sources_panel.highlighted_card()
    assert card is not None and card.rank == 1


def test_search_hit_in_a_passage_opens_the_answer_and_highlights_its_card(
    make_app: AppFactory, qtbot: QtBot, demo_fast: DemoServer
) -> None:
    ctx = make_app(demo_fast)
    show(ctx, qtbot)
    window = ctx.window
    cid, answer_id = seed(ctx)
    ctx.settings.sources_panel_visible = False
    window.new_chat()
    lst = window.conversation_list
    lst.search_box.setText("冰川徒步")  # only in the third passage of the answer
    qtbot.waitUntil(lambda: lst.results_model.rowCount() > 0, timeout=WAIT_MS)
    hit = lst.results_model.hit(0)
    assert hit.in_source and hit.message_id == answer_id and hit.source_rank == 3
    with qtbot.waitSignal(lst.source_hit_activated, timeout=WAIT_MS):
        index = lst.results_model.index(0, 0)
        qtbot.mouseClick(
            lst.results_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=lst.results_view.visualRect(index).center(),
        )
    assert window.current_conversation_id == cid
    qtbot.waitUntil(window.sources_panel.isVisible, timeout=WAIT_MS)
    card = window.sources_panel.highlighted_card()
    assert card is not None and card.rank == 3 and card.source.document == "户外活动.md"


def test_reasoning_bot_shows_thinking_live_and_the_list_marks_the_chat(
    make_app: AppFactory, qtbot: QtBot, demo_paced: DemoServer
) -> None:
    ctx = make_app(demo_paced, bots=("demo-reasoning",))
    show(ctx, qtbot)
    window = ctx.window
    view = window.message_view
    seen: list[tuple[bool, str, bool, str]] = []  # answer text yet?, toggle, reasoning shown, its text
    marked: list[bool] = []  # the chat's row in the list says a reply is being written

    def on_delta(conversation_id: int, message_id: int, _text: str, _reasoning: str) -> None:
        message = view.message(message_id)  # the view has taken this delta in (MainWindow's slot ran first)
        assert message is not None
        reasoning = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Reasoning")
        toggle = next(
            b
            for b in view.findChildren(QToolButton)
            if b.arrowType() in (Qt.ArrowType.DownArrow, Qt.ArrowType.RightArrow)
        )
        seen.append((bool(message.text), toggle.text(), not reasoning.isHidden(), reasoning.toPlainText()))
        lst = window.conversation_list
        row = lst.model.row_of(conversation_id)
        marked.append(row is not None and bool(lst.model.index(row).data(StreamingRole)))

    ctx.controller.delta_received.connect(on_delta)
    window.composer.set_text("Why is the sky blue?")
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
    final = finished.args[1]
    assert final.reasoning and final.text
    thinking = [s for s in seen if not s[0]]
    answering = [s for s in seen if s[0]]
    assert thinking and answering
    assert all(toggle == "Thinking…" and shown for _, toggle, shown, _ in thinking)
    # The reasoning was shown as it came: a part of it first, growing.
    assert 0 < len(thinking[0][3]) < len(final.reasoning) and final.reasoning.startswith(thinking[0][3])
    assert all(final.reasoning.startswith(text) for *_, text in thinking)
    assert all(toggle == "Show reasoning" and not shown for _, toggle, shown, _ in answering)
    reasoning = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Reasoning")
    assert reasoning.isHidden()
    # The list marked the chat while its reply was written, and not after.
    assert marked and all(marked)
    lst = window.conversation_list
    row = lst.model.row_of(final.conversation_id)
    assert row is not None and not lst.model.index(row).data(StreamingRole)
