"""Versions through the chat controller and the demo server: regenerate in place, edit and
resend, switch versions, and the shown path sent as context to a new Coze conversation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coze_desktop.api import CozeClient
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Message, MessageState

from .conftest import WAIT_MS, Chat


def coze_history(server: DemoServer, coze_conversation_id: str) -> list[tuple[str, str]]:
    """What the demo server holds for a Coze conversation: (role, text), oldest first."""
    with CozeClient(DEMO_TOKEN, server.url) as client:
        page = client.list_messages(coze_conversation_id, order="asc")
    return [(m.role, m.content) for m in page.messages]


def three_turns(chat: Chat) -> tuple[int, list[Message]]:
    cid = None
    for text in ("first question", "second question", "third question"):
        cid, _answer = chat.send_and_wait("demo-general", text, cid)
    assert cid is not None
    return cid, chat.store.messages(cid)


def coze_id(chat: Chat, cid: int) -> str:
    conversation = chat.store.get_conversation(cid)
    assert conversation is not None and conversation.coze_conversation_id
    return conversation.coze_conversation_id


@pytest.mark.parametrize("streaming", [True, False])
def test_regenerate_an_older_answer_in_place_with_the_shown_path_as_context(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, streaming: bool
) -> None:
    chat = make_chat(demo_fast, streaming=streaming)
    cid, (q1, a1, q2, a2, _q3, _a3) = three_turns(chat)
    old_coze = coze_id(chat, cid)
    with chat.qtbot.waitSignal(chat.controller.path_changed, timeout=WAIT_MS) as changed:
        with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as finished:
            chat.controller.retry(a2.id)  # type: ignore[arg-type]
    new = finished.args[1]
    assert changed.args == [cid, new.id]
    assert new.state is MessageState.COMPLETE and new.parent_id == q2.id
    assert (new.version, new.version_count) == (2, 2)
    assert [m.id for m in chat.store.messages(cid)] == [q1.id, a1.id, q2.id, new.id]
    # A new Coze conversation, given what the app shows before the answer as context.
    new_coze = coze_id(chat, cid)
    assert new_coze != old_coze
    assert coze_history(demo_fast, new_coze) == [
        ("user", "first question"),
        ("assistant", a1.text),
        ("user", "second question"),
        ("assistant", new.text),
    ]


def test_next_send_after_a_version_switch_carries_the_shown_path(
    make_chat: Callable[..., Chat], demo_fast: DemoServer
) -> None:
    chat = make_chat(demo_fast)
    cid, (_q1, a1, _q2, a2, _q3, a3) = three_turns(chat)
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as finished:
        chat.controller.retry(a2.id)  # type: ignore[arg-type]
    new = finished.args[1]
    # Back to version 1: the later messages come back with it.
    with chat.qtbot.waitSignal(chat.controller.path_changed, timeout=WAIT_MS):
        assert chat.controller.switch_version(new.id, -1) == a2.id
    assert [m.text for m in chat.store.messages(cid)][-1] == a3.text
    assert chat.controller.switch_version(a2.id, -1) is None  # no version before the first
    assert chat.store.get_conversation(cid).coze_conversation_id is None  # type: ignore[union-attr]
    cid2, fourth = chat.send_and_wait("demo-general", "fourth question", cid)
    assert cid2 == cid and fourth.state is MessageState.COMPLETE
    assert coze_history(demo_fast, coze_id(chat, cid)) == [
        ("user", "first question"),
        ("assistant", a1.text),
        ("user", "second question"),
        ("assistant", a2.text),
        ("user", "third question"),
        ("assistant", a3.text),
        ("user", "fourth question"),
        ("assistant", fourth.text),
    ]


def test_edit_and_resend_keeps_the_earlier_question_as_a_version(
    make_chat: Callable[..., Chat], demo_fast: DemoServer
) -> None:
    chat = make_chat(demo_fast)
    cid, (q1, a1, q2, a2, q3, a3) = three_turns(chat)
    with chat.qtbot.waitSignal(chat.controller.reply_finished, timeout=WAIT_MS) as finished:
        assert chat.controller.edit(q2.id, "  second question, edited ") == cid  # type: ignore[arg-type]
    answer = finished.args[1]
    shown = chat.store.messages(cid)
    assert [m.text for m in shown[:3]] == ["first question", a1.text, "second question, edited"]
    assert shown[3].id == answer.id and len(shown) == 4
    assert (shown[2].version, shown[2].version_count) == (2, 2)
    assert coze_history(demo_fast, coze_id(chat, cid))[:3] == [
        ("user", "first question"),
        ("assistant", a1.text),
        ("user", "second question, edited"),
    ]
    # The earlier question is still there, with the answers that followed it.
    chat.controller.switch_version(shown[2].id, -1)  # type: ignore[arg-type]
    assert [m.id for m in chat.store.messages(cid)] == [q1.id, a1.id, q2.id, a2.id, q3.id, a3.id]
    with pytest.raises(ValueError):
        chat.controller.edit(q2.id, "   ")  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        chat.controller.edit(a2.id, "not a question")  # type: ignore[arg-type]


@pytest.mark.parametrize("streaming", [True, False])
def test_a_forgotten_coze_conversation_is_continued_with_the_shown_path(
    make_chat: Callable[..., Chat], demo_fast: DemoServer, streaming: bool
) -> None:
    chat = make_chat(demo_fast, streaming=streaming)
    cid, first = chat.send_and_wait("demo-general", "first question")
    chat.store.set_coze_conversation_id(cid, "7999999999999999999")  # Coze no longer knows it: 4002
    _cid, second = chat.send_and_wait("demo-general", "second question", cid)
    assert second.state is MessageState.COMPLETE
    assert coze_history(demo_fast, coze_id(chat, cid)) == [
        ("user", "first question"),
        ("assistant", first.text),
        ("user", "second question"),
        ("assistant", second.text),
    ]
