"""The only place that builds and wires the desktop app.

:func:`create_app` builds everything — settings, logging, store, accounts, the chat
controller and the main window — without entering the event loop, so tests build the real
thing. :func:`main` runs it on a qasync event loop (``coze-desktop``, ``python -m coze_desktop``);
``coze-desktop --smoke`` builds the whole window on the usual data folder, prints one line and
exits 0.

Where things live (all in the data folder, see :func:`coze_desktop.store.default_data_dir`,
``COZE_DESKTOP_DATA_DIR`` overrides it): ``history.sqlite3`` (the chats), ``settings.ini`` (the
preferences, never the token) and ``logs/`` (rotating log). The token is in the OS keyring.

The demo bots are served by :class:`~coze_desktop.demo.server.DemoServer` on 127.0.0.1, started
when first needed and stopped on quit. Its port changes on every start, so its bots and
conversations are filed under the stable base URL ``demo://local`` and mapped to the live
address at runtime (:class:`~coze_desktop.workers.accounts.Accounts`); its token is not a
secret and is never written to the keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import qasync
from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication, QMessageBox

from coze_desktop import APP_ID, APP_NAME, __version__
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.logs import crash_report, setup_logging, teardown_logging
from coze_desktop.secrets import TokenStore
from coze_desktop.settings import SETTINGS_FILENAME, Settings
from coze_desktop.store import Store, StoreError, default_data_dir
from coze_desktop.store.paths import ensure_private_dir
from coze_desktop.ui.appearance import Appearance
from coze_desktop.ui.dialogs import CrashDialog
from coze_desktop.ui.main_window import MainWindow
from coze_desktop.workers.accounts import Accounts, is_demo_url
from coze_desktop.workers.chat import ChatController
from coze_desktop.workers.collector import GuiThreadCollector
from coze_desktop.workers.threads import WorkerThreads
from coze_desktop.workers.workflows import WorkflowController

logger = logging.getLogger(__name__)
_IMPORTED_AT = time.monotonic()  # origin of the start-up probe when the launcher gives none

SHUTDOWN_TIMEOUT = 2.0  # seconds: answers being written get this long to stop on quit


def resources_dir() -> Path:
    """The ``resources`` folder: next to the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def app_icon() -> QIcon:
    """The app's icon in every size shipped in ``resources/icons`` (empty if none is found)."""
    icon = QIcon()
    for path in sorted((resources_dir() / "icons").glob("coze-desktop-*.png")):
        icon.addFile(str(path))
    return icon


class DemoService:
    """The embedded demo server: started on first use, stopped on quit."""

    def __init__(self, *, fast: bool = False) -> None:
        self._fast = fast
        self._server: DemoServer | None = None
        self._lock = threading.Lock()

    def endpoint(self) -> tuple[str, str]:
        """Start the server if needed; its live URL and its (public) token."""
        with self._lock:
            if self._server is None:
                self._server = DemoServer(fast=self._fast).start()
                logger.info("demo server listening on %s", self._server.url)
            return self._server.url, DEMO_TOKEN

    def stop(self) -> None:
        """Stop the server (open replies end); it starts again on the next use."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()
            logger.info("demo server stopped")


@dataclass(slots=True)
class AppContext:
    """Everything :func:`create_app` built, for :func:`main` and for tests."""

    app: QApplication
    loop: asyncio.AbstractEventLoop
    data_dir: Path
    log_folder: Path
    settings: Settings
    store: Store
    accounts: Accounts
    threads: WorkerThreads
    controller: ChatController
    workflows: WorkflowController
    window: MainWindow
    demo: DemoService
    appearance: Appearance
    collector: GuiThreadCollector

    def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT) -> bool:
        """Stop answers (saved as ``stopped``), the demo server, and close the store.

        True when every worker thread ended in time. Safe to call more than once.
        """
        ended = self.controller.shutdown(timeout)
        ended = self.workflows.shutdown(timeout if ended else 0.0) and ended
        self.threads.stop_all()
        ended = self.threads.wait_all(timeout if ended else 0.0) and ended
        self.demo.stop()
        self.settings.sync()
        self.store.close()
        self.collector.uninstall()
        return ended


def _open_store(data_dir: Path) -> Store:
    store = Store.open(data_dir)
    if store.recovered_from is not None:
        logger.warning("the history file was damaged and moved to %s", store.recovered_from)
    return store


def create_app(
    argv: Sequence[str] | None = None,
    *,
    data_dir: Path | None = None,
    settings: Settings | None = None,
    token_store: TokenStore | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    modal_messages: bool = True,
    demo_fast: bool = False,
) -> AppContext:
    """Build the whole app without running it.

    ``data_dir`` defaults to the per-user data folder, ``settings`` to ``settings.ini`` in it,
    ``token_store`` to the OS keyring. ``loop`` defaults to a new qasync loop on the
    application (tests pass one that is already running). ``modal_messages`` off makes the
    window never block on a message box (tests). Raises ``StoreError`` when the history
    cannot be opened.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())

    folder = data_dir if data_dir is not None else default_data_dir()
    ensure_private_dir(folder)
    settings = settings if settings is not None else Settings(folder / SETTINGS_FILENAME)
    demo = DemoService(fast=demo_fast)
    accounts = Accounts(
        settings, token_store if token_store is not None else TokenStore(), demo=demo.endpoint
    )
    log_folder = setup_logging(folder, accounts.known_secrets)
    logger.info("%s %s starting; data in %s", APP_NAME, __version__, folder)
    appearance = Appearance(app, settings, resources_dir() / "translations")
    appearance.apply()
    if QNetworkInformation.instance() is None:
        QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)

    store = _open_store(folder)
    collector = GuiThreadCollector(app)  # cycles are freed in the GUI thread only (workers/collector.py)
    collector.install()
    accounts.count_calls_with(store.record_api_call)
    if loop is None:
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
    threads = WorkerThreads(app)
    controller = ChatController(
        store, accounts, threads, settings, lang=settings.error_language, parent=app
    )
    workflows = WorkflowController(
        store, accounts, threads, lang=settings.error_language, streaming=lambda: settings.streaming, parent=app
    )
    if is_demo_url(settings.base_url):
        demo.endpoint()  # the demo was in use last time: start it again at once
    window = MainWindow(
        store=store,
        settings=settings,
        accounts=accounts,
        controller=controller,
        threads=threads,
        log_folder=log_folder,
        modal_messages=modal_messages,
        workflows=workflows,
    )
    window.show_store_notes()
    return AppContext(
        app=app,
        loop=loop,
        data_dir=folder,
        log_folder=log_folder,
        settings=settings,
        store=store,
        accounts=accounts,
        threads=threads,
        controller=controller,
        workflows=workflows,
        window=window,
        demo=demo,
        appearance=appearance,
        collector=collector,
    )


