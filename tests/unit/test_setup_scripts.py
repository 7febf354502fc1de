"""scripts/setup-common.sh: the Python packages are installed only when the checkout's set-up
changed, with a line per step; run in a copy of the checkout with a stand-in for .venv's Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
# Stands in for .venv/bin/python: records each pip run, prints what pip prints, exits $FAKE_PIP_STATUS.
if [ "${1:-}" = "--version" ]; then echo "Python 3.11.9"; exit 0; fi
echo "$*" >>"$FAKE_LOG"
echo "Collecting PySide6-Essentials"
echo "  Downloading PySide6_Essentials-6.8.1-cp39-abi3-manylinux_2_28_x86_64.whl (94.6 MB)"
echo "Requirement already satisfied: requests in ./.venv/lib/python3.11/site-packages"
echo "Installing collected packages: PySide6-Essentials, coze-desktop"
exit "${FAKE_PIP_STATUS:-0}"
"""


def make_checkout(path: Path) -> Path:
    """pyproject.toml and scripts/setup-common.sh of this checkout, and a .venv with the stand-in."""
    (path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", path / "pyproject.toml")
    shutil.copy(ROOT / "scripts" / "setup-common.sh", path / "scripts" / "setup-common.sh")
    python = path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return path


def setup(
    checkout: Path, extra: str = "", *, pip_status: int = 0
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``setup_env EXTRA`` there (system packages left alone): the result and the pip runs."""
    log = checkout / "pip-runs.log"
    before = log.read_text().splitlines() if log.exists() else []
    env = dict(os.environ, PYTHON=sys.executable, FAKE_LOG=str(log), FAKE_PIP_STATUS=str(pip_status))
    script = 'source scripts/setup-common.sh; install_system_packages() { :; }; setup_env "$1"'
    result = subprocess.run(
        ["bash", "-c", script, "setup", extra],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    after = log.read_text().splitlines() if log.exists() else []
    return result, after[len(before) :]


def installs(runs: list[str]) -> list[str]:
    """What the pip runs installed: 'pip' for the pip upgrade, else the requirement."""
    return ["pip" if "--upgrade pip" in run else run.split(" -e ")[-1] for run in runs]


def test_first_setup_installs_and_says_what_each_step_does(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    result, runs = setup(checkout)
    assert result.returncode == 0, result.stderr
    assert installs(runs) == ["pip", "."]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("setting up coze-desktop in .venv")
    assert "  - upgrading pip" in lines
    assert any(line.startswith("  - installing Python packages (PySide6") for line in lines)
    assert "      Downloading PySide6_Essentials-6.8.1-cp39-abi3-manylinux_2_28_x86_64.whl (94.6 MB)" in lines
    assert any("unpacking and installing" in line for line in lines)
    assert ".venv/bin/coze-cli --help" in lines[-1]
    assert "Requirement already satisfied" not in result.stdout  # pip's chatter stays out
    assert result.stderr == ""


def test_a_second_launch_installs_nothing_and_says_nothing(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    setup(checkout)
    result, runs = setup(checkout)
    assert result.returncode == 0, result.stderr
    assert runs == [] and result.stdout == ""


@pytest.mark.parametrize("changed", ["pyproject.toml", "scripts/setup-common.sh"])
def test_a_changed_set_up_installs_again(tmp_path: Path, changed: str) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    setup(checkout)
    with (checkout / changed).open("a") as file:
        file.write("\n# changed\n")
    result, runs = setup(checkout)
    assert result.returncode == 0, result.stderr
    assert installs(runs) == ["pip", "."]
    assert setup(checkout)[1] == []


def test_a_moved_checkout_installs_again(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    setup(checkout)
    moved = tmp_path / "moved"
    checkout.rename(moved)
    assert installs(setup(moved)[1]) == ["pip", "."]  # the editable install points at the old place


def test_the_test_set_up_includes_the_plain_one(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    assert installs(setup(checkout, "[test]")[1]) == ["pip", ".[test]"]
    assert setup(checkout, "")[1] == []  # ./scripts/start after ./scripts/test
    assert setup(checkout, "[test]")[1] == []
    other = make_checkout(tmp_path / "other")
    setup(other, "")
    assert installs(setup(other, "[test]")[1]) == ["pip", ".[test]"]  # the test tools are still missing


def test_a_failed_install_shows_pip_output_and_tries_again_next_time(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path / "checkout")
    result, runs = setup(checkout, pip_status=1)
    assert result.returncode != 0
    assert installs(runs) == ["pip"]  # nothing after the failed step
    assert "Collecting PySide6-Essentials" in result.stderr  # pip's whole output, to see why
    assert "error: installing the Python packages failed" in result.stderr
    assert not list((checkout / ".venv").glob(".coze-setup*"))
    assert installs(setup(checkout)[1]) == ["pip", "."]


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_set_up_scripts_are_shellcheck_clean() -> None:
    scripts = [ROOT / "scripts" / name for name in ("start", "test", "setup-common.sh")]
    result = subprocess.run(
        ["shellcheck", "-x", *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
