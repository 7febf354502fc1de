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
from PySide6.QtGui import QAction, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from coze_desktop.domain import Bot

BOT_BUTTON_MIN_WIDTH = 60
_MENU_INDICATOR_ROOM = 28  # the button's arrow and padding, in pixels


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
        self._button_text = ""  # the bot's whole name; the button shows it elided to fit

        self.bot_button = QToolButton(self)
        self.bot_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.bot_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.bot_button.setAutoRaise(True)
        self.bot_button.setMinimumWidth(BOT_BUTTON_MIN_WIDTH)  # a long name is elided, never in the way
        self.bot_menu = QMenu(self.bot_button)
        self.bot_menu.aboutToShow.connect(self._on_bot_menu_about_to_show)
        self.bot_button.setMenu(self.bot_menu)
        self.state_label = QLabel(self)
        self.state_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.readd_button = QPushButton(self)
        self.readd_button.clicked.connect(self.readd_requested)
        self.demo_button = QPushButton(self)
        self.demo_button.clicked.connect(self.demo_requested)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.add_bot_requested)
        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setObjectName("chat_notice")
        self.notice_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        small = self.notice_label.font()
        if small.pointSizeF() > 0:  # a font sized in pixels keeps its size
            small.setPointSizeF(small.pointSizeF() * 0.9)
            self.notice_label.setFont(small)
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
        # The composer says what to do (add a bot, add the removed bot again): this stays short.
        self._button_text = self._name() if bot is not None else self.tr("No bot")
        self.state_label.setText(self.tr("removed") if self._removed else "")
        self.bot_button.setAccessibleName(self.tr("Bot: %1").replace("%1", self._name() or self.tr("none")))
        self.readd_button.setVisible(self._removed)
        self.add_button.setVisible(bot is None)
        self.demo_button.setVisible(bot is None)
        self._fit_bot_button()

    def _fit_bot_button(self) -> None:
        """Show as much of the bot's name as fits next to the other controls (all of it in the tip)."""
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else None
        room = self.width() - (margins.left() + margins.right() if margins is not None else 0)
        for widget in (self.state_label, self.readd_button, self.add_button, self.demo_button):
            if not widget.isHidden():
                room -= widget.sizeHint().width() + 6
        metrics = self.bot_button.fontMetrics()
        width = max(BOT_BUTTON_MIN_WIDTH, room) - _MENU_INDICATOR_ROOM
        text = metrics.elidedText(self._button_text, Qt.TextElideMode.ElideRight, max(width, 1))
        self.bot_button.setText(text)
        tip = self.tr("Choose, rename or remove bots")
        self.bot_button.setToolTip(tip if text == self._button_text else f"{self._button_text}\n{tip}")

    def bot_name_shown(self) -> str:
        """The bot's whole name as shown on the button (before eliding)."""
        return self._button_text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_bot_button()

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
