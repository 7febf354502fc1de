"""`coze-cli chat --file` keeps the files in the history: `show` lists them, `search` finds them by
name, and the copies outlive the originals. Real child processes against the demo server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.store import Store

CLI = [sys.executable, "-m", "coze_desktop.cli"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9as"
    b"\x00\x00\x00\x0fIDATx\x9cc\xf8\xcf\xc0\xc0\xf0\x9f\x01\x00\x0f\xf8\x03\xfd\xb7\xd8\x1d\x93"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def cli(env: dict[str, str], *args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**env, "COZE_API_TOKEN": DEMO_TOKEN, "LANG": lang}
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


def send(env: dict[str, str], url: str, text: str, *files: Path, save: bool = True) -> dict[str, object]:
    args = ["chat", "--json", "--bot-id", "demo-files", "--base-url", url]
    for path in files:
        args += ["--file", str(path)]
    p = cli(env, *args, *([] if save else ["--no-save"]), text)
    assert p.returncode == 0, p.stderr
    obj = json.loads(p.stdout)
    assert isinstance(obj, dict)
    return obj


def test_history_keeps_the_files_after_the_originals_are_gone(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    image = tmp_path / "收据照片.jpg"  # a PNG named .jpg: the kind is told by content
    image.write_bytes(PNG)
    doc = tmp_path / "季度报告.txt"
    doc.write_text("第一行：收入\n第二行：支出\n", encoding="utf-8")
    obj = send(subprocess_env, demo_fast.url, "帮我看看", image, doc)
    conv_id = obj["local_conversation_id"]
    assert isinstance(conv_id, int)
    uploaded = obj["attachments"]
    assert isinstance(uploaded, list)
    originals = {image.name: image.read_bytes(), doc.name: doc.read_bytes()}
    image.unlink()
    doc.unlink()

    data_dir = Path(subprocess_env["COZE_DESKTOP_DATA_DIR"])
    with Store.open(data_dir) as store:
        question = store.messages(conv_id)[0]
    assert [(a.name, a.kind, a.mime, a.size, a.file_id) for a in question.attachments] == [
        ("收据照片.jpg", "image", "image/png", len(PNG), uploaded[0]["file_id"]),
        ("季度报告.txt", "file", "text/plain", len(originals[doc.name]), uploaded[1]["file_id"]),
    ]
    for attachment in question.attachments:
        copy = Path(attachment.path)
        assert copy.parent.parent == data_dir / "files"
        assert copy.read_bytes() == originals[attachment.name]

    shown = cli(subprocess_env, "show", str(conv_id), "--json")
    assert shown.returncode == 0, shown.stderr
    listed = json.loads(shown.stdout)["messages"][0]["attachments"]
    assert [(a["name"], a["size"], a["kind"], a["file_id"]) for a in listed] == [
        ("收据照片.jpg", len(PNG), "image", uploaded[0]["file_id"]),
        ("季度报告.txt", len(originals[doc.name]), "file", uploaded[1]["file_id"]),
    ]
    assert [Path(a["path"]).read_bytes() for a in listed] == list(originals.values())
    assert json.loads(shown.stdout)["messages"][1]["attachments"] == []

    text = cli(subprocess_env, "show", str(conv_id))
    assert text.returncode == 0, text.stderr
    assert "Attachments:" in text.stdout
    assert f"收据照片.jpg — {len(PNG)} B, image" in text.stdout
    assert f"季度报告.txt — {len(originals[doc.name])} B, file" in text.stdout
    zh = cli(subprocess_env, "show", str(conv_id), lang="zh_CN.UTF-8")
    assert "附件：" in zh.stdout and f"收据照片.jpg — {len(PNG)} B, 图片" in zh.stdout

    found = cli(subprocess_env, "search", "季度报告", "--json")
    assert found.returncode == 0, found.stderr
    hits = {h["message_id"]: h for h in json.loads(found.stdout)}  # the bot's answer names it too
    assert hits[question.id]["snippet"] == "«季度报告».txt"  # the question's text does not: its file does


def test_the_same_file_is_kept_once_and_no_save_keeps_nothing(
    demo_fast: DemoServer, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# 笔记\n", encoding="utf-8")
    files_dir = Path(subprocess_env["COZE_DESKTOP_DATA_DIR"]) / "files"
    send(subprocess_env, demo_fast.url, "不保存", doc, save=False)
    assert not files_dir.exists()
    first = send(subprocess_env, demo_fast.url, "第一次", doc)
    second = send(subprocess_env, demo_fast.url, "第二次", doc)
    assert first["local_conversation_id"] != second["local_conversation_id"]
    assert len([p for p in files_dir.rglob("*") if p.is_file()]) == 1
    # deleting one conversation keeps the copy the other still uses; deleting both removes it
    with Store.open(files_dir.parent) as store:
        store.delete_conversation_forever(int(first["local_conversation_id"]))  # type: ignore[arg-type]
        assert len([p for p in files_dir.rglob("*") if p.is_file()]) == 1
        store.delete_conversation_forever(int(second["local_conversation_id"]))  # type: ignore[arg-type]
    assert [p for p in files_dir.rglob("*") if p.is_file()] == []
