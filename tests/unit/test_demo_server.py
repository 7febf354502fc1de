"""The demo server over real HTTP on 127.0.0.1, spoken to with the standard library only.

These tests check the server against the protocol (../shared/coze-api.md and its fixtures), not
against the project's client: the client is tested against this server elsewhere.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coze_desktop.demo import BOTS, DEMO_TOKEN, DemoServer
from coze_desktop.demo.bots import split_pieces

LOGID = re.compile(r"\d{14}[0-9A-F]{16}")
ID19 = re.compile(r"\d{19}")
CJK = re.compile(r"[\u3400-\u9fff]")
CHAT_KEYS = {"id", "conversation_id", "bot_id", "created_at", "last_error", "status", "usage", "section_id"}
MESSAGE_KEYS = {
    "id",
    "conversation_id",
    "bot_id",
    "role",
    "type",
    "content",
    "content_type",
    "chat_id",
    "section_id",
}
CHUNK_META_KEYS = {"dataset", "document", "link", "card"}
FINISH_CONTENT = {
    "msg_type": "generate_answer_finish",
    "data": '{"finish_reason":0,"FinData":""}',
    "from_module": None,
    "from_unit": None,
}


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict[str, Any]:
        assert self.headers["Content-Type"] == "application/json; charset=utf-8"
        assert int(self.headers["Content-Length"]) == len(self.body)
        payload = json.loads(self.body)
        assert LOGID.fullmatch(self.headers["X-Tt-Logid"])
        assert payload["detail"] == {"logid": self.headers["X-Tt-Logid"]}
        return payload


class Client:
    """One keep-alive HTTP connection to a demo server."""

    def __init__(self, server: DemoServer, token: str | None = DEMO_TOKEN, timeout: float = 30) -> None:
        url = urlsplit(server.url)
        assert url.hostname and url.port
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        self.token = token

    def send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        self.conn.request(method, path, body, all_headers)
        response = self.conn.getresponse()
        return Response(response.status, response.headers, response.read())

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.send(method, path, body)
        assert response.status == 200, response.body
        payload = response.json()
        assert payload["code"] == 0, payload
        return payload

    def error(
        self, method: str, path: str, body: dict[str, Any] | bytes | None = None
    ) -> tuple[int, int, str]:
        response = self.send(method, path, body)
        payload = response.json()
        return response.status, payload["code"], payload["msg"]

    def chat(
        self, bot_id: str, question: str, *, stream: bool = True, conversation_id: str = "", **extra: Any
    ) -> Response:
        path = f"/v3/chat?conversation_id={conversation_id}" if conversation_id else "/v3/chat"
        return self.send("POST", path, chat_body(bot_id, question, stream=stream, **extra))

    def open_stream(
        self, bot_id: str, question: str, *, until: bytes = b"\n\n"
    ) -> tuple[http.client.HTTPResponse, bytes, dict[str, Any]]:
        """Start a streaming chat and read until ``until`` arrives: (response, bytes read, the Chat created)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        self.conn.request("POST", "/v3/chat", json.dumps(chat_body(bot_id, question)), headers)
        response = self.conn.getresponse()
        received = b""
        while until not in received:
            received += response.read1(65536)
        return response, received, parse_sse(received.partition(b"\n\n")[0] + b"\n\n")[0][1]

    def wait_for_chat(self, conversation_id: str, chat_id: str) -> dict[str, Any]:
        """Poll retrieve until the chat ends (bounded by the test timeout)."""
        while True:
            chat = self.ok("GET", f"/v3/chat/retrieve?conversation_id={conversation_id}&chat_id={chat_id}")[
                "data"
            ]
            if chat["status"] not in ("created", "in_progress"):
                return chat
            time.sleep(0.05)

    def close(self) -> None:
        self.conn.close()


def chat_body(bot_id: str, question: str, *, stream: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "bot_id": bot_id,
        "user_id": "test-user",
        "stream": stream,
        "auto_save_history": True,
        "additional_messages": [
            {"role": "user", "type": "question", "content": question, "content_type": "text"}
        ],
        **extra,
    }


def parse_sse(raw: bytes) -> list[tuple[str, Any]]:
    """Split a /v3/chat stream into (event, data) pairs, checking the framing of the fixtures."""
    text = raw.decode("utf-8")
    assert text.endswith("\n\n")
    events = []
    for block in text.split("\n\n")[:-1]:
        event_line, data_line = block.split("\n")
        assert re.fullmatch(r"event:[a-z._]+", event_line), event_line
        assert data_line.startswith("data:") and not data_line.startswith("data: ")
        events.append((event_line.removeprefix("event:"), json.loads(data_line.removeprefix("data:"))))
    return events


