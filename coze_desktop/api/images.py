"""Pictures from the web (a reply's Markdown images): one http(s) download with a timeout and a
size cap, its content checked to be an image by its first bytes, not by what the server claims.
Never sends the access token: these are other sites' addresses. No Qt."""

from __future__ import annotations

import threading

import requests

from coze_desktop.text import links
from coze_desktop.text.media import image_format

MAX_IMAGE_BYTES = 10 * 1024 * 1024  # a reply image larger than this is not downloaded
IMAGE_TIMEOUT = (5.0, 20.0)  # seconds: to connect, and between two reads
_CHUNK = 64 * 1024


class ImageFetchError(Exception):
    """An image could not be loaded; ``str()`` says why, for the log (the view shows a placeholder)."""


def fetch_image(
    url: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    timeout: tuple[float, float] = IMAGE_TIMEOUT,
    cancel: threading.Event | None = None,
) -> bytes:
    """The bytes of the image at ``url`` (http or https only). Raises :class:`ImageFetchError`
    for another scheme, an HTTP error, a body over ``max_bytes``, a cancel, or content that is
    not a PNG/JPEG/GIF/WebP/BMP image."""
    if not links.is_web_url(url):
        raise ImageFetchError("not a web link")
    try:
        with requests.get(url, stream=True, timeout=timeout, headers={"Accept": "image/*"}) as response:
            if response.status_code != 200:
                raise ImageFetchError(f"HTTP {response.status_code}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImageFetchError(f"too large ({declared} bytes)")
            data = bytearray()
            for chunk in response.iter_content(_CHUNK):
                if cancel is not None and cancel.is_set():
                    raise ImageFetchError("canceled")
                data += chunk
                if len(data) > max_bytes:
                    raise ImageFetchError(f"too large (over {max_bytes} bytes)")
    except requests.RequestException as exc:
        raise ImageFetchError(f"network error ({type(exc).__name__})") from exc
    if image_format(bytes(data[:16])) is None:
        raise ImageFetchError("not an image")
    return bytes(data)
