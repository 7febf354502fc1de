"""Attachments on the wire: checking a local file before upload, telling images by content
(the signatures live in :mod:`coze_desktop.text.media`, shared with the store), and building the ``object_string`` content of a message (coze-api.md §2, §8). No Qt."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coze_desktop.text.media import SNIFF_BYTES, audio_format, image_format, kind_of

__all__ = [
    "MAX_UPLOAD_BYTES",
    "Attachment",
    "AttachmentError",
    "audio_format",
    "check_file",
    "file_kind",
    "image_format",
    "kind_of",
    "object_string",
    "question_with_files",
]

MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # Coze's limit per file (coze-api.md §8)


class AttachmentError(ValueError):
    """A local file cannot be attached; the message names the path. Nothing was uploaded."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def check_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_UPLOAD_BYTES) -> int:
    """Check that ``path`` can be uploaded; return its size. Raises :class:`AttachmentError`
    for a missing file, a folder, an unreadable file, an empty file or one over ``max_bytes``."""
    p = Path(path)
    if not p.exists():
        raise AttachmentError(p, "no such file")
    if p.is_dir():
        raise AttachmentError(p, "is a folder, not a file")
    try:
        with p.open("rb") as fh:
            fh.read(1)
        size = p.stat().st_size
    except OSError as exc:
        raise AttachmentError(p, f"cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise AttachmentError(p, "is empty")
    if size > max_bytes:
        raise AttachmentError(p, f"is too large ({size} bytes; the limit is {max_bytes} bytes)")
    return size


def file_kind(path: str | os.PathLike[str]) -> str:
    with Path(path).open("rb") as fh:
        return kind_of(fh.read(SNIFF_BYTES))


@dataclass(frozen=True, slots=True)
class Attachment:
    """An uploaded file as it goes into a message."""

    name: str
    file_id: str
    bytes: int
    kind: str  # image | file | audio

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "file_id": self.file_id, "bytes": self.bytes, "kind": self.kind}


def object_string(text: str, attachments: Sequence[Attachment]) -> str:
    """The ``content`` of an object_string message: JSON text of ``[text part?, one part per file]``.
    An empty text leaves the text part out (Coze allows at most one; coze-api.md §2)."""
    parts: list[dict[str, str]] = [{"type": "text", "text": text}] if text else []
    parts += [{"type": a.kind, "file_id": a.file_id} for a in attachments]
    return json.dumps(parts, ensure_ascii=False)


def question_with_files(text: str, attachments: Sequence[Attachment]) -> dict[str, Any]:
    """The user's question as an EnterMessage: ``object_string`` when there are files, else text."""
    if not attachments:
        return {"role": "user", "type": "question", "content": text, "content_type": "text"}
    return {
        "role": "user",
        "type": "question",
        "content": object_string(text, attachments),
        "content_type": "object_string",
    }
