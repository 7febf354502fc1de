"""Attached files in the history: kept copies (private, deduplicated, whole or absent), messages
with attachments, deleting unused copies, the sweep at opening, schema v5 and search by file name."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import sqlite3
import stat
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from coze_desktop.domain import Bot, Conversation, Message, MessageFile, Role, Source
from coze_desktop.store import SCHEMA_VERSION, NotFoundError, Store, StoreWriteError
from coze_desktop.store import db as store_db
from coze_desktop.store import files as files_module
from coze_desktop.store.files import SourceFileError
from coze_desktop.store.paths import DB_FILENAME

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + "合同正文\n".encode() * 100
DAY = 86400.0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def conversation(store: Store, title: str = "附件") -> int:
    saved = store.create_conversation(Conversation(id=None, bot_id="bot", title=title))
    assert saved.id is not None
    return saved.id


def ask(
    store: Store, conv_id: int, text: str, files: list[MessageFile] | None = None, **kw: object
) -> Message:
    message = Message(
        id=None,
        conversation_id=conv_id,
        role=Role.USER,
        type="question",
        text=text,
        attachments=files or [],
        **kw,
    )  # type: ignore[arg-type]
    return store.add_message(message)


def copies(store: Store) -> list[Path]:
    """Every regular file under files/ (copies and leftovers alike)."""
    if not store.files_dir.exists():
        return []
    return sorted(p for p in store.files_dir.rglob("*") if p.is_file())


def file_rows(store: Store) -> list[str]:
    return [row[0] for row in store._db.conn.execute("SELECT sha256 FROM files ORDER BY sha256")]


# ------------------------------------------------------------------------------------ keep_file


def test_keep_file_copies_privately_by_content(tmp_path: Path, umask_022: None) -> None:
    source = tmp_path / "截图 2024.jpg"  # a PNG with a wrong extension: told by content
    source.write_bytes(PNG)
    with Store.open(tmp_path / "new" / "data") as store:
        kept = store.keep_file(source, source.name)
        sha = digest(PNG)
        expected = store.files_dir / sha[:2] / sha
        assert kept == MessageFile(
            name="截图 2024.jpg",
            size=len(PNG),
            kind="image",
            mime="image/png",
            sha256=sha,
            path=str(expected),
        )
        assert store.files_dir == tmp_path / "new" / "data" / "files"
        assert expected.read_bytes() == PNG
        assert mode(store.files_dir) == mode(expected.parent) == 0o700
        assert mode(expected) == 0o600
        assert store.file_path(sha) == expected
        row = store._db.conn.execute("SELECT size, kind, mime FROM files WHERE sha256 = ?", (sha,)).fetchone()
        assert row == (len(PNG), "image", "image/png")

        pdf = store.keep_file(PDF, "合同.pdf")  # bytes, e.g. a pasted or imported file
        assert (pdf.kind, pdf.mime, pdf.size, pdf.file_id) == ("file", "application/pdf", len(PDF), "")
        assert Path(pdf.path).read_bytes() == PDF
        assert store.keep_file(b"\x00\x01", "无扩展名").mime == ""


def test_same_content_is_kept_once(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "a.pdf"
    first.write_bytes(PDF)
    one = store.keep_file(first, "a.pdf")
    two = store.keep_file(PDF, "另一个名字.pdf")
    assert one.sha256 == two.sha256 and one.path == two.path
    assert two.name == "另一个名字.pdf"
    assert copies(store) == [Path(one.path)]
    assert file_rows(store) == [one.sha256]


def test_keeping_from_several_threads_makes_one_copy(store: Store) -> None:
    results: list[MessageFile] = []
    errors: list[BaseException] = []

    def keep(n: int) -> None:
        try:
            results.append(store.keep_file(PDF, f"{n}.pdf"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=keep, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {r.sha256 for r in results} == {digest(PDF)}
    assert copies(store) == [Path(results[0].path)]


def test_big_file_is_copied_in_chunks(store: Store, tmp_path: Path) -> None:
    size = 24 * 1024 * 1024 + 5
    source = tmp_path / "big.bin"
    with source.open("wb") as out:
        block = os.urandom(1024 * 1024)
        for _ in range(24):
            out.write(block)
        out.write(b"tail!")
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    tracemalloc.start()
    try:
        kept = store.keep_file(source, "big.bin")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept.sha256 == expected and kept.size == size
    assert Path(kept.path).stat().st_size == size
    assert peak < 8 * 1024 * 1024  # a few chunks at most, never the whole file


class _BrokenReader(io.RawIOBase):
    """A source that gives a chunk, then fails like a disk being unplugged."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 1:
            raise OSError(errno.EIO, "Input/output error")
        return b"x" * 4096


