"""MessageView: Markdown rendering, reasoning, follow-ups, errors, streaming, paging."""

from __future__ import annotations

import functools
import itertools
import time

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextDocument, QTextFrame, QTextTable
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QTextBrowser, QToolButton
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Bot, ErrorInfo, Message, MessageState, Role, Source
from coze_desktop.ui import markdown, segments
from coze_desktop.ui.messages import MessageView, answer_body

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
    documents = view.rendered_documents(2)
    assert documents is not None and len(documents) == 1  # a short answer is one document
    document = documents[0]
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
    assert view.rendered_text(3) == "**not bold** <b>x</b>"


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


@pytest.mark.parametrize(
    ("url", "web"),
    [
        ("https://example.com/guide", True),
        ("HTTP://Example.com", True),
        ("https://例子.测试/路径 with space", True),  # a clicked link is checked in its encoded form
        ("https://example.com/\"quoted\"", True),
        ("http://?q=1", False),  # no host
        ("http:/example.com", False),
        ("ftp://example.com/", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
    ],
)
def test_a_clicked_link_is_a_web_link_by_the_one_rule(url: str, web: bool) -> None:
    assert markdown.is_web_url(QUrl(url)) is web
    assert markdown.is_web_url(url) is web


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
    assert "Partial text kept" in view.rendered_text(2)  # type: ignore[operator]
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
    assert "Half an answer" in view.rendered_text(2)  # type: ignore[operator]


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
    # Rendered at once (the first text), as Markdown: a single line break joins lines.
    assert view.rendered_text(2).split() == full.split()  # type: ignore[union-attr]
    # Text that comes within the throttle's interval is shown plain, then rendered when it pauses.
    view.append_reply(2, "\n\n**more**")
    full += "\n\n**more**"
    assert view.rendered_text(2).endswith("**more**")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: view.rendered_text(2).endswith("\nmore"))  # type: ignore[union-attr]
    assert view.rendered_text(2).split() == full.replace("**", "").split()  # type: ignore[union-attr]
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


def long_answer(sections: int = 24) -> str:
    """A long Markdown answer (~1,000 characters a section): headings, prose, lists, tables, code."""
    parts = []
    for n in range(1, sections + 1):
        parts.append(f"## 第 {n} 节 Section {n}")
        parts.append(("数据库 索引 提高 查询 性能，缓存 一致性。" * 12) + f" Part {n}.")
        parts.append("\n".join(f"- **要点 {i}**：section {n} point {i}" for i in range(1, 4)))
        if n % 3 == 0:
            parts.append(f"| 方案 | 延迟 |\n| --- | ---: |\n| A{n} | {n} ms |\n| B{n} | {2 * n} ms |")
        if n % 4 == 0:
            parts.append(f"```python\ndef step_{n}(items):\n    return sum(items) * {n}\n```")
    return "\n\n".join(parts) + "\n"


