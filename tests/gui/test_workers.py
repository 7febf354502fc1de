"""The chat workers against the demo server: streaming, coalescing, stop, errors, polling, shutdown."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from coze_desktop.api import ChatAccumulator, CozeClient
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import ErrorInfo, Message, MessageState, Role
from coze_desktop.workers.chat import EMIT_INTERVAL, ReplyJob, conversation_title
from coze_desktop.workers.tasks import BackgroundTask
from coze_desktop.workers.threads import Pacer

from .conftest import WAIT_MS, Chat


class Recorder(QObject):
    """Collects a controller's signals (in the GUI thread, as the window gets them)."""

    def __init__(self, chat: Chat) -> None:
        super().__init__()
        self.deltas: list[tuple[int, int, str, str]] = []
        self.sources: list[tuple[int, int, list]] = []
        self.follow_ups: list[tuple[int, int, list]] = []
        self.failed: list[tuple[int, int, ErrorInfo]] = []
        self.finished: list[tuple[int, Message]] = []
        self.calls: list[tuple[str, int]] = []
        c = chat.controller
        c.delta_received.connect(self._on_delta)
        c.sources_received.connect(self._on_sources)
        c.follow_ups_received.connect(self._on_follow_ups)
        c.reply_failed.connect(self._on_failed)
        c.reply_finished.connect(self._on_finished)
        chat.accounts.api_call_recorded.connect(self._on_call)

    def _on_delta(self, cid: int, mid: int, text: str, reasoning: str) -> None:
        self.deltas.append((cid, mid, text, reasoning))

    def _on_sources(self, cid: int, mid: int, sources: list) -> None:
        self.sources.append((cid, mid, sources))

    def _on_follow_ups(self, cid: int, mid: int, follow_ups: list) -> None:
        self.follow_ups.append((cid, mid, follow_ups))

    def _on_failed(self, cid: int, mid: int, error: ErrorInfo) -> None:
        self.failed.append((cid, mid, error))

    def _on_finished(self, cid: int, message: Message) -> None:
        self.finished.append((cid, message))

    def _on_call(self, base_url: str, count: int) -> None:
        self.calls.append((base_url, count))

    def text_of(self, message_id: int) -> str:
        return "".join(d[2] for d in self.deltas if d[1] == message_id)


def test_send_streams_saves_sources_and_follow_ups(
    make_chat: Callable[..., Chat], demo_fast: DemoServer
) -> None:
    chat = make_chat(demo_fast)
    rec = Recorder(chat)
    cid, answer = chat.send_and_wait("demo-knowledge", "7 天无理由退货怎么申请？")
    assert answer.state is MessageState.COMPLETE
    assert answer.role is Role.ASSISTANT and "售后知识库" in answer.text
    assert rec.text_of(answer.id) == answer.text  # what was shown is what was saved
    assert len(answer.sources) == 2 and answer.sources[1].url.startswith("https://")
    assert rec.sources and rec.sources[-1][2] == answer.sources
    assert rec.follow_ups[-1][2] == answer.follow_ups and len(answer.follow_ups) == 3
    assert answer.usage is not None and answer.usage.token_count > 0
    assert answer.duration is not None and answer.duration > 0
    saved = chat.store.messages(cid)
    assert [m.role for m in saved] == [Role.USER, Role.ASSISTANT]
    assert saved[1].text == answer.text and saved[1].state is MessageState.COMPLETE
    assert saved[1].sources == answer.sources and saved[1].follow_ups == answer.follow_ups
    conversation = chat.store.get_conversation(cid)
    assert conversation is not None
    assert conversation.title == "7 天无理由退货怎么申请？" and conversation.base_url == demo_fast.url
    assert conversation.coze_conversation_id  # later turns continue the Coze conversation
    assert rec.calls and rec.calls[-1] == (demo_fast.url, chat.store.api_calls(demo_fast.url, DEMO_TOKEN))


def test_later_turns_continue_the_coze_conversation(
    make_chat: Callable[..., Chat], demo_fast: DemoServer
) -> None:
    chat = make_chat(demo_fast)
    cid, _ = chat.send_and_wait("demo-general", "Hello")
    first = chat.store.get_conversation(cid)
    cid2, answer = chat.send_and_wait("demo-general", "Again", conversation_id=cid)
    assert cid2 == cid and answer.state is MessageState.COMPLETE
    second = chat.store.get_conversation(cid)
    assert first is not None and second is not None
    assert second.coze_conversation_id == first.coze_conversation_id
    assert len(chat.store.messages(cid)) == 4


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "polling"])
def test_a_conversation_coze_forgot_starts_a_new_one(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, streaming: bool
) -> None:
    chat = make_chat(demo_fast, streaming=streaming)
    restarted: list[tuple[int, int]] = []
    chat.controller.coze_conversation_restarted.connect(lambda c, m: restarted.append((c, m)))
    cid, _ = chat.send_and_wait("demo-general", "Hello")
    assert restarted == []
    chat.store.set_coze_conversation_id(cid, "123456789")  # e.g. the demo server restarted
    _, answer = chat.send_and_wait("demo-general", "Still there?", conversation_id=cid)
    assert answer.state is MessageState.COMPLETE
    assert restarted == [(cid, answer.id)]  # the window tells the user (see test_habits.py)
    conversation = chat.store.get_conversation(cid)
    assert conversation is not None and conversation.coze_conversation_id not in (None, "123456789")


def test_deltas_are_coalesced_to_screen_rate(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast)
    rec = Recorder(chat)
    started = time.monotonic()
    _, answer = chat.send_and_wait("bench", "5000")
    elapsed = time.monotonic() - started
    assert answer.text == "数据x" * 5000
    assert rec.text_of(answer.id) == answer.text
    # 5,000 pieces; at most one signal per EMIT_INTERVAL (plus the final flush and sources/follow-up flushes).
    assert len(rec.deltas) <= elapsed / EMIT_INTERVAL + 3
    assert len(rec.deltas) < 1000


def test_stop_mid_reply_keeps_the_text_as_stopped(
    make_chat: Callable[..., Chat], demo_paced: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_paced)
    rec = Recorder(chat)
    with qtbot.waitSignal(chat.controller.delta_received, timeout=WAIT_MS):
        cid = chat.controller.send(None, chat.bot("demo-general"), "Tell me about tables")
    assert chat.controller.is_streaming(cid)
    stopped_at = time.monotonic()
    with qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        chat.controller.stop(cid)
    assert time.monotonic() - stopped_at < 2.0
    answer = blocker.args[1]
    assert answer.state is MessageState.STOPPED and answer.error is None
    assert answer.text and answer.text == rec.text_of(answer.id)
    assert not chat.controller.is_streaming(cid)
    saved = chat.store.get_message(answer.id)
    assert saved is not None and saved.state is MessageState.STOPPED and saved.text == answer.text
    # Coze was told to cancel the chat.
    conversation = chat.store.get_conversation(cid)
    assert conversation is not None and conversation.coze_conversation_id
    with CozeClient(DEMO_TOKEN, demo_paced.url) as client:
        remote = client.retrieve_chat(conversation.coze_conversation_id, answer.coze_chat_id or "")
    assert remote.status is not None and remote.status.value == "canceled"


def test_invalid_token_fails_with_4100(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast, token="pat_wrong-token-0123456789")
    rec = Recorder(chat)
    _, answer = chat.send_and_wait("demo-general", "Hello")
    assert answer.state is MessageState.FAILED
    assert answer.error is not None and answer.error.code == 4100
    assert "token" in answer.error.message.lower()
    assert rec.failed and rec.failed[0][2].code == 4100


def test_unpublished_bot_fails_with_4015(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast)
    _, answer = chat.send_and_wait("fault-4015", "Hello")
    assert answer.state is MessageState.FAILED
    assert answer.error is not None and answer.error.code == 4015
    assert "publish" in answer.error.message.lower()


def test_dropped_connection_keeps_the_text(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast)
    _, answer = chat.send_and_wait("fault-drop", "Hello")
    assert answer.state is MessageState.FAILED
    assert answer.text == "这条回答会在中途断开"
    assert answer.error is not None and answer.error.code is None
    assert "dropped" in answer.error.message.lower()


def test_error_event_and_failed_chat(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast)
    _, answer = chat.send_and_wait("fault-error-event", "Hello")
    assert answer.state is MessageState.FAILED and answer.text == "好的，"
    assert answer.error is not None and answer.error.code == 5000
    _, answer = chat.send_and_wait("fault-failed", "Hello")
    assert answer.state is MessageState.FAILED and answer.error is not None


def test_no_token_fails_at_once(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast, token=None)
    cid, answer = chat.send_and_wait("demo-general", "Hello")
    assert answer.state is MessageState.FAILED
    assert answer.error is not None and "token" in answer.error.message.lower()
    assert chat.store.messages(cid)[0].text == "Hello"


