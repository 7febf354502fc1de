"""`coze-cli export` and `import` with attachments, end to end as child processes: the files a
history keeps go out with every format and come back in another history byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from sample_files import PDF, png_bytes

from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Bot, Conversation, Message, MessageFile, Role
from coze_desktop.store import Store

CLI = [sys.executable, "-m", "coze_desktop.cli"]
NOT_KEPT = MessageFile(name="旧报告.docx", size=34_816, kind="file", mime="application/msword", file_id="f9")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


@pytest.fixture
def env(subprocess_env: dict[str, str]) -> dict[str, str]:
    return dict(subprocess_env, LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")


@pytest.fixture
def saved(env: dict[str, str], tmp_path: Path) -> int:
    """A conversation in the CLI's history whose question has an image, a PDF whose original was
    deleted after it was attached, and a file that was never kept."""
    with Store.open(Path(env["COZE_DESKTOP_DATA_DIR"])) as store:
        store.upsert_bot(Bot("demo-files", name="文件助手"))
        conversation = store.create_conversation(
            Conversation(id=None, bot_id="demo-files", title="截图和合同", created_at=1_714_557_600.0)
        )
        assert conversation.id is not None
        image = store.keep_file(png_bytes(4, 3), "报错 截图.png")
        original = tmp_path / "合同.pdf"
        original.write_bytes(PDF)
        pdf = store.keep_file(original, "合同.pdf")
        original.unlink()
        store.add_message(
            Message(
                id=None,
                conversation_id=conversation.id,
                role=Role.USER,
                text="请看附件",
                type="question",
                attachments=[image, pdf, NOT_KEPT],
            )
        )
        return conversation.id


def attachments_in(data_dir: Path) -> list[MessageFile]:
    with Store.open(data_dir) as store:
        (summary,) = store.list_conversations()
        assert summary.conversation.id is not None
        return [a for m in store.all_messages(summary.conversation.id) for a in m.attachments]


def test_markdown_export_writes_the_files_next_to_it(env: dict[str, str], saved: int, tmp_path: Path) -> None:
    out = tmp_path / "out" / "chat.md"
    out.parent.mkdir()
    p = cli(env, "export", str(saved), "-o", str(out))
    assert p.returncode == 0, p.stderr
    folder = out.parent / "chat_files"
    assert f"2 attached file(s) in {folder}" in p.stderr
    assert "1 attachment(s) had no file kept" in p.stderr
    assert (folder / "报错 截图.png").read_bytes() == png_bytes(4, 3)
    assert (folder / "合同.pdf").read_bytes() == PDF
    text = out.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((chat_files/[^)]+)\)", text)
    assert targets == ["chat_files/报错%20截图.png", "chat_files/合同.pdf"]
    assert all((out.parent / unquote(t)).is_file() for t in targets)
    assert "旧报告.docx (34 KB) — file not kept" in text

    bare = tmp_path / "bare.md"
    p = cli(env, "export", str(saved), "--no-files", "-o", str(bare))
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "bare_files").exists() and "chat_files" not in bare.read_text(encoding="utf-8")


def test_html_export_embeds_the_image(env: dict[str, str], saved: int, tmp_path: Path) -> None:
    out = tmp_path / "chat.html"
    assert cli(env, "export", "--all", "--format", "html", "-o", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    (uri,) = re.findall(r'<img src="(data:[^"]+)"', page)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == png_bytes(4, 3)
    assert "合同.pdf" in page and "<script" not in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.html", "data"]


def test_json_export_and_import_round_trip_with_files(
    env: dict[str, str], saved: int, tmp_path: Path
) -> None:
    out = tmp_path / "all.json"
    assert cli(env, "export", "--all", "--format", "json", "-o", str(out)).returncode == 0
    original = attachments_in(Path(env["COZE_DESKTOP_DATA_DIR"]))

    other = tmp_path / "other"
    p = cli(dict(env, COZE_DESKTOP_DATA_DIR=str(other)), "import", str(out))
    assert p.returncode == 0, p.stderr
    assert (
        "Imported 1 conversation(s) (1 messages)" in p.stdout and "Restored 2 attached file(s)." in p.stdout
    )
    restored = attachments_in(other)
    assert [a.to_json() for a in restored] == [a.to_json() for a in original]
    for attachment, content in zip(restored[:2], (png_bytes(4, 3), PDF), strict=True):
        data = Path(attachment.path).read_bytes()
        assert data == content and hashlib.sha256(data).hexdigest() == attachment.sha256
        assert Path(attachment.path).is_relative_to(other)
    assert restored[2].path == ""

    again = cli(dict(env, COZE_DESKTOP_DATA_DIR=str(other)), "import", str(out))
    assert "Imported 0 conversation(s)" in again.stdout and "Restored" not in again.stdout


def test_json_without_files_and_a_tampered_file(env: dict[str, str], saved: int, tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    assert cli(env, "export", "--all", "--format", "json", "--no-files", "-o", str(bare)).returncode == 0
    document = json.loads(bare.read_text(encoding="utf-8"))
    (message,) = document["conversations"][0]["messages"]
    assert [a["name"] for a in message["attachments"]] == ["报错 截图.png", "合同.pdf", "旧报告.docx"]
    assert all("data" not in a for a in message["attachments"])
    third = tmp_path / "third"
    assert cli(dict(env, COZE_DESKTOP_DATA_DIR=str(third)), "import", str(bare)).returncode == 0
    assert [a.path for a in attachments_in(third)] == ["", "", ""]  # listed, shown as not kept

    full = tmp_path / "full.json"
    assert cli(env, "export", "--all", "--format", "json", "-o", str(full)).returncode == 0
    document = json.loads(full.read_text(encoding="utf-8"))
    first = document["conversations"][0]["messages"][0]["attachments"][0]
    first["data"] = base64.b64encode(png_bytes(1, 1)).decode()  # not the content its sha256 names
    full.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    fourth = tmp_path / "fourth"
    p = cli(dict(env, COZE_DESKTOP_DATA_DIR=str(fourth)), "import", str(full))
    assert p.returncode == 0, p.stderr
    assert "Skipped: attachment '报错 截图.png'" in p.stdout and "does not match its sha256" in p.stdout
    assert "Restored 1 attached file(s)." in p.stdout
    assert [bool(a.path) for a in attachments_in(fourth)] == [False, True, False]


def test_show_lists_attachments_once_and_never_their_content(env: dict[str, str], saved: int) -> None:
    p = cli(env, "show", str(saved))
    assert p.returncode == 0, p.stderr
    for name in ("报错 截图.png", "合同.pdf", "旧报告.docx"):
        assert p.stdout.count(name) == 1, name  # in the list under the conversation only
    obj = json.loads(cli(env, "show", str(saved), "--json").stdout)
    (message,) = obj["messages"]
    assert [a["name"] for a in message["attachments"]] == ["报错 截图.png", "合同.pdf", "旧报告.docx"]
    assert all("data" not in a for a in message["attachments"])


def test_files_sent_with_chat_file_go_through_export_and_import(
    demo_fast: DemoServer, env: dict[str, str], tmp_path: Path
) -> None:
    image = tmp_path / "截图:登录失败.png"
    image.write_bytes(png_bytes(6, 4))
    pdf = tmp_path / "合同 v2.pdf"
    pdf.write_bytes(PDF)
    chat = cli(
        dict(env, COZE_API_TOKEN=DEMO_TOKEN),
        *("chat", "--json", "--bot-id", "demo-files", "--base-url", demo_fast.url),
        *("--file", str(image), "--file", str(pdf), "这两个文件是什么？"),
    )
    assert chat.returncode == 0, chat.stderr
    image.unlink()
    pdf.unlink()  # the history has its own copies

    md = tmp_path / "out" / "chat.md"
    md.parent.mkdir()
    assert cli(env, "export", "--all", "-o", str(md)).returncode == 0
    folder = md.parent / "chat_files"
    assert (folder / "截图_登录失败.png").read_bytes() == png_bytes(6, 4)  # ":" is not allowed on Windows
    assert (folder / "合同 v2.pdf").read_bytes() == PDF

    out = tmp_path / "all.json"
    assert cli(env, "export", "--all", "--format", "json", "-o", str(out)).returncode == 0
    other = tmp_path / "other"
    p = cli(dict(env, COZE_DESKTOP_DATA_DIR=str(other)), "import", str(out))
    assert p.returncode == 0 and "Restored 2 attached file(s)." in p.stdout, p.stdout + p.stderr
    restored = attachments_in(other)
    assert [Path(a.path).read_bytes() for a in restored] == [png_bytes(6, 4), PDF]
    assert [a.sha256 for a in restored] == [hashlib.sha256(d).hexdigest() for d in (png_bytes(6, 4), PDF)]
    assert [a.file_id for a in restored] == [
        a.file_id for a in attachments_in(Path(env["COZE_DESKTOP_DATA_DIR"]))
    ]
    assert all(a.file_id for a in restored)


def test_an_export_whose_folder_cannot_be_made_says_why_and_writes_nothing(
    env: dict[str, str], saved: int, tmp_path: Path
) -> None:
    out = tmp_path / "chat.md"
    (tmp_path / "chat_files").write_text("a file in the way", encoding="utf-8")
    p = cli(env, "export", str(saved), "-o", str(out))
    assert p.returncode == 2
    assert f"Could not write {out}" in p.stderr and str(tmp_path / "chat_files") in p.stderr
    assert not out.exists()
