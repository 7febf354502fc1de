"""One way to turn conversations into an export file, for the window and ``coze-cli`` alike."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import BinaryIO

from coze_desktop.domain import WorkflowRun
from coze_desktop.export.attachments import FilesFolder, files_folder, local_copy, write_files_folder
from coze_desktop.export.common import ConversationExport
from coze_desktop.export.html import to_html
from coze_desktop.export.jsonfmt import to_json, write_json
from coze_desktop.export.markdown import to_markdown
from coze_desktop.export.progress import Progress, checked

FORMATS = ("md", "json", "html")  # Markdown for reading, JSON for import, HTML for a browser
FORMAT_BY_SUFFIX = {".md": "md", ".json": "json", ".html": "html"}


def render(
    items: Sequence[ConversationExport],
    fmt: str,
    *,
    lang: str = "zh",
    tz: tzinfo | None = None,
    include_files: bool = True,
    runs: Sequence[WorkflowRun] = (),
) -> str:
    """The export of ``items`` (and workflow ``runs``, after them) in ``fmt`` (one of :data:`FORMATS`); labels in ``lang`` (Markdown
    and HTML), times in ``tz`` (the local zone when None). JSON has neither; it carries the
    attachments' content unless ``include_files`` is False. Markdown rendered here lists
    attachments by name and size only: :func:`export_file` writes them next to it."""
    if fmt == "json":
        return to_json(items, include_files=include_files, runs=runs)
    if fmt == "html":
        return to_html(items, lang=lang, tz=tz, include_files=include_files, runs=runs)
    if fmt == "md":
        return to_markdown(items, lang=lang, tz=tz, runs=runs)
    raise ValueError(f"unknown export format {fmt!r}")


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 through a ``.part`` file beside it, so a failed write
    never leaves a half-written export under the real name. Raises ``OSError``."""
    _write_through_part(path, lambda out: out.write(text.encode("utf-8")))


def _write_through_part(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a ``.part`` file beside ``path``, then rename it to ``path``; on any
    failure remove the ``.part`` file and raise."""
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("wb") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What :func:`export_file` wrote besides the file: the folder of a Markdown export's
    attachments (None when it has none to hold), how many files went into it, and how many
    attachments had no local copy to export (listed by name and size only)."""

    folder: Path | None = None
    files_written: int = 0
    files_missing: int = 0


def export_file(
    path: Path,
    items: Sequence[ConversationExport],
    fmt: str,
    *,
    lang: str = "zh",
    tz: tzinfo | None = None,
    include_files: bool = True,
    progress: Progress | None = None,
    runs: Sequence[WorkflowRun] = (),
) -> ExportSummary:
    """Write the export of ``items`` (and workflow ``runs``) to ``path`` as :func:`render` does,
    with the attachments:

    - Markdown: the kept files are copied into a folder next to it (``chat.md`` → ``chat_files/``,
      one for all the conversations in the file) and linked from the document; no folder when
      there is nothing to copy, or when ``include_files`` is False (then files are listed only).
    - HTML: images embedded in the page; JSON: content as base64.

    With ``include_files`` False no file content goes anywhere: attachments are listed only.

    ``progress`` counts the bytes of attachments written (none for HTML) and is checked between
    files and chunks: once canceled, :class:`~coze_desktop.export.progress.Canceled` is raised.

    Raises ``OSError`` when something cannot be written. On any failure or cancel the export file
    is left as it was and the attachments this call wrote next to it are removed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    progress = checked(progress)
    progress.check()
    shown_only = fmt != "json"  # Markdown and HTML show the shown versions; JSON keeps them all
    attachments = [a for i in items for m in i.messages if m.shown or not shown_only for a in m.attachments]
    not_kept = sum(1 for a in attachments if local_copy(a) is None)
    if fmt == "json":  # the files' content streamed from their copies, never whole in memory
        _write_through_part(
            path,
            lambda out: write_json(out, items, include_files=include_files, progress=progress, runs=runs),
        )
        return ExportSummary(files_missing=not_kept)
    if fmt == "html":
        progress.start(0)
        text = to_html(items, lang=lang, tz=tz, include_files=include_files, runs=runs)
        progress.check()
        write_file(path, text)
        return ExportSummary(files_missing=not_kept)
    folder = FilesFolder(missing=not_kept)
    if include_files and attachments:
        folder = write_files_folder(files_folder(path), attachments, progress)
    try:
        text = to_markdown(items, lang=lang, tz=tz, links=folder.links if include_files else None, runs=runs)
        progress.check()
        write_file(path, text)
    except BaseException:  # no Markdown file: its attachments' folder goes too
        folder.remove()
        raise
    return ExportSummary(folder.folder, folder.copied, folder.missing)
