"""The local copies of attached files: content-addressed, private, written whole or not at all.

A copy lives at ``<data folder>/files/<sha256[:2]>/<sha256>`` (folders 0700, files 0600): one
copy per distinct content, whatever names it was attached under. A copy is written to a
temporary file in ``files/`` (``.part-*``) while the source is read in chunks and hashed, then
renamed into place, so a failure (a full disk, a source that cannot be read) leaves no partial
file behind. The database side (which copies exist, which attachments use them) is in
:mod:`coze_desktop.store.chats`; this module only handles the folder. No Qt, no Coze API.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from coze_desktop.store.db import PRIVATE_FILE_MODE, StoreError, StoreWriteError
from coze_desktop.store.paths import ensure_private_dir
from coze_desktop.text.media import SNIFF_BYTES, kind_of, mime_of

logger = logging.getLogger(__name__)

FILES_DIRNAME = "files"
CHUNK_BYTES = 1024 * 1024  # read, hash and write this much at a time: never a whole file in memory
TEMP_PREFIX = ".part-"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class SourceFileError(StoreError):
    """The file to keep could not be read (moved, deleted, unreadable). Nothing was kept."""


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A copy in the files folder, as :meth:`FileStore.keep` made (or found) it."""

    sha256: str
    size: int
    kind: str  # image | audio | file, by content
    mime: str  # by content for images, else guessed from the name; "" when unknown
    path: Path


def is_sha256(value: str) -> bool:
    """True for a lower-case hex SHA-256 digest (the only names the files folder holds)."""
    return _SHA256.fullmatch(value) is not None


class FileStore:
    """The ``files`` folder next to the history database. Safe to use from several threads:
    every copy goes through its own temporary file and an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the copy of ``sha256`` lives (whether it exists or not). ``ValueError`` for a bad digest."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def existing(self, sha256: str) -> Path | None:
        """The copy of ``sha256`` when it is on disk, else ``None`` (also for a malformed digest)."""
        if not is_sha256(sha256):
            return None
        path = self.root / sha256[:2] / sha256
        return path if path.is_file() else None

    def keep(self, source: Path | bytes, name: str) -> KeptFile:
        """Copy ``source`` (a file, or the bytes themselves) into the folder; see the module docstring.

        Raises :class:`SourceFileError` when the source cannot be read and
        :class:`~coze_desktop.store.db.StoreWriteError` when the copy cannot be written (full
        disk, read-only folder); either way no partial file is left.
        """
        try:
            ensure_private_dir(self.root)
        except OSError as exc:
            raise _write_error(exc, self.root) from exc
        with _opened(source) as reader:
            fd, temp_name = self._temp_file()
            temp = Path(temp_name)
            try:
                with _open_temp(fd) as out:
                    sha, size, head = _copy(reader, out, source, temp)
                    out.flush()
                    os.fsync(out.fileno())
                target = self.path_of(sha)
                ensure_private_dir(target.parent)
                if _same_size(target, size):
                    temp.unlink()  # this content is already kept: one copy is enough
                else:
                    try:
                        os.replace(temp, target)
                    except PermissionError:  # Windows: another thread's copy of it is open
                        if not _same_size(target, size):
                            raise
                        temp.unlink()
                    os.chmod(target, PRIVATE_FILE_MODE)
            except OSError as exc:
                temp.unlink(missing_ok=True)
                raise _write_error(exc, self.root) from exc
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
        return KeptFile(sha256=sha, size=size, kind=kind_of(head), mime=mime_of(head, name), path=target)

    def _temp_file(self) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)  # created 0600
        except OSError as exc:
            raise _write_error(exc, self.root) from exc

    def remove(self, sha256: str) -> None:
        """Delete the copy of ``sha256`` (and its folder when that becomes empty); missing is fine."""
        path = self.path_of(sha256)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("cannot delete the unused copy %s: %s", path, exc)
            return
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty
        logger.info("deleted the unused copy %s", path)

    def remove_stale_parts(self, older_than: float) -> int:
        """Delete temporary files left by a crash that are older than ``older_than`` (Unix time)."""
        removed = 0
        try:
            entries = list(self.root.glob(TEMP_PREFIX + "*"))
        except OSError:
            return 0
        for entry in entries:
            try:
                if entry.stat().st_mtime < older_than:
                    entry.unlink()
                    removed += 1
            except OSError as exc:
                logger.warning("cannot delete the leftover %s: %s", entry, exc)
        return removed


def _open_temp(fd: int) -> BinaryIO:
    """The temporary file, for writing (a seam for tests that simulate a full disk)."""
    return os.fdopen(fd, "wb")


@contextlib.contextmanager
def _opened(source: Path | bytes) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(source))
        return
    try:
        reader = Path(source).open("rb")
    except OSError as exc:
        raise _read_error(exc, Path(source)) from exc
    with reader:
        yield reader


def _copy(reader: BinaryIO, out: BinaryIO, source: Path | bytes, temp: Path) -> tuple[str, int, bytes]:
    """Copy in chunks while hashing; returns (sha256, size, first bytes)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    while True:
        try:
            chunk = reader.read(CHUNK_BYTES)
        except OSError as exc:
            source_path = source if isinstance(source, Path) else temp
            raise _read_error(exc, source_path) from exc
        if not chunk:
            break
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size, head


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _read_error(exc: OSError, path: Path) -> SourceFileError:
    return SourceFileError(
        f"无法读取要保存的文件：{exc.strerror or exc}。Cannot read {path} to keep a copy in the chat "
        f"history: {exc.strerror or exc}. Nothing was kept.",
        path=path,
    )


def _write_error(exc: OSError, folder: Path) -> StoreWriteError:
    if exc.errno in _DISK_FULL:
        return StoreWriteError(
            f"磁盘已满，附件未保存到聊天记录。The disk is full: the attachment could not be copied "
            f"into {folder}. Free some space and try again; nothing was half-written.",
            path=folder,
        )
    return StoreWriteError(
        f"无法把附件保存到聊天记录：{exc.strerror or exc}。Cannot copy the attachment into {folder}: "
        f"{exc.strerror or exc}. Check that the folder exists and that you may write to it; "
        "nothing was half-written.",
        path=folder,
    )
