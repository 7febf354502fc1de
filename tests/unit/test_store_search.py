"""Search: substrings in Chinese and English, passages, filters, paging, ranking, snippets."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.domain import Conversation, Message, Role, Source
from coze_desktop.store import Store
from coze_desktop.store import search as search_module
from coze_desktop.store.search import fts_match_expression, make_snippet, query_words

DAY = 86400.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path) as opened:
        yield opened


def conversation(store: Store, title: str, bot_id: str = "bot") -> int:
    saved = store.create_conversation(Conversation(id=None, bot_id=bot_id, title=title))
    assert saved.id is not None
    return saved.id


def say(
    store: Store, conv_id: int, text: str, *, role: Role = Role.USER, when: float = 0.0, **kw: object
) -> int:
    message = Message(id=None, conversation_id=conv_id, role=role, text=text, created_at=when, **kw)  # type: ignore[arg-type]
    saved = store.add_message(message)
    assert saved.id is not None
    return saved.id


def ids(store: Store, query: str, **kwargs: object) -> list[int]:
    return [hit.message_id for hit in store.search(query, **kwargs)]  # type: ignore[arg-type]


@pytest.fixture
def chats(store: Store) -> dict[str, int]:
    travel = conversation(store, "旅行计划", bot_id="travel")
    code = conversation(store, "Python 问题", bot_id="coder")
    return {
        "travel": travel,
        "code": code,
        "beijing": say(store, travel, "北京市海淀区有什么好玩的地方？", when=1 * DAY),
        "answer": say(
            store,
            travel,
            "可以去颐和园和圆明园，北京的秋天很美。",
            role=Role.ASSISTANT,
            when=2 * DAY,
            sources=[Source(slice="颐和园位于海淀区，是清代皇家园林。", title="旅游手册")],
        ),
        "shanghai": say(store, travel, "上海呢？", when=3 * DAY),
        "python": say(store, code, "How do I read a FILE in Python？用Python读文件", when=4 * DAY),
        "sqlite": say(store, code, "SQLite 的 FTS5 trigram 分词器 supports substring search.", when=5 * DAY),
    }


def test_chinese_one_two_three_and_six_characters(store: Store, chats: dict[str, int]) -> None:
    assert ids(store, "京") == [chats["answer"], chats["beijing"]]  # newest first
    assert ids(store, "北京") == [chats["answer"], chats["beijing"]]
    assert sorted(ids(store, "海淀区")) == sorted([chats["answer"], chats["beijing"]])  # one via its source
    assert ids(store, "北京市海淀区") == [chats["beijing"]]
    assert ids(store, "京市海淀") == [chats["beijing"]]  # any substring, not words
    assert ids(store, "南京") == [] and ids(store, "南京市") == []


def test_substrings_across_chinese_and_english(store: Store, chats: dict[str, int]) -> None:
    assert ids(store, "用Python读") == [chats["python"]]
    assert ids(store, "的 FTS5 tri") == [chats["sqlite"]]  # three words: all must occur
    assert ids(store, "FTS5 分词") == [chats["sqlite"]]
    assert ids(store, "FTS5 上海") == []


def test_english_is_case_insensitive(store: Store, chats: dict[str, int]) -> None:
    assert ids(store, "file") == [chats["python"]]
    assert ids(store, "PYTHON") == [chats["python"]]
    assert ids(store, "sqlite TRIGRAM") == [chats["sqlite"]]
    assert ids(store, "Fi") == [chats["python"]]  # short: scanned with instr(lower())
    assert ids(store, "i") == [chats["sqlite"], chats["python"]]
    assert ids(store, "PY 读") == [chats["python"]]


def test_source_passages_are_searched(store: Store, chats: dict[str, int]) -> None:
    (hit,) = store.search("皇家园林")
    assert hit.message_id == chats["answer"] and hit.in_source
    assert hit.snippet == "颐和园位于海淀区，是清代«皇家园林»。"
    assert hit.role is Role.ASSISTANT and hit.conversation_title == "旅行计划"
    (short,) = store.search("清代")  # the short-query scan looks at passages too
    assert short.message_id == chats["answer"] and short.in_source
    (text_hit,) = store.search("颐和园 秋天")  # found in the text: the snippet comes from it
    assert not text_hit.in_source and "«颐和园»" in text_hit.snippet


def test_hit_fields(store: Store, chats: dict[str, int]) -> None:
    (hit,) = store.search("海淀区有")
    assert (hit.conversation_id, hit.conversation_title, hit.message_id) == (
        chats["travel"],
        "旅行计划",
        chats["beijing"],
    )
    assert hit.role is Role.USER and hit.created_at == 1 * DAY and not hit.in_source
    assert hit.snippet == "北京市«海淀区有»什么好玩的地方？"


def test_filters_by_bot_and_dates(store: Store, chats: dict[str, int]) -> None:
    assert ids(store, "北京", bot_id="coder") == []
    assert ids(store, "北京", bot_id="travel") == [chats["answer"], chats["beijing"]]
    assert ids(store, "海淀区", since=1.5 * DAY) == [chats["answer"]]
    assert ids(store, "海淀区", until=1.5 * DAY) == [chats["beijing"]]
    assert ids(store, "京", since=1.5 * DAY, until=2.5 * DAY, bot_id="travel") == [chats["answer"]]
    assert ids(store, "i", since=4.5 * DAY) == [chats["sqlite"]]


def test_limit_and_offset_page_without_overlap(store: Store) -> None:
    conv = conversation(store, "many")
    written = [say(store, conv, f"第{i}条：数据库备份", when=1000.0 + i) for i in range(30)]
    for query in ("数据库备份", "备份"):  # indexed and scanned
        pages = [ids(store, query, limit=7, offset=offset) for offset in range(0, 35, 7)]
        found = [mid for page in pages for mid in page]
        assert sorted(found) == sorted(written) and len(found) == 30
    assert ids(store, "备份", limit=3) == written[::-1][:3]
    assert store.search("备份", limit=0) == []


def test_ranking_by_relevance_then_recency(store: Store) -> None:
    conv = conversation(store, "rank")
    weak = say(store, conv, "数据库" + "，其他内容很多很多" * 30, when=3.0)
    strong = say(store, conv, "数据库，数据库，还是数据库", when=1.0)
    tie_old = say(store, conv, "只有缓存层", when=1.0)
    tie_new = say(store, conv, "只有缓存层", when=2.0)
    assert ids(store, "数据库") == [strong, weak]
    assert ids(store, "缓存层") == [tie_new, tie_old]


def test_beyond_the_ranking_window_older_matches_follow(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "RANK_WINDOW", 4)
    conv = conversation(store, "window")
    written = []
    for i in range(12):
        sources = [Source(slice=f"资料{i}：知识库内容")] if i % 3 == 0 else []
        written.append(say(store, conv, f"问题{i}：知识库", when=1000.0 + i, sources=sources))
    pages = [ids(store, "知识库", limit=5, offset=offset) for offset in range(0, 15, 5)]
    found = [mid for page in pages for mid in page]
    assert sorted(found) == sorted(written) and len(found) == 12  # each once, none lost
    assert found[-5:] == sorted(found[-5:], reverse=True)  # the older part comes newest first
    assert ids(store, "知识库 内容") == [written[i] for i in (9, 6, 3, 0)]
    assert ids(store, "知识库", bot_id="nobody") == []


def test_query_syntax_is_never_interpreted(store: Store) -> None:
    conv = conversation(store, "syntax")
    quoted = say(store, conv, 'he said "hello" AND left (NEAR the door) * ^col: OR NOT')
    for query in ('"hello"', "AND left", "(NEAR", "* ^col:", "OR NOT", '"', 'd "he', "NEAR/3"):
        assert store.search(query) is not None  # no FTS5 syntax error
    assert ids(store, '"hello" AND') == [quoted]
    assert ids(store, "(NEAR the") == [quoted]
    assert ids(store, "hello\x00") == [quoted]
    assert store.search("") == [] and store.search("   \u3000 ") == []


def test_streaming_text_is_searchable_after_a_checkpoint(store: Store) -> None:
    conv = conversation(store, "live")
    writer = store.start_reply(conv)
    writer.append("正在生成的回答")
    assert ids(store, "生成的") == []
    writer.checkpoint()
    assert ids(store, "生成的") == [writer.message_id]
    writer.finish()
    assert ids(store, "生成的回答") == [writer.message_id]


def test_snippet_around_first_match_with_custom_markers(store: Store) -> None:
    conv = conversation(store, "snip")
    text = "开头" * 50 + "<b>目标</b> & 结尾" + "结尾" * 50
    say(store, conv, text)
    (hit,) = store.search("目标", markers=("[[", "]]"))
    assert "<b>[[目标]]</b> &" in hit.snippet  # not Markdown, and nothing escaped
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")  # cut on both sides
    plain = hit.snippet.replace("[[", "").replace("]]", "").strip("…")
    assert plain in text and 55 <= len(plain) <= 65


def test_query_words_and_match_expression() -> None:
    assert query_words("  北京\u3000天气  北京 ") == ["北京", "天气"]
    assert query_words("Hello hello HELLO") == ["Hello"]
    assert fts_match_expression(['say "hi"', "abc"]) == '"say ""hi""" AND "abc"'


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@given(
    text=st.text(alphabet=st.sampled_from("ab北京上海 AB，。xyz\n"), max_size=200),
    word=st.text(alphabet=st.sampled_from("ab北京Ab"), min_size=1, max_size=4),
)
def test_snippet_is_plain_text_with_markers_and_whole_words(text: str, word: str) -> None:
    snippet = make_snippet(text, [word], ("«", "»"))
    flat = " ".join(text.split())  # one line: new lines and runs of spaces become one space
    plain = snippet.replace("«", "").replace("»", "")
    assert plain == plain.strip() and "\n" not in plain
    if plain.startswith("…"):
        plain = plain[1:]
    elif flat:
        assert flat.startswith(plain.removesuffix("…"))
    cut_at_end = plain.endswith("…")
    plain = plain.removesuffix("…")
    assert plain in flat

    def whole_words_at(i: int) -> bool:  # Latin words are never cut
        j = i + len(plain)
        return (i == 0 or not (_word_char(flat[i - 1]) and _word_char(flat[i]))) and (
            j == len(flat) or not (_word_char(flat[j - 1]) and _word_char(flat[j]))
        )

    starts = [i for i in range(len(flat) - len(plain) + 1) if flat.startswith(plain, i)]
    assert any(whole_words_at(i) for i in starts)
    assert cut_at_end == all(i + len(plain) < len(flat) for i in starts)
    if word.lower() in flat.lower():
        assert "«" in snippet and snippet.count("«") == snippet.count("»")
        first = flat.lower().index(word.lower())
        assert flat[first : first + len(word)] in plain
    else:
        assert "«" not in snippet


