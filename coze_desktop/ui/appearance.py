"""How the app looks and speaks: theme (light, dark or the system's), font size and language.

:class:`Appearance` applies them to the application from the settings and follows the settings
as they change; :func:`dark_palette` is the dark palette for platforms without a dark colour
scheme of their own. The colours derived from the current palette are in
:mod:`coze_desktop.ui.theme`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from coze_desktop.settings import Key, Settings

logger = logging.getLogger(__name__)

TRANSLATION_PREFIX = "coze_desktop_"  # the app's catalogues: coze_desktop_<language>.qm


class Appearance(QObject):
    """Applies theme, font size and language to the application, and follows setting changes."""

    def __init__(self, app: QApplication, settings: Settings, translations_dir: Path) -> None:
        super().__init__(app)
        self._app = app
        self._settings = settings
        self._translations_dir = translations_dir
        self._system_font_size = app.font().pointSizeF()
        self.translators: list[QTranslator] = []
        settings.changed.connect(self._on_settings_changed)

    def apply(self) -> None:
        """Apply everything from the settings (at start)."""
        self.install_translators(self._settings.ui_language())
        self.apply_theme()
        self.apply_font_size()

    def apply_theme(self) -> None:
        """Light, dark or the system's colours: Qt's colour scheme where the platform follows it,
        else a Fusion palette (offscreen, some Linux desktops)."""
        theme = self._settings.theme
        wanted = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
            theme, Qt.ColorScheme.Unknown
        )
        hints = QGuiApplication.styleHints()
        hints.setColorScheme(wanted)
        if theme == "system" or hints.colorScheme() == wanted:
            self._app.setPalette(QPalette())  # an empty palette: the platform's and style's colours
        elif theme == "dark":
            self._app.setPalette(dark_palette())
        else:
            self._app.setPalette(self._app.style().standardPalette())

    def apply_font_size(self) -> None:
        font = QFont(self._app.font())
        size = self._settings.font_size
        font.setPointSizeF(float(size) if size > 0 else self._system_font_size)
        self._app.setFont(font)

    def install_translators(self, language: str) -> None:
        """Load the app's translation (from ``translations_dir``) and Qt's own, when present.

        Installing them sends ``LanguageChange`` to every widget, which show their texts again
        in the new language (see ``MainWindow.retranslate``).
        """
        for translator in self.translators:
            self._app.removeTranslator(translator)
        self.translators = []
        QLocale.setDefault(QLocale(language))
        candidates = [
            (TRANSLATION_PREFIX + language, str(self._translations_dir)),
            ("qtbase_" + language, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ]
        for name, folder in candidates:
            translator = QTranslator(self._app)
            if translator.load(name, folder):
                self._app.installTranslator(translator)
                self.translators.append(translator)
                logger.info("loaded translation %s", name)

    @Slot(str)
    def _on_settings_changed(self, key: str) -> None:
        if key == Key.THEME:
            self.apply_theme()
        elif key == Key.FONT_SIZE:
            self.apply_font_size()
        elif key == Key.LANGUAGE:
            self.install_translators(self._settings.ui_language())


def dark_palette() -> QPalette:
    """A dark Fusion palette, for platforms without a dark colour scheme of their own."""
    palette = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    disabled = QColor(127, 127, 127)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 85, 85),
        QPalette.ColorRole.Link: QColor(100, 160, 255),
        QPalette.ColorRole.Highlight: QColor(60, 120, 215),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Light: QColor(70, 70, 74),
        QPalette.ColorRole.Midlight: QColor(58, 58, 62),
        QPalette.ColorRole.Mid: QColor(40, 40, 43),
        QPalette.ColorRole.Dark: QColor(20, 20, 22),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette
