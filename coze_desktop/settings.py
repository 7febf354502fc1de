"""The app's preferences: a ``QSettings`` INI file driven by one table of defaults.

Every key, its default and its type are in :data:`DEFAULTS`; keys with a fixed set of values
are checked against :data:`CHOICES`, so a hand-edited or stale file can never hand the app a
value it does not understand (the default is used instead). Writing a different value emits
:attr:`Settings.changed` with the key.

The access token is never stored here: it lives in the OS keyring (:mod:`coze_desktop.secrets`).
QtCore only, so workers may read settings too.
"""

from __future__ import annotations

import logging
import os
import uuid
from enum import StrEnum
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QLocale, QObject, QSettings, Signal

from coze_desktop.domain import DEFAULT_BASE_URL, GLOBAL_BASE_URL

logger = logging.getLogger(__name__)

SETTINGS_FILENAME = "settings.ini"
MAX_ATTACHMENT_MB = 512  # Coze's limit per file (coze-api.md §8), the highest the setting allows
DEMO_BASE_URL = "demo://local"  # stable name of the embedded demo server, mapped to its live URL at runtime

T = TypeVar("T")


class Key(StrEnum):
    """Every settings key, as written in the INI file."""

    BASE_URL = "api/base_url"
    USER_ID = "api/user_id"
    STREAMING = "api/streaming"
    PROXY = "api/proxy"
    CURRENT_BOT_ID = "bots/current"
    LANGUAGE = "ui/language"
    THEME = "ui/theme"
    FONT_SIZE = "ui/font_size"
    SEND_KEY = "ui/send_key"
    SOURCES_PANEL_VISIBLE = "ui/sources_panel_visible"
    CALL_WARNING_LIMIT = "usage/call_warning_limit"
    MAX_ATTACHMENT_MB = "files/max_attachment_mb"
    WINDOW_GEOMETRY = "window/geometry"
    WINDOW_STATE = "window/state"
    SPLITTER_STATE = "window/splitter"
    NEW_CHAT_DRAFT = "drafts/new_chat"


# key -> (default, type). A font size of 0 means "the system's font size".
DEFAULTS: dict[Key, tuple[Any, type]] = {
    Key.BASE_URL: (DEFAULT_BASE_URL, str),
    Key.USER_ID: ("", str),  # filled with a new id the first time the settings are opened
    Key.STREAMING: (True, bool),
    Key.PROXY: ("", str),
    Key.CURRENT_BOT_ID: ("", str),
    Key.LANGUAGE: ("system", str),
    Key.THEME: ("system", str),
    Key.FONT_SIZE: (0, int),
    Key.SEND_KEY: ("enter", str),
    Key.SOURCES_PANEL_VISIBLE: (True, bool),
    # Coze's free plan allows 500 API calls in total (coze-api.md §11).
    Key.CALL_WARNING_LIMIT: (500, int),
    # The largest file the composer takes, in MB (2**20 bytes); Coze's own limit is 512 MB.
    Key.MAX_ATTACHMENT_MB: (MAX_ATTACHMENT_MB, int),
    Key.WINDOW_GEOMETRY: (QByteArray(), QByteArray),
    Key.WINDOW_STATE: (QByteArray(), QByteArray),
    Key.SPLITTER_STATE: (QByteArray(), QByteArray),
    # The unsent text of a chat not saved yet (a saved chat keeps its draft in the history).
    Key.NEW_CHAT_DRAFT: ("", str),
}

CHOICES: dict[Key, tuple[str, ...]] = {
    Key.LANGUAGE: ("system", "zh_CN", "en"),
    Key.THEME: ("system", "light", "dark"),
    Key.SEND_KEY: ("enter", "ctrl_enter"),
}
REGION_URLS = {"cn": DEFAULT_BASE_URL, "com": GLOBAL_BASE_URL, "demo": DEMO_BASE_URL}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def new_user_id() -> str:
    """A fresh end-user id for Coze (which keeps per-user memory): random, not identifying."""
    return "coze-desktop-" + uuid.uuid4().hex


def normalize_base_url(url: str) -> str:
    """``url`` without surrounding blanks and trailing slashes; empty means the default."""
    return url.strip().rstrip("/") or DEFAULT_BASE_URL


def region_of(base_url: str) -> str:
    """``cn``, ``com``, ``demo`` or ``custom`` for an API base URL."""
    url = normalize_base_url(base_url)
    for region, known in REGION_URLS.items():
        if url == known:
            return region
    return "custom"


def _convert(raw: object, default: Any, kind: type) -> Any:
    """``raw`` as read from the INI file turned into ``kind``; ``default`` when it cannot be."""
    if raw is None:
        return default
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else default
    if kind is int:
        try:
            return int(str(raw).strip())
        except ValueError:
            return default
    if kind is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        return QByteArray(raw) if isinstance(raw, bytes) else default
    return raw if isinstance(raw, str) else default


