"""Tests for coze_desktop.export (Markdown, lossless JSON, self-contained HTML, JSON import) and
the import into the store (coze_desktop.store.exporting)."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coze_desktop import __version__
from coze_desktop.domain import (
    DEFAULT_BASE_URL,
    GLOBAL_BASE_URL,
    Bot,
    Conversation,
    ErrorInfo,
    Message,
    MessageState,
    Role,
    Source,
    Usage,
)
from coze_desktop.export import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ConversationExport,
    ExportFormatError,
    ImportResult,
    SkippedItem,
    parse_json_export,
    to_html,
    to_json,
    to_markdown,
)
from coze_desktop.store.exporting import ImportReport, import_items

T0 = 1714557600.123456  # 2024-05-01 10:00:00.123456 UTC
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(1)>'
DOCS_URL = "https://docs.example.com/install?a=1&b=2"
QUOTED_URL = 'http://example.org/a"b<c>'  # not a valid link target: shown as text only


# ---------------------------------------------------------------------------------------------
# Sample data
# ---------------------------------------------------------------------------------------------


def _chinese_conversation() -> ConversationExport:
    bot = Bot(
        bot_id="7350000000000000001",
        name="产品助手 🤖",
        description="回答产品问题",
        icon_url="https://cdn.example.com/icon.png",
        prologue="你好！有什么可以帮你？",
        suggested_questions=["怎么安装？", "What's new?"],
        base_url=DEFAULT_BASE_URL,
    )
    conversation = Conversation(
        id=11,
        bot_id=bot.bot_id,
        title="安装问题 & <b>粗体</b>",
        base_url=DEFAULT_BASE_URL,
        coze_conversation_id="7351111111111111111",
        created_at=T0,
        updated_at=T0 + 0.1 + 0.2,
        pinned=True,
        uid="c0ffee00000000000000000000000001",
    )
    answer = (
        "## 安装步骤 🚀\n\n1. 下载\n2. 运行：\n\n```bash\npip install coze-desktop\n```\n\n"
        "详见 [文档](https://docs.example.com)。Done ✅"
    )
    sources = [
        Source(
            slice="安装需要 Python 3.11。\n# 不是标题",
            score=0.834,
            document="安装指南",
            dataset="产品文档",
            title="Install guide",
            url=DOCS_URL,
        ),
        Source(slice="No link passage.", score=None, document="", dataset="FAQ", title="常见问题", url=""),
        Source(
            slice="evil", score=0.5, document=HOSTILE_ATTR, dataset=HOSTILE_SCRIPT, url="javascript:alert(1)"
        ),
        Source(slice="quoted", score=0.25, document="Quoted URL", url=QUOTED_URL),
    ]
    messages = [
        Message(
            id=101,
            conversation_id=11,
            role=Role.USER,
            text=f"# 如何安装？\n{HOSTILE_SCRIPT}\n- 不是列表",
            type="question",
            created_at=T0,
            uid="m1",
        ),
        Message(
            id=102,
            conversation_id=11,
            role=Role.ASSISTANT,
            text=answer,
            reasoning="用户想安装。\n先查文档。",
            coze_message_id="msg-1",
            coze_chat_id="chat-1",
            created_at=T0 + 1.5,
            sources=sources,
            follow_ups=["需要管理员权限吗？", "Does it run on macOS?"],
            usage=Usage(input_count=120, output_count=80, token_count=200),
            duration=3.25,
            uid="m2",
        ),
        Message(
            id=103,
            conversation_id=11,
            role=Role.USER,
            text="What about `uv`? 😀",
            created_at=T0 + 10,
            uid="m3",
        ),
        Message(
            id=104,
            conversation_id=11,
            role=Role.ASSISTANT,
            state=MessageState.FAILED,
            error=ErrorInfo(code=4028, message="余额不足 / quota exhausted", logid="20240501abcdef"),
            created_at=T0 + 11,
            uid="m4",
        ),
        Message(id=105, conversation_id=11, role=Role.USER, text="再试一次", created_at=T0 + 20, uid="m5"),
        Message(
            id=106,
            conversation_id=11,
            role=Role.ASSISTANT,
            text="部分回答……",
            state=MessageState.STOPPED,
            created_at=T0 + 21,
            uid="m6",
        ),
    ]
    return ConversationExport(conversation, messages, bot)


def _english_conversation() -> ConversationExport:
    conversation = Conversation(
        id=12,
        bot_id="7350000000000000002",
        title="English chat",
        base_url=GLOBAL_BASE_URL,
        created_at=T0 + 100,
        updated_at=T0 + 200,
        uid="c0ffee00000000000000000000000002",
    )
    messages = [
        Message(
            id=201, conversation_id=12, role=Role.USER, text="Show me code", created_at=T0 + 100, uid="m7"
        ),
        Message(
            id=202,
            conversation_id=12,
            role=Role.ASSISTANT,
            text="Here:\n```python\nprint('hi')\n",
            state=MessageState.INTERRUPTED,
            created_at=T0 + 101,
            duration=float("nan"),
            uid="m8",
        ),
    ]
    return ConversationExport(conversation, messages, None)


@pytest.fixture
def items() -> list[ConversationExport]:
    return [_chinese_conversation(), _english_conversation()]


def _without_ids(item: ConversationExport) -> ConversationExport:
    """What an import should give back: the same objects with local ids cleared."""
    messages = [
        dataclasses.replace(
            m,
            id=None,
            conversation_id=None,
            duration=m.duration if m.duration is None or math.isfinite(m.duration) else None,
        )
        for m in item.messages
    ]
    return ConversationExport(dataclasses.replace(item.conversation, id=None), messages, item.bot)


def _assert_dataclass_equal(actual: object, expected: object, path: str) -> None:
    """Field-by-field comparison with exact float equality and a path in the failure message."""
    assert type(actual) is type(expected), path
    if dataclasses.is_dataclass(expected):
        for f in dataclasses.fields(expected):
            _assert_dataclass_equal(getattr(actual, f.name), getattr(expected, f.name), f"{path}.{f.name}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_dataclass_equal(a, e, f"{path}[{index}]")
    elif isinstance(expected, float):
        assert isinstance(actual, float) and actual.hex() == expected.hex(), path
    else:
        assert actual == expected, path


def _document(conversations: list[Any], **header: Any) -> str:
    """A JSON export with the given conversations; header fields can be overridden."""
    root = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "conversations": conversations} | header
    return json.dumps(root)


def _conv(uid: str = "c1", messages: Any = None, **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "bot_id": "b1", "messages": [] if messages is None else messages} | fields


def _msg(uid: str, role: str = "user", **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "role": role, "text": f"text of {uid}"} | fields


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def test_markdown_has_titles_roles_and_dates(items: list[ConversationExport]) -> None:
    md = to_markdown(items, tz=UTC)
    assert md.startswith("# 安装问题 \\& \\<b\\>粗体\\</b\\>\n")
    assert (
        "**智能体**：产品助手 🤖 · **创建于**：2024-05-01 10:00 UTC · **更新于**：2024-05-01 10:00 UTC" in md
    )
    assert "**智能体**：7350000000000000002" in md  # no bot: its id stands in
    assert "## 用户 · 2024-05-01 10:00 UTC" in md
    assert "## 助手 · 2024-05-01 10:00 UTC" in md
    assert "\n\n---\n\n# English chat\n" in md


def test_markdown_numbered_references_with_links_and_quoted_passages(items: list[ConversationExport]) -> None:
    md = to_markdown(items, tz=UTC)
    assert "**来源**" in md
    assert (
        f"[1] 安装指南 — 产品文档 (score 0.83) <{DOCS_URL}>\n\n> 安装需要 Python 3.11。\n> \\# 不是标题" in md
    )
    assert "[2] 常见问题 — FAQ\n\n> No link passage." in md
    assert "[3] " in md and "`javascript:alert(1)`" in md
    assert "<javascript:" not in md
    assert f"`{QUOTED_URL}`" in md


def test_markdown_sets_reasoning_apart_and_notes_states(items: list[ConversationExport]) -> None:
    md = to_markdown(items, tz=UTC)
    assert "> **思考过程**\n>\n> 用户想安装。\n> 先查文档。" in md
    assert "> ⚠️ 失败：余额不足 / quota exhausted（错误码 4028，日志 ID 20240501abcdef）" in md
    assert "> ⚠️ 已停止" in md
    assert "> ⚠️ 中断" in md
    assert "**推荐问题**\n\n- 需要管理员权限吗？\n- Does it run on macOS?" in md
    assert "*用时 3.2 秒 · 200 tokens*" in md


def test_markdown_keeps_answer_markdown_and_closes_open_fence(items: list[ConversationExport]) -> None:
    md = to_markdown(items, tz=UTC)
    assert "## 安装步骤 🚀\n\n1. 下载\n2. 运行：\n\n```bash\npip install coze-desktop\n```" in md
    assert "Here:\n```python\nprint('hi')\n```" in md


def test_markdown_english_labels(items: list[ConversationExport]) -> None:
    md = to_markdown(items, lang="en_US", tz=UTC)
    for label in ("## You · ", "## Bot · ", "> **Reasoning**", "**Sources**", "**Suggested questions**"):
        assert label in md
    assert "> ⚠️ Failed: 余额不足 / quota exhausted (code 4028, log ID 20240501abcdef)" in md
    assert "> ⚠️ Stopped" in md


def test_markdown_structure_survives_user_text() -> None:
    """Rendered by a CommonMark parser, user text and passages create no headings, lists or HTML."""
    markdown_it = pytest.importorskip("markdown_it")
    items = [_chinese_conversation(), _english_conversation()]
    md = to_markdown(items, tz=UTC)
    parser = markdown_it.MarkdownIt("commonmark")
    tokens = parser.parse(md)
    stack: list[str] = []
    contexts: dict[str, list[str]] = {}
    headings: list[tuple[str, str]] = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.nesting == 1:
            stack.append(token.type)
        elif token.nesting == -1:
            stack.pop()
        elif token.type == "inline":
            if previous is not None and previous.type == "heading_open":
                headings.append((previous.tag, token.content))
            for needle in ("如何安装", "不是列表", "不是标题"):
                if needle in token.content:
                    contexts[needle] = list(stack)
    assert len(contexts) == 3
    for needle, context in contexts.items():
        assert "blockquote_open" in context, needle
        assert "heading_open" not in context and "list_item_open" not in context, needle
    h1 = [text for tag, text in headings if tag == "h1"]
    assert len(h1) == 2
    role_headings = [
        text for tag, text in headings if tag == "h2" and text.split(" ·")[0] in ("用户", "助手")
    ]
    assert len(role_headings) == 8  # every message, including those after an unclosed fence
    html_out = parser.render(md)
    assert "<script" not in html_out and "<img" not in html_out
    assert "<h1>安装问题 &amp; &lt;b&gt;粗体&lt;/b&gt;</h1>" in html_out
    links = [t.attrGet("href") for t in _flatten(tokens) if t.type == "link_open"]
    assert links and all(str(href).startswith(("http://", "https://")) for href in links)


def _flatten(tokens: list[Any]) -> list[Any]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token.children or []))
    return out


def test_markdown_of_nothing() -> None:
    assert to_markdown([]) == "没有可导出的会话。\n"
    assert to_markdown([], lang="en") == "No conversations to export.\n"


# ---------------------------------------------------------------------------------------------
# JSON export
# ---------------------------------------------------------------------------------------------


def test_json_header_and_shape(items: list[ConversationExport]) -> None:
    text = to_json(items, exported_at=1714557600.9)
    assert "产品助手 🤖" in text  # ensure_ascii=False
    assert '\n  "format": "coze-desktop-export",' in text  # indent=2
    root = json.loads(text)
    assert root["format"] == "coze-desktop-export"
    assert root["version"] == 2
    assert root["exported_at"] == "2024-05-01T10:00:00Z"
    assert root["app_version"] == __version__
    first = root["conversations"][0]
    assert list(first) == [
        "uid", "title", "bot_id", "base_url", "coze_conversation_id", "created_at", "created_at_iso",
        "updated_at", "updated_at_iso", "pinned", "workflow_id", "app_id", "bot", "messages",
    ]  # fmt: skip
    assert root["workflow_runs"] == []  # none given
    assert first["created_at_iso"] == "2024-05-01T10:00:00Z"
    assert first["bot"]["suggested_questions"] == ["怎么安装？", "What's new?"]
    answer = first["messages"][1]
    assert answer["sources"][0] == {
        "slice": "安装需要 Python 3.11。\n# 不是标题",
        "score": 0.834,
        "document": "安装指南",
        "dataset": "产品文档",
        "title": "Install guide",
        "url": DOCS_URL,
    }
    assert answer["usage"] == {"input_count": 120, "output_count": 80, "token_count": 200}
    assert first["messages"][3]["error"] == {
        "code": 4028,
        "message": "余额不足 / quota exhausted",
        "logid": "20240501abcdef",
    }
    assert root["conversations"][1]["bot"] is None
    assert root["conversations"][1]["messages"][1]["duration"] is None  # NaN is written as null


def test_json_has_no_local_ids(items: list[ConversationExport]) -> None:
    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    found = keys(json.loads(to_json(items)))
    assert "id" not in found and "conversation_id" not in found
    assert {"uid", "bot_id", "coze_conversation_id"} <= found


def test_json_round_trip_restores_equal_objects(items: list[ConversationExport]) -> None:
    result = parse_json_export(to_json(items))
    assert result.skipped == [] and result.warnings == []
    expected = [_without_ids(item) for item in items]
    _assert_dataclass_equal(result.items, expected, "items")
    assert result.items == expected
    assert result.items[0].conversation.updated_at == T0 + 0.1 + 0.2  # floats exact


def test_json_round_trip_from_bytes_with_bom(items: list[ConversationExport]) -> None:
    data = b"\xef\xbb\xbf" + to_json(items).encode("utf-8")
    assert parse_json_export(data).items == [_without_ids(item) for item in items]


# ---------------------------------------------------------------------------------------------
# JSON import: refusing files
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[1, 2]", "not a JSON object"),
        ("{}", '"format" is None'),
        (json.dumps({"format": "something-else", "version": 1}), 'expected "coze-desktop-export"'),
        (json.dumps({"format": FORMAT_NAME}), 'no valid "version"'),
        (json.dumps({"format": FORMAT_NAME, "version": "one"}), 'no valid "version"'),
        (json.dumps({"format": FORMAT_NAME, "version": 1}), 'no "conversations" list'),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_parse_refuses_what_is_not_an_export(text: str | bytes, message: str) -> None:
    with pytest.raises(ExportFormatError) as info:
        parse_json_export(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_refuses_a_newer_version_and_says_which_it_reads() -> None:
    with pytest.raises(ExportFormatError) as info:
        parse_json_export(_document([], version=3))
    text = str(info.value)
    assert "version 3" in text and "versions 1 to 2" in text and "Update Coze Desktop" in text


def test_parse_accepts_version_written_as_text() -> None:
    assert parse_json_export(_document([_conv()], version="1")).items[0].conversation.uid == "c1"


# ---------------------------------------------------------------------------------------------
# JSON import: skipping and coercing
# ---------------------------------------------------------------------------------------------


def test_parse_skips_broken_conversations_and_keeps_the_rest() -> None:
    text = _document(
        [
            _conv("c1", [_msg("m1")]),
            "not an object",
            {"bot_id": "b1", "messages": []},
            {"uid": "c3", "messages": []},
            _conv("c1", [_msg("m9")]),
            _conv("c4", messages="oops"),
            _conv("c5"),
        ]
    )
    result = parse_json_export(text)
    assert [item.conversation.uid for item in result.items] == ["c1", "c5"]
    assert result.skipped == [
        SkippedItem("conversation", "#2", "is 'not an object', not a JSON object"),
        SkippedItem("conversation", "#3", "has no uid"),
        SkippedItem("conversation", "c3", "has no bot_id"),
        SkippedItem("conversation", "c1", "duplicate uid: an earlier conversation in the file has it"),
        SkippedItem("conversation", "c4", "\"messages\" is 'oops', not a list"),
    ]
    assert str(result.skipped[2]) == "conversation c3: has no bot_id"


def test_parse_skips_broken_messages_and_keeps_the_rest() -> None:
    messages = [
        _msg("m1"),
        _msg("m2", role="robot"),
        {"role": "assistant", "text": "no uid"},
        _msg("m1", role="assistant"),
        7,
        _msg("m3", role="Assistant"),
    ]
    result = parse_json_export(_document([_conv("c1", messages), _conv("c2", [_msg("m3"), _msg("m4")])]))
    assert [[m.uid for m in item.messages] for item in result.items] == [["m1", "m3"], ["m4"]]
    assert result.items[0].messages[1].role is Role.ASSISTANT
    assert [(s.what, s.ref, s.conversation) for s in result.skipped] == [
        ("message", "m2", "c1"),
        ("message", "#3", "c1"),
        ("message", "m1", "c1"),
        ("message", "#5", "c1"),
        ("message", "m3", "c2"),
    ]
    assert str(result.skipped[0]) == "message m2 in conversation c1: unknown role 'robot'"
    assert "duplicate uid" in result.skipped[-1].reason


def test_parse_maps_unknown_state_to_complete_with_a_warning() -> None:
    messages = [_msg("m1", role="assistant", state="thinking"), _msg("m2", state="STOPPED"), _msg("m3")]
    result = parse_json_export(_document([_conv("c1", messages)]))
    assert [m.state for m in result.items[0].messages] == [
        MessageState.COMPLETE,
        MessageState.STOPPED,
        MessageState.COMPLETE,
    ]
    assert result.skipped == []
    assert result.warnings == [
        "message m1 in conversation c1: unknown state 'thinking', imported as complete"
    ]


def test_parse_coerces_unambiguous_types_and_defaults_the_rest() -> None:
    message = _msg(
        "m1",
        role="assistant",
        text=42,
        created_at="1714557600.5",
        coze_message_id=7351234567890123456,
        sources=[
            {"slice": "p", "score": "0.8", "document": "d", "url": None},
            {"score": "high"},
            "not a source",
        ],
        follow_ups=["a", 2, None, {"x": 1}],
        usage={"input_count": "10", "output_count": 5.0, "token_count": "lots"},
        duration="2.5",
        error="boom",
        type=None,
    )
    conversation = _conv(
        "c1", [message], pinned="true", title=["not", "text"], created_at_iso="2024-05-01T10:00:00Z"
    )
    result = parse_json_export(_document([conversation]))
    item = result.items[0]
    assert item.conversation.pinned is True
    assert item.conversation.title == ""
    assert item.conversation.created_at == 1714557600.0
    assert item.conversation.base_url == DEFAULT_BASE_URL
    assert item.conversation.id is None
    got = item.messages[0]
    assert (got.id, got.conversation_id) == (None, None)
    assert got.text == "42"
    assert got.type == "answer"
    assert got.created_at == 1714557600.5
    assert got.coze_message_id == "7351234567890123456"
    assert got.sources == [Source(slice="p", score=0.8, document="d"), Source(score=None)]
    assert got.follow_ups == ["a", "2"]
    assert got.usage == Usage(input_count=10, output_count=5, token_count=0)
    assert got.duration == 2.5
    assert got.error == ErrorInfo(code=None, message="boom")
    assert result.skipped == [] and result.warnings == []


def test_parse_fills_bot_defaults_from_its_conversation() -> None:
    conversation = _conv("c1", bot={"name": "小助手"}, base_url=GLOBAL_BASE_URL)
    bot = parse_json_export(_document([conversation])).items[0].bot
    assert bot == Bot(bot_id="b1", name="小助手", base_url=GLOBAL_BASE_URL)


def test_parse_replaces_lone_surrogates() -> None:
    text = '{"format": "coze-desktop-export", "version": 1, "conversations": [{"uid": "c1", "bot_id": "b1", "title": "a\\ud800b"}]}'
    title = parse_json_export(text).items[0].conversation.title
    assert title == "a\ufffdb"


def test_exports_always_encode_as_utf8() -> None:
    conversation = Conversation(id=1, bot_id="b", title="x\ud800y", uid="c")
    message = Message(id=1, conversation_id=1, role=Role.USER, text="\udfff", uid="m")
    items = [ConversationExport(conversation, [message])]
    for text in (to_json(items), to_markdown(items), to_html(items)):
        assert "x\ufffdy" in text
        text.encode("utf-8")
    assert parse_json_export(to_json(items)).items[0].messages[0].text == "\ufffd"


# ---------------------------------------------------------------------------------------------
# Import into the store
# ---------------------------------------------------------------------------------------------


def test_import_into_the_store_restores_everything_and_is_idempotent(
    tmp_path: Path, items: list[ConversationExport]
) -> None:
    from coze_desktop.store import Store

    uids = [item.conversation.uid for item in items]
    with Store.open(tmp_path) as store:
        first = import_items(store, parse_json_export(to_json(items)))
        second = import_items(store, parse_json_export(to_json(items)))
        assert first == ImportReport(imported=uids, messages_imported=8)
        assert second == ImportReport(already_present=uids)
        for item in map(_without_ids, items):
            saved = store.get_conversation_by_uid(item.conversation.uid)
            assert saved is not None and saved.id is not None
            assert dataclasses.replace(saved, id=None) == item.conversation
            messages = [
                dataclasses.replace(m, id=None, conversation_id=None, parent_id=None) for m in store.messages(saved.id)
            ]
            _assert_dataclass_equal(messages, item.messages, item.conversation.uid)
            assert store.get_bot(item.conversation.bot_id, item.conversation.base_url) == item.bot


class _PickyStore:
    """Refuses conversations titled "bad" as the real store refuses invalid data; has "old" already."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def import_conversation(
        self, conversation: Conversation, messages: Iterable[Message], bot: Bot | None = None
    ) -> bool:
        if conversation.title == "bad":
            raise ValueError("a message can keep at most 255 sources, got 300")
        if conversation.uid == "old":
            return False
        self.saved.append(conversation.uid)
        return True


