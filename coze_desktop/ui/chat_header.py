"""The top of the chat column: the bot of the conversation on screen, and notes about the chat.

The bot button opens the bot picker: the bots of the current region (the ticked one answers new
chats; choosing another starts a new chat with it), rename the bot shown (a local display name),
remove it from the list, add a bot by id. With no bot at all (after "Skip" on the first-run
screen) the header offers the demo bot; for a conversation whose bot was removed it says so and
offers to add the bot again. Below, a notice line says things about the conversation on screen
that are not errors (Coze started a new conversation because it had forgotten the old one).

The header only shows and asks: the main window does the work on its signals.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from coze_desktop.domain import Bot


class ChatHeader(QWidget):
    """The bot picker and the notice line above the messages."""

    bot_chosen = Signal(str)
    """The user picked a bot for new chats. Argument: its bot id (of the current region)."""

    rename_requested = Signal()
    """The user wants to rename the bot shown."""

    remove_requested = Signal()
    """The user wants the bot shown taken off the list (the caller confirms)."""

    add_bot_requested = Signal()
    """The user wants to add a bot by its id."""

    readd_requested = Signal()
    """The user wants the removed bot of the conversation on screen added again."""

    demo_requested = Signal()
    """The user wants to try the demo bot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bot: Bot | None = None
        self._removed = False
        self._choices: list[Bot] = []
        self._new_chat_bot_id = ""
        self._notice_text = ""

        self.bot_button = QToolButton(self)
        self.bot_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.bot_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.bot_button.setAutoRaise(True)
        self.bot_menu = QMenu(self.bot_button)
        self.bot_menu.aboutToShow.connect(self._on_bot_menu_about_to_show)
        self.bot_button.setMenu(self.bot_menu)
        self.state_label = QLabel(self)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.setWordWrap(True)  # never the reason the chat column cannot shrink
        self.readd_button = QPushButton(self)
        self.readd_button.clicked.connect(self.readd_requested)
        self.demo_button = QPushButton(self)
        self.demo_button.clicked.connect(self.demo_requested)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.add_bot_requested)
        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setObjectName("chat_notice")
        self.notice_label.setStyleSheet("color: palette(placeholder-text); font-size: small;")
        self.notice_label.setVisible(False)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bot_button)
        row.addWidget(self.state_label, 1)
        row.addWidget(self.readd_button)
        row.addWidget(self.add_button)
        row.addWidget(self.demo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.notice_label)
        self._retranslate()

    # -------------------------------------------------------------------------------- public

    def show_bot(
        self, bot: Bot | None, *, removed: bool = False, choices: list[Bot], new_chat_bot_id: str = ""
    ) -> None:
        """Show ``bot`` (``None``: no bot at all); ``removed``: it is no longer on the list.

        ``choices`` are the bots a new chat can use (the picker lists them), ``new_chat_bot_id``
        the one new chats use now (ticked).
        """
        self._bot = bot
        self._removed = removed and bot is not None
        self._choices = list(choices)
        self._new_chat_bot_id = new_chat_bot_id
        self._update()

    @property
    def bot(self) -> Bot | None:
        """The bot shown (``None`` when there is none)."""
        return self._bot

    def set_notice(self, text: str) -> None:
        """Show a note about the conversation on screen under the bot (empty: none)."""
        self._notice_text = text
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(text))

    def notice(self) -> str:
        """The note shown (empty when none)."""
        return self._notice_text

    def rename_action(self) -> QAction:
        """The picker's "Rename" entry (rebuilt each time the menu opens)."""
        return self._entry("rename")

    def remove_action(self) -> QAction:
        """The picker's "Remove" entry (rebuilt each time the menu opens)."""
        return self._entry("remove")

    def bot_actions(self) -> list[QAction]:
        """The picker's entries for choosing the bot of new chats (rebuilt each time it opens)."""
        self._fill_menu()
        return [a for a in self.bot_menu.actions() if str(a.data()).startswith("bot:")]

    # ------------------------------------------------------------------------------ internals

    def _entry(self, name: str) -> QAction:
        self._fill_menu()
        return next(a for a in self.bot_menu.actions() if a.data() == name)

    def _name(self) -> str:
        bot = self._bot
        if bot is None:
            return ""
        return bot.name or bot.bot_id

    def _update(self) -> None:
        bot = self._bot
        if bot is None:
            self.bot_button.setText(self.tr("No bot"))
            self.state_label.setText(self.tr("Add a bot by its ID, or try the demo bot."))
        elif self._removed:
            self.bot_button.setText(self._name())
            self.state_label.setText(self.tr("This bot was removed from your list; the chat stays readable."))
        else:
            self.bot_button.setText(self._name())
            self.state_label.setText("")
        self.bot_button.setToolTip(self.tr("Choose, rename or remove bots"))
        self.bot_button.setAccessibleName(self.tr("Bot: %1").replace("%1", self._name() or self.tr("none")))
        self.readd_button.setVisible(self._removed)
        self.add_button.setVisible(bot is None)
        self.demo_button.setVisible(bot is None)

    def _fill_menu(self) -> None:
        menu = self.bot_menu
        menu.clear()
        if self._choices:
            heading = menu.addAction(self.tr("New chats use"))
            heading.setEnabled(False)
        for bot in self._choices:
            action = menu.addAction(bot.name or bot.bot_id)
            action.setCheckable(True)
            action.setChecked(bot.bot_id == self._new_chat_bot_id)
            action.setData("bot:" + bot.bot_id)
            action.triggered.connect(self._on_bot_action_triggered)
        if self._choices:
            menu.addSeparator()
        name = self._name()
        rename = menu.addAction(self.tr("Rename “%1”…").replace("%1", name) if name else self.tr("Rename…"))
        rename.setData("rename")
        rename.setEnabled(self._bot is not None and not self._removed)
        rename.triggered.connect(self.rename_requested)
        remove = menu.addAction(
            self.tr("Remove “%1” from the list…").replace("%1", name) if name else self.tr("Remove…")
        )
        remove.setData("remove")
        remove.setEnabled(self._bot is not None and not self._removed)
        remove.triggered.connect(self.remove_requested)
        menu.addSeparator()
        add = menu.addAction(self.tr("Add bot by ID…"))
        add.setData("add")
        add.triggered.connect(self.add_bot_requested)

    def _retranslate(self) -> None:
        self.readd_button.setText(self.tr("Add it again"))
        self.readd_button.setToolTip(self.tr("Look the bot up on Coze and add it to your list again"))
        self.demo_button.setText(self.tr("Try the demo bot"))
        self.demo_button.setToolTip(self.tr("Chat with the built-in demo bots (no account needed)"))
        self.add_button.setText(self.tr("Add bot…"))
        self.setAccessibleName(self.tr("Chat header"))
        self._update()

    @Slot()
    def _on_bot_menu_about_to_show(self) -> None:
        self._fill_menu()

    @Slot()
    def _on_bot_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.bot_chosen.emit(str(action.data()).removeprefix("bot:"))

    def changeEvent(self, event: QEvent) -> None:
        """Follow a language change at once."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
