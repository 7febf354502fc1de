"""The access token in the OS keyring, and nowhere else. No Qt.

One keyring entry per API base URL (tokens are per region). When no keyring backend is
available (a Linux box without a Secret Service) this module says so with
:class:`KeyringUnavailable`; it never falls back to a plaintext file. The GUI may then keep the
token for the session only, in memory, through :class:`TokenStore`.
"""

from __future__ import annotations

import logging
import os

# keyring is imported by the functions that use it: the CLI with COZE_API_TOKEN set never needs
# it, and importing it costs more start-up time than the rest of this module.

logger = logging.getLogger(__name__)

SERVICE = "coze-desktop"
ENV_TOKEN = "COZE_API_TOKEN"  # noqa: S105 - the name of the variable, not a secret


class KeyringUnavailable(Exception):
    """No usable keyring backend, or the keyring refused (locked, denied)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def user_message(self, lang: str = "zh") -> str:
        if lang.lower().startswith("zh"):
            return (
                "系统钥匙串不可用，无法安全保存令牌。"
                "在 Linux 上请安装并解锁 Secret Service（如 gnome-keyring 或 KWallet）；"
                f"也可以只在本次运行中使用令牌。（{self.reason}）"
            )
        return (
            "The system keyring is not available, so the token cannot be stored safely. "
            "On Linux, install and unlock a Secret Service (gnome-keyring or KWallet); "
            f"or use the token for this session only. ({self.reason})"
        )


def _entry(base_url: str) -> str:
    return base_url.rstrip("/")


def keyring_available() -> bool:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


def get_token(base_url: str) -> str | None:
    """The saved token for ``base_url``; ``None`` if none is saved. Raises KeyringUnavailable."""
    import keyring.errors

    try:
        return keyring.get_password(SERVICE, _entry(base_url))
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailable("no keyring backend") from exc
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(type(exc).__name__) from exc


def set_token(base_url: str, token: str) -> None:
    import keyring.errors

    try:
        keyring.set_password(SERVICE, _entry(base_url), token)
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailable("no keyring backend") from exc
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(type(exc).__name__) from exc


def delete_token(base_url: str) -> None:
    import keyring.errors

    try:
        keyring.delete_password(SERVICE, _entry(base_url))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailable("no keyring backend") from exc
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(type(exc).__name__) from exc


class TokenStore:
    """Tokens by base URL: the keyring, with an explicit, in-memory, session-only alternative."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}

    def get(self, base_url: str) -> str | None:
        key = _entry(base_url)
        if key in self._session:
            return self._session[key]
        try:
            return get_token(key)
        except KeyringUnavailable as exc:
            logger.info("keyring unavailable: %s", exc.reason)
            return None

    def save(self, base_url: str, token: str, *, session_only: bool = False) -> None:
        """Save in the keyring, or, only when asked, in memory for this session."""
        key = _entry(base_url)
        if session_only:
            self._session[key] = token
            return
        set_token(key, token)
        self._session.pop(key, None)

    def forget(self, base_url: str) -> None:
        key = _entry(base_url)
        self._session.pop(key, None)
        delete_token(key)

    def is_session_only(self, base_url: str) -> bool:
        return _entry(base_url) in self._session


def token_from_env_or_keyring(base_url: str) -> str | None:
    """For the CLI: ``COZE_API_TOKEN``, else the app's keyring entry for ``base_url``, else ``None``."""
    env = os.environ.get(ENV_TOKEN, "").strip()
    if env:
        return env
    try:
        return get_token(base_url)
    except KeyringUnavailable as exc:
        logger.info("keyring unavailable: %s", exc.reason)
        return None