def test_import_reports_refused_present_and_skipped_conversations() -> None:
    conversations = [
        _conv("new", [_msg("m1"), _msg("m2", state="odd")]),
        _conv("x", title="bad"),
        _conv("old"),
        5,
    ]
    result = parse_json_export(_document(conversations))
    store = _PickyStore()
    report = import_items(store, result)
    assert store.saved == ["new"]
    assert report.imported == ["new"] and report.messages_imported == 2
    assert report.already_present == ["old"]
    assert report.failed == [
        SkippedItem("conversation", "x", "not saved: a message can keep at most 255 sources, got 300")
    ]
    assert report.skipped == [SkippedItem("conversation", "#4", "is 5, not a JSON object")]
    assert report.warnings == result.warnings and len(report.warnings) == 1


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_VOID = {"meta"}


class _Collector(HTMLParser):
    """Records every start tag with its attributes, the text, and checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.decls: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decls.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.starts if t == name and (cls is None or cls in (a.get("class") or "").split())
        ]


def _parse_html(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    assert collector.errors == [] and collector.stack == []
    return collector


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "nav", "ol", "ul", "li", "a", "article",
    "header", "h1", "h2", "h3", "p", "time", "section", "details", "summary", "div", "pre", "code", "blockquote",
}  # fmt: skip


def test_html_document_is_self_contained_and_safe(items: list[ConversationExport]) -> None:
    page = to_html(items, tz=UTC)
    doc = _parse_html(page)
    assert doc.decls == ["DOCTYPE html"]
    assert {tag for tag, _ in doc.starts} <= ALLOWED_TAGS
    assert doc.tags("html") == [{"lang": "zh-CN"}]
    assert {"charset": "utf-8"} in doc.tags("meta")
    assert len(doc.tags("style")) == 1 and "prefers-color-scheme: dark" in page
    for _tag, attrs in doc.starts:
        assert "src" not in attrs and "srcset" not in attrs
        assert not any(name.startswith("on") for name in attrs)
    hrefs = [a["href"] for a in doc.tags("a")]
    assert hrefs == ["#c1", "#c2", DOCS_URL]  # contents, then the only http(s) source link
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<link" not in page.lower()
    text = "".join(doc.text)
    for hostile in (
        HOSTILE_SCRIPT,
        HOSTILE_ATTR,
        "javascript:alert(1)",
        QUOTED_URL,
        "安装问题 & <b>粗体</b>",
    ):
        assert hostile in text  # shown, as text


def test_html_structure_of_messages(items: list[ConversationExport]) -> None:
    doc = _parse_html(to_html(items, tz=UTC))
    assert [a["id"] for a in doc.tags("article")] == ["c1", "c2"]
    assert len(doc.tags("section", "message")) == 8
    assert len(doc.tags("section", "user")) == 4 and len(doc.tags("section", "assistant")) == 4
    assert doc.tags("details", "reasoning") == [{"class": "reasoning"}]
    assert (
        len(doc.tags("section", "sources")) == 1 and len(doc.tags("li")) == 2 + 4 + 2
    )  # nav, sources, follow-ups
    assert [a["class"] for a in doc.tags("p", "note")] == ["note failed", "note stopped", "note interrupted"]
    assert len(doc.tags("pre")) == 2  # the bash block and the unclosed python block
    assert doc.tags("time")[0] == {"datetime": "2024-05-01T10:00:00Z"}
    assert doc.tags("a")[-1] == {"href": DOCS_URL, "rel": "noopener noreferrer"}


def test_html_exact_structure_of_one_small_conversation() -> None:
    conversation = Conversation(id=1, bot_id="b", title="T", created_at=T0, updated_at=T0, uid="c")
    messages = [
        Message(id=1, conversation_id=1, role=Role.USER, text="Q", uid="u"),
        Message(
            id=2,
            conversation_id=1,
            role=Role.ASSISTANT,
            text="A",
            reasoning="R",
            sources=[Source(slice="S", document="D", url="https://x.test/")],
            follow_ups=["F"],
            uid="a",
        ),
    ]
    doc = _parse_html(to_html([ConversationExport(conversation, messages, Bot("b", name="B"))], lang="en"))
    body = [(tag, attrs.get("class")) for tag, attrs in doc.starts][doc.starts.index(("body", {})) :]
    assert body == [
        ("body", None), ("main", None), ("article", None), ("header", None), ("h1", None), ("p", "meta"),
        ("section", "message user"), ("h2", None), ("div", "text"),
        ("section", "message assistant"), ("h2", None),
        ("details", "reasoning"), ("summary", None), ("div", "text"), ("div", "text"),
        ("section", "sources"), ("h3", None), ("ol", None), ("li", None),
        ("p", "source-head"), ("a", None), ("p", "source-url"), ("blockquote", "text"),
        ("section", "follow-ups"), ("h3", None), ("ul", None), ("li", None),
    ]  # fmt: skip
    assert doc.tags("html") == [{"lang": "en"}]
    assert "".join(doc.text).count("Reasoning") == 1


def test_html_of_nothing_is_still_a_page() -> None:
    doc = _parse_html(to_html([], lang="en"))
    assert "No conversations to export." in "".join(doc.text)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_uids = st.sampled_from(["a", "b", "c", "d", "e", " "])


def _maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three times in four a plausible value, else any JSON value at all."""
    return st.sampled_from([valid, valid, valid, _json_values]).flatmap(lambda strategy: strategy)


