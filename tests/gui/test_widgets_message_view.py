"""MessageView: Markdown rendering, reasoning, follow-ups, errors, streaming, paging."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QTextDocument, QTextFrame, QTextTable
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QTextBrowser, QToolButton
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Bot, ErrorInfo, Message, MessageState, Role, Source
from coze_desktop.ui import markdown
from coze_desktop.ui.message_view import MessageView

ANSWER = """## 北京 Beijing

| Day | Plan |
|-----|------|
| 1 | 故宫 Forbidden City |
| 2 | 长城 Great Wall |

See [the guide](https://example.com/guide).

```python
def budget(days: int) -> float:
    return days * 300.0  # 估算
```
"""


def question(message_id: int, text: str = "北京三日游怎么安排？") -> Message:
    return Message(id=message_id, conversation_id=1, role=Role.USER, text=text, created_at=time.time())


def answer(message_id: int, text: str = ANSWER, **kwargs: object) -> Message:
    return Message(
        id=message_id, conversation_id=1, role=Role.ASSISTANT, text=text, created_at=time.time(), **kwargs
    )  # type: ignore[arg-type]


@pytest.fixture
def view(qtbot: QtBot) -> MessageView:
    widget = MessageView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _tables(frame: QTextFrame) -> list[QTextTable]:
    found = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            found.append(child)
        found += _tables(child)
    return found


def _code_foregrounds(document: QTextDocument, code: str) -> set[str]:
    """Colours of the text fragments inside the code block containing ``code``."""
    colors: set[str] = set()
    block = document.begin()
    while block.isValid():
        if block.text() and block.text() in code:
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.text().strip():
                    colors.add(fragment.charFormat().foreground().color().name())
                it += 1
        block = block.next()
    return colors


def settle(qtbot: QtBot, view: MessageView) -> None:
    """Wait until the messages just added are shown (Qt shows new children on the next loop)."""
    bodies = [b for b in view.findChildren(QTextBrowser) if b.accessibleName() in ("Answer", "Question")]
    qtbot.waitUntil(lambda: all(body.isVisible() for body in bodies))


def _button(qtbot: QtBot, view: MessageView, text: str) -> QPushButton:
    """The visible push button with ``text`` (waiting for Qt to show it)."""

    def visible() -> list[QPushButton]:
        return [b for b in view.findChildren(QPushButton) if b.text() == text and b.isVisible()]

    qtbot.waitUntil(lambda: bool(visible()))
    return visible()[0]


def test_answer_renders_markdown_table_link_and_highlighted_code(view: MessageView) -> None:
    view.show_messages([question(1), answer(2)])
    document = view.rendered_document(2)
    assert document is not None
    tables = _tables(document.rootFrame())
    assert len(tables) == 1
    assert (tables[0].rows(), tables[0].columns()) == (3, 2)
    assert "故宫 Forbidden City" in document.toPlainText()
    assert "## " not in document.toPlainText()  # the heading was rendered, not shown raw
    code = "def budget(days: int) -> float:\n    return days * 300.0  # 估算"
    assert len(_code_foregrounds(document, code)) >= 3  # keywords, names, numbers, comment differ
    assert "Copy code" in document.toPlainText()
    # Questions are shown as typed, never as Markdown.
    view.add_message(question(3, "**not bold** <b>x</b>"))
    assert view.rendered_document(3).toPlainText() == "**not bold** <b>x</b>"  # type: ignore[union-attr]


def test_links_open_only_web_addresses(view: MessageView, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        markdown.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    view.show_messages([answer(2)])
    body = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Answer")
    body.anchorClicked.emit(QUrl("https://example.com/guide"))
    body.anchorClicked.emit(QUrl("file:///etc/passwd"))
    body.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == ["https://example.com/guide"]
    body.anchorClicked.emit(QUrl(f"{markdown.COPY_CODE_SCHEME}:0"))
    assert QGuiApplication.clipboard().text().startswith("def budget(days: int)")


def test_reasoning_is_collapsed_and_expands(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([answer(2, "The answer.", reasoning="First I consider 故宫.")])
    settle(qtbot, view)
    reasoning = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Reasoning")
    assert not reasoning.isVisibleTo(view)
    toggle = next(b for b in view.findChildren(QToolButton) if b.text() == "Show reasoning")
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert reasoning.isVisibleTo(view)
    assert reasoning.toPlainText() == "First I consider 故宫."
    assert toggle.text() == "Hide reasoning"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not reasoning.isVisibleTo(view)


def test_follow_up_button_emits_its_text(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, "Done.", follow_ups=["第二天呢？", "What to eat?"])])
    settle(qtbot, view)
    with qtbot.waitSignal(view.follow_up_clicked) as blocker:
        qtbot.mouseClick(_button(qtbot, view, "What to eat?"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["What to eat?"]
    # A newer message takes the suggestions away from the older answer.
    view.add_message(question(3))
    assert not [b for b in view.findChildren(QPushButton) if b.text() == "第二天呢？" and b.isVisibleTo(view)]


def test_prologue_suggested_question_emits(qtbot: QtBot, view: MessageView) -> None:
    bot = Bot(bot_id="b", name="旅行助手", prologue="你好！**Welcome**", suggested_questions=["Plan a trip"])
    view.show_prologue(bot)
    settle(qtbot, view)
    with qtbot.waitSignal(view.follow_up_clicked) as blocker:
        qtbot.mouseClick(_button(qtbot, view, "Plan a trip"), Qt.MouseButton.LeftButton)
    assert blocker.args == ["Plan a trip"]


def test_failed_reply_shows_why_and_offers_retry(qtbot: QtBot, view: MessageView) -> None:
    failed = answer(
        2,
        "Partial text kept",
        state=MessageState.FAILED,
        error=ErrorInfo(code=4013, message="The model service failed.", logid="LOG123"),
    )
    view.show_messages([question(1), failed])
    settle(qtbot, view)
    texts = " ".join(label.text() for label in view.findChildren(QLabel) if label.isVisibleTo(view))
    assert "The reply failed" in texts
    assert "The model service failed." in texts
    assert "4013" in texts and "LOG123" in texts
    assert "Partial text kept" in view.rendered_document(2).toPlainText()  # type: ignore[union-attr]
    with qtbot.waitSignal(view.retry_requested) as blocker:
        qtbot.mouseClick(view.findChild(QPushButton, "banner_retry"), Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    assert view.findChild(QPushButton, "banner_open_settings") is None


@pytest.mark.parametrize(
    ("code", "action"), [(4100, "open_settings"), (700012006, "open_settings"), (4015, "publish_help")]
)
def test_known_errors_offer_their_action(qtbot: QtBot, view: MessageView, code: int, action: str) -> None:
    failed = answer(2, "", state=MessageState.FAILED, error=ErrorInfo(code=code, message="Nope."))
    view.show_messages([failed])
    settle(qtbot, view)
    button = view.findChild(QPushButton, f"banner_{action}")
    assert button is not None and button.isVisibleTo(view)
    with qtbot.waitSignal(view.action_requested) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == [2, action]


@pytest.mark.parametrize("state", [MessageState.STOPPED, MessageState.INTERRUPTED])
def test_stopped_and_interrupted_keep_text_and_offer_retry(view: MessageView, state: MessageState) -> None:
    view.show_messages([answer(2, "Half an answer", state=state)])
    assert view.findChild(QPushButton, "banner_retry") is not None
    assert "Half an answer" in view.rendered_document(2).toPlainText()  # type: ignore[union-attr]


def test_streaming_then_finish_gives_exactly_the_text(qtbot: QtBot, view: MessageView) -> None:
    view.add_message(question(1))
    view.begin_reply(2)
    pieces = ["Hello", ", 世界", "!\nSecond line", " continues", "\n\nThird paragraph."]
    for piece in pieces:
        view.append_reply(2, piece, reasoning="thinking… ")
    full = "".join(pieces)
    streamed = view.message(2)
    assert streamed is not None
    assert streamed.text == full
    assert streamed.reasoning == "thinking… " * len(pieces)
    assert streamed.state is MessageState.STREAMING
    assert view.rendered_document(2).toPlainText() == full  # type: ignore[union-attr]
    qtbot.wait(400)  # the throttled Markdown render runs meanwhile
    # Rendered as Markdown now: a single line break joins lines, so compare the words.
    assert view.rendered_document(2).toPlainText().split() == full.split()  # type: ignore[union-attr]
    view.finish_reply(answer(2, full, reasoning=streamed.reasoning, sources=[Source(slice="p")]))
    settle(qtbot, view)
    final = view.message(2)
    assert final is not None and final.text == full and final.state is MessageState.COMPLETE
    assert view.findChild(QPushButton, "banner_retry") is None
    with qtbot.waitSignal(view.message_selected) as blocker:
        sources = next(b for b in view.findChildren(QToolButton) if b.text() == "1 source")
        qtbot.mouseClick(sources, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]


def test_many_small_appends_complete_quickly(qtbot: QtBot, view: MessageView) -> None:
    view.begin_reply(7)
    pieces = [("abcdefghij 中文字 " if i % 25 else "\n\n- item\n") for i in range(5000)]
    started = time.perf_counter()
    for number, piece in enumerate(pieces):
        view.append_reply(7, piece)
        if number % 50 == 0:
            qtbot.wait(0)  # let the view paint and the throttled render run now and then
    elapsed = time.perf_counter() - started
    full = "".join(pieces)
    assert view.message(7).text == full  # type: ignore[union-attr]
    view.finish_reply(answer(7, full))
    assert view.message(7).text == full  # type: ignore[union-attr]
    print(f"5,000 appends ({len(full.encode()) // 1024} KB): {elapsed * 1000:.0f} ms")


def test_copy_puts_the_raw_text_on_the_clipboard(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, "**bold** answer")])
    settle(qtbot, view)
    copy = view.findChild(QToolButton, "action_copy")
    assert copy is not None  # the latest message shows its buttons
    with qtbot.waitSignal(view.copy_requested) as blocker:
        qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    assert QGuiApplication.clipboard().text() == "**bold** answer"


def test_regenerate_and_delete_emit_the_message_id(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, "x")])
    settle(qtbot, view)
    with qtbot.waitSignal(view.regenerate_requested) as blocker:
        qtbot.mouseClick(view.findChild(QToolButton, "action_regenerate"), Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    with qtbot.waitSignal(view.delete_requested) as blocker:
        qtbot.mouseClick(view.findChild(QToolButton, "action_delete"), Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    view.remove_message(2)
    assert view.message_ids() == [1]


def test_page_of_fifty_then_older_page_prepended(qtbot: QtBot, view: MessageView) -> None:
    newest = [question(i) if i % 2 else answer(i, f"Answer **{i}**") for i in range(51, 101)]
    started = time.perf_counter()
    view.show_messages(newest, has_older=True)
    qtbot.wait(0)
    print(f"show 50 messages: {(time.perf_counter() - started) * 1000:.0f} ms")
    assert view.message_ids() == list(range(51, 101))
    scroll = view.findChild(QScrollArea).verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0 and scroll.value() == scroll.maximum())
    with qtbot.waitSignal(view.older_requested):
        scroll.setValue(0)
    older = [question(i) if i % 2 else answer(i, f"Answer {i}") for i in range(1, 51)]
    view.prepend_messages(older, has_older=False)
    assert view.message_ids() == list(range(1, 101))
    with qtbot.assertNotEmitted(view.older_requested):
        scroll.setValue(scroll.maximum())
        scroll.setValue(0)
    assert view.scroll_to_message(10)
    assert not view.scroll_to_message(12345)


def test_clicking_an_answer_selects_it(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, "Click me")])
    settle(qtbot, view)
    body = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Answer")
    with qtbot.waitSignal(view.message_selected) as blocker:
        qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton)
    assert blocker.args == [2]


def test_accessible_names(view: MessageView) -> None:
    assert view.accessibleName() == "Conversation"
