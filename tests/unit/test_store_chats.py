"""The repository: bots, conversations, messages and details, paging, import, API call counts."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import (
    Bot,
    Conversation,
    ErrorInfo,
    Message,
    MessageState,
    Role,
    Source,
    Usage,
    token_fingerprint,
)
from coze_desktop.store import ConversationSummary, NotFoundError, Store, StoreError
from coze_desktop.store.db import MAX_SOURCES_PER_MESSAGE

BASE = "https://api.coze.cn"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def id_of(saved: Conversation | Message) -> int:
    assert saved.id is not None
    return saved.id


def new_conversation(
    store: Store, title: str = "会话", *, bot_id: str = "bot", created_at: float = 0.0
) -> Conversation:
    return store.create_conversation(Conversation(id=None, bot_id=bot_id, title=title, created_at=created_at))


def ask(store: Store, conv: Conversation, text: str, *, created_at: float = 0.0) -> Message:
    question = Message(
        id=None, conversation_id=conv.id, role=Role.USER, type="question", text=text, created_at=created_at
    )
    return store.add_message(question)


def raw_count(store: Store, table: str) -> int:
    sql = f"SELECT count(*) FROM {table}"  # noqa: S608 - fixed table names
    return int(store._db.conn.execute(sql).fetchone()[0])


def assert_index_consistent(store: Store) -> None:
    """FTS5 compares the index with the documents it was built from; raises if they differ."""
    store._db.conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")


# ------------------------------------------------------------------------------------------- bots


def test_bots_upsert_get_list(store: Store) -> None:
    bot = Bot(
        bot_id="7",
        name="助手",
        description="d",
        icon_url="u",
        prologue="你好",
        suggested_questions=["问1", "问2"],
    )
    store.upsert_bot(bot)
    assert store.get_bot("7") == bot
    assert store.get_bot("7", "https://api.coze.com") is None
    renamed = dataclasses.replace(bot, name="新助手", suggested_questions=[])
    store.upsert_bot(renamed)
    store.upsert_bot(Bot(bot_id="7", base_url="https://api.coze.com", name="Global"))
    assert store.get_bot("7") == renamed
    assert [b.name for b in store.list_bots()] == ["Global", "新助手"]


def test_bot_rename_and_remove_keep_its_conversations(store: Store) -> None:
    store.upsert_bot(Bot(bot_id="7", name="助手", prologue="你好"))
    store.upsert_bot(Bot(bot_id="7", base_url="https://api.coze.com", name="Global"))
    conv = new_conversation(store, bot_id="7")
    ask(store, conv, "还在吗")
    store.rename_bot("7", BASE, "  我的助手 ")
    renamed = store.get_bot("7", BASE)
    assert renamed is not None and renamed.name == "我的助手" and renamed.prologue == "你好"
    with pytest.raises(ValueError, match="empty"):
        store.rename_bot("7", BASE, "   ")
    with pytest.raises(NotFoundError):
        store.rename_bot("8", BASE, "x")

    assert store.remove_bot("7", BASE) is True
    assert store.remove_bot("7", BASE) is False
    assert store.get_bot("7", BASE) is None
    assert [b.name for b in store.list_bots()] == ["Global"]  # the same id elsewhere stays
    kept = store.get_conversation(id_of(conv))
    assert kept is not None and kept.bot_id == "7"
    assert [m.text for m in store.messages(id_of(conv))] == ["还在吗"]
    assert [s.conversation.id for s in store.list_conversations(bot_id="7")] == [conv.id]


# ---------------------------------------------------------------------------------- conversations


def test_create_conversation_returns_saved_copy(store: Store) -> None:
    draft = Conversation(id=None, bot_id="bot", title="标题", coze_conversation_id="c-1")
    saved = store.create_conversation(draft)
    assert draft.id is None and draft.uid == "" and draft.created_at == 0.0  # untouched
    assert saved.id is not None and len(saved.uid) == 32 and int(saved.uid, 16) >= 0
    assert saved.created_at > 0 and saved.updated_at == saved.created_at
    assert store.get_conversation(id_of(saved)) == saved
    assert store.get_conversation_by_uid(saved.uid) == saved
    assert store.get_conversation(999) is None
    with pytest.raises(StoreError, match="already exists"):
        store.create_conversation(dataclasses.replace(draft, uid=saved.uid))


def test_list_orders_pinned_first_then_most_recent(store: Store) -> None:
    old = new_conversation(store, "old", created_at=100.0)
    middle = new_conversation(store, "middle", created_at=200.0)
    new_conversation(store, "new", created_at=300.0)
    assert [s.conversation.title for s in store.list_conversations()] == ["new", "middle", "old"]

    store.set_pinned(id_of(old), True)
    ask(store, middle, "最近的问题", created_at=400.0)  # activity moves it up
    listing = store.list_conversations()
    assert [s.conversation.title for s in listing] == ["old", "middle", "new"]
    assert listing[0].conversation.pinned
    assert listing[1] == ConversationSummary(
        conversation=dataclasses.replace(middle, updated_at=400.0),
        message_count=1,
        last_message_preview="最近的问题",
    )
    assert [s.conversation.title for s in store.list_conversations(limit=2, offset=1)] == ["middle", "new"]
    assert store.count_conversations() == 3


def test_list_filters_by_bot_and_previews_latest_message(store: Store) -> None:
    a = new_conversation(store, "A", bot_id="bot-a")
    new_conversation(store, "B", bot_id="bot-b")
    ask(store, a, "第一个问题")
    ask(store, a, "第二个问题" + "很长" * 100)
    (summary,) = store.list_conversations(bot_id="bot-a")
    assert summary.message_count == 2
    assert summary.last_message_preview.startswith("第二个问题") and len(summary.last_message_preview) == 120
    assert store.count_conversations(bot_id="bot-b") == 1
    assert store.list_conversations(bot_id="bot-a", base_url="https://api.coze.com") == []


def test_find_conversation_by_coze_id(store: Store) -> None:
    store.create_conversation(Conversation(id=None, bot_id="b", coze_conversation_id="73"))
    newest = store.create_conversation(Conversation(id=None, bot_id="b", coze_conversation_id="73"))
    other_server = store.create_conversation(
        Conversation(id=None, bot_id="b", coze_conversation_id="73", base_url="https://api.coze.com")
    )
    assert store.find_conversation_by_coze_id("73", BASE) == newest
    assert store.find_conversation_by_coze_id("73", "https://api.coze.com/") == other_server
    assert store.find_conversation_by_coze_id("74", BASE) is None
    slashed = store.create_conversation(
        Conversation(id=None, bot_id="b", coze_conversation_id="75", base_url="https://coze.example/")
    )
    assert slashed.base_url == "https://coze.example"
    assert store.find_conversation_by_coze_id("75", "https://coze.example/") == slashed
    assert store.get_conversation(id_of(slashed)) == slashed


def test_rename_pin_coze_id_and_missing_conversation(store: Store) -> None:
    conv = new_conversation(store)
    assert conv.id is not None
    store.rename_conversation(id_of(conv), "新标题")
    store.set_pinned(id_of(conv), True)
    store.set_coze_conversation_id(id_of(conv), "7384")
    saved = store.get_conversation(id_of(conv))
    assert saved is not None and (saved.title, saved.pinned, saved.coze_conversation_id) == (
        "新标题",
        True,
        "7384",
    )
    for call in (
        lambda: store.rename_conversation(999, "x"),
        lambda: store.set_pinned(999, True),
        lambda: store.set_coze_conversation_id(999, None),
        lambda: store.delete_conversation(999),
        lambda: store.delete_message(999),
    ):
        with pytest.raises(NotFoundError):
            call()


# --------------------------------------------------------------------------------------- messages


def full_answer(conv: Conversation) -> Message:
    return Message(
        id=None,
        conversation_id=conv.id,
        role=Role.ASSISTANT,
        text="答案",
        reasoning="思考",
        content_type="text",
        state=MessageState.FAILED,
        coze_message_id="m-1",
        coze_chat_id="chat-1",
        error=ErrorInfo(code=4100, message="token 无效", logid="log-1"),
        created_at=123.5,
        sources=[
            Source(slice="片段", score=0.87, document="doc", dataset="kb", title="标题", url="https://x")
        ],
        follow_ups=["接着问", "再问"],
        usage=Usage(input_count=10, output_count=20, token_count=30),
        duration=3.25,
        uid="f" * 32,
    )


def test_message_round_trip_with_all_details(store: Store) -> None:
    conv = new_conversation(store)
    draft = full_answer(conv)
    saved = store.add_message(draft)
    assert draft.id is None  # untouched
    assert saved == dataclasses.replace(draft, id=saved.id)
    assert store.get_message(id_of(saved)) == saved
    assert store.messages(id_of(conv)) == [saved]
    assert store.get_message(999) is None


def test_usage_without_tokens_keeps_duration(store: Store) -> None:
    conv = new_conversation(store)
    saved = store.add_message(Message(id=None, conversation_id=conv.id, role=Role.ASSISTANT, duration=1.5))
    loaded = store.get_message(id_of(saved))
    assert loaded is not None and loaded.usage is None and loaded.duration == 1.5


def test_add_message_checks_its_conversation(store: Store) -> None:
    with pytest.raises(ValueError, match="conversation_id"):
        store.add_message(Message(id=None, conversation_id=None, role=Role.USER))
    with pytest.raises(NotFoundError):
        store.add_message(Message(id=None, conversation_id=42, role=Role.USER))
    conv = new_conversation(store)
    too_many = [Source(slice=str(i)) for i in range(MAX_SOURCES_PER_MESSAGE + 1)]
    with pytest.raises(ValueError, match="sources"):
        store.add_message(Message(id=None, conversation_id=conv.id, role=Role.ASSISTANT, sources=too_many))
    assert raw_count(store, "messages") == 0


def test_paging_newest_first_through_a_long_conversation(store: Store) -> None:
    conv = new_conversation(store)
    other = new_conversation(store)
    ids = []
    for i in range(120):
        ids.append(ask(store, conv, f"问题 {i}").id)
        ask(store, other, "别的会话")
    first = store.message_page(id_of(conv), limit=50)
    assert [m.id for m in first] == ids[::-1][:50]
    second = store.message_page(id_of(conv), before_id=id_of(first[-1]), limit=50)
    assert [m.id for m in second] == ids[::-1][50:100]
    last = store.message_page(id_of(conv), before_id=id_of(second[-1]), limit=50)
    assert [m.id for m in last] == ids[::-1][100:]
    assert store.message_page(id_of(conv), before_id=id_of(last[-1])) == []
    assert [m.id for m in store.messages(id_of(conv))] == ids
    assert store.count_messages(id_of(conv)) == 120


def test_delete_message_and_conversation_cascade(store: Store) -> None:
    conv = new_conversation(store)
    keep = new_conversation(store)
    ask(store, conv, "删除我")
    answer = store.add_message(full_answer(conv))
    kept = store.add_message(dataclasses.replace(full_answer(keep), uid=""))
    assert (raw_count(store, "sources"), raw_count(store, "follow_ups"), raw_count(store, "usage")) == (
        2,
        4,
        2,
    )

    store.delete_message(id_of(answer))
    assert (raw_count(store, "sources"), raw_count(store, "follow_ups"), raw_count(store, "usage")) == (
        1,
        2,
        1,
    )
    assert store.count_messages(id_of(conv)) == 1
    assert_index_consistent(store)

    store.delete_conversation(id_of(conv))
    assert store.get_conversation(id_of(conv)) is None
    assert raw_count(store, "messages") == 1
    assert store.search("删除我") == []
    assert [h.message_id for h in store.search("片段")] == [kept.id]
    assert_index_consistent(store)

    store.delete_conversation(id_of(keep))
    assert (raw_count(store, "sources"), raw_count(store, "follow_ups"), raw_count(store, "usage")) == (
        0,
        0,
        0,
    )
    assert_index_consistent(store)


# ----------------------------------------------------------------------------------------- import


def exported(uid: str = "c" * 32) -> tuple[Conversation, list[Message]]:
    conv = Conversation(
        id=None, bot_id="bot", title="导入的", created_at=50.0, updated_at=90.0, pinned=True, uid=uid
    )
    messages = [
        Message(
            id=None, conversation_id=None, role=Role.USER, text="导入的问题", created_at=60.0, uid="1" * 32
        ),
        Message(
            id=None,
            conversation_id=None,
            role=Role.ASSISTANT,
            text="导入的回答",
            created_at=61.0,
            uid="2" * 32,
            sources=[Source(slice="导入的片段")],
            follow_ups=["再来"],
            usage=Usage(1, 2, 3),
            duration=0.5,
        ),
        Message(
            id=None,
            conversation_id=None,
            role=Role.ASSISTANT,
            text="半截",
            state=MessageState.STREAMING,
            created_at=62.0,
            uid="3" * 32,
        ),
    ]
    return conv, messages


def test_import_conversation_is_idempotent_by_uid(store: Store) -> None:
    conv, messages = exported()
    bot = Bot(bot_id="bot", name="导入的智能体")
    assert store.import_conversation(conv, messages, bot) is True
    assert store.import_conversation(conv, messages, bot) is False
    assert store.count_conversations() == 1 and raw_count(store, "messages") == 3
    assert store.get_bot("bot") == bot

    saved = store.get_conversation_by_uid(conv.uid)
    assert saved is not None
    assert (saved.title, saved.created_at, saved.updated_at, saved.pinned) == ("导入的", 50.0, 90.0, True)
    loaded = store.messages(id_of(saved))
    assert [m.uid for m in loaded] == [m.uid for m in messages]
    assert loaded[1] == dataclasses.replace(
        messages[1], id=loaded[1].id, conversation_id=saved.id, parent_id=loaded[0].id
    )
    assert loaded[2].state is MessageState.INTERRUPTED  # nothing is streaming it any more
    assert messages[2].state is MessageState.STREAMING and messages[0].id is None  # inputs untouched
    assert [h.message_id for h in store.search("导入的片段")] == [loaded[1].id]


def test_import_skips_messages_already_saved(store: Store) -> None:
    conv, messages = exported()
    store.import_conversation(conv, messages[:2])
    copy, _ = exported(uid="d" * 32)
    extra = Message(id=None, conversation_id=None, role=Role.USER, text="新消息", uid="4" * 32)
    assert store.import_conversation(copy, [*messages, extra]) is True
    saved = store.get_conversation_by_uid("d" * 32)
    assert saved is not None
    assert [m.uid for m in store.messages(id_of(saved))] == ["3" * 32, "4" * 32]


def test_import_without_updated_at_takes_the_newest_message_time(store: Store) -> None:
    conv, messages = exported()
    assert store.import_conversation(dataclasses.replace(conv, updated_at=0.0), messages)
    saved = store.get_conversation_by_uid(conv.uid)
    assert saved is not None and saved.updated_at == 62.0


def test_failed_import_saves_nothing(store: Store) -> None:
    conv, messages = exported()
    messages[1].sources = [Source(slice="x")] * (MAX_SOURCES_PER_MESSAGE + 1)
    with pytest.raises(ValueError):
        store.import_conversation(conv, messages)
    assert store.count_conversations() == 0 and raw_count(store, "messages") == 0


# -------------------------------------------------------------------------------------- API calls


def test_api_calls_are_counted_per_account_and_month_without_the_token(store: Store, tmp_path: Path) -> None:
    token = "pat_SECRET_token_value_123456"
    march = 1709900000.0  # 2024-03-08
    assert [store.record_api_call(BASE, token, when=march) for _ in range(3)] == [1, 2, 3]
    store.record_api_call(BASE, "pat_other_token", when=march)
    store.record_api_call("https://api.coze.com", token, when=march)
    store.record_api_call(BASE, token)
    assert store.api_calls(BASE, token, "2024-03") == 3
    assert store.api_calls(BASE, "pat_other_token", "2024-03") == 1
    assert store.api_calls("https://api.coze.com", token, "2024-03") == 1
    assert store.api_calls(BASE, token, "2024-04") == 0
    assert store.api_calls(BASE, token) == 1  # this month
    rows = store._db.conn.execute("SELECT DISTINCT account FROM api_calls").fetchall()
    assert {r[0] for r in rows} == {token_fingerprint(token), token_fingerprint("pat_other_token")}

    data_dir = store.path.parent
    written_while_open = b"".join(p.read_bytes() for p in data_dir.iterdir())
    store.close()
    written = b"".join(p.read_bytes() for p in data_dir.iterdir())
    for blob in (written_while_open, written):
        assert token.encode() not in blob and b"SECRET" not in blob
        assert token_fingerprint(token).encode() in blob or blob is written_while_open


# ------------------------------------------------------------------------------- streaming replies


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def saved_text(store: Store, message_id: int) -> tuple[str, str, MessageState]:
    message = store.get_message(message_id)
    assert message is not None
    return message.text, message.reasoning, message.state


def test_reply_checkpoints_about_once_a_second_and_at_the_end(store: Store) -> None:
    conv = new_conversation(store)
    clock = FakeClock()
    writer = store.start_reply(id_of(conv), coze_chat_id="chat-9", clock=clock)
    assert saved_text(store, writer.message_id) == ("", "", MessageState.STREAMING)

    writer.append("你", "想")
    clock.now = 0.5
    writer.append("好")
    assert saved_text(store, writer.message_id) == ("", "", MessageState.STREAMING)  # not due yet
    clock.now = 1.0
    writer.append("，")
    assert saved_text(store, writer.message_id) == ("你好，", "想", MessageState.STREAMING)
    clock.now = 1.9
    writer.append("世界")
    assert saved_text(store, writer.message_id)[0] == "你好，"
    clock.now = 2.0
    writer.append("", "一下")  # reasoning alone also counts as progress
    assert saved_text(store, writer.message_id) == ("你好，世界", "想一下", MessageState.STREAMING)
    assert [h.message_id for h in store.search("你好，世")] == [writer.message_id]  # index follows

    final = writer.finish(
        sources=[Source(slice="出处")],
        follow_ups=["然后呢"],
        usage=Usage(1, 2, 3),
        duration=2.0,
        coze_message_id="msg-9",
    )
    assert writer.finished
    assert final == store.get_message(writer.message_id)
    assert (final.text, final.reasoning, final.state) == ("你好，世界", "想一下", MessageState.COMPLETE)
    assert (final.coze_chat_id, final.coze_message_id, final.follow_ups) == ("chat-9", "msg-9", ["然后呢"])
    with pytest.raises(RuntimeError):
        writer.append("more")
    with pytest.raises(RuntimeError):
        writer.finish()
    assert_index_consistent(store)


def test_reply_final_states(store: Store) -> None:
    conv = new_conversation(store)
    stopped = store.start_reply(id_of(conv))
    stopped.append("说到一半")
    assert stopped.finish(MessageState.STOPPED).state is MessageState.STOPPED
    failed = store.start_reply(id_of(conv))
    error = ErrorInfo(code=4015, message="机器人未发布", logid="L")
    with pytest.raises(ValueError):
        failed.finish(MessageState.STREAMING)
    assert failed.finish(MessageState.FAILED, error=error).error == error
    assert saved_text(store, failed.message_id)[2] is MessageState.FAILED
    assert store.messages(id_of(conv))[-1].error == error


def test_reply_as_context_manager(store: Store) -> None:
    conv = new_conversation(store)
    with store.start_reply(id_of(conv)) as writer:
        writer.append("好的")
    assert saved_text(store, writer.message_id) == ("好的", "", MessageState.COMPLETE)
    with pytest.raises(ConnectionError), store.start_reply(id_of(conv)) as broken:
        broken.append("网络")
        raise ConnectionError("connection reset")
    message = store.get_message(broken.message_id)
    assert message is not None and message.state is MessageState.FAILED and message.text == "网络"
    assert message.error == ErrorInfo(code=None, message="connection reset")


def test_streaming_reply_left_behind_becomes_interrupted(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        conv = new_conversation(store)
        writer = store.start_reply(id_of(conv))
        writer.append("写到一半")
        writer.checkpoint()
        done = store.start_reply(id_of(conv))
        done.finish()
    with Store.open(tmp_path) as store:
        assert store.interrupted_count == 1
        assert saved_text(store, writer.message_id) == ("写到一半", "", MessageState.INTERRUPTED)
        assert saved_text(store, done.message_id)[2] is MessageState.COMPLETE
    with Store.open(tmp_path) as store:
        assert store.interrupted_count == 0


def test_reply_survives_deletion_of_its_conversation(store: Store) -> None:
    conv = new_conversation(store)
    writer = store.start_reply(id_of(conv))
    writer.append("没人要了")
    store.delete_conversation(id_of(conv))
    writer.checkpoint()
    final = writer.finish(sources=[Source(slice="s")])
    assert final.text == "没人要了" and store.get_message(writer.message_id) is None
    assert raw_count(store, "sources") == 0


def test_store_can_be_shared_between_threads(store: Store) -> None:
    conv = new_conversation(store)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                ask(store, conv, f"线程 {n} 消息 {i}")
                store.list_conversations()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count_messages(id_of(conv)) == 100
