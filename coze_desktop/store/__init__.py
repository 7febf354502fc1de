"""The local chat history on SQLite (stdlib ``sqlite3``; no Qt, no Coze API).

``Store.open()`` is the way in; see :mod:`coze_desktop.store.chats` for the repository,
:mod:`coze_desktop.store.replies` for an answer saved while it streams,
:mod:`coze_desktop.store.search` for search, :mod:`coze_desktop.store.exporting` for what goes
into an export and comes back from an import, :mod:`coze_desktop.store.files` for the kept copies
of attached files, and :mod:`coze_desktop.store.db` for the file, its schema and its errors.
"""

from coze_desktop.store.chats import (
    TRASH_DAYS,
    UNUSED_FILE_DAYS,
    ConversationSummary,
    NotFoundError,
    Store,
    TrashedConversation,
    TrashedMessage,
)
from coze_desktop.store.db import (
    SCHEMA_VERSION,
    ForeignDatabaseError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
    StoreWriteError,
)
from coze_desktop.store.exporting import ImportReport, export_items, export_runs, import_items
from coze_desktop.store.files import SourceFileError
from coze_desktop.store.paths import DB_FILENAME, default_data_dir, default_db_path
from coze_desktop.store.replies import ReplyWriter
from coze_desktop.store.search import DEFAULT_MARKERS, SearchHit

__all__ = [
    "DB_FILENAME",
    "DEFAULT_MARKERS",
    "SCHEMA_VERSION",
    "TRASH_DAYS",
    "UNUSED_FILE_DAYS",
    "ConversationSummary",
    "ForeignDatabaseError",
    "ImportReport",
    "NotFoundError",
    "ReplyWriter",
    "SearchHit",
    "SourceFileError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreVersionError",
    "StoreWriteError",
    "TrashedConversation",
    "TrashedMessage",
    "default_data_dir",
    "default_db_path",
    "export_items",
    "export_runs",
    "import_items",
]
