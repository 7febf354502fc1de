"""The files of one message, uploaded in the background before the message is sent.

:class:`UploadJob` runs every upload of one message as ONE
:class:`~coze_desktop.workers.tasks.BackgroundTask`. For each file, in order:

1. a file picked, dropped or pasted (a :class:`LocalFile`) is first copied into the history
   (``Store.keep_file``: the content-addressed local copy that the conversation keeps showing
   after the original is moved or deleted); a file the history already has (a ``MessageFile``
   of a question asked again: retry, regenerate, edit) is taken from its local copy;
2. its Coze ``file_id`` is looked up in the :class:`UploadCache` of this run of the app
   (``{(base_url, sha256): file_id}``): a file uploaded once is not uploaded again while the
   app runs, whichever message it is in;
3. otherwise it is uploaded from the local copy, streamed, with progress
   (``ctx.progress((index, sent, total))``) and the task's cancel event (Stop).

The job ends with the files as ``MessageFile`` objects whose ``file_id`` is set, or with the
first failure, told with the name of the file it concerns (:attr:`UploadJob.failed`); nothing
is sent then. QtCore only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QObject, Signal, Slot

from coze_desktop.api import ChatCanceledError, CozeClient, CozeError, ProtocolError
from coze_desktop.api.files import MAX_UPLOAD_BYTES, Attachment, AttachmentError, check_file
from coze_desktop.domain import MessageFile
from coze_desktop.store import Store, StoreError
from coze_desktop.workers.accounts import Account
from coze_desktop.workers.tasks import BackgroundTask, TaskContext, describe_error
from coze_desktop.workers.threads import WorkerThreads

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file chosen for a message and not sent yet: where it is and the name to send it under
    (a pasted image lives in a temporary file with a readable name of its own)."""

    path: Path
    name: str


UploadItem = LocalFile | MessageFile


