"""Shared fixtures: demo servers on 127.0.0.1, an isolated keyring, no proxies, no real network."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Headless by default, so a bare `pytest` works with no display (scripts/test sets it too).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scripted_server import ScriptedServer

from coze_desktop.demo.server import DEMO_TOKEN, DemoServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring for tests, so nothing leaks into a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("COZE_API_TOKEN", raising=False)
    monkeypatch.delenv("COZE_API_BASE", raising=False)
    monkeypatch.setenv("COZE_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _cycles_collected_in_the_main_thread() -> Iterator[None]:
    """As in the app (workers/collector.py): Python's cycle collector never runs by itself, so it
    cannot free a Qt object in a worker thread; it runs here, in the main thread, after each test."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture
def memory_keyring(_isolated_environment: MemoryKeyring) -> MemoryKeyring:
    return _isolated_environment


@pytest.fixture(scope="session")
def demo_fast() -> Iterator[DemoServer]:
    with DemoServer(fast=True) as server:
        yield server


@pytest.fixture(scope="session")
def demo_paced() -> Iterator[DemoServer]:
    with DemoServer(fast=False) as server:
        yield server


@pytest.fixture(scope="session")
def demo_unchunked() -> Iterator[DemoServer]:
    with DemoServer(fast=False, chunked=False) as server:
        yield server


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_token() -> str:
    return DEMO_TOKEN


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a child process: isolated keyring (fails closed), data dir, no proxies."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        {
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "COZE_DESKTOP_DATA_DIR": str(tmp_path / "data"),
            "PYTHONIOENCODING": "utf-8",
            "LANG": "C.UTF-8",
        }
    )
    env.pop("COZE_API_TOKEN", None)
    env.pop("COZE_API_BASE", None)
    return env
