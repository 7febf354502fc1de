"""The composer's text as the draft of the conversation on screen.

Each conversation keeps its own unsent text: switching chats saves the text to the chat being
left and puts the other chat's draft in the composer, so a half-written question is never sent
to the wrong conversation. Drafts are saved on every switch, on close, and about a second after
the last key; a saved conversation keeps its draft in the history (``conversations.draft``),
the chat not saved yet in the settings (``drafts/new_chat``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from coze_desktop.settings import Settings
from coze_desktop.store import Store, StoreError
from coze_desktop.ui.composer import Composer

logger = logging.getLogger(__name__)

DRAFT_SAVE_MS = 1000  # a draft is saved this long after the last change


class DraftKeeper(QObject):
    """Saves and restores the composer's text per conversation; see the module docstring."""

    def __init__(
        self, store: Store, settings: Settings, composer: Composer, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._composer = composer
        self._conversation_id: int | None = None  # whose draft the composer holds (None: a new chat)
        self._saved = ""  # what is saved for it
        self._loading = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DRAFT_SAVE_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        composer.input.textChanged.connect(self._on_composer_text_changed)
        self._show(self._load(None))  # the composer starts with the new chat's draft

    @property
    def conversation_id(self) -> int | None:
        """The conversation the composer's text belongs to (``None``: the new chat)."""
        return self._conversation_id

    def switch_to(self, conversation_id: int | None) -> None:
        """Save the text for the conversation being left and show ``conversation_id``'s draft."""
        self.save()
        self._conversation_id = conversation_id
        self._show(self._load(conversation_id))

    def adopt(self, conversation_id: int) -> None:
        """The new chat was just saved as ``conversation_id``: the composer's text is now its draft."""
        self.save()
        self._conversation_id = conversation_id
        self._saved = ""
        if self._composer.text():
            self.timer.start()

    def save(self) -> None:
        """Write the composer's text as its conversation's draft now (if it changed)."""
        self.timer.stop()
        text = self._composer.text()
        if text == self._saved:
            return
        try:
            if self._conversation_id is None:
                self._settings.new_chat_draft = text
            else:
                self._store.set_draft(self._conversation_id, text)
        except StoreError as exc:  # e.g. the conversation was deleted for good meanwhile
            logger.warning("draft of conversation %s not saved: %s", self._conversation_id, exc)
            return
        self._saved = text

    def _show(self, draft: str) -> None:
        """Put ``draft`` (just loaded) in the composer without saving it again."""
        self._saved = draft
        if self._composer.text() != draft:
            self._loading = True
            try:
                self._composer.set_text(draft)
            finally:
                self._loading = False

    def _load(self, conversation_id: int | None) -> str:
        if conversation_id is None:
            return self._settings.new_chat_draft
        try:
            return self._store.draft(conversation_id)
        except StoreError as exc:
            logger.warning("draft of conversation %d not loaded: %s", conversation_id, exc)
            return ""

    def _on_composer_text_changed(self) -> None:
        if not self._loading:
            self.timer.start()

    def _on_timer_timeout(self) -> None:
        self.save()
