"""Settings (a temp INI file), the redacting log filter and the crash report."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from pytestqt.qtbot import QtBot

from coze_desktop.domain import DEFAULT_BASE_URL, GLOBAL_BASE_URL
from coze_desktop.logs import LOG_FILENAME, RedactingFilter, crash_report, setup_logging, teardown_logging
from coze_desktop.secrets import TokenStore
from coze_desktop.settings import DEFAULTS, DEMO_BASE_URL, Key, Settings, region_of
from coze_desktop.workers.accounts import Accounts, is_demo_url

TOKEN = "pat_SecretLookingToken1234567890abcdef"


def test_defaults_when_the_file_is_new(tmp_path: Path) -> None:
    s = Settings(tmp_path / "s.ini")
    assert s.base_url == DEFAULT_BASE_URL and s.region == "cn"
    assert s.streaming is True and s.proxy == "" and s.current_bot_id == ""
    assert (s.language, s.theme, s.send_key) == ("system", "system", "enter")
    assert s.font_size == 0 and s.call_warning_limit == 500 and s.sources_panel_visible is True
    assert s.window_geometry.isEmpty() and s.splitter_state.isEmpty()
    assert s.user_id.startswith("coze-desktop-")
    assert Settings(tmp_path / "s.ini").user_id == s.user_id  # generated once, then kept
    assert set(DEFAULTS) == set(Key)


def test_round_trip_through_the_file(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "s.ini"
    s = Settings(path)
    changed: list[str] = []
    s.changed.connect(changed.append)
    s.base_url = GLOBAL_BASE_URL + "/"
    s.streaming = False
    s.proxy = "http://127.0.0.1:7890"
    s.current_bot_id = "7351"
    s.language = "zh_CN"
    s.theme = "dark"
    s.font_size = 14
    s.send_key = "ctrl_enter"
    s.call_warning_limit = 100
    s.sources_panel_visible = False
    s.window_geometry = QByteArray(b"\x01\x02geometry")
    s.streaming = False  # no change: no signal
    s.sync()
    assert changed == [
        "api/base_url",
        "api/streaming",
        "api/proxy",
        "bots/current",
        "ui/language",
        "ui/theme",
        "ui/font_size",
        "ui/send_key",
        "usage/call_warning_limit",
        "ui/sources_panel_visible",
        "window/geometry",
    ]
    r = Settings(path)
    assert r.base_url == GLOBAL_BASE_URL and r.region == "com"
    assert (r.streaming, r.proxy, r.current_bot_id) == (False, "http://127.0.0.1:7890", "7351")
    assert (r.language, r.theme, r.font_size, r.send_key) == ("zh_CN", "dark", 14, "ctrl_enter")
    assert r.call_warning_limit == 100 and r.sources_panel_visible is False
    assert r.window_geometry == QByteArray(b"\x01\x02geometry")
    assert r.ui_language() == "zh_CN" and r.error_language() == "zh"
    r.reset(Key.THEME)
    assert r.theme == "system"


def test_a_hand_edited_file_cannot_break_the_app(tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    path.write_text(
        "[ui]\nlanguage=klingon\ntheme=neon\nfont_size=huge\nsend_key=space\n"
        "[api]\nstreaming=perhaps\nbase_url=\n[usage]\ncall_warning_limit=-5\n",
        encoding="utf-8",
    )
    s = Settings(path)
    assert (s.language, s.theme, s.font_size, s.send_key) == ("system", "system", 0, "enter")
    assert s.streaming is True and s.base_url == DEFAULT_BASE_URL and s.call_warning_limit == 500


def test_wrong_values_are_refused(tmp_path: Path) -> None:
    s = Settings(tmp_path / "s.ini")
    with pytest.raises(TypeError):
        s.font_size = "12"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        s.theme = "neon"


def test_regions_and_the_demo_name() -> None:
    assert region_of("https://api.coze.cn/") == "cn"
    assert region_of(DEMO_BASE_URL) == "demo" and is_demo_url("demo://local/")
    assert region_of("https://coze.example.com") == "custom"


def test_the_token_never_goes_into_the_settings_file(tmp_path: Path) -> None:
    s = Settings(tmp_path / "s.ini")
    accounts = Accounts(s, TokenStore())
    accounts.save_token(s.base_url, TOKEN)
    s.sync()
    assert accounts.token(s.base_url) == TOKEN
    assert TOKEN not in (tmp_path / "s.ini").read_text(encoding="utf-8")
    account = accounts.account(s.base_url)
    assert account is not None and TOKEN not in repr(account)


def test_log_lines_are_scrubbed_of_tokens(tmp_path: Path) -> None:
    folder = setup_logging(tmp_path, lambda: [TOKEN])
    try:
        log = logging.getLogger("coze_desktop.test")
        log.info("calling with %s", TOKEN)
        log.info("Authorization: Bearer %s", "pat_otherTOKEN123456789")
        try:
            raise RuntimeError(f"failed for {TOKEN}")
        except RuntimeError:
            log.exception("it broke")
    finally:
        teardown_logging()
    text = (folder / LOG_FILENAME).read_text(encoding="utf-8")
    assert "calling with ***" in text and "RuntimeError" in text and "it broke" in text
    assert TOKEN not in text and "pat_otherTOKEN123456789" not in text


def test_crash_report_has_versions_and_no_token() -> None:
    try:
        raise KeyError(TOKEN)
    except KeyError as exc:
        report = crash_report(type(exc), exc, exc.__traceback__, [TOKEN], thread_name="worker")
    assert report.startswith("Coze Desktop ")
    assert "Python " in report and "PySide6 " in report and "Platform " in report
    assert "Thread worker" in report and "KeyError" in report
    assert TOKEN not in report


def test_workers_and_settings_use_qtcore_only() -> None:
    """The workers run off the GUI thread: they must never touch widgets (design.md)."""
    package = Path(__file__).resolve().parents[2] / "coze_desktop"
    for path in [package / "settings.py", *sorted((package / "workers").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("PySide6"):
                    assert name in ("PySide6.QtCore",), f"{path.name} imports {name}"
                assert not name.startswith(("coze_desktop.ui", "coze_desktop.app", "coze_desktop.demo")), (
                    f"{path.name} imports {name}"
                )


def test_a_malformed_log_call_is_still_scrubbed_and_does_not_raise() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "two %s %s", (TOKEN,), None)
    assert RedactingFilter(lambda: [TOKEN]).filter(record)  # one argument short: no TypeError
    assert record.getMessage().startswith("two %s %s") and TOKEN not in record.getMessage()