def answer_views(view: MessageView) -> list[QTextBrowser]:
    """The answer's segment views, top to bottom (the order they were made in)."""
    return [b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Answer"]


def test_a_long_answer_is_rendered_in_segments(qtbot: QtBot, view: MessageView) -> None:
    text = long_answer()
    view.show_messages([question(1), answer(2, text)])
    documents = view.rendered_documents(2)
    assert documents is not None and len(documents) > 3
    rendered = view.rendered_text(2)
    assert rendered is not None and "## " not in rendered and "```" not in rendered
    for n in (1, 12, 24):
        assert f"Part {n}." in rendered
    tables = [table for document in documents for table in _tables(document.rootFrame())]
    assert len(tables) == 8 and all(t.rows() == 3 for t in tables)
    code = "def step_24(items):\n    return sum(items) * 24"
    with_code = [d for d in documents if "def step_24" in d.toPlainText()]
    assert len(with_code) == 1 and len(_code_foregrounds(with_code[0], code)) >= 3
    # Each segment's "Copy code" link copies that segment's own code block.
    views = answer_views(view)
    assert [v.document() for v in views] == documents
    holder = next(v for v in views if "def step_24" in v.toPlainText())
    plain = holder.toPlainText()
    index = plain[: plain.index("def step_24")].count("Copy code") - 1  # its caption comes first
    holder.anchorClicked.emit(QUrl(f"{markdown.COPY_CODE_SCHEME}:{index}"))
    assert QGuiApplication.clipboard().text() == code
    # The column reads as one answer: segments follow each other with no gap between the views.
    def adjacent() -> None:
        for upper, lower in itertools.pairwise(views):
            assert upper.geometry().bottom() + 1 == lower.geometry().top()

    qtbot.waitUntil(adjacent)


def test_a_long_saved_answer_shows_its_end_first(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answer_body, "RENDER_PASS_BUDGET_MS", 0)  # one segment per pass
    order: list[int] = []
    render = answer_body._AnswerBody._render

    def recording_render(body: answer_body._AnswerBody, shown: object) -> None:
        order.append(body._segments.index(shown))  # type: ignore[arg-type]
        render(body, shown)  # type: ignore[arg-type]

    monkeypatch.setattr(answer_body._AnswerBody, "_render", recording_render)
    view.show_messages([question(1), answer(2, long_answer())])
    views = answer_views(view)
    assert len(views) > 3
    # The newest text (the end, where the view is scrolled to) is rendered at once...
    assert order == [len(views) - 1]
    assert [bool(v.toPlainText()) for v in views] == [False] * (len(views) - 1) + [True]
    assert "def step_24" in views[-1].toPlainText()
    # ...the rest on the next passes of the event loop, upwards.
    qtbot.waitUntil(lambda: all(v.toPlainText() for v in views))
    assert order == list(reversed(range(len(views))))
    assert "Part 1." in views[0].toPlainText()


def test_streaming_a_long_answer_renders_each_segment_once(qtbot: QtBot, view: MessageView) -> None:
    text = long_answer()
    view.add_message(question(1))
    view.begin_reply(2)
    step = 37
    for start in range(0, len(text), step):
        view.append_reply(2, text[start : start + step])
        if start % (step * 20) == 0:
            qtbot.wait(0)
    assert view.message(2).text == text  # type: ignore[union-attr]
    views = answer_views(view)
    assert len(views) > 3
    # Segments the stream has left are rendered Markdown; the last one still takes plain text.
    for closed in views[:-1]:
        assert "## " not in closed.toPlainText() and "```" not in closed.toPlainText()
    closed_documents = [v.document() for v in views[:-1]]
    closed_texts = [d.toPlainText() for d in closed_documents]
    view.finish_reply(answer(2, text))
    documents = view.rendered_documents(2)
    assert documents is not None
    # Finishing renders only the last segment: the others keep their documents untouched.
    assert documents[:-1] == closed_documents
    assert [d.toPlainText() for d in documents[:-1]] == closed_texts
    assert view.rendered_text(2) == view_text_of(text)


def view_text_of(text: str) -> str:
    """What a fresh view shows for ``text`` (rendered from scratch, for comparison)."""
    fresh = MessageView()
    fresh.resize(900, 700)
    fresh.show_messages([answer(9, text)])
    shown = fresh.rendered_text(9)
    fresh.deleteLater()
    assert shown is not None
    return shown


def test_restyle_renders_every_segment_again(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([answer(2, long_answer(12))])
    documents = view.rendered_documents(2)
    assert documents is not None
    before = [d.toPlainText() for d in documents]
    palette = view.palette()
    palette.setColor(palette.ColorRole.Link, Qt.GlobalColor.magenta)
    view.setPalette(palette)
    # Each segment is rendered into a new document: wait until every one has been replaced.
    qtbot.waitUntil(
        lambda: all(new is not old for new, old in zip(view.rendered_documents(2) or [], documents, strict=True))
    )
    after = view.rendered_documents(2)
    assert after is not None and [d.toPlainText() for d in after] == before


def test_copy_code_copies_the_whole_of_a_code_block_cut_into_segments(view: MessageView) -> None:
    code = "\n".join(f"    result_{k} = transform(data, {k})  # 第 {k} 步" for k in range(300))
    text = "Here is the script:\n\n```python\n" + code + "\n```\n\nThat is all.\n"
    view.show_messages([answer(2, text)])
    documents = view.rendered_documents(2)
    assert documents is not None and len(documents) > 2  # the block is longer than a segment
    views = answer_views(view)
    for holder in views:
        plain = holder.toPlainText()
        for index in range(plain.count("Copy code")):
            QGuiApplication.clipboard().clear()
            holder.anchorClicked.emit(QUrl(f"{markdown.COPY_CODE_SCHEME}:{index}"))
            assert QGuiApplication.clipboard().text() == code


def test_long_answers_share_one_render_budget_newest_first(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answer_body, "RENDER_PASS_BUDGET_MS", 0)  # one segment per pass, in all
    order: list[tuple[int, int]] = []
    render = answer_body._AnswerBody._render

    def recording_render(body: answer_body._AnswerBody, shown: object) -> None:
        key = body.parent().key  # type: ignore[attr-defined]
        order.append((key, body._segments.index(shown)))  # type: ignore[arg-type]
        render(body, shown)  # type: ignore[arg-type]

    monkeypatch.setattr(answer_body._AnswerBody, "_render", recording_render)
    view.show_messages([answer(2, long_answer(12)), question(3), answer(4, long_answer(12))])
    count = len(view.findChildren(QTextBrowser)) - 1  # the answers' segments, not the question
    # Each answer's end at once, then the rest newest answer first, one segment per pass.
    assert [key for key, _index in order] == [2, 4]
    assert order[0][1] == order[1][1] == count // 2 - 1  # the same text: the same last segment
    qtbot.waitUntil(lambda: len(order) == count)
    rest = [key for key, _index in order[2:]]
    assert rest == sorted(rest, reverse=True)  # all of answer 4 before any of answer 2


def test_copy_code_when_a_cut_falls_just_before_the_closing_fence(
    view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small segments, so that the cut lands right before the code block's closing fence: the next
    # segment then begins with an empty continuation, which Qt does not show as a block.
    small = functools.partial(segments.split_segments, target=40, maximum=78)
    monkeypatch.setattr(answer_body, "split_segments", small)
    code = "\n".join(f"line_{k} = {k}" for k in range(6))  # 65 characters
    text = "```python\n" + code + "\n```\n\n```bash\npip install thing\n```\n"
    assert [segment.text[:4] for segment in small(text)] == ["```p", "```\n"]  # the cut in question
    view.show_messages([answer(2, text)])
    assert view.rendered_documents(2) is not None
    copied = set()
    for holder in answer_views(view):
        for index in range(holder.toPlainText().count("Copy code")):
            holder.anchorClicked.emit(QUrl(f"{markdown.COPY_CODE_SCHEME}:{index}"))
            copied.add(QGuiApplication.clipboard().text())
    assert copied == {code, "pip install thing"}


# --- citations --------------------------------------------------------------------------------

CITED = (
    "Returns are free within 7 days [1]. Shipping is refunded [^2], 见【2】. Not a source: [3].\n\n"
    "In code `a[1]` stays text:\n\n```python\nx = a[1]\n```\n"
)
CITED_SOURCES = [
    Source(slice="7 天无理由退货，运费由商家承担。", document="退换货政策.pdf", score=0.9),
    Source(slice="Shipping costs are refunded after the return arrives.", document="shipping.md", score=0.7),
]


def _anchors(document: QTextDocument) -> list[tuple[str, str, int]]:
    """(text, href, position) of every link fragment in ``document``."""
    found = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().isAnchor():
                found.append((fragment.text(), fragment.charFormat().anchorHref(), fragment.position()))
            it += 1
        block = block.next()
    return found


def _citation_point(view: MessageView, message_id: int, href: str) -> tuple[QTextBrowser, object]:
    """The view showing the citation link ``href`` of a message, and a point inside the link."""
    documents = view.rendered_documents(message_id)
    assert documents is not None
    for body in view.findChildren(QTextBrowser):
        if body.document() not in documents:
            continue
        for _text, anchor, position in _anchors(body.document()):
            if anchor == href:
                cursor = QTextCursor(body.document())
                cursor.setPosition(position + 1)
                return body, body.cursorRect(cursor).center()
    raise AssertionError(f"no link {href}")


def test_citations_become_links_only_for_existing_sources_and_outside_code(view: MessageView) -> None:
    view.show_messages([question(1), answer(2, CITED, sources=CITED_SOURCES)])
    documents = view.rendered_documents(2)
    assert documents is not None
    links = [(text, href) for text, href, _ in _anchors(documents[0]) if not href.startswith("coze-copy")]
    assert links == [("[1]", "cite:1"), ("[^2]", "cite:2"), ("【2】", "cite:2")]
    text = documents[0].toPlainText()
    assert "[3]" in text and "a[1]" in text and "x = a[1]" in text  # kept as text
    # Without sources nothing is a citation.
    view.add_message(answer(3, CITED))
    plain = view.rendered_documents(3)
    assert plain is not None
    assert all(not href.startswith("cite:") for _, href, _ in _anchors(plain[0]))


def test_clicking_a_citation_selects_the_answer_and_emits_the_source(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, CITED, sources=CITED_SOURCES)])
    settle(qtbot, view)
    body, point = _citation_point(view, 2, "cite:2")
    with (
        qtbot.waitSignal(view.citation_clicked, timeout=5000) as clicked,
        qtbot.waitSignal(view.message_selected, timeout=5000) as selected,
    ):
        qtbot.mouseClick(body.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert clicked.args == [2, 2]
    assert selected.args == [2]


def test_hovering_a_citation_shows_the_passage(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, CITED, sources=CITED_SOURCES)])
    settle(qtbot, view)

    def hovered() -> bool:
        # The answer may still be laid out again (its final render, a resize): find the link
        # afresh each time and move onto it from outside, as a pointer does.
        body, point = _citation_point(view, 2, "cite:1")
        qtbot.mouseMove(body.viewport(), QPoint(0, 0))
        qtbot.mouseMove(body.viewport(), point)
        return "运费由商家承担" in body.viewport().toolTip()

    qtbot.waitUntil(hovered, timeout=5000)
    body, _point = _citation_point(view, 2, "cite:1")
    assert "退换货政策.pdf" in body.viewport().toolTip()


