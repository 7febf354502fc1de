"""Progress and cancel of exports and imports (``export.progress``): the counts reported, and a
cancel or a failure part-way leaving no export file, no attachments' folder and no conversation
half imported. No threads here: the cancel is set from the progress report itself."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_files import PDF, png_bytes

from coze_desktop.domain import Conversation, Message, Role
from coze_desktop.export import (
    Canceled,
    ConversationExport,
    Progress,
    export_file,
    parse_json_export,
    to_json,
)
from coze_desktop.store import Store, export_items, import_items

BIG = 2 * 1024 * 1024 + 5  # several chunks of the JSON writer


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


def conversation_with_files(store: Store, title: str, files: list[tuple[bytes, str]]) -> int:
    conversation = store.create_conversation(Conversation(id=None, bot_id="bot", title=title, created_at=1.0))
    assert conversation.id is not None
    store.add_message(
        Message(
            id=None,
            conversation_id=conversation.id,
            role=Role.USER,
            type="question",
            text=title,
            attachments=[store.keep_file(data, name) for data, name in files],
        )
    )
    return conversation.id


def cancel_after(reports: int) -> tuple[Progress, list[tuple[int, int]]]:
    """A progress that records its reports and is canceled at the ``reports``-th one."""
    event = threading.Event()
    seen: list[tuple[int, int]] = []

    def report(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) >= reports:
            event.set()

    return Progress(report, event), seen


def test_progress_counts_and_raises_once_canceled() -> None:
    event = threading.Event()
    seen: list[tuple[int, int]] = []
    progress = Progress(lambda done, total: seen.append((done, total)), event)
    progress.start(10)
    progress.advance(4)
    progress.advance(20)  # never more than the total
    assert seen == [(0, 10), (4, 10), (10, 10)]
    event.set()
    with pytest.raises(Canceled):
        progress.check()
    with pytest.raises(Canceled):
        progress.start(3)


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_a_canceled_export_leaves_nothing(store: Store, tmp_path: Path, fmt: str) -> None:
    cid = conversation_with_files(store, "t", [(b"\x01" * BIG, "big.bin"), (png_bytes(), "a.png"), (PDF, "b.pdf")])
    out = tmp_path / "out"
    out.mkdir()
    # md: after the first file is in the folder; json: after the first chunk; html: before writing
    reports = 1 if fmt == "html" else 2
    progress, seen = cancel_after(reports)
    with pytest.raises(Canceled):
        export_file(out / f"chat.{fmt}", export_items(store, [cid]), fmt, progress=progress)
    assert list(out.iterdir()) == []
    assert len(seen) == reports


def test_a_whole_export_reports_every_byte(store: Store, tmp_path: Path) -> None:
    cid = conversation_with_files(store, "t", [(b"\x01" * BIG, "big.bin"), (PDF, "b.pdf")])
    for fmt in ("md", "json"):
        seen: list[tuple[int, int]] = []
        items = export_items(store, [cid])
        export_file(tmp_path / f"chat.{fmt}", items, fmt, progress=Progress(lambda d, t, seen=seen: seen.append((d, t))))
        assert seen[0] == (0, BIG + len(PDF)) and seen[-1] == (BIG + len(PDF), BIG + len(PDF))


def test_when_the_markdown_cannot_be_written_its_files_folder_goes_too(store: Store, tmp_path: Path) -> None:
    cid = conversation_with_files(store, "t", [(PDF, "b.pdf")])
    (tmp_path / "chat.md.part").mkdir()  # the Markdown file cannot be written through its .part file
    with pytest.raises(IsADirectoryError):
        export_file(tmp_path / "chat.md", export_items(store, [cid]), "md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.md.part", "data"]


def test_a_canceled_import_keeps_only_whole_conversations(store: Store, tmp_path: Path) -> None:
    with Store.open(tmp_path / "elsewhere") as elsewhere:
        ids = [conversation_with_files(elsewhere, title, [(title.encode() + PDF, "x.pdf")]) for title in "abc"]
        items = []
        for cid in ids:
            conversation = elsewhere.get_conversation(cid)
            assert conversation is not None
            items.append(ConversationExport(conversation, elsewhere.all_messages(cid)))
    result = parse_json_export(to_json(items))
    progress, seen = cancel_after(2)  # (0, 3), then (1, 3): canceled once the first one is saved
    with pytest.raises(Canceled):
        import_items(store, result, progress)
    assert [s.conversation.title for s in store.list_conversations()] == ["a"]
    (message,) = store.all_messages(store.list_conversations()[0].conversation.id or 0)
    assert Path(message.attachments[0].path).read_bytes() == b"a" + PDF
    assert seen == [(0, 3), (1, 3)]

    report = import_items(store, result)  # again, to the end: the rest comes in
    assert report.imported == [items[1].conversation.uid, items[2].conversation.uid]


def test_a_large_file_is_decoded_in_slices_whole_and_a_cancel_stops_it_part_way(
    store: Store, tmp_path: Path
) -> None:
    data = os.urandom(7 * 1024 * 1024 + 1)  # several slices of base64
    with Store.open(tmp_path / "elsewhere") as elsewhere:
        cid = conversation_with_files(elsewhere, "big", [(data, "big.bin")])
        conversation = elsewhere.get_conversation(cid)
        assert conversation is not None
        text = to_json([ConversationExport(conversation, elsewhere.all_messages(cid))])
    result = parse_json_export(text)

    event = threading.Event()
    checks: list[int] = []

    def pause() -> None:  # called at each check: cancel at the second slice of the file
        checks.append(1)
        if len(checks) == 4:  # start, the file, the first slice, the second slice
            event.set()

    with pytest.raises(Canceled):
        import_items(store, result, Progress(cancel=event, pause=pause))
    assert store.count_conversations() == 0 and len(checks) == 4

    report = import_items(store, result)
    assert report.files_kept == 1
    (message,) = store.all_messages(store.list_conversations()[0].conversation.id or 0)
    assert Path(message.attachments[0].path).read_bytes() == data

    document = json.loads(text)  # padding in the middle is refused, as one decode would
    attachment = document["conversations"][0]["messages"][0]["attachments"][0]
    attachment["data"] = "A" * (4 * 1024 * 1024 - 4) + "QQ==" + "QUFB" * 10  # valid slice by slice
    attachment.pop("sha256", None)
    document["conversations"][0]["uid"] = "another"
    document["conversations"][0]["messages"][0]["uid"] = "another-m"
    report = import_items(store, parse_json_export(json.dumps(document)))
    assert report.files_kept == 0 and "not valid base64" in report.skipped[0].reason
