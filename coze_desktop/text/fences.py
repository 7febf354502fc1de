"""CommonMark fenced code blocks: which line opens one, which line closes it, what is inside.

One reading of fences for the whole app: the message view (:mod:`coze_desktop.ui.segments` cuts a
long answer into segments without breaking a code block; the Copy button reads a block's code;
the answer body breaks only prose lines for display), the exports (:mod:`coze_desktop.export`:
the Markdown export closes a block an answer left open, the HTML export sets blocks in ``<pre>``)
and search snippets (:func:`coze_desktop.store.search.plain_text` keeps code as written) all use
these functions. Standard library only, no Qt.

A fence is a line of at most three spaces of indentation, then three or more backticks or
tildes (the *marker*), then an info string; a backtick fence's info string may not contain a
backtick (```` ```x``` ```` is inline code). The block ends at a line of the same character, at
least as many times, with nothing but spaces or tabs after it — or at the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_LINE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF so line-based scanning sees real lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def opening_marker(line: str) -> str:
    """The marker (backticks or tildes) of the fence ``line`` opens, or ``""`` if it opens none."""
    match = _FENCE.match(line)
    if match is None or (match.group(1)[0] == "`" and "`" in line[match.end() :]):
        return ""  # ```x``` is inline code, not a fence
    return match.group(1)


def closes_fence(line: str, marker: str) -> bool:
    """Is ``line`` the closing fence of a block opened with ``marker`` (the same character, at
    least as many times, at most three spaces in, nothing else on the line)?"""
    match = _FENCE_LINE.fullmatch(line)
    return match is not None and match.group(1)[0] == marker[0] and len(match.group(1)) >= len(marker)


def closing_fence(fence: str) -> str:
    """The line that closes the code block ``fence`` (its opening line) opens: its backticks or
    tildes (``""`` if ``fence`` opens none)."""
    match = _FENCE.match(fence)
    return match.group(1) if match is not None else ""


def _lines(text: str, start: int) -> Iterator[str]:
    """The lines of ``text`` from offset ``start`` (a line start), without line breaks."""
    while start < len(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        yield text[start:end].rstrip("\r")
        start = end + 1


def fenced_code(text: str, start: int) -> list[str]:
    """The lines of the fenced code block whose opening fence line starts at offset ``start``
    of ``text``, as CommonMark reads them: up to the closing fence (or the end of the text), each
    without the indentation the opening fence has."""
    lines = _lines(text, start)
    opening = next(lines, "")
    match = _FENCE.match(opening)
    if match is None:
        return []
    indent = len(opening) - len(opening.lstrip(" "))
    code = []
    for line in lines:
        if closes_fence(line, match.group(1)):
            break
        code.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
    return code


@dataclass(slots=True)
class Block:
    """A run of prose, or the inside of one fenced code block (``fence`` is its marker)."""

    text: str
    fence: str = ""
    closed: bool = True


def split_fences(text: str) -> list[Block]:
    """Split Markdown text into prose and fenced code blocks, dropping prose that is only line
    breaks; the last block may be a code block left open (``closed`` False)."""
    blocks: list[Block] = []
    lines: list[str] = []
    fence = ""
    for line in normalize_newlines(text).split("\n"):
        if fence and closes_fence(line, fence):
            blocks.append(Block("\n".join(lines), fence))
            lines, fence = [], ""
        elif not fence and (opened := opening_marker(line)):
            blocks.append(Block("\n".join(lines)))
            lines, fence = [], opened
        else:
            lines.append(line)
    blocks.append(Block("\n".join(lines), fence, closed=not fence))
    return [block for block in blocks if block.fence or block.text.strip("\n")]