def of(events: list[tuple[str, Any]], name: str) -> list[Any]:
    return [data for event, data in events if event == name]


def dechunk(body: bytes) -> list[bytes]:
    """The chunks of a complete chunked body, checking its framing."""
    chunks = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert body == b"\r\n"
            return chunks
        chunks.append(body[:size])
        assert body[size : size + 2] == b"\r\n"
        body = body[size + 2 :]


def raw_exchange(server: DemoServer, request: bytes) -> tuple[bytes, bytes]:
    """Send raw bytes, read until the server closes; return (head, body)."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while data := sock.recv(65536):
            received += data
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture(scope="module")
def fast_server() -> Iterator[DemoServer]:
    with DemoServer(fast=True) as server:
        yield server


@pytest.fixture(scope="module")
def paced_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def client(fast_server: DemoServer) -> Iterator[Client]:
    client = Client(fast_server)
    yield client
    client.close()


# Life cycle


def test_start_serve_stop_and_stop_again() -> None:
    server = DemoServer()
    assert server.start() is server
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
    client = Client(server)
    assert client.ok("GET", "/v1/bots")["data"]["total"] == len(BOTS)
    server.stop()
    server.stop()
    with pytest.raises(OSError):
        Client(server).send("GET", "/v1/bots")
    client.close()


def test_stop_ends_a_running_stream_and_a_server_never_started_stops_too() -> None:
    DemoServer().stop()
    server = DemoServer().start()
    client = Client(server)
    response, _, _ = client.open_stream("demo-general", "hello")
    server.stop()
    try:
        rest = response.read()
    except http.client.IncompleteRead as cut:
        rest = cut.partial
    assert b"event:done" not in rest
    client.close()


def test_keep_alive_serves_json_and_streams_on_one_connection(client: Client) -> None:
    client.ok("GET", "/v1/bots")
    sock = client.conn.sock
    assert sock is not None
    assert parse_sse(client.chat("bench", "3").body)[-1] == ("done", "[DONE]")
    client.ok("GET", "/v1/bots/demo-general")
    assert client.conn.sock is sock


# Envelope and errors


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_a_missing_or_wrong_token_gets_401(fast_server: DemoServer, token: str | None) -> None:
    response = Client(fast_server, token=token).send("GET", "/v1/bots")
    assert response.status == 401
    payload = response.json()
    assert payload == {
        "code": 4100,
        "msg": "authentication is invalid",
        "detail": {"logid": response.headers["X-Tt-Logid"]},
    }


def test_every_response_has_a_fresh_logid(client: Client) -> None:
    first = client.send("GET", "/v1/bots").headers["X-Tt-Logid"]
    second = client.send("GET", "/v1/bots").headers["X-Tt-Logid"]
    assert LOGID.fullmatch(first) and LOGID.fullmatch(second) and first != second


def test_unknown_path_bad_json_and_bad_bot(client: Client) -> None:
    assert client.error("GET", "/v1/nothing")[:2] == (404, 4000)
    assert client.error("GET", "/v3/chat")[:2] == (405, 4000)
    assert client.error("POST", "/v3/chat", b"{not json") == (400, 4000, "json fail")
    assert client.error("POST", "/v3/chat", {"user_id": "u"})[:2] == (200, 4006)
    assert client.error("POST", "/v3/chat", chat_body("no-such-bot", "hi"))[:2] == (200, 4006)
    assert client.error("POST", "/v3/chat?conversation_id=123", chat_body("demo-general", "hi"))[:2] == (
        200,
        4002,
    )


def test_non_streaming_without_saved_history_is_4007(client: Client) -> None:
    response = client.chat("demo-general", "hi", stream=False, auto_save_history=False)
    assert response.status == 200
    payload = response.json()
    assert (payload["code"], payload["msg"]) == (4007, "流false仅在自动保存为true时允许")


# Streams


def test_knowledge_stream_has_the_fixture_framing_and_order(client: Client) -> None:
    response = client.chat("demo-knowledge", "7 天无理由退货怎么申请？")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.body.endswith(b'event:done\ndata:"[DONE]"\n\n')
    events = parse_sse(response.body)
    names = [name for name, _ in events]
    deltas = of(events, "conversation.message.delta")
    assert len(deltas) > 5
    assert names == [
        "conversation.chat.created",
        "conversation.chat.in_progress",
        "conversation.message.completed",
        *["conversation.message.delta"] * len(deltas),
        *["conversation.message.completed"] * 5,
        "conversation.chat.completed",
        "done",
    ]
    created, in_progress, completed = (data for name, data in events if name.startswith("conversation.chat."))
    assert [created["status"], in_progress["status"], completed["status"]] == [
        "created",
        "in_progress",
        "completed",
    ]
    assert (
        CHAT_KEYS <= created.keys()
        and ID19.fullmatch(created["id"])
        and ID19.fullmatch(created["conversation_id"])
    )
    assert created["last_error"] == {"code": 0, "msg": ""}
    usage = completed["usage"]
    assert usage["token_count"] == usage["input_count"] + usage["output_count"] > 0
    recall, answer, finish, *follow_ups = of(events, "conversation.message.completed")
    for message in [*deltas, recall, answer, finish, *follow_ups]:
        assert MESSAGE_KEYS <= message.keys()
        assert (message["chat_id"], message["role"], message["content_type"]) == (
            created["id"],
            "assistant",
            "text",
        )
    assert {delta["id"] for delta in deltas} == {answer["id"]}
    assert "".join(delta["content"] for delta in deltas) == answer["content"]
    assert answer["type"] == "answer" and "[1]" in answer["content"] and CJK.search(answer["content"])
    assert json.loads(finish["content"]) == FINISH_CONTENT
    assert [m["type"] for m in follow_ups] == ["follow_up"] * 3


def test_knowledge_recall_is_double_encoded(client: Client) -> None:
    recall = of(
        parse_sse(client.chat("demo-knowledge", "保修多久？").body), "conversation.message.completed"
    )[0]
    assert recall["type"] == "verbose"
    outer = json.loads(recall["content"])
    assert outer.keys() == {"msg_type", "data", "from_module", "from_unit"}
    assert (outer["msg_type"], outer["from_module"], outer["from_unit"]) == ("knowledge_recall", None, None)
    assert isinstance(outer["data"], str)
    inner = json.loads(outer["data"])
    assert (inner["ori_req"], inner["status_code"]) == ("", 0)
    chunks = inner["chunks"]
    assert 2 <= len(chunks) <= 3
    for chunk in chunks:
        assert chunk["slice"] and 0 < chunk["score"] < 1 and chunk["meta"].keys() == CHUNK_META_KEYS
        assert chunk["meta"]["dataset"]["name"] == "售后知识库"
        assert chunk["meta"]["card"] == {"title": "", "con": "", "index": ""}
    links = [chunk["meta"]["link"] for chunk in chunks]
    assert any(link["title"] and link["url"].startswith("https://") for link in links)
    assert {"title": "", "url": ""} in links
    assert "保修条款.docx" in {chunk["meta"]["document"]["name"] for chunk in chunks}  # the warranty topic


def test_answers_follow_the_language_of_the_question(client: Client) -> None:
    for bot_id in ("demo-knowledge", "demo-general", "demo-reasoning"):
        events = parse_sse(client.chat(bot_id, "How do I return an item?").body)
        answer = next(m for m in of(events, "conversation.message.completed") if m["type"] == "answer")
        assert answer["content"] and not CJK.search(answer["content"]), bot_id


def test_reasoning_deltas_come_before_the_answer(client: Client) -> None:
    events = parse_sse(client.chat("demo-reasoning", "17 × 24 等于多少？").body)
    deltas = of(events, "conversation.message.delta")
    thinking = [d for d in deltas if d.get("reasoning_content")]
    answering = deltas[len(thinking) :]
    assert thinking and answering
    assert all(d["content"] == "" for d in thinking)
    assert all(d["content"] and "reasoning_content" not in d for d in answering)
    answer = of(events, "conversation.message.completed")[0]
    assert answer["type"] == "answer"
    assert answer["reasoning_content"] == "".join(d["reasoning_content"] for d in thinking)
    assert answer["content"] == "".join(d["content"] for d in answering)


def test_general_bot_answers_in_markdown_with_two_follow_ups(client: Client) -> None:
    events = parse_sse(client.chat("demo-general", "写一个问候函数").body)
    answer, finish, *follow_ups = of(events, "conversation.message.completed")
    for part in ("## ", "\n- ", "| --- |", "```python\n"):
        assert part in answer["content"]
    assert json.loads(finish["content"]) == FINISH_CONTENT
    assert [m["type"] for m in follow_ups] == ["follow_up"] * 2


@given(st.text())
def test_stream_pieces_are_small_and_join_back_to_the_text(text: str) -> None:
    pieces = split_pieces(text)
    assert "".join(pieces) == text
    assert all(pieces)
    assert all(len(piece) <= 4 for piece in pieces if CJK.search(piece))


def test_streams_are_chunked_one_event_per_chunk(paced_server: DemoServer) -> None:
    body = json.dumps(chat_body("fault-error-event", "hi")).encode()
    head, raw = raw_exchange(
        paced_server,
        b"POST /v3/chat HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n"
        + f"Authorization: Bearer {DEMO_TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    assert b"\r\nTransfer-Encoding: chunked" in head and b"Content-Length" not in head
    chunks = dechunk(raw)
    assert all(re.fullmatch(rb"event:[a-z._]+\ndata:[^\n]+\n\n", chunk) for chunk in chunks)
    events = parse_sse(b"".join(chunks))
    assert [name for name, _ in events] == [
        "conversation.chat.created",
        "conversation.chat.in_progress",
        "conversation.message.delta",
        "conversation.message.delta",
        "error",
    ]
    assert "".join(d["content"] for d in of(events, "conversation.message.delta")) == "好的，"
    assert events[-1][1] == {"code": 5000, "msg": "internal server error"}


def test_no_chunked_streams_end_by_closing() -> None:
    with DemoServer(fast=True, chunked=False) as server:
        response = Client(server).chat("demo-knowledge", "退货运费谁承担？")
    assert response.headers["Transfer-Encoding"] is None and response.headers["Content-Length"] is None
    assert response.headers["Connection"] == "close"
    assert parse_sse(response.body)[-1] == ("done", "[DONE]")


def test_bench_bot_streams_5000_deltas_fast(client: Client) -> None:
    started = time.monotonic()
    events = parse_sse(client.chat("bench", "5000").body)
    deltas = of(events, "conversation.message.delta")
    assert len(deltas) == 5000 and {d["content"] for d in deltas} == {"数据x"}
    assert of(events, "conversation.message.completed")[0]["content"] == "数据x" * 5000
    assert of(events, "conversation.chat.completed")[0]["usage"]["output_count"] > 0
    assert events[-1] == ("done", "[DONE]")
    assert time.monotonic() - started < 30  # generous: a fast run takes well under a second


# Fault bots


def test_fault_failed_stream_ends_with_chat_failed_and_no_done(client: Client) -> None:
    events = parse_sse(client.chat("fault-failed", "hi").body)
    assert [name for name, _ in events] == [
        "conversation.chat.created",
        "conversation.chat.in_progress",
        "conversation.chat.failed",
    ]
    failed = events[-1][1]
    assert failed["status"] == "failed"
    assert failed["last_error"] == {"code": 5000, "msg": "event interval error"}


def test_fault_drop_cuts_the_chunked_body(client: Client) -> None:
    response, received, created = client.open_stream("fault-drop", "hi")
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    assert [name for name, _ in parse_sse(received + cut.value.partial)][-1] == "conversation.message.delta"
    client.conn.close()  # the server dropped it
    chat = client.ok(
        "GET", f"/v3/chat/retrieve?conversation_id={created['conversation_id']}&chat_id={created['id']}"
    )
    assert chat["data"]["status"] == "failed"


def test_fault_401_and_4015_answer_with_json_errors(client: Client) -> None:
    response = client.chat("fault-401", "hi")
    assert response.status == 401 and response.json()["code"] == 4100
    response = client.chat("fault-4015", "hi")
    assert response.status == 200
    payload = response.json()
    assert payload["code"] == 4015 and "fault-4015" in payload["msg"]


@pytest.mark.slow
def test_fault_slow_sends_nothing_for_three_seconds(fast_server: DemoServer) -> None:
    impatient = Client(fast_server, timeout=0.5)
    with pytest.raises(TimeoutError):
        impatient.chat("fault-slow", "hi")
    impatient.close()
    started = time.monotonic()
    events = parse_sse(Client(fast_server).chat("fault-slow", "hi").body)
    assert time.monotonic() - started >= 2.5
    assert events[-1] == ("done", "[DONE]")


# Non-streaming chats, retrieve, cancel


def test_non_streaming_knowledge_chat_completes_and_lists_its_messages(client: Client) -> None:
    response = client.chat("demo-knowledge", "退货运费谁承担？", stream=False)
    created = response.json()["data"]
    assert created["status"] == "in_progress" and CHAT_KEYS <= created.keys()
    ref = f"conversation_id={created['conversation_id']}&chat_id={created['id']}"
    chat = client.wait_for_chat(created["conversation_id"], created["id"])
    assert chat["status"] == "completed" and chat["usage"]["token_count"] > 0 and "completed_at" in chat
    assert client.ok("POST", f"/v3/chat/retrieve?{ref}")["data"] == chat
    messages = client.ok("GET", f"/v3/chat/message/list?{ref}")["data"]
    assert client.ok("POST", f"/v3/chat/message/list?{ref}")["data"] == messages
    assert [m["type"] for m in messages] == ["verbose", "answer", "verbose", *["follow_up"] * 3]
    assert json.loads(messages[0]["content"])["msg_type"] == "knowledge_recall"
    assert json.loads(messages[2]["content"]) == FINISH_CONTENT
    assert all(m["role"] == "assistant" for m in messages)


def test_non_streaming_fault_failed_is_retrieved_as_failed(client: Client) -> None:
    created = client.chat("fault-failed", "hi", stream=False).json()["data"]
    chat = client.wait_for_chat(created["conversation_id"], created["id"])
    assert chat["status"] == "failed"
    assert chat["last_error"] == {"code": 5000, "msg": "event interval error"}


def test_cancel_after_completion_is_4104(client: Client) -> None:
    created = parse_sse(client.chat("bench", "2").body)[0][1]
    body = {"conversation_id": created["conversation_id"], "chat_id": created["id"]}
    assert client.error("POST", "/v3/chat/cancel", body)[:2] == (200, 4104)


def test_cancel_stops_a_running_stream_and_frees_the_conversation(paced_server: DemoServer) -> None:
    streaming, other = Client(paced_server), Client(paced_server)
    response, received, created = streaming.open_stream("demo-general", "你好", until=b"message.delta")
    conversation_id, chat_id = created["conversation_id"], created["id"]

    busy = other.chat("bench", "1", conversation_id=conversation_id)
    assert busy.json()["code"] == 4016
    canceled = other.ok("POST", "/v3/chat/cancel", {"conversation_id": conversation_id, "chat_id": chat_id})
    assert canceled["data"]["status"] == "canceled"

    names = [name for name, _ in parse_sse(received + response.read())]
    assert "done" not in names and "conversation.chat.completed" not in names
    assert other.wait_for_chat(conversation_id, chat_id)["status"] == "canceled"
    assert parse_sse(other.chat("bench", "1", conversation_id=conversation_id).body)[-1] == ("done", "[DONE]")
    streaming.close()
    other.close()


def test_a_client_that_hangs_up_cancels_its_chat(paced_server: DemoServer) -> None:
    streaming, other = Client(paced_server), Client(paced_server)
    _, _, created = streaming.open_stream("demo-general", "hi")
    streaming.close()
    chat = other.wait_for_chat(created["conversation_id"], created["id"])
    assert chat["status"] == "canceled"
    after = other.chat("bench", "1", conversation_id=created["conversation_id"])
    assert parse_sse(after.body)[-1] == ("done", "[DONE]")
    other.close()


# Conversations and messages


def test_conversation_list_pages() -> None:
    with DemoServer(fast=True) as server:
        client = Client(server)
        ids = [
            client.ok("POST", "/v1/conversation/create", {"bot_id": "demo-reasoning", "name": f"c{i}"})[
                "data"
            ]["id"]
            for i in range(5)
        ]
        pages = [
            client.ok("GET", f"/v1/conversations?bot_id=demo-reasoning&page_num={n}&page_size=2")["data"]
            for n in (1, 2, 3)
        ]
        assert [[c["id"] for c in page["conversations"]] for page in pages] == [
            ids[4:2:-1],
            ids[2:0:-1],
            ids[:1],
        ]
        assert [page["has_more"] for page in pages] == [True, True, False]
        ascending = client.ok("GET", "/v1/conversations?bot_id=demo-reasoning&page_size=2&sort_order=ASC")[
            "data"
        ]
        assert [c["id"] for c in ascending["conversations"]] == ids[:2]
        assert client.ok("GET", "/v1/conversations?bot_id=demo-general")["data"] == {
            "has_more": False,
            "conversations": [],
        }
        assert client.error("GET", "/v1/conversations?bot_id=demo-reasoning&page_size=51")[1] == 4000
        assert client.error("GET", "/v1/conversations")[1] == 4006
        client.close()


def test_conversation_create_retrieve_and_clear(client: Client) -> None:
    created = client.ok(
        "POST", "/v1/conversation/create", {"bot_id": "demo-general", "name": "n", "meta_data": {"k": "v"}}
    )
    conversation = created["data"]
    assert conversation.keys() == {
        "id",
        "name",
        "meta_data",
        "created_at",
        "creator_id",
        "connector_id",
        "updated_at",
        "last_section_id",
    }
    assert (conversation["name"], conversation["meta_data"], conversation["connector_id"]) == (
        "n",
        {"k": "v"},
        "1024",
    )
    assert (
        client.ok("GET", f"/v1/conversation/retrieve?conversation_id={conversation['id']}")["data"]
        == conversation
    )
    section = client.ok("POST", f"/v1/conversations/{conversation['id']}/clear")["data"]
    assert (
        section["conversation_id"] == conversation["id"] and section["id"] != conversation["last_section_id"]
    )
    retrieved = client.ok("GET", f"/v1/conversation/retrieve?conversation_id={conversation['id']}")["data"]
    assert retrieved["last_section_id"] == section["id"]
    chat = parse_sse(client.chat("bench", "1", conversation_id=conversation["id"]).body)[0][1]
    assert chat["section_id"] == section["id"]


def test_message_list_pages_over_saved_questions_and_answers(client: Client) -> None:
    conversation = client.ok(
        "POST",
        "/v1/conversation/create",
        {
            "bot_id": "demo-general",
            "messages": [
                {"role": "user", "content": "早上好", "content_type": "text"},
                {"role": "assistant", "content": "早上好！", "content_type": "text"},
            ],
        },
    )["data"]
    cid = conversation["id"]
    answers = []
    for question in ("第一个问题", "second question"):
        events = parse_sse(client.chat("demo-general", question, conversation_id=cid).body)
        answers.append(of(events, "conversation.message.completed")[0])
    path = f"/v1/conversation/message/list?conversation_id={cid}"

    everything = client.ok("POST", path, {"order": "desc"})
    newest_first = everything["data"]
    assert [m["content"] for m in newest_first] == [
        answers[1]["content"],
        "second question",
        answers[0]["content"],
        "第一个问题",
        "早上好！",
        "早上好",
    ]
    assert [m["type"] for m in newest_first] == ["answer", "question"] * 3
    assert [m["role"] for m in newest_first] == ["assistant", "user"] * 3
    assert newest_first[0]["id"] == answers[1]["id"] and newest_first[0]["chat_id"] == answers[1]["chat_id"]
    assert everything["has_more"] is False
    ids = [m["id"] for m in newest_first]

    first = client.ok("POST", path, {"order": "desc", "limit": 4})
    assert ([m["id"] for m in first["data"]], first["first_id"], first["last_id"], first["has_more"]) == (
        ids[:4],
        ids[0],
        ids[3],
        True,
    )
    second = client.ok("POST", path, {"order": "desc", "limit": 4, "after_id": first["last_id"]})
    assert ([m["id"] for m in second["data"]], second["has_more"]) == (ids[4:], False)
    back = client.ok("POST", path, {"order": "desc", "limit": 4, "before_id": second["first_id"]})
    assert ([m["id"] for m in back["data"]], back["has_more"]) == (ids[:4], False)
    one_back = client.ok("POST", path, {"order": "desc", "limit": 1, "before_id": ids[2]})
    assert ([m["id"] for m in one_back["data"]], one_back["has_more"]) == ([ids[1]], True)

    oldest_first = client.ok("POST", path, {"order": "asc"})["data"]
    assert [m["id"] for m in oldest_first] == ids[::-1]
    of_chat = client.ok("POST", path, {"chat_id": answers[0]["chat_id"]})["data"]
    assert [m["content"] for m in of_chat] == [answers[0]["content"], "第一个问题"]
    assert client.error("POST", path, {"after_id": "1234567890123456789"})[1] == 4005
    assert client.error("POST", path, {"limit": 0})[1] == 4000


def test_unsaved_chats_leave_no_history(client: Client) -> None:
    chat = parse_sse(client.chat("bench", "1", auto_save_history=False).body)[0][1]
    path = f"/v1/conversation/message/list?conversation_id={chat['conversation_id']}"
    listed = client.ok("POST", path, {})
    assert (listed["data"], listed["first_id"], listed["last_id"], listed["has_more"]) == ([], "", "", False)


# Bots and files


def test_bot_info_list_and_online_info(client: Client) -> None:
    knowledge = client.ok("GET", "/v1/bots/demo-knowledge")["data"]
    assert knowledge["bot_id"] == "demo-knowledge" and knowledge["bot_mode"] == 0
    assert knowledge["onboarding_info"].keys() == {"Prologue", "SuggestedQuestions"}
    general = client.ok("GET", "/v1/bots/demo-general?is_published=true")["data"]
    assert general["onboarding_info"].keys() == {"prologue", "suggested_questions"}
    for key in ("name", "description", "icon_url", "create_time", "update_time", "version"):
        assert key in general
    online = client.ok("GET", "/v1/bot/get_online_info?bot_id=demo-knowledge")["data"]
    assert online["onboarding_info"].keys() == {"prologue", "suggested_questions"}
    assert client.error("GET", "/v1/bots/nope")[:2] == (200, 4006)
    assert client.error("GET", "/v1/bot/get_online_info?bot_id=nope")[:2] == (200, 4006)

    page1 = client.ok("GET", "/v1/bots?workspace_id=1&page_num=1&page_size=4")["data"]
    page2 = client.ok("GET", "/v1/bots?workspace_id=1&page_index=2&page_size=4")["data"]
    assert page1["total"] == page2["total"] == len(BOTS)
    assert [b["id"] for b in page1["items"] + page2["items"]] == list(BOTS)[:8]
    assert page1["items"][0].keys() == {
        "id",
        "name",
        "description",
        "icon_url",
        "is_published",
        "published_at",
        "updated_at",
        "owner_user_id",
    }


def multipart(boundary: str, name: str, filename: str, data: bytes) -> bytes:
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
    return (
        (head + "Content-Type: application/octet-stream\r\n\r\n").encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_file_upload(client: Client) -> None:
    boundary = "demo-boundary-7d1f"
    data = bytes(range(256)) * 3 + b"\r\n--demo-boundary\r\n\r\n"
    response = client.send(
        "POST",
        "/v1/files/upload",
        multipart(boundary, "file", "发票 1120.jpeg", data),
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    uploaded = response.json()["data"]
    assert (uploaded["bytes"], uploaded["file_name"]) == (len(data), "发票 1120.jpeg")
    assert ID19.fullmatch(uploaded["id"]) and isinstance(uploaded["created_at"], int)

    no_file = multipart(boundary, "purpose", "x.txt", b"x")
    response = client.send(
        "POST", "/v1/files/upload", no_file, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.json()["code"] == 4300
    assert client.error("POST", "/v1/files/upload", b"")[1] == 4300


# The command line


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_command_line_stops_cleanly_on_sigterm_right_after_its_banner() -> None:
    """The signal may come as soon as the last banner line is read, before the server's main
    thread goes on (it did on a loaded machine: an uncaught KeyboardInterrupt, exit -2)."""
    for _ in range(10):
        process = subprocess.Popen(
            [sys.executable, "-m", "coze_desktop.demo", "--port", "0", "--fast"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        try:
            assert process.stdout is not None
            banner = ""
            while "Ctrl+C" not in banner:
                banner += process.stdout.readline()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            assert "Traceback" not in (process.stderr.read() if process.stderr else "")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_command_line_prints_the_url_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "coze_desktop.demo", "--port", "0", "--fast"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"Coze demo server: (http://127\.0\.0\.1:\d+)\n", first)
        assert match, first
        assert process.stdout.readline() == f"Demo token: {DEMO_TOKEN}\n"
        banner = ""
        while "Ctrl+C" not in banner:
            banner += process.stdout.readline()
        assert all(bot_id in banner for bot_id in BOTS)
        url = urlsplit(match.group(1))
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
        conn.request("GET", "/v1/bots", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        assert json.loads(conn.getresponse().read())["data"]["total"] == len(BOTS)
        conn.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
