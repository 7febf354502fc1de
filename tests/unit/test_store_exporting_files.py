"""Attachments through the one export/import path (store.exporting + export.writer): a history's
files go out in an export and come back in another history byte for byte, checked by SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_files import PDF, png_bytes

from coze_desktop.domain import Bot, Conversation, Message, MessageFile, Role
from coze_desktop.export import export_file, parse_json_export, to_json
from coze_desktop.store import Store, export_items, import_items

NOT_KEPT = MessageFile(name="旧报告.docx", size=34_816, kind="file", mime="application/msword", file_id="f9")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "other") as opened:
        yield opened


def files_in(data_dir: Path) -> list[Path]:
    folder = data_dir / "files"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def saved_with_files(store: Store, tmp_path: Path) -> tuple[int, MessageFile, MessageFile]:
    """A conversation whose question has an image (kept from bytes), a PDF (kept from a file that
    is deleted afterwards) and an attachment that was never kept."""
    store.upsert_bot(Bot("bot", name="助手"))
    conversation = store.create_conversation(
        Conversation(id=None, bot_id="bot", title="带附件", created_at=1_714_557_600.0)
    )
    assert conversation.id is not None
    image = store.keep_file(png_bytes(), "截图 1.png")
    original = tmp_path / "合同（最终版）.pdf"
    original.write_bytes(PDF)
    pdf = store.keep_file(original, "合同（最终版）.pdf")
    original.unlink()  # the history has its own copy
    image.file_id, pdf.file_id = "file_img", "file_pdf"
    store.add_message(
        Message(
            id=None,
            conversation_id=conversation.id,
            role=Role.USER,
            text="看看这两个文件",
            type="question",
            attachments=[image, pdf, NOT_KEPT],
        )
    )
    return conversation.id, image, pdf


def only_message(store: Store) -> Message:
    (item,) = export_items(store)
    (message,) = item.messages
    return message


def test_files_round_trip_byte_for_byte(store: Store, other: Store, tmp_path: Path) -> None:
    _, image, pdf = saved_with_files(store, tmp_path)
    text = to_json(export_items(store))
    report = import_items(other, parse_json_export(text))
    assert (len(report.imported), report.files_kept, report.skipped) == (1, 2, [])

    restored = only_message(other).attachments
    assert [a.to_json() for a in restored] == [image.to_json(), pdf.to_json(), NOT_KEPT.to_json()]
    for attachment, content in zip(restored[:2], (png_bytes(), PDF), strict=True):
        assert attachment.path and Path(attachment.path).is_relative_to(tmp_path / "other")
        assert Path(attachment.path).read_bytes() == content
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert other.file_path(attachment.sha256) == Path(attachment.path)
    assert restored[2].path == ""  # never kept: comes back as not kept
    assert len(files_in(tmp_path / "other")) == 2

    again = import_items(other, parse_json_export(text))
    assert (again.already_present, again.imported, again.files_kept) == (report.imported, [], 0)
    assert len(files_in(tmp_path / "other")) == 2  # importing twice keeps no second copy


def test_an_export_without_files_restores_attachments_as_not_kept(
    store: Store, other: Store, tmp_path: Path
) -> None:
    _, image, pdf = saved_with_files(store, tmp_path)
    text = to_json(export_items(store), include_files=False)
    report = import_items(other, parse_json_export(text))
    assert (len(report.imported), report.files_kept) == (1, 0)
    restored = only_message(other).attachments
    assert [a.to_json() for a in restored] == [image.to_json(), pdf.to_json(), NOT_KEPT.to_json()]
    assert [a.path for a in restored] == ["", "", ""]
    assert files_in(tmp_path / "other") == []


def test_data_that_does_not_match_its_sha256_is_reported_and_not_kept(
    store: Store, other: Store, tmp_path: Path
) -> None:
    saved_with_files(store, tmp_path)
    document = json.loads(to_json(export_items(store)))
    attachments = document["conversations"][0]["messages"][0]["attachments"]
    attachments[0]["sha256"] = hashlib.sha256(b"something else").hexdigest()  # the data was changed
    attachments[1]["data"] = "not base64!"
    report = import_items(other, parse_json_export(json.dumps(document)))
    assert (len(report.imported), report.files_kept) == (1, 0)
    assert [(s.what, s.conversation) for s in report.skipped] == [
        ("attachment", document["conversations"][0]["uid"])
    ] * 2
    assert "does not match its sha256" in report.skipped[0].reason and "截图 1.png" in report.skipped[0].ref
    assert "not valid base64" in report.skipped[1].reason
    restored = only_message(other).attachments
    assert [a.name for a in restored] == ["截图 1.png", "合同（最终版）.pdf", "旧报告.docx"]
    assert [a.path for a in restored] == ["", "", ""]
    assert files_in(tmp_path / "other") == []


def test_markdown_export_from_the_history_copies_the_kept_files(store: Store, tmp_path: Path) -> None:
    saved_with_files(store, tmp_path)
    out = tmp_path / "export" / "带附件.md"
    out.parent.mkdir()
    summary = export_file(out, export_items(store), "md", lang="zh")
    assert (summary.files_written, summary.files_missing) == (2, 1)
    folder = out.parent / "带附件_files"
    assert (folder / "截图 1.png").read_bytes() == png_bytes()
    assert (folder / "合同（最终版）.pdf").read_bytes() == PDF
    text = out.read_text(encoding="utf-8")
    assert "![截图 1.png](带附件_files/截图%201.png)" in text
    assert "旧报告.docx (34 KB) — 未保留文件" in text


def test_the_documented_example_imports_with_its_image(other: Store, tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "export-format.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    report = import_items(other, parse_json_export(example))
    assert (len(report.imported), report.files_kept, report.skipped) == (1, 1, [])
    attachment = next(m for m in export_items(other)[0].messages if m.attachments).attachments[0]
    data = Path(attachment.path).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) == attachment.size
    assert hashlib.sha256(data).hexdigest() == attachment.sha256