@pytest.mark.parametrize(
    ("text", "snippet"),
    [
        (
            "## Returns\n\nOur **returns** policy: see [the rules](https://x.example/r).",
            "«Returns» Our «returns» policy: see the rules.",
        ),
        (
            "- first item\n- second *returns* item\n1. third\n> quoted",
            "first item second «returns» item third quoted",
        ),
        (
            "```python\nprint('returns')\n```\nAfter the `code_span` text.",
            "print('«returns»') After the code_span text.",
        ),
        ("| Item | Returns |\n|---|:---:|\n| shoes | 7 days |", "Item «Returns» shoes 7 days"),
        (
            "![returns chart](chart.png) and __bold__ and ~~gone~~ snake_case_name",
            "«returns» chart and bold and gone snake_case_name",
        ),
        ("- [x] returns done\n***\n# Title #", "«returns» done Title"),
        ("Escaped \\*stars\\* stay: returns", "Escaped *stars* stay: «returns»"),
        ("Links [like this](http://example.com/returns) keep their address when it matched", None),
    ],
)
def test_snippet_strips_markdown(text: str, snippet: str | None) -> None:
    made = make_snippet(text, ["returns"], ("«", "»"), width=200)
    if snippet is not None:
        assert made == snippet
    else:  # the match is in Markdown syntax only: the raw text shows why it matched
        assert "«returns»" in made and "](" in made