def test_sources_arriving_while_streaming_link_the_citations(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1)])
    view.begin_reply(2)
    view.set_reply_sources(2, CITED_SOURCES)
    view.append_reply(2, "Free returns [1] and refunds [2].")
    view.finish_reply(answer(2, "Free returns [1] and refunds [2].", sources=CITED_SOURCES))
    documents = view.rendered_documents(2)
    assert documents is not None
    assert [href for _, href, _ in _anchors(documents[0])] == ["cite:1", "cite:2"]
    view.show_messages([question(1)])
    view.begin_reply(4)
    view.append_reply(4, "Streamed first [1].")
    qtbot.waitUntil(lambda: "Streamed first [1]." in (view.rendered_text(4) or ""))
    view.set_reply_sources(4, CITED_SOURCES[:1])  # rendered again: the citation is a link now
    documents = view.rendered_documents(4)
    assert documents is not None
    assert [href for _, href, _ in _anchors(documents[0])] == ["cite:1"]


def test_sources_button_asks_to_show_the_sources(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1), answer(2, CITED, sources=CITED_SOURCES)])
    settle(qtbot, view)
    button = next(b for b in view.findChildren(QToolButton) if b.objectName() == "sources_button")
    assert button.text() == "2 sources"
    with qtbot.waitSignal(view.sources_requested, timeout=5000) as requested:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert requested.args == [2]


