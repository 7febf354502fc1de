"""The app icon: the SVG source, the PNG sizes, and the hand-written ICO and ICNS containers."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from packaging_scripts import load
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

make_icons = load("make_icons")
ICONS = make_icons.ICON_DIR


def test_the_svg_source_is_plain_vector_art() -> None:
    svg = (ICONS / "coze-desktop.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 1024 1024"' in svg
    # Nothing QtSvg (SVG Tiny 1.2) renders differently or not at all, and no embedded bitmaps.
    for unsupported in ("<filter", "<image", "<text", "<mask", "<pattern", "xlink:href"):
        assert unsupported not in svg


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_every_png_size_exists_square_and_with_alpha(size: int) -> None:
    data = (ICONS / make_icons.png_name(size)).read_bytes()
    assert make_icons.png_size(data) == (size, size)
    bit_depth, color_type = data[24], data[25]
    assert (bit_depth, color_type) == (8, 6)  # 8-bit RGBA


def test_png_size_rejects_other_data() -> None:
    with pytest.raises(ValueError):
        make_icons.png_size(b"GIF89a" + bytes(30))


def test_ico_holds_one_png_per_size_up_to_256() -> None:
    data = (ICONS / "coze-desktop.ico").read_bytes()
    entries = make_icons.read_ico(data)
    assert [(w, h) for w, h, _ in entries] == [(s, s) for s in make_icons.ICO_SIZES]
    for (width, _height, blob), size in zip(entries, make_icons.ICO_SIZES, strict=True):
        assert blob.startswith(make_icons.PNG_SIGNATURE)
        assert make_icons.png_size(blob) == (width, width)
        assert blob == (ICONS / make_icons.png_name(size)).read_bytes()
    # Each directory entry: 1 plane, 32 bits per pixel; 256 px is written as 0.
    _res, _kind, count = struct.unpack_from("<HHH", data, 0)
    for index in range(count):
        width, _h, _c, _r, planes, bpp, _len, _off = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        assert (planes, bpp) == (1, 32)
        assert width == (0 if make_icons.ICO_SIZES[index] == 256 else make_icons.ICO_SIZES[index])


def test_icns_holds_the_png_element_types() -> None:
    data = (ICONS / "coze-desktop.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    elements = make_icons.read_icns(data)
    assert [kind for kind, _ in elements] == [kind for kind, _ in make_icons.ICNS_TYPES]
    for (kind, blob), (_kind, size) in zip(elements, make_icons.ICNS_TYPES, strict=True):
        assert make_icons.png_size(blob) == (size, size), kind


def test_containers_round_trip_and_reject_damage() -> None:
    pngs = {s: (ICONS / make_icons.png_name(s)).read_bytes() for s in make_icons.PNG_SIZES}
    assert make_icons.read_ico(make_icons.build_ico(pngs))[0][2] == pngs[16]
    with pytest.raises(ValueError):
        make_icons.build_ico({512: pngs[512]}, sizes=(512,))
    with pytest.raises(ValueError):
        make_icons.read_ico(b"\x00\x00\x02\x00\x01\x00")  # type 2 is a cursor
    icns = make_icons.build_icns(pngs)
    with pytest.raises(ValueError):
        make_icons.read_icns(icns[:-1])  # length field no longer matches


def test_qt_reads_the_containers(qapp: QApplication) -> None:
    """An independent reader: Qt's ico and icns image plugins decode every entry."""
    for name, sizes in (
        ("coze-desktop.ico", list(make_icons.ICO_SIZES)),
        ("coze-desktop.icns", [size for _kind, size in make_icons.ICNS_TYPES]),
    ):
        reader = QImageReader(str(ICONS / name))
        assert reader.canRead(), reader.errorString()
        found = []
        for index in range(reader.imageCount()):
            reader.jumpToImage(index)
            found.append(reader.read().width())
        assert sorted(found) == sorted(sizes), name


@pytest.mark.skipif(shutil.which("file") is None, reason="the file command is not installed")
def test_file_command_recognises_the_containers() -> None:
    out = subprocess.run(
        ["file", str(ICONS / "coze-desktop.ico"), str(ICONS / "coze-desktop.icns")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"MS Windows icon resource - {len(make_icons.ICO_SIZES)} icons" in out
    assert "Mac OS X icon" in out


def _pixels(image: QImage) -> list[int]:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return [image.pixel(x, y) for y in range(image.height()) for x in range(image.width())]


def test_committed_pngs_match_the_svg(qapp: QApplication, tmp_path: Path) -> None:
    """Whoever edits the SVG must run packaging/make_icons.py (small tolerance for Qt versions)."""
    written = make_icons.make_icons(make_icons.SOURCE, tmp_path)
    assert len(written) == len(make_icons.PNG_SIZES) + 2
    for size in (16, 64):
        fresh = _pixels(QImage(str(tmp_path / make_icons.png_name(size))))
        committed = _pixels(QImage(str(ICONS / make_icons.png_name(size))))
        worst = max(
            abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF))
            for a, b in zip(fresh, committed, strict=True)
            for shift in (0, 8, 16, 24)
        )
        assert worst <= 8, f"{size}px icon differs from the SVG by {worst}: run packaging/make_icons.py"
