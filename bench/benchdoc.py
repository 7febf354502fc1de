"""Writing a benchmark's results into docs/benchmarks.md, shared by the scripts in bench/ and
packaging/measure.py: each owns one ``## `` section and replaces only that one."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = "# Benchmarks\n\nNumbers measured by the scripts in `bench/` and `packaging/measure.py`; rerun them to update.\n"


def write_section(path: Path, section: str) -> None:
    """Replace the section of ``path`` whose heading is ``section``'s first line (``## ...``), or
    append it if there is none; every other section stays as it is."""
    heading = section.split("\n", 1)[0]
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with its '## ' heading, not {heading!r}")
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    body = section.rstrip() + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1)
    else:
        text = text.rstrip() + "\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