# --- live reasoning ---------------------------------------------------------------------------


def _reasoning_parts(qtbot: QtBot, view: MessageView) -> tuple[QTextBrowser, QToolButton]:
    qtbot.waitUntil(lambda: any(b.accessibleName() == "Reasoning" for b in view.findChildren(QTextBrowser)))
    reasoning = next(b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Reasoning")
    toggle = next(
        b for b in view.findChildren(QToolButton) if b.arrowType() in (Qt.ArrowType.DownArrow, Qt.ArrowType.RightArrow)
    )
    return reasoning, toggle


def test_thinking_streams_live_then_folds_when_the_answer_starts(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1)])
    view.begin_reply(2)
    view.append_reply(2, "", "First I consider ")
    view.message(2)  # shows the pending pieces now
    reasoning, toggle = _reasoning_parts(qtbot, view)
    assert toggle.text() == "Thinking…" and toggle.accessibleName() == "Thinking…"
    assert not reasoning.isHidden() and reasoning.toPlainText() == "First I consider "
    view.append_reply(2, "", "故宫.")
    view.message(2)
    assert not reasoning.isHidden() and reasoning.toPlainText() == "First I consider 故宫."
    view.append_reply(2, "The answer")
    view.message(2)
    assert reasoning.isHidden()
    assert toggle.text() == "Show reasoning"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)  # the user can open it again
    assert not reasoning.isHidden() and reasoning.toPlainText() == "First I consider 故宫."
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    view.finish_reply(answer(2, "The answer.", reasoning="First I consider 故宫."))
    assert reasoning.isHidden() and toggle.text() == "Show reasoning"


