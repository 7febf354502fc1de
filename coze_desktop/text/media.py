"""What a file is, told by its first bytes rather than its name: image, audio or other file.

Shared by the client (``api.files``: the part type of an ``object_string`` message) and the
history (``store.files``: the kind and media type recorded with a kept copy). No I/O.
"""

from __future__ import annotations

import mimetypes

SNIFF_BYTES = 16  # enough of a file's start for every signature below

_IMAGE_MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}


def image_format(head: bytes) -> str | None:
    """The image format told by the first bytes (``png``, ``jpeg``, ``gif``, ``webp``, ``bmp``), else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    return None


def audio_format(head: bytes) -> str | None:
    """The audio format told by the first bytes (``wav``, ``mp3``, ``flac``, ``ogg``), else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (
        len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] != 0xFF
    ):
        return "mp3"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    return None


def kind_of(head: bytes) -> str:
    """``image``, ``audio`` or ``file`` for an object_string part, judged by content, not by name."""
    if image_format(head):
        return "image"
    if audio_format(head):
        return "audio"
    return "file"


def mime_of(head: bytes, name: str) -> str:
    """The media type of a file: from its content for an image, else guessed from ``name``;
    "" when unknown."""
    image = image_format(head)
    if image:
        return _IMAGE_MIME[image]
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or ""