class UploadCache:
    """``{(base_url, sha256): file_id}`` of the files uploaded while the app runs; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], str] = {}

    def get(self, base_url: str, sha256: str) -> str | None:
        with self._lock:
            return self._ids.get((base_url, sha256))

    def put(self, base_url: str, sha256: str, file_id: str) -> None:
        if sha256 and file_id:
            with self._lock:
                self._ids[(base_url, sha256)] = file_id


class UploadFailed(Exception):
    """One file of a message could not be uploaded: ``text`` says why, for people, and names it."""

    def __init__(self, name: str, text: str, error: BaseException | None = None) -> None:
        super().__init__(text)
        self.name = name
        self.text = text
        self.error = error

    def user_message(self, lang: str = "zh") -> str:
        """The text for people (already in the UI's language)."""
        return self.text


def as_attachment(file: MessageFile) -> Attachment:
    """A sent file as it goes into an object_string message (its ``file_id`` must be set)."""
    return Attachment(name=file.name, file_id=file.file_id, bytes=file.size, kind=file.kind)


_TOO_LARGE = re.compile(r"is too large \((\d+) bytes; the limit is (\d+) bytes\)")


def _size(n: int) -> str:
    return QLocale().formattedDataSize(n, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


def refusal_text(error: AttachmentError, name: str) -> str:
    """A local check's refusal (:func:`~coze_desktop.api.files.check_file`) for people, naming ``name``."""
    reason = error.reason
    if reason.startswith("no such file"):
        text = QCoreApplication.translate(
            "uploads", "“{name}” was not found. It may have been moved or deleted."
        )
    elif reason.startswith("is a folder"):
        text = QCoreApplication.translate("uploads", "“{name}” is a folder. Attach the files in it instead.")
    elif reason.startswith("is empty"):
        text = QCoreApplication.translate("uploads", "“{name}” is empty. Coze does not take empty files.")
    elif found := _TOO_LARGE.search(reason):
        size, limit = (_size(int(n)) for n in found.groups())
        return QCoreApplication.translate(
            "uploads", "“{name}” is too large: {size}, the limit is {limit}."
        ).format(name=name, size=size, limit=limit)
    elif reason.startswith("became shorter"):
        text = QCoreApplication.translate(
            "uploads", "“{name}” changed while it was being sent. Attach it again."
        )
    else:
        text = QCoreApplication.translate("uploads", "“{name}” cannot be read ({reason}).")
    return text.format(name=name, reason=reason.removeprefix("cannot be read ").strip("()"))


def upload_files(
    ctx: TaskContext,
    store: Store,
    account: Account,
    cache: UploadCache,
    items: Sequence[UploadItem],
    lang: str,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> list[MessageFile]:
    """Keep, then upload (or find in ``cache``) every file of ``items``; see the module docstring.

    Runs in the task's thread. Raises :class:`~coze_desktop.api.ChatCanceledError` once the
    task is canceled and :class:`UploadFailed` (naming the file) for anything else.
    """
    done: list[MessageFile] = []
    with account.client() as client:
        for index, item in enumerate(items):
            if ctx.canceled:
                raise ChatCanceledError()
            name = item.name
            try:
                kept = _kept(store, item, max_bytes)
                file_id = cache.get(account.base_url, kept.sha256) if kept.sha256 else None
                if file_id is None:
                    file_id = _upload(ctx, client, kept, index, item, max_bytes)
                    cache.put(account.base_url, kept.sha256, file_id)
                else:
                    ctx.progress((index, kept.size, kept.size))
            except ChatCanceledError:
                raise
            except AttachmentError as exc:
                raise UploadFailed(name, refusal_text(exc, name), exc) from None
            except StoreError as exc:
                text = QCoreApplication.translate(
                    "uploads", "“{name}” could not be kept in the history: {error}"
                ).format(name=name, error=exc)
                raise UploadFailed(name, text, exc) from None
            except CozeError as exc:
                text = QCoreApplication.translate(
                    "uploads", "“{name}” could not be uploaded: {error}"
                ).format(name=name, error=describe_error(exc, lang))
                raise UploadFailed(name, text, exc) from None
            except OSError as exc:
                text = QCoreApplication.translate("uploads", "“{name}” cannot be read ({reason}).").format(
                    name=name, reason=exc.strerror or type(exc).__name__
                )
                raise UploadFailed(name, text, exc) from None
            done.append(replace(kept, file_id=file_id))
    return done


def _kept(store: Store, item: UploadItem, max_bytes: int) -> MessageFile:
    """The history's copy of ``item``: made now for a new file, found for a file sent before."""
    if isinstance(item, LocalFile):
        check_file(item.path, max_bytes=max_bytes)
        return store.keep_file(item.path, item.name)
    path = store.file_path(item.sha256) if item.sha256 else None
    return replace(item, path=str(path) if path is not None else "")


def _upload(
    ctx: TaskContext, client: CozeClient, kept: MessageFile, index: int, item: UploadItem, max_bytes: int
) -> str:
    """Upload the local copy of a file; its Coze ``file_id``."""
    if not kept.path:
        if kept.file_id:  # no local copy (imported, or deleted meanwhile): Coze keeps files 3 months
            ctx.progress((index, kept.size, kept.size))
            return kept.file_id
        raise AttachmentError(Path(kept.name), "no such file")
    path = Path(kept.path)
    check_file(path, max_bytes=max_bytes if isinstance(item, LocalFile) else MAX_UPLOAD_BYTES)
    total = kept.size or path.stat().st_size

    def progress(sent: int, size: int) -> None:
        ctx.progress((index, sent, size or total))

    up = client.upload_file(path, file_name=item.name, progress=progress, cancel=ctx.cancel_requested)
    if not up.id:
        raise ProtocolError("the upload was answered without a file id")
    return up.id


class UploadJob(QObject):
    """The uploads of one message in the background; see the module docstring.

    Create it in the GUI thread; its signals arrive there. Exactly one of :attr:`succeeded`,
    :attr:`failed` and :attr:`canceled` is emitted, then :attr:`finished`.
    """

    progressed = Signal(object, int, int, int)
    """Arguments: the job, the file's index, bytes of it sent, its size."""

    succeeded = Signal(object, list)
    """Every file is on Coze. Arguments: the job, the files (``MessageFile`` with ``file_id``), in order."""

    failed = Signal(object, str, str)
    """Arguments: the job, text for people (naming the file), the file's name ("" if none)."""

    canceled = Signal(object)
    """:meth:`cancel` was called: nothing is sent. Argument: the job."""

    finished = Signal(object)
    """The job is over. Argument: the job."""

    def __init__(
        self,
        threads: WorkerThreads,
        store: Store,
        account: Account,
        cache: UploadCache,
        items: Sequence[UploadItem],
        *,
        lang: Callable[[], str],
        max_bytes: int = MAX_UPLOAD_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.items = list(items)
        self._lang = lang
        language = lang()
        self._task: BackgroundTask[list[MessageFile]] = BackgroundTask(
            threads,
            lambda ctx: upload_files(ctx, store, account, cache, self.items, language, max_bytes=max_bytes),
            name="uploads",
            lang=lang,
        )
        self._task.progressed.connect(self._on_task_progressed)
        self._task.succeeded.connect(self._on_task_succeeded)
        self._task.failed.connect(self._on_task_failed)
        self._task.canceled.connect(self._on_task_canceled)
        self._task.finished.connect(self._on_task_finished)

    def start(self) -> UploadJob:
        self._task.start()
        return self

    def cancel(self) -> None:
        """Stop between two chunks of the file being uploaded; nothing is sent."""
        self._task.cancel()

    @property
    def running(self) -> bool:
        return self._task.running

    @Slot(object)
    def _on_task_progressed(self, value: object) -> None:
        if isinstance(value, tuple) and len(value) == 3:
            index, sent, total = value
            self.progressed.emit(self, int(index), int(sent), int(total))

    @Slot(object)
    def _on_task_succeeded(self, files: object) -> None:
        self.succeeded.emit(self, list(files) if isinstance(files, list) else [])

    @Slot(str, object)
    def _on_task_failed(self, text: str, exc: object) -> None:
        if isinstance(exc, UploadFailed):
            self.failed.emit(self, exc.text, exc.name)
        else:
            self.failed.emit(self, text, "")

    @Slot()
    def _on_task_canceled(self) -> None:
        self.canceled.emit(self)

    @Slot()
    def _on_task_finished(self) -> None:
        self.finished.emit(self)
