"""Typed events, knowledge recall parsing, the accumulator and the error texts, on the samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.api import events as ev
from coze_desktop.api.errors import (
    ChatCanceledError,
    ChatTimeoutError,
    CozeAPIError,
    CozeNetworkError,
    ErrorKind,
    NetworkErrorKind,
    ProtocolError,
    classify,
    redact,
)
from coze_desktop.api.recall import (
    sources_from_legacy_knowledge,
    sources_from_recall_data,
    sources_from_verbose,
)
from coze_desktop.api.result import ChatAccumulator
from coze_desktop.api.sse import SseEvent, decode_all
from coze_desktop.domain import ChatStatus, Source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def typed(name: str) -> list[ev.ChatEvent]:
    return [ev.parse_event(e) for e in decode_all([(FIXTURES / name).read_bytes()])]


def fold(events: list[ev.ChatEvent]) -> ChatAccumulator:
    acc = ChatAccumulator(lang="en")
    for e in events:
        acc.feed(e)
    return acc


# --- events ---------------------------------------------------------------------------------


def test_basic_stream_types_and_result() -> None:
    events = typed("stream_basic.sse")
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["ChatCreated", "ChatInProgress"]
    assert kinds.count("MessageDelta") == 5
    assert kinds[-2:] == ["ChatCompleted", "Done"]
    acc = fold(events)
    r = acc.result()
    assert r.status is ChatStatus.COMPLETED
    assert r.answer == "2024 年 10 月 1 日是星期三。"
    assert r.usage is not None and (r.usage.input_count, r.usage.output_count, r.usage.token_count) == (
        614,
        19,
        633,
    )
    assert r.conversation_id == "7381473525342978089"
    assert r.chat_id == "7382159487131697202"
    assert r.sources == [] and r.follow_ups == []


def test_knowledge_recall_stream() -> None:
    r = fold(typed("stream_knowledge_recall.sse")).result()
    assert r.answer == "签收后 7 天内、商品未拆封可以无理由退货。"
    assert r.follow_ups == ["已拆封的商品还能退吗？", "退货运费谁承担？"]
    assert r.sources == [
        Source(
            slice="自签收之日起 7 天内，商品未拆封可申请无理由退货；已拆封商品仅在质量问题时受理。",
            score=0.8312,
            document="退换货政策.pdf",
            dataset="售后知识库",
        ),
        Source(
            slice="退货运费：质量问题由商家承担，非质量问题由买家承担。",
            score=0.7645,
            document="帮助中心-退货运费",
            dataset="售后知识库",
            title="帮助中心-退货运费",
            url="https://help.example.com/returns/shipping",
        ),
    ]


def test_failed_stream() -> None:
    events = typed("stream_failed.sse")
    assert isinstance(events[-1], ev.ChatFailed)
    r = fold(events).result()
    assert r.status is ChatStatus.FAILED
    assert r.error is not None and r.error.code == 5000 and r.error.message == "event interval error"


def test_error_event_stream_keeps_partial_answer() -> None:
    events = typed("stream_error_event.sse")
    assert isinstance(events[-1], ev.ErrorEvent)
    assert (events[-1].code, events[-1].msg) == (5000, "internal server error")
    r = fold(events).result()
    assert r.status is ChatStatus.ERROR and r.answer == "好的"


@pytest.mark.parametrize("data", ['"[DONE]"', "[DONE]", "", '{"debug_url":"https://x"}'])
def test_done_in_every_form(data: str) -> None:
    e = ev.parse_event(SseEvent("done", data))
    assert isinstance(e, ev.Done) and e.data == data


@pytest.mark.parametrize("data", ["{}", "", "not json", '{"code":"4100","msg":"bad"}', "[1,2]"])
def test_error_event_any_payload(data: str) -> None:
    e = ev.parse_event(SseEvent("error", data))
    assert isinstance(e, ev.ErrorEvent)
    if data.startswith('{"code"'):
        assert (e.code, e.msg) == (4100, "bad")


def test_unknown_and_malformed_events_are_passed_on() -> None:
    assert isinstance(ev.parse_event(SseEvent("conversation.brand.new", "{}")), ev.UnknownEvent)
    bad = ev.parse_event(SseEvent("conversation.message.delta", "{not json"))
    assert isinstance(bad, ev.MalformedEvent)
    assert isinstance(ev.parse_event(SseEvent("conversation.chat.created", "[]")), ev.MalformedEvent)


def test_open_source_spellings() -> None:
    assert isinstance(
        ev.parse_event(SseEvent("conversation.chat.cancelled", '{"status":"cancelled"}')), ev.ChatCanceled
    )
    assert isinstance(ev.parse_event(SseEvent("conversation.stream.done", "")), ev.Done)
    e = ev.parse_event(SseEvent("conversation.chat.canceled", '{"id":"1","status":"canceled"}'))
    assert isinstance(e, ev.ChatCanceled) and e.chat.status is ChatStatus.CANCELED


def test_requires_action_and_audio_and_reasoning() -> None:
    ra = json.loads((FIXTURES / "retrieve_requires_action.json").read_text())["data"]
    events = [
        ev.parse_event(
            SseEvent(
                "conversation.message.delta",
                json.dumps({"id": "m", "type": "answer", "content": "", "reasoning_content": "想一想"}),
            )
        ),
        ev.parse_event(
            SseEvent(
                "conversation.message.delta",
                json.dumps({"id": "m", "type": "answer", "content": "", "reasoning_content": "，再想"}),
            )
        ),
        ev.parse_event(
            SseEvent(
                "conversation.audio.delta",
                json.dumps({"id": "a", "content_type": "audio", "content": "AAAA"}),
            )
        ),
        ev.parse_event(
            SseEvent("conversation.message.delta", json.dumps({"id": "m", "type": "answer", "content": "答"}))
        ),
        ev.parse_event(SseEvent("conversation.chat.requires_action", json.dumps(ra))),
    ]
    assert isinstance(events[2], ev.AudioDelta)
    r = fold(events).result()
    assert r.reasoning == "想一想，再想" and r.answer == "答"
    assert r.status is ChatStatus.REQUIRES_ACTION
    assert r.required_action is not None
    assert (
        r.required_action["submit_tool_outputs"]["tool_calls"][0]["function"]["name"]
        == "local_data_assistant"
    )


def test_every_message_type_is_accepted() -> None:
    def completed(type_: str, content: str) -> ev.ChatEvent:
        return ev.parse_event(
            SseEvent(
                "conversation.message.completed",
                json.dumps({"id": type_, "role": "assistant", "type": type_, "content": content}),
            )
        )

    events = [
        completed("function_call", '{"name":"search","arguments":{},"plugin_id":7281192623887548473}'),
        completed("tool_response", '{"content_type":1,"response_for_model":"ok"}'),
        completed("tool_output", "output"),
        completed("knowledge", "---\nrecall slice 1:第一段\nrecall slice 2:second\n"),
        completed("verbose", '{"msg_type":"time_capsule_recall","data":""}'),
        completed("brand_new_type", "?"),
        completed("answer", "final"),
        completed("follow_up", "next?"),
    ]
    acc = fold(events)
    r = acc.result()
    assert r.answer == "final" and r.follow_ups == ["next?"]
    assert [s.slice for s in r.sources] == ["第一段", "second"]
    assert [m.type for m in acc.tool_messages] == [
        "function_call",
        "tool_response",
        "tool_output",
        "brand_new_type",
    ]


def test_several_answers_and_completed_without_deltas() -> None:
    def msg(event: str, id_: str, content: str) -> ev.ChatEvent:
        return ev.parse_event(
            SseEvent(
                event, json.dumps({"id": id_, "type": "answer", "role": "assistant", "content": content})
            )
        )

    acc = ChatAccumulator()
    shown = [
        acc.feed(msg("conversation.message.delta", "1", "Hel")),
        acc.feed(msg("conversation.message.delta", "1", "lo")),
        acc.feed(msg("conversation.message.completed", "1", "Hello!")),
        acc.feed(msg("conversation.message.completed", "2", "Second")),
    ]
    assert shown == ["Hel", "lo", "!", "\n\nSecond"]
    assert acc.answer == "Hello!\n\nSecond" == "".join(shown)


# --- recall ---------------------------------------------------------------------------------


def test_recall_tolerates_every_kind_of_damage() -> None:
    assert sources_from_verbose("not json") == []
    assert sources_from_verbose('{"msg_type":"knowledge_recall","data":"{broken"}') == []
    assert sources_from_verbose('{"msg_type":"knowledge_recall","data":""}') == []
    assert sources_from_verbose('{"msg_type":"knowledge_recall"}') == []
    assert sources_from_verbose('{"msg_type":"generate_answer_finish","data":""}') == []
    assert sources_from_verbose("[]") == []
    assert sources_from_recall_data({"chunks": "nope"}) == []
    got = sources_from_recall_data(
        {
            "chunks": [
                None,
                {"slice": "a", "score": "0.5", "meta": {"document": {"id": 1, "name": 7}, "dataset": "x"}},
                {"slice": "b", "score": True, "meta": []},
                {"slice": "c", "score": float("nan"), "meta": {"link": {"url": 3}}},
                {"content": "d"},
                {},
            ],
            "ori_req": "SECRET INTERNAL CONTEXT",
        }
    )
    assert got == [
        Source(slice="a", score=0.5, document="7", dataset="x"),
        Source(slice="b"),
        Source(slice="c", url="3"),
        Source(slice="d"),
    ]
    assert all("SECRET" not in repr(s) for s in got)


def test_recall_accepts_data_already_decoded() -> None:
    content = {"msg_type": "knowledge_recall", "data": {"chunks": [{"slice": "s", "score": 1}]}}
    assert sources_from_verbose(content) == [Source(slice="s", score=1.0)]


def test_legacy_knowledge_forms() -> None:
    assert sources_from_legacy_knowledge("---\nrecall slice 1:xxxxxxx\n") == [Source(slice="xxxxxxx")]
    assert sources_from_legacy_knowledge("plain passage") == [Source(slice="plain passage")]
    assert sources_from_legacy_knowledge("") == []


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=30,
    )
)
def test_recall_never_raises(value: object) -> None:
    content = json.dumps({"msg_type": "knowledge_recall", "data": json.dumps(value)})
    assert isinstance(sources_from_verbose(content), list)
    assert isinstance(sources_from_recall_data(value), list)


# --- errors ---------------------------------------------------------------------------------

DOCUMENTED = [4100, 4101, 4015, 4016, 4007, 4008, 4009, 4010, 4011, 4013, 700012006]


@pytest.mark.parametrize("code", DOCUMENTED)
def test_each_documented_code_has_actionable_text_in_both_languages(code: int) -> None:
    err = CozeAPIError(code, "raw", logid="L1", http_status=200)
    zh, en = err.user_message("zh_CN"), err.user_message("en")
    assert zh != en and "raw" not in zh and "raw" not in en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    assert str(code) in str(err) and "L1" in str(err)


def test_specific_advice() -> None:
    assert "设置" in CozeAPIError(4100, "").user_message("zh")
    assert "Publish" in CozeAPIError(4015, "").user_message("en")
    assert "auto_save_history" in CozeAPIError(4007, "").user_message("en")
    assert CozeAPIError(4100, "").kind is ErrorKind.AUTH
    assert CozeAPIError(700012006, "").kind is ErrorKind.AUTH
    assert CozeAPIError(None, "", http_status=401).kind is ErrorKind.AUTH


def test_unknown_code_and_http_error_page() -> None:
    assert "9999" in CozeAPIError(9999, "weird").user_message("en")
    assert "weird" in CozeAPIError(9999, "weird").user_message("en")
    assert "502" in CozeAPIError(None, "Bad Gateway", http_status=502).user_message("zh")


@pytest.mark.parametrize("reason", list(NetworkErrorKind))
def test_network_errors_are_told_apart(reason: NetworkErrorKind) -> None:
    texts = {CozeNetworkError(r).user_message("en") for r in NetworkErrorKind}
    assert len(texts) == len(NetworkErrorKind)
    assert CozeNetworkError(reason).user_message("zh") != CozeNetworkError(reason).user_message("en")
    assert CozeNetworkError(reason).kind is ErrorKind.NETWORK


# Every code of coze-api.md §10 and its kind.
SECTION_10 = {
    4000: ErrorKind.BAD_REQUEST,
    4001: ErrorKind.NOT_FOUND,
    4002: ErrorKind.CONVERSATION_GONE,
    4003: ErrorKind.BAD_REQUEST,
    4004: ErrorKind.BAD_REQUEST,
    4005: ErrorKind.BAD_REQUEST,
    4006: ErrorKind.NOT_FOUND,
    4007: ErrorKind.BAD_REQUEST,
    4008: ErrorKind.QUOTA,
    4009: ErrorKind.RATE_LIMITED,
    4010: ErrorKind.BAD_REQUEST,
    4011: ErrorKind.QUOTA,
    4012: ErrorKind.MODEL,
    4013: ErrorKind.MODEL,
    4014: ErrorKind.BLOCKED,
    4015: ErrorKind.NOT_PUBLISHED,
    4016: ErrorKind.BUSY,
    4019: ErrorKind.QUOTA,
    4020: ErrorKind.RATE_LIMITED,
    4021: ErrorKind.WORKFLOW,
    4022: ErrorKind.QUOTA,
    4100: ErrorKind.AUTH,
    4101: ErrorKind.PERMISSION,
    4102: ErrorKind.BLOCKED,
    4104: ErrorKind.BAD_REQUEST,
    4105: ErrorKind.BLOCKED,
    4200: ErrorKind.NOT_FOUND,
    4201: ErrorKind.BAD_REQUEST,
    4300: ErrorKind.FILE,
    4301: ErrorKind.FILE,
    4302: ErrorKind.FILE,
    4303: ErrorKind.FILE,
    4304: ErrorKind.FILE,
    4314: ErrorKind.WORKFLOW,
    4315: ErrorKind.WORKFLOW,
    5000: ErrorKind.SERVER,
    700012006: ErrorKind.AUTH,
}


@pytest.mark.parametrize(("code", "kind"), sorted(SECTION_10.items()))
def test_every_documented_code_has_its_kind_and_text(code: int, kind: ErrorKind) -> None:
    err = CozeAPIError(code, "raw detail", http_status=200)
    assert classify(code) is kind and err.kind is kind
    # The code decides, not the HTTP status it came with.
    assert CozeAPIError(code, "", http_status=401).kind is kind
    zh, en = err.user_message("zh_CN"), err.user_message("en")
    assert zh != en and "raw detail" not in zh and "raw detail" not in en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)


@pytest.mark.parametrize("code", [1, 4017, 4999, 5001, 123456789, -1])
def test_unknown_codes_are_unknown(code: int) -> None:
    err = CozeAPIError(code, "odd")
    assert err.kind is ErrorKind.UNKNOWN and classify(code) is ErrorKind.UNKNOWN
    assert str(code) in err.user_message("en") and "odd" in err.user_message("en")


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.BAD_REQUEST),
        (401, ErrorKind.AUTH),
        (403, ErrorKind.PERMISSION),
        (404, ErrorKind.NOT_FOUND),
        (408, ErrorKind.NETWORK),
        (413, ErrorKind.FILE),
        (429, ErrorKind.RATE_LIMITED),
        (500, ErrorKind.SERVER),
        (502, ErrorKind.SERVER),
        (504, ErrorKind.SERVER),
        (418, ErrorKind.UNKNOWN),
        (None, ErrorKind.UNKNOWN),
    ],
)
def test_errors_without_a_code_are_classified_by_http_status(status: int | None, kind: ErrorKind) -> None:
    assert CozeAPIError(None, "<html>", http_status=status).kind is kind
    assert classify(None, status) is kind


def test_other_errors_have_their_kind() -> None:
    assert ChatTimeoutError(3).kind is ErrorKind.TIMEOUT
    assert ChatCanceledError().kind is ErrorKind.CANCELED
    assert ProtocolError("no data").kind is ErrorKind.SERVER


def test_a_saved_error_is_classified_by_its_code() -> None:
    info = CozeAPIError(4015, "x", logid="L").to_info("en")
    assert classify(info.code) is ErrorKind.NOT_PUBLISHED
    assert classify(CozeNetworkError(NetworkErrorKind.DNS).to_info().code) is ErrorKind.UNKNOWN


def test_redact() -> None:
    token = "pat_abcdefghijklmnopqrstuvwxyz0123456789"
    text = f"Authorization: Bearer {token} and {token} and czs_1234567890abcdef"
    out = redact(text, token)
    assert token not in out and "czs_1234567890abcdef" not in out
    assert "Bearer ***" in out
    err = CozeAPIError(4100, f"bad token {token}")
    assert token not in str(err) and token not in err.msg


# --- the fast path for deltas gives exactly what the general path gives ------------------------

_DELTA_KEYS = [
    "id",
    "conversation_id",
    "bot_id",
    "role",
    "type",
    "content",
    "content_type",
    "chat_id",
    "section_id",
]
_json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8) | st.sampled_from(
    ["", "答案", 'a"b', "a\\b", "line\nbreak", "tab\t", "\x00", "\u2028", "😀"]
)


def _general_path(data: str) -> ev.ChatEvent:
    try:
        obj = json.loads(data)
    except ValueError:
        return ev.MalformedEvent(ev.MESSAGE_DELTA, data, "")
    if not isinstance(obj, dict):
        return ev.MalformedEvent(ev.MESSAGE_DELTA, data, "")
    return ev.MessageDelta(ev.MESSAGE_DELTA, ev.ApiMessage.from_json(obj))


@st.composite
def delta_payloads(draw: st.DrawFn) -> str:
    keys = list(_DELTA_KEYS)
    if draw(st.booleans()):  # mostly the wire's own order; sometimes shuffled, missing or extra keys
        keys = draw(st.permutations(keys))
        keys = keys[: draw(st.integers(0, len(keys)))]
        keys += draw(st.lists(st.sampled_from(["reasoning_content", "created_at", "meta_data", "x"])))
    plain = st.sampled_from(["", "7460000000000000101", "assistant", "answer", "text", "数据"])
    if draw(st.booleans()):  # every value a string, as Coze sends them
        obj = {k: draw(_json_text if k == "content" or draw(st.booleans()) else plain) for k in keys}
    else:
        obj = {k: draw(_json_text | st.integers() | st.none()) for k in keys}
    data = json.dumps(obj, ensure_ascii=draw(st.booleans()), separators=(",", ":"))
    if draw(st.integers(0, 3)) == 0:  # break it: a stray character anywhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(['"', "\\", "\x01", " ", "\n", "}", "u"])) + data[at:]
    return data


@settings(max_examples=600, deadline=None)
@given(data=delta_payloads())
def test_delta_fast_path_equals_general_path(data: str) -> None:
    got = ev.parse_event(SseEvent(ev.MESSAGE_DELTA, data))
    want = _general_path(data)
    if isinstance(want, ev.MalformedEvent):
        assert isinstance(got, ev.MalformedEvent) and got.data == data
    else:
        assert got == want


def test_deltas_of_the_samples_take_the_fast_path() -> None:
    """The bulk of a real stream must not fall back to the general path (a speed regression)."""
    deltas = [
        e
        for name in ("stream_basic.sse", "stream_knowledge_recall.sse")
        for e in decode_all([(FIXTURES / name).read_bytes()])
        if e.event == ev.MESSAGE_DELTA
    ]
    assert deltas and all(ev._delta_shape(e.data) is not None for e in deltas)
    escaped = '{"id":"1","conversation_id":"2","bot_id":"3","role":"assistant","type":"answer","content":"a\\nb\\"\\u4e2d","content_type":"text","chat_id":"4"}'
    e = ev.parse_event(SseEvent(ev.MESSAGE_DELTA, escaped))
    assert isinstance(e, ev.MessageDelta) and e.message.content == 'a\nb"中' and e.message.section_id == ""


_wire_content = st.one_of(
    _json_text.map(lambda t: json.dumps(t, ensure_ascii=False)[1:-1]),  # as JSON would write it
    st.text(st.sampled_from('ab数"\\nu0\x01}'), max_size=8),  # stray quotes, escapes, controls
)


@settings(max_examples=600, deadline=None)
@given(
    first=_json_text,
    second=_wire_content,
    section=st.booleans(),
    other_suffix=st.sampled_from(["", '"', '","x":"1', "}", '","chat_id":"5']) | st.text(max_size=3),
)
def test_a_delta_after_another_of_its_message_equals_the_general_path(
    first: str, second: str, section: bool, other_suffix: str
) -> None:
    """The next delta of a message is read from the prefix and suffix the last one had: any
    content between them, and any change to what follows it, reads as the general path reads it."""
    obj = {"id": "11", "conversation_id": "2", "bot_id": "3", "role": "assistant", "type": "answer"}
    tail = {"content_type": "text", "chat_id": "4"} | ({"section_id": "5"} if section else {})
    before = json.dumps(obj | {"content": first} | tail, ensure_ascii=False, separators=(",", ":"))
    assert ev.parse_event(SseEvent(ev.MESSAGE_DELTA, before)) == _general_path(before)
    cut = before.index(',"content_type":')
    prefix = before[: before.index('"content":"') + len('"content":"')]
    for data in (prefix + second + before[cut - 1 :], prefix + second + other_suffix + before[cut - 1 :]):
        got = ev.parse_event(SseEvent(ev.MESSAGE_DELTA, data))
        want = _general_path(data)
        if isinstance(want, ev.MalformedEvent):
            assert isinstance(got, ev.MalformedEvent) and got.data == data
        else:
            assert got == want


def test_deltas_after_the_first_of_a_message_are_read_from_its_prefix_and_suffix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real stream's deltas after the first of a message do not run the delta pattern (a
    speed regression if they did)."""
    deltas = [
        e for e in decode_all([(FIXTURES / "stream_basic.sse").read_bytes()]) if e.event == ev.MESSAGE_DELTA
    ]
    ev.parse_event(deltas[0])
    calls: list[str] = []
    pattern = ev._delta_shape

    def counting(data: str) -> object:
        calls.append(data)
        return pattern(data)

    monkeypatch.setattr(ev, "_delta_shape", counting)
    parsed = [ev.parse_event(e) for e in deltas[1:]]
    assert len(deltas) > 2 and not calls
    assert [p.message.content for p in parsed if isinstance(p, ev.MessageDelta)] == [
        json.loads(e.data)["content"] for e in deltas[1:]
    ]


