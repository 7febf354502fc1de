"""Fixtures for the packaging tests: the packaging scripts importable, a tiny fake bundle.

None of these tests runs PyInstaller (the real frozen build and its smoke test are a CI step:
``python packaging/build.py --smoke``); they check the icon files, the launcher, the install
scripts on a fake bundle, the build script's plan, the spec and the installer definitions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from packaging_scripts import load

FAKE_EXE = """#!/bin/sh
# A stand-in for the frozen app: answers the flags the install script and the tests use.
case "$1" in
  --version) echo "coze-desktop {version}" ;;
  --smoke) echo "smoke ok: 0 conversations" ;;
  *) echo "fake coze-desktop $*" ;;
esac
"""


def make_fake_bundle(dist: Path, version: str) -> Path:
    """``dist/coze-desktop/`` with an executable ``coze-desktop`` and an ``_internal`` folder."""
    bundle = dist / "coze-desktop"
    (bundle / "_internal" / "resources").mkdir(parents=True)
    (bundle / "_internal" / "resources" / "marker.txt").write_text("bundle data\n", encoding="utf-8")
    exe = bundle / "coze-desktop"
    exe.write_text(FAKE_EXE.format(version=version), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bundle


@pytest.fixture
def fake_dist(tmp_path: Path) -> Path:
    """A ``dist`` folder holding a fake one-folder bundle of the current version."""
    dist = tmp_path / "dist"
    make_fake_bundle(dist, load("buildinfo").read_version())
    return dist


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose HOME and XDG folders are temporary (never the real user's)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update({"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")})
    return env
