"""Render the app icon from its SVG source into every size and container the installers need.

``python packaging/make_icons.py`` writes, next to ``resources/icons/coze-desktop.svg``:

- ``coze-desktop-<size>.png`` for 16, 24, 32, 48, 64, 128, 256, 512 and 1024 pixels
  (window icon, Linux hicolor theme, the macOS/Windows containers below);
- ``coze-desktop.ico``: Windows icon, one PNG-compressed entry per size from 16 to 256
  (Windows Vista and later read PNG entries at every size);
- ``coze-desktop.icns``: macOS icon, PNG entries ``icp4`` … ``ic14`` (16 to 1024 pixels).

Both containers are written here by hand (they are a short header, a directory and the PNG
bytes), so the build needs neither Pillow nor Apple's ``iconutil``. Rendering uses QtSvg on the
offscreen platform, so it runs headless; the output is deterministic for a given Qt version and
the generated files are committed.

``read_ico`` and ``read_icns`` parse the containers back; the tests use them.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons"
SOURCE = ICON_DIR / "coze-desktop.svg"
NAME = "coze-desktop"

PNG_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, with their pixel size (Apple's iconutil writes the same set).
ICNS_TYPES: tuple[tuple[bytes, int], ...] = (
    (b"icp4", 16),
    (b"ic11", 32),  # 16pt @2x
    (b"icp5", 32),
    (b"ic12", 64),  # 32pt @2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128pt @2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256pt @2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512pt @2x
)
# Sizes installed into the freedesktop hicolor theme (hicolor has no 1024 folder).
HICOLOR_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_name(size: int) -> str:
    """File name of the PNG rendering at ``size`` pixels."""
    return f"{NAME}-{size}.png"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; ``ValueError`` if ``data`` is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render_pngs(source: Path, sizes: Iterable[int]) -> dict[int, bytes]:
    """Render the SVG at each size (square, transparent, antialiased) and return PNG bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the SVG icon {source}")
    out: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
            raise SystemExit(f"cannot encode the {size}px icon as PNG")
        buffer.close()
        out[size] = bytes(data.data())
    del app  # the application object outlives this call when it already existed
    return out


def build_ico(pngs: dict[int, bytes], sizes: Sequence[int] = ICO_SIZES) -> bytes:
    """A Windows ``.ico``: ICONDIR, one 16-byte ICONDIRENTRY per image, then the PNG data.

    Width/height 0 in an entry means 256 (the format's largest size).
    """
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"an ICO entry cannot be {size}px")
        data = pngs[size]
        side = 0 if size == 256 else size
        # width, height, colour count, reserved, planes, bits per pixel, byte count, offset
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(blobs)


def read_ico(data: bytes) -> list[tuple[int, int, bytes]]:
    """Parse a ``.ico`` into ``(width, height, image bytes)`` per entry; ``ValueError`` if broken."""
    if len(data) < 6:
        raise ValueError("too short for an ICO header")
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if reserved != 0 or kind != 1 or count == 0:
        raise ValueError("not an ICO icon directory")
    images = []
    for index in range(count):
        width, height, _colors, _res, _planes, _bpp, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        if offset + length > len(data):
            raise ValueError(f"entry {index} points outside the file")
        images.append((width or 256, height or 256, data[offset : offset + length]))
    return images


def build_icns(pngs: dict[int, bytes], types: Sequence[tuple[bytes, int]] = ICNS_TYPES) -> bytes:
    """A macOS ``.icns``: ``icns`` + total length, then (type, length incl. 8-byte header, PNG)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in types)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def read_icns(data: bytes) -> list[tuple[bytes, bytes]]:
    """Parse a ``.icns`` into ``(type, element data)`` pairs; ``ValueError`` if broken."""
    if data[:4] != b"icns" or struct.unpack_from(">I", data, 4)[0] != len(data):
        raise ValueError("not an ICNS file, or its length field is wrong")
    elements, position = [], 8
    while position < len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack_from(">I", data, position + 4)
        if length < 8 or position + length > len(data):
            raise ValueError(f"element {kind!r} has a bad length")
        elements.append((kind, data[position + 8 : position + length]))
        position += length
    return elements


def make_icons(source: Path = SOURCE, out_dir: Path = ICON_DIR) -> list[Path]:
    """Render and write every icon file; returns the paths written."""
    pngs = render_pngs(source, PNG_SIZES)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size, data in pngs.items():
        path = out_dir / png_name(size)
        path.write_bytes(data)
        written.append(path)
    ico = out_dir / f"{NAME}.ico"
    ico.write_bytes(build_ico(pngs))
    icns = out_dir / f"{NAME}.icns"
    icns.write_bytes(build_icns(pngs))
    return [*written, ico, icns]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python packaging/make_icons.py [--source SVG] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, default=SOURCE, help="the SVG to render (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=ICON_DIR, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in make_icons(args.source, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
