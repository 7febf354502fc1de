"""The store's side of exports: the conversations and runs to export, and an import's saved.

The formats themselves know nothing of SQLite (:mod:`coze_desktop.export`); these two functions
are the one path between them and the store, for the window and ``coze-cli`` alike.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from coze_desktop.domain import (
    DEFAULT_BASE_URL,
    Bot,
    Conversation,
    Message,
    MessageFile,
    Workflow,
    WorkflowRun,
)
from coze_desktop.export import ConversationExport, FileData, ImportResult, Progress, SkippedItem
from coze_desktop.export.progress import checked
from coze_desktop.store.chats import Store

_PAGE = 500
_DECODE_SLICE = 4 * 1024 * 1024  # base64 characters decoded at a time (a multiple of 4)


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


def export_runs(store: Store, run_ids: Iterable[int] | None = None) -> list[WorkflowRun]:
    """Workflow runs with their parts, in the order given (ids no longer there are left out);
    ``None``: every saved run, the oldest first."""
    if run_ids is None:
        listed: list[WorkflowRun] = []
        while page := store.list_runs(limit=_PAGE, offset=len(listed)):
            listed += page
        run_ids = [run.id for run in reversed(listed) if run.id is not None]
    found = (store.get_run(run_id) for run_id in run_ids)
    return [run for run in found if run is not None]


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
    any whose uid it already had). ``skipped`` and ``warnings`` are carried over from reading the file;
    ``skipped`` also lists each attachment whose data was refused (bad base64, a sha256 mismatch):
    it was restored without its file. ``files_kept`` counts the attachments restored with theirs.
    """

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    failed: list[SkippedItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages_imported: int = 0
    files_kept: int = 0
    runs_imported: list[str] = field(default_factory=list)  # uids of the workflow runs saved now
    runs_already_present: list[str] = field(default_factory=list)
    # Workflows added to the list for the runs saved now (their id): a run of a workflow not in
    # the list brings it in, named as it was when exported, so the run is listed under it.
    workflows_added: list[str] = field(default_factory=list)


class ConversationImporter(Protocol):
    """The part of the store :func:`import_items` needs (:class:`~coze_desktop.store.chats.Store` has it)."""

    def import_conversation(
        self, conversation: Conversation, messages: Iterable[Message], bot: Bot | None = None
    ) -> bool:
        """Save a conversation unless one with its uid exists; True if it was saved."""
        ...

    def get_conversation_by_uid(self, uid: str) -> Conversation | None:
        """The saved conversation with this uid, if any."""
        ...

    def keep_file(self, source: Path | bytes, name: str) -> MessageFile:
        """Keep a copy of a file's content in the data folder; the copy's MessageFile."""
        ...

    def import_run(self, run: WorkflowRun) -> bool:
        """Save a workflow run unless one with its uid exists; True if it was saved."""
        ...

    def get_workflow(self, workflow_id: str, base_url: str = DEFAULT_BASE_URL) -> Workflow | None:
        """The saved workflow (in the list) with this id on this API, if any."""
        ...

    def save_workflow(self, wf: Workflow) -> Workflow:
        """Save (or update) a workflow in the list."""
        ...


def import_items(
    store: ConversationImporter, result: ImportResult, progress: Progress | None = None
) -> ImportReport:
    """Save what :func:`coze_desktop.export.parse_json_export` read; importing the same file twice
    adds nothing.

    Each conversation is saved all or nothing by the store. One the store refuses as invalid
    (``ValueError``, e.g. too many sources on a message) is listed in ``failed`` and the rest go on;
    storage errors (``StoreError``: disk full, locked, read-only) propagate and stop the import,
    leaving the conversations saved so far in place.

    The content of attachments that came with data is kept (``Store.keep_file``) once its SHA-256
    matches the one the file declares; the others are restored with no file (``path`` ``""``).
    Files are kept only for conversations not already saved.

    ``progress`` counts conversations and is checked before each conversation, each file and
    each save: once canceled, :class:`~coze_desktop.export.Canceled` is raised and the
    conversations saved before it stay (each one whole; the files kept for the one not saved are
    copies no message uses, deleted a day later like those of a message never sent).
    """
    progress = checked(progress)
    report = ImportReport(skipped=list(result.skipped), warnings=list(result.warnings))
    progress.start(len(result.items))
    for item in result.items:
        uid = item.conversation.uid
        messages = item.messages
        has_files = any((m.uid, i) in result.files for m in messages for i in range(len(m.attachments)))
        if has_files:  # keep no file for a conversation that is there already
            if store.get_conversation_by_uid(uid) is not None:
                report.already_present.append(uid)
                progress.advance()
                continue
            messages = [
                _with_files(store, message, uid, result.files, report, progress) for message in messages
            ]
        progress.check()
        try:
            saved = store.import_conversation(item.conversation, messages, item.bot)
        except ValueError as exc:
            report.failed.append(SkippedItem("conversation", uid, f"not saved: {exc}"))
            progress.advance()
            continue
        if saved:
            report.imported.append(uid)
            report.messages_imported += len(item.messages)
        else:
            report.already_present.append(uid)
        progress.advance()
    for run in result.runs:  # after the conversations; each run saved whole, idempotent by uid
        progress.check()
        try:
            run_saved = store.import_run(run)
        except ValueError as exc:
            report.failed.append(SkippedItem("workflow run", run.uid, f"not saved: {exc}"))
            continue
        (report.runs_imported if run_saved else report.runs_already_present).append(run.uid)
        if run_saved and store.get_workflow(run.workflow_id, run.base_url) is None:
            store.save_workflow(
                Workflow(run.workflow_id, run.base_url, label=run.label, bot_id=run.bot_id, app_id=run.app_id)
            )
            report.workflows_added.append(run.workflow_id)
    return report


def _decoded(text: str, progress: Progress) -> bytes:
    """``base64.b64decode(text, validate=True)``, a slice at a time with ``progress`` checked
    between slices: decoding hundreds of megabytes at once would hold the interpreter lock (and
    so the window) for seconds, and could not be canceled."""
    if len(text) <= _DECODE_SLICE:
        return base64.b64decode(text, validate=True)
    parts = []
    for start in range(0, len(text), _DECODE_SLICE):
        progress.check()
        piece = text[start : start + _DECODE_SLICE]
        if "=" in piece and start + _DECODE_SLICE < len(text):
            raise binascii.Error("padding before the end")  # as one call would refuse it
        parts.append(base64.b64decode(piece, validate=True))
    return b"".join(parts)


def _with_files(
    store: ConversationImporter,
    message: Message,
    conversation_uid: str,
    files: Mapping[tuple[str, int], FileData],
    report: ImportReport,
    progress: Progress,
) -> Message:
    """``message`` with the data of its attachments kept by the store and their copies' paths set;
    an attachment whose data is refused stays without a file and is listed in ``report.skipped``."""
    if not any((message.uid, index) in files for index in range(len(message.attachments))):
        return message
    attachments = []
    for index, attachment in enumerate(message.attachments):
        data = files.get((message.uid, index))
        if data is not None:
            progress.check()
            kept, problem = _keep(store, attachment, data, progress)
            if problem is None:
                report.files_kept += 1
            else:
                ref = f"{attachment.name!r} of message {message.uid}"
                report.skipped.append(SkippedItem("attachment", ref, problem, conversation_uid))
            attachment = kept
        attachments.append(attachment)
    return dataclasses.replace(message, attachments=attachments)


def _keep(
    store: ConversationImporter, attachment: MessageFile, data: FileData, progress: Progress
) -> tuple[MessageFile, str | None]:
    """The attachment with its content kept, or as it was and why the content was refused."""
    try:
        content = _decoded(data.base64, progress)
    except (binascii.Error, ValueError):
        return attachment, "its data is not valid base64; restored without its file"
    digest = hashlib.sha256(content).hexdigest()
    if data.declared_sha256 and data.declared_sha256 != digest:
        return attachment, (
            f"its data does not match its sha256 (declared {data.declared_sha256[:16]}…, "
            f"data {digest[:16]}…); restored without its file"
        )
    kept = store.keep_file(content, attachment.name)
    return dataclasses.replace(
        attachment,
        size=kept.size,
        kind=kept.kind,
        mime=kept.mime or attachment.mime,
        sha256=kept.sha256,
        path=kept.path,
    ), None
