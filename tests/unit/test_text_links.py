"""One rule for web links: what the window opens and what the exports write as links."""

from __future__ import annotations

import pytest

from coze_desktop.text.links import is_web_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/a/b?q=1#frag",
        "HTTPS://Example.com/",
        "https://user:pw@example.com:8443/x",
        "http://127.0.0.1:8080/",
        "https://[::1]/",
        "https://例子.测试/路径",
    ],
)
def test_web_links(url: str) -> None:
    assert is_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/",
        "mailto:someone@example.com",
        "example.com",
        "//example.com/",
        "http:/example.com",
        "http:///path",
        "http://?q=1",  # no host
        "http://#top",
        "https://[::1/",  # an unclosed IPv6 bracket
        "https://example.com/a b",  # a space
        'https://example.com/"onmouseover="x',  # a quote would end an HTML attribute
        "https://example.com/<script>",
        "https://example.com/\nnext",
        "https://example.com/\x7f",
    ],
)
def test_not_web_links(url: str) -> None:
    assert not is_web_url(url)
