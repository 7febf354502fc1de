"""Helpers for the packaging tests: the scripts in packaging/ as modules, the launcher parser.

packaging/ is not a Python package (an ``__init__.py`` there would shadow PyPI's ``packaging``
wherever the checkout is on sys.path), and ``build`` is the name of PyPA's build tool, so the
scripts are loaded by path under names of their own.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))  # the scripts import buildinfo (and frozen_check) by name


def load(name: str) -> ModuleType:
    """``packaging/<name>.py`` as the module ``coze_packaging_<name>`` (loaded once)."""
    module_name = "coze_packaging_" + name.replace("/", "_")
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def parse_desktop_entry(path: Path) -> dict[str, str]:
    """The ``[Desktop Entry]`` group of a .desktop file (keys keep their case and locale suffix)."""
    entries: dict[str, str] = {}
    group = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {raw!r}"
        if group == "Desktop Entry":
            assert key.strip() not in entries, f"duplicate key {key}"
            entries[key.strip()] = value.strip()
    return entries
