"""Translations: the catalogs are complete and up to date, and the real app speaks Chinese or English."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from coze_desktop.app import AppContext
from coze_desktop.demo.server import DemoServer
from coze_desktop.settings import SETTINGS_FILENAME, Settings

from .conftest import AppFactory

ROOT = Path(__file__).resolve().parents[2]
ZH_TS = ROOT / "resources" / "translations" / "coze_desktop_zh_CN.ts"
# What must survive translation unchanged: {names}, %1/%n, HTML tags (with their attributes).
_KEPT = re.compile(r"\{[^{}]*\}|%n|%\d|</?[a-zA-Z][^<>]*>")


def test_translations_are_complete_up_to_date_and_built() -> None:
    """A new or changed string without a Chinese translation, or a stale .ts/.qm, fails here."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "i18n.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_chinese_translations_keep_placeholders_markup_and_accelerators() -> None:
    problems = []
    for message in ET.parse(ZH_TS).getroot().iter("message"):  # noqa: S314 - our own file
        source = message.findtext("source") or ""
        node = message.find("translation")
        # A plural (numerus) message keeps its text in <numerusform> children.
        translation = "".join(node.itertext()).strip() if node is not None else ""
        if sorted(_KEPT.findall(source)) != sorted(_KEPT.findall(translation)):
            problems.append((source, translation))
        if re.search(r"&\w", source) and not re.search(r"&\w", translation):  # the accelerator
            problems.append((source, translation))
    assert not problems


@pytest.fixture
def app_in(
    make_app: AppFactory, qtbot: QtBot, data_dir: Path, demo_fast: DemoServer
) -> Iterator[Callable[[str], AppContext]]:
    """Build the real app with a language setting; English is restored afterwards for other tests."""
    built: list[AppContext] = []

    def build(language: str) -> AppContext:
        settings = Settings(data_dir / SETTINGS_FILENAME)
        settings.language = language
        settings.sync()
        ctx = make_app(demo_fast)
        ctx.window.show()
        qtbot.waitExposed(ctx.window)
        built.append(ctx)
        return ctx

    try:
        yield build
    finally:
        for ctx in built:
            ctx.appearance.install_translators("en")  # translators are application-wide


def _labels(ctx: AppContext) -> set[str]:
    return {label.text() for label in ctx.window.findChildren(QLabel)}


def _menu_titles(ctx: AppContext) -> list[str]:
    return [action.text() for action in ctx.window.menuBar().actions()]


def _ok_text(ctx: AppContext) -> str:
    dialog = ctx.window.open_settings()
    try:
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        return buttons.button(QDialogButtonBox.StandardButton.Ok).text()
    finally:
        dialog.reject()


def test_the_app_speaks_chinese(app_in: Callable[[str], AppContext]) -> None:
    ctx = app_in("zh_CN")
    window = ctx.window
    assert ctx.settings.error_language() == "zh"  # API errors come in Chinese too
    assert window.composer.send_button.text() == "发送"
    assert window.composer.stop_button.text() == "停止"
    assert window.conversation_list.new_chat_button.text() == "新建对话"
    assert window.conversation_list.search_box.placeholderText() == "搜索全部对话"
    assert "引用来源" in _labels(ctx)
    assert _menu_titles(ctx) == ["文件(&F)", "编辑(&E)", "视图(&V)", "智能体(&B)", "设置(&S)", "帮助(&H)"]
    assert "试用演示智能体" in {b.text() for b in window.welcome.findChildren(QPushButton)}
    assert _ok_text(ctx) == "确定"  # Qt's own strings come from its qtbase catalog


def test_the_app_speaks_english(app_in: Callable[[str], AppContext]) -> None:
    ctx = app_in("en")
    window = ctx.window
    assert ctx.settings.error_language() == "en"
    assert window.composer.send_button.text() == "Send"
    assert window.conversation_list.new_chat_button.text() == "New chat"
    assert window.conversation_list.search_box.placeholderText() == "Search all chats"
    assert "Sources" in _labels(ctx)
    assert _menu_titles(ctx) == ["&File", "&Edit", "&View", "&Bots", "&Settings", "&Help"]
    assert _ok_text(ctx) == "OK"
    assert QApplication.translate("Composer", "Send") == "Send"
