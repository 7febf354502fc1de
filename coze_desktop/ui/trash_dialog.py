"""The "Recently deleted" window: chats and messages in the trash, restorable for 30 days.

Opened from File → Recently deleted… and from the chat list's context menu. It lists what the
store keeps in the trash (newest deletion first), restores or deletes for good the selected
items, and empties the trash after asking. It is not modal: the chats stay usable meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import Role
from coze_desktop.store import TRASH_DAYS, Store, StoreError
from coze_desktop.ui.confirm import Confirm
from coze_desktop.ui.conversation_list import plain_preview
from coze_desktop.ui.formatting import message_time

logger = logging.getLogger(__name__)

ItemRole = Qt.ItemDataRole.UserRole + 1  # ("conversation", id, id) or ("message", id, conversation id)
PREVIEW_CHARS = 80


class TrashDialog(QDialog):
    """Lists the trash with Restore, Delete forever and Empty trash; see the module docstring."""

    conversation_restored = Signal(int)  # a chat came back: its id
    message_restored = Signal(int, int)  # a message came back: its conversation id, its id

    def __init__(self, store: Store, confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._confirm = confirm
        self.setObjectName("trash_dialog")

        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 160)
        self.tree.itemSelectionChanged.connect(self._on_tree_item_selection_changed)
        self.empty_label = QLabel(self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)

        self.restore_button = QPushButton(self)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.empty_button = QPushButton(self)
        self.empty_button.clicked.connect(self._on_empty_button_clicked)
        for button in (self.restore_button, self.delete_button, self.empty_button):
            button.setAutoDefault(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        actions = QHBoxLayout()
        actions.addWidget(self.restore_button)
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        actions.addWidget(self.empty_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.resize(640, 420)
        self._retranslate()
        self.refresh()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Recently deleted"))
        self.note.setText(
            self.tr("Deleted chats and messages are kept here for %1 days, then deleted for good.").replace(
                "%1", str(TRASH_DAYS)
            )
        )
        self.tree.setHeaderLabels([self.tr("Deleted item"), self.tr("From"), self.tr("Deleted on")])
        self.tree.setAccessibleName(self.tr("Recently deleted"))
        self.empty_label.setText(self.tr("Nothing was deleted recently."))
        self.restore_button.setText(self.tr("Restore"))
        self.delete_button.setText(self.tr("Delete forever…"))
        self.empty_button.setText(self.tr("Empty trash…"))

    def changeEvent(self, event: QEvent) -> None:
        """A language switch (Settings or View → Language) relabels the window at once."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.refresh()

    # -------------------------------------------------------------------------------- public

    def refresh(self) -> None:
        """Reload the trash from the store."""
        self.tree.clear()
        try:
            conversations = self._store.trashed_conversations()
            messages = self._store.trashed_messages()
        except StoreError as exc:
            logger.warning("could not list the trash: %s", exc)
            self._say(str(exc))
            conversations, messages = [], []
        rows: list[tuple[float, QTreeWidgetItem]] = []
        for trashed in conversations:
            conv = trashed.conversation
            title = conv.title or self.tr("Untitled chat")
            item = QTreeWidgetItem(
                [
                    self.tr("Chat: %1").replace("%1", title),
                    trashed.bot_name or conv.bot_id,
                    message_time(trashed.deleted_at, time_alone_today=False),
                ]
            )
            count = self.tr("%1 messages").replace("%1", QLocale().toString(trashed.message_count))
            preview = plain_preview(trashed.last_message_preview)
            item.setToolTip(0, f"{count}\n{preview}" if preview else count)
            item.setData(0, ItemRole, ("conversation", conv.id, conv.id))
            rows.append((trashed.deleted_at, item))
        for trashed_message in messages:
            message = trashed_message.message
            who = self.tr("You") if message.role is Role.USER else self.tr("Bot")
            preview = plain_preview(message.text)
            short = preview if len(preview) <= PREVIEW_CHARS else preview[: PREVIEW_CHARS - 1] + "…"
            item = QTreeWidgetItem(
                [
                    self.tr("%1: %2").replace("%1", who).replace("%2", short),
                    trashed_message.conversation_title or self.tr("Untitled chat"),
                    message_time(trashed_message.deleted_at, time_alone_today=False),
                ]
            )
            item.setToolTip(0, message.text[:1000])
            item.setData(0, ItemRole, ("message", message.id, message.conversation_id))
            rows.append((trashed_message.deleted_at, item))
        rows.sort(key=lambda row: -row[0])
        self.tree.addTopLevelItems([item for _, item in rows])
        self.tree.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self.empty_button.setEnabled(bool(rows))
        self._on_tree_item_selection_changed()

    def items(self) -> list[tuple[str, int, int]]:
        """What is listed, top to bottom: (``"conversation"`` or ``"message"``, id, conversation id)."""
        return [item.data(0, ItemRole) for item in self._top_level_items()]

    def select(self, kind: str, item_id: int) -> bool:
        """Select the listed item ``kind``/``item_id`` (only it); False if it is not listed."""
        self.tree.clearSelection()
        for item in self._top_level_items():
            data = item.data(0, ItemRole)
            if data[0] == kind and data[1] == item_id:
                item.setSelected(True)
                self.tree.setCurrentItem(item)
                return True
        return False

    # ----------------------------------------------------------------------------- internals

    def _top_level_items(self) -> list[QTreeWidgetItem]:
        rows = (self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount()))
        return [item for item in rows if item is not None]

    def _selected(self) -> list[tuple[str, int, int]]:
        return [item.data(0, ItemRole) for item in self.tree.selectedItems()]

    def _say(self, text: str) -> None:
        self.status_label.setText(text)

    def _on_tree_item_selection_changed(self) -> None:
        chosen = bool(self.tree.selectedItems())
        self.restore_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _apply(self, change: Callable[[str, int], None]) -> list[tuple[str, int, int]]:
        """Apply ``change`` to each selected item; returns those done, says what failed."""
        done = []
        for kind, item_id, conversation_id in self._selected():
            try:
                change(kind, item_id)
            except StoreError as exc:
                logger.warning("trash: %s %d: %s", kind, item_id, exc)
                self._say(str(exc))
                continue
            done.append((kind, item_id, conversation_id))
        return done

    def _on_restore_button_clicked(self) -> None:
        def restore(kind: str, item_id: int) -> None:
            if kind == "conversation":
                self._store.restore_conversation(item_id)
            else:
                self._store.restore_message(item_id)

        done = self._apply(restore)
        self.refresh()
        for kind, item_id, conversation_id in done:
            if kind == "conversation":
                self.conversation_restored.emit(item_id)
            else:
                self.message_restored.emit(conversation_id, item_id)

    def _on_delete_button_clicked(self) -> None:
        if not self._selected() or not self._confirm(
            self.tr("Delete forever"),
            self.tr("Delete the selected items for good? This cannot be undone."),
            self.tr("Delete forever"),
        ):
            return

        def delete(kind: str, item_id: int) -> None:
            if kind == "conversation":
                self._store.delete_conversation_forever(item_id)
            else:
                self._store.delete_message_forever(item_id)

        self._apply(delete)
        self.refresh()

    def _on_empty_button_clicked(self) -> None:
        if not self._confirm(
            self.tr("Empty trash"),
            self.tr("Delete everything in Recently deleted for good? This cannot be undone."),
            self.tr("Empty trash"),
        ):
            return
        try:
            count = self._store.empty_trash()
        except StoreError as exc:
            logger.warning("could not empty the trash: %s", exc)
            self._say(str(exc))
            return
        logger.info("emptied the trash (%d item(s))", count)
        self.refresh()
