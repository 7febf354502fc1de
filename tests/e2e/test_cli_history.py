"""`coze-cli` history commands end to end: chats saved by `chat`, then history, show, search,
export and import, all as real child processes on one data folder."""

from __future__ import annotations

import html.parser
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import MessageState
from coze_desktop.store import Store

CLI = [sys.executable, "-m", "coze_desktop.cli"]


def cli(env: dict[str, str], *args: str, token: str | None = DEMO_TOKEN) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    if token:
        env["COZE_API_TOKEN"] = token
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


def chat(env: dict[str, str], url: str, bot: str, text: str, *extra: str) -> dict[str, object]:
    p = cli(env, "chat", "--json", "--bot-id", bot, "--base-url", url, *extra, text)
    return json.loads(p.stdout)


@pytest.fixture
def history(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> dict[str, object]:
    """Three saved conversations: a knowledge-base one with two turns, a general one, a failed one."""
    kb1 = chat(subprocess_env, demo_fast.url, "demo-knowledge", "怎么退货？")
    kb2 = chat(
        subprocess_env,
        demo_fast.url,
        "demo-knowledge",
        "运费谁出？",
        "--conversation-id",
        str(kb1["conversation_id"]),
    )
    gen = chat(subprocess_env, demo_fast.url, "demo-general", "Introduce yourself")
    bad = chat(subprocess_env, demo_fast.url, "fault-error-event", "会失败吗")
    return {"kb1": kb1, "kb2": kb2, "gen": gen, "bad": bad}


def test_chat_saves_every_turn(history: dict[str, object], subprocess_env: dict[str, str]) -> None:
    kb1, kb2 = history["kb1"], history["kb2"]
    assert isinstance(kb1, dict) and isinstance(kb2, dict)
    assert isinstance(kb1["local_conversation_id"], int)
    assert kb2["local_conversation_id"] == kb1["local_conversation_id"], (
        "--conversation-id continues the local one"
    )
    with Store.open(subprocess_env["COZE_DESKTOP_DATA_DIR"]) as store:
        msgs = store.messages(int(kb1["local_conversation_id"]))  # type: ignore[arg-type]
        assert [m.role.value for m in msgs] == ["user", "assistant", "user", "assistant"]
        answer = msgs[1]
        assert answer.state is MessageState.COMPLETE
        assert answer.text == kb1["answer"]
        assert len(answer.sources) == len(kb1["sources"]) >= 2  # type: ignore[arg-type]
        assert answer.follow_ups == kb1["follow_ups"]
        assert answer.usage is not None and answer.usage.token_count > 0
        assert answer.coze_chat_id == kb1["chat_id"]
        failed = store.messages(int(history["bad"]["local_conversation_id"]))[-1]  # type: ignore[index]
        assert failed.state is MessageState.FAILED
        assert failed.text.startswith("好的") and failed.error is not None and failed.error.code == 5000


def test_no_save(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    obj = chat(subprocess_env, demo_fast.url, "demo-general", "hi", "--no-save")
    assert obj["status"] == "completed" and obj["local_conversation_id"] is None
    p = cli(subprocess_env, "history", "--json")
    assert json.loads(p.stdout) == []


def test_api_calls_are_counted_per_account(
    demo_fast: DemoServer, history: dict[str, object], subprocess_env: dict[str, str]
) -> None:
    with Store.open(subprocess_env["COZE_DESKTOP_DATA_DIR"]) as store:
        assert store.api_calls(demo_fast.url, DEMO_TOKEN) == 4
        assert store.api_calls(demo_fast.url, "another-token") == 0
    db = Path(subprocess_env["COZE_DESKTOP_DATA_DIR"]) / "history.sqlite3"
    for f in db.parent.iterdir():
        assert DEMO_TOKEN.encode() not in f.read_bytes(), f


def test_history_json(history: dict[str, object], subprocess_env: dict[str, str]) -> None:
    p = cli(subprocess_env, "history", "--json", token=None)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert [set(r) for r in rows] == [{"kind", "id", "title", "bot_id", "updated_at", "message_count"}] * 3
    assert rows[0]["bot_id"] == "fault-error-event"  # newest first
    assert [r["updated_at"] for r in rows] == sorted((r["updated_at"] for r in rows), reverse=True)
    kb = next(r for r in rows if r["bot_id"] == "demo-knowledge")
    assert kb["message_count"] == 4 and kb["title"] == "怎么退货？"
    plain = cli(subprocess_env, "history", token=None)
    assert "怎么退货？" in plain.stdout


def test_show(history: dict[str, object], subprocess_env: dict[str, str]) -> None:
    conv_id = str(history["kb1"]["local_conversation_id"])  # type: ignore[index]
    p = cli(subprocess_env, "show", conv_id, "--json", token=None)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert obj["id"] == int(conv_id) and obj["bot_id"] == "demo-knowledge"
    answer = obj["messages"][1]
    assert answer["role"] == "assistant" and answer["sources"] and answer["follow_ups"]
    md = cli(subprocess_env, "show", conv_id, token=None)
    assert "退换货政策.pdf" in md.stdout and "[1]" in md.stdout
    missing = cli(subprocess_env, "show", "999999", token=None)
    assert missing.returncode == 2 and "999999" in missing.stderr


@pytest.mark.parametrize("query", ["退", "退货", "无理由", "yourself", "YOURSELF", "long"])
def test_search(history: dict[str, object], subprocess_env: dict[str, str], query: str) -> None:
    if query == "long":  # six or more characters, Chinese, taken from a saved answer
        answer = str(history["kb1"]["answer"])  # type: ignore[index]
        start = next(i for i, ch in enumerate(answer) if "\u4e00" <= ch <= "\u9fff")
        query = answer[start : start + 6]
    p = cli(subprocess_env, "search", query, "--json", token=None)
    assert p.returncode == 0, p.stderr
    hits = json.loads(p.stdout)
    assert hits, query
    assert all(set(h) == {"conversation_id", "message_id", "role", "snippet", "created_at"} for h in hits)
    assert all(query.lower() in h["snippet"].lower().replace("«", "").replace("»", "") for h in hits)


def test_search_by_bot(history: dict[str, object], subprocess_env: dict[str, str]) -> None:
    everything = json.loads(cli(subprocess_env, "search", "好", "--json", token=None).stdout)
    only = json.loads(
        cli(subprocess_env, "search", "好", "--bot", "fault-error-event", "--json", token=None).stdout
    )
    bad_conv = history["bad"]["local_conversation_id"]  # type: ignore[index]
    assert only and all(h["conversation_id"] == bad_conv for h in only)
    assert len(everything) >= len(only)


def test_export_each_format_and_import_round_trip(
    history: dict[str, object], subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    for fmt in ("md", "json", "html"):
        out = tmp_path / f"all.{fmt}"
        p = cli(subprocess_env, "export", "--all", "--format", fmt, "-o", str(out), token=None)
        assert p.returncode == 0, p.stderr
        text = out.read_text(encoding="utf-8")
        assert "怎么退货？" in text
        assert not (tmp_path / f"all.{fmt}.part").exists()
    parser = html.parser.HTMLParser()
    parser.feed((tmp_path / "all.html").read_text(encoding="utf-8"))
    assert "<script" not in (tmp_path / "all.html").read_text(encoding="utf-8")

    exported = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    other = dict(subprocess_env, COZE_DESKTOP_DATA_DIR=str(tmp_path / "other"))
    first = cli(other, "import", str(tmp_path / "all.json"), token=None)
    assert first.returncode == 0, first.stderr
    assert "3" in first.stdout
    again = cli(other, "import", str(tmp_path / "all.json"), token=None)
    assert again.returncode == 0
    rows = json.loads(cli(other, "history", "--json", token=None).stdout)
    assert len(rows) == 3, "importing twice creates no duplicates"
    re_export = tmp_path / "again.json"
    cli(other, "export", "--all", "--format", "json", "-o", str(re_export), token=None)
    again_obj = json.loads(re_export.read_text(encoding="utf-8"))
    key = lambda c: c["uid"]  # noqa: E731
    assert sorted(again_obj["conversations"], key=key) == sorted(exported["conversations"], key=key)


def test_export_some_and_bad_input(
    history: dict[str, object], subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    conv_id = str(history["gen"]["local_conversation_id"])  # type: ignore[index]
    out = tmp_path / "one.md"
    assert cli(subprocess_env, "export", conv_id, "-o", str(out), token=None).returncode == 0
    assert "Introduce yourself" in out.read_text(encoding="utf-8")
    assert cli(subprocess_env, "export", "-o", str(out), token=None).returncode == 2
    unwritable = tmp_path / "no" / "such" / "dir" / "x.md"
    p = cli(subprocess_env, "export", conv_id, "-o", str(unwritable), token=None)
    assert p.returncode == 2 and str(unwritable) in p.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    p = cli(subprocess_env, "import", str(bad), token=None)
    assert p.returncode == 2 and p.stderr.strip()


def test_data_dir_option(demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    p = cli(
        subprocess_env,
        "chat",
        "--json",
        "--data-dir",
        str(elsewhere),
        "--bot-id",
        "demo-general",
        "--base-url",
        demo_fast.url,
        "hi",
    )
    assert json.loads(p.stdout)["local_conversation_id"] == 1
    assert (elsewhere / "history.sqlite3").exists()
    assert json.loads(cli(subprocess_env, "history", "--json", token=None).stdout) == []
    assert (
        len(
            json.loads(
                cli(subprocess_env, "history", "--json", "--data-dir", str(elsewhere), token=None).stdout
            )
        )
        == 1
    )


def test_corrupt_history_is_moved_aside(demo_fast: DemoServer, subprocess_env: dict[str, str]) -> None:
    data = Path(subprocess_env["COZE_DESKTOP_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    p = cli(subprocess_env, "chat", "--json", "--bot-id", "demo-general", "--base-url", demo_fast.url, "hi")
    assert json.loads(p.stdout)["status"] == "completed"
    assert "corrupt" in p.stderr.lower() or "损坏" in p.stderr
    moved = [f for f in data.iterdir() if ".corrupt-" in f.name]
    assert moved and moved[0].read_bytes().startswith(b"this is not a database")


def test_show_and_export_with_versions(
    history: dict[str, object], subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    conv_id = int(history["kb1"]["local_conversation_id"])  # type: ignore[index, arg-type]
    with Store.open(subprocess_env["COZE_DESKTOP_DATA_DIR"]) as store:
        first_answer = store.messages(conv_id)[1]
        writer = store.start_reply(conv_id, version_of=first_answer.id)  # regenerated in place
        writer.append("再写一遍的回答")
        writer.finish()
    md = cli(subprocess_env, "show", str(conv_id), token=None).stdout
    assert "再写一遍的回答" in md and "运费谁出？" not in md  # the shown version only
    out = tmp_path / "versions.json"
    assert (
        cli(subprocess_env, "export", str(conv_id), "--format", "json", "-o", str(out), token=None).returncode
        == 0
    )
    messages = json.loads(out.read_text(encoding="utf-8"))["conversations"][0]["messages"]
    assert len(messages) == 5 and [m["selected"] for m in messages] == [True, False, True, True, True]
    other = dict(subprocess_env, COZE_DESKTOP_DATA_DIR=str(tmp_path / "other"))
    assert cli(other, "import", str(out), token=None).returncode == 0
    shown = cli(other, "show", "1", token=None).stdout
    assert "再写一遍的回答" in shown and "运费谁出？" not in shown
