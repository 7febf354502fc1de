"""The SSE decoder against the WHATWG event-stream rules and the real Coze samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.api.sse import SseDecoder, SseEvent, decode_all

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # copies of ../shared/fixtures


def events_of(*chunks: bytes) -> list[tuple[str, str]]:
    return [(e.event, e.data) for e in decode_all(chunks)]


def split_at(data: bytes, *points: int) -> list[bytes]:
    out, prev = [], 0
    for p in sorted(points):
        out.append(data[prev:p])
        prev = p
    out.append(data[prev:])
    return out


# --- framing rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_each_line_ending(eol: bytes) -> None:
    stream = b"event:a" + eol + b"data:1" + eol + eol + b"event:b" + eol + b"data:2" + eol + eol
    assert events_of(stream) == [("a", "1"), ("b", "2")]


def test_mixed_line_endings_in_one_stream() -> None:
    stream = b"event:a\r\ndata:1\n\revent:b\rdata:2\r\n\r\n"
    assert events_of(stream) == [("a", "1"), ("b", "2")]


def test_crlf_split_across_reads_is_one_line_ending() -> None:
    # The bug of requests.iter_lines: a CRLF split over two chunks must not become an empty line.
    stream = b"event:a\r\ndata:1\r\n\r\nevent:b\r\ndata:2\r\n\r\n"
    for i in range(1, len(stream)):
        assert events_of(stream[:i], stream[i:]) == [("a", "1"), ("b", "2")], i


def test_cr_at_end_of_read_dispatches_without_waiting() -> None:
    dec = SseDecoder()
    assert dec.feed(b"event:a\rdata:1\r") == []
    # The blank line's CR completes the event at once, before any LF could follow.
    assert [(e.event, e.data) for e in dec.feed(b"\r")] == [("a", "1")]
    assert dec.feed(b"\n") == []  # the LF belongs to that CR; no extra empty line
    assert [(e.event, e.data) for e in dec.feed(b"data:2\n\n")] == [("message", "2")]


def test_one_optional_space_after_colon() -> None:
    assert events_of(b"event: a\ndata: x\n\n") == [("a", "x")]
    assert events_of(b"event:a\ndata:  two spaces\n\n") == [("a", " two spaces")]
    assert events_of(b"event:a\ndata:\tx\n\n") == [("a", "\tx")]


def test_comments_are_ignored() -> None:
    assert events_of(b": keep-alive\n\n:another\nevent:a\n: mid\ndata:1\n\n") == [("a", "1")]


def test_multiple_data_lines_join_with_newline() -> None:
    assert events_of(b"data:a\ndata:b\ndata:\ndata:c\n\n") == [("message", "a\nb\n\nc")]


def test_field_without_colon_has_empty_value() -> None:
    assert events_of(b"data\n\n") == [("message", "")]
    assert events_of(b"event\ndata:x\n\n") == [("message", "x")]


def test_event_without_data_is_not_dispatched_and_type_resets() -> None:
    assert events_of(b"event:lonely\n\ndata:x\n\n") == [("message", "x")]


def test_unknown_fields_are_ignored() -> None:
    assert events_of(b"foo:bar\nevent:a\nDATA:upper\ndata:1\n\n") == [("a", "1")]


def test_id_and_retry() -> None:
    evs = list(decode_all([b"id: 7\nretry: 1500\ndata:a\n\ndata:b\n\nid\ndata:c\n\n"]))
    assert [(e.data, e.last_event_id, e.retry) for e in evs] == [
        ("a", "7", 1500),
        ("b", "7", 1500),
        ("c", "", 1500),
    ]


def test_id_with_nul_and_bad_retry_are_ignored() -> None:
    dec = SseDecoder()
    evs = dec.feed(b"id:1\ndata:a\n\nid:2\x003\nretry:12x\nretry:\ndata:b\n\n")
    assert [e.last_event_id for e in evs] == ["1", "1"]
    assert dec.retry is None


def test_bom_is_dropped_once_even_when_split() -> None:
    stream = b"\xef\xbb\xbfevent:a\ndata:1\n\n"
    for i in range(0, 4):
        assert events_of(stream[:i], stream[i:]) == [("a", "1")]
    assert events_of(b"\xef", b"\xbb", b"\xbf", b"data:x\n\n") == [("message", "x")]
    # Only at the very start: a second BOM is part of the field name, so the line is ignored.
    assert events_of(b"data:x\n\n\xef\xbb\xbfdata:y\n\n") == [("message", "x")]


def test_unterminated_event_at_end_is_discarded() -> None:
    assert events_of(b"event:a\ndata:1\n\nevent:b\ndata:2\n") == [("a", "1")]
    assert events_of(b"event:a\ndata:1\n\nevent:b\ndata:2") == [("a", "1")]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert events_of(b"data:a\xffb\n\n") == [("message", "a\ufffdb")]


def test_chinese_and_emoji_split_inside_characters() -> None:
    text = "你好，世界 🌏👋🏽 —— 扣子"
    stream = ("event:x\ndata:" + text + "\n\n").encode("utf-8")
    for i in range(1, len(stream)):
        for j in range(i, len(stream)):
            assert events_of(stream[:i], stream[i:j], stream[j:]) == [("x", text)], (i, j)


def test_u2028_inside_json_is_not_a_line_break() -> None:
    payload = json.dumps({"content": "a\u2028b\u2029c\x85d"}, ensure_ascii=False)
    evs = events_of(("data:" + payload + "\n\n").encode())
    assert json.loads(evs[0][1])["content"] == "a\u2028b\u2029c\x85d"


def test_event_is_handed_over_as_soon_as_its_blank_line_arrives() -> None:
    dec = SseDecoder()
    assert dec.feed(b"event:a\ndata:1\n") == []
    assert [e.data for e in dec.feed(b"\n")] == ["1"]
    assert dec.feed(b"event:b\ndata:2\n\nevent:c") == [SseEvent("b", "2")]


# --- the real samples, at every split point -----------------------------------------------------


def sse_fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.sse"))


@pytest.mark.parametrize("path", sse_fixtures(), ids=lambda p: p.name)
def test_fixture_every_single_split_point(path: Path) -> None:
    data = path.read_bytes()
    whole = events_of(data)
    assert whole, "every sample holds events"
    for i in range(len(data) + 1):
        assert events_of(data[:i], data[i:]) == whole, i


@pytest.mark.parametrize("path", sse_fixtures(), ids=lambda p: p.name)
def test_fixture_one_byte_at_a_time_and_crlf(path: Path) -> None:
    data = path.read_bytes()
    whole = events_of(data)
    assert events_of(*[data[i : i + 1] for i in range(len(data))]) == whole
    crlf = data.replace(b"\n", b"\r\n")
    assert events_of(*[crlf[i : i + 1] for i in range(len(crlf))]) == whole
    cr = data.replace(b"\n", b"\r")
    assert events_of(*[cr[i : i + 1] for i in range(len(cr))]) == whole


def test_basic_fixture_content() -> None:
    evs = events_of((FIXTURES / "stream_basic.sse").read_bytes())
    names = [n for n, _ in evs]
    assert names[0] == "conversation.chat.created"
    assert names[-1] == "done"
    assert evs[-1][1] == '"[DONE]"'
    deltas = "".join(json.loads(d)["content"] for n, d in evs if n == "conversation.message.delta")
    completed = next(json.loads(d) for n, d in evs if n == "conversation.message.completed")
    assert deltas == completed["content"] == "2024 年 10 月 1 日是星期三。"


def test_workflow_fixture_spaced_framing_with_ids() -> None:
    evs = list(decode_all([(FIXTURES / "workflow_stream_run.sse").read_bytes()]))
    assert [e.event for e in evs] == ["Message"] * 6 + ["Done"]
    assert [e.last_event_id for e in evs] == [str(i) for i in range(7)]


# --- property: any split gives the same events as the whole -------------------------------------

_line_end = st.sampled_from(["\n", "\r\n", "\r"])
_value = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
    max_size=12,
)
_field = st.sampled_from(["event", "data", "id", "retry", "", "x"])


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    parts = []
    if draw(st.booleans()):
        parts.append("\ufeff")
    for _ in range(draw(st.integers(0, 8))):
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["field", "comment", "bare"]))
            if kind == "comment":
                parts.append(":" + draw(_value))
            elif kind == "bare":
                parts.append(draw(_field))
            else:
                sep = draw(st.sampled_from([":", ": "]))
                parts.append(draw(_field) + sep + draw(_value))
            parts.append(draw(_line_end))
        parts.append(draw(_line_end))
    return "".join(parts).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(data=sse_streams(), cuts=st.lists(st.integers(0, 10_000), max_size=6))
def test_any_split_gives_the_same_events(data: bytes, cuts: list[int]) -> None:
    whole = list(decode_all([data]))
    points = [c % (len(data) + 1) for c in cuts]
    assert list(decode_all(split_at(data, *points))) == whole


# --- property: the decoder agrees with a plain line-by-line reading of the standard ------------


def reference_decode(data: bytes) -> list[SseEvent]:
    """The WHATWG algorithm written as plainly as possible: whole stream, one line at a time."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    lines.pop()  # the unterminated rest: a final line is processed, but cannot dispatch anything
    events, event, buf, last_id, retry = [], "", [], "", None
    for raw in lines:
        line = raw.decode("utf-8", "replace")
        if not line:
            if buf:
                events.append(SseEvent(event or "message", "\n".join(buf), last_id, retry))
            event, buf = "", []
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event = value
        elif name == "data":
            buf.append(value)
        elif name == "id" and "\x00" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return events


_raw_value = st.binary(max_size=10).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")) | st.sampled_from(
    ["数据".encode(), "😀".encode(), b"\xe6\x95", b"\xff", "\u2028".encode()]
)


@st.composite
def byte_streams(draw: st.DrawFn) -> bytes:
    """Mostly LF-framed events with arbitrary bytes (broken UTF-8 too) in the values."""
    eol = draw(st.sampled_from([b"\n", b"\n", b"\n", b"\r\n", b"\r"]))
    parts = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 6))):
        for _ in range(draw(st.integers(0, 3))):
            name = draw(st.sampled_from([b"event", b"data", b"data", b"id", b"retry", b"", b"x"]))
            parts.append(name + draw(st.sampled_from([b":", b": ", b""])) + draw(_raw_value) + eol)
        parts.append(eol)
    return b"".join(parts)


@settings(max_examples=400, deadline=None)
@given(data=byte_streams(), cuts=st.lists(st.integers(0, 10_000), max_size=6))
def test_decoder_agrees_with_the_reference(data: bytes, cuts: list[int]) -> None:
    points = [c % (len(data) + 1) for c in cuts]
    assert list(decode_all(split_at(data, *points))) == reference_decode(data)