class _Field(Generic[T]):
    """A typed attribute of :class:`Settings` backed by one key."""

    def __init__(self, key: Key) -> None:
        self.key = key

    @overload
    def __get__(self, obj: None, owner: type) -> _Field[T]: ...

    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...

    def __get__(self, obj: Settings | None, owner: type) -> T | _Field[T]:
        if obj is None:
            return self
        value: T = obj.get(self.key)
        return value

    def __set__(self, obj: Settings, value: T) -> None:
        obj.put(self.key, value)


class Settings(QSettings):
    """The preferences file with typed attributes; writing a new value emits :attr:`changed`.

    Open it on an INI file path (the app uses ``settings.ini`` in its data folder, tests a temp
    file). Read and write through the typed attributes (``settings.streaming = False``) or
    :meth:`get` / :meth:`put` with a :class:`Key`.
    """

    changed = Signal(str)
    """A setting got a new value. Argument: the key (a :class:`Key` value)."""

    base_url = _Field[str](Key.BASE_URL)
    user_id = _Field[str](Key.USER_ID)
    streaming = _Field[bool](Key.STREAMING)
    proxy = _Field[str](Key.PROXY)
    current_bot_id = _Field[str](Key.CURRENT_BOT_ID)
    language = _Field[str](Key.LANGUAGE)
    theme = _Field[str](Key.THEME)
    font_size = _Field[int](Key.FONT_SIZE)
    send_key = _Field[str](Key.SEND_KEY)
    sources_panel_visible = _Field[bool](Key.SOURCES_PANEL_VISIBLE)
    call_warning_limit = _Field[int](Key.CALL_WARNING_LIMIT)
    max_attachment_mb = _Field[int](Key.MAX_ATTACHMENT_MB)
    window_geometry = _Field[QByteArray](Key.WINDOW_GEOMETRY)
    window_state = _Field[QByteArray](Key.WINDOW_STATE)
    splitter_state = _Field[QByteArray](Key.SPLITTER_STATE)
    new_chat_draft = _Field[str](Key.NEW_CHAT_DRAFT)

    def __init__(self, path: str | os.PathLike[str], parent: QObject | None = None) -> None:
        super().__init__(os.fspath(path), QSettings.Format.IniFormat, parent)
        if not self.get(Key.USER_ID):
            self.put(Key.USER_ID, new_user_id())
            self.sync()

    def get(self, key: Key) -> Any:
        """The value of ``key`` as its type in :data:`DEFAULTS`, or the default."""
        default, kind = DEFAULTS[key]
        value = _convert(self.value(key.value), default, kind)
        if key in CHOICES and value not in CHOICES[key]:
            logger.info("ignoring unknown value %r of setting %s", value, key.value)
            return default
        if key is Key.BASE_URL:
            return normalize_base_url(value)
        if key in (Key.FONT_SIZE, Key.CALL_WARNING_LIMIT) and value < 0:
            return default
        if key is Key.MAX_ATTACHMENT_MB and not 1 <= value <= MAX_ATTACHMENT_MB:
            return default
        return value

    def put(self, key: Key, value: Any) -> None:
        """Store ``value`` under ``key``; emits :attr:`changed` when it differs from the current value."""
        kind = DEFAULTS[key][1]
        if not isinstance(value, kind):
            raise TypeError(f"setting {key.value} takes {kind.__name__}, not {type(value).__name__}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ValueError(f"setting {key.value} takes one of {CHOICES[key]}, not {value!r}")
        if key is Key.BASE_URL and isinstance(value, str):  # always a str here (checked above)
            value = normalize_base_url(value)
        if value == self.get(key) and self.contains(key.value):
            return
        self.setValue(key.value, value)
        self.changed.emit(key.value)

    def reset(self, key: Key) -> None:
        """Forget the stored value of ``key`` so that its default applies again."""
        if self.contains(key.value):
            self.remove(key.value)
            self.changed.emit(key.value)

    def max_attachment_bytes(self) -> int:
        """The Settings limit on one attachment, in bytes (never above Coze's 512 MB)."""
        return int(self.max_attachment_mb) * 1024 * 1024

    def ui_language(self) -> str:
        """The language of the interface: ``zh_CN`` or ``en`` (``system`` resolved by the system locale)."""
        if self.language != "system":
            return self.language
        return "zh_CN" if QLocale.system().name().lower().startswith("zh") else "en"

    def error_language(self) -> str:
        """``zh`` or ``en``: the language of the API's error advice and of exports."""
        return "zh" if self.ui_language().startswith("zh") else "en"

    @property
    def region(self) -> str:
        """``cn``, ``com``, ``demo`` or ``custom``: where :attr:`base_url` points."""
        return region_of(self.base_url)