def test_thinking_closed_by_the_user_stays_closed(qtbot: QtBot, view: MessageView) -> None:
    view.show_messages([question(1)])
    view.begin_reply(2)
    view.append_reply(2, "", "Hmm. ")
    view.message(2)
    reasoning, toggle = _reasoning_parts(qtbot, view)
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    view.append_reply(2, "", "Still thinking.")
    view.message(2)
    assert reasoning.isHidden() and toggle.text() == "Thinking…"
    # A reply stopped while thinking reads folded, like any finished one.
    view.begin_reply(3)
    view.append_reply(3, "", "Cut off while thinking")
    view.message(3)
    view.finish_reply(answer(3, "", reasoning="Cut off while thinking", state=MessageState.STOPPED))
    views = [b for b in view.findChildren(QTextBrowser) if b.accessibleName() == "Reasoning"]
    assert len(views) == 2 and all(b.isHidden() for b in views)


# --- code fences while streaming --------------------------------------------------------------


def _in_code_frame(document: QTextDocument, text: str) -> bool | None:
    """Is the line ``text`` inside a code block's frame (None: no such line)?"""
    block = document.begin()
    while block.isValid():
        if block.text() == text:
            return QTextCursor(block).currentFrame() is not document.rootFrame()
        block = block.next()
    return None


def test_a_streamed_code_fence_is_a_code_block_until_it_closes(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No throttled render during the test: what is shown comes from the fence handling alone.
    monkeypatch.setattr(answer_body, "RENDER_MIN_INTERVAL_MS", 600_000)
    monkeypatch.setattr(answer_body, "RENDER_MAX_INTERVAL_MS", 600_000)
    view.show_messages([question(1)])
    view.begin_reply(2)

    def stream(piece: str) -> QTextDocument:
        view.append_reply(2, piece)
        documents = view.rendered_documents(2)  # shows the pending piece; the live document
        assert documents is not None and len(documents) == 1
        return documents[0]

    document = stream("Here is the code:\n\n")
    assert "Here is the code:" in document.toPlainText()
    document = stream("```python\n")
    assert "```" not in document.toPlainText()  # an open fence is never shown as text
    document = stream("def f():\n")
    assert _in_code_frame(document, "def f():")
    assert "```" not in document.toPlainText()
    document = stream("    return a[1]\n")  # streamed into the open block, in its font
    assert _in_code_frame(document, "    return a[1]")
    document = stream("\n# done")
    assert _in_code_frame(document, "# done")
    assert "```" not in document.toPlainText()
    document = stream("\n```\n\nAfter the block.")
    assert _in_code_frame(document, "After the block.") is False
    assert "```" not in document.toPlainText()
    text = "Here is the code:\n\n```python\ndef f():\n    return a[1]\n\n# done\n```\n\nAfter the block."
    view.finish_reply(answer(2, text))
    assert view.message(2) is not None and view.message(2).text == text
    final = view.rendered_documents(2)
    assert final is not None and _in_code_frame(final[0], "# done")


def test_a_segment_that_begins_inside_a_streamed_code_block_shows_it_as_code(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answer_body, "RENDER_MIN_INTERVAL_MS", 600_000)
    monkeypatch.setattr(answer_body, "RENDER_MAX_INTERVAL_MS", 600_000)
    view.show_messages([question(1)])
    view.begin_reply(2)
    lines = "".join(f"print({n})  # a line of code that is long enough\n" for n in range(200))
    view.append_reply(2, "```python\n" + lines)
    view.append_reply(2, "print('last')")
    documents = view.rendered_documents(2)
    assert documents is not None and len(documents) > 1  # cut into segments inside the block
    assert all("```" not in document.toPlainText() for document in documents)
    # The segment that begins inside the block is rendered on a pass of its own, as code.
    qtbot.waitUntil(lambda: _in_code_frame((view.rendered_documents(2) or [])[-1], "print('last')"))
    documents = view.rendered_documents(2)
    assert documents is not None and all("```" not in document.toPlainText() for document in documents)
