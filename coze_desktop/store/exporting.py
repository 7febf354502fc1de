"""The store's side of exports: the conversations to export, and an import's conversations saved.

The formats themselves know nothing of SQLite (:mod:`coze_desktop.export`); these two functions
are the one path between them and the store, for the window and ``coze-cli`` alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from coze_desktop.domain import Bot, Conversation, Message
from coze_desktop.export import ConversationExport, ImportResult, SkippedItem
from coze_desktop.store.chats import Store

_PAGE = 500


def export_items(store: Store, conversation_ids: Iterable[int] | None = None) -> list[ConversationExport]:
    """Each conversation with every version of its messages (JSON keeps them all; Markdown and
    HTML show the shown ones) and its bot, in the order given; ids no longer there are left out.
    ``None``: every conversation, the oldest first."""
    if conversation_ids is None:
        conversations = _all_conversations(store)
    else:
        found = (store.get_conversation(conversation_id) for conversation_id in conversation_ids)
        conversations = [conversation for conversation in found if conversation is not None]
    items = []
    for conversation in conversations:
        assert conversation.id is not None  # read from the store
        bot = store.get_bot(conversation.bot_id, conversation.base_url)
        items.append(ConversationExport(conversation, store.all_messages(conversation.id), bot))
    return items


def _all_conversations(store: Store) -> list[Conversation]:
    conversations: list[Conversation] = []
    while page := store.list_conversations(limit=_PAGE, offset=len(conversations)):
        conversations += [summary.conversation for summary in page]
    conversations.sort(key=lambda conversation: conversation.created_at)
    return conversations


@dataclass(slots=True)
class ImportReport:
    """What :func:`import_items` did: conversations saved, already there, refused, and file problems.

    ``messages_imported`` counts the messages of the conversations saved now (the store leaves out
    any whose uid it already had). ``skipped`` and ``warnings`` are carried over from reading the file.
    """

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    failed: list[SkippedItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages_imported: int = 0


class ConversationImporter(Protocol):
    """The part of the store :func:`import_items` needs (:class:`~coze_desktop.store.chats.Store` has it)."""

    def import_conversation(
        self, conversation: Conversation, messages: Iterable[Message], bot: Bot | None = None
    ) -> bool:
        """Save a conversation unless one with its uid exists; True if it was saved."""
        ...


def import_items(store: ConversationImporter, result: ImportResult) -> ImportReport:
    """Save what :func:`coze_desktop.export.parse_json_export` read; importing the same file twice
    adds nothing.

    Each conversation is saved all or nothing by the store. One the store refuses as invalid
    (``ValueError``, e.g. too many sources on a message) is listed in ``failed`` and the rest go on;
    storage errors (``StoreError``: disk full, locked, read-only) propagate and stop the import,
    leaving the conversations saved so far in place.
    """
    report = ImportReport(skipped=list(result.skipped), warnings=list(result.warnings))
    for item in result.items:
        uid = item.conversation.uid
        try:
            saved = store.import_conversation(item.conversation, item.messages, item.bot)
        except ValueError as exc:
            report.failed.append(SkippedItem("conversation", uid, f"not saved: {exc}"))
            continue
        if saved:
            report.imported.append(uid)
            report.messages_imported += len(item.messages)
        else:
            report.already_present.append(uid)
    return report
