"""The Linux launcher (.desktop file) and its agreement with the app's identity."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from packaging_scripts import PACKAGING, load, parse_desktop_entry

from coze_desktop import APP_ID, APP_NAME

DESKTOP = PACKAGING / "linux" / "coze-desktop.desktop"
buildinfo = load("buildinfo")


def test_launcher_has_the_keys_menus_need() -> None:
    entry = parse_desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert entry["Name[zh_CN]"] and any("\u4e00" <= c <= "\u9fff" for c in entry["Name[zh_CN]"])
    assert entry["Comment"] and entry["Comment[zh_CN]"]
    assert entry["Exec"].split()[0] == APP_ID  # install.sh rewrites it to the absolute path
    assert entry["Icon"] == APP_ID == buildinfo.DIST_NAME
    assert entry["Terminal"] == "false"
    assert {"Network", "Chat"} <= set(entry["Categories"].rstrip(";").split(";"))
    assert entry["Categories"].endswith(";")
    # The window's WM_CLASS instance is the executable name; Wayland's app_id is the app's
    # desktop file name (QGuiApplication.setDesktopFileName(APP_ID)).
    assert entry["StartupWMClass"] == APP_ID


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed"
)
def test_launcher_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""  # not even hints