@given(
    text=st.text(alphabet=st.sampled_from("ab北 A*_`[]()!|#>~\\<-+1.\n x"), max_size=300),
    word=st.text(alphabet=st.sampled_from("ab北*_["), min_size=1, max_size=3),
)
def test_snippet_of_any_markdown_is_one_line_with_balanced_markers(text: str, word: str) -> None:
    snippet = make_snippet(text, [word], ("«", "»"))
    assert "\n" not in snippet and snippet.count("«") == snippet.count("»")
    if word.lower() in text.lower():
        assert "«" in snippet  # the match shows, made plain or (when it was markup) as written


def test_snippet_cuts_latin_text_at_word_boundaries() -> None:
    text = (
        "Customers often ask whether international shipping includes the refundable deposit, "
        "and the answer depends entirely on the destination country and its customs regulations."
    )
    snippet = make_snippet(text, ["destination"], ("«", "»"))
    assert snippet.startswith("…") and snippet.endswith("…") and "«destination»" in snippet
    body = snippet.strip("…").replace("«", "").replace("»", "")
    assert f" {body} " in f" {text} "  # starts and ends on whole words
    assert 40 <= len(body) <= 80
    at_start = make_snippet(text, ["Customers"], ("«", "»"))
    assert at_start.startswith("«Customers» often") and at_start.endswith("…")
    assert f" {at_start.removesuffix('…').replace('«', '').replace('»', '')} " in f" {text} "


