"""The API-call counter counts only requests that reached Coze.

Not a refused connection or a timeout before the response (nothing reached the server), and
not a call to a server on this machine (the demo, a test server): those never use the quota.
The demo server on 127.0.0.1 stands in for Coze where a test needs counted calls
(``count_local=True``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from coze_desktop.api import CozeNetworkError
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.secrets import TokenStore
from coze_desktop.settings import DEMO_BASE_URL, Settings
from coze_desktop.store import Store
from coze_desktop.workers.accounts import Accounts, is_local_url

CLOSED_PORT_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store.open(data_dir)
    yield s
    s.close()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def accounts_for(settings: Settings, store: Store, urls: list[str], *, count_local: bool) -> Accounts:
    tokens = TokenStore()
    for url in urls:
        tokens.save(url, DEMO_TOKEN)
    accounts = Accounts(settings, tokens)
    accounts.count_calls_with(store.record_api_call, count_local=count_local)
    return accounts


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.3.4.5", True),
        ("http://localhost:5000/", True),
        ("http://LOCALHOST.", True),
        ("http://app.localhost", True),
        ("http://[::1]:8080", True),
        ("https://api.coze.cn", False),
        ("https://api.coze.com", False),
        ("http://192.168.1.20:8888", False),
        ("http://localhost.example.com", False),
        ("not a url", False),
        ("http://[::1", False),
    ],
)
def test_local_urls(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_a_refused_connection_is_not_counted(
    settings: Settings, store: Store, demo_fast: DemoServer, qtbot: QtBot
) -> None:
    accounts = accounts_for(settings, store, [CLOSED_PORT_URL, demo_fast.url], count_local=True)
    refused = accounts.account(CLOSED_PORT_URL)
    assert refused is not None
    with refused.client() as client, pytest.raises(CozeNetworkError):
        client.get_bot("demo-general")
    assert store.api_calls(CLOSED_PORT_URL, DEMO_TOKEN) == 0
    answered = accounts.account(demo_fast.url)  # the same path through a server that answers counts
    assert answered is not None
    with qtbot.waitSignal(accounts.api_call_recorded) as blocker, answered.client() as client:
        client.get_bot("demo-general")
    assert blocker.args == [demo_fast.url, 1]
    assert store.api_calls(demo_fast.url, DEMO_TOKEN) == 1


def test_a_timeout_before_the_response_is_not_counted(
    settings: Settings, store: Store, silent_url: str
) -> None:
    accounts = accounts_for(settings, store, [silent_url], count_local=True)
    account = accounts.account(silent_url)
    assert account is not None
    with account.client() as client:
        client.read_timeout = 0.5
        with pytest.raises(CozeNetworkError):
            client.get_bot("demo-general")
    assert store.api_calls(silent_url, DEMO_TOKEN) == 0


def test_calls_to_a_server_on_this_machine_are_not_counted(
    settings: Settings, store: Store, demo_fast: DemoServer
) -> None:
    tokens = TokenStore()
    tokens.save(demo_fast.url, DEMO_TOKEN)
    accounts = Accounts(settings, tokens, demo=lambda: (demo_fast.url, DEMO_TOKEN))
    accounts.count_calls_with(store.record_api_call)
    recorded: list[tuple[str, int]] = []  # emitted in the calling thread: this one
    accounts.api_call_recorded.connect(lambda url, count: recorded.append((url, count)))
    for base_url in (demo_fast.url, DEMO_BASE_URL):
        assert not accounts.counts_calls(base_url)
        account = accounts.account(base_url)
        assert account is not None and account.on_call is None
        with account.client() as client:
            assert client.get_bot("demo-general").bot_id == "demo-general"
        assert store.api_calls(base_url, DEMO_TOKEN) == 0
    assert recorded == []
    # a remote server is counted (no request is made here: the tests never reach the network)
    for remote in ("https://api.coze.cn", "https://api.coze.com", "http://192.168.1.20:8888"):
        assert accounts.counts_calls(remote)
        account = accounts.account(remote, token="pat_remote")
        assert account is not None and account.on_call is not None
