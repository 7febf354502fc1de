"""A small ``multipart/form-data`` reader for the demo file upload (the stdlib ``cgi`` module is deprecated)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value


@dataclass(frozen=True)
class FormPart:
    """One part of a form: its field name, file name (None for plain fields) and raw bytes."""

    name: str
    filename: str | None
    data: bytes


def parse_form(content_type: str, body: bytes) -> list[FormPart]:
    """Split a ``multipart/form-data`` body into its parts; anything else gives no parts."""
    boundary = _boundary(content_type)
    if boundary is None:
        return []
    # Every delimiter but the first follows a CRLF that belongs to it (RFC 2046), so split on CRLF--boundary.
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    parts = []
    for section in sections[1:]:
        if section.startswith(b"--"):  # the close delimiter
            break
        head, found, data = section.partition(b"\r\n\r\n")
        if found:
            parts.append(_part(head, data))
    return parts


def _boundary(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` content type, None for any other type."""
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        return None
    return boundary


def _part(head: bytes, data: bytes) -> FormPart:
    """Build a part from its header block (text after the delimiter line) and its bytes."""
    headers = HeaderParser().parsestr(head.decode("utf-8", "replace").lstrip(" \t").removeprefix("\r\n"))
    name = headers.get_param("name", header="content-disposition")
    return FormPart(collapse_rfc2231_value(name) if name else "", headers.get_filename(), data)