def test_source_failing_mid_read_leaves_no_partial_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "usb.bin"
    source.write_bytes(b"x" * 10)
    reader = _BrokenReader()

    @contextlib.contextmanager
    def broken(_source: object) -> Iterator[BinaryIO]:
        yield reader  # type: ignore[misc]

    monkeypatch.setattr(files_module, "_opened", broken)
    with pytest.raises(SourceFileError, match="Input/output error"):
        store.keep_file(source, "usb.bin")
    assert reader.reads == 2
    assert copies(store) == [] and file_rows(store) == []


def test_missing_source_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match=r"gone\.pdf") as caught:
        store.keep_file(tmp_path / "gone.pdf", "gone.pdf")
    assert "Nothing was kept" in str(caught.value)
    assert copies(store) == []


class _FullDisk(io.RawIOBase):
    """The temporary file on a disk with 1 MB left."""

    def __init__(self, fd: int) -> None:
        self.file = os.fdopen(fd, "wb")
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.written + len(data) > 1024 * 1024:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written += len(data)
        return self.file.write(data)

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()
        super().close()


def test_full_disk_leaves_no_partial_file_and_says_so(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "视频.mp4"
    source.write_bytes(os.urandom(3 * 1024 * 1024))
    monkeypatch.setattr(files_module, "_open_temp", _FullDisk)
    with pytest.raises(StoreWriteError, match="disk is full") as caught:
        store.keep_file(source, source.name)
    assert "磁盘已满" in str(caught.value)
    assert copies(store) == [] and file_rows(store) == []
    monkeypatch.undo()
    assert Path(store.keep_file(source, source.name).path).read_bytes() == source.read_bytes()


def test_read_only_store_keeps_nothing(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    with Store.open(tmp_path, read_only=True) as store, pytest.raises(StoreWriteError, match="read-only"):
        store.keep_file(PDF, "a.pdf")
    assert not (tmp_path / "files").exists()


# ---------------------------------------------------------------------------- messages with files


def test_message_keeps_its_attachments_in_order(store: Store) -> None:
    conv = conversation(store)
    image = store.keep_file(PNG, "图.png")
    pdf = store.keep_file(PDF, "合同.pdf")
    sent = [image, pdf, MessageFile(name="旧文件.docx", size=99)]  # the last: no copy (an import)
    saved = ask(store, conv, "看看这些", sent)
    assert saved.id is not None
    assert [a.name for a in saved.attachments] == ["图.png", "合同.pdf", "旧文件.docx"]
    assert saved.attachments[0].path == image.path and saved.attachments[2].path == ""

    store.set_attachment_file_id(saved.id, pdf.sha256, "file_123")
    with pytest.raises(NotFoundError):
        store.set_attachment_file_id(saved.id, digest(b"other"), "file_9")
    answer = store.add_message(Message(id=None, conversation_id=conv, role=Role.ASSISTANT, text="好的"))

    loaded = store.get_message(saved.id)
    assert loaded is not None
    assert loaded.attachments == [
        image,
        MessageFile(**{**pdf.to_json(), "file_id": "file_123", "path": pdf.path}),
        sent[2],
    ]
    for read in (store.messages(conv), store.message_page(conv), store.all_messages(conv)):
        by_id = {m.id: m for m in read}
        assert by_id[saved.id].attachments == loaded.attachments
        assert by_id[answer.id].attachments == []


def test_a_path_without_a_copy_is_copied_when_saved(store: Store, tmp_path: Path) -> None:
    original = tmp_path / "报告.pdf"
    original.write_bytes(PDF)
    given = MessageFile(name="报告.pdf", size=len(PDF), file_id="file_1", path=str(original))
    saved = ask(store, conversation(store), "", [given])
    (attachment,) = saved.attachments
    assert attachment.sha256 == digest(PDF) and attachment.file_id == "file_1"
    assert attachment.mime == "application/pdf" and Path(attachment.path).parent.parent == store.files_dir
    assert given.sha256 == "" and given.path == str(original)  # the caller's object is left alone
    original.unlink()
    assert Path(store.messages(saved.conversation_id or 0)[0].attachments[0].path).read_bytes() == PDF


def test_copy_deleted_by_hand_gives_an_empty_path(store: Store) -> None:
    kept = store.keep_file(PNG, "a.png")
    saved = ask(store, conversation(store), "图", [kept])
    Path(kept.path).unlink()
    assert store.file_path(kept.sha256) is None
    loaded = store.get_message(saved.id or 0)
    assert loaded is not None and loaded.attachments[0].path == ""
    assert loaded.attachments[0].sha256 == kept.sha256  # the record stays


def test_bad_digests_and_too_many_parts_are_refused(store: Store) -> None:
    conv = conversation(store)
    with pytest.raises(ValueError, match="SHA-256"):
        ask(store, conv, "x", [MessageFile(name="a", size=1, sha256="../../etc/passwd")])
    with pytest.raises(ValueError, match="sources and attachments"):
        ask(
            store,
            conv,
            "x",
            [MessageFile(name=f"{n}", size=1) for n in range(4)],
            sources=[Source(slice=str(n)) for n in range(1020)],
        )
    assert store.file_path("not-a-digest") is None
    assert store.count_messages(conv) == 0


def test_a_page_of_messages_reads_attachments_in_one_query(store: Store) -> None:
    conv = conversation(store)
    kept = store.keep_file(PNG, "a.png")
    for n in range(60):
        ask(store, conv, f"第{n}条", [kept, MessageFile(name=f"{n}.txt", size=n)])
    statements: list[str] = []
    store._db.conn.set_trace_callback(statements.append)
    try:
        page = store.message_page(conv, limit=50)
    finally:
        store._db.conn.set_trace_callback(None)
    assert len(page) == 50
    assert all([a.name for a in m.attachments] == ["a.png", f"{m.text[1:-1]}.txt"] for m in page)
    assert sum("FROM attachments" in sql for sql in statements) == 1


def test_import_saves_attachments(store: Store, tmp_path: Path) -> None:
    restored = tmp_path / "restored.png"  # as an importer writes a file from the export
    restored.write_bytes(PNG)
    messages = [
        Message(
            id=None,
            conversation_id=None,
            role=Role.USER,
            uid="q1",
            text="导入的问题",
            attachments=[
                MessageFile(name="图片.png", size=len(PNG), kind="image", path=str(restored), file_id="f1"),
                MessageFile(name="没带文件.pdf", size=10, mime="application/pdf", sha256=digest(b"absent")),
            ],
        ),
    ]
    conv = Conversation(id=None, bot_id="bot", uid="conv-1", title="导入")
    assert store.import_conversation(conv, messages, Bot(bot_id="bot"))
    assert not store.import_conversation(conv, messages)
    saved = store.get_conversation_by_uid("conv-1")
    assert saved is not None and saved.id is not None
    (question,) = store.messages(saved.id)
    image, absent = question.attachments
    assert (image.name, image.sha256, image.mime, image.file_id) == (
        "图片.png",
        digest(PNG),
        "image/png",
        "f1",
    )
    assert Path(image.path).read_bytes() == PNG
    assert (absent.sha256, absent.path) == (digest(b"absent"), "")
    assert [h.message_id for h in store.search("没带文件")] == [question.id]


# ------------------------------------------------------------------------------ deleting copies


def test_deleting_a_conversation_removes_copies_nobody_uses(store: Store) -> None:
    shared = store.keep_file(PDF, "共享.pdf")
    own = store.keep_file(PNG, "自己的.png")
    first, second = conversation(store, "一"), conversation(store, "二")
    ask(store, first, "1", [shared, own])
    ask(store, second, "2", [shared])
    store.trash_conversation(first)
    assert Path(own.path).exists()  # the trash keeps everything restorable
    store.delete_conversation_forever(first)
    assert not Path(own.path).exists() and not Path(own.path).parent.exists()
    assert Path(shared.path).exists()
    assert file_rows(store) == [shared.sha256]
    store.delete_conversation_forever(second)
    assert copies(store) == [] and file_rows(store) == []


def test_deleting_a_message_and_emptying_the_trash_remove_unused_copies(store: Store) -> None:
    conv = conversation(store)
    a = store.keep_file(b"first file", "a.txt")
    b = store.keep_file(b"second file", "b.txt")
    c = store.keep_file(b"third file", "c.txt")
    m1 = ask(store, conv, "1", [a])
    m2 = ask(store, conv, "2", [b])
    other = conversation(store, "其他")
    ask(store, other, "3", [c])
    store.delete_message_forever(m1.id or 0)
    assert not Path(a.path).exists() and Path(b.path).exists()
    store.trash_message(m2.id or 0)
    store.trash_conversation(other)
    assert store.empty_trash() == 2
    assert copies(store) == [] and file_rows(store) == []


def test_purging_old_trash_removes_its_copies(store: Store) -> None:
    conv = conversation(store)
    kept = store.keep_file(PDF, "旧.pdf")
    fresh = store.keep_file(PNG, "新.png")
    old = ask(store, conv, "旧", [kept])
    recent = ask(store, conv, "新", [fresh])
    store.trash_message(old.id or 0, when=time.time() - 40 * DAY)
    store.trash_message(recent.id or 0)
    assert store.purge_trash() == 1
    assert not Path(kept.path).exists() and Path(fresh.path).exists()


def test_a_copy_kept_for_an_unsent_message_survives_deletes(store: Store) -> None:
    conv = conversation(store)
    sent = ask(store, conv, "旧", [store.keep_file(PDF, "a.pdf")])
    pending = store.keep_file(PDF, "again.pdf")  # the same file, attached again, not sent yet
    store.delete_message_forever(sent.id or 0)
    assert Path(pending.path).read_bytes() == PDF
    assert file_rows(store) == [pending.sha256]  # still known, so the sweep at opening can judge it
    ask(store, conv, "新", [pending])
    assert store.messages(conv)[0].attachments[0].path == pending.path


def test_opening_sweeps_old_copies_no_message_uses(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        used = store.keep_file(PNG, "used.png")
        ask(store, conversation(store), "x", [used])
        abandoned = store.keep_file(PDF, "never sent.pdf")
        recent = store.keep_file(b"attached a minute ago", "recent.txt")
        store._db.conn.execute(
            "UPDATE files SET created_at = ? WHERE sha256 IN (?, ?)",
            (time.time() - 2 * DAY, abandoned.sha256, used.sha256),
        )
        leftover = store.files_dir / (files_module.TEMP_PREFIX + "crash")
        leftover.write_bytes(b"half a file")
        os.utime(leftover, (time.time() - 2 * DAY, time.time() - 2 * DAY))
        stranger = store.files_dir / "ab" / ("ab" + "0" * 62)  # on disk, unknown to the database
        stranger.parent.mkdir()
        stranger.write_bytes(b"from a history moved aside")
    with Store.open(tmp_path) as store:
        assert store.swept_files_count == 1
        assert not Path(abandoned.path).exists() and not leftover.exists()
        assert Path(used.path).exists() and Path(recent.path).exists() and stranger.exists()
        assert sorted(file_rows(store)) == sorted([used.sha256, recent.sha256])


# ------------------------------------------------------------------------------------- search


def test_attachment_names_are_searchable(store: Store) -> None:
    conv = conversation(store)
    question = ask(
        store,
        conv,
        "请看附件",
        [store.keep_file(PDF, "季度财务报告.pdf"), MessageFile(name="Budget_2024.xlsx", size=3)],
    )
    ask(store, conv, "别的问题")
    for query in ("财务报告", "财务", "报", "budget_2024", "季度 pdf"):
        hits = store.search(query)
        assert [h.message_id for h in hits] == [question.id], query
        assert hits[0].in_attachment and not hits[0].in_source
    (hit,) = store.search("财务报告")
    assert hit.attachment_position == 1 and hit.snippet == "季度«财务报告».pdf"
    assert store.search("Budget")[0].attachment_position == 2
    (text_hit,) = store.search("附件")
    assert not text_hit.in_attachment and text_hit.attachment_position == 0
    assert store.search("财务 别的") == []  # every word in one document
    store.trash_message(question.id or 0)
    assert store.search("财务报告") == []
    store.restore_message(question.id or 0)
    store.delete_message_forever(question.id or 0)
    assert store.search("财务报告") == []
    store._db.conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")


def test_sources_and_attachments_share_a_message_in_search(store: Store) -> None:
    conv = conversation(store)
    answer = store.add_message(
        Message(
            id=None,
            conversation_id=conv,
            role=Role.ASSISTANT,
            text="回答",
            sources=[Source(slice=f"段落{n}") for n in range(3)],
            attachments=[MessageFile(name="图表.png", size=1)],
        )
    )
    assert store.search("段落2")[0].source_rank == 3
    assert store.search("图表")[0].attachment_position == 1
    assert {h.message_id for h in store.search("回答")} == {answer.id}
    store._db.conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")


# ---------------------------------------------------------------------------------- migration


def make_v4_database(path: Path) -> None:
    """A database as version 4 (the current release before attachments) left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(conn, path, target=4)
    conn.execute(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at, draft) "
        "VALUES (1, 'c1', 'bot', 'https://api.coze.cn', '第四版的会话', 100, 200, '没写完')"
    )
    conn.execute(
        "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at, parent_id) "
        "VALUES (1, 'm1', 1, 'user', 'question', '附件功能什么时候上线？', 'complete', 150, NULL), "
        "(2, 'm2', 1, 'assistant', 'answer', '下个版本。', 'complete', 160, 1)"
    )
    conn.execute("INSERT INTO sources (message_id, rank, slice) VALUES (2, 0, '发布计划文档')")
    conn.close()


def test_migrates_v4_database_keeping_data_and_backing_up(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    make_v4_database(path)
    with Store.open(path) as store:
        conn = store._db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        (backup,) = store.backups
        assert backup.name.startswith(f"{DB_FILENAME}.bak-v4-") and mode(backup) == 0o600
        question, answer = store.messages(1)
        assert question.text == "附件功能什么时候上线？" and question.attachments == []
        assert answer.sources[0].slice == "发布计划文档" and answer.parent_id == question.id
        assert store.draft(1) == "没写完"
        assert [h.message_id for h in store.search("附件功能")] == [1]
        assert [h.in_source for h in store.search("发布计划")] == [True]
        # The new tables work on the migrated file:
        kept = store.keep_file(PNG, "截图.png")
        saved = ask(store, 1, "看图", [kept])
        assert [h.message_id for h in store.search("截图")] == [saved.id]
        conn.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)")
        assert store.check_integrity() == []
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 4
    assert copy.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    copy.close()


def test_paths_are_absolute_with_a_relative_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open("相对目录") as store:
        kept = store.keep_file(PNG, "a.png")
        saved = ask(store, conversation(store), "x", [kept])
    monkeypatch.chdir("/")
    assert Path(kept.path).is_absolute() and Path(kept.path).read_bytes() == PNG
    assert saved.attachments[0].path == kept.path
