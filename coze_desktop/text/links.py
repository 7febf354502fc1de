"""What counts as a web link: one rule for the links the app opens and the links the exports write.

A web link is an absolute ``http`` or ``https`` URL with a host, written without spaces, control
characters, quotes or angle brackets (so it can stand in Markdown's ``<…>`` and in an HTML
attribute as it is). The window asks it of a clicked link in its encoded form
(:func:`coze_desktop.ui.markdown.is_web_url`); the exports ask it of a source's address as stored.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\"/][^\s\x00-\x1f\x7f<>\"]*", re.IGNORECASE)


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no spaces, quotes, angle brackets or controls."""
    if _WEB_URL.fullmatch(url) is None:
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
