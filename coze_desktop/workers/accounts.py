"""Who the app talks to: base URL, token, end-user id and proxy, ready for a request.

Conversations, bots, tokens and API call counts are filed under a *stored* base URL. For the
real Coze that is the API address itself; for the embedded demo server it is the stable name
:data:`~coze_desktop.settings.DEMO_BASE_URL` (``demo://local``), because the server's port
changes on every start. :class:`Accounts` maps a stored base URL to the address requests go
to, starting the demo server on first use through the callable ``app.py`` gives it.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from coze_desktop import secrets
from coze_desktop.api import CozeClient
from coze_desktop.secrets import TokenStore
from coze_desktop.settings import DEMO_BASE_URL, Settings, normalize_base_url

logger = logging.getLogger(__name__)

DemoStarter = Callable[[], tuple[str, str]]
"""Starts the demo server if it is not running; returns its live URL and its token."""


def is_demo_url(base_url: str) -> bool:
    """Whether ``base_url`` names the embedded demo server."""
    return normalize_base_url(base_url) == DEMO_BASE_URL


def is_local_url(url: str) -> bool:
    """Whether ``url`` points at this machine: ``localhost`` or a loopback address.

    Calls to such a server (the embedded demo, a test server, a self-hosted server on this
    computer) never reach Coze, so they do not count against Coze's API quota.
    """
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


CallCounter = Callable[[str, str], int]
"""Counts one API call for (stored base URL, token) and returns this month's count (``Store.record_api_call``)."""


@dataclass(frozen=True, slots=True)
class Account:
    """Everything a request needs. ``token`` never shows in a repr.

    ``on_call`` is called (in the thread making the request) after every API call of a client of
    this account that got a response; :class:`Accounts` uses it to count calls against Coze's
    quota, and leaves it ``None`` for a server on this machine (:func:`is_local_url`).
    """

    base_url: str  # the stored base URL: what tokens, conversations and call counts are filed under
    api_url: str  # where requests go
    token: str = field(repr=False)
    user_id: str = ""
    proxy: str = ""
    on_call: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    @property
    def proxies(self) -> Mapping[str, str] | None:
        """The proxy setting as ``requests`` wants it, or ``None`` for the environment's."""
        return {"http": self.proxy, "https": self.proxy} if self.proxy else None

    def client(self) -> CozeClient:
        """A new client for this account; close it when done."""
        return CozeClient(self.token, self.api_url, proxies=self.proxies, on_request=self._on_request)

    def _on_request(self, _path: str) -> None:
        if self.on_call is not None:
            self.on_call()


class Accounts(QObject):
    """Tokens by stored base URL (keyring, or session-only), and the accounts built from them.

    Tokens read from the keyring are cached for the session, so the GUI thread asks the
    keyring once per base URL.
    """

    token_changed = Signal(str)
    """A token was saved or forgotten. Argument: the stored base URL."""

    api_call_recorded = Signal(str, int)
    """An account made an API call (emitted from the thread that made it). Arguments: the stored
    base URL, the account's calls this month."""

    def __init__(
        self,
        settings: Settings,
        token_store: TokenStore,
        *,
        demo: DemoStarter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._tokens = token_store
        self._demo = demo
        self._cache: dict[str, str | None] = {}
        self._seen: set[str] = set()
        self._counter: CallCounter | None = None
        self._count_local = False

    def count_calls_with(self, counter: CallCounter, *, count_local: bool = False) -> None:
        """Count the API calls of every account with ``counter`` from now on.

        Only calls that reach a remote server count: calls to a server on this machine (the
        demo) are free. ``count_local`` counts those too, for tests where a local server
        stands in for Coze.
        """
        self._counter = counter
        self._count_local = count_local

    def counts_calls(self, base_url: str) -> bool:
        """Whether API calls made for the stored ``base_url`` are counted."""
        if self._counter is None:
            return False
        key = normalize_base_url(base_url)
        return self._count_local or not (is_demo_url(key) or is_local_url(key))

    def _record_call(self, base_url: str, token: str) -> None:
        """Runs in the thread making the call."""
        if self._counter is None:
            return
        try:
            count = self._counter(base_url, token)
        except Exception as exc:  # counting must never break a request (disk full, store closed...)
            logger.warning("could not count an API call: %s", exc)
            return
        self.api_call_recorded.emit(base_url, count)

    # --- tokens ------------------------------------------------------------------------------

    def token(self, base_url: str) -> str | None:
        """The token for ``base_url``, or ``None`` when none is saved (or the keyring is unavailable)."""
        key = normalize_base_url(base_url)
        if is_demo_url(key):
            return self._demo_endpoint()[1]
        if key not in self._cache:
            self._cache[key] = self._tokens.get(key) or None
        token = self._cache[key]
        if token:
            self._seen.add(token)
        return token

    def save_token(self, base_url: str, token: str, *, session_only: bool = False) -> None:
        """Keep ``token`` for ``base_url`` in the keyring, or in memory when ``session_only``.

        Raises :class:`~coze_desktop.secrets.KeyringUnavailable` when the keyring refuses.
        """
        key = normalize_base_url(base_url)
        token = token.strip()
        self._seen.add(token)
        self._tokens.save(key, token, session_only=session_only)
        self._cache[key] = token
        self.token_changed.emit(key)

    def is_session_only(self, base_url: str) -> bool:
        """Whether the token of ``base_url`` lives in memory only."""
        return self._tokens.is_session_only(normalize_base_url(base_url))

    @staticmethod
    def keyring_available() -> bool:
        """Whether a usable OS keyring backend is installed."""
        return secrets.keyring_available()

    def known_secrets(self) -> list[str]:
        """Every token this session has loaded or saved (for scrubbing logs and reports)."""
        return sorted(self._seen)

    # --- endpoints ---------------------------------------------------------------------------

    def _demo_endpoint(self) -> tuple[str, str]:
        if self._demo is None:
            raise RuntimeError("this app was built without the demo server")
        url, token = self._demo()
        self._seen.add(token)
        return url, token

    def api_url(self, base_url: str) -> str:
        """Where requests for the stored ``base_url`` go."""
        key = normalize_base_url(base_url)
        return self._demo_endpoint()[0] if is_demo_url(key) else key

    def account(
        self, base_url: str, *, token: str | None = None, user_id: str | None = None, proxy: str | None = None
    ) -> Account | None:
        """The account for ``base_url``, or ``None`` when it has no token.

        ``token``, ``user_id`` and ``proxy`` replace the saved ones (a settings dialog testing
        what was typed before saving it).
        """
        key = normalize_base_url(base_url)
        token = (token or "").strip() or self.token(key)
        if not token:
            return None
        self._seen.add(token)
        return Account(
            base_url=key,
            api_url=self.api_url(key),
            token=token,
            user_id=user_id or self._settings.user_id,
            proxy="" if is_demo_url(key) else (self._settings.proxy if proxy is None else proxy).strip(),
            on_call=functools.partial(self._record_call, key, token) if self.counts_calls(key) else None,
        )
