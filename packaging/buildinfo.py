"""Facts every packaging step shares: the version, names and folders.

The version is read from ``coze_desktop/__init__.py`` without importing the package (the spec,
build.py and the tests must not depend on PySide6 being importable at that moment), so the
bundle, the .exe version info, the Inno Setup installer, the macOS Info.plist, the .dmg and the
Linux archive all carry the one number ``coze_desktop.__version__``.
"""

from __future__ import annotations

import ast
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
PACKAGE_INIT = ROOT / "coze_desktop" / "__init__.py"
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"

DIST_NAME = "coze-desktop"  # folder in dist/, executable name, Linux icon and desktop-file name
# Reverse-DNS id (macOS CFBundleIdentifier allows letters, digits, "-" and "."): the project's own
# GitHub namespace (the User-Agent already names github.com/coze-desktop), no company domain.
BUNDLE_ID = "io.github.coze-desktop.CozeDesktop"


def _module_constants(path: Path = PACKAGE_INIT) -> dict[str, str]:
    """The string constants assigned at the top level of a module (no import, no execution)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def read_version(path: Path = PACKAGE_INIT) -> str:
    """``coze_desktop.__version__`` as written in the package (e.g. ``0.1.0``)."""
    version = _module_constants(path).get("__version__")
    if not version:
        raise RuntimeError(f"no __version__ string in {path}")
    return version


def app_name(path: Path = PACKAGE_INIT) -> str:
    """``coze_desktop.APP_NAME`` (``Coze Desktop``)."""
    return _module_constants(path).get("APP_NAME", "Coze Desktop")


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """Four integers for Windows' VS_FIXEDFILEINFO and CFBundleVersion: ``1.2.3rc1`` -> (1, 2, 3, 0)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], 0


def platform_tag() -> str:
    """``linux-x86_64``, ``macos-arm64``, ``windows-x86_64`` … for archive and installer names."""
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"