class CrashHandler(QObject):
    """``sys.excepthook`` and ``threading.excepthook``: log the error and show the crash dialog.

    The report is built where the error happened and handed to the GUI thread by a queued
    signal; it never contains a known token.
    """

    crashed = Signal(str)
    """An unexpected error happened. Argument: the report text."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx.app)
        self._ctx = ctx
        self._dialog: CrashDialog | None = None
        self.crashed.connect(self._on_crashed)

    def install(self) -> None:
        sys.excepthook = self.handle_exception
        threading.excepthook = self.handle_thread_exception

    def handle_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._report(crash_report(exc_type, exc, tb, self._ctx.accounts.known_secrets()))

    def handle_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else None
        self._report(
            crash_report(
                args.exc_type,
                args.exc_value,
                args.exc_traceback,
                self._ctx.accounts.known_secrets(),
                thread_name=name,
            )
        )

    def _report(self, report: str) -> None:
        logger.error("unexpected error:\n%s", report)
        self.crashed.emit(report)

    @Slot(str)
    def _on_crashed(self, report: str) -> None:
        if self._dialog is not None and self._dialog.isVisible():  # one dialog, however many errors
            self._dialog.add_report(report)
            return
        self._dialog = CrashDialog(report, self._ctx.log_folder, self._ctx.window)
        self._dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog.finished.connect(self._on_dialog_finished)
        self._dialog.show()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self._dialog = None


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message_handler(kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", text)


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="coze-desktop", description="Coze Desktop: chat with your Coze bots."
    )
    parser.add_argument("--version", action="version", version=f"coze-desktop {__version__}")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="build the main window on the data folder, print one line and exit",
    )
    args, _qt_args = parser.parse_known_args(list(argv)[1:])
    return args


def report_startup() -> None:
    """``COZE_DESKTOP_STARTUP_PROBE=1``: print ``window shown after X ms`` (packaging/measure.py).

    The origin is ``COZE_DESKTOP_LAUNCHED_AT``, the launcher's ``time.monotonic()`` just before it
    started this process (one clock for every process on Linux, macOS and Windows), so the figure
    includes interpreter start and every import; without it, the time this module was imported.
    """
    if not os.environ.get("COZE_DESKTOP_STARTUP_PROBE"):
        return
    try:
        origin = float(os.environ.get("COZE_DESKTOP_LAUNCHED_AT", ""))
    except ValueError:
        origin = _IMPORTED_AT
    print(f"window shown after {(time.monotonic() - origin) * 1000:.0f} ms", flush=True)


def _smoke(ctx: AppContext) -> int:
    ctx.window.show()
    ctx.app.processEvents()
    report_startup()
    count = ctx.store.count_conversations()
    ctx.window.close()
    ctx.shutdown()
    print(f"smoke ok: {count} conversations", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    arguments = list(argv) if argv is not None else sys.argv
    args = _parse_args(arguments)
    try:
        ctx = create_app(arguments)
    except StoreError as exc:
        QApplication.instance() or QApplication(arguments)
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    if args.smoke:
        code = _smoke(ctx)
        ctx.loop.close()
        teardown_logging()
        return code
    qInstallMessageHandler(_qt_message_handler)
    CrashHandler(ctx).install()
    ctx.window.show()
    QTimer.singleShot(0, report_startup)  # the first pass of the event loop: the window is shown
    try:
        ctx.loop.run_forever()
        all_ended = ctx.shutdown()
    finally:  # what qasync's ``with loop:`` does, which the AbstractEventLoop type does not offer
        ctx.loop.stop()
        ctx.loop.close()
    logger.info("%s exited", APP_NAME)
    teardown_logging()
    if not all_ended:
        # A request that cannot be interrupted is still running in a worker thread. Every answer
        # is saved (as stopped); leave without waiting for it, as the user asked to quit.
        os._exit(0)
    return 0
