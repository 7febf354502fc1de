"""``coze-desktop --frozen-check``: prove inside the bundle what freezing can silently break.

Each check prints ``check <name>: ok <detail>`` or ``check <name>: FAILED <reason>``; the last
line is ``frozen check ok`` (exit 0) or ``frozen check FAILED (n)`` (exit 1). Nothing here opens
a window, reads a token or writes to the user's data folder.

Checks:

- ``keyring``: keyring's backends are found through package metadata (entry points in the
  ``keyring.backends`` group), so the bundle must carry keyring's ``dist-info``. The check loads
  the entry points and requires the platform's real backend class (Secret Service on Linux,
  Windows Credential Locker, macOS Keychain) to be registered and its dependencies importable.
  Which backend is *active* depends on the session (``fail.Keyring`` in CI without D-Bus), so
  it is printed, not required — unless ``COZE_FROZEN_CHECK_KEYRING_ROUNDTRIP=1`` asks for a
  set/get/delete round trip through the active backend.
- ``tls``: certifi's CA bundle exists inside the bundle, ``requests.certs.where()`` points at it,
  it loads into an ``ssl`` context, and an HTTPS ``CozeClient`` verifies with it.
- ``demo-chat``: the embedded demo server starts and one streaming chat with the knowledge bot
  completes through ``CozeClient`` over HTTP on 127.0.0.1, sources included.
- ``pygments``: the lexers and styles code blocks use resolve by name.
- ``qt``: the Qt platform plugins and image formats the app needs are present, the app's
  resources (icons, translations) are where ``coze_desktop.app.resources_dir()`` looks, and
  Qt's own Chinese translation loads.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# Lexers a chat answer commonly uses; every one must resolve inside the bundle.
COMMON_LEXERS = (
    "python", "javascript", "typescript", "json", "bash", "shell", "c", "cpp", "java", "go",
    "rust", "sql", "yaml", "toml", "html", "css", "markdown", "diff", "kotlin", "swift", "php",
)  # fmt: skip
SERVICE = "coze-desktop-frozen-check"


def bundle_root() -> Path | None:
    """The bundle's data folder (``sys._MEIPASS``) when frozen, else ``None``."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if getattr(sys, "frozen", False) and meipass else None


def _inside_bundle(path: str | os.PathLike[str]) -> bool:
    root = bundle_root()
    return root is None or Path(path).resolve().is_relative_to(root.resolve())


def check_keyring() -> str:
    """keyring's backends are discoverable through their entry points; the real one is loadable."""
    from importlib import metadata

    import keyring
    import keyring.backend

    names = sorted(ep.name for ep in metadata.entry_points(group="keyring.backends"))
    if not names:
        raise AssertionError("no keyring.backends entry points: keyring's metadata is missing")
    keyring.backend._load_plugins()  # what keyring does on first use, via the entry points
    classes = {f"{cls.__module__}.{cls.__name__}" for cls in keyring.backend.KeyringBackend._classes}
    wanted = {
        "linux": "keyring.backends.SecretService.Keyring",
        "win32": "keyring.backends.Windows.WinVaultKeyring",
        "darwin": "keyring.backends.macOS.Keyring",
    }.get(sys.platform)
    if wanted and wanted not in classes:
        raise AssertionError(f"{wanted} is not registered; found {sorted(classes)}")
    if sys.platform == "linux":
        import jeepney  # noqa: F401  # Secret Service talks D-Bus through these
        import secretstorage  # noqa: F401
    viable = sorted(
        type(ring).__module__ + "." + type(ring).__name__ for ring in keyring.backend.get_all_keyring()
    )
    active = keyring.get_keyring()
    detail = (
        f"entry points {names}; active {type(active).__module__}.{type(active).__name__}; viable {viable}"
    )
    if os.environ.get("COZE_FROZEN_CHECK_KEYRING_ROUNDTRIP") == "1":
        user, secret = f"check-{os.getpid()}", f"secret-{time.time_ns()}"
        keyring.set_password(SERVICE, user, secret)
        try:
            if keyring.get_password(SERVICE, user) != secret:
                raise AssertionError("the keyring gave back a different secret")
        finally:
            keyring.delete_password(SERVICE, user)
        detail += "; set/get/delete round trip ok"
    return detail


def check_tls() -> str:
    """certifi's CA bundle ships in the bundle and an HTTPS client is configured to verify with it."""
    import ssl

    import certifi
    import requests.certs
    from requests.utils import DEFAULT_CA_BUNDLE_PATH

    from coze_desktop.api import CozeClient

    where = requests.certs.where()
    if not Path(where).is_file():
        raise AssertionError(f"requests.certs.where() = {where} does not exist")
    if Path(where).resolve() != Path(certifi.where()).resolve() or not _inside_bundle(where):
        raise AssertionError(f"the CA bundle {where} is not certifi's file inside the bundle")
    context = ssl.create_default_context(cafile=where)
    authorities = context.cert_store_stats()["x509_ca"]
    if authorities < 50:
        raise AssertionError(f"only {authorities} CA certificates loaded from {where}")
    if Path(DEFAULT_CA_BUNDLE_PATH).resolve() != Path(where).resolve():
        raise AssertionError(f"requests' default CA bundle is {DEFAULT_CA_BUNDLE_PATH}, not {where}")
    # What an HTTPS CozeClient verifies with: the bundled file unless the user's environment
    # names another (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, e.g. behind a company proxy).
    client = CozeClient("frozen-check", "https://api.coze.cn")
    try:
        settings = client._session.merge_environment_settings(
            "https://api.coze.cn/v3/chat", {}, False, None, None
        )
    finally:
        client.close()
    verify = settings["verify"]
    detail = f"{authorities} CAs from {where}"
    if verify is True or Path(str(verify)).resolve() == Path(where).resolve():
        return detail + "; HTTPS clients verify with it"
    if verify is False or not Path(str(verify)).is_file():
        raise AssertionError(f"HTTPS would verify with {verify!r} from the environment, which does not exist")
    return detail + f"; this environment overrides it with {verify} (exists)"


