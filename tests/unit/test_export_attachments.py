"""Attachments in exports (issue #11 item 5): Markdown with a folder of files next to it, HTML
with images embedded, JSON with the files' content, and the file names that are safe everywhere."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from sample_files import PDF, png_bytes

from coze_desktop.domain import Bot, Conversation, Message, MessageFile, Role
from coze_desktop.export import (
    ConversationExport,
    ExportSummary,
    export_file,
    files_folder,
    jsonfmt,
    parse_json_export,
    render,
    safe_file_name,
    to_html,
    to_json,
    to_markdown,
)
from coze_desktop.export import attachments as attachments_module
from coze_desktop.export.attachments import NAME_MAX_BYTES, format_size, plan_names


def keep(folder: Path, data: bytes, name: str, *, kind: str = "file", mime: str = "") -> MessageFile:
    """A MessageFile whose local copy is a content-addressed file in ``folder``, as the store keeps them."""
    digest = hashlib.sha256(data).hexdigest()
    path = folder / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return MessageFile(
        name=name, size=len(data), kind=kind, mime=mime, sha256=digest, file_id="file_1", path=str(path)
    )


def missing(name: str = "旧报告.docx", size: int = 34_816) -> MessageFile:
    """An attachment whose copy was never kept (path "")."""
    return MessageFile(name=name, size=size, kind="file", mime="application/msword", sha256="", file_id="f9")


def item(title: str, *attachment_lists: list[MessageFile], uid: str = "c1") -> ConversationExport:
    conversation = Conversation(id=1, bot_id="bot", title=title, created_at=1714557600.0, uid=uid)
    messages = [
        Message(
            id=n,
            conversation_id=1,
            role=Role.USER,
            text=f"第 {n} 个问题",
            type="question",
            uid=f"{uid}-m{n}",
            attachments=attachments,
        )
        for n, attachments in enumerate(attachment_lists, start=1)
    ]
    return ConversationExport(conversation, messages, Bot("bot", name="助手"))


@pytest.fixture
def kept(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "files"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def sample(kept: Path) -> tuple[MessageFile, MessageFile, MessageFile]:
    image = keep(kept, png_bytes(), "截图 1.png", kind="image", mime="image/png")
    pdf = keep(kept, PDF, "合同（最终版）.pdf", mime="application/pdf")
    return image, pdf, missing()


# ---------------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("截图 1.png", "截图 1.png"),
        ("合同（最终版）.pdf", "合同（最终版）.pdf"),
        ('a/b\\c:d*e?f"g<h>i|j.txt', "a_b_c_d_e_f_g_h_i_j.txt"),
        ("tab\tnew\nline.txt", "tab_new_line.txt"),
        ("photo\u202egnp.exe", "photo_gnp.exe"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("Com1.log", "_Com1.log"),
        ("CONIN$", "_CONIN$"),
        ("console.txt", "console.txt"),
        ("  .hidden. ", "hidden"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("", "file"),
        ("...", "file"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFD (macOS) becomes NFC
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_a_long_name_is_shortened_on_a_character_boundary_keeping_its_extension() -> None:
    name = "很长的文件名" * 40 + ".pdf"
    safe = safe_file_name(name)
    assert safe.endswith(".pdf") and safe.startswith("很长的文件名")
    assert len(safe.encode("utf-8")) <= NAME_MAX_BYTES
    assert safe[:-4] in name


def test_clashing_names_are_numbered_and_one_copy_gets_one_name(kept: Path) -> None:
    first = keep(kept, b"one", "报告.txt")
    second = keep(kept, b"two", "报告.txt")
    upper = keep(kept, b"three", "REPORT.txt")
    lower = keep(kept, b"four", "report.txt")
    unsafe = keep(kept, b"five", "报告?.txt")  # becomes 报告_.txt: no clash
    names = plan_names([first, second, first, upper, lower, unsafe, missing()])
    assert list(names.values()) == ["报告.txt", "报告 (2).txt", "REPORT.txt", "report (2).txt", "报告_.txt"]
    assert names[first.path] == "报告.txt"


def test_format_size() -> None:
    assert [format_size(n) for n in (0, 1023, 1024, 34_816, 1_258_291, 5 * 1024**3)] == [
        "0 B",
        "1023 B",
        "1 KB",
        "34 KB",
        "1.2 MB",
        "5.0 GB",
    ]


# ---------------------------------------------------------------------------------------------
# Markdown: a folder next to the document
# ---------------------------------------------------------------------------------------------

_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def md_links(text: str) -> list[tuple[bool, str, str]]:
    """(is an image, text, target) of every inline link in a Markdown document."""
    return [(bang == "!", label, target) for bang, label, target in _MD_LINK.findall(text)]


def test_markdown_copies_files_next_to_the_document_and_links_them(
    tmp_path: Path, sample: tuple[MessageFile, MessageFile, MessageFile]
) -> None:
    image, pdf, gone = sample
    out = tmp_path / "out" / "我的 会话.md"
    out.parent.mkdir()
    summary = export_file(out, [item("带附件", [image, pdf], [gone])], "md", lang="zh")

    folder = out.parent / "我的 会话_files"
    assert summary.folder == folder == files_folder(out)
    assert (summary.files_written, summary.files_missing) == (2, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["合同（最终版）.pdf", "截图 1.png"]
    assert (folder / "截图 1.png").read_bytes() == png_bytes()
    assert (folder / "合同（最终版）.pdf").read_bytes() == PDF

    text = out.read_text(encoding="utf-8")
    links = md_links(text)
    assert links == [
        (True, "截图 1.png", "我的%20会话_files/截图%201.png"),
        (False, "合同（最终版）.pdf", "我的%20会话_files/合同（最终版）.pdf"),
    ]
    for _image, _label, target in links:  # every link resolves from the document's folder
        assert (out.parent / unquote(target)).is_file()
    assert f"[合同（最终版）.pdf]({links[1][2]}) ({format_size(len(PDF))})" in text
    assert "**附件**" in text
    assert "- 旧报告.docx (34 KB) — 未保留文件" in text
    assert not list(out.parent.glob("*.part")) and not list(folder.glob("*.part"))


def test_markdown_of_several_conversations_shares_one_folder_with_clashes_numbered(
    tmp_path: Path, kept: Path
) -> None:
    a = keep(kept, png_bytes(1, 1), "image.png", kind="image", mime="image/png")
    b = keep(kept, png_bytes(3, 3), "image.png", kind="image", mime="image/png")
    out = tmp_path / "all.md"
    summary = export_file(out, [item("一", [a], uid="c1"), item("二", [b], [a], uid="c2")], "md", lang="en")
    assert summary.files_written == 2
    folder = tmp_path / "all_files"
    assert (folder / "image.png").read_bytes() == png_bytes(1, 1)
    assert (folder / "image (2).png").read_bytes() == png_bytes(3, 3)
    targets = [target for _, _, target in md_links(out.read_text(encoding="utf-8"))]
    assert targets == ["all_files/image.png", "all_files/image%20%282%29.png", "all_files/image.png"]
    assert all((tmp_path / unquote(t)).is_file() for t in targets)


def test_a_file_named_like_a_temporary_file_is_not_lost(tmp_path: Path, kept: Path) -> None:
    first = keep(kept, b"first", "notes.txt.part")
    second = keep(kept, b"second", "notes.txt")
    export_file(tmp_path / "t.md", [item("t", [first, second])], "md")
    folder = tmp_path / "t_files"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "notes.txt.part"]
    assert (folder / "notes.txt.part").read_bytes() == b"first"
    assert (folder / "notes.txt").read_bytes() == b"second"


def test_markdown_exported_again_replaces_its_files_and_leaves_others_alone(
    tmp_path: Path, sample: tuple[MessageFile, MessageFile, MessageFile]
) -> None:
    image, pdf, _ = sample
    out = tmp_path / "chat.md"
    folder = tmp_path / "chat_files"
    folder.mkdir()
    (folder / "截图 1.png").write_bytes(b"an older export")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    export_file(out, [item("t", [image, pdf])], "md")
    assert (folder / "截图 1.png").read_bytes() == png_bytes()  # same name: replaced, not "(2)"
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_markdown_without_files_writes_no_folder(
    tmp_path: Path, sample: tuple[MessageFile, MessageFile, MessageFile]
) -> None:
    image, pdf, gone = sample
    plain = tmp_path / "plain.md"
    export_file(plain, [item("无附件", [])], "md")
    only_missing = tmp_path / "missing.md"
    export_file(only_missing, [item("只有丢失的", [gone])], "md", lang="en")
    no_files = tmp_path / "no-files.md"
    summary = export_file(no_files, [item("t", [image, pdf, gone])], "md", lang="en", include_files=False)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".md") == ["data"]
    assert "Attachments" not in plain.read_text(encoding="utf-8")
    assert "- 旧报告.docx (34 KB) — file not kept" in only_missing.read_text(encoding="utf-8")
    text = no_files.read_text(encoding="utf-8")
    assert md_links(text) == []
    assert "- 截图 1.png (" in text and "- 合同（最终版）.pdf (" in text
    assert "- 旧报告.docx (34 KB) — file not kept" in text
    assert (summary.folder, summary.files_written, summary.files_missing) == (None, 0, 1)


def test_markdown_names_are_escaped_and_a_copy_gone_meanwhile_is_not_kept(tmp_path: Path, kept: Path) -> None:
    odd = keep(kept, b"x", "a]b(c)*#.txt")
    gone = keep(kept, b"y", "gone.txt")
    Path(gone.path).unlink()
    out = tmp_path / "odd.md"
    summary = export_file(out, [item("t", [odd, gone])], "md", lang="en")
    text = out.read_text(encoding="utf-8")
    assert "[a\\]b(c)\\*\\#.txt](odd_files/a%5Db%28c%29_%23.txt)" in text  # * is reserved on Windows
    assert (tmp_path / "odd_files" / "a]b(c)_#.txt").read_bytes() == b"x"
    assert "- gone.txt (1 B) — file not kept" in text
    assert (summary.files_written, summary.files_missing) == (1, 1)


def test_markdown_printed_without_a_folder_lists_attachments(
    sample: tuple[MessageFile, MessageFile, MessageFile],
) -> None:
    image, pdf, gone = sample
    text = to_markdown([item("t", [image, pdf, gone])], lang="en")
    assert md_links(text) == []
    assert f"- 截图 1.png ({format_size(image.size)})" in text
    assert "- 旧报告.docx (34 KB) — file not kept" in text
    assert render([item("t", [image])], "md") == to_markdown([item("t", [image])])


def test_a_failed_copy_leaves_no_export_and_no_half_folder(
    tmp_path: Path, sample: tuple[MessageFile, MessageFile, MessageFile]
) -> None:
    image, pdf, _ = sample
    out = tmp_path / "chat.md"
    (tmp_path / "chat_files").write_text("a file where the folder should go", encoding="utf-8")
    with pytest.raises(OSError):
        export_file(out, [item("t", [image, pdf])], "md")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat_files", "data"]


# ---------------------------------------------------------------------------------------------
# HTML: one file, images embedded
# ---------------------------------------------------------------------------------------------


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img":
            self.images.append(found)
        if tag == "meta" and found.get("http-equiv") == "Content-Security-Policy":
            self.csp = found.get("content") or ""


def html_images(page: str) -> _Images:
    parser = _Images()
    parser.feed(page)
    return parser


def test_html_embeds_images_and_lists_other_files(
    tmp_path: Path, sample: tuple[MessageFile, MessageFile, MessageFile], kept: Path
) -> None:
    image, pdf, gone = sample
    unlabelled = keep(kept, png_bytes(5, 5), "无类型.bin", kind="image", mime="")  # type told by content
    out = tmp_path / "page.html"
    summary = export_file(out, [item("网页", [image, pdf], [gone, unlabelled])], "html", lang="zh")
    assert (summary.folder, summary.files_written, summary.files_missing) == (None, 0, 1)
    page = out.read_text(encoding="utf-8")
    parsed = html_images(page)
    assert [img["alt"] for img in parsed.images] == ["截图 1.png", "无类型.bin"]
    prefix = "data:image/png;base64,"
    sources = [img["src"] or "" for img in parsed.images]
    assert all(src.startswith(prefix) for src in sources)
    assert [base64.b64decode(src[len(prefix) :]) for src in sources] == [png_bytes(), png_bytes(5, 5)]
    assert "img-src data:" in parsed.csp and "default-src 'none'" in parsed.csp
    assert f'<li>合同（最终版）.pdf <span class="size">({format_size(len(PDF))})</span></li>' in page
    assert '旧报告.docx <span class="size">(34 KB)</span> <span class="note">未保留文件</span>' in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "page.html"]  # one file, no folder


def test_html_lists_an_image_over_the_cap_or_without_files_by_name(
    monkeypatch: pytest.MonkeyPatch, sample: tuple[MessageFile, MessageFile, MessageFile]
) -> None:
    image, _, _ = sample
    assert len(html_images(to_html([item("t", [image])], lang="en")).images) == 1
    monkeypatch.setattr(attachments_module, "HTML_EMBED_MAX_BYTES", image.size - 1)
    page = to_html([item("t", [image])], lang="en")
    assert html_images(page).images == []
    assert f'截图 1.png <span class="size">({format_size(image.size)})</span>' in page
    assert f"over {format_size(image.size - 1)}, not embedded" in page
    monkeypatch.undo()
    page = to_html([item("t", [image])], lang="en", include_files=False)
    assert html_images(page).images == [] and "not embedded" not in page and "截图 1.png" in page


def test_html_never_embeds_what_a_browser_would_not_show_as_an_image(tmp_path: Path, kept: Path) -> None:
    fake = keep(kept, b"<svg onload=alert(1)>", "x.png", kind="image", mime="text/html")
    hostile = keep(kept, png_bytes(), 'a"><script>alert(1)</script>.png', kind="image", mime="image/png")
    page = to_html([item("t", [fake, hostile])], lang="en")
    assert [img["alt"] for img in html_images(page).images] == ['a"><script>alert(1)</script>.png']
    assert "<script>" not in page and "onload" not in page


# ---------------------------------------------------------------------------------------------
# JSON: the files' content, lossless
# ---------------------------------------------------------------------------------------------


def test_json_carries_each_attachment_with_its_content(
    sample: tuple[MessageFile, MessageFile, MessageFile],
) -> None:
    image, pdf, gone = sample
    document = json.loads(to_json([item("t", [image, pdf], [gone])]))
    first, second = document["conversations"][0]["messages"]
    assert [a["name"] for a in first["attachments"]] == ["截图 1.png", "合同（最终版）.pdf"]
    assert first["attachments"][0] == image.to_json() | {"data": base64.b64encode(png_bytes()).decode()}
    assert base64.b64decode(first["attachments"][1]["data"]) == PDF
    assert second["attachments"] == [gone.to_json()]  # no copy: no data
    assert "path" not in first["attachments"][0]  # one machine's data folder is not exported


def test_json_without_files_has_no_data(sample: tuple[MessageFile, MessageFile, MessageFile]) -> None:
    image, pdf, gone = sample
    for text in (
        to_json([item("t", [image, pdf, gone])], include_files=False),
        render([item("t", [image])], "json", include_files=False),
    ):
        for message in json.loads(text)["conversations"][0]["messages"]:
            assert message["attachments"] and all("data" not in a for a in message["attachments"])


def test_json_attachments_read_back(sample: tuple[MessageFile, MessageFile, MessageFile]) -> None:
    image, pdf, gone = sample
    result = parse_json_export(to_json([item("t", [image, pdf], [gone])]))
    first, second = result.items[0].messages
    assert [a.to_json() for a in first.attachments] == [image.to_json(), pdf.to_json()]
    assert all(a.path == "" for a in first.attachments + second.attachments)  # until the store keeps them
    assert second.attachments == [gone]
    assert sorted(result.files) == [("c1-m1", 0), ("c1-m1", 1)]
    assert base64.b64decode(result.files[("c1-m1", 0)].base64) == png_bytes()
    assert result.files[("c1-m1", 1)].declared_sha256 == pdf.sha256
    assert not result.skipped and not result.warnings


def test_json_attachments_are_read_leniently_and_a_bad_digest_never_names_a_file() -> None:
    document = {
        "format": "coze-desktop-export",
        "version": 2,
        "conversations": [
            {
                "uid": "c",
                "bot_id": "b",
                "messages": [
                    {
                        "uid": "m",
                        "role": "user",
                        "attachments": [
                            {"name": "a.txt", "size": "12", "kind": "IMAGE", "sha256": "AB" * 32},
                            "not an object",
                            {
                                "name": "",
                                "size": -5,
                                "kind": "video",
                                "sha256": "../../etc/passwd",
                                "data": "eA==",
                            },
                            {"name": 7, "sha256": None, "file_id": 123},
                        ],
                    },
                    {"uid": "m2", "role": "user", "attachments": "nope"},
                ],
            }
        ],
    }
    result = parse_json_export(json.dumps(document))
    first, second = result.items[0].messages
    assert first.attachments == [
        MessageFile(name="a.txt", size=12, kind="image", sha256="ab" * 32),
        MessageFile(name="file", size=0, kind="file", sha256=""),
        MessageFile(name="7", size=0, file_id="123"),
    ]
    assert result.files[("m", 1)].declared_sha256 == "../../etc/passwd"  # kept only to be found wrong
    assert second.attachments == []


def test_an_older_export_without_attachments_still_reads() -> None:
    document = {
        "format": "coze-desktop-export",
        "version": 1,
        "conversations": [
            {"uid": "c", "bot_id": "b", "messages": [{"uid": "m", "role": "user", "text": "hi"}]}
        ],
    }
    result = parse_json_export(json.dumps(document))
    assert result.items[0].messages[0].attachments == [] and result.files == {}


def test_a_json_export_file_streams_the_content_and_equals_to_json(tmp_path: Path, kept: Path) -> None:
    big = bytes(range(256)) * 6200 + b"tail"  # over two chunks of the stream, not a multiple of 3
    large = keep(kept, big, "大文件.bin")
    image = keep(kept, png_bytes(), "截图.png", kind="image", mime="image/png")
    conversation = item("流", [large, image], [missing()])
    # Text that looks like the stream's marker stays text.
    conversation.messages[0].text = "\x00" + "0" * 32 + ":0\x00 \\u0000x:0\\u0000"
    out = tmp_path / "stream.json"
    assert export_file(out, [conversation], "json") == ExportSummary(None, 0, 1)
    written = json.loads(out.read_text(encoding="utf-8"))
    expected = json.loads(to_json([conversation]))
    assert written["conversations"] == expected["conversations"]
    first = written["conversations"][0]["messages"][0]
    assert base64.b64decode(first["attachments"][0]["data"]) == big
    assert first["text"] == conversation.messages[0].text
    bare = tmp_path / "bare.json"
    export_file(bare, [conversation], "json", include_files=False)
    assert (
        json.loads(bare.read_text(encoding="utf-8"))["conversations"]
        == json.loads(to_json([conversation], include_files=False))["conversations"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare.json", "data", "stream.json"]


def test_a_json_export_whose_copy_vanishes_midway_leaves_nothing(
    tmp_path: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = keep(kept, b"one", "a.txt")
    two = keep(kept, b"two", "b.txt")
    out = tmp_path / "x.json"
    out.write_text("older export", encoding="utf-8")
    real = jsonfmt.local_copy

    def found_then_gone(attachment: MessageFile) -> Path | None:
        path = real(attachment)
        if attachment.name == "b.txt" and path is not None:
            path.unlink()  # deleted between the document and the streaming of its content
        return path

    monkeypatch.setattr(jsonfmt, "local_copy", found_then_gone)
    with pytest.raises(FileNotFoundError):
        export_file(out, [item("t", [one, two])], "json")
    assert out.read_text(encoding="utf-8") == "older export"
    assert not (tmp_path / "x.json.part").exists()