def test_two_conversations_stream_at_once(
    make_chat: Callable[..., Chat], demo_paced: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_paced)
    rec = Recorder(chat)
    first = chat.controller.send(None, chat.bot("demo-general"), "First question")
    second = chat.controller.send(None, chat.bot("demo-reasoning"), "Second question")
    assert first != second
    assert set(chat.controller.streaming_conversations()) == {first, second}
    qtbot.waitUntil(lambda: len(rec.finished) == 2, timeout=WAIT_MS)
    by_conversation = {cid: message for cid, message in rec.finished}
    assert set(by_conversation) == {first, second}
    for cid, message in by_conversation.items():
        assert message.state is MessageState.COMPLETE
        assert message.conversation_id == cid
        assert rec.text_of(message.id) == message.text
        assert all(d[0] == cid for d in rec.deltas if d[1] == message.id)
    assert "reasoning demo" in by_conversation[second].text
    assert by_conversation[second].reasoning


def test_retry_asks_the_same_question_again(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast)
    cid, failed = chat.send_and_wait("fault-drop", "Hello")
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        assert chat.controller.retry(failed.id) == cid
    again = blocker.args[1]
    assert again.id != failed.id and again.text == "这条回答会在中途断开"
    # The new answer is a second version of the failed one, in its place.
    assert [m.role for m in chat.store.messages(cid)] == [Role.USER, Role.ASSISTANT]
    assert (again.version, again.version_count) == (2, 2)
    assert chat.store.versions(again.id) == [failed.id, again.id]


def test_non_streaming_mode_polls_and_completes(
    make_chat: Callable[..., Chat], demo_fast: DemoServer
) -> None:
    chat = make_chat(demo_fast, streaming=False)
    rec = Recorder(chat)
    cid, answer = chat.send_and_wait("demo-reasoning", "Why is the sky blue?")
    assert answer.state is MessageState.COMPLETE
    assert "reasoning demo" in answer.text and answer.reasoning
    assert rec.text_of(answer.id) == answer.text
    saved = chat.store.messages(cid)[1]
    assert saved.reasoning == answer.reasoning and saved.usage is not None
    # create + at least one retrieve + the message list
    assert chat.store.api_calls(demo_fast.url, DEMO_TOKEN) >= 3


def test_non_streaming_mode_can_be_stopped(
    make_chat: Callable[..., Chat], demo_paced: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_paced, streaming=False)
    with qtbot.waitSignal(chat.controller.chat_started, timeout=WAIT_MS):
        cid = chat.controller.send(None, chat.bot("demo-general"), "Hello")
    with qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        chat.controller.stop(cid)
    assert blocker.args[1].state is MessageState.STOPPED


def test_shutdown_saves_partial_answers_within_two_seconds(
    make_chat: Callable[..., Chat], demo_paced: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_paced)
    with qtbot.waitSignal(chat.controller.delta_received, timeout=WAIT_MS):
        cid = chat.controller.send(None, chat.bot("demo-general"), "A long answer please")
    started = time.monotonic()
    assert chat.controller.shutdown(2.0)
    assert time.monotonic() - started < 2.0
    answer = chat.store.messages(cid)[1]
    assert answer.state is MessageState.STOPPED and answer.text


def test_conversation_title_is_one_short_line() -> None:
    assert conversation_title("  hello\n world ") == "hello world"
    long = conversation_title("x" * 100)
    assert len(long) == 40 and long.endswith("…")


def test_an_unexpected_error_finishes_the_answer_as_failed(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = make_chat(demo_fast)

    def broken_feed(self: ChatAccumulator, event: object) -> str:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ChatAccumulator, "feed", broken_feed)
    cid, answer = chat.send_and_wait("demo-general", "Hello")
    assert answer.state is MessageState.FAILED
    assert answer.error is not None and "ZeroDivisionError" in answer.error.message
    assert chat.store.messages(cid)[1].state is MessageState.FAILED


def test_pacer_sleeps_after_each_burst_of_work() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    pacer = Pacer(burst=0.002, pause=0.001, clock=lambda: now[0], sleep=sleep)
    for _ in range(11):  # units of work of 0.5 ms each, back to back
        now[0] += 0.0005
        pacer.tick()
    assert sleeps == [0.001, 0.001]  # after 2 ms and after 4 ms of work; 1.5 ms since then


