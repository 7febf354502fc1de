"""The trash (deleted conversations and messages kept 30 days, restorable) and drafts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coze_desktop.domain import Bot, Conversation, Message, MessageState, Role, Source
from coze_desktop.store import TRASH_DAYS, NotFoundError, Store

DAY = 86400.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def conversation(store: Store, title: str = "会话", *, bot_id: str = "bot") -> int:
    saved = store.create_conversation(Conversation(id=None, bot_id=bot_id, title=title))
    assert saved.id is not None
    return saved.id


def say(store: Store, conversation_id: int, text: str, role: Role = Role.USER, **kwargs: Any) -> int:
    saved = store.add_message(
        Message(id=None, conversation_id=conversation_id, role=role, text=text, **kwargs)
    )
    assert saved.id is not None
    return saved.id


def texts(store: Store, conversation_id: int) -> list[str]:
    return [m.text for m in store.messages(conversation_id)]


def listed(store: Store) -> list[int | None]:
    return [s.conversation.id for s in store.list_conversations()]


def assert_index_consistent(store: Store) -> None:
    store._db.conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")


# ------------------------------------------------------------------------------- conversations


def test_trashed_conversation_leaves_the_list_keeps_its_messages_and_comes_back(store: Store) -> None:
    store.upsert_bot(Bot(bot_id="bot", name="知识库助手"))
    keep = conversation(store, "留下")
    doomed = conversation(store, "要删的")
    say(store, doomed, "第一问")
    say(store, doomed, "**最后**一句", Role.ASSISTANT)

    store.trash_conversation(doomed, when=1000.0)

    assert listed(store) == [keep]
    assert store.count_conversations() == 1
    assert texts(store, doomed) == ["第一问", "**最后**一句"]  # the messages stay with it
    [trashed] = store.trashed_conversations()
    assert trashed.conversation.id == doomed and trashed.conversation.title == "要删的"
    assert (trashed.deleted_at, trashed.bot_name, trashed.message_count) == (1000.0, "知识库助手", 2)
    assert trashed.last_message_preview == "**最后**一句"
    store.trash_conversation(doomed, when=2000.0)  # again: nothing changes
    assert store.trashed_conversations()[0].deleted_at == 1000.0

    store.restore_conversation(doomed)
    assert sorted(i for i in listed(store) if i is not None) == [keep, doomed]
    assert store.trashed_conversations() == []
    assert texts(store, doomed) == ["第一问", "**最后**一句"]


def test_trash_and_restore_of_missing_items_say_not_found(store: Store) -> None:
    for call in (
        lambda: store.trash_conversation(999),
        lambda: store.restore_conversation(999),
        lambda: store.trash_message(999),
        lambda: store.restore_message(999),
        lambda: store.delete_conversation_forever(999),
        lambda: store.delete_message_forever(999),
        lambda: store.set_draft(999, "x"),
    ):
        with pytest.raises(NotFoundError):
            call()


# ------------------------------------------------------------------------------------ messages


def test_trashed_message_is_passed_over_and_restored_in_its_place(store: Store) -> None:
    cid = conversation(store, "对话")
    q1 = say(store, cid, "问一")
    a1 = say(store, cid, "答一", Role.ASSISTANT)
    q2 = say(store, cid, "问二")

    store.trash_message(a1, when=500.0)

    assert texts(store, cid) == ["问一", "问二"]  # the message after it is still shown
    assert store.count_messages(cid) == 2
    assert [m.id for m in store.message_page(cid)] == [q2, q1]
    [trashed] = store.trashed_messages()
    assert trashed.message.id == a1 and trashed.message.text == "答一"
    assert (trashed.deleted_at, trashed.conversation_title) == (500.0, "对话")
    assert store.list_conversations()[0].last_message_preview == "问二"

    store.restore_message(a1)
    assert texts(store, cid) == ["问一", "答一", "问二"]
    assert store.trashed_messages() == []


def test_message_added_after_a_trashed_last_message_follows_it(store: Store) -> None:
    cid = conversation(store)
    say(store, cid, "问一")
    a1 = say(store, cid, "答一", Role.ASSISTANT)
    store.trash_message(a1)
    q2 = say(store, cid, "问二")
    assert store.get_message(q2).parent_id == a1  # type: ignore[union-attr]
    store.restore_message(a1)
    assert texts(store, cid) == ["问一", "答一", "问二"]


def test_first_message_in_the_trash_still_starts_the_conversation(store: Store) -> None:
    cid = conversation(store)
    q1 = say(store, cid, "问一")
    store.trash_message(q1)
    a1 = say(store, cid, "答一", Role.ASSISTANT)
    assert store.get_message(a1).parent_id == q1  # type: ignore[union-attr]
    store.restore_message(q1)
    assert texts(store, cid) == ["问一", "答一"]


def test_restored_message_off_the_shown_branch_stays_hidden(store: Store) -> None:
    cid = conversation(store)
    q1 = say(store, cid, "问一")
    old = say(store, cid, "旧答案", Role.ASSISTANT)
    follow = say(store, cid, "旧答案之后", parent_id=old)
    store.trash_message(follow)
    # Another version of the answer is chosen: the old one and what follows it leave the path.
    store._db.conn.execute("UPDATE messages SET selected = 0, shown = 0 WHERE id = ?", (old,))
    say(store, cid, "新答案", Role.ASSISTANT, parent_id=q1)
    store.restore_message(follow)
    assert texts(store, cid) == ["问一", "新答案"]
    assert store.trashed_messages() == []


def test_messages_of_a_trashed_conversation_are_listed_with_the_conversation(store: Store) -> None:
    cid = conversation(store)
    say(store, cid, "问一")
    a1 = say(store, cid, "答一", Role.ASSISTANT)
    store.trash_message(a1)
    store.trash_conversation(cid)
    assert store.trashed_messages() == []
    assert store.trashed_conversations()[0].message_count == 1
    store.restore_conversation(cid)
    assert [t.message.id for t in store.trashed_messages()] == [a1]


def test_reply_streaming_into_a_trashed_conversation_is_saved_and_restorable(store: Store) -> None:
    cid = conversation(store)
    say(store, cid, "问")
    writer = store.start_reply(cid)
    writer.append("写了一半")
    store.trash_conversation(cid)
    writer.append("，写完了")
    final = writer.finish(sources=[Source(slice="片段")])
    assert final.state is MessageState.COMPLETE
    store.restore_conversation(cid)
    saved = store.messages(cid)[-1]
    assert saved.text == "写了一半，写完了" and saved.sources == [Source(slice="片段")]


# --------------------------------------------------------------------------- deleting for good


def test_empty_trash_deletes_for_good_and_keeps_the_rest_connected(store: Store) -> None:
    keep = conversation(store, "留下")
    q1 = say(store, keep, "问一")
    a1 = say(store, keep, "答一", Role.ASSISTANT, sources=[Source(slice="答一的片段")])
    q2 = say(store, keep, "问二")
    doomed = conversation(store, "要删的")
    say(store, doomed, "整个删掉")
    store.trash_message(a1)
    store.trash_conversation(doomed)

    assert store.empty_trash() == 2
    assert store.trashed_conversations() == [] and store.trashed_messages() == []
    assert store.get_conversation(doomed) is None and store.get_message(a1) is None
    assert texts(store, keep) == ["问一", "问二"]
    assert store.get_message(q2).parent_id == q1  # type: ignore[union-attr]
    assert store._db.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    assert_index_consistent(store)
    assert store.empty_trash() == 0


def test_delete_forever_one_item_from_the_trash(store: Store) -> None:
    cid = conversation(store)
    q1 = say(store, cid, "问一")
    a1 = say(store, cid, "答一", Role.ASSISTANT)
    q2 = say(store, cid, "问二")
    store.trash_message(a1)
    store.delete_message_forever(a1)
    assert store.get_message(q2).parent_id == q1  # type: ignore[union-attr]
    other = conversation(store)
    store.trash_conversation(other)
    store.delete_conversation_forever(other)
    assert store.trashed_conversations() == [] and store.trashed_messages() == []
    assert texts(store, cid) == ["问一", "问二"]


def test_trash_older_than_30_days_is_purged_when_the_store_opens(tmp_path: Path) -> None:
    now = time.time()
    with Store.open(tmp_path) as store:
        assert store.purged_count == 0
        old_conv = conversation(store, "很久以前")
        recent_conv = conversation(store, "最近")
        kept = conversation(store, "没删")
        old_msg = say(store, kept, "旧消息")
        recent_msg = say(store, kept, "新消息")
        store.trash_conversation(old_conv, when=now - (TRASH_DAYS + 1) * DAY)
        store.trash_message(old_msg, when=now - (TRASH_DAYS + 1) * DAY)
        store.trash_conversation(recent_conv, when=now - (TRASH_DAYS - 1) * DAY)
        store.trash_message(recent_msg, when=now - (TRASH_DAYS - 1) * DAY)
    with Store.open(tmp_path) as store:
        assert store.purged_count == 2
        assert store.get_conversation(old_conv) is None and store.get_message(old_msg) is None
        assert [t.conversation.id for t in store.trashed_conversations()] == [recent_conv]
        assert [t.message.id for t in store.trashed_messages()] == [recent_msg]
        # Two more days: the rest goes too.
        assert store.purge_trash(now=now + 2 * DAY) == 2
        assert store.trashed_conversations() == [] and store.trashed_messages() == []
        assert store.get_conversation(kept) is not None


# ------------------------------------------------------------------------------------- search


def test_search_finds_nothing_in_the_trash(store: Store) -> None:
    store.upsert_bot(Bot(bot_id="kb"))
    cid = conversation(store, bot_id="kb")
    say(store, cid, "退货政策怎么样")
    answer = say(store, cid, "七天无理由", Role.ASSISTANT, sources=[Source(slice="退换货片段原文")])
    other = conversation(store, bot_id="kb")
    say(store, other, "另一段退货对话")

    def found(query: str, **kwargs: Any) -> set[int]:
        return {hit.message_id for hit in store.search(query, **kwargs)}

    assert found("片段原文") == {answer}
    assert len(found("退货")) == 2  # 2-character words take the scanning path
    store.trash_message(answer)
    assert found("片段原文") == set() and found("七天") == set()
    store.trash_conversation(other)
    assert found("另一段") == set() and found("退货") == found("退货政策")
    assert found("退货", bot_id="kb") == found("退货政策")
    assert len(found("退货")) == 1
    store.restore_message(answer)
    store.restore_conversation(other)
    assert found("片段原文") == {answer} and len(found("退货")) == 2


# ------------------------------------------------------------------------------------- drafts


def test_drafts_are_kept_per_conversation_without_reordering_the_list(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        first = store.create_conversation(Conversation(id=None, bot_id="b", title="一", updated_at=10.0))
        second = store.create_conversation(Conversation(id=None, bot_id="b", title="二", updated_at=20.0))
        assert first.id is not None and second.id is not None
        assert store.draft(first.id) == ""
        store.set_draft(first.id, "写了一半的问题")
        store.set_draft(second.id, "another draft")
        assert [s.conversation.id for s in store.list_conversations()] == [second.id, first.id]
        store.trash_conversation(first.id)
    with Store.open(tmp_path) as store:
        assert store.draft(first.id) == "写了一半的问题"  # kept in the trash too
        assert store.draft(second.id) == "another draft"
        store.set_draft(second.id, "")
        assert store.draft(second.id) == ""
        assert store.draft(999) == ""