_fuzz_messages = st.fixed_dictionaries(
    {
        "uid": _maybe(_uids),
        "role": _maybe(st.sampled_from(["user", "assistant", "ASSISTANT", "system"])),
    },
    optional={
        "text": _maybe(st.text()),
        "state": _maybe(st.sampled_from([s.value for s in MessageState] + ["odd"])),
        "created_at": _maybe(st.floats() | st.text(max_size=12)),
        "created_at_iso": _maybe(
            st.sampled_from(["2024-05-01T10:00:00Z", "9999-12-31", "0001-01-01T00:00:00-23:59"])
        ),
        "error": _maybe(st.fixed_dictionaries({}, optional={"code": _json_values, "message": _json_values})),
        "sources": _maybe(
            st.lists(st.dictionaries(st.sampled_from(["slice", "score", "url"]), _json_values))
        ),
        "follow_ups": _json_values,
        "usage": _maybe(st.dictionaries(st.sampled_from(["input_count", "token_count"]), _json_values)),
        "duration": _json_values,
    },
)
_fuzz_conversations = st.fixed_dictionaries(
    {
        "uid": _maybe(_uids),
        "bot_id": _maybe(st.just("b1")),
        "messages": _maybe(st.lists(_maybe(_fuzz_messages), max_size=4)),
    },
    optional={
        "title": _json_values,
        "base_url": _json_values,
        "created_at": _maybe(st.floats()),
        "pinned": _json_values,
        "bot": _maybe(
            st.dictionaries(st.sampled_from(["bot_id", "name", "suggested_questions"]), _json_values)
        ),
    },
)
_fuzz_documents = st.fixed_dictionaries(
    {
        "format": st.just(FORMAT_NAME),
        "version": st.sampled_from([1, "1", 1.0]),
        "conversations": st.lists(_maybe(_fuzz_conversations), max_size=4),
    }
)


