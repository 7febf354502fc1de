"""Cutting a long Markdown answer into segments that are laid out and rendered one at a time.

Qt lays out and paints a text document as a whole: showing a finished 100 KB answer in one
document stalls the window for a tenth of a second or more, however it is prepared
(bench/ui_stream.py). So an answer is shown as a column of documents, each holding one segment
of its text. Every piece of work — inserting a streamed piece, rendering the Markdown, laying it
out — then costs what one segment costs, whatever the answer's length.

A segment ends at the first blank line after :data:`SEGMENT_TARGET_CHARS` characters where a new
top-level block begins (outside code fences, not a list item or an indented line, so lists and
code stay whole). If none comes within :data:`SEGMENT_MAX_CHARS`, the segment is cut at the last
line start past the target, or inside one very long line; a cut inside a code fence or a table
gives the next segment a *prefix* — the fence's opening line, the table's header — which is
rendered before its text but is not part of the message.

The cuts depend on the text alone, not on how it arrived: :class:`Segmenter` decides a cut only
once it has seen enough of the text after it, so streaming an answer piece by piece and
:func:`split_segments` on the whole of it cut in the same places. No Qt here: code fences are
read by :mod:`coze_desktop.text.fences`, as the exports read them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from coze_desktop.text.fences import closes_fence, closing_fence, fenced_code, opening_marker

__all__ = [
    "LINE_HEAD_CHARS",
    "SEGMENT_MAX_CHARS",
    "SEGMENT_TARGET_CHARS",
    "Segment",
    "Segmenter",
    "closing_fence",  # re-exported: the view finds a block's code through this module
    "fenced_code",
    "split_segments",
]

SEGMENT_TARGET_CHARS = 2_500  # a segment ends at the first block boundary past this length...
SEGMENT_MAX_CHARS = 4_500  # ...and is cut anyway once it would grow past this one
# How much of a line decides whether a segment may end before it: a list marker is at most
# 9 digits and a dot, then a space. A forced cut waits for this much text past the maximum.
LINE_HEAD_CHARS = 16

_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TABLE_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")


@dataclass(frozen=True, slots=True)
class Segment:
    """``text`` is the message's text from offset ``start``; ``prefix`` is rendered before it.

    ``fence_start``: where the opening line of the code block this segment begins inside is in
    the whole text (its prefix reopens it), or -1.
    """

    start: int
    text: str
    prefix: str = ""
    fence_start: int = -1

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def _replace_text(self, text: str) -> Segment:
        return Segment(self.start, text, self.prefix, self.fence_start)


@dataclass(slots=True)
class _Scan:
    """What is known at a line start: an open code fence or table and where it began, the line before.

    Offsets are in the open segment's text; -1 means before it (a fence or table continued from
    the segment before, through the prefix).
    """

    fence: str = ""  # the fence's opening line ("```python"), or "" outside fences
    fence_marker: str = ""  # its backticks or tildes
    fence_start: int = -1
    table_header: str = ""  # "| a | b |\n| --- | --- |" while inside a table
    table_start: int = -1
    previous: str | None = None  # the previous line (None: the segment's first line)
    previous_start: int = -1

    def prefix(self) -> str:
        if self.fence:
            return self.fence + "\n"
        if self.table_header:
            return self.table_header + "\n"
        return ""

    def block_start(self) -> int:
        """Where the fence or table this line is in began (-1: none, or before the segment)."""
        if self.fence:
            return self.fence_start
        return self.table_start if self.table_header else -1

    def continued(self) -> _Scan:
        """The state a segment cut here starts in: the same fence or table, carried by the prefix."""
        return _Scan(fence=self.fence, fence_marker=self.fence_marker, table_header=self.table_header)

    def copy(self) -> _Scan:
        return dataclasses.replace(self)

    def advance(self, line: str, offset: int) -> None:
        """Take in one whole line (without its line break) that starts at ``offset``."""
        line = line.rstrip("\r")
        if self.fence:
            if closes_fence(line, self.fence_marker):
                self.fence = self.fence_marker = ""
        elif marker := opening_marker(line):
            self.fence, self.fence_marker, self.fence_start = line, marker, offset
            self.table_header = ""
        elif self.table_header:
            if not line.strip() or "|" not in line:
                self.table_header = ""
        elif (
            self.previous is not None
            and "|" in self.previous
            and ("|" in line or "-" in line)
            and _TABLE_DELIMITER.fullmatch(line)
        ):
            self.table_header = self.previous + "\n" + line
            self.table_start = self.previous_start
        self.previous = line
        self.previous_start = offset


def _may_start_segment(head: str) -> bool:
    """May a segment begin with a line starting ``head`` (after a blank line, outside fences)?"""
    return bool(head.strip()) and head[0] not in " \t" and not _LIST_ITEM.match(head)


class Segmenter:
    """Cuts a growing text into segments; :meth:`feed` returns the segments each piece closes.

    The open segment (the rest, still growing) is :attr:`open_segment`. Memory and time are in
    proportion to the open segment, not to the whole text.
    """

    def __init__(self, target: int = SEGMENT_TARGET_CHARS, maximum: int = SEGMENT_MAX_CHARS) -> None:
        if not 0 < target <= maximum:
            raise ValueError("need 0 < target <= maximum")
        self._target = target
        self._maximum = maximum
        self._start = 0  # the open segment's offset in the whole text
        self._prefix = ""
        self._fence_start = -1  # the open segment's Segment.fence_start
        self._buffer = ""  # the open segment's text
        self._reset_scan(_Scan())

    def _reset_scan(self, scan: _Scan) -> None:
        self._scan = scan
        self._line = 0  # offset in the buffer of the next line to take in
        # Line starts past the target where a forced cut may go, with the scan state there.
        self._cut_points: list[tuple[int, _Scan]] = []
        self._line_state = (0, scan.copy())  # the last line start at or before the maximum

    @property
    def open_segment(self) -> Segment:
        return Segment(self._start, self._buffer, self._prefix, self._fence_start)

    def open_fence(self) -> tuple[str, int]:
        """The code fence the text fed so far ends inside, as far as its whole lines tell: the
        fence's opening line (``""`` outside fences) and where that line starts in the open
        segment's text (-1: in a segment before, reopened by the prefix)."""
        return self._scan.fence, self._scan.fence_start if self._scan.fence else -1

    def feed(self, text: str) -> list[Segment]:
        """Add the next piece of the text; return the segments it closed, in order."""
        self._buffer += text
        closed: list[Segment] = []
        while (cut := self._find_cut()) is not None:
            offset, scan = cut
            closed.append(self.open_segment._replace_text(self._buffer[:offset]))
            if scan.fence:
                self._fence_start = self._start + scan.fence_start if scan.fence_start >= 0 else self._fence_start
            else:
                self._fence_start = -1
            self._start += offset
            self._buffer = self._buffer[offset:]
            self._prefix = scan.prefix()
            self._reset_scan(scan.continued())
        return closed

    def _find_cut(self) -> tuple[int, _Scan] | None:
        """Where the open segment ends, as far as the text so far tells: offset, scan state there."""
        buffer = self._buffer
        scan = self._scan
        while (line := self._line) <= self._maximum:
            if line >= self._target:
                if not scan.fence and scan.previous is not None and not scan.previous.strip():
                    newline = buffer.find("\n", line, line + LINE_HEAD_CHARS)
                    head = buffer[line : newline if newline >= 0 else line + LINE_HEAD_CHARS]
                    if newline < 0 and len(head) < LINE_HEAD_CHARS:
                        return None  # the head of the line after a blank line has not arrived yet
                    if _may_start_segment(head):
                        return line, _Scan()
                if not self._cut_points or self._cut_points[-1][0] != line:
                    self._cut_points.append((line, scan.copy()))
            if self._line_state[0] != line:
                self._line_state = (line, scan.copy())
            newline = buffer.find("\n", line)
            if newline < 0:
                break
            scan.advance(buffer[line:newline], line)
            self._line = newline + 1
        if len(buffer) < self._maximum + LINE_HEAD_CHARS:
            return None  # a block boundary may still come before the maximum
        return self._forced_cut()

    def _forced_cut(self) -> tuple[int, _Scan]:
        """No block boundary in time. Cut before the code block or table the segment ends in, if it
        does not begin the segment; else at the last line start past the target (one that is not
        indented, if there is one); else inside the one long line that reaches the maximum."""
        last = self._cut_points[-1] if self._cut_points else (self._maximum, self._line_state[1])
        block_start = last[1].block_start()
        if block_start > 0:
            return block_start, _Scan()
        for offset, scan in reversed(self._cut_points):
            if self._buffer[offset : offset + 1] not in (" ", "\t"):
                return offset, scan
        return last


def split_segments(
    text: str, target: int = SEGMENT_TARGET_CHARS, maximum: int = SEGMENT_MAX_CHARS
) -> list[Segment]:
    """All the segments of ``text``, the last one open: the same cuts as streaming it would make."""
    segmenter = Segmenter(target, maximum)
    return [*segmenter.feed(text), segmenter.open_segment]
