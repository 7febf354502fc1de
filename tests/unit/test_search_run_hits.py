"""Where a search hit in a workflow run is (the part, the output, the parameters), and the
search's filters applied to runs (#12: runs found in the window like chats)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coze_desktop.domain import (
    Conversation,
    Message,
    Role,
    WorkflowInterruptInfo,
    WorkflowRun,
    WorkflowRunResult,
    WorkflowStatus,
)
from coze_desktop.store import Store

BASE = "http://127.0.0.1:9"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path) as opened:
        yield opened


def trip_run(store: Store, *, bot_id: str = "", started_at: float = 100.0) -> int:
    """A run with a node, a question, its answer, a second node and an output of its own."""
    run = store.start_run(
        WorkflowRun(
            id=None, workflow_id="wf-trip", base_url=BASE, bot_id=bot_id, parameters={"city": "成都"},
            started_at=started_at,
        )
    )
    assert run.id is not None
    store.append_run_text(run.id, "天气", "n1", "南京 晴 twenty degrees", True)
    store.finish_run(
        run.id,
        WorkflowRunResult(
            status=WorkflowStatus.INTERRUPTED, interrupt=WorkflowInterruptInfo("ev", 2, "问答", "去几天呢？")
        ),
    )
    store.resume_run(run.id, "玩两天", "ev")
    store.append_run_text(run.id, "计划", "n2", "第一天吃火锅", True)
    store.finish_run(run.id, WorkflowRunResult(status=WorkflowStatus.COMPLETED, output="最终输出 sunny"))
    return run.id


@pytest.mark.parametrize(
    ("query", "where", "title", "content"),
    [
        ("晴", "node", "天气", "南京 晴 twenty degrees"),  # 1-2 characters: scanned
        ("twenty", "node", "天气", "南京 晴 twenty degrees"),  # 3+: the index
        ("去几天", "interrupt", "问答", "去几天呢？"),
        ("两天", "answer", "", "玩两天"),
        ("吃火锅", "node", "计划", "第一天吃火锅"),
    ],
)
def test_a_run_hit_names_the_part_that_matched(
    store: Store, query: str, where: str, title: str, content: str
) -> None:
    run_id = trip_run(store)
    (hit,) = store.search(query)
    assert (hit.run_id, hit.run_match, hit.run_node_title) == (run_id, where, title)
    run = store.get_run(run_id)
    assert run is not None and hit.run_part is not None
    part = run.parts[hit.run_part]  # the position is the part's index in the run read back
    assert (part.kind, part.content) == (where, content)
    assert "«" in hit.snippet and hit.conversation_id == 0 and hit.message_id == 0


def test_a_run_hit_in_the_output_or_the_parameters_has_no_part(store: Store) -> None:
    run_id = trip_run(store)
    for query, where in (("最终输出", "output"), ("sunny", "output"), ("成都", "parameters"), ("city", "parameters")):
        (hit,) = store.search(query)
        assert (hit.run_id, hit.run_match, hit.run_part, hit.run_node_title) == (run_id, where, None, "")


def test_a_message_hit_has_no_run_fields(store: Store) -> None:
    conv = store.create_conversation(Conversation(id=None, bot_id="b", title="聊天"))
    store.add_message(Message(id=None, conversation_id=conv.id, role=Role.USER, type="question", text="火锅好吃"))
    (hit,) = store.search("火锅好吃")
    assert (hit.run_id, hit.run_match, hit.run_part, hit.run_node_title) == (None, "", None, "")


def test_filters_apply_to_runs(store: Store) -> None:
    """A bot filter keeps the runs made with that bot (and that bot's chats); dates bound a run's start."""
    conv = store.create_conversation(Conversation(id=None, bot_id="bot-a", title="聊天"))
    msg = store.add_message(
        Message(id=None, conversation_id=conv.id, role=Role.USER, type="question", text="吃火锅去", created_at=50.0)
    )
    plain = trip_run(store, started_at=100.0)
    with_bot = trip_run(store, bot_id="bot-a", started_at=200.0)
    other_bot = trip_run(store, bot_id="bot-b", started_at=300.0)

    def found(query: str, **kw: object) -> list[object]:
        return [h.run_id or h.message_id for h in store.search(query, **kw)]  # type: ignore[arg-type]

    assert found("吃火锅") == [other_bot, with_bot, plain, msg.id]
    assert found("吃火锅", bot_id="bot-a") == [with_bot, msg.id]
    assert found("火锅", bot_id="bot-b") == [other_bot]  # short words too
    assert found("吃火锅", bot_id="nobody") == []
    assert found("吃火锅", since=150.0, until=250.0) == [with_bot]
    assert found("晴", since=250.0) == [other_bot]
    assert found("吃火锅", runs=False) == [msg.id]
