"""One way to turn conversations into an export file, for the window and ``coze-cli`` alike."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from coze_desktop.export.common import ConversationExport
from coze_desktop.export.html import to_html
from coze_desktop.export.jsonfmt import to_json
from coze_desktop.export.markdown import to_markdown

FORMATS = ("md", "json", "html")  # Markdown for reading, JSON for import, HTML for a browser
FORMAT_BY_SUFFIX = {".md": "md", ".json": "json", ".html": "html"}


def render(
    items: Sequence[ConversationExport], fmt: str, *, lang: str = "zh", tz: tzinfo | None = None
) -> str:
    """The export of ``items`` in ``fmt`` (one of :data:`FORMATS`); labels in ``lang`` (Markdown
    and HTML), times in ``tz`` (the local zone when None). JSON has neither."""
    if fmt == "json":
        return to_json(items)
    if fmt == "html":
        return to_html(items, lang=lang, tz=tz)
    if fmt == "md":
        return to_markdown(items, lang=lang, tz=tz)
    raise ValueError(f"unknown export format {fmt!r}")


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 through a ``.part`` file beside it, so a failed write
    never leaves a half-written export under the real name. Raises ``OSError``."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
