"""The Linux release archive and its install.sh/uninstall.sh, on a fake bundle in temp folders.

Everything happens under a temporary HOME and XDG_DATA_HOME: the real user's menus, icons and
PATH are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from packaging_scripts import load, parse_desktop_entry

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("bash") is None, reason="the install scripts are for Linux"
)

build = load("build")
buildinfo = load("buildinfo")
VERSION = buildinfo.read_version()
TOP = f"coze-desktop-{VERSION}"


@pytest.fixture
def release(fake_dist: Path, tmp_path: Path) -> Path:
    """The release archive built from the fake bundle, unpacked; returns its top folder."""
    archive = build.linux_archive(build.Plan(dry_run=False), fake_dist, VERSION)
    assert archive.name == f"coze-desktop-{VERSION}-{buildinfo.platform_tag()}.tar.gz"
    out = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="tar")
    return out / TOP


def sh(script: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, check=False
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_archive_layout(fake_dist: Path) -> None:
    archive = build.linux_archive(build.Plan(dry_run=False), fake_dist, VERSION)
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    for name in (
        "install.sh",
        "uninstall.sh",
        "coze-desktop.desktop",
        "README.txt",
        "coze-desktop/coze-desktop",
    ):
        assert f"{TOP}/{name}" in members, name
    for size in build.HICOLOR_SIZES:
        assert f"{TOP}/icons/coze-desktop-{size}.png" in members
    assert f"{TOP}/icons/coze-desktop.svg" in members
    for name in ("install.sh", "uninstall.sh", "coze-desktop/coze-desktop"):
        assert members[f"{TOP}/{name}"].mode & 0o111 == 0o111, name
    assert all(m.uid == 0 and m.gid == 0 and not m.mode & 0o022 for m in members.values())
    readme = tar_text(archive, f"{TOP}/README.txt")
    assert VERSION in readme and "@" not in readme
    for package in ("libgl1", "libegl1", "libfontconfig1", "fonts-noto-cjk"):
        assert package in readme


def tar_text(archive: Path, name: str) -> str:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(name)
        assert member is not None
        return member.read().decode("utf-8")


def test_install_then_uninstall(release: Path, user_env: dict[str, str]) -> None:
    home = Path(user_env["HOME"])
    data = Path(user_env["XDG_DATA_HOME"])
    out = sh(release / "install.sh", env=user_env).stdout
    assert "installed" in out

    prefix = home / ".local" / "opt" / "coze-desktop"
    exe = prefix / "coze-desktop"
    assert os.access(exe, os.X_OK)
    assert (prefix / "_internal" / "resources" / "marker.txt").is_file()
    assert os.access(prefix / "uninstall.sh", os.X_OK)

    desktop = data / "applications" / "coze-desktop.desktop"
    entry = parse_desktop_entry(desktop)
    assert entry["Exec"] == f'"{exe}"'
    assert entry["TryExec"] == str(exe)
    assert entry["Icon"] == "coze-desktop"
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout

    for size in build.HICOLOR_SIZES:
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "coze-desktop.png"
        assert icon.read_bytes() == (buildinfo.ICONS / f"coze-desktop-{size}.png").read_bytes()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "coze-desktop.svg").is_file()

    link = home / ".local" / "bin" / "coze-desktop"
    assert link.is_symlink() and link.resolve() == exe.resolve()
    smoke = subprocess.run([str(link), "--smoke"], capture_output=True, text=True, check=True, env=user_env)
    assert smoke.stdout.startswith("smoke ok")

    # Chats live elsewhere and must survive an uninstall.
    chats = data / "coze-desktop" / "history.sqlite3"
    chats.parent.mkdir(parents=True)
    chats.write_bytes(b"keep me")

    out = sh(prefix / "uninstall.sh", env=user_env).stdout
    assert "removed" in out
    assert not prefix.exists() and not link.exists() and not link.is_symlink() and not desktop.exists()
    assert not list((data / "icons").rglob("coze-desktop.*"))
    assert chats.read_bytes() == b"keep me"


def test_reinstall_replaces_the_old_version(release: Path, user_env: dict[str, str]) -> None:
    sh(release / "install.sh", env=user_env)
    prefix = Path(user_env["HOME"]) / ".local" / "opt" / "coze-desktop"
    (prefix / "_internal" / "stale-from-old-version.so").write_text("old", encoding="utf-8")
    sh(release / "install.sh", env=user_env)
    assert not (prefix / "_internal" / "stale-from-old-version.so").exists()
    assert not list(prefix.parent.glob("coze-desktop.*"))  # no staging or backup folders left


def test_custom_prefix_with_spaces_and_bin_dir(
    release: Path, user_env: dict[str, str], tmp_path: Path
) -> None:
    prefix = tmp_path / "My Apps" / "Coze Desktop"
    bin_dir = tmp_path / "bin"
    sh(release / "install.sh", "--prefix", str(prefix), "--bin-dir", str(bin_dir), env=user_env)
    entry = parse_desktop_entry(Path(user_env["XDG_DATA_HOME"]) / "applications" / "coze-desktop.desktop")
    assert entry["Exec"] == f'"{prefix / "coze-desktop"}"'
    assert (bin_dir / "coze-desktop").resolve() == (prefix / "coze-desktop").resolve()
    sh(release / "uninstall.sh", "--prefix", str(prefix), env=user_env)
    assert not prefix.exists() and not (bin_dir / "coze-desktop").is_symlink()


def test_install_refuses_unsafe_targets(release: Path, user_env: dict[str, str], tmp_path: Path) -> None:
    bad = sh(release / "install.sh", "--prefix", str(tmp_path / "a$b"), env=user_env, check=False)
    assert bad.returncode != 0 and "may not contain" in bad.stderr
    foreign = tmp_path / "someone-elses"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("x", encoding="utf-8")
    refused = sh(release / "install.sh", "--prefix", str(foreign), env=user_env, check=False)
    assert refused.returncode != 0 and "not a Coze Desktop install" in refused.stderr
    assert (foreign / "precious.txt").exists()
    bin_dir = Path(user_env["HOME"]) / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "coze-desktop").write_text("#!/bin/sh\n", encoding="utf-8")
    clash = sh(release / "install.sh", env=user_env, check=False)
    assert clash.returncode != 0 and "is not a link" in clash.stderr
    assert sh(release / "install.sh", "--bogus", env=user_env, check=False).returncode != 0
    assert "--prefix" in sh(release / "install.sh", "--help", env=user_env).stdout


def test_uninstall_only_removes_what_install_made(
    release: Path, user_env: dict[str, str], tmp_path: Path
) -> None:
    foreign = tmp_path / "not-an-install"
    (foreign / "coze-desktop").mkdir(parents=True)
    refused = sh(release / "uninstall.sh", "--prefix", str(foreign), env=user_env, check=False)
    assert refused.returncode != 0 and foreign.exists()

    sh(release / "install.sh", env=user_env)
    link = Path(user_env["HOME"]) / ".local" / "bin" / "coze-desktop"
    other = tmp_path / "other-coze"
    other.write_text("#!/bin/sh\n", encoding="utf-8")
    link.unlink()
    link.symlink_to(other)  # the user pointed the command elsewhere since
    prefix = Path(user_env["HOME"]) / ".local" / "opt" / "coze-desktop"
    out = sh(prefix / "uninstall.sh", env=user_env).stdout
    assert "kept" in out and link.is_symlink() and not prefix.exists()


def test_install_reports_a_broken_app(release: Path, user_env: dict[str, str]) -> None:
    exe = release / "coze-desktop" / "coze-desktop"
    exe.write_text("#!/bin/sh\necho 'error while loading shared libraries: libGL.so.1' >&2\nexit 127\n")
    result = sh(release / "install.sh", env=user_env)
    assert "could not start" in result.stderr and "libgl1" in result.stderr
    assert "could not start" not in sh(release / "install.sh", "--no-check", env=user_env).stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_shell_scripts_are_shellcheck_clean() -> None:
    scripts = sorted(buildinfo.PACKAGING.rglob("*.sh"))
    assert len(scripts) >= 3
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_shell_scripts_are_strict() -> None:
    for script in sorted(buildinfo.PACKAGING.rglob("*.sh")):
        text = script.read_text(encoding="utf-8")
        assert text.startswith("#!/usr/bin/env bash\n"), script
        assert "set -euo pipefail" in text, script
        assert os.access(script, os.X_OK), script
