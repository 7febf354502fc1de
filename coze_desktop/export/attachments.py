"""Attachments in exports: safe file names, the sibling folder of a Markdown export, embedding.

Standard library only. A message's attachments (:class:`~coze_desktop.domain.MessageFile`) carry
the path of their local copy when the history keeps one (``path``; ``""`` otherwise); every
function here reads only those copies.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coze_desktop.domain import MessageFile
from coze_desktop.export.progress import Progress, checked
from coze_desktop.text.media import SNIFF_BYTES, mime_of

HTML_EMBED_MAX_BYTES = 10 * 1024 * 1024  # larger images are listed by name in an HTML export, not embedded
FILES_FOLDER_SUFFIX = "_files"  # chat.md → chat_files/
NAME_MAX_BYTES = 150  # UTF-8 bytes of one exported file name (file systems allow 255)

# Characters no file name may hold on some system (Windows is the strictest): separators,
# reserved punctuation and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_WINDOWS_RESERVED = re.compile(
    r"^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE
)

# Image types a browser shows in an <img>; other images are listed, not embedded.
_BROWSER_IMAGES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/avif",
    "image/x-icon",
    "image/vnd.microsoft.icon",
}


def safe_file_name(name: str) -> str:
    """``name`` made safe as a file name on Windows, macOS and Linux, readable text kept.

    Separators, reserved characters (``\\ / : * ? " < > |``), control and invisible format
    characters become ``_``;
    leading dots and spaces and trailing dots and spaces are dropped; a reserved Windows device
    name (``CON``, ``nul.txt``) gets a leading ``_``; an over-long name is shortened keeping its
    extension; an empty result is ``file``. Chinese and other letters are kept (NFC).
    """
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text)
    # Other control and invisible format characters (e.g. U+202E, which shows "gnp.exe" as
    # "exe.png") and line separators.
    text = "".join("_" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    text = text.strip(" .")
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    text = _shorten(text, NAME_MAX_BYTES)
    return text or "file"


def _shorten(name: str, max_bytes: int) -> str:
    """``name`` cut to ``max_bytes`` UTF-8 bytes, keeping a short extension."""
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode("utf-8")) > 16:
        stem, ext = name, ""
    suffix = "." + ext if ext else ""
    budget = max_bytes - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut.rstrip(" .") + suffix


def numbered(name: str, number: int) -> str:
    """``report (2).pdf`` for ``report.pdf`` and 2."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({number})"
    return f"{stem} ({number}).{ext}"


def files_folder(export_path: Path) -> Path:
    """The folder written next to a Markdown export for its attachments: ``chat.md`` → ``chat_files``."""
    return export_path.with_name(export_path.stem + FILES_FOLDER_SUFFIX)


def local_copy(attachment: MessageFile) -> Path | None:
    """The attachment's local copy when the history has it on disk now, else None."""
    if not attachment.path:
        return None
    path = Path(attachment.path)
    return path if path.is_file() else None


def format_size(size: int) -> str:
    """``512 B``, ``34 KB``, ``1.2 MB``, ``3.4 GB`` (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{max(size, 0)} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if value >= 100 or unit == "KB" else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def is_image(attachment: MessageFile) -> bool:
    """Whether the attachment is an image (by the kind told from its content, or its media type)."""
    return attachment.kind == "image" or attachment.mime.lower().startswith("image/")


def too_large_to_embed(path: Path) -> bool:
    """Whether a local copy is over :data:`HTML_EMBED_MAX_BYTES` (an unreadable one is not)."""
    try:
        return path.stat().st_size > HTML_EMBED_MAX_BYTES
    except OSError:
        return False


def data_uri(attachment: MessageFile) -> str | None:
    """``data:image/png;base64,…`` for an image whose local copy can be read, is at most
    :data:`HTML_EMBED_MAX_BYTES` and is a type browsers show; None otherwise (then it is listed
    by name)."""
    path = local_copy(attachment)
    if path is None or not is_image(attachment):
        return None
    try:
        if too_large_to_embed(path):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    mime = attachment.mime.lower().strip()
    if mime not in _BROWSER_IMAGES:
        mime = mime_of(data[:SNIFF_BYTES], "")  # the type told by the content
    if mime not in _BROWSER_IMAGES:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def file_data(attachment: MessageFile) -> str | None:
    """The local copy's bytes as base64 text (JSON export), or None when there is no readable copy."""
    path = local_copy(attachment)
    if path is None:
        return None
    try:
        return base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# The sibling folder of a Markdown export
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class FilesFolder:
    """Where each attachment of a Markdown export was copied: ``links`` maps the local copy's
    path (:attr:`MessageFile.path`) to its link relative to the export, ``folder/name``.

    An attachment whose copy is not in ``links`` is listed as not kept.
    """

    folder: Path | None = None
    links: dict[str, str] = field(default_factory=dict)
    missing: int = 0  # attachments listed without a copy
    written: list[Path] = field(default_factory=list)  # the files this export wrote
    created: bool = False  # whether this export created the folder

    @property
    def copied(self) -> int:
        """How many distinct files were written into the folder."""
        return len(set(self.links.values()))

    def remove(self) -> None:
        """Take back what was written (the export failed or was canceled afterwards): the files,
        and the folder when this export created it and nothing else is in it."""
        _remove_written(self.folder, self.written, self.created)


def plan_names(attachments: Iterable[MessageFile]) -> dict[str, str]:
    """A distinct safe file name for each local copy, in order: the same copy (same content, the
    history keeps one per content) gets one name; clashes (compared as Windows and macOS do,
    ignoring case) are numbered ``name (2).ext``."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for attachment in attachments:
        if attachment.path in names or local_copy(attachment) is None:
            continue
        base = safe_file_name(attachment.name)
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            name = numbered(base, number)
        taken.add(name.casefold())
        names[attachment.path] = name
    return names


def write_files_folder(
    folder: Path, attachments: Sequence[MessageFile], progress: Progress | None = None
) -> FilesFolder:
    """Copy the local copies of ``attachments`` into ``folder`` (created when there is at least
    one) and return their links, ``<folder name>/<file name>``.

    Each file is written through a hidden ``.part`` file and renamed, so a file under its real name is
    always whole. Files already in an existing folder of the same name are replaced when they
    have the same name, else left alone. A copy that disappears meanwhile is listed as not kept.
    Raises ``OSError`` when the folder or a file cannot be written (full disk, no permission),
    and :class:`~coze_desktop.export.progress.Canceled` when ``progress`` is canceled (checked
    between files; it counts bytes); files written by this call are removed then.
    """
    progress = checked(progress)
    result = FilesFolder()
    names = plan_names(attachments)
    result.missing = sum(1 for a in attachments if a.path not in names)
    if not names:
        return result
    written: list[Path] = []
    created = not folder.exists()
    tmp: Path | None = None
    try:
        progress.start(sum(file_size(Path(source)) for source in names))
        folder.mkdir(exist_ok=True)
        for source, name in names.items():
            target = folder / name
            tmp = folder / f".{secrets.token_hex(8)}.part"  # never the name of another file here
            try:
                shutil.copyfile(source, tmp)
            except FileNotFoundError:
                if not folder.is_dir():
                    raise
                tmp.unlink(missing_ok=True)
                result.missing += 1
                continue
            os.replace(tmp, target)
            tmp = None
            written.append(target)
            result.links[source] = f"{folder.name}/{name}"
            progress.advance(file_size(target))
    except BaseException:  # OSError, Canceled (and KeyboardInterrupt in coze-cli)
        _remove_written(folder, [*written, *([tmp] if tmp else [])], created)
        raise
    result.written, result.created = written, created
    if result.links:
        result.folder = folder
    elif created:
        folder.rmdir()
    return result


def file_size(path: Path) -> int:
    """The size of ``path`` in bytes, 0 when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _remove_written(folder: Path | None, written: Iterable[Path], created: bool) -> None:
    for path in written:
        path.unlink(missing_ok=True)
    try:
        if created and folder is not None and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass  # left behind, empty: nothing to lose
