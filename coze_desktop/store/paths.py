"""Where the history database lives: the per-user data folder of the app.

``COZE_DESKTOP_DATA_DIR`` overrides the platform default (tests, portable installs, the CLI).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

ENV_DATA_DIR = "COZE_DESKTOP_DATA_DIR"
DB_FILENAME = "history.sqlite3"
APP_NAME = "Coze Desktop"  # folder name on macOS and Windows
APP_SLUG = "coze-desktop"  # folder name on Linux and other XDG systems

PRIVATE_DIR_MODE = 0o700


def default_data_dir(
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
) -> Path:
    """Return the folder that holds the app's data (the history database among it).

    ``COZE_DESKTOP_DATA_DIR`` wins when set and not empty. Otherwise: Linux and other XDG
    systems ``$XDG_DATA_HOME/coze-desktop`` (default ``~/.local/share/coze-desktop``), macOS
    ``~/Library/Application Support/Coze Desktop``, Windows ``%LOCALAPPDATA%\\Coze Desktop``
    (or ``%APPDATA%``). The keyword arguments exist for tests; they default to this process.
    """
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    home_dir = Path.home() if home is None else home

    override = env.get(ENV_DATA_DIR, "").strip()
    if override:
        return Path(override).expanduser()
    if plat == "darwin":
        return home_dir / "Library" / "Application Support" / APP_NAME
    if plat == "win32":
        base = env.get("LOCALAPPDATA") or env.get("APPDATA")
        return (Path(base) if base else home_dir / "AppData" / "Local") / APP_NAME
    xdg = env.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else home_dir / ".local" / "share"
    return base_dir / APP_SLUG


def default_db_path() -> Path:
    """The history database file inside :func:`default_data_dir`."""
    return default_data_dir() / DB_FILENAME


def resolve_db_path(path_or_data_dir: str | os.PathLike[str] | None) -> Path:
    """Turn what the caller gave into the database file path.

    ``None`` means the default. An existing folder, or a path that does not exist and has no
    file suffix, is a data folder (the file is ``history.sqlite3`` inside it); anything else is
    the database file itself.
    """
    if path_or_data_dir is None:
        return default_db_path()
    path = Path(path_or_data_dir).expanduser()
    if path.is_dir() or (not path.exists() and not path.suffix):
        return path / DB_FILENAME
    return path


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents; every folder created here gets mode 0700.

    Folders that already exist are left as they are: they may be shared places like ``/tmp``.
    Raises ``OSError`` when a folder cannot be created.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process created it between our check and now
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
