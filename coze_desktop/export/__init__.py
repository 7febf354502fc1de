"""Exports of saved conversations as Markdown, JSON or HTML, and JSON exports read back.

Standard library only: no Qt, no SQLite, no ``coze_desktop.api``; it works on the dataclasses of
:mod:`coze_desktop.domain`. JSON is the lossless form, documented in ``docs/export-format.md``;
Markdown and HTML are for people and are never read back. The renderers take
:class:`ConversationExport` items (a conversation, its messages oldest first and its bot) and
return text that always encodes as UTF-8 (lone surrogates become U+FFFD).

- :mod:`.common`: the item type, labels, times and notes every format shares
- :mod:`.markdown`, :mod:`.html`: the formats for people
- :mod:`.jsonfmt`: the JSON writer and its reader side by side
- :mod:`.writer`: pick a format by name and write the file safely, attachments included
- :mod:`.attachments`: safe file names, the folder next to a Markdown export, embedding
- :mod:`.progress`: how far a long export or import is, and its cancel (:class:`Progress`)

The store gathers conversations to export and saves imported ones
(:mod:`coze_desktop.store.exporting`); the window and ``coze-cli`` both go through it.
"""

from coze_desktop.export.attachments import HTML_EMBED_MAX_BYTES, files_folder, safe_file_name
from coze_desktop.export.common import ConversationExport
from coze_desktop.export.html import to_html
from coze_desktop.export.jsonfmt import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ExportFormatError,
    FileData,
    ImportResult,
    SkippedItem,
    parse_json_export,
    run_json,
    to_json,
    write_json,
)
from coze_desktop.export.markdown import to_markdown
from coze_desktop.export.progress import Canceled, Progress
from coze_desktop.export.writer import (
    FORMAT_BY_SUFFIX,
    FORMATS,
    ExportSummary,
    export_file,
    render,
    write_file,
)

__all__ = [
    "FORMATS",
    "FORMAT_BY_SUFFIX",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HTML_EMBED_MAX_BYTES",
    "Canceled",
    "ConversationExport",
    "ExportFormatError",
    "ExportSummary",
    "FileData",
    "ImportResult",
    "Progress",
    "SkippedItem",
    "export_file",
    "files_folder",
    "parse_json_export",
    "render",
    "run_json",
    "safe_file_name",
    "to_html",
    "to_json",
    "to_markdown",
    "write_file",
    "write_json",
]
