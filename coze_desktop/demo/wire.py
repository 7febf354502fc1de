"""Wire format of the demo server: ids, log ids, compact JSON, SSE frames and the error envelope.

Everything here is written from ``../shared/coze-api.md`` and the fixtures, never from the client code.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from http import HTTPStatus
from typing import Any

JsonObject = dict[str, Any]

# 19-digit ids that grow like Coze's snowflake ids; the start moves with the clock, so ids do not
# repeat across restarts of the server (the client keeps them in its local database).
_ids = itertools.count(7_400_000_000_000_000_000 + time.time_ns() // 100)

_MARK = "\x00"  # stands for the changing field while a delta template is built; never in real text


def new_id() -> str:
    """Return a fresh 19-digit numeric id (thread-safe: ``itertools.count`` steps atomically)."""
    return str(next(_ids))


def new_logid() -> str:
    """Return a fresh log id like ``20261124112233ABCDEF0123456789``: local time then 16 hex digits."""
    return time.strftime("%Y%m%d%H%M%S") + os.urandom(8).hex().upper()


def now() -> int:
    """Return the current Unix time in whole seconds, as Coze timestamps are."""
    return int(time.time())


def dumps(value: Any) -> str:
    """Encode ``value`` as compact JSON that keeps non-ASCII text as is, like Coze does."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sse_frame(event: str, data: str) -> bytes:
    """Return one ``/v3/chat`` SSE event: no space after the colons, a blank line after it."""
    return f"event:{event}\ndata:{data}\n\n".encode()


DONE_FRAME = sse_frame("done", dumps("[DONE]"))


def verbose_content(msg_type: str, data: JsonObject) -> str:
    """Return the content of a ``verbose`` message: JSON whose ``data`` is itself a JSON string."""
    return dumps({"msg_type": msg_type, "data": dumps(data), "from_module": None, "from_unit": None})


class ApiError(Exception):
    """A Coze error answer: ``{"code", "msg"}``, sent with HTTP 200 unless ``status`` says otherwise."""

    def __init__(self, code: int, msg: str, status: int = HTTPStatus.OK) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def body(self) -> JsonObject:
        """Return the error envelope without ``detail`` (the HTTP layer adds the log id)."""
        return {"code": self.code, "msg": self.msg}


class DeltaEncoder:
    """Encodes the ``conversation.message.delta`` frames of one message.

    The message JSON is split once around the field that changes, so a delta costs a ``dumps`` of
    its piece only; a piece equal to the previous one (the bench bot) reuses the previous frame.
    """

    def __init__(self, message: JsonObject, field: str) -> None:
        head, _, tail = dumps({**message, field: _MARK}).partition(dumps(_MARK))
        self._head = "event:conversation.message.delta\ndata:" + head
        self._tail = tail + "\n\n"
        self._piece: str | None = None
        self._frame = b""

    def frame(self, piece: str) -> bytes:
        """Return the SSE frame of the delta whose changing field is ``piece``."""
        if piece != self._piece:
            self._piece = piece
            self._frame = (self._head + dumps(piece) + self._tail).encode()
        return self._frame
