"""The import contracts in pyproject.toml bite: a planted forbidden import makes lint-imports fail.

Each case copies the package into a scratch folder, adds one import that breaks a rule of
../shared/design.md, and runs lint-imports there; a contract that went slack would let it pass.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _scratch_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "coze_desktop", copy / "coze_desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _lint(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=checkout, capture_output=True, text=True, timeout=120, check=False
    )


def _plant(checkout: Path, module: str, line: str) -> None:
    path = checkout / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted by the test\n", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("coze_desktop.workers.chat", "from PySide6.QtWidgets import QWidget", "never QtWidgets"),
        ("coze_desktop.workers.tasks", "from PySide6 import QtWidgets", "never QtWidgets"),
        ("coze_desktop.workers.threads", "import coze_desktop.ui.composer", "Layers"),
        ("coze_desktop.store.chats", "from coze_desktop.workers import threads", "Layers"),
        ("coze_desktop.domain", "from coze_desktop.api import errors", "Layers"),
        ("coze_desktop.demo.bots", "from coze_desktop.api import sse", "demo server shares no code"),
        ("coze_desktop.api.client", "from PySide6.QtCore import QObject", "never imports Qt"),
        ("coze_desktop.logs", "from coze_desktop.ui import theme", "Layers"),
        ("coze_desktop.text.links", "from PySide6.QtCore import QUrl", "never imports Qt"),
        ("coze_desktop.export.jsonfmt", "import sqlite3", "no SQLite"),
        ("coze_desktop.export.common", "from coze_desktop.store import db", "no SQLite, no store"),
        ("coze_desktop.export.html", "from PySide6.QtGui import QTextDocument", "never imports Qt"),
        ("coze_desktop.text.fences", "from PySide6.QtCore import QRegularExpression", "never imports Qt"),
        ("coze_desktop.text.fences", "from coze_desktop.export import common", "Layers"),
    ],
)
def test_a_planted_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    checkout = _scratch_copy(tmp_path)
    _plant(checkout, module, line)
    result = _lint(checkout)
    assert result.returncode != 0, result.stdout
    broken = [ln for ln in result.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(contract in ln for ln in broken), result.stdout


@pytest.mark.slow
def test_the_unchanged_scratch_copy_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_scratch_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_module_falls_under_the_layers_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    covered = {
        name.strip() for layer in layers["layers"] for name in layer.replace("|", ":").split(":")
    }
    package = ROOT / "coze_desktop"
    uncovered = []
    for path in package.rglob("*.py"):
        parts = ("coze_desktop", *path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if name == "coze_desktop":
            continue  # the root package: only names and the version, it imports nothing of ours
        if not any(name == c or name.startswith(c + ".") for c in covered):
            uncovered.append(name)
    assert uncovered == []
    assert "import" not in (package / "__init__.py").read_text(encoding="utf-8").replace("from __future__ import annotations", "")


def test_the_exports_and_the_text_module_load_neither_sqlite_nor_qt() -> None:
    # What the contracts promise, checked where it counts: in a fresh interpreter.
    code = (
        "import sys, coze_desktop.export, coze_desktop.text.fences\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite3', '_sqlite3', 'PySide6', "
        "'qasync') or m.startswith(('coze_desktop.store', 'coze_desktop.api')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
