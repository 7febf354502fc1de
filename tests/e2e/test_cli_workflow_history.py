"""Workflow runs in the CLI's history (#12): `workflow run`/`resume` save runs as they stream,
`history` lists them with the chats, `show run:ID`, `search` and `export`/`import` find and carry
them; chat-flow conversations keep their workflow; answers keep their steps. A real child process
against the demo server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import WorkflowRunResult, WorkflowStatus
from coze_desktop.store import Store

CLI = [sys.executable, "-m", "coze_desktop.cli"]


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(env, COZE_API_TOKEN=DEMO_TOKEN)
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False
    )


def one_json(proc: subprocess.CompletedProcess[str]) -> Any:
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stdout + proc.stderr
    return json.loads(lines[0])


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    p = cli(env, "history", "--json")
    assert p.returncode == 0, p.stderr
    rows: list[dict[str, Any]] = one_json(p)
    return rows


def data_dir(env: dict[str, str]) -> Path:
    return Path(env["COZE_DESKTOP_DATA_DIR"])


def run_trip(env: dict[str, str], url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(env, "workflow", "run", "--json", "--workflow-id", "demo-trip", "--base-url", url, *extra)


def resume(
    env: dict[str, str], url: str, event_id: str, data: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return cli(
        env,
        "workflow",
        "resume",
        "--json",
        "--workflow-id",
        "demo-trip",
        "--event-id",
        event_id,
        "--interrupt-type",
        "2",
        "--data",
        data,
        "--base-url",
        url,
        *extra,
    )


def test_a_streamed_run_is_saved_listed_and_shown(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    args = ["workflow", "run", "--workflow-id", "demo-weather", "--param", "city=杭州", "--param", "days:=2"]
    p = cli(subprocess_env, *args, "--base-url", demo_fast.url)
    assert p.returncode == 0, p.stderr
    assert "run:1" in p.stderr  # where it was saved
    (row,) = history(subprocess_env)
    assert row["id"] == "run:1" and row["kind"] == "run" and row["status"] == "completed"
    assert row["title"] == "demo-weather · 杭州"
    with Store.open(data_dir(subprocess_env)) as store:
        run = store.get_run(1)
    assert (
        run is not None
        and run.status is WorkflowStatus.COMPLETED
        and run.parameters == {"city": "杭州", "days": 2}
    )
    assert [p.node_title for p in run.parts] == ["查询天气", "穿衣建议", "结束"]
    assert all(p.kind == "node" and p.finished for p in run.parts)
    assert run.output_json is not None and run.output_json["city"] == "杭州"
    assert run.execute_id and run.debug_url and run.usage is not None and run.duration is not None
    p = cli(subprocess_env, "show", "run:1")
    assert p.returncode == 0, p.stderr
    for text in ("demo-weather", "杭州", "▶ 查询天气", "▶ 结束", "Output:", run.debug_url, "tokens:"):
        assert text in p.stdout, text
    shown = one_json(cli(subprocess_env, "show", "run:1", "--json"))
    assert shown["id"] == "run:1" and shown["status"] == "completed" and len(shown["parts"]) == 3
    assert shown["parameters"] == {"city": "杭州", "days": 2}
    p = cli(subprocess_env, "show", "run:99")
    assert p.returncode == 2 and "run:99" in p.stderr


def test_no_save_leaves_no_run(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = run_trip(subprocess_env, demo_fast.url, "--no-save")
    assert p.returncode == 3, p.stderr
    obj = one_json(p)
    assert obj["local_run_id"] is None
    assert history(subprocess_env) == []


def test_a_resume_continues_the_same_run(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    url = demo_fast.url
    first = one_json(run_trip(subprocess_env, url))
    run_id = first["local_run_id"]
    assert isinstance(run_id, int) and first["status"] == "interrupted"
    second = one_json(resume(subprocess_env, url, first["interrupt"]["event_id"], "成都"))
    assert second["status"] == "interrupted" and second["local_run_id"] == run_id
    third = one_json(resume(subprocess_env, url, second["interrupt"]["event_id"], "4天"))
    assert third["status"] == "completed" and third["local_run_id"] == run_id
    (row,) = history(subprocess_env)  # one run, not three
    assert row["run_id"] == run_id and row["status"] == "completed"
    with Store.open(data_dir(subprocess_env)) as store:
        run = store.get_run(run_id)
    assert run is not None and run.resume_count == 2
    kinds = [p.kind for p in run.parts]
    assert kinds.count("interrupt") == 2 and kinds.count("answer") == 2
    answers = [p.content for p in run.parts if p.kind == "answer"]
    assert answers == ["成都", "4天"]
    questions = [p.content for p in run.parts if p.kind == "interrupt"]
    assert questions[0] == "你想去哪个城市？" and "几天" in questions[1]
    assert run.output_json is not None and run.output_json["city"] == "成都"
    p = cli(subprocess_env, "show", f"run:{run_id}")
    assert "你想去哪个城市？" in p.stdout and "成都" in p.stdout and "4天" in p.stdout
    # The run has finished: another resume is refused by Coze and leaves the saved run alone.
    p = resume(subprocess_env, url, second["interrupt"]["event_id"], "again")
    assert p.returncode == 1 and f"run:{run_id} is not waiting for an answer" in p.stderr
    assert one_json(p)["local_run_id"] is None
    with Store.open(data_dir(subprocess_env)) as store:
        after = store.get_run(run_id)
    assert after is not None and after.status is WorkflowStatus.COMPLETED and after.resume_count == 2


def test_a_resume_past_the_limit_is_refused_and_leaves_the_saved_run_alone(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    first = one_json(run_trip(subprocess_env, demo_fast.url))
    run_id, event_id = first["local_run_id"], first["interrupt"]["event_id"]
    with Store.open(data_dir(subprocess_env)) as store:  # as if it had been answered 3 times already
        for answer in ("a", "b", "c"):
            store.resume_run(run_id, answer, f"earlier-{answer}")
        store.finish_run(run_id, WorkflowRunResult(status=WorkflowStatus.INTERRUPTED))
        before = store.get_run(run_id)
    assert before is not None and before.resume_count == 3 and before.status is WorkflowStatus.INTERRUPTED
    p = resume(subprocess_env, demo_fast.url, event_id, "never sent")
    assert p.returncode == 1 and "3" in p.stderr, p.stderr
    assert one_json(p)["local_run_id"] is None
    with Store.open(data_dir(subprocess_env)) as store:
        after = store.get_run(run_id)
    assert after is not None and after.status is WorkflowStatus.INTERRUPTED and after.resume_count == 3
    assert "never sent" not in [part.content for part in after.parts]
    assert [part.content for part in after.parts] == [part.content for part in before.parts]


def test_a_request_refused_before_sending_saves_no_run(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    p = resume(subprocess_env, demo_fast.url, "", "成都")  # no event id: refused before a request
    assert p.returncode == 2 and "event_id" in p.stderr
    assert history(subprocess_env) == []


def test_resume_of_an_unknown_run_saves_a_new_one(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    first = one_json(run_trip(subprocess_env, demo_fast.url, "--no-save"))  # not saved: unknown here
    p = resume(subprocess_env, demo_fast.url, first["interrupt"]["event_id"], "成都")
    assert p.returncode == 3, p.stderr
    assert "No saved run holds this interrupt" in p.stderr
    (row,) = history(subprocess_env)
    with Store.open(data_dir(subprocess_env)) as store:
        run = store.get_run(row["run_id"])
    assert run is not None and [p.kind for p in run.parts][:1] == ["answer"]
    assert run.status is WorkflowStatus.INTERRUPTED


def test_resume_finds_the_run_by_execute_id(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    first = one_json(run_trip(subprocess_env, demo_fast.url))
    with Store.open(data_dir(subprocess_env)) as store:  # as if the interrupt had not been saved
        store._db.conn.execute("UPDATE workflow_run_parts SET event_id = '' WHERE kind = 'interrupt'")
        store._db.conn.execute("UPDATE workflow_runs SET execute_id = 'exe-saved'")
    p = resume(
        subprocess_env,
        demo_fast.url,
        first["interrupt"]["event_id"],
        "成都",
        "--execute-id",
        "exe-saved",
    )
    assert p.returncode == 3, p.stderr
    assert one_json(p)["local_run_id"] == first["local_run_id"]
    assert len(history(subprocess_env)) == 1


def test_a_failed_run_keeps_its_error(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    args = ["workflow", "run", "--workflow-id", "demo-node-error", "--param", "text=hello"]
    p = cli(subprocess_env, *args, "--base-url", demo_fast.url)
    assert p.returncode == 1
    (row,) = history(subprocess_env)
    assert row["status"] == "error"
    p = cli(subprocess_env, "show", row["id"])
    assert "Summary: hello..." in p.stdout and "720701013" in p.stdout


def test_history_and_search_mix_chats_and_runs(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    url = demo_fast.url
    assert cli(subprocess_env, "chat", "--bot-id", "demo-general", "--base-url", url, "你好").returncode == 0
    p = cli(
        subprocess_env,
        "workflow",
        "run",
        "--workflow-id",
        "demo-weather",
        "--param",
        "city=乌鲁木齐",
        "--base-url",
        url,
    )
    assert p.returncode == 0, p.stderr
    rows = history(subprocess_env)
    assert [r["kind"] for r in rows] == ["run", "chat"]  # newest first
    p = cli(subprocess_env, "history")
    first, second = p.stdout.splitlines()
    assert first.strip().startswith("run:1") and "demo-weather" in first
    assert not second.strip().startswith("run:")
    p = cli(subprocess_env, "search", "乌鲁木齐")
    assert p.returncode == 0 and "[run:1]" in p.stdout and "«乌鲁木齐»" in p.stdout
    hits = one_json(cli(subprocess_env, "search", "乌鲁木齐", "--json"))
    assert hits[0]["run"] == "run:1" and hits[0]["run_id"] == 1
    p = cli(subprocess_env, "search", "乌鲁木齐", "--bot", "demo-general")  # a bot filter: chats only
    assert "run:" not in p.stdout


def test_export_and_import_carry_runs(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    url = demo_fast.url
    assert (
        cli(
            subprocess_env,
            "workflow",
            "run",
            "--workflow-id",
            "demo-weather",
            "--param",
            "city=拉萨",
            "--base-url",
            url,
        ).returncode
        == 0
    )
    first = one_json(run_trip(subprocess_env, url))
    one_json(resume(subprocess_env, url, first["interrupt"]["event_id"], "成都"))
    out = tmp_path / "all.json"
    p = cli(subprocess_env, "export", "--all", "--format", "json", "-o", str(out))
    assert p.returncode == 0, p.stderr and "2 workflow run(s)" in p.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert [r["workflow_id"] for r in doc["workflow_runs"]] == ["demo-weather", "demo-trip"]
    trip = doc["workflow_runs"][1]
    assert trip["status"] == "interrupted" and [p["kind"] for p in trip["parts"]].count("answer") == 1
    md = tmp_path / "one.md"
    assert cli(subprocess_env, "export", "run:1", "-o", str(md)).returncode == 0
    text = md.read_text("utf-8")
    assert "拉萨" in text and "### 查询天气" in text and "demo-trip" not in text
    html = tmp_path / "all.html"
    assert cli(subprocess_env, "export", "--all", "--format", "html", "-o", str(html)).returncode == 0
    assert 'class="run"' in html.read_text("utf-8") and "你想去哪个城市？" in html.read_text("utf-8")
    none = tmp_path / "none.json"
    assert (
        cli(subprocess_env, "export", "--all", "--no-runs", "--format", "json", "-o", str(none)).returncode
        == 0
    )
    assert json.loads(none.read_text("utf-8"))["workflow_runs"] == []

    other = dict(subprocess_env, COZE_DESKTOP_DATA_DIR=str(tmp_path / "other"))
    p = cli(other, "import", str(out))
    assert p.returncode == 0 and "Imported 2 workflow run(s)" in p.stdout, p.stdout + p.stderr
    p = cli(other, "import", str(out))
    assert "2 were already there" in p.stdout
    rows = history(other)
    assert sorted(r["workflow_id"] for r in rows) == ["demo-trip", "demo-weather"]
    p = cli(other, "search", "拉萨")
    assert "run:" in p.stdout


def test_chatflow_conversation_keeps_its_workflow_and_answers_keep_steps(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    url = demo_fast.url
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--workflow-id",
        "demo-chatflow",
        "--app-id",
        "demo-app",
        "--base-url",
        url,
        "你好",
    )
    assert p.returncode == 3, p.stderr  # no city named: the chat-flow's question node asks back
    asked = one_json(p)
    conv_id = asked["local_conversation_id"]
    # --json names the question's call as it is saved elsewhere: a reply_message step.
    assert [step["kind"] for step in asked["steps"]] == ["reply_message"], asked["steps"]
    with Store.open(data_dir(subprocess_env)) as store:
        conv = store.get_conversation(conv_id)
        _question, answer = store.messages(conv_id)
    assert conv is not None and (conv.workflow_id, conv.app_id) == ("demo-chatflow", "demo-app")
    # A chat-flow's question is its answer text; no step waits for an answer (as in the window).
    assert answer.text == "你想查询哪个城市的天气？" and answer.steps == []
    p = cli(subprocess_env, "show", str(conv_id))
    assert "你想查询哪个城市的天气？" in p.stdout and "waiting for an answer" not in p.stdout

    p = cli(subprocess_env, "chat", "--json", "--bot-id", "demo-plugin", "--base-url", url, "南京天气怎么样")
    assert p.returncode == 3, p.stderr
    waiting = one_json(p)
    (step,) = waiting["steps"]
    assert step["kind"] == "tool_call" and step["name"] == "local_weather" and step["result"] == ""
    call_id = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    assert step["call_id"] == call_id
    p = cli(
        subprocess_env,
        "tool-output",
        "--conversation-id",
        waiting["conversation_id"],
        "--chat-id",
        waiting["chat_id"],
        "--output",
        f"{call_id}=多云 18°C",
        "--base-url",
        url,
    )
    assert p.returncode == 0, p.stderr
    with Store.open(data_dir(subprocess_env)) as store:
        messages = store.messages(waiting["local_conversation_id"])
    waiting_answer, final = messages[1], messages[2]
    # The waiting answer was answered: its call carries the output, as in the window.
    assert [s.kind for s in waiting_answer.steps] == ["tool_call"]
    assert (waiting_answer.steps[0].call_id, waiting_answer.steps[0].result) == (call_id, "多云 18°C")
    (answered,) = final.steps
    assert (answered.name, answered.result, answered.call_id) == ("local_weather", "多云 18°C", call_id)
    p = cli(subprocess_env, "show", str(waiting["local_conversation_id"]))
    assert "called local\\_weather(" in p.stdout and "→ 多云 18°C" in p.stdout  # Markdown-escaped
    assert "waiting for its output" not in p.stdout
