"""Where the history lives on each platform, and how a path given by the caller is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from coze_desktop.store.paths import DB_FILENAME, default_data_dir, ensure_private_dir, resolve_db_path

HOME = Path("/home/me")


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {}, HOME / ".local/share/coze-desktop"),
        ("linux", {"XDG_DATA_HOME": "/xdg/data"}, Path("/xdg/data/coze-desktop")),
        ("linux", {"XDG_DATA_HOME": "relative/ignored"}, HOME / ".local/share/coze-desktop"),
        ("freebsd13", {}, HOME / ".local/share/coze-desktop"),
        ("darwin", {"XDG_DATA_HOME": "/xdg"}, HOME / "Library/Application Support/Coze Desktop"),
        (
            "win32",
            {"LOCALAPPDATA": r"C:\Users\me\AppData\Local"},
            Path(r"C:\Users\me\AppData\Local") / "Coze Desktop",
        ),
        (
            "win32",
            {"APPDATA": r"C:\Users\me\AppData\Roaming"},
            Path(r"C:\Users\me\AppData\Roaming") / "Coze Desktop",
        ),
        ("win32", {}, HOME / "AppData/Local/Coze Desktop"),
        ("linux", {"COZE_DESKTOP_DATA_DIR": "/portable/data"}, Path("/portable/data")),
        ("win32", {"COZE_DESKTOP_DATA_DIR": "/portable/data"}, Path("/portable/data")),
        ("linux", {"COZE_DESKTOP_DATA_DIR": "  "}, HOME / ".local/share/coze-desktop"),
    ],
)
def test_default_data_dir(platform: str, environ: dict[str, str], expected: Path) -> None:
    assert default_data_dir(environ=environ, platform=platform, home=HOME) == expected


def test_default_data_dir_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COZE_DESKTOP_DATA_DIR", str(tmp_path / "here"))
    assert default_data_dir() == tmp_path / "here"
    assert resolve_db_path(None) == tmp_path / "here" / DB_FILENAME


def test_resolve_db_path(tmp_path: Path) -> None:
    assert resolve_db_path(tmp_path) == tmp_path / DB_FILENAME  # an existing folder
    assert resolve_db_path(tmp_path / "new-folder") == tmp_path / "new-folder" / DB_FILENAME
    assert resolve_db_path(tmp_path / "custom.db") == tmp_path / "custom.db"
    (tmp_path / "plainfile").write_text("")
    assert resolve_db_path(tmp_path / "plainfile") == tmp_path / "plainfile"


def test_ensure_private_dir_creates_only_missing_folders_0700(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    ensure_private_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700
    assert tmp_path.stat().st_mode & 0o777 == 0o755  # existing folders are left alone
    ensure_private_dir(tmp_path / "a" / "b")  # idempotent
