"""What the bot picker in the chat header does: rename a bot, remove it, add a removed bot again.

:class:`~coze_desktop.ui.chat_header.ChatHeader` shows and asks; :class:`BotPicker` changes the
saved bots (``Store.rename_bot``, ``Store.remove_bot``, ``Store.upsert_bot``) and says what
happened through the window's message channel. Removing a bot deletes only its ``bots`` row: its
conversations keep their ``bot_id``, so they still open, show their messages and export, and
:meth:`BotPicker.add_again` looks the bot up on Coze to put it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QWidget

from coze_desktop.domain import Bot
from coze_desktop.settings import Settings
from coze_desktop.store import Store, StoreError
from coze_desktop.ui.dialogs import lookup_bot
from coze_desktop.workers.accounts import Account
from coze_desktop.workers.tasks import BackgroundTask
from coze_desktop.workers.threads import WorkerThreads

logger = logging.getLogger(__name__)


class Messages(Protocol):
    """The part of the window's message channel (:class:`~coze_desktop.ui.notify.UserMessages`) the picker uses."""

    def info(self, text: str) -> None: ...
    def warning(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...
    def confirm(self, question: str) -> bool: ...


class BotPicker(QObject):
    """Renames, removes and adds again the saved bots; see the module docstring."""

    bots_changed = Signal()
    """A bot was renamed, removed or added again: names, lists and the composer need a refresh."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        threads: WorkerThreads,
        messages: Messages,
        *,
        lang: Callable[[], str],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._threads = threads
        self._messages = messages
        self._lang = lang
        self._parent = parent
        self._call: BackgroundTask[Bot] | None = None
        self.rename_dialog: QInputDialog | None = None

    # -------------------------------------------------------------------------------- rename

    def open_rename_dialog(self, bot: Bot | None) -> QInputDialog | None:
        """Ask for a new display name of ``bot`` (not blocking); the dialog, or ``None`` when the
        bot is not on the list."""
        if bot is None or self._store.get_bot(bot.bot_id, bot.base_url) is None:
            return None
        dialog = QInputDialog(self._parent)
        dialog.setWindowTitle(self.tr("Rename bot"))
        dialog.setLabelText(self.tr("Name shown for “{name}” in this app:").format(name=bot.name or bot.bot_id))
        dialog.setTextValue(bot.name or bot.bot_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(
            lambda name, bot_id=bot.bot_id, base_url=bot.base_url: self.rename(bot_id, base_url, name)
        )
        dialog.finished.connect(self._on_rename_dialog_finished)
        self.rename_dialog = dialog
        dialog.open()
        return dialog

    @Slot(int)
    def _on_rename_dialog_finished(self, _result: int) -> None:
        self.rename_dialog = None

    def rename(self, bot_id: str, base_url: str, name: str) -> bool:
        """Give a bot a local display name; False (and a message saying why) when not possible."""
        if not name.strip():
            self._messages.warning(self.tr("A bot needs a name; the name was not changed."))
            return False
        try:
            self._store.rename_bot(bot_id, base_url, name)
        except (StoreError, LookupError) as exc:
            self._messages.error(self.tr("The bot could not be renamed: {error}").format(error=exc))
            return False
        self.bots_changed.emit()
        return True

    # -------------------------------------------------------------------------------- remove

    def remove(self, bot_id: str, base_url: str) -> bool:
        """Take a bot off the list after asking; its chats stay readable. True if it was removed.

        When it was the bot of new chats, the region's next bot takes its place.
        """
        bot = self._store.get_bot(bot_id, base_url)
        if bot is None:
            return False
        name = bot.name or bot.bot_id
        question = self.tr(
            "Remove “{name}” from your bots? Its chats stay in the history and can be read and "
            "exported; to continue them, add the bot again."
        ).format(name=name)
        if not self._messages.confirm(question):
            return False
        try:
            self._store.remove_bot(bot_id, base_url)
            rest = [b for b in self._store.list_bots() if b.base_url == base_url]
        except StoreError as exc:
            self._messages.error(self.tr("The bot could not be removed: {error}").format(error=exc))
            return False
        if self._settings.current_bot_id == bot_id and base_url == self._settings.base_url:
            self._settings.current_bot_id = rest[0].bot_id if rest else ""
        self._messages.info(self.tr("Removed “{name}” from your bots.").format(name=name))
        self.bots_changed.emit()
        return True

    # ----------------------------------------------------------------------------- add again

    def add_again(self, bot_id: str, account: Account) -> bool:
        """Look a removed bot up on Coze (in the background) and put it back on the list.

        False when a look-up is already running.
        """
        if self._call is not None:
            return False
        self._call = (
            BackgroundTask(
                self._threads, lambda _ctx: lookup_bot(account, bot_id), name="add-bot-again", lang=self._lang
            )
            .on_success(self._on_call_succeeded)
            .on_failure(self._on_call_failed)
            .start()
        )
        return True

    def stop(self) -> None:
        """Forget a look-up still running (the window is closing)."""
        if self._call is not None:
            self._call.cancel()
            self._call = None

    @Slot(object)
    def _on_call_succeeded(self, bot: object) -> None:
        self._call = None
        assert isinstance(bot, Bot)
        try:
            self._store.upsert_bot(bot)
        except StoreError as exc:
            self._messages.error(self.tr("The bot could not be added again: {error}").format(error=exc))
            return
        self._messages.info(self.tr("Added “{name}” again.").format(name=bot.name or bot.bot_id))
        self.bots_changed.emit()

    @Slot(str, object)
    def _on_call_failed(self, text: str, _exc: object) -> None:
        self._call = None
        self._messages.error(self.tr("The bot could not be added again: {error}").format(error=text))
