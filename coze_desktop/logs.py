"""Logging for the desktop app: a rotating file in the data folder, scrubbed of tokens.

:func:`setup_logging` installs, on the root logger, a rotating UTF-8 file handler
(``<data dir>/logs/coze-desktop.log``, 1 MB × 4) and a stderr handler for warnings. Both carry a
:class:`RedactingFilter`, which rewrites every record — message, arguments, exception text and
stack — through :func:`coze_desktop.api.errors.redact` with the tokens the app knows, so neither a
``Bearer`` header nor a known token can reach a log line. :func:`crash_report` builds the text
shown by the crash dialog, scrubbed the same way.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from coze_desktop import APP_NAME, __version__
from coze_desktop.api.errors import redact
from coze_desktop.store.paths import ensure_private_dir

LOG_DIR_NAME = "logs"
LOG_FILENAME = "coze-desktop.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

SecretSource = Callable[[], Iterable[str]]


def log_dir(data_dir: Path) -> Path:
    """The folder that holds the log files of the app using ``data_dir``."""
    return data_dir / LOG_DIR_NAME


class RedactingFilter(logging.Filter):
    """Scrubs tokens from a record before any handler formats it.

    ``secrets`` returns the tokens to remove (the ones the app has loaded); anything shaped like
    a bearer token is removed as well.
    """

    def __init__(self, secrets: SecretSource) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        known = tuple(self._secrets())
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break the caller: keep its parts
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message, *known)
        record.args = None
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip(), *known)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, *known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, *known)
        return True


_HANDLER_NAME = "coze-desktop"  # marks the handlers setup_logging installed, so a second call replaces them


def _installed(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if h.get_name() == _HANDLER_NAME]


def setup_logging(data_dir: Path, secrets: SecretSource, *, level: int = logging.INFO) -> Path:
    """Log to a rotating file in ``data_dir`` and warnings to stderr; returns the log folder.

    Calling it again (a test building the app twice) replaces the handlers it installed before.
    """
    teardown_logging()
    folder = log_dir(data_dir)
    ensure_private_dir(folder)
    file_handler = logging.handlers.RotatingFileHandler(
        folder / LOG_FILENAME, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    file_handler.setLevel(level)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter(secrets))
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # its debug lines name every request
    return folder


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed."""
    root = logging.getLogger()
    for handler in _installed(root):
        root.removeHandler(handler)
        handler.close()


def crash_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    secrets: Iterable[str] = (),
    *,
    thread_name: str | None = None,
) -> str:
    """A plain-text report of an unexpected error, with versions and platform, tokens removed."""
    lines = [
        f"{APP_NAME} {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Qt {qVersion()}, PySide6 {pyside_version}",
        f"Platform {platform.platform()}",
    ]
    if thread_name:
        lines.append(f"Thread {thread_name}")
    lines.append("")
    lines.extend(traceback.format_exception(exc_type, exc, tb))
    return redact("\n".join(line.rstrip("\n") for line in lines), *secrets)
