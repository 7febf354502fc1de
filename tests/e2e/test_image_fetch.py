"""api/images.fetch_image over real HTTP: http(s) only, a size cap, the content checked."""

from __future__ import annotations

import threading

import pytest
from scripted_server import Script, ScriptedServer

from coze_desktop.api.images import ImageFetchError, fetch_image
from coze_desktop.demo.server import DemoServer


def test_fetches_a_demo_image(demo_fast: DemoServer) -> None:
    data = fetch_image(f"{demo_fast.url}/demo/images/chart.png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/hostname", "not a web link"),
        ("ftp://example.com/a.png", "not a web link"),
        ("/demo/images/chart.png", "not a web link"),
    ],
)
def test_only_web_links_are_fetched(url: str, reason: str) -> None:
    with pytest.raises(ImageFetchError, match=reason):
        fetch_image(url)


def test_missing_too_large_and_not_an_image_are_refused(
    demo_fast: DemoServer, scripted: ScriptedServer
) -> None:
    with pytest.raises(ImageFetchError, match="HTTP 404"):
        fetch_image(f"{demo_fast.url}/demo/images/nothing-here.png")
    with pytest.raises(ImageFetchError, match="too large"):  # told by Content-Length
        fetch_image(f"{demo_fast.url}/demo/images/chart.png", max_bytes=1000)
    # No Content-Length (chunked): cut while reading.
    scripted.script = Script(
        headers={"Content-Type": "image/png"}, chunks=[b"\x89PNG\r\n\x1a\n" + b"x" * 800] * 4
    )
    with pytest.raises(ImageFetchError, match="too large"):
        fetch_image(f"{scripted.url}/big.png", max_bytes=2000)
    # Says it is an image, is not.
    scripted.script = Script(headers={"Content-Type": "image/png"}, chunks=[b"<html>not a picture</html>"])
    with pytest.raises(ImageFetchError, match="not an image"):
        fetch_image(f"{scripted.url}/fake.png")
    assert all(r.headers.get("Accept") == "image/*" for r in scripted.requests)


def test_a_cancel_stops_the_download(scripted: ScriptedServer) -> None:
    cancel = threading.Event()
    cancel.set()
    scripted.script = Script(chunks=[b"\x89PNG\r\n\x1a\n", b"more"])
    with pytest.raises(ImageFetchError, match="canceled"):
        fetch_image(f"{scripted.url}/a.png", cancel=cancel)
