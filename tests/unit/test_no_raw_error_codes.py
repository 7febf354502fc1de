"""Error meaning is decided once, in api/errors.py: nothing above the client switches on raw codes."""

from __future__ import annotations

import re
from pathlib import Path

import coze_desktop
from coze_desktop.api.errors import _API_HELP

PACKAGE = Path(coze_desktop.__file__).resolve().parent
# The layers that must ask ``error.kind`` (the client itself, the store and the demo server,
# which plays Coze and so speaks its codes, are not among them).
ABOVE_THE_CLIENT = ["ui", "workers", "cli.py", "app.py"]
_CODE_TEST = re.compile(r"\.code\s*(==|!=|\bin\b|\bnot in\b)|\bAUTH_CODES\b")
_CODE_LITERAL = re.compile(r"(?<![\w#.])(" + "|".join(str(code) for code in _API_HELP) + r")(?![\w.])")


def _sources() -> list[Path]:
    files: list[Path] = []
    for name in ABOVE_THE_CLIENT:
        path = PACKAGE / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def test_nothing_above_the_client_switches_on_raw_error_codes() -> None:
    offenders = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _CODE_TEST.search(line) or _CODE_LITERAL.search(line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not offenders, "switch on error.kind instead:\n" + "\n".join(offenders)


def test_the_check_sees_a_planted_raw_code() -> None:
    assert _CODE_TEST.search("if exc.code == 4015:") and _CODE_LITERAL.search("if exc.code == 4015:")
    assert _CODE_TEST.search("if info.code in AUTH_CODES:")
    assert not _CODE_LITERAL.search("--note-fg: #7a4100; width: 4100.5px")
