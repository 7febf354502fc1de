"""The main window's menus, actions and keyboard shortcuts.

:class:`MainMenus` builds the menu bar and reports each choice as a signal named for what the
user asked (``new_chat_requested``, ``theme_chosen`` …), so the window connects once: a
language change builds the menus again (:meth:`MainMenus.rebuild`) and the connections stay.
The window decides what a choice does; this module only knows the menus' shape and shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMenu

from coze_desktop.domain import Bot


class MainMenus(QObject):
    """The menu bar of ``window`` and the Esc shortcut; the checked states come from the caller."""

    new_chat_requested = Signal()
    new_chatflow_requested = Signal()
    export_requested = Signal()
    """Export the conversation on screen."""
    export_all_requested = Signal()
    import_requested = Signal()
    trash_requested = Signal()
    """Open "Recently deleted"."""
    quit_requested = Signal()
    copy_answer_requested = Signal()
    find_requested = Signal()
    sources_toggled = Signal(bool)
    """The Sources panel item was toggled. Argument: whether it is checked now."""
    theme_chosen = Signal(str)
    """Argument: ``system``, ``light`` or ``dark``."""
    language_chosen = Signal(str)
    """Argument: ``system``, ``zh_CN`` or ``en``."""
    bots_menu_about_to_show = Signal()
    add_bot_requested = Signal()
    add_workflow_requested = Signal()
    bot_chosen = Signal(str)
    """A bot of the Bots menu was chosen. Argument: its bot id."""
    settings_requested = Signal()
    try_demo_requested = Signal()
    log_folder_requested = Signal()
    about_requested = Signal()
    stop_requested = Signal()
    """Esc: stop the answer on screen (enabled only while one is written, see :meth:`set_stop_enabled`)."""

    def __init__(self, window: QMainWindow, *, sources_visible: bool, theme: str, language: str) -> None:
        super().__init__(window)
        self._window = window
        self._transfers_enabled = True  # export and import (off while one runs)
        # Esc stops the answer on screen; enabled only then, so Esc keeps its other uses.
        self._stop_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._stop_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self._stop_shortcut.setEnabled(False)
        self._stop_shortcut.activated.connect(self.stop_requested)
        self._build(sources_visible=sources_visible, theme=theme, language=language)

    # --- building ------------------------------------------------------------------------------

    def _action(
        self,
        menu: QMenu,
        text: str,
        signal: SignalInstance,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, menu)  # owned by its menu: cleared with it
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(signal)
        menu.addAction(action)
        return action

    def _choice_group(
        self,
        menu: QMenu,
        choices: Sequence[tuple[str, str]],
        current: str,
        chosen: Callable[[QAction], None],
    ) -> QActionGroup:
        group = QActionGroup(self)
        group.setExclusive(True)
        for text, value in choices:
            action = QAction(text, self)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value == current)
            group.addAction(action)
            menu.addAction(action)
        group.triggered.connect(chosen)
        return group

    def _build(self, *, sources_visible: bool, theme: str, language: str) -> None:
        bar = self._window.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_chat_action = self._action(
            file_menu, self.tr("&New chat"), self.new_chat_requested, QKeySequence.StandardKey.New
        )
        self.new_chatflow_action = self._action(
            file_menu, self.tr("New c&hat-flow chat…"), self.new_chatflow_requested
        )
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, self.tr("&Export conversation…"), self.export_requested)
        self.export_all_action = self._action(
            file_menu, self.tr("Export &all conversations and workflow runs…"), self.export_all_requested
        )
        self.import_action = self._action(file_menu, self.tr("&Import…"), self.import_requested)
        for action in (self.export_action, self.export_all_action, self.import_action):
            action.setEnabled(self._transfers_enabled)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("Recently &deleted…"), self.trash_requested)
        file_menu.addSeparator()
        quit_action = self._action(
            file_menu, self.tr("&Quit"), self.quit_requested, QKeySequence.StandardKey.Quit
        )
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        self.copy_answer_action = self._action(
            edit_menu, self.tr("&Copy last answer"), self.copy_answer_requested, "Ctrl+Shift+C"
        )
        self._action(edit_menu, self.tr("&Find in chats"), self.find_requested, QKeySequence.StandardKey.Find)

        view_menu = bar.addMenu(self.tr("&View"))
        self.sources_action = self._action(
            view_menu, self.tr("&Sources panel"), self.sources_toggled, "Ctrl+Shift+S"
        )
        self.sources_action.setCheckable(True)
        self.sources_action.setChecked(sources_visible)
        theme_menu = view_menu.addMenu(self.tr("&Theme"))
        self.theme_group = self._choice_group(
            theme_menu,
            (
                (self.tr("Follow the system"), "system"),
                (self.tr("Light"), "light"),
                (self.tr("Dark"), "dark"),
            ),
            theme,
            self._on_theme_group_triggered,
        )
        language_menu = view_menu.addMenu(self.tr("&Language"))
        self.language_group = self._choice_group(
            language_menu,
            ((self.tr("System language"), "system"), ("中文（简体）", "zh_CN"), ("English", "en")),
            language,
            self._on_language_group_triggered,
        )

        self.bots_menu = bar.addMenu(self.tr("&Bots"))
        self.bots_menu.aboutToShow.connect(self.bots_menu_about_to_show)

        settings_menu = bar.addMenu(self.tr("&Settings"))
        settings_action = self._action(
            settings_menu, self.tr("&Settings…"), self.settings_requested, "Ctrl+,"
        )
        settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        help_menu = bar.addMenu(self.tr("&Help"))
        self.try_demo_action = self._action(help_menu, self.tr("Try the &demo bot"), self.try_demo_requested)
        self._action(help_menu, self.tr("Open &log folder"), self.log_folder_requested)
        about = self._action(help_menu, self.tr("&About Coze Desktop"), self.about_requested)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def rebuild(self, *, sources_visible: bool, theme: str, language: str) -> None:
        """Build the menus again (in the current language); the signals' connections stay."""
        bar = self._window.menuBar()
        for action in bar.actions():
            menu = action.menu()
            bar.removeAction(action)
            if menu is not None:
                menu.deleteLater()
        for group in (self.theme_group, self.language_group):
            for action in group.actions():
                action.deleteLater()
            group.deleteLater()
        self._build(sources_visible=sources_visible, theme=theme, language=language)

    # --- the Bots menu -------------------------------------------------------------------------

    def fill_bots_menu(self, bots: Sequence[Bot], current: Bot | None) -> None:
        """List ``bots`` (those of the server in use) after "Add bot by ID…", ``current`` ticked."""
        menu = self.bots_menu
        menu.clear()
        self._action(menu, self.tr("&Add bot by ID…"), self.add_bot_requested)
        self._action(menu, self.tr("Add &workflow by ID…"), self.add_workflow_requested)
        menu.addSeparator()
        for bot in bots:
            action = QAction(bot.name or bot.bot_id, menu)
            action.setCheckable(True)
            action.setChecked(
                current is not None and bot.bot_id == current.bot_id and bot.base_url == current.base_url
            )
            action.setData(bot.bot_id)
            action.triggered.connect(self._on_bot_action_triggered)
            menu.addAction(action)

    def listed_bot_actions(self) -> list[QAction]:
        """The Bots menu's bot entries (not "Add bot by ID…")."""
        return [action for action in self.bots_menu.actions() if action.isCheckable()]

    # --- state ---------------------------------------------------------------------------------

    def set_stop_enabled(self, enabled: bool) -> None:
        self._stop_shortcut.setEnabled(enabled)

    def set_transfers_enabled(self, enabled: bool) -> None:
        """Enable or disable File → Export… and Import… (off while an export or import runs);
        kept when the menus are built again."""
        self._transfers_enabled = enabled
        for action in (self.export_action, self.export_all_action, self.import_action):
            action.setEnabled(enabled)

    # --- slots ---------------------------------------------------------------------------------

    @Slot(QAction)
    def _on_theme_group_triggered(self, action: QAction) -> None:
        self.theme_chosen.emit(str(action.data()))

    @Slot(QAction)
    def _on_language_group_triggered(self, action: QAction) -> None:
        self.language_chosen.emit(str(action.data()))

    @Slot()
    def _on_bot_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.bot_chosen.emit(str(action.data()))