def _check_accepted(result: ImportResult) -> None:
    """What parse returned is well-typed, exports in every format and survives another round trip."""
    assert isinstance(result, ImportResult)
    for item in result.items:
        assert item.conversation.uid.strip() and item.conversation.bot_id.strip()
        assert item.conversation.id is None
        for message in item.messages:
            assert isinstance(message.role, Role) and isinstance(message.state, MessageState)
            assert message.uid.strip() and message.id is None and message.conversation_id is None
            assert isinstance(message.created_at, float) and math.isfinite(message.created_at)
    assert parse_json_export(to_json(result.items)).items == result.items
    to_markdown(result.items)
    _parse_html(to_html(result.items))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_fuzz_documents, _json_values))
def test_parse_never_crashes_on_hostile_structures(document: Any) -> None:
    text = json.dumps(document)
    try:
        result = parse_json_export(text if len(text) % 2 else text.encode("utf-8"))
    except ExportFormatError:
        return
    _check_accepted(result)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_parse_never_crashes_on_garbage(data: bytes | str) -> None:
    try:
        result = parse_json_export(data)
    except ExportFormatError:
        return
    _check_accepted(result)


_texts = st.text(
    alphabet=st.sampled_from("ab <>&\"'`#-*\n\r\\:/脚本😀") | st.characters(codec="utf-8"), max_size=40
)
_sources = st.builds(
    Source,
    slice=_texts,
    score=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    document=_texts,
    dataset=_texts,
    title=_texts,
    url=_texts | st.sampled_from(["https://ok.test/x", "javascript:alert(1)", " http://a.b "]),
)
_domain_messages = st.builds(
    Message,
    id=st.none() | st.integers(),
    conversation_id=st.none() | st.integers(),
    role=st.sampled_from(Role),
    text=_texts,
    type=st.sampled_from(["question", "answer"]),
    reasoning=_texts,
    state=st.sampled_from(MessageState),
    coze_message_id=st.none() | _texts,
    error=st.none()
    | st.builds(ErrorInfo, code=st.none() | st.integers(), message=_texts, logid=st.none() | _texts),
    created_at=st.floats(allow_nan=False, allow_infinity=False),
    sources=st.lists(_sources, max_size=3),
    follow_ups=st.lists(_texts, max_size=3),
    usage=st.none() | st.builds(Usage, st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6)),
    duration=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    uid=st.uuids().map(lambda u: u.hex),
)


@settings(max_examples=150, deadline=None)
@given(
    title=_texts,
    created_at=st.floats(allow_nan=False, allow_infinity=False),
    messages=st.lists(_domain_messages, max_size=4, unique_by=lambda m: m.uid),
    bot_name=st.none() | _texts,
)
def test_generated_conversations_round_trip_and_render_safely(
    title: str, created_at: float, messages: list[Message], bot_name: str | None
) -> None:
    conversation = Conversation(
        id=5, bot_id="b1", title=title, created_at=created_at, updated_at=created_at, uid="c1"
    )
    bot = None if bot_name is None else Bot("b1", name=bot_name)
    items = [ConversationExport(conversation, messages, bot)]
    assert parse_json_export(to_json(items)).items == [_without_ids(item) for item in items]
    doc = _parse_html(to_html(items))
    assert {tag for tag, _ in doc.starts} <= ALLOWED_TAGS
    assert all(href.startswith(("http://", "https://")) for href in (a["href"] or "" for a in doc.tags("a")))
    assert to_markdown(items).endswith("\n")
