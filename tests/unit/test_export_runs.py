"""Workflow runs and the steps of answers in the three export formats, and read back (#12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coze_desktop.domain import (
    Conversation,
    ErrorInfo,
    Message,
    Role,
    ToolStep,
    Usage,
    WorkflowRun,
    WorkflowRunPart,
    WorkflowStatus,
)
from coze_desktop.export import ConversationExport, parse_json_export, to_html, to_json, to_markdown
from coze_desktop.store import Store, export_items, export_runs, import_items


def sample_run(uid: str = "run-1") -> WorkflowRun:
    return WorkflowRun(
        id=None,
        uid=uid,
        workflow_id="wf-trip",
        base_url="https://api.coze.cn",
        app_id="app-9",
        parameters={"city": "成都", "days": 2},
        status=WorkflowStatus.COMPLETED,
        execute_id="exe-1",
        output='{"plan": "<b>火锅</b>"}',
        debug_url="https://www.coze.cn/work_flow?execute_id=exe-1",
        usage=Usage(10, 20, 30),
        started_at=1714557600.0,
        updated_at=1714557660.0,
        duration=3.5,
        parts=[
            WorkflowRunPart("node", node_title="问答", node_id="q", content="去几天？", finished=True),
            WorkflowRunPart(
                "interrupt", node_title="问答", content="去几天？", event_id="ev-1", interrupt_type=2
            ),
            WorkflowRunPart("answer", content="两天", event_id="ev-1", interrupt_type=2),
            WorkflowRunPart(
                "node", node_title="结束", node_id="end", content="# 计划\n吃<b>火锅</b>", duration=0.5
            ),
        ],
    )


def sample_conversation() -> ConversationExport:
    conv = Conversation(id=None, bot_id="", uid="c-1", title="对话流", workflow_id="cf-1", app_id="app-9")
    step = ToolStep(
        "function_call", name="search_web", arguments='{"q": "成都"}', result="晴 20°C", duration_ms=42
    )
    pending = ToolStep("tool_call", name="local_weather", arguments="{}", call_id="call-1")
    messages = [
        Message(id=None, conversation_id=None, role=Role.USER, type="question", text="天气", uid="m-1"),
        Message(
            id=None, conversation_id=None, role=Role.ASSISTANT, text="晴", uid="m-2", steps=[step, pending]
        ),
    ]
    return ConversationExport(conv, messages)


def test_json_round_trip_of_runs_steps_and_chatflow_conversations() -> None:
    run = sample_run()
    text = to_json([sample_conversation()], runs=[run], exported_at=1714557600.0)
    doc = json.loads(text)
    record = doc["workflow_runs"][0]
    assert list(record)[:4] == ["uid", "workflow_id", "base_url", "bot_id"]
    assert record["title"] == "wf-trip · 成都" and record["started_at_iso"] == "2024-05-01T10:00:00Z"
    assert [p["kind"] for p in record["parts"]] == ["node", "interrupt", "answer", "node"]
    assert doc["conversations"][0]["workflow_id"] == "cf-1"
    assert doc["conversations"][0]["messages"][1]["steps"][0]["name"] == "search_web"
    result = parse_json_export(text)
    assert not result.skipped and not result.warnings
    (back,) = result.runs
    assert back == run
    (item,) = result.items
    assert item.conversation.bot_id == "" and item.conversation.workflow_id == "cf-1"
    assert item.conversation.app_id == "app-9"
    assert item.messages[1].steps == sample_conversation().messages[1].steps


def test_reader_skips_broken_runs_and_keeps_the_rest() -> None:
    good = json.loads(to_json([], runs=[sample_run()]))
    good["workflow_runs"] += [
        5,
        {"uid": "", "workflow_id": "x"},
        {"uid": "r2"},
        {"uid": "run-1", "workflow_id": "dup"},
        {
            "uid": "r3",
            "workflow_id": "wf",
            "status": "exploded",
            "parts": [{"kind": "weird", "content": "c"}, 3],
        },
    ]
    result = parse_json_export(json.dumps(good))
    assert [r.uid for r in result.runs] == ["run-1", "r3"]
    assert [(s.what, s.ref) for s in result.skipped] == [
        ("workflow run", "#2"),
        ("workflow run", "#3"),
        ("workflow run", "r2"),
        ("workflow run", "run-1"),
    ]
    r3 = result.runs[1]
    assert r3.status is WorkflowStatus.ERROR and [p.kind for p in r3.parts] == ["node"]
    assert any("exploded" in w for w in result.warnings)
    older = json.loads(to_json([]))
    del older["workflow_runs"]  # a file from before runs
    assert parse_json_export(json.dumps(older)).runs == []


def test_markdown_and_html_show_runs_and_steps() -> None:
    run = sample_run()
    run.error = ErrorInfo(720701013, "节点出错", "log-1")
    md = to_markdown([sample_conversation()], lang="en", runs=[run])
    assert "**Steps**" in md and "called search\\_web(" in md and "→ 晴 20°C (42 ms)" in md
    assert "called local\\_weather({}) · waiting for its output" in md
    assert "# wf\\-trip · 成都" in md or "# wf-trip · 成都" in md
    assert "### 问答" in md and "**Answer**: 两天" in md and "**Waiting for an answer**: 去几天？" in md
    assert '```json\n{\n  "city": "成都"' in md and "code 720701013" in md
    assert "<https://www.coze.cn/work_flow?execute_id=exe-1>" in md
    html = to_html([sample_conversation()], lang="zh", runs=[run])
    assert '<details class="steps">' in html and "调用 search_web(" in html
    assert 'class="run"' in html and "&lt;b&gt;火锅&lt;/b&gt;" in html and "<b>火锅" not in html
    assert "两天" in html and "错误码 720701013" in html
    assert to_markdown([], runs=[]).strip() == "没有可导出的会话。"


def test_store_export_and_import_of_runs(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as store:
        first = store.start_run(
            WorkflowRun(id=None, workflow_id="wf1", parameters={"k": "v"}, started_at=10.0)
        )
        store.add_run_part(first.id or 0, WorkflowRunPart("node", node_title="n", content="文字内容"))
        second = store.start_run(WorkflowRun(id=None, workflow_id="wf2", started_at=20.0))
        runs = export_runs(store)
        assert [r.workflow_id for r in runs] == ["wf1", "wf2"]  # oldest first
        assert runs[0].parts[0].content == "文字内容"
        assert [r.id for r in export_runs(store, [second.id or 0, 999])] == [second.id]
        text = to_json(export_items(store), runs=runs)
    with Store.open(tmp_path / "b") as other:
        report = import_items(other, parse_json_export(text))
        assert len(report.runs_imported) == 2 and report.runs_already_present == []
        again = import_items(other, parse_json_export(text))
        assert again.runs_imported == [] and len(again.runs_already_present) == 2
        (wf1,) = [r for r in other.list_runs() if r.workflow_id == "wf1"]
        got = other.get_run(wf1.id or 0)
        assert got is not None and got.uid == first.uid and got.parts[0].content == "文字内容"
        # exported while running: comes in as cut off
        assert got.status is WorkflowStatus.ERROR and got.error is not None
        assert [h.run_id for h in other.search("文字内容")] == [got.id]


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_export_file_writes_runs(tmp_path: Path, fmt: str) -> None:
    from coze_desktop.export import export_file

    path = tmp_path / f"out.{fmt}"
    export_file(path, [], fmt, lang="en", runs=[sample_run()])
    assert "wf-trip" in path.read_text("utf-8")


def test_reply_message_steps_are_questions_in_every_format() -> None:
    """A bot's question (a ``reply_message`` call) is shown like a tool call: waiting while it has
    no answer, then with the answer; JSON keeps its kind."""
    conv = Conversation(id=None, bot_id="demo-plugin", uid="c-q", title="预订")
    waiting = ToolStep("reply_message", name="问答", arguments='{"question": "哪一天出发？"}', call_id="q-1")
    answered = ToolStep("reply_message", name="问答", arguments='{"question": "几点？"}', call_id="q-2", result="上午")
    bare = ToolStep("reply_message", arguments="not json: which seat?", call_id="q-3")
    answer = Message(
        id=None, conversation_id=None, role=Role.ASSISTANT, text="", uid="m-q", steps=[waiting, answered, bare]
    )
    item = ConversationExport(conv, [answer])
    md = to_markdown([item], lang="en")
    assert "asked “哪一天出发？” · waiting for an answer" in md
    assert "asked “几点？” → 上午" in md and "waiting for its output" not in md
    assert "asked “not json: which seat?” · waiting for an answer" in md
    html = to_html([item], lang="zh")
    assert "提问“哪一天出发？” · 等待回答" in html and "提问“几点？” → 上午" in html
    back = parse_json_export(to_json([item])).items[0].messages[0].steps
    assert [(s.kind, s.call_id, s.result) for s in back] == [
        ("reply_message", "q-1", ""),
        ("reply_message", "q-2", "上午"),
        ("reply_message", "q-3", ""),
    ]


def test_import_adds_the_workflow_of_a_run_not_in_the_list(tmp_path: Path) -> None:
    """A run of a workflow the list lacks brings it in, named as exported; a workflow in the list
    is left as it is, and a run already saved adds nothing."""
    from coze_desktop.domain import Workflow

    with Store.open(tmp_path / "a") as store:
        store.save_workflow(Workflow("wf-named", "https://api.coze.cn", label="我的天气"))
        for workflow_id in ("wf-named", "wf-bare"):
            store.start_run(WorkflowRun(id=None, workflow_id=workflow_id, base_url="https://api.coze.cn", bot_id="b1"))
        text = to_json([], runs=export_runs(store))
    assert [r["workflow_label"] for r in json.loads(text)["workflow_runs"]] == ["我的天气", ""]
    with Store.open(tmp_path / "b") as other:
        other.save_workflow(Workflow("wf-bare", "https://api.coze.cn", label="已有"))
        report = import_items(other, parse_json_export(text))
        assert report.workflows_added == ["wf-named"]
        added = other.get_workflow("wf-named", "https://api.coze.cn")
        assert added is not None and added.title == "我的天气" and added.bot_id == "b1"
        kept = other.get_workflow("wf-bare", "https://api.coze.cn")
        assert kept is not None and kept.title == "已有"
        assert {r.title for r in other.list_runs()} == {"我的天气", "已有"}
        other.remove_workflow("wf-named", "https://api.coze.cn")
        again = import_items(other, parse_json_export(text))
        assert again.workflows_added == [] and other.get_workflow("wf-named", "https://api.coze.cn") is None
