"""Small real files for attachment tests: a PNG made here (no fixture file) and a PDF's bytes."""

from __future__ import annotations

import struct
import zlib


def png_bytes(width: int = 2, height: int = 1) -> bytes:
    """A real, minimal RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n% \xe5\x90\x88\xe5\x90\x8c\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