def check_demo_chat() -> str:
    """The embedded demo server answers one streaming chat through ``CozeClient``."""
    from coze_desktop.api import ChatAccumulator, CozeClient
    from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
    from coze_desktop.domain import ChatStatus

    started = time.perf_counter()
    with DemoServer(fast=True) as server, CozeClient(DEMO_TOKEN, server.url, read_timeout=20) as client:
        accumulator = ChatAccumulator(lang="en")
        for event in client.stream_chat("demo-knowledge", "frozen-check", "怎么退货？"):
            accumulator.feed(event)
        result = accumulator.result()
    if result.status is not ChatStatus.COMPLETED or not result.answer:
        raise AssertionError(f"the chat ended {result.status} ({result.error})")
    if not result.sources:
        raise AssertionError("the knowledge bot's answer came without sources")
    elapsed = (time.perf_counter() - started) * 1000
    return (
        f"{len(result.answer)} characters, {len(result.sources)} sources in {elapsed:.0f} ms via {server.url}"
    )


def check_pygments() -> str:
    """Code-block lexers and the app's styles resolve by name (Pygments loads them lazily)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.styles import get_all_styles, get_style_by_name

    for name in COMMON_LEXERS:
        get_lexer_by_name(name)
    styles = sorted(get_all_styles())
    used = ["friendly", "monokai"]
    try:
        from coze_desktop.ui import theme

        used = sorted({getattr(theme, n) for n in dir(theme) if n.endswith("_CODE_STYLE")}) or used
    except Exception:  # the check must not depend on the UI package's constants  # noqa: S110
        pass
    for name in used:
        get_style_by_name(name)
    return f"{len(COMMON_LEXERS)} lexers; styles {used} of {len(styles)}"


def check_qt() -> str:
    """Qt starts offscreen, finds its plugins, and the app's icons are where the app looks."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon, QImageReader
    from PySide6.QtNetwork import QNetworkInformation

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    platforms = sorted(p.name for p in (plugins / "platforms").glob("*qoffscreen*")) + sorted(
        p.name for p in (plugins / "platforms").glob("*qxcb*")
    )
    if sys.platform == "linux" and len(platforms) < 2:
        raise AssertionError(f"platform plugins missing in {plugins / 'platforms'}: {platforms}")
    formats = sorted(bytes(f.data()).decode() for f in QImageReader.supportedImageFormats())
    for needed in ("png", "svg", "jpg", "gif"):
        if needed not in formats:
            raise AssertionError(f"image format {needed} missing; have {formats}")
    from coze_desktop.app import resources_dir

    icons = resources_dir() / "icons"
    svg = icons / "coze-desktop.svg"
    if not svg.is_file() or not (icons / "coze-desktop-256.png").is_file():
        raise AssertionError(f"the app icons are not in {icons}")
    if QIcon(str(svg)).pixmap(64, 64).isNull():
        raise AssertionError("the SVG icon does not render (iconengines/svg plugin missing?)")
    import coze_desktop.app

    app_icon = getattr(coze_desktop.app, "app_icon", None)  # the window icon, where the app has it
    if app_icon is not None and app_icon().isNull():
        raise AssertionError("coze_desktop.app.app_icon() is empty in the bundle")
    # Translations: the app's own .qm files and Qt's Chinese strings (the spec keeps only those).
    from PySide6.QtCore import QTranslator

    app_qm = sorted((resources_dir() / "translations").glob("*.qm"))
    for qm in app_qm:
        if not QTranslator().load(str(qm)):
            raise AssertionError(f"cannot load the translation {qm}")
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_zh_CN", qt_translations):
        raise AssertionError(f"Qt's qtbase_zh_CN.qm is not in {qt_translations}")
    backends = QNetworkInformation.availableBackends()
    # Reported, not required: fonts belong to the system (Chinese shows as boxes without one).
    families = QFontDatabase.families()
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    del app
    return (
        f"platforms {platforms}; {len(formats)} image formats; network backends {backends}; "
        f"icons in {icons}; translations {[qm.name for qm in app_qm]} + qtbase_zh_CN; "
        f"{len(families)} font families, {len(chinese)} with Chinese"
    )


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("keyring", check_keyring),
    ("tls", check_tls),
    ("demo-chat", check_demo_chat),
    ("pygments", check_pygments),
    ("qt", check_qt),
)


def main() -> int:
    """Run every check; 0 when all passed."""
    root = bundle_root()
    print(f"frozen: {'yes, ' + str(root) if root else 'no (running from source)'}", flush=True)
    failed = 0
    for name, check in CHECKS:
        try:
            print(f"check {name}: ok {check()}", flush=True)
        except Exception as exc:
            failed += 1
            print(f"check {name}: FAILED {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
    print("frozen check ok" if not failed else f"frozen check FAILED ({failed})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