# --- the accumulator's fast path for deltas folds like the plain rules -------------------------


def _reference_fold(events: list[ev.ChatEvent]) -> tuple[list[str], str, str]:
    """The accumulator's rules for answers, written plainly: what each event shows, the answer
    and the reasoning."""
    answers: list[tuple[str, list[str]]] = []
    by_id: dict[str, list[str]] = {}
    reasoning: list[str] = []
    final_reasoning: str | None = None
    shown: list[str] = []

    def answer_for(msg_id: str) -> tuple[list[str], str]:
        parts = by_id.get(msg_id) if msg_id else None
        if parts is not None:
            return parts, ""
        parts = []
        sep = "\n\n" if answers and answers[-1][1] else ""
        if msg_id:
            by_id[msg_id] = parts
        answers.append((msg_id, parts))
        if sep:
            parts.append(sep)
        return parts, sep

    for e in events:
        m = e.message  # type: ignore[attr-defined]
        if isinstance(e, ev.MessageDelta):
            if m.reasoning_content:
                reasoning.append(m.reasoning_content)
            if m.type not in ("answer", "") or not m.content:
                shown.append("")
                continue
            parts, sep = answer_for(m.id)
            parts.append(m.content)
            shown.append(sep + m.content)
        else:  # a completed answer
            if m.reasoning_content:
                final_reasoning = m.reasoning_content
            known = by_id.get(m.id) if m.id else None
            if known is None:
                if not m.content:
                    shown.append("")
                    continue
                parts, sep = answer_for(m.id)
                parts.append(m.content)
                shown.append(sep + m.content)
                continue
            sep = known[0] if known and known[0] == "\n\n" else ""
            had = "".join(known[1:] if sep else known)
            known[:] = [sep, m.content] if sep else [m.content]
            shown.append(m.content[len(had) :] if m.content.startswith(had) else "")
    answer = "".join("".join(parts) for _, parts in answers)
    return shown, answer, final_reasoning if final_reasoning is not None else "".join(reasoning)


_answer_events = st.builds(
    lambda done, msg_id, kind, content, reasoning: (ev.MessageCompleted if done else ev.MessageDelta)(
        ev.MESSAGE_COMPLETED if done else ev.MESSAGE_DELTA,
        ev.ApiMessage(id=msg_id, type=kind, role="assistant", content=content, reasoning_content=reasoning),
    ),
    st.integers(0, 5).map(lambda n: n == 0),
    st.sampled_from(["", "a1", "a2"]),
    st.sampled_from(["answer", "answer", ""]),
    st.sampled_from(["", "x", "yz", "x yz", "\n"]),
    st.sampled_from(["", "", "r"]),
)


@settings(max_examples=500, deadline=None)
@given(events=st.lists(_answer_events, max_size=12))
def test_accumulator_folds_deltas_like_the_plain_rules(events: list[ev.ChatEvent]) -> None:
    acc = ChatAccumulator()
    shown = [acc.feed(e) for e in events]
    assert (shown, acc.answer, acc.reasoning) == _reference_fold(events)