def test_snippet_cuts_chinese_anywhere() -> None:
    text = (
        "颐和园位于北京市海淀区，是清代的皇家园林，" * 6 + "昆明湖" + "，占地约三百公顷的园林景观十分优美" * 6
    )
    snippet = make_snippet(text, ["昆明湖"], ("«", "»"))
    body = snippet.strip("…").replace("«", "").replace("»", "")
    assert snippet.startswith("…") and snippet.endswith("…") and "«昆明湖»" in snippet
    assert body in text and len(body) == 60  # exactly the width: no word boundaries to look for


def test_snippet_of_a_long_message_is_made_plain_around_the_match() -> None:
    text = (
        "## Notes\n\n" + "**filler** words and more words. " * 20_000 + "the needle here. " + "tail " * 20_000
    )
    snippet = make_snippet(text, ["needle"], ("«", "»"))
    assert snippet.startswith("…") and "«needle» here" in snippet and "**" not in snippet


# ----------------------------------------------------------------------- short words in big histories


@pytest.fixture
def small_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the history 'big': only the newest 2 messages are scanned before the index is asked."""
    monkeypatch.setattr(search_module, "SCAN_PROBE", 2)


def test_short_words_beyond_the_probe_come_from_the_index(store: Store, small_probe: None) -> None:
    conv = conversation(store, "big")
    at_end = say(store, conv, "这句话的结尾是北京", when=1.0)  # the word ends the text
    alone = say(store, conv, "京", when=2.0)  # a one-character text
    in_passage = say(store, conv, "答", role=Role.ASSISTANT, when=3.0, sources=[Source(slice="资料提到北京")])
    upper = say(store, conv, "XY IS HERE", when=4.0)
    for i in range(5):
        say(store, conv, f"新消息 {i}", when=10.0 + i)
    assert ids(store, "北京") == [in_passage, at_end]
    assert ids(store, "京") == [in_passage, alone, at_end]
    assert ids(store, "京", limit=1, offset=1) == [alone]
    assert ids(store, "xy") == [upper] and ids(store, "Is") == [upper]
    assert ids(store, "北京 资料") == [in_passage]
    assert ids(store, "北京 结尾 这句") == [at_end]
    assert ids(store, "北京", until=2.5) == [at_end]
    assert ids(store, "鑫龘") == [] and ids(store, "北京 龘") == []
    (hit,) = store.search("资料", limit=1)
    assert hit.in_source and hit.snippet == "«资料»提到北京"


def test_short_words_too_common_to_expand_are_scanned(
    store: Store, small_probe: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "MAX_EXPANSION", 1)
    conv = conversation(store, "common")
    old = [say(store, conv, text, when=float(i + 1)) for i, text in enumerate(["ab1", "ab2", "xab"])]
    for i in range(4):
        say(store, conv, f"filler {i}", when=10.0 + i)
    assert ids(store, "ab") == old[::-1]  # three trigrams start with "ab": too many, so a full scan
    assert ids(store, "ab 1") == [old[0]]
    assert ids(store, "xab") == [old[2]]


ALPHABET = st.sampled_from("abAB北京上 ")
TEXTS = st.text(alphabet=ALPHABET, max_size=10)


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(st.tuples(TEXTS, st.lists(TEXTS, max_size=2)), min_size=1, max_size=12),
    query=st.lists(
        st.text(alphabet=st.sampled_from("abAB北京上"), min_size=1, max_size=3), min_size=1, max_size=2
    ),
    probe=st.sampled_from([0, 3, 1000]),
    expansion=st.sampled_from([1, 1000]),
)
def test_search_finds_exactly_the_messages_containing_every_word(
    messages: list[tuple[str, list[str]]], query: list[str], probe: int, expansion: int
) -> None:
    """Whatever path serves a query, hits are the brute-force answer; short queries in its order."""
    fold = str.maketrans("AB", "ab")
    with tempfile.TemporaryDirectory() as folder, Store.open(folder) as store:
        conv = conversation(store, "prop")
        written = []
        for i, (text, passages) in enumerate(messages):
            message_id = say(
                store, conv, text, when=100.0 + (i * 7) % 5, sources=[Source(slice=p) for p in passages]
            )
            written.append((100.0 + (i * 7) % 5, message_id, [text, *passages]))

        def matches(docs: list[str]) -> bool:
            return any(all(w.translate(fold) in d.translate(fold) for w in query) for d in docs)

        expected = [mid for when, mid, docs in sorted(written, key=lambda w: (-w[0], -w[1])) if matches(docs)]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search_module, "SCAN_PROBE", probe)
            patch.setattr(search_module, "MAX_EXPANSION", expansion)
            pages = [ids(store, " ".join(query), limit=4, offset=offset) for offset in range(0, 16, 4)]
        found = [mid for page in pages for mid in page]
        if all(len(word) < 3 for word in query):
            assert found == expected
        else:
            assert sorted(found) == sorted(expected)


def test_a_hit_in_a_passage_says_which_source_it_is(store: Store) -> None:
    conv = conversation(store, "sources")
    answer = say(
        store,
        conv,
        "退货说明见资料。",
        role=Role.ASSISTANT,
        when=1.0,
        sources=[Source(slice="七天无理由退货"), Source(slice="运费由商家承担"), Source(slice="退款三日到账")],
    )
    (hit,) = store.search("商家承担")
    assert hit.message_id == answer and hit.in_source and hit.source_rank == 2
    (third,) = store.search("三日到账")
    assert third.source_rank == 3
    (text_hit,) = store.search("退货说明")
    assert not text_hit.in_source and text_hit.source_rank == 0
