"""Format and pixel size of an image from its header (PNG, JPEG, GIF, WebP, BMP), and the images the
demo serves under ``/demo/images/`` (PNGs drawn here). Stdlib only."""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterator


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` for a PNG/JPEG/GIF/WebP/BMP told by its content, else None.
    The size is 0×0 when the header is cut short."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            w, h = struct.unpack(">II", data[16:24])
            return "PNG", w, h
        return "PNG", 0, 0
    if data.startswith((b"GIF87a", b"GIF89a")):
        w, h = struct.unpack("<HH", data[6:10]) if len(data) >= 10 else (0, 0)
        return "GIF", w, h
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("WebP", *_webp_size(data))
    if data.startswith(b"BM") and len(data) >= 14:
        if len(data) >= 26:
            w, h = struct.unpack("<ii", data[18:26])
            return "BMP", abs(w), abs(h)
        return "BMP", 0, 0
    if data.startswith(b"\xff\xd8\xff"):
        return ("JPEG", *_jpeg_size(data))
    return None


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8L" and len(data) >= 25:
        b = int.from_bytes(data[21:25], "little")
        return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    return 0, 0


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return 0, 0
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF and i + 9 <= len(data):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return 0, 0


# ------------------------------------------------------------------------ images the demo serves

SLOW_IMAGE_SECONDS = 5.0  # /demo/images/slow.png waits this long before its first byte
_CHART_BARS = ((0x3B, 0x82, 0xF6), (0x10, 0xB9, 0x81), (0xF5, 0x9E, 0x0B), (0xEF, 0x44, 0x44))


def png(width: int, height: int, rows: Iterator[bytes]) -> bytes:
    """A PNG (8-bit RGB) from ``height`` rows of ``3 * width`` bytes each."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _chart(width: int = 480, height: int = 300) -> bytes:
    """A bar chart: four coloured bars on a light background with a base line."""
    background = bytes((0xF8, 0xFA, 0xFC))
    heights = (0.45, 0.8, 0.6, 0.95)
    bar_width = width // 8
    rows = []
    for y in range(height):
        row = bytearray(background * width)
        level = 1 - y / height
        if y == height - 20:
            row = bytearray(bytes((0x33, 0x41, 0x55)) * width)
        elif y < height - 20:
            for index, (share, color) in enumerate(zip(heights, _CHART_BARS, strict=True)):
                if level - 20 / height <= share * 0.85:
                    left = bar_width // 2 + index * 2 * bar_width
                    row[3 * left : 3 * (left + bar_width)] = bytes(color) * bar_width
        rows.append(bytes(row))
    return png(width, height, iter(rows))


@functools.cache
def demo_image(name: str) -> bytes | None:
    """The bytes of the image the demo serves as ``/demo/images/<name>``, None when there is none."""
    if name in ("chart.png", "slow.png"):
        return _chart()
    return None
