"""CozeClient over real HTTP against the demo server (and a scripted server for wire details)."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
import urllib3.util.connection
from scripted_server import Script, ScriptedServer

from coze_desktop.api import (
    ChatAccumulator,
    ChatCanceledError,
    CozeAPIError,
    CozeClient,
    CozeError,
    CozeNetworkError,
    ErrorKind,
    NetworkErrorKind,
)
from coze_desktop.api.events import ChatCreated, ChatFailed, ChatStatusEvent, Done, ErrorEvent, MessageDelta
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import ChatStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(
    client: CozeClient, bot: str, text: str = "你好", *, poll: bool = False, **kw: object
) -> ChatAccumulator:
    acc = ChatAccumulator(lang="en")
    try:
        events = (
            client.chat_and_poll(bot, "u1", text, interval=1.0, **kw)  # type: ignore[arg-type]
            if poll
            else client.stream_chat(bot, "u1", text, **kw)  # type: ignore[arg-type]
        )
        for event in events:
            acc.feed(event)
    except CozeError as exc:
        acc.fail(exc)
    return acc


@pytest.fixture
def client(demo_fast: DemoServer) -> CozeClient:
    return CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=10)


# --- the demo bots, streaming and polled ------------------------------------------------------


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_knowledge_bot(client: CozeClient, poll: bool) -> None:
    r = run(client, "demo-knowledge", "怎么退货？", poll=poll).result()
    assert r.status is ChatStatus.COMPLETED, r.error
    assert r.answer and any("\u4e00" <= c <= "\u9fff" for c in r.answer)
    assert len(r.sources) >= 2
    assert all(s.slice and s.document and s.dataset for s in r.sources)
    assert any(s.url.startswith("https://") for s in r.sources)
    assert all(s.score is not None and 0 < s.score <= 1 for s in r.sources)
    assert len(r.follow_ups) == 3
    assert r.usage is not None and r.usage.token_count > 0
    assert r.conversation_id and r.chat_id


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_reasoning_bot(client: CozeClient, poll: bool) -> None:
    r = run(client, "demo-reasoning", "Why is the sky blue?", poll=poll).result()
    assert r.status is ChatStatus.COMPLETED
    assert r.reasoning and r.answer
    assert r.reasoning not in r.answer


def test_reasoning_arrives_before_the_answer(client: CozeClient) -> None:
    kinds = []
    for e in client.stream_chat("demo-reasoning", "u1", "hi"):
        if isinstance(e, MessageDelta):
            kinds.append("r" if e.message.reasoning_content else "a")
    assert kinds and kinds[0] == "r" and kinds[-1] == "a"
    assert "r" not in kinds[kinds.index("a") :]


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_general_bot_is_bilingual(client: CozeClient, poll: bool) -> None:
    zh = run(client, "demo-general", "介绍一下你自己", poll=poll).result()
    en = run(client, "demo-general", "Introduce yourself", poll=poll).result()
    assert zh.status is en.status is ChatStatus.COMPLETED
    assert any("\u4e00" <= c <= "\u9fff" for c in zh.answer)
    assert "```" in en.answer and not any("\u4e00" <= c <= "\u9fff" for c in en.answer)


def test_conversation_continues(client: CozeClient) -> None:
    first = run(client, "demo-general", "hello").result()
    second = run(client, "demo-general", "again", conversation_id=first.conversation_id).result()
    assert second.conversation_id == first.conversation_id
    page = client.list_messages(first.conversation_id or "", order="asc")
    assert [m.role for m in page.messages] == ["user", "assistant", "user", "assistant"]


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_chat_failed(client: CozeClient, poll: bool) -> None:
    acc = run(client, "fault-failed", poll=poll)
    r = acc.result()
    assert r.status is ChatStatus.FAILED
    assert r.error is not None and r.error.code == 5000


def test_chat_failed_is_yielded_then_raised(client: CozeClient) -> None:
    seen = []
    with pytest.raises(CozeAPIError) as info:
        for e in client.stream_chat("fault-failed", "u1", "x"):
            seen.append(e)
    assert isinstance(seen[-1], ChatFailed)
    assert info.value.code == 5000 and info.value.logid


def test_error_event_keeps_text_so_far(client: CozeClient) -> None:
    seen = []
    acc = ChatAccumulator()
    with pytest.raises(CozeAPIError) as info:
        for e in client.stream_chat("fault-error-event", "u1", "x"):
            seen.append(e)
            acc.feed(e)
    assert isinstance(seen[-1], ErrorEvent)
    assert info.value.code == 5000
    assert acc.answer.startswith("好的")


def test_dropped_connection_keeps_text_so_far(client: CozeClient) -> None:
    acc = run(client, "fault-drop")
    r = acc.result()
    assert r.status is ChatStatus.ERROR
    assert r.answer
    assert r.error is not None and "dropped" in r.error.message.lower()
    with pytest.raises(CozeNetworkError) as info:
        for _ in client.stream_chat("fault-drop", "u1", "x"):
            pass
    assert info.value.reason is NetworkErrorKind.DROPPED and info.value.kind is ErrorKind.NETWORK


def test_dropped_connection_without_chunking(demo_unchunked: DemoServer) -> None:
    c = CozeClient(DEMO_TOKEN, demo_unchunked.url, read_timeout=10)
    with pytest.raises(CozeNetworkError) as info:
        for _ in c.stream_chat("fault-drop", "u1", "x"):
            pass
    assert info.value.reason is NetworkErrorKind.DROPPED and info.value.kind is ErrorKind.NETWORK


def test_slow_first_byte(demo_fast: DemoServer) -> None:
    impatient = CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=1)
    with pytest.raises(CozeNetworkError) as info:
        impatient.stream_chat("fault-slow", "u1", "x")
    assert info.value.reason is NetworkErrorKind.READ_TIMEOUT and info.value.kind is ErrorKind.NETWORK
    patient = CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=10)
    assert run(patient, "fault-slow").result().status is ChatStatus.COMPLETED


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_401_json_body(client: CozeClient, poll: bool) -> None:
    with pytest.raises(CozeAPIError) as info:
        if poll:
            client.create_chat("fault-401", "u1", "x")
        else:
            client.stream_chat("fault-401", "u1", "x")
    err = info.value
    assert (err.code, err.http_status) == (4100, 401)
    assert err.kind is ErrorKind.AUTH and err.logid
    assert "设置" in err.user_message("zh")


@pytest.mark.parametrize("poll", [False, True], ids=["stream", "poll"])
def test_4015_not_published(client: CozeClient, poll: bool) -> None:
    r = run(client, "fault-4015", poll=poll).result()
    assert r.status is ChatStatus.ERROR
    assert r.error is not None and r.error.code == 4015 and r.error.logid
    assert "API" in r.error.message


def test_wrong_token(demo_fast: DemoServer) -> None:
    bad = CozeClient("pat_wrong_token_1234567890", demo_fast.url)
    with pytest.raises(CozeAPIError) as info:
        bad.stream_chat("demo-general", "u1", "x")
    assert info.value.code == 4100 and info.value.http_status == 401
    assert "pat_wrong_token_1234567890" not in str(info.value)
    assert "pat_wrong_token_1234567890" not in repr(bad)


def test_unknown_bot(client: CozeClient) -> None:
    with pytest.raises(CozeAPIError) as info:
        client.stream_chat("no-such-bot", "u1", "x")
    assert info.value.code == 4006


# --- delivery: every event as soon as its bytes arrive -----------------------------------------


@pytest.mark.parametrize("fixture_name", ["demo_paced", "demo_unchunked"])
def test_events_arrive_while_the_reply_is_still_being_written(
    fixture_name: str, request: pytest.FixtureRequest
) -> None:
    server: DemoServer = request.getfixturevalue(fixture_name)
    c = CozeClient(DEMO_TOKEN, server.url, read_timeout=10)
    t0 = time.monotonic()
    arrivals = []
    for e in c.stream_chat("demo-general", "u1", "Introduce yourself"):
        if isinstance(e, ChatCreated | MessageDelta):
            arrivals.append(time.monotonic() - t0)
    # A paced reply takes seconds; the first events must not wait for the end.
    assert arrivals[-1] - arrivals[0] > 0.5
    assert arrivals[0] < arrivals[-1] / 2


def test_stop_closes_the_stream_and_cancels(demo_paced: DemoServer) -> None:
    c = CozeClient(DEMO_TOKEN, demo_paced.url, read_timeout=10)
    stream = c.stream_chat("demo-general", "u1", "Introduce yourself")
    acc = ChatAccumulator()
    t_stop = None
    stopper = threading.Thread(target=stream.cancel)
    with pytest.raises(ChatCanceledError):
        for e in stream:
            acc.feed(e)
            if acc.answer and t_stop is None:
                t_stop = time.monotonic()
                stopper.start()
    assert t_stop is not None and time.monotonic() - t_stop < 2.0
    stopper.join(timeout=10)  # the cancel request has been answered
    assert acc.answer
    chat = c.retrieve_chat(stream.conversation_id or "", stream.chat_id or "")
    assert chat.status is ChatStatus.CANCELED


def test_poll_can_be_canceled(demo_paced: DemoServer) -> None:
    c = CozeClient(DEMO_TOKEN, demo_paced.url, read_timeout=10)
    cancel = threading.Event()
    created: list[ChatStatusEvent] = []
    with pytest.raises(ChatCanceledError):
        for event in c.chat_and_poll("demo-general", "u1", "hi", cancel=cancel):
            if isinstance(event, ChatStatusEvent):  # the chat is created and about to be polled: stop it
                created.append(event)
                t0 = time.monotonic()
                cancel.set()
    assert created and time.monotonic() - t0 < 3
    chat = created[0].chat
    assert c.retrieve_chat(chat.conversation_id, chat.id).status is ChatStatus.CANCELED


def test_a_poll_canceled_before_it_starts_creates_no_chat(demo_fast: DemoServer) -> None:
    cancel = threading.Event()
    cancel.set()
    paths: list[str] = []
    with CozeClient(DEMO_TOKEN, demo_fast.url, on_request=paths.append) as c:
        with pytest.raises(ChatCanceledError):
            next(iter(c.chat_and_poll("demo-general", "u1", "hi", cancel=cancel)))
    assert paths == []  # nothing was asked of the server


def test_poll_timeout(demo_paced: DemoServer) -> None:
    from coze_desktop.api import ChatTimeoutError

    c = CozeClient(DEMO_TOKEN, demo_paced.url, read_timeout=10)
    chat = c.create_chat("demo-general", "u1", "hi")
    with pytest.raises(ChatTimeoutError):
        c.poll_chat(chat.conversation_id, chat.id, timeout=0.5)


def test_4007_rule_is_respected(client: CozeClient) -> None:
    chat = client.create_chat("demo-general", "u1", "hi")  # stream false always with auto_save_history
    assert chat.status in (ChatStatus.CREATED, ChatStatus.IN_PROGRESS, ChatStatus.COMPLETED)


# --- conversations, bots, files ------------------------------------------------------------


def test_conversations(client: CozeClient) -> None:
    created = [client.create_conversation("demo-general", name=f"c{i}") for i in range(7)]
    assert all(c.id for c in created)
    assert client.retrieve_conversation(created[0].id).name == "c0"
    seen: list[str] = []
    page = 1
    while True:
        convs, more = client.list_conversations("demo-general", page_num=page, page_size=3)
        seen += [c.id for c in convs]
        if not more:
            break
        page += 1
    assert {c.id for c in created} <= set(seen)
    assert len(seen) == len(set(seen))
    assert client.clear_conversation(created[0].id)


def test_message_list_paging(client: CozeClient) -> None:
    conv = None
    for i in range(3):
        r = run(client, "demo-general", f"q{i}", conversation_id=conv).result()
        conv = r.conversation_id
    assert conv
    ids: list[str] = []
    after = None
    while True:
        page = client.list_messages(conv, order="asc", after_id=after, limit=2)
        ids += [m.id for m in page.messages]
        if not page.has_more:
            break
        after = page.last_id
    assert len(ids) == 6 and len(set(ids)) == 6
    everything = client.list_messages(conv, order="asc", limit=50)
    assert [m.id for m in everything.messages] == ids


def test_bot_info_both_spellings(client: CozeClient) -> None:
    kb = client.get_bot("demo-knowledge")  # PascalCase onboarding keys
    gen = client.get_bot("demo-general")  # snake_case
    for bot in (kb, gen):
        assert bot.name and bot.prologue and bot.suggested_questions
        assert bot.base_url == client.base_url
    with pytest.raises(CozeAPIError) as info:
        client.get_bot("no-such-bot")
    assert info.value.code == 4006


def test_bot_list(client: CozeClient) -> None:
    bots, total = client.list_bots(page=1, page_size=50)
    assert {"demo-knowledge", "demo-reasoning", "demo-general"} <= {b.id for b in bots}
    assert total >= len(bots)


def test_file_upload(client: CozeClient, tmp_path: Path) -> None:
    f = tmp_path / "报告.txt"
    f.write_bytes("内容".encode() * 100)
    up = client.upload_file(f)
    assert up.id and up.bytes == f.stat().st_size and up.file_name == "报告.txt"


# --- wire details, with a scripted server ------------------------------------------------------


def test_request_shape(scripted: ScriptedServer) -> None:
    scripted.script = Script(
        headers={"Content-Type": "text/event-stream", "X-Tt-Logid": "LOG1"},
        chunks=[(FIXTURES / "stream_basic.sse").read_bytes()],
    )
    c = CozeClient("pat_secret_token_abcdef123456", scripted.url)
    stream = c.stream_chat("b1", "u1", "你好", conversation_id="c 1")
    events = list(stream)
    assert isinstance(events[-1], Done) or stream.finished
    assert stream.logid == "LOG1"
    req = scripted.requests[0]
    assert req.method == "POST" and req.path == "/v3/chat?conversation_id=c+1"
    assert req.headers["Authorization"] == "Bearer pat_secret_token_abcdef123456"
    assert req.headers["User-Agent"].startswith("CozeDesktop/")
    body = json.loads(req.body)
    assert body["stream"] is True and body["auto_save_history"] is True
    assert body["bot_id"] == "b1" and body["user_id"] == "u1"
    assert body["additional_messages"] == [
        {"role": "user", "type": "question", "content": "你好", "content_type": "text"}
    ]
    assert "conversation_id" not in body


def test_charset_is_ignored_and_crlf_framing_works(scripted: ScriptedServer) -> None:
    data = (FIXTURES / "stream_knowledge_recall.sse").read_bytes().replace(b"\n", b"\r\n")
    scripted.script = Script(
        headers={"Content-Type": "text/event-stream; charset=ISO-8859-1"},
        chunks=[data[i : i + 7] for i in range(0, len(data), 7)],
        chunked=False,
    )
    r = run(CozeClient("t0k3n_for_tests", scripted.url), "b").result()
    assert r.status is ChatStatus.COMPLETED
    assert r.answer == "签收后 7 天内、商品未拆封可以无理由退货。"
    assert len(r.sources) == 2


def test_stream_request_answered_with_json(scripted: ScriptedServer) -> None:
    scripted.script = Script(
        headers={"Content-Type": "application/json"},
        chunks=[(FIXTURES / "error_stream_request_json.json").read_bytes()],
    )
    with pytest.raises(CozeAPIError) as info:
        CozeClient("t0k3n_for_tests", scripted.url).stream_chat("b", "u", "x")
    assert info.value.code == 4000 and info.value.msg == "json fail"


def test_html_error_page(scripted: ScriptedServer) -> None:
    scripted.script = Script(
        status=502,
        headers={"Content-Type": "text/html"},
        chunks=[b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"],
    )
    with pytest.raises(CozeAPIError) as info:
        CozeClient("t0k3n_for_tests", scripted.url).stream_chat("b", "u", "x")
    err = info.value
    assert err.code is None and err.http_status == 502 and "502 Bad Gateway" in err.msg
    assert "<" not in err.msg


@pytest.mark.parametrize("name", ["error_4100.json", "error_access_token_invalid.json"])
def test_401_bodies_seen_in_the_wild(scripted: ScriptedServer, name: str) -> None:
    scripted.script = Script(
        status=401, headers={"Content-Type": "application/json"}, chunks=[(FIXTURES / name).read_bytes()]
    )
    with pytest.raises(CozeAPIError) as info:
        CozeClient("t0k3n_for_tests", scripted.url).get_bot("b")
    assert info.value.kind is ErrorKind.AUTH and info.value.http_status == 401


def test_malformed_event_is_not_fatal(scripted: ScriptedServer) -> None:
    body = (
        b"event:conversation.chat.created\ndata:{broken\n\n"
        b"event:something.new\ndata:{}\n\n"
        b'event:conversation.message.delta\ndata:{"id":"1","type":"answer","content":"ok"}\n\n'
        b'event:conversation.chat.completed\ndata:{"id":"c","conversation_id":"v","status":"completed"}\n\n'
    )
    scripted.script = Script(headers={"Content-Type": "text/event-stream"}, chunks=[body])
    r = run(CozeClient("t0k3n_for_tests", scripted.url), "b").result()
    assert r.status is ChatStatus.COMPLETED and r.answer == "ok"


def test_stream_ending_without_terminal_event_is_a_drop(scripted: ScriptedServer) -> None:
    body = b'event:conversation.message.delta\ndata:{"id":"1","type":"answer","content":"half"}\n\n'
    scripted.script = Script(headers={"Content-Type": "text/event-stream"}, chunks=[body])
    r = run(CozeClient("t0k3n_for_tests", scripted.url), "b").result()
    assert r.status is ChatStatus.ERROR and r.answer == "half"


def test_retrieve_falls_back_to_post(scripted: ScriptedServer) -> None:
    ok = (FIXTURES / "retrieve_completed.json").read_bytes()
    c = CozeClient("t0k3n_for_tests", scripted.url)
    scripted.queue = [Script(status=405, headers={"Content-Type": "application/json"}, chunks=[b"{}"])]
    scripted.script = Script(headers={"Content-Type": "application/json"}, chunks=[ok])
    chat = c.retrieve_chat("c", "x")
    assert chat.status is ChatStatus.COMPLETED and chat.usage is not None and chat.usage.token_count == 298
    assert [r.method for r in scripted.requests] == ["GET", "POST"]


# --- network failures are told apart ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused() -> None:
    with pytest.raises(CozeNetworkError) as info:
        CozeClient("t0k3n_for_tests", f"http://127.0.0.1:{_free_port()}").stream_chat("b", "u", "x")
    assert info.value.reason is NetworkErrorKind.REFUSED and info.value.kind is ErrorKind.NETWORK


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*_a: object, **_k: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(CozeNetworkError) as info:
        CozeClient("t0k3n_for_tests", "http://api.coze.invalid").get_bot("b")
    assert info.value.reason is NetworkErrorKind.DNS and info.value.kind is ErrorKind.NETWORK


def test_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*_a: object, **_k: object) -> object:
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", hang)
    monkeypatch.setattr(urllib3.connection.connection, "create_connection", hang)
    with pytest.raises(CozeNetworkError) as info:
        CozeClient("t0k3n_for_tests", "http://127.0.0.1:9", connect_timeout=0.2).get_bot("b")
    assert info.value.reason is NetworkErrorKind.CONNECT_TIMEOUT and info.value.kind is ErrorKind.NETWORK


def test_proxy_failure() -> None:
    c = CozeClient(
        "t0k3n_for_tests", "http://example.invalid", proxies={"http": f"http://127.0.0.1:{_free_port()}"}
    )
    with pytest.raises(CozeNetworkError) as info:
        c.get_bot("b")
    assert info.value.reason is NetworkErrorKind.PROXY and info.value.kind is ErrorKind.NETWORK


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a self-signed certificate")
def test_tls_verification_failure(tmp_path: Path) -> None:
    import http.server

    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.handle_request, daemon=True)
    t.start()
    try:
        with pytest.raises(CozeNetworkError) as info:
            CozeClient("t0k3n_for_tests", f"https://127.0.0.1:{httpd.server_address[1]}").get_bot("b")
        assert info.value.reason is NetworkErrorKind.TLS and info.value.kind is ErrorKind.NETWORK
    finally:
        httpd.server_close()
