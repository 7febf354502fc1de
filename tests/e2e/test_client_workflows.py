"""Workflows, chat-flows and tool outputs over real HTTP: the client against the demo server."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from scripted_server import Script, ScriptedServer

from coze_desktop.api import ChatAccumulator, CozeClient, CozeError
from coze_desktop.api.errors import CozeAPIError, ErrorKind, WorkflowResumeLimitError
from coze_desktop.api.workflows import (
    INTERRUPT_QUESTION,
    MAX_RESUMES,
    NodeMessage,
    ToolOutput,
    WorkflowAccumulator,
    WorkflowPing,
    pending_tool_calls,
)
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import ChatStatus, WorkflowRunResult, WorkflowStatus


class Counting(CozeClient):
    """A client that counts the requests the server answered."""

    def __init__(self, url: str) -> None:
        self.paths: list[str] = []
        super().__init__(DEMO_TOKEN, url, read_timeout=20, on_request=self.paths.append)


@pytest.fixture
def client(demo_fast: DemoServer) -> Counting:
    return Counting(demo_fast.url)


def fold(events: Iterable[object], acc: WorkflowAccumulator) -> WorkflowRunResult:
    try:
        for e in events:
            acc.feed(e)  # type: ignore[arg-type]
    except CozeError as exc:
        acc.fail(exc)
    return acc.result()


def _kept(events: Iterable[object], into: list[object]) -> Iterable[object]:
    """``events`` as they come, each also kept in ``into``."""
    for e in events:
        into.append(e)
        yield e


def chat_fold(events: Iterable[object], acc: ChatAccumulator | None = None) -> ChatAccumulator:
    acc = acc or ChatAccumulator()
    try:
        for e in events:
            acc.feed(e)  # type: ignore[arg-type]
    except CozeError as exc:
        acc.fail(exc)
    return acc


@pytest.mark.parametrize("server", ["demo_fast", "demo_unchunked"])
def test_weather_streams_several_nodes(server: str, request: pytest.FixtureRequest) -> None:
    demo: DemoServer = request.getfixturevalue(server)
    c = CozeClient(DEMO_TOKEN, demo.url, read_timeout=20)
    events = list(c.stream_workflow("demo-weather", {"city": "南京", "days": 2}))
    messages = [e for e in events if isinstance(e, NodeMessage)]
    assert [e.id for e in events] == [str(i) for i in range(len(events))]  # ids count from 0
    assert any(isinstance(e, WorkflowPing) for e in events)
    assert len({m.node_title for m in messages}) == 3
    assert sum(1 for m in messages if m.node_title == "穿衣建议") > 3  # streamed piece by piece
    r = fold(events, WorkflowAccumulator())
    assert r.status is WorkflowStatus.COMPLETED
    assert [n.node_title for n in r.nodes] == ["查询天气", "穿衣建议", "结束"]
    assert r.output_json["city"] == "南京" and len(r.output_json["forecast"]) == 2
    assert r.nodes[1].content == r.output_json["output"]
    assert r.execute_id and r.debug_url and r.execute_id in r.debug_url
    assert r.usage is not None and r.usage.token_count > 0


def test_interrupt_then_resume_and_the_answer_changes_the_output(client: Counting) -> None:
    outputs = []
    for city in ("成都", "Paris"):
        acc = WorkflowAccumulator(lang="en")
        r = fold(client.stream_workflow("demo-trip", {}), acc)
        assert r.status is WorkflowStatus.INTERRUPTED and r.interrupt is not None
        assert r.interrupt.type == INTERRUPT_QUESTION and r.interrupt.question == "你想去哪个城市？"
        first = r.interrupt.event_id
        acc.resumed()
        r = fold(client.stream_resume_workflow("demo-trip", first, city, r.interrupt.type), acc)
        assert r.status is WorkflowStatus.INTERRUPTED and r.interrupt is not None
        assert r.interrupt.question == "打算玩几天？"  # this one came in interrupt_data.data
        acc.resumed()
        r = fold(
            client.stream_resume_workflow(
                "demo-trip", r.interrupt.event_id, "2", r.interrupt.type, resumes_done=1
            ),
            acc,
        )
        assert r.status is WorkflowStatus.COMPLETED and r.interrupt is None
        assert r.output_json["city"] == city and r.output_json["days"] == 2
        outputs.append(r.output)
        # a finished interrupt cannot be answered twice
        with pytest.raises(CozeAPIError) as info:
            list(client.stream_resume_workflow("demo-trip", first, city, 2))
        assert info.value.code == 4315 and info.value.kind is ErrorKind.WORKFLOW
    assert outputs[0] != outputs[1]


def test_the_fourth_resume_is_refused(client: Counting) -> None:
    acc = WorkflowAccumulator()
    r = fold(client.stream_workflow("demo-trip", {}), acc)
    for _ in range(MAX_RESUMES):  # blank answers: the question node asks again
        assert r.interrupt is not None
        event, kind = r.interrupt.event_id, r.interrupt.type
        stream = client.stream_resume_workflow("demo-trip", event, "  ", kind, resumes_done=acc.resumes)
        acc.resumed()
        r = fold(stream, acc)
        assert r.status is WorkflowStatus.INTERRUPTED and "没听清" in r.interrupt.question  # type: ignore[union-attr]
    assert acc.resumes == MAX_RESUMES and r.interrupt is not None
    before = len(client.paths)
    with pytest.raises(WorkflowResumeLimitError):  # refused here, without a request
        client.stream_resume_workflow("demo-trip", r.interrupt.event_id, "成都", 2, resumes_done=acc.resumes)
    assert len(client.paths) == before
    with pytest.raises(CozeAPIError) as info:  # and the server refuses it too, as Coze does
        client.stream_resume_workflow("demo-trip", r.interrupt.event_id, "成都", 2)
    assert info.value.code == 4000 and info.value.logid


def test_resume_errors(client: Counting) -> None:
    with pytest.raises(CozeAPIError) as info:
        client.stream_resume_workflow("demo-trip", "no-such/event", "x", 2)
    assert info.value.code == 4314 and info.value.kind is ErrorKind.WORKFLOW
    r = fold(client.stream_workflow("demo-trip", {}), WorkflowAccumulator())
    assert r.interrupt is not None
    with pytest.raises(CozeAPIError) as info:
        client.stream_resume_workflow("demo-trip", r.interrupt.event_id, "x", 5)
    assert info.value.code == 4000


def test_node_error_mid_run_keeps_the_partial_output(client: Counting) -> None:
    events: list[object] = []
    with pytest.raises(CozeAPIError) as info:
        for e in client.stream_workflow("demo-node-error", {"text": "hello world"}):
            events.append(e)
    assert info.value.kind is ErrorKind.WORKFLOW_NODE and info.value.logid
    r = fold(
        client.stream_workflow("demo-node-error", {"text": "hello world"}), WorkflowAccumulator(lang="en")
    )
    assert r.status is WorkflowStatus.ERROR
    assert r.output == "Summary: hello world..."
    assert r.nodes and r.nodes[0].node_title == "生成摘要"
    assert r.error is not None and r.error.code == 720701013 and r.error.logid
    assert "KeyError" in r.error.message
    # non-streamed, the same node error is the answer's error
    with pytest.raises(CozeAPIError) as info:
        client.run_workflow("demo-node-error", {})
    assert info.value.kind is ErrorKind.WORKFLOW_NODE


PARAMS = {
    "text": "你好",
    "int": 42,
    "float": -1.5,
    "yes": True,
    "no": False,
    "list": [1, "二", None, {"x": [True]}],
    "object": {"nested": {"deep": [1.25]}},
    "nothing": None,
}
TYPES = {
    "text": "string",
    "int": "number",
    "float": "number",
    "yes": "boolean",
    "no": "boolean",
    "list": "array",
    "object": "object",
    "nothing": "null",
}


def test_non_streaming_run_with_parameters_of_every_json_type(client: Counting) -> None:
    resp = client.run_workflow("demo-echo", PARAMS)
    assert isinstance(resp.data, str)  # Coze sends the output as a JSON string
    acc = WorkflowAccumulator()
    acc.feed_response(resp)
    r = acc.result()
    assert r.status is WorkflowStatus.COMPLETED and r.nodes == []
    assert r.output_json == {"parameters": PARAMS, "types": TYPES}
    assert r.execute_id and r.debug_url and r.execute_id in r.debug_url
    assert client.paths[-1] == "/v1/workflow/run"


def test_streamed_run_with_parameters_of_every_json_type(client: Counting) -> None:
    r = fold(client.stream_workflow("demo-echo", PARAMS), WorkflowAccumulator())
    assert r.output_json == {"parameters": PARAMS, "types": TYPES}


def test_non_streaming_run_of_a_question_workflow_reports_the_interrupt(client: Counting) -> None:
    acc = WorkflowAccumulator()
    acc.feed_response(client.run_workflow("demo-trip", {}))
    r = acc.result()
    assert r.status is WorkflowStatus.INTERRUPTED and r.interrupt is not None and r.interrupt.event_id


def test_workflow_request_errors(client: Counting) -> None:
    with pytest.raises(CozeAPIError) as info:
        client.run_workflow("not-published", {})
    assert info.value.code == 4200 and info.value.kind is ErrorKind.NOT_FOUND
    with pytest.raises(CozeAPIError) as info:
        list(client.stream_workflow("demo-weather", {"days": "three"}))
    assert info.value.code == 4000
    before = len(client.paths)
    with pytest.raises(ValueError, match="not both"):
        client.stream_workflow("demo-weather", {}, bot_id="b", app_id="demo-app")
    with pytest.raises(ValueError, match="not both"):
        client.stream_workflow_chat("demo-chatflow", "hi", bot_id="b", app_id="demo-app")
    assert len(client.paths) == before  # nothing was sent


def test_a_dropped_workflow_stream_keeps_what_arrived(scripted: ScriptedServer) -> None:
    body = (
        b'id: 0\nevent: Message\ndata: {"content":"first ","node_title":"A","node_is_finish":false}\n\n'
        b'id: 1\nevent: Message\ndata: {"content":"second","node_title":"A","node_is_finish":false}\n\n'
        b"id: 2\nevent: Mess"
    )
    scripted.script = Script(headers={"Content-Type": "text/event-stream"}, chunks=[body])
    c = CozeClient("t0k3n_for_tests", scripted.url)
    r = fold(c.stream_workflow("wf", {"a": 1}), WorkflowAccumulator(lang="en"))
    assert r.status is WorkflowStatus.ERROR and r.output == "first second"
    assert r.error is not None and "dropped" in r.error.message.lower()


def test_a_workflow_error_body_at_a_stream_request(scripted: ScriptedServer) -> None:
    scripted.script = Script(
        status=200,
        headers={"Content-Type": "application/json", "X-Tt-Logid": "L1"},
        chunks=[b'{"code":4200,"msg":"workflow not published","detail":{"logid":"L1"}}'],
    )
    with pytest.raises(CozeAPIError) as info:
        CozeClient("t0k3n_for_tests", scripted.url).stream_workflow("wf", {})
    assert (info.value.code, info.value.logid) == (4200, "L1")
    assert scripted.requests[-1].path == "/v1/workflow/stream_run"


def test_chatflow_answers_like_a_bot_and_its_question_is_answered_by_the_next_message(
    client: Counting,
) -> None:
    acc = chat_fold(client.stream_workflow_chat("demo-chatflow", "上海天气怎么样？", app_id="demo-app"))
    r = acc.result()
    assert r.status is ChatStatus.COMPLETED and "上海" in r.answer and r.conversation_id
    # no city: the question node asks back, as the bot's message
    acc = chat_fold(client.stream_workflow_chat("demo-chatflow", "查天气", app_id="demo-app"))
    r = acc.result()
    assert r.status is ChatStatus.REQUIRES_ACTION and r.answer == "你想查询哪个城市的天气？"
    acc = chat_fold(
        client.stream_workflow_chat(
            "demo-chatflow", "杭州", app_id="demo-app", conversation_id=r.conversation_id
        )
    )
    r2 = acc.result()
    assert r2.status is ChatStatus.COMPLETED and r2.answer.startswith("杭州")
    assert r2.conversation_id == r.conversation_id and r2.chat_id != r.chat_id
    messages = client.list_messages(r.conversation_id or "", order="asc").messages
    assert [m.content for m in messages if m.role == "user"] == ["查天气", "杭州"]


def test_chatflow_request_errors(client: Counting) -> None:
    with pytest.raises(CozeAPIError) as info:
        client.stream_workflow_chat("demo-weather", "hi", app_id="demo-app")
    assert info.value.code == 4200
    with pytest.raises(CozeAPIError) as info:
        client.stream_workflow_chat("demo-chatflow", "hi")
    assert info.value.code == 4000


def test_requires_action_then_tool_outputs_complete_the_same_chat(client: Counting) -> None:
    acc = chat_fold(client.stream_chat("demo-plugin", "u1", "南京今天天气怎么样？"))
    r = acc.result()
    assert r.status is ChatStatus.REQUIRES_ACTION and r.required_action is not None
    assert [m.type for m in acc.tool_messages] == ["function_call"]
    (call,) = pending_tool_calls(r.required_action)
    assert call["type"] == "function" and call["name"] == "local_weather"
    assert call["arguments"] == {"city": "南京", "type": 0}
    assert r.conversation_id and r.chat_id
    cont = chat_fold(
        client.stream_submit_tool_outputs(r.conversation_id, r.chat_id, [ToolOutput(call["id"], "小雨 9°C")])
    )
    done = cont.result()
    assert done.status is ChatStatus.COMPLETED
    assert (done.conversation_id, done.chat_id) == (r.conversation_id, r.chat_id)
    assert "小雨 9°C" in done.answer and done.usage is not None
    assert [m.type for m in cont.tool_messages] == ["tool_response"]
    assert client.retrieve_chat(r.conversation_id, r.chat_id).status is ChatStatus.COMPLETED
    # the chat is no longer waiting
    with pytest.raises(CozeAPIError) as info:
        list(client.stream_submit_tool_outputs(r.conversation_id, r.chat_id, [ToolOutput(call["id"], "x")]))
    assert info.value.code == 4000


def test_reply_message_variant_and_wrong_call_ids(client: Counting) -> None:
    r = chat_fold(client.stream_chat("demo-plugin", "u1", "帮我预订一张去上海的车票")).result()
    (call,) = pending_tool_calls(r.required_action)
    assert call["type"] == "reply_message" and call["arguments"] == {"question": "请问你想预订哪一天出发？"}
    assert r.conversation_id and r.chat_id
    with pytest.raises(CozeAPIError) as info:
        client.stream_submit_tool_outputs(r.conversation_id, r.chat_id, [ToolOutput("wrong", "周五")])
    assert info.value.code == 4000
    done = chat_fold(
        client.stream_submit_tool_outputs(r.conversation_id, r.chat_id, [ToolOutput(call["id"], "周五")])
    ).result()
    assert done.status is ChatStatus.COMPLETED and "周五" in done.answer


def test_non_streamed_chat_reaches_requires_action_by_polling(client: Counting) -> None:
    acc = chat_fold(client.chat_and_poll("demo-plugin", "u1", "What's the weather in Paris?", interval=1))
    r = acc.result()
    assert r.status is ChatStatus.REQUIRES_ACTION
    assert pending_tool_calls(r.required_action)[0]["arguments"]["city"] == "Paris"


@pytest.mark.parametrize("framing", ["spaced", "unspaced", "crlf"])
def test_fixture_streams_over_http_in_small_reads(scripted: ScriptedServer, framing: str) -> None:
    """The docs' samples (run, interrupt, error, and a PING between events; each also in its
    other framings) served in 3-byte chunks over real HTTP."""
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    run_sse = (fixtures / "workflow_stream_run.sse").read_bytes()
    interrupt_sse = (fixtures / "workflow_stream_interrupt.sse").read_bytes()
    error_sse = (fixtures / "workflow_stream_error.sse").read_bytes()
    ping = b"id: 0\nevent: PING\ndata: \n\n"
    first_end = run_sse.index(b"\n\n") + 2  # a PING after the first event, as Coze sends them mid-run
    pinged_run_sse = run_sse[:first_end] + ping + run_sse[first_end:]

    def convert(data: bytes) -> bytes:
        if framing == "unspaced":
            return re.sub(rb"(?m)^(id|event|data): ?", rb"\1:", data)
        return data.replace(b"\n", b"\r\n") if framing == "crlf" else data

    c = CozeClient("t0k3n_for_tests", scripted.url)
    cases = (
        (run_sse, WorkflowStatus.COMPLETED),
        (pinged_run_sse, WorkflowStatus.COMPLETED),
        (interrupt_sse, WorkflowStatus.INTERRUPTED),
        (error_sse, WorkflowStatus.ERROR),
    )
    for sse, status in cases:
        data = convert(sse)
        assert (b"event: " in data) == (framing != "unspaced") and (b"\r\n" in data) == (framing == "crlf")
        chunks = [data[i : i + 3] for i in range(0, len(data), 3)]
        scripted.script = Script(headers={"Content-Type": "text/event-stream"}, chunks=chunks)
        events: list[object] = []
        r = fold(_kept(c.stream_workflow("wf", {"n": 1}), events), WorkflowAccumulator())
        assert sum(isinstance(e, WorkflowPing) for e in events) == (1 if sse is pinged_run_sse else 0)
        assert r.status is status, r.error
        if status is WorkflowStatus.COMPLETED:
            assert r.output_json == {
                "output": "为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！"
            }
        elif status is WorkflowStatus.INTERRUPTED:
            assert r.interrupt is not None and r.interrupt.question.startswith("请问你想查看")
        else:
            assert r.error is not None and r.error.code == 4000 and r.error.message
            assert [type(e).__name__ for e in events] == ["WorkflowError"]


def test_resumed_streams_count_ids_from_zero(client: Counting) -> None:
    events = list(client.stream_workflow("demo-trip", {}))
    interrupt = events[-1]
    assert [e.id for e in events] == [str(i) for i in range(len(events))]
    assert interrupt.__class__.__name__ == "WorkflowInterrupt"
    resumed = list(
        client.stream_resume_workflow("demo-trip", interrupt.event_id, "南京", interrupt.type)  # type: ignore[attr-defined]
    )
    assert [e.id for e in resumed] == [str(i) for i in range(len(resumed))]
    assert resumed[-1].question == "打算玩几天？"  # type: ignore[attr-defined]  # from interrupt_data.data
