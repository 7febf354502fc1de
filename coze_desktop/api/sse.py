"""An incremental decoder for server-sent events, following the WHATWG event-stream rules.

Bytes go in, events come out, each event as soon as the blank line that ends it arrives:

* lines end in LF, CRLF or CR, also when the CR and the LF arrive in different reads;
* a UTF-8 byte-order mark at the very start of the stream is dropped, even when split;
* UTF-8 is decoded only on complete lines, so no character is ever broken across reads
  (invalid bytes become U+FFFD, as the standard says);
* ``field:value`` with one optional space after the colon; a line with no colon is a field
  with an empty value; a line starting with ``:`` is a comment;
* ``event``, ``data`` (several lines joined with ``\\n``), ``id`` (ignored if it holds NUL) and
  ``retry`` (ASCII digits only); other fields are ignored;
* an event with an empty data buffer is not dispatched; an unterminated event at the end of
  the stream is discarded (see :meth:`SseDecoder.close`).

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_BOM = b"\xef\xbb\xbf"
# An event line, a data line (each with its one optional space) and the blank line that ends them.
_EVENT_AND_DATA = re.compile("event: ?([^\n]*+)\ndata: ?([^\n]*+)\n\n").match


class SseEvent:
    """One dispatched event. ``last_event_id`` is the stream's last event id at dispatch time."""

    __slots__ = ("data", "event", "last_event_id", "retry")

    def __init__(self, event: str, data: str, last_event_id: str = "", retry: int | None = None) -> None:
        self.event = event
        self.data = data
        self.last_event_id = last_event_id
        self.retry = retry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SseEvent):
            return NotImplemented
        return (self.event, self.data, self.last_event_id, self.retry) == (
            other.event,
            other.data,
            other.last_event_id,
            other.retry,
        )

    def __hash__(self) -> int:
        return hash((self.event, self.data, self.last_event_id, self.retry))

    def __repr__(self) -> str:
        data = self.data if len(self.data) <= 60 else self.data[:57] + "..."
        return f"SseEvent(event={self.event!r}, data={data!r}, id={self.last_event_id!r}, retry={self.retry})"


class SseDecoder:
    """Feed it bytes with :meth:`feed`; it returns the events those bytes completed."""

    __slots__ = (
        "_at_start",
        "_data",
        "_event",
        "_last_event_id",
        "_pending",
        "_retry",
        "_skip_lf",
    )

    def __init__(self) -> None:
        self._pending = b""  # bytes of an incomplete line
        self._skip_lf = False  # the previous read ended in CR: a leading LF belongs to it
        self._at_start = True  # the BOM may still come
        self._event = ""
        self._data: list[str] = []
        self._last_event_id = ""
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str:
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The reconnection time in milliseconds, if the stream set one."""
        return self._retry

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Decode ``chunk`` and return the events it completed, in order."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    return []
        buf = self._pending + chunk if self._pending else chunk
        if self._at_start:
            if len(buf) < 3 and _BOM.startswith(buf):
                self._pending = buf
                return []
            self._at_start = False
            if buf.startswith(_BOM):
                buf = buf[3:]
        if b"\r" in buf:
            return self._feed_any_line_endings(buf)
        # The usual stream: LF line endings only. Decode all complete lines in one call (an LF
        # byte is never part of a UTF-8 sequence, so this is the same as decoding line by line)
        # and split the text on LF alone (str.splitlines would also split on U+2028 and others).
        end = buf.rfind(b"\n") + 1
        if not end:
            self._pending = buf
            return []
        self._pending = buf[end:]
        text = buf[:end].decode("utf-8", "replace")
        events: list[SseEvent] = []
        pos, size = 0, len(text)
        match = _EVENT_AND_DATA
        while pos < size:
            if not self._data:
                # The usual event, "event:NAME", "data:DATA" and a blank line, in one match.
                m = match(text, pos)
                if m is not None:
                    last_id, retry = self._last_event_id, self._retry
                    while m is not None:
                        name, data = m.groups()
                        events.append(SseEvent(name or "message", data, last_id, retry))
                        pos = m.end()
                        m = match(text, pos)
                    self._event = ""
                    if pos >= size:
                        break
            # Anything else, one line at a time.
            eol = text.index("\n", pos)
            line = text[pos:eol]
            pos = eol + 1
            if not line:  # blank line: dispatch
                if self._data:
                    events.append(
                        SseEvent(
                            self._event or "message", "\n".join(self._data), self._last_event_id, self._retry
                        )
                    )
                    self._data = []
                self._event = ""
            elif line.startswith("data:"):
                self._data.append(line[6:] if line[5:6] == " " else line[5:])
            elif line.startswith("event:"):
                self._event = line[7:] if line[6:7] == " " else line[6:]
            else:
                self._process_text_line(line)
        return events

    def _feed_any_line_endings(self, buf: bytes) -> list[SseEvent]:
        """:meth:`feed` for a buffer with CR bytes (CR or CRLF line endings)."""
        lines = buf.splitlines()  # one item per line ending; a trailing partial line comes last
        last = buf[-1:]
        if last == b"\n":
            self._pending = b""
        elif last == b"\r":
            # A CR ends the line now; an LF at the start of the next read is part of it.
            self._pending = b""
            self._skip_lf = True
        else:
            self._pending = lines.pop() if lines else b""
        events: list[SseEvent] = []
        for line in lines:
            if line:
                self._process_line(line)
            else:  # blank line: dispatch
                if self._data:
                    events.append(
                        SseEvent(
                            self._event or "message", "\n".join(self._data), self._last_event_id, self._retry
                        )
                    )
                    self._data = []
                self._event = ""
        return events

    def close(self) -> list[SseEvent]:
        """The stream ended. A final line without its line ending is still a line, but an
        event that never got its blank line is discarded, as the standard says."""
        if self._pending:
            pending, self._pending = self._pending, b""
            if not (self._at_start and _BOM.startswith(pending)):
                if self._at_start and pending.startswith(_BOM):
                    pending = pending[3:]
                if pending:
                    self._process_line(pending)
        self._at_start = False
        self._event = ""
        self._data = []
        return []

    def _process_line(self, line: bytes) -> None:
        self._process_text_line(line.decode("utf-8", "replace"))

    def _process_text_line(self, text: str) -> None:
        if text[:1] == ":":
            return  # comment
        name, colon, value = text.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\x00" not in value:
                self._last_event_id = value
        elif name == "retry":
            if value and value.isascii() and value.isdigit():
                self._retry = int(value)


def decode_all(chunks: Iterable[bytes]) -> Iterator[SseEvent]:
    """Decode a whole stream given as byte chunks (for tests and fixtures)."""
    decoder = SseDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()
