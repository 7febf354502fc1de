"""`coze-cli workflow run|resume`, `chat --workflow-id` and `tool-output` end to end: a real child
process against the demo server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from coze_desktop.cli import _parse_outputs, _UsageError, parse_param
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer

CLI = [sys.executable, "-m", "coze_desktop.cli"]
RUN_KEYS = {
    "status",
    "execute_id",
    "output",
    "output_json",
    "nodes",
    "interrupt",
    "debug_url",
    "usage",
    "error",
    "local_run_id",  # the saved run (None with --no-save)
}


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(env, COZE_API_TOKEN=DEMO_TOKEN)
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False
    )


def one_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stdout + proc.stderr
    obj: dict[str, Any] = json.loads(lines[0])
    return obj


def run_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    obj = one_json(proc)
    assert set(obj) == RUN_KEYS
    return obj


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    p = cli(env, "history", "--json")
    assert p.returncode == 0, p.stderr
    rows: list[dict[str, Any]] = json.loads(p.stdout)
    return rows


def test_workflow_run_streams_node_output(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(
        subprocess_env,
        "workflow",
        "run",
        "--workflow-id",
        "demo-weather",
        "--param",
        "city=上海",
        "--param",
        "days:=2",
        "--base-url",
        demo_fast.url,
    )
    assert p.returncode == 0, p.stderr
    assert "第1天" in p.stdout and "第2天" in p.stdout and "第3天" not in p.stdout
    assert "上海未来2天" in p.stdout
    assert "▶ 查询天气" in p.stderr and "▶ 穿衣建议" in p.stderr
    assert "https://www.coze.cn/work_flow?execute_id=" in p.stderr
    (row,) = history(subprocess_env)  # the run is saved (see test_cli_workflow_history.py)
    assert row["kind"] == "run" and row["workflow_id"] == "demo-weather" and row["status"] == "completed"


def test_workflow_run_json_shape(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(
        subprocess_env,
        "workflow",
        "run",
        "--json",
        "--workflow-id",
        "demo-weather",
        "--param",
        "city=Paris",
        "--param",
        "days:=1",
        "--base-url",
        demo_fast.url,
    )
    assert p.returncode == 0, p.stderr
    obj = run_json(p)
    assert obj["status"] == "completed" and obj["error"] is None and obj["interrupt"] is None
    assert isinstance(obj["execute_id"], str) and obj["execute_id"] in obj["debug_url"]
    assert [n["node_title"] for n in obj["nodes"]] == ["查询天气", "穿衣建议", "结束"]
    assert all(set(n) == {"node_title", "content"} for n in obj["nodes"])
    assert obj["output"] == obj["nodes"][-1]["content"]
    assert obj["output_json"] == json.loads(obj["output"]) and obj["output_json"]["city"] == "Paris"
    assert set(obj["usage"]) == {"input_count", "output_count", "token_count"}


def test_workflow_run_no_stream_with_json_parameters(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    p = cli(
        subprocess_env,
        "workflow",
        "run",
        "--json",
        "--no-stream",
        "--workflow-id",
        "demo-echo",
        "--param",
        "s=1",
        "--param",
        "n:=1",
        "--param",
        "b:=true",
        "--param",
        'a:=[1, "x", null]',
        "--param",
        'o:={"k": {"d": 2.5}}',
        "--param",
        "eq=a=b",
        "--base-url",
        demo_fast.url,
    )
    assert p.returncode == 0, p.stderr
    obj = run_json(p)
    assert obj["status"] == "completed" and obj["nodes"] == []
    assert obj["output_json"]["parameters"] == {
        "s": "1",
        "n": 1,
        "b": True,
        "a": [1, "x", None],
        "o": {"k": {"d": 2.5}},
        "eq": "a=b",
    }
    assert obj["output_json"]["types"]["s"] == "string" and obj["output_json"]["types"]["n"] == "number"


def test_workflow_interrupt_exit_3_then_resume(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    base = ["--base-url", demo_fast.url]
    p = cli(subprocess_env, "workflow", "run", "--json", "--workflow-id", "demo-trip", *base)
    assert p.returncode == 3, p.stderr
    obj = run_json(p)
    assert obj["status"] == "interrupted"
    interrupt = obj["interrupt"]
    assert set(interrupt) == {"event_id", "type", "node_title", "question"}
    assert interrupt["type"] == 2 and interrupt["question"] == "你想去哪个城市？"

    def resume(event_id: str, data: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return cli(
            subprocess_env,
            "workflow",
            "resume",
            "--workflow-id",
            "demo-trip",
            "--event-id",
            event_id,
            "--interrupt-type",
            "2",
            "--data",
            data,
            *extra,
            *base,
        )

    p = resume(interrupt["event_id"], "成都")  # default output: the question and how to answer
    assert p.returncode == 3, p.stderr
    assert "打算玩几天？" in p.stderr and "coze-cli workflow resume" in p.stderr
    event_id = p.stderr.split("--event-id '", 1)[1].split("'", 1)[0]
    p = resume(event_id, "4天", "--json")
    assert p.returncode == 0, p.stderr
    done = run_json(p)
    assert done["status"] == "completed" and done["output_json"]["city"] == "成都"
    assert done["output_json"]["days"] == 4
    p = resume(event_id, "again", "--json")  # the run has finished: Coze says 4315
    assert p.returncode == 1
    assert run_json(p)["error"]["code"] == 4315


def test_workflow_node_error_keeps_partial_output(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    args = ["workflow", "run", "--workflow-id", "demo-node-error", "--param", "text=hello", "--base-url"]
    p = cli(subprocess_env, *args, demo_fast.url, "--json")
    assert p.returncode == 1
    obj = run_json(p)
    assert obj["status"] == "error" and obj["output"] == "Summary: hello..."
    assert obj["error"]["code"] == 720701013 and obj["error"]["logid"]
    p = cli(subprocess_env, *args, demo_fast.url)
    assert p.returncode == 1 and "Summary: hello..." in p.stdout and "720701013" in p.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--param", "novalue"],
        ["--param", "a:={bad"],
        ["--bot-id", "b", "--app-id", "a"],
    ],
    ids=["no-equals", "bad-json", "bot-and-app"],
)
def test_workflow_usage_errors_exit_2(
    demo_fast: DemoServer, subprocess_env: dict[str, str], args: list[str]
) -> None:
    p = cli(
        subprocess_env, "workflow", "run", "--workflow-id", "demo-echo", *args, "--base-url", demo_fast.url
    )
    assert p.returncode == 2, p.stderr
    assert p.stdout == ""


def test_unknown_workflow_fails_with_4200(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    p = cli(subprocess_env, "workflow", "run", "--json", "--workflow-id", "nope", "--base-url", demo_fast.url)
    assert p.returncode == 1
    assert run_json(p)["error"]["code"] == 4200


def test_chatflow_chat_asks_back_and_the_next_message_answers(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    base = ["--workflow-id", "demo-chatflow", "--app-id", "demo-app", "--base-url", demo_fast.url]
    p = cli(subprocess_env, "chat", "--json", *base, "查天气")
    assert p.returncode == 3, p.stderr
    first = one_json(p)
    assert first["status"] == "requires_action" and first["answer"] == "你想查询哪个城市的天气？"
    p = cli(subprocess_env, "chat", *base, "--conversation-id", first["conversation_id"], "南京")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("南京未来三天")
    rows = history(subprocess_env)
    assert len(rows) == 1 and rows[0]["bot_id"] == "workflow:demo-chatflow"
    assert rows[0]["message_count"] == 4  # both questions and both answers, in one conversation
    p = cli(subprocess_env, "show", str(rows[0]["id"]))
    assert "你想查询哪个城市的天气？" in p.stdout and "南京未来三天" in p.stdout


def test_chatflow_usage_errors(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    for extra in (["--no-stream"], ["--bot-id", "b"]):
        p = cli(
            subprocess_env,
            "chat",
            "--workflow-id",
            "demo-chatflow",
            "--app-id",
            "demo-app",
            *extra,
            "--base-url",
            demo_fast.url,
            "hi",
        )
        assert p.returncode == 2, p.stderr
    p = cli(subprocess_env, "chat", "--base-url", demo_fast.url, "hi")
    assert p.returncode == 2 and "--bot-id" in p.stderr


def test_tool_output_continues_the_same_chat_and_history(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--bot-id",
        "demo-plugin",
        "--base-url",
        demo_fast.url,
        "南京天气怎么样",
    )
    assert p.returncode == 3, p.stderr
    waiting = one_json(p)
    assert waiting["status"] == "requires_action"
    (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert call["type"] == "function" and call["function"]["name"] == "local_weather"
    p = cli(
        subprocess_env,
        "tool-output",
        "--json",
        "--conversation-id",
        waiting["conversation_id"],
        "--chat-id",
        waiting["chat_id"],
        "--output",
        f"{call['id']}=多云 18°C",  # the id ends in "=" padding: CALL_ID=TEXT still splits right
        "--base-url",
        demo_fast.url,
    )
    assert p.returncode == 0, p.stderr
    done = one_json(p)
    assert done["status"] == "completed" and "多云 18°C" in done["answer"]
    assert (done["conversation_id"], done["chat_id"]) == (waiting["conversation_id"], waiting["chat_id"])
    assert done["local_conversation_id"] == waiting["local_conversation_id"]
    rows = history(subprocess_env)
    assert len(rows) == 1 and rows[0]["message_count"] == 3
    p = cli(subprocess_env, "show", str(rows[0]["id"]))
    assert "local_weather" in p.stdout and "多云 18°C" in p.stdout
    p = cli(subprocess_env, "search", "多云")
    assert "多云" in p.stdout


def test_tool_output_default_output_and_errors(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    base = ["--base-url", demo_fast.url]
    p = cli(subprocess_env, "chat", "--bot-id", "demo-plugin", "--no-save", *base, "帮我预订去上海的票")
    assert p.returncode == 3
    assert "请问你想预订哪一天出发？" in p.stderr and "coze-cli tool-output" in p.stderr
    command = p.stderr.split("coze-cli tool-output ", 1)[1].split()
    conversation_id, chat_id = command[1], command[3]
    call_id = command[5].strip("'").rsplit("=…", 1)[0]
    wrong = ["tool-output", "--conversation-id", conversation_id, "--chat-id", chat_id, "--no-save", *base]
    p = cli(subprocess_env, *wrong, "--output", "not-a-call=x")
    assert p.returncode == 1 and "4000" in p.stderr
    p = cli(subprocess_env, *wrong, "--output", "novalue")
    assert p.returncode == 2
    p = cli(subprocess_env, *wrong, "--output", f"{call_id}=周五")
    assert p.returncode == 0, p.stderr
    assert "周五" in p.stdout


def test_parameter_and_output_syntax() -> None:
    assert parse_param("a=b") == ("a", "b")
    assert parse_param("a:=1") == ("a", 1)
    assert parse_param("a=b:=c") == ("a", "b:=c")
    assert parse_param('a:=[1,{"x":null}]') == ("a", [1, {"x": None}])
    assert parse_param("a=") == ("a", "")
    for bad in ("a", "=b", ":=1", "a:=nope"):
        with pytest.raises(_UsageError):
            parse_param(bad)
    outs = _parse_outputs(["abc==x", "abc===y=z", "id=t=u"], "en")
    assert [(o.tool_call_id, o.output) for o in outs] == [("abc=", "x"), ("abc==", "y=z"), ("id", "t=u")]


def test_chatflow_bound_to_a_bot(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    base = ["--workflow-id", "demo-chatflow", "--bot-id", "7400000000000000099", "--base-url", demo_fast.url]
    p = cli(subprocess_env, "chat", *base, "查天气")
    assert p.returncode == 3, p.stderr
    assert p.stdout.strip() == "你想查询哪个城市的天气？"
    hint = "coze-cli chat --workflow-id demo-chatflow --bot-id 7400000000000000099 --conversation-id "
    assert hint in p.stderr
    conversation_id = p.stderr.split(hint, 1)[1].split()[0]
    p = cli(subprocess_env, "chat", "--json", *base, "--conversation-id", conversation_id, "Paris")
    assert p.returncode == 0, p.stderr
    obj = one_json(p)
    assert obj["status"] == "completed" and obj["answer"].startswith("Paris")
    (row,) = history(subprocess_env)
    assert row["bot_id"] == "workflow:demo-chatflow" and row["message_count"] == 4


def test_tool_output_answers_a_bots_question_saved_as_reply_message(
    demo_fast: DemoServer, subprocess_env: dict[str, str]
) -> None:
    """The CLI saves a ``reply_message`` call as the bot's question (as the window does), ``show``
    says it waits, and ``tool-output`` answers it into the same local conversation."""
    env = dict(subprocess_env, LANG="en_US.UTF-8")
    base = ["--base-url", demo_fast.url]
    p = cli(env, "chat", "--json", "--bot-id", "demo-plugin", *base, "帮我预订去上海的票")
    assert p.returncode == 3, p.stderr
    waiting = one_json(p)
    (call,) = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert call["type"] == "reply_message"
    (row,) = history(env)
    p = cli(env, "show", str(row["id"]))
    assert "asked “请问你想预订哪一天出发？” · waiting for an answer" in p.stdout, p.stdout
    p = cli(env, "show", "--json", str(row["id"]))
    steps = json.loads(p.stdout)["messages"][-1]["steps"]
    assert [(s["kind"], s["call_id"], s["result"]) for s in steps] == [("reply_message", call["id"], "")]
    p = cli(
        env,
        "tool-output",
        "--conversation-id",
        waiting["conversation_id"],
        "--chat-id",
        waiting["chat_id"],
        "--output",
        f"{call['id']}=周五",
        *base,
    )
    assert p.returncode == 0, p.stderr
    (row,) = history(env)
    assert row["message_count"] == 3
    p = cli(env, "show", "--json", str(row["id"]))
    answer_steps = json.loads(p.stdout)["messages"][-1]["steps"]
    assert answer_steps[0]["kind"] == "reply_message" and answer_steps[0]["result"] == "周五"
    assert "请问你想预订哪一天出发" in answer_steps[0]["arguments"]  # the question kept with its answer
    p = cli(env, "show", str(row["id"]))
    assert "asked “请问你想预订哪一天出发？” → 周五" in p.stdout, p.stdout
