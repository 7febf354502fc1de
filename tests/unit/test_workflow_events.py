"""Workflow streams (coze-api.md §9): the decoder takes them in every framing, events are typed,
and a run's events fold into the ``--json`` result. Fixtures from ../shared/fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coze_desktop.api.errors import (
    CozeAPIError,
    ErrorKind,
    WorkflowResumeLimitError,
    classify,
    is_workflow_node_error,
)
from coze_desktop.api.workflows import (
    MAX_RESUMES,
    NodeMessage,
    WorkflowAccumulator,
    WorkflowDone,
    WorkflowError,
    WorkflowInterrupt,
    WorkflowMalformed,
    WorkflowPing,
    WorkflowRunResponse,
    WorkflowUnknown,
    check_resume_allowed,
    decode_workflow_events,
    pending_tool_calls,
    run_body,
)
from coze_desktop.domain import WorkflowStatus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RUN_SSE = (FIXTURES / "workflow_stream_run.sse").read_bytes()
INTERRUPT_SSE = (FIXTURES / "workflow_stream_interrupt.sse").read_bytes()
ERROR_SSE = (FIXTURES / "workflow_stream_error.sse").read_bytes()
JOKE = "为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！"


def _unspaced(data: bytes) -> bytes:
    return re.sub(rb"(?m)^(id|event|data): ", rb"\1:", data)


FRAMINGS = {
    "spaced-lf": lambda b: b,
    "unspaced-lf": _unspaced,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "cr": lambda b: b.replace(b"\n", b"\r"),
    "unspaced-crlf": lambda b: _unspaced(b).replace(b"\n", b"\r\n"),
    "bom": lambda b: b"\xef\xbb\xbf" + b,
}


def _splits(data: bytes) -> list[list[bytes]]:
    """Whole, byte by byte, and in reads of 2, 3, 5, 7 and 64 bytes (splitting UTF-8 and CRLF)."""
    ways = [[data], [data[i : i + 1] for i in range(len(data))]]
    for size in (2, 3, 5, 7, 64):
        ways.append([data[i : i + size] for i in range(0, len(data), size)])
    return ways


def _describe(events: list[object]) -> list[tuple[str, ...]]:
    out = []
    for e in events:
        if isinstance(e, NodeMessage):
            out.append(("msg", e.id, e.node_title, e.content, str(e.node_is_finish)))
        elif isinstance(e, WorkflowInterrupt):
            out.append(("interrupt", e.id, e.event_id, str(e.type), e.node_title))
        elif isinstance(e, WorkflowError):
            out.append(("error", e.id, str(e.code), e.message))
        elif isinstance(e, WorkflowDone):
            out.append(("done", e.id, e.debug_url))
        elif isinstance(e, WorkflowPing):
            out.append(("ping", e.id))
        else:
            out.append(("other", type(e).__name__))
    return out


EXPECTED_RUN = [
    ("msg", "0", "Message", "msg", "False"),
    ("msg", "1", "Message", "为", "False"),
    ("msg", "2", "Message", "什么小明要带一把尺子去看电影？\n因", "False"),
    ("msg", "3", "Message", "为他听说电影很长，怕", "False"),
    ("msg", "4", "Message", "坐不下！", "True"),
    ("msg", "5", "", json.dumps({"output": JOKE}, ensure_ascii=False, separators=(",", ":")), "True"),
    ("done", "6", ""),
]


@pytest.mark.parametrize("framing", FRAMINGS)
def test_run_fixture_in_every_framing_and_split(framing: str) -> None:
    data = FRAMINGS[framing](RUN_SSE)
    for chunks in _splits(data):
        assert _describe(list(decode_workflow_events(chunks))) == EXPECTED_RUN


@pytest.mark.parametrize("framing", FRAMINGS)
def test_interrupt_and_error_fixtures_in_every_framing(framing: str) -> None:
    for chunks in _splits(FRAMINGS[framing](INTERRUPT_SSE)):
        assert _describe(list(decode_workflow_events(chunks))) == [
            ("msg", "0", "问答", "请问你想查看哪个城市、哪一天的天气呢", "True"),
            ("interrupt", "1", "7404830425073352713/2769808280134765896", "2", "问答"),
        ]
    for chunks in _splits(FRAMINGS[framing](ERROR_SSE)):
        assert _describe(list(decode_workflow_events(chunks))) == [
            ("error", "0", "4000", "Request parameter error")
        ]


@pytest.mark.parametrize(
    "ping",
    [
        b"id: 1\nevent: PING\ndata: \n\n",
        b"event:PING\ndata:{}\n\n",
        b"id: 1\r\nevent: PING\r\ndata: \r\n\r\n",
    ],
    ids=["spaced-empty", "unspaced-json", "crlf"],
)
def test_ping_between_events_is_typed_and_harmless(ping: bytes) -> None:
    head, tail = RUN_SSE.split(b"id: 1\n", 1)
    data = head + ping + b"id: 1\n" + tail
    for chunks in _splits(data):
        events = list(decode_workflow_events(chunks))
        assert [type(e) for e in events].count(WorkflowPing) == 1
        acc = WorkflowAccumulator()
        for e in events:
            acc.feed(e)
        assert acc.result().status is WorkflowStatus.COMPLETED
        assert acc.result().nodes[0].content == "msg" + JOKE


def test_a_ping_without_data_is_not_dispatched_and_breaks_nothing() -> None:
    data = b"event: PING\n\n" + RUN_SSE
    assert _describe(list(decode_workflow_events([data]))) == EXPECTED_RUN


def test_comments_and_retry_lines_are_ignored() -> None:
    data = b": keep-alive\nretry: 3000\n" + RUN_SSE.replace(b"\n\nid: 3", b"\n\n: hi\nid: 3")
    assert _describe(list(decode_workflow_events([data]))) == EXPECTED_RUN


def test_fold_of_the_run_fixture_is_the_json_shape() -> None:
    acc = WorkflowAccumulator()
    shown = "".join(acc.feed(e) for e in decode_workflow_events([RUN_SSE]))
    result = acc.result().to_json()
    assert set(result) == {
        "status",
        "execute_id",
        "output",
        "output_json",
        "nodes",
        "interrupt",
        "debug_url",
        "usage",
        "error",
    }
    assert result["status"] == "completed"
    assert result["nodes"] == [
        {"node_title": "Message", "content": "msg" + JOKE},
        {
            "node_title": "",
            "content": json.dumps({"output": JOKE}, ensure_ascii=False, separators=(",", ":")),
        },
    ]
    assert result["output"] == result["nodes"][-1]["content"]
    assert result["output_json"] == {"output": JOKE}
    assert result["interrupt"] is None and result["error"] is None
    assert shown.startswith("msg" + JOKE)


def test_fold_of_an_interrupt_takes_the_question_from_the_node_message() -> None:
    acc = WorkflowAccumulator()
    for e in decode_workflow_events([INTERRUPT_SSE]):
        acc.feed(e)
    result = acc.result()
    assert result.status is WorkflowStatus.INTERRUPTED
    assert result.interrupt is not None
    assert result.interrupt.to_json() == {
        "event_id": "7404830425073352713/2769808280134765896",
        "type": 2,
        "node_title": "问答",
        "question": "请问你想查看哪个城市、哪一天的天气呢",
    }


@pytest.mark.parametrize(
    ("data", "question"),
    [('{\\"question\\":\\"几天？\\"}', "几天？"), ("plain text question", "plain text question")],
)
def test_fold_of_an_interrupt_takes_the_question_from_its_data(data: str, question: str) -> None:
    sse = (
        'id: 0\nevent: Interrupt\ndata: {"interrupt_data":{"data":"' + data + '","event_id":"e/1","type":5},'
        '"node_title":"输入"}\n\n'
    ).encode()
    acc = WorkflowAccumulator()
    for e in decode_workflow_events([sse]):
        acc.feed(e)
    assert acc.result().interrupt is not None
    assert acc.result().interrupt.question == question  # type: ignore[union-attr]
    assert acc.result().interrupt.type == 5  # type: ignore[union-attr]


def test_error_event_fold_and_node_error_kind() -> None:
    acc = WorkflowAccumulator()
    sse = (
        b'id: 0\nevent: Message\ndata: {"content":"part","node_title":"A","node_seq_id":"0","node_is_finish":false}\n\n'
        b'id: 1\nevent: Error\ndata: {"error_code":720701013,"error_message":"boom"}\n\n'
    )
    for e in decode_workflow_events([sse]):
        acc.feed(e)
    r = acc.result()
    assert r.status is WorkflowStatus.ERROR and r.output == "part" and r.nodes[0].content == "part"
    assert r.error is not None and r.error.code == 720701013
    assert classify(720701013) is ErrorKind.WORKFLOW_NODE and is_workflow_node_error(720000000)
    assert classify(721000000) is ErrorKind.UNKNOWN and not is_workflow_node_error(4200)
    err = CozeAPIError(720701013, "boom")
    assert "720701013" in err.user_message("en") and "boom" in err.user_message("en")
    assert "节点" in err.user_message("zh") and "boom" in err.user_message("zh")
    assert classify(4314) is ErrorKind.WORKFLOW and classify(4315) is ErrorKind.WORKFLOW
    assert "workflow" in CozeAPIError(4200, "x").user_message("en")


def test_consecutive_messages_of_one_node_join_and_a_finished_node_starts_over() -> None:
    def msg(i: int, title: str, content: str, finish: bool) -> bytes:
        d = {"content": content, "node_title": title, "node_is_finish": finish}
        return f"id: {i}\nevent: Message\ndata: {json.dumps(d)}\n\n".encode()

    sse = msg(0, "A", "1", False) + msg(1, "A", "2", True) + msg(2, "B", "x", True) + msg(3, "A", "3", True)
    acc = WorkflowAccumulator()
    for e in decode_workflow_events([sse, b"id: 4\nevent: Done\ndata: {}\n\n"]):
        acc.feed(e)
    assert [n.to_json() for n in acc.result().nodes] == [
        {"node_title": "A", "content": "12"},
        {"node_title": "B", "content": "x"},
        {"node_title": "A", "content": "3"},
    ]
    assert acc.result().output == "3" and acc.result().output_json == 3


def test_done_with_debug_url_gives_execute_id_and_usage_adds_up() -> None:
    sse = (
        b'id: 0\nevent: Message\ndata: {"content":"a","node_title":"L","node_is_finish":true,'
        b'"usage":{"input_count":3,"output_count":4,"token_count":7}}\n\n'
        b'id: 1\nevent: Message\ndata: {"content":"b","node_title":"M","node_is_finish":true,'
        b'"usage":{"input_count":1,"output_count":1,"token_count":2}}\n\n'
        b'id: 2\nevent: Done\ndata: {"debug_url":"https://www.coze.cn/work_flow?execute_id=123&space_id=9"}\n\n'
    )
    acc = WorkflowAccumulator()
    for e in decode_workflow_events([sse]):
        acc.feed(e)
    r = acc.result()
    assert r.execute_id == "123" and r.debug_url and r.debug_url.endswith("space_id=9")
    assert r.usage is not None and r.usage.to_json() == {
        "input_count": 4,
        "output_count": 5,
        "token_count": 9,
    }


def test_malformed_and_unknown_events_are_passed_on() -> None:
    sse = b"id: 0\nevent: Message\ndata: {not json\n\nid: 1\nevent: Surprise\ndata: {}\n\n"
    events = list(decode_workflow_events([sse]))
    assert isinstance(events[0], WorkflowMalformed) and isinstance(events[1], WorkflowUnknown)


def test_non_stream_run_fixture_parses_its_data_string() -> None:
    obj = json.loads((FIXTURES / "workflow_run.json").read_text(encoding="utf-8"))
    acc = WorkflowAccumulator()
    acc.feed_response(WorkflowRunResponse.from_json(obj))
    r = acc.result()
    assert r.status is WorkflowStatus.COMPLETED
    assert r.output == obj["data"] and r.output_json == json.loads(obj["data"])
    assert r.execute_id == "7413647890307280000"  # from the debug link
    assert r.usage is not None and r.usage.token_count == 150


def test_resume_limit_is_checked_before_any_request() -> None:
    for done in range(MAX_RESUMES):
        check_resume_allowed(done)
    with pytest.raises(WorkflowResumeLimitError) as info:
        check_resume_allowed(MAX_RESUMES)
    assert info.value.kind is ErrorKind.WORKFLOW and "3" in info.value.user_message("en")


def test_request_body_rules() -> None:
    body = run_body("wf", {"s": "x", "n": 1, "f": 1.5, "b": False, "a": [1], "o": {"k": None}}, app_id="app")
    assert body == {
        "workflow_id": "wf",
        "parameters": {"s": "x", "n": 1, "f": 1.5, "b": False, "a": [1], "o": {"k": None}},
        "app_id": "app",
    }
    with pytest.raises(ValueError, match="not both"):
        run_body("wf", {}, bot_id="b", app_id="a")
    with pytest.raises(TypeError):
        run_body("wf", {"x": object()})
    with pytest.raises(ValueError):
        run_body("", {})


def test_pending_tool_calls_of_the_retrieve_fixture() -> None:
    data = json.loads((FIXTURES / "retrieve_requires_action.json").read_text(encoding="utf-8"))["data"]
    assert pending_tool_calls(data["required_action"]) == [
        {
            "id": "BUJJF0dAQ0NAEBVeQkVKEV5HFURFXhFCEhFeFxdHShcSQEtFSxYRSUI=",
            "type": "function",
            "name": "local_data_assistant",
            "arguments": {"location": "南京", "type": 0},
        }
    ]