def test_pacer_does_not_count_waiting_as_work() -> None:
    now = [0.0]
    sleeps: list[float] = []
    pacer = Pacer(burst=0.002, pause=0.001, clock=lambda: now[0], sleep=sleeps.append)
    for _ in range(20):  # 0.5 ms of work, then 5 ms waiting for the network, again and again
        now[0] += 0.0005
        pacer.tick()
        now[0] += 0.005
    assert sleeps == []
    for _ in range(5):  # 2 ms of work back to back (measured from the first tick after the wait)
        now[0] += 0.0005
        pacer.tick()
    assert sleeps == [0.001]


def test_the_controller_owns_the_live_state_of_an_answer(
    make_chat: Callable[..., Chat], demo_paced: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_paced)
    rec = Recorder(chat)
    started: list[Message] = []
    chat.controller.reply_started.connect(lambda _cid, message: started.append(message))
    with qtbot.waitSignal(chat.controller.delta_received, timeout=WAIT_MS):
        cid = chat.controller.send(None, chat.bot("demo-knowledge"), "7 天无理由退货怎么申请？")
    answer_id = started[0].id
    live = chat.controller.live(answer_id)
    assert live is not None and live.conversation_id == cid and live.message_id == answer_id
    # The live state is exactly what the receivers were told so far, at every moment.
    assert live.text == rec.text_of(answer_id) and live.text
    qtbot.waitUntil(lambda: bool(rec.sources), timeout=WAIT_MS)
    live = chat.controller.live(answer_id)
    assert live is not None and live.sources == rec.sources[-1][2]
    assert live.coze_chat_id  # Coze accepted the chat
    shown = chat.controller.with_live(started[0])
    assert shown.state is MessageState.STREAMING and shown.text == live.text and shown.sources == live.sources
    assert chat.controller.live(None) is None
    question = chat.store.messages(cid)[0]
    assert chat.controller.with_live(question) is question  # not an answer being written
    with qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as blocker:
        pass
    final = blocker.args[1]
    assert chat.controller.live(answer_id) is None  # the store has it now
    assert final.text == rec.text_of(answer_id) and final.state is MessageState.COMPLETE


def test_new_conversation_is_made_before_the_question_is_sent(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, qtbot: QtBot
) -> None:
    chat = make_chat(demo_fast)
    created: list[int] = []
    chat.controller.conversation_created.connect(created.append)
    conversation = chat.controller.new_conversation(chat.bot("demo-general"), "  Hello\n there ")
    assert conversation.id is not None and created == [conversation.id]
    assert conversation.title == "Hello there" and chat.store.messages(conversation.id) == []
    with qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS):
        assert chat.controller.send(conversation.id, chat.bot("demo-general"), "Hello there") == conversation.id
    assert created == [conversation.id]  # sending to it made no other conversation
    with pytest.raises(ValueError):
        chat.controller.new_conversation(chat.bot("demo-general"), "  ")


def test_a_failed_start_leaves_no_live_state(make_chat: Callable[..., Chat], demo_fast: DemoServer) -> None:
    chat = make_chat(demo_fast, token=None)
    _, answer = chat.send_and_wait("demo-general", "Hello")
    assert answer.state is MessageState.FAILED and chat.controller.live(answer.id) is None


def _jobs_and_tasks() -> list[object]:
    """Every reply job and background task Python tracks, garbage cycles included."""
    return [o for o in gc.get_objects() if isinstance(o, ReplyJob | BackgroundTask)]


@pytest.mark.parametrize("streaming", [True, False])
def test_a_finished_reply_job_is_freed_without_the_cycle_collector(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, streaming: bool
) -> None:
    """A reply's job, task and worker must be freed by reference counting once it is over: left
    to the cycle collector, they may be deleted in a worker thread, which crashed the suite
    (a segmentation fault while a polling job started its request)."""
    chat = make_chat(demo_fast, streaming=streaming)
    gc.collect()
    gc.disable()
    try:
        before = {id(o) for o in _jobs_and_tasks()}
        with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as finished:
            chat.controller.send(None, chat.bot("demo-general"), "hello")
            # The job (and, when polling, its task) exists from here until the reply is over.
            # Weak references only: holding the objects would keep them alive.
            made = [weakref.ref(o) for o in _jobs_and_tasks() if id(o) not in before]
        assert made and finished.args[1].state is MessageState.COMPLETE
        chat.qtbot.waitUntil(lambda: chat.threads.active_count() == 0, timeout=WAIT_MS)
        chat.qtbot.waitUntil(lambda: all(ref() is None for ref in made), timeout=WAIT_MS)
    finally:
        gc.enable()
