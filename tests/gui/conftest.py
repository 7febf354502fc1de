"""Fixtures for the GUI tests: a running qasync loop, temp settings, the real app on a temp folder.

Everything talks to the demo server from ``tests/conftest.py`` over 127.0.0.1 with the isolated
in-memory keyring. Every test fails if it leaves a worker thread running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from coze_desktop.api import CozeClient
from coze_desktop.app import AppContext, create_app
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import Bot, Message, MessageState
from coze_desktop.logs import teardown_logging
from coze_desktop.secrets import TokenStore
from coze_desktop.settings import SETTINGS_FILENAME, Settings
from coze_desktop.store import Store
from coze_desktop.workers.accounts import Accounts
from coze_desktop.workers.chat import ChatController
from coze_desktop.workers.threads import WorkerThreads

WAIT_MS = 20_000  # generous: a paced demo answer takes a few seconds
# Closed qasync loops are kept for the whole session: close() only flags their Qt timers as
# stopped (each is killed when it next fires), and a loop garbage-collected by Python in a worker
# thread would delete its timer object outside the GUI thread, leaving Qt a dangling timer that
# crashes the next processEvents (seen as a rare segfault a few tests later).
_CLOSED_LOOPS: list[asyncio.AbstractEventLoop] = []
DEMO_BOTS = ("demo-knowledge", "demo-reasoning", "demo-general")


@pytest.fixture
def aio_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop that runs whenever Qt processes events (as under ``qtbot.waitSignal``).

    It is made the running loop without ``run_forever`` (which would block); ``stop()`` is never
    called, as it quits the QApplication's event loops, pytest-qt's included.
    """
    loop = qasync.QEventLoop(qapp)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        asyncio.events._set_running_loop(None)
        loop.close()
        _CLOSED_LOOPS.append(loop)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def settings(data_dir: Path) -> Iterator[Settings]:
    s = Settings(data_dir / SETTINGS_FILENAME)
    yield s
    s.sync()


def fetch_bots(base_url: str, bot_ids: tuple[str, ...] = DEMO_BOTS, token: str = DEMO_TOKEN) -> list[Bot]:
    """The demo bots' profiles, as the app would save them."""
    with CozeClient(token, base_url) as client:
        return [client.get_bot(bot_id) for bot_id in bot_ids]


class Chat:
    """The worker layer, wired like the app does it but without widgets."""

    def __init__(
        self,
        qtbot: QtBot,
        store: Store,
        settings: Settings,
        accounts: Accounts,
        threads: WorkerThreads,
        controller: ChatController,
        server: DemoServer,
    ) -> None:
        self.qtbot = qtbot
        self.store = store
        self.settings = settings
        self.accounts = accounts
        self.threads = threads
        self.controller = controller
        self.server = server

    def bot(self, bot_id: str) -> Bot:
        return Bot(bot_id=bot_id, name=bot_id, base_url=self.server.url)

    def send_and_wait(
        self, bot_id: str, text: str, conversation_id: int | None = None
    ) -> tuple[int, Message]:
        """Send and wait for the answer's final state; returns the conversation id and the answer."""
        with self.qtbot.waitSignal(self.controller.reply_finished, timeout=WAIT_MS) as blocker:
            cid = self.controller.send(conversation_id, self.bot(bot_id), text)
        final = blocker.args[1]
        assert final.state is not MessageState.STREAMING
        return cid, final


@pytest.fixture
def make_chat(
    qtbot: QtBot,
    data_dir: Path,
    settings: Settings,
    aio_loop: asyncio.AbstractEventLoop,
) -> Iterator[Callable[..., Chat]]:
    """Build the worker layer against a demo server; checks that no thread is left running."""
    built: list[tuple[Chat, Store]] = []

    def build(server: DemoServer, *, token: str | None = DEMO_TOKEN, streaming: bool = True) -> Chat:
        store = Store.open(data_dir)
        settings.base_url = server.url
        settings.streaming = streaming
        tokens = TokenStore()
        if token:
            tokens.save(server.url, token)
        accounts = Accounts(settings, tokens)
        accounts.count_calls_with(store.record_api_call, count_local=True)  # the demo stands in for Coze
        threads = WorkerThreads()
        controller = ChatController(
            store, accounts, threads, settings, lang=settings.error_language
        )
        chat = Chat(qtbot, store, settings, accounts, threads, controller, server)
        built.append((chat, store))
        return chat

    yield build
    for chat, store in built:
        chat.controller.shutdown(2.0)
        # Every thread must end and be cleaned up: a thread left running fails the test.
        qtbot.waitUntil(lambda c=chat: c.threads.active_count() == 0, timeout=5000)
        store.close()


class AppFactory:
    """Builds the real app (``create_app``) on a temp data folder, as many times as a test needs."""

    def __init__(self, qtbot: QtBot, data_dir: Path, loop: asyncio.AbstractEventLoop) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.loop = loop
        self.built: list[AppContext] = []

    def __call__(
        self,
        server: DemoServer | None = None,
        *,
        token: str | None = DEMO_TOKEN,
        base_url: str | None = None,
        bots: tuple[str, ...] = DEMO_BOTS,
        streaming: bool = True,
        token_store: TokenStore | None = None,
    ) -> AppContext:
        settings = Settings(self.data_dir / SETTINGS_FILENAME)
        tokens = token_store or TokenStore()
        if server is not None:
            url = base_url or server.url
            settings.base_url = url
            if token:
                tokens.save(url, token)
            if bots:
                store = Store.open(self.data_dir)
                for bot in fetch_bots(server.url, bots):
                    store.upsert_bot(bot)
                store.close()
                settings.current_bot_id = bots[0]
        elif base_url is not None:
            settings.base_url = base_url
        settings.streaming = streaming
        ctx = create_app(
            [],
            data_dir=self.data_dir,
            settings=settings,
            token_store=tokens,
            loop=self.loop,
            modal_messages=False,
            demo_fast=True,
        )
        self.qtbot.addWidget(ctx.window)
        self.built.append(ctx)
        return ctx

    def close(self, ctx: AppContext) -> None:
        """Close the window and shut the app down like quitting does."""
        if ctx.window.isVisible():
            ctx.window.close()
        ctx.shutdown()
        self.qtbot.waitUntil(lambda: ctx.threads.active_count() == 0, timeout=5000)
        ctx.appearance.install_translators("en")  # translators are application-wide: none leaks on
        self.built.remove(ctx)


@pytest.fixture
def make_app(qtbot: QtBot, data_dir: Path, aio_loop: asyncio.AbstractEventLoop) -> Iterator[AppFactory]:
    factory = AppFactory(qtbot, data_dir, aio_loop)
    yield factory
    for ctx in list(factory.built):
        factory.close(ctx)  # fails the test if a worker thread does not end
    teardown_logging()


def show(ctx: AppContext, qtbot: QtBot) -> None:
    """Show the app's window and wait until it is on screen."""
    ctx.window.show()
    qtbot.waitExposed(ctx.window)


def send(ctx: AppContext, qtbot: QtBot, text: str) -> Message:
    """Type ``text`` in the composer, press Send and wait for the answer's final state."""
    ctx.window.composer.set_text(text)
    with qtbot.waitSignal(ctx.controller.reply_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(ctx.window.composer.send_button, Qt.MouseButton.LeftButton)
    answer: Message = blocker.args[1]
    return answer
