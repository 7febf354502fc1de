"""Schema v6 (#12): saved workflows, workflow runs saved as they stream, steps of answers and
chat-flow conversations; the migration of a v5 file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.api.events import ApiChat, ApiMessage, ChatRequiresAction, MessageCompleted
from coze_desktop.api.result import ChatAccumulator
from coze_desktop.domain import (
    Conversation,
    ErrorInfo,
    Message,
    MessageState,
    Role,
    ToolStep,
    Usage,
    Workflow,
    WorkflowInterruptInfo,
    WorkflowNodeOutput,
    WorkflowParam,
    WorkflowRun,
    WorkflowRunPart,
    WorkflowRunResult,
    WorkflowStatus,
    params_to_json,
    steps_from_text,
)
from coze_desktop.store import SCHEMA_VERSION, Store, StoreError
from coze_desktop.store import db as store_db
from coze_desktop.store.paths import DB_FILENAME
from coze_desktop.store.runs import CRASH_MESSAGE

BASE = "http://127.0.0.1:9"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path) as s:
        yield s


def new_run(store: Store, **kw: object) -> WorkflowRun:
    run = WorkflowRun(id=None, workflow_id="wf1", base_url=BASE + "/", parameters={"city": "北京"}, **kw)  # type: ignore[arg-type]
    return store.start_run(run)


# ----------------------------------------------------------------------------- domain helpers


def test_params_to_json_reads_types_and_names_bad_rows() -> None:
    rows = [
        WorkflowParam("city", "text", "北京"),
        WorkflowParam("days", "number", " 3 "),
        WorkflowParam("ratio", "number", "0.5"),
        WorkflowParam("hot", "boolean", "True"),
        WorkflowParam("cfg", "json", '{"a": [1]}'),
        WorkflowParam("", "text", "ignored"),
    ]
    assert params_to_json(rows) == {"city": "北京", "days": 3, "ratio": 0.5, "hot": True, "cfg": {"a": [1]}}
    with pytest.raises(ValueError, match="'days'"):
        params_to_json([WorkflowParam("days", "number", "three")])
    with pytest.raises(ValueError, match="'hot'"):
        params_to_json([WorkflowParam("hot", "boolean", "maybe")])
    with pytest.raises(ValueError, match=r"'cfg'.*JSON"):
        params_to_json([WorkflowParam("cfg", "json", "{oops")])
    with pytest.raises(ValueError, match="twice"):
        params_to_json([WorkflowParam("a", "text", "1"), WorkflowParam("a", "text", "2")])


def test_run_title_and_output_json() -> None:
    run = WorkflowRun(id=None, workflow_id="wf1", parameters={"city": "上海  浦东"}, output='{"t": 1}')
    assert run.title == "wf1 · 上海 浦东"
    assert run.output_json == {"t": 1}
    run.label, run.output = "天气", "plain"
    assert run.title.startswith("天气 · ") and run.output_json is None
    assert WorkflowRun(id=None, workflow_id="wf2").title == "wf2"


def test_steps_round_trip_and_damaged_text() -> None:
    steps = [ToolStep("function_call", name="天气", arguments='{"c": 1}', result="晴", duration_ms=12)]
    from coze_desktop.domain import steps_to_text

    assert steps_from_text(steps_to_text(steps)) == steps
    assert steps_to_text([]) == "" and steps_from_text("") == []
    assert steps_from_text("{broken") == []
    assert steps_from_text('[{"kind": "tool_call", "name": "x"}, 5, {"no": "kind"}]') == [
        ToolStep("tool_call", name="x")
    ]


# ------------------------------------------------------------------------- ChatResult.steps


def _completed(kind: str, content: str) -> MessageCompleted:
    return MessageCompleted("conversation.message.completed", ApiMessage(id=kind, type=kind, content=content))


def test_accumulator_folds_calls_and_responses_into_steps() -> None:
    acc = ChatAccumulator()
    acc.feed(_completed("function_call", '{"name": "search", "arguments": {"q": "猫"}, "plugin_name": "p"}'))
    acc.feed(_completed("tool_response", "三只猫"))
    acc.feed(_completed("tool_output", "stray output"))  # no call waiting: a step of its own
    result = acc.result()
    first, second = result.steps
    assert (first.kind, first.name, first.result) == ("function_call", "search", "三只猫")
    assert first.arguments == '{"q": "猫"}' and first.duration_ms is not None
    assert (second.kind, second.result) == ("tool_output", "stray output")
    assert result.to_json()["steps"][0]["name"] == "search"


def test_requires_action_turns_the_waiting_call_into_a_tool_call() -> None:
    acc = ChatAccumulator()
    acc.feed(
        _completed("function_call", '{"name": "local_weather", "arguments": "{\\"city\\": \\"北京\\"}"}')
    )
    required = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {
                    "id": "call-1",
                    "type": "function",
                    "function": {"name": "local_weather", "arguments": "{}"},
                },
                {"id": "call-2", "type": "function", "function": {"name": "other", "arguments": "{}"}},
            ]
        },
    }
    acc.feed(
        ChatRequiresAction("conversation.chat.requires_action", ApiChat(id="c", required_action=required))
    )
    steps = acc.result().steps
    assert [(s.kind, s.name, s.call_id) for s in steps] == [
        ("tool_call", "local_weather", "call-1"),
        ("tool_call", "other", "call-2"),
    ]
    assert steps[0].arguments == '{"city": "北京"}' and steps[0].result == ""


# --------------------------------------------------------------------------------- workflows


def test_workflows_are_saved_updated_and_removed(store: Store) -> None:
    wf = store.save_workflow(
        Workflow("wf1", BASE + "/", label="天气", params=[WorkflowParam("city", "text", "北京")])
    )
    assert wf.base_url == BASE and wf.added_at > 0
    store.save_workflow(Workflow("cf1", BASE, kind="chatflow", app_id="app1", added_at=wf.added_at + 1))
    assert [w.workflow_id for w in store.list_workflows()] == ["wf1", "cf1"]
    store.set_workflow_params("wf1", BASE, [WorkflowParam("days", "number", "3")], '{"days": 3}')
    got = store.get_workflow("wf1", BASE)
    assert got is not None and got.params == [WorkflowParam("days", "number", "3")]
    assert got.raw_params == '{"days": 3}' and got.added_at == wf.added_at and got.title == "天气"
    again = store.save_workflow(Workflow("wf1", BASE, label="新名字"))
    assert again.added_at == wf.added_at  # updating keeps its place
    with pytest.raises(ValueError):
        store.save_workflow(Workflow("wf3", BASE, kind="robot"))
    run = new_run(store)
    assert store.get_run(run.id or 0).label == "新名字"  # type: ignore[union-attr]
    assert store.remove_workflow("wf1", BASE) and not store.remove_workflow("wf1", BASE)
    assert store.get_run(run.id or 0) is not None  # runs stay readable
    assert store.get_run(run.id or 0).title == "wf1 · 北京"  # type: ignore[union-attr]


# -------------------------------------------------------------------------------------- runs


def test_a_streamed_run_joins_node_messages_and_finishes(store: Store) -> None:
    run = new_run(store)
    assert run.id is not None and run.status is WorkflowStatus.RUNNING and run.base_url == BASE
    store.append_run_text(run.id, "开始", "n1", "你好", node_type="Start")
    store.append_run_text(run.id, "开始", "n1", "，世界", True)
    store.append_run_text(run.id, "结束", "n2", "done", True)
    store.finish_run(
        run.id,
        WorkflowRunResult(
            status=WorkflowStatus.COMPLETED,
            execute_id="exe-1",
            output='{"answer": 42}',
            nodes=[WorkflowNodeOutput("ignored: streamed nodes are saved")],
            debug_url="https://debug",
            usage=Usage(1, 2, 3),
        ),
        duration=2.5,
    )
    got = store.get_run(run.id)
    assert got is not None and got.status is WorkflowStatus.COMPLETED
    assert [(p.kind, p.node_title, p.content, p.finished) for p in got.parts] == [
        ("node", "开始", "你好，世界", True),
        ("node", "结束", "done", True),
    ]
    assert got.parts[0].node_type == "Start" and got.parts[0].duration is not None
    assert (
        got.output_json == {"answer": 42} and got.execute_id == "exe-1" and got.debug_url == "https://debug"
    )
    assert got.usage == Usage(1, 2, 3) and got.duration == 2.5 and got.error is None
    assert got.parameters == {"city": "北京"}
    assert store.find_run_by_execute_id("exe-1").id == run.id  # type: ignore[union-attr]


def test_node_text_is_checkpointed_once_a_second(store: Store, tmp_path: Path) -> None:
    clock = FakeClock()
    store.run_clock = clock
    run = new_run(store)
    assert run.id is not None
    store.append_run_text(run.id, "LLM", "n1", "第一段")
    other = Store.open(tmp_path)  # what a crash would leave on disk
    try:
        assert [p.content for p in other.get_run(run.id).parts] == [""]  # type: ignore[union-attr]
        clock.now += 1.0
        store.append_run_text(run.id, "LLM", "n1", "第二段")
        assert [p.content for p in other.get_run(run.id).parts] == ["第一段第二段"]  # type: ignore[union-attr]
    finally:
        other.close()
    # This store sees what it holds in memory too:
    store.append_run_text(run.id, "LLM", "n1", "第三段")
    assert store.get_run(run.id).parts[0].content == "第一段第二段第三段"  # type: ignore[union-attr]


def test_a_run_cut_off_by_a_crash_is_marked_error_at_opening(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        run = new_run(store)
        assert run.id is not None
        store.append_run_text(run.id, "LLM", "n1", "half")
        store.checkpoint_run(run.id)
    with Store.open(tmp_path) as store:
        assert store.interrupted_runs_count == 1
        got = store.get_run(run.id)
        assert got is not None and got.status is WorkflowStatus.ERROR
        assert got.error is not None and got.error.message == CRASH_MESSAGE
        assert got.parts[0].content == "half"
    with Store.open(tmp_path) as store:
        assert store.interrupted_runs_count == 0


def test_interrupt_then_resume_continues_the_same_run(store: Store) -> None:
    run = new_run(store)
    assert run.id is not None
    store.append_run_text(run.id, "问答", "q1", "去哪里？")
    store.finish_run(
        run.id,
        WorkflowRunResult(
            status=WorkflowStatus.INTERRUPTED,
            execute_id="exe-9",
            interrupt=WorkflowInterruptInfo("ev-1", 2, "问答", "去哪里？"),
            usage=Usage(1, 1, 2),
        ),
        duration=1.0,
    )
    waiting = store.find_run_by_event_id("ev-1")
    assert waiting is not None and waiting.id == run.id and waiting.status is WorkflowStatus.INTERRUPTED
    assert waiting.pending_interrupt is not None and waiting.pending_interrupt.interrupt_type == 2
    store.resume_run(run.id, "杭州", "ev-1")
    resumed = store.get_run(run.id)
    assert resumed is not None and resumed.status is WorkflowStatus.RUNNING and resumed.resume_count == 1
    store.append_run_text(run.id, "结束", "end", "杭州，好地方", True)
    store.finish_run(
        run.id,
        WorkflowRunResult(status=WorkflowStatus.COMPLETED, output="杭州，好地方", usage=Usage(2, 2, 4)),
        duration=2.0,
    )
    done = store.get_run(run.id)
    assert done is not None
    assert [(p.kind, p.content) for p in done.parts] == [
        ("node", "去哪里？"),
        ("interrupt", "去哪里？"),
        ("answer", "杭州"),
        ("node", "杭州，好地方"),
    ]
    assert done.parts[2].event_id == "ev-1" and done.parts[2].interrupt_type == 2
    assert done.usage == Usage(3, 3, 6) and done.duration == 3.0 and done.execute_id == "exe-9"
    with pytest.raises(LookupError):
        store.resume_run(12345, "x", "ev")


def test_a_failed_run_gets_an_error_part_and_unstreamed_nodes(store: Store) -> None:
    run = new_run(store, stream=False)
    assert run.id is not None
    store.finish_run(
        run.id,
        WorkflowRunResult(
            status=WorkflowStatus.ERROR,
            nodes=[WorkflowNodeOutput("代码", "partial", node_id="c1", finished=True)],
            error=ErrorInfo(720701013, "节点出错", "log-1"),
        ),
    )
    got = store.get_run(run.id)
    assert got is not None and got.status is WorkflowStatus.ERROR and not got.stream
    assert [(p.kind, p.content) for p in got.parts] == [("node", "partial"), ("error", "节点出错")]
    assert got.error == ErrorInfo(720701013, "节点出错", "log-1")


def test_runs_are_listed_newest_first_and_deleted(store: Store) -> None:
    a = new_run(store, started_at=100.0)
    b = store.start_run(WorkflowRun(id=None, workflow_id="wf2", base_url=BASE, started_at=200.0))
    store.add_run_part(a.id or 0, WorkflowRunPart("node", node_title="x", content="y"))
    assert [r.id for r in store.list_runs()] == [b.id, a.id]
    assert [r.id for r in store.list_runs(workflow_id="wf1", base_url=BASE)] == [a.id]
    assert store.list_runs()[0].parts == []  # parts not loaded in lists
    assert store.count_runs() == 2 and store.count_runs(workflow_id="wf2") == 1
    assert store.delete_run(a.id or 0) and not store.delete_run(a.id or 0)
    assert store.get_run(a.id or 0) is None
    count = store._db.conn.execute("SELECT count(*) FROM workflow_run_parts").fetchone()[0]
    assert count == 0
    with pytest.raises(ValueError):
        store.add_run_part(b.id or 0, WorkflowRunPart("bogus"))


def test_finishing_a_deleted_run_saves_nothing(store: Store) -> None:
    run = new_run(store)
    assert run.id is not None
    store.append_run_text(run.id, "n", "n", "text")
    store.delete_run(run.id)
    store.finish_run(run.id, WorkflowRunResult(status=WorkflowStatus.COMPLETED))
    assert store.get_run(run.id) is None


def test_import_run_is_idempotent_and_ends_running_runs(store: Store) -> None:
    run = WorkflowRun(
        id=None,
        uid="u-1",
        workflow_id="wf1",
        base_url=BASE,
        status=WorkflowStatus.RUNNING,
        parts=[WorkflowRunPart("node", content="x")],
    )
    assert store.import_run(run) and not store.import_run(run)
    got = store.get_run_by_uid("u-1")
    assert got is not None and got.status is WorkflowStatus.ERROR and [p.content for p in got.parts] == ["x"]
    with pytest.raises(StoreError):
        store.start_run(WorkflowRun(id=None, uid="u-1", workflow_id="wf1"))


# ----------------------------------------------------------- steps and chat-flow conversations


def test_steps_of_answers_are_saved_read_and_trashed(store: Store) -> None:
    conv = store.create_conversation(
        Conversation(id=None, bot_id="", workflow_id="cf1", app_id="app1", base_url=BASE)
    )
    assert conv.id is not None
    got_conv = store.get_conversation(conv.id)
    assert got_conv is not None and (got_conv.workflow_id, got_conv.app_id) == ("cf1", "app1")
    summary = store.list_conversations()[0].conversation
    assert (summary.workflow_id, summary.app_id) == ("cf1", "app1")
    step = ToolStep("function_call", name="search", arguments="{}", result="ok")
    added = store.add_message(
        Message(id=None, conversation_id=conv.id, role=Role.ASSISTANT, text="a", steps=[step])
    )
    assert added.steps == [step]
    writer = store.start_reply(conv.id)
    writer.append("answer")
    writer.finish(steps=[ToolStep("tool_call", name="local", call_id="c1", result="晴")])
    first, second = store.messages(conv.id)
    assert first.steps == [step] and second.steps[0].call_id == "c1"
    store.trash_message(second.id or 0)
    (trashed,) = store.trashed_messages()
    assert trashed.message.steps[0].result == "晴"
    store.trash_conversation(conv.id)
    (tconv,) = store.trashed_conversations()
    assert tconv.conversation.workflow_id == "cf1"
    plain = store.create_conversation(Conversation(id=None, bot_id="bot"))
    assert plain.workflow_id is None and store.get_conversation(plain.id or 0).app_id is None  # type: ignore[union-attr]


def test_run_text_is_in_the_run_index(store: Store) -> None:
    run = new_run(store)
    assert run.id is not None
    store.append_run_text(run.id, "LLM", "n", "一段关于熊猫的文字", True)
    store.finish_run(run.id, WorkflowRunResult(status=WorkflowStatus.COMPLETED, output="熊猫吃竹子"))
    conn = store._db.conn
    conn.execute("INSERT INTO run_search_index (run_search_index, rank) VALUES ('integrity-check', 1)")

    def found(word: str) -> list[int]:
        sql = "SELECT rowid FROM run_search_index WHERE run_search_index MATCH ? ORDER BY rowid"
        return [r[0] for r in conn.execute(sql, (f'"{word}"',))]

    assert found("熊猫的") == [(run.id << 16) + 1]
    assert found("city") == found("吃竹子") == [run.id << 16]  # parameters and output
    store.delete_run(run.id)
    assert found("熊猫的") == [] and found("吃竹子") == []
    conn.execute("INSERT INTO run_search_index (run_search_index, rank) VALUES ('integrity-check', 1)")


# ---------------------------------------------------------------------------------- migration


def make_v5_database(path: Path) -> None:
    """A database as version 5 (attachments, before workflows) left it, with a chat and a file."""
    conn = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(conn, path, target=5)
    conn.execute(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at, draft) "
        "VALUES (1, 'c1', 'bot', 'https://api.coze.cn', '第五版的会话', 100, 200, '草稿')"
    )
    conn.execute(
        "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at, parent_id) "
        "VALUES (1, 'm1', 1, 'user', 'question', '工作流什么时候支持？', 'complete', 150, NULL), "
        "(2, 'm2', 1, 'assistant', 'answer', '第六版。', 'streaming', 160, 1)"
    )
    conn.execute("INSERT INTO attachments (message_id, position, name, size) VALUES (1, 0, '计划.pdf', 10)")
    conn.close()


def test_migrates_v5_database_keeping_data_and_backing_up(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    make_v5_database(path)
    with Store.open(path) as store:
        conn = store._db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        (backup,) = store.backups
        assert backup.name.startswith(f"{DB_FILENAME}.bak-v5-")
        question, answer = store.messages(1)
        assert question.text == "工作流什么时候支持？" and question.attachments[0].name == "计划.pdf"
        assert question.steps == [] and answer.state is MessageState.INTERRUPTED
        conv = store.get_conversation(1)
        assert conv is not None and conv.workflow_id is None and conv.app_id is None
        assert store.draft(1) == "草稿"
        assert [h.message_id for h in store.search("工作流")] == [1]
        assert [h.attachment_position for h in store.search("计划")] == [1]
        # The new tables work on the migrated file:
        store.save_workflow(Workflow("wf1", BASE))
        run = new_run(store)
        store.append_run_text(run.id or 0, "n", "n", "迁移之后", True)
        store.finish_run(run.id or 0, WorkflowRunResult(status=WorkflowStatus.COMPLETED))
        assert store.get_run(run.id or 0).parts[0].content == "迁移之后"  # type: ignore[union-attr]
        assert store.check_integrity() == []
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 5
    assert copy.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    copy.close()


# ------------------------------------------------------------------------------------ search


def _finished_run(store: Store, params: dict[str, object], node_text: str, output: str, **kw: object) -> int:
    run = store.start_run(WorkflowRun(id=None, workflow_id="wf1", base_url=BASE, parameters=params, **kw))  # type: ignore[arg-type]
    assert run.id is not None
    store.append_run_text(run.id, "LLM", "n1", node_text, True)
    store.finish_run(run.id, WorkflowRunResult(status=WorkflowStatus.COMPLETED, output=output))
    return run.id


def test_search_finds_run_text_first_then_messages(store: Store) -> None:
    conv = store.create_conversation(Conversation(id=None, bot_id="bot", title="聊天"))
    msg = store.add_message(
        Message(id=None, conversation_id=conv.id, role=Role.USER, type="question", text="熊猫住在哪里")
    )
    store.save_workflow(Workflow("wf1", BASE, label="动物百科"))
    old = _finished_run(store, {"animal": "熊猫"}, "熊猫吃竹子", "done", started_at=100.0)
    new = _finished_run(store, {"animal": "老虎"}, "老虎吃肉", '{"熊猫": false}', started_at=200.0)
    other = _finished_run(store, {"animal": "狮子"}, "狮子", "none", started_at=300.0)
    hits = store.search("熊猫")
    assert [h.run_id for h in hits] == [new, old, None]
    assert hits[2].message_id == msg.id
    run_hit = hits[1]
    assert run_hit.conversation_id == 0 and run_hit.message_id == 0
    assert run_hit.conversation_title == "动物百科 · 熊猫" and run_hit.snippet == "«熊猫»吃竹子"
    assert hits[0].snippet.startswith('{"«熊猫»"')  # the output matched
    assert [h.run_id for h in store.search("吃竹子")] == [old]  # 3+ characters: the index
    assert [h.run_id for h in store.search("animal 狮子")] == [other]  # parameters are text too
    # one list, paged: runs first
    assert [h.run_id for h in store.search("熊猫", limit=1, offset=1)] == [old]
    assert [h.message_id for h in store.search("熊猫", limit=5, offset=2)] == [msg.id]
    assert [h.run_id for h in store.search("熊猫", since=150.0)] == [new, None]
    assert [h.run_id for h in store.search("熊猫", bot_id="bot")] == [None]  # a bot: chats only
    assert [h.run_id for h in store.search("熊猫", runs=False)] == [None]
    store.delete_run(old)
    assert [h.run_id for h in store.search("吃竹子")] == []


def test_search_finds_answers_to_interrupts(store: Store) -> None:
    run = new_run(store)
    assert run.id is not None
    store.finish_run(
        run.id,
        WorkflowRunResult(
            status=WorkflowStatus.INTERRUPTED, interrupt=WorkflowInterruptInfo("ev", 2, "问", "去哪个城市？")
        ),
    )
    store.resume_run(run.id, "乌鲁木齐市", "ev")
    assert [h.run_id for h in store.search("乌鲁木齐")] == [run.id]
    assert [h.run_id for h in store.search("城市")] == [run.id]
