"""A message's attachments on screen, and the images the conversation loads.

* :class:`_AttachmentStrip` — under a question: each image as a thumbnail (click: the image
  viewer, :mod:`coze_desktop.ui.image_viewer`), each other file as a chip with its icon, name,
  size and type (click: opened with the system's default application). A file with no local copy
  (``MessageFile.path == ""``) is a chip saying it was not kept on this computer.
* :func:`images` — the images shared by every view (:class:`_Images`): thumbnails decoded and
  scaled in a worker thread with ``QImageReader`` (a 20-megapixel photo never stalls the window),
  kept per sha256; reply images fetched over http(s) (:mod:`coze_desktop.workers.images`), kept
  per URL for the session.
* :data:`attachment_notices` — problems opening a file, for the main window to tell the user.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QStyle, QToolButton, QWidget

from coze_desktop.api.images import ImageFetchError, fetch_image
from coze_desktop.domain import MessageFile
from coze_desktop.ui.formatting import format_size
from coze_desktop.ui.image_viewer import ImageViewer
from coze_desktop.workers.images import ImageLoader
from coze_desktop.workers.tasks import TaskContext
from coze_desktop.workers.threads import WorkerThreads

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = QSize(160, 120)  # a thumbnail fits in this box, its proportions kept
_REPLY_CACHE_SIZE = 50  # reply images kept for the session (each at most 10 MB)


_TYPE_NAMES = {
    "application/pdf": "PDF",
    "text/plain": "TXT",
    "text/csv": "CSV",
    "text/markdown": "Markdown",
    "application/json": "JSON",
    "application/zip": "ZIP",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
}


def type_name(file: MessageFile) -> str:
    """What kind of file this is, shortly: "PDF", "PNG image", "MP3 audio", "File"."""
    mime = file.mime.lower()
    if mime in _TYPE_NAMES:
        return _TYPE_NAMES[mime]
    subtype = mime.split("/", 1)[1].upper() if "/" in mime else Path(file.name).suffix.lstrip(".").upper()
    subtype = {"JPEG": "JPEG", "SVG+XML": "SVG", "MPEG": "MP3", "X-WAV": "WAV"}.get(subtype, subtype)
    if file.kind == "image":
        return (
            QCoreApplication.translate("Attachments", "%1 image").replace("%1", subtype)
            if subtype
            else QCoreApplication.translate("Attachments", "Image")
        )
    if file.kind == "audio":
        return (
            QCoreApplication.translate("Attachments", "%1 audio").replace("%1", subtype)
            if subtype
            else QCoreApplication.translate("Attachments", "Audio")
        )
    return subtype if subtype and len(subtype) <= 10 else QCoreApplication.translate("Attachments", "File")


def read_image(path: str) -> QImage:
    """The image at ``path`` at full size, turned as its EXIF says. Any thread."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise ImageFetchError(f"cannot be read as an image ({reader.errorString()})")
    return image


def read_thumbnail(path: str, box: QSize = THUMBNAIL_SIZE) -> QImage:
    """The image at ``path`` decoded at thumbnail size (``QImageReader``'s scaled size: a large
    JPEG is decoded at a fraction of its size), turned as its EXIF says. Any thread."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageFetchError(f"cannot be read as an image ({reader.errorString()})")
    if image.width() > box.width() or image.height() > box.height():  # turned by its EXIF
        image = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


REPLY_IMAGE_BOX = QSize(480, 360)  # a reply image is shown at most this large in the answer
_SHOWN_SCALE = 2  # ...from a copy scaled to twice that (sharp on high-density screens)


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """An image from a reply: decoded, a copy scaled for the answer, and its original bytes
    (Save as… writes them as they came)."""

    image: QImage
    shown: QImage
    data: bytes

    def shown_size(self) -> QSize:
        """The size it takes in an answer: its own, made to fit :data:`REPLY_IMAGE_BOX`."""
        size = self.image.size()
        if size.width() > REPLY_IMAGE_BOX.width() or size.height() > REPLY_IMAGE_BOX.height():
            size = size.scaled(REPLY_IMAGE_BOX, Qt.AspectRatioMode.KeepAspectRatio)
        return QSize(max(1, size.width()), max(1, size.height()))


def load_reply_image(url: str, ctx: TaskContext) -> LoadedImage:
    """Fetch and decode the image at ``url``, and scale the copy shown (in a worker thread)."""
    data = fetch_image(url, cancel=ctx.cancel_requested)
    image = QImage.fromData(data)
    if image.isNull():
        raise ImageFetchError("cannot be decoded")
    box = REPLY_IMAGE_BOX * _SHOWN_SCALE
    shown = image
    if image.width() > box.width() or image.height() > box.height():
        shown = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return LoadedImage(image, shown, data)


class _Images(QObject):
    """The images of every conversation view: thumbnails per sha256, reply images per URL."""

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.thumbnails: ImageLoader[QImage] = ImageLoader(None, parent=self)
        # An attached image at full size, for the viewer (forgotten once shown: it can be large).
        self.full: ImageLoader[QImage] = ImageLoader(None, cache_size=1, parent=self)
        self.replies: ImageLoader[LoadedImage] = ImageLoader(None, cache_size=_REPLY_CACHE_SIZE, parent=self)

    def set_threads(self, threads: WorkerThreads | None) -> None:
        """Load in ``threads`` from now on (``None``: in the GUI thread, for widget tests)."""
        self.thumbnails.set_threads(threads)
        self.replies.set_threads(threads)
        self.full.set_threads(threads)

    def request_thumbnail(self, file: MessageFile) -> str:
        """Start loading ``file``'s thumbnail (if needed); returns the key it is kept under."""
        key = thumbnail_key(file)
        path = file.path
        self.thumbnails.request(key, lambda ctx: read_thumbnail(path))
        return key

    def request_reply_image(self, url: str) -> None:
        self.replies.request(url, functools.partial(load_reply_image, url))


def thumbnail_key(file: MessageFile) -> str:
    return file.sha256 or "path:" + file.path


_shared: _Images | None = None


def images() -> _Images:
    """The images shared by every view of the application."""
    global _shared
    if _shared is None or not shiboken6.isValid(_shared):
        _shared = _Images(QCoreApplication.instance())  # deleted with the application
    return _shared


class AttachmentNotices(QObject):
    """Problems opening an attachment, for the window's notice area (like ``markdown.link_failures``)."""

    failed = Signal(str)  # what to tell the user


attachment_notices = AttachmentNotices()  # GUI thread only: files are opened from clicks


def open_file(file: MessageFile) -> bool:
    """Open the local copy of ``file`` with the system's default application; a missing copy or
    a failure is said through :data:`attachment_notices`."""
    if not file.path or not os.path.isfile(file.path):
        attachment_notices.failed.emit(
            QCoreApplication.translate(
                "Attachments", "“%1” is not kept on this computer, so it cannot be opened."
            ).replace("%1", file.name)
        )
        return False
    if QDesktopServices.openUrl(QUrl.fromLocalFile(file.path)):
        return True
    logger.warning("no application could open an attachment (%s)", file.mime or "unknown type")
    attachment_notices.failed.emit(
        QCoreApplication.translate("Attachments", "No application could open “%1”. Its copy is in %2")
        .replace("%1", file.name)
        .replace("%2", file.path)
    )
    return False


def show_image(
    image: QImage, name: str, *, path: str = "", data: bytes | None = None, parent: QWidget | None
) -> ImageViewer:
    """Open the image viewer on ``image`` (``path`` or ``data``: what Save as… copies); a
    problem saving it is said through :data:`attachment_notices`."""
    viewer = ImageViewer(image, name, path=path, data=data, parent=parent)
    viewer.failed.connect(attachment_notices.failed)
    viewer.show()
    return viewer


class _AttachmentStrip(QWidget):
    """A question's attachments in a row: thumbnails for images, chips for other files."""

    image_opened = Signal(int)  # index of the attachment whose thumbnail opened the viewer

    def __init__(self, files: list[MessageFile], parent: QWidget, *, align_right: bool = True) -> None:
        super().__init__(parent)
        self.files = list(files)
        self.viewer: ImageViewer | None = None  # the last viewer opened
        self.buttons: list[QToolButton] = []
        self._thumbnail_keys: dict[str, list[QToolButton]] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        if align_right:
            layout.addStretch(1)  # a question's attachments sit on the right, under its bubble
        shared = images()
        for index, file in enumerate(self.files):
            button = QToolButton(self)
            button.setAutoRaise(False)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setProperty("attachment_index", index)
            if file.kind == "image" and file.path:
                self._build_thumbnail(button, file, shared)
            else:
                self._build_chip(button, file)
            button.clicked.connect(lambda _checked=False, i=index: self._on_button_clicked(i))
            layout.addWidget(button)
            self.buttons.append(button)
        if not align_right:
            layout.addStretch(1)
        self.setAccessibleName(self.tr("Attachments"))
        shared.thumbnails.loaded.connect(self._on_thumbnail_loaded)
        shared.thumbnails.failed.connect(self._on_thumbnail_failed)
        shared.full.loaded.connect(self._on_full_loaded)
        shared.full.failed.connect(self._on_full_failed)
        self._opening: str | None = None  # the path of the image being read for the viewer
        for key in list(self._thumbnail_keys):
            image = shared.thumbnails.get(key)
            if image is not None:
                self._on_thumbnail_loaded(key, image)
            elif shared.thumbnails.failure(key) is not None:
                self._on_thumbnail_failed(key, "")

    def _build_thumbnail(self, button: QToolButton, file: MessageFile, shared: _Images) -> None:
        button.setObjectName("attachment_thumbnail")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        button.setIconSize(THUMBNAIL_SIZE)
        button.setFixedSize(THUMBNAIL_SIZE + QSize(8, 8))
        button.setText(file.name)
        button.setAccessibleName(self.tr("Image %1").replace("%1", file.name))
        button.setAccessibleDescription(self.tr("Opens the image viewer"))
        button.setToolTip(f"{file.name}\n{format_size(file.size)} · {type_name(file)}")
        key = shared.request_thumbnail(file)
        self._thumbnail_keys.setdefault(key, []).append(button)

    def _build_chip(self, button: QToolButton, file: MessageFile) -> None:
        button.setObjectName("attachment_chip" if file.path else "attachment_missing")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        style = self.style()
        details = f"{format_size(file.size)} · {type_name(file)}"
        if file.path:
            icon = QStyle.StandardPixmap.SP_FileIcon
            button.setText(f"{_elide(file.name)}\n{details}")
            button.setToolTip(
                self.tr("%1\n%2\nClick to open it").replace("%1", file.name).replace("%2", details)
            )
            button.setAccessibleName(self.tr("File %1, %2").replace("%1", file.name).replace("%2", details))
            button.setAccessibleDescription(self.tr("Opens the file with its default application"))
        else:
            icon = QStyle.StandardPixmap.SP_MessageBoxInformation
            missing = self.tr("not kept on this computer")
            button.setText(f"{_elide(file.name)}\n{missing}")
            button.setToolTip(
                self.tr("%1 (%2) was sent, but no copy of it was kept on this computer.")
                .replace("%1", file.name)
                .replace("%2", details)
            )
            button.setAccessibleName(self.tr("File %1, %2").replace("%1", file.name).replace("%2", missing))
        button.setIcon(style.standardIcon(icon))
        button.setIconSize(QSize(24, 24))

    def thumbnail_loaded(self, index: int) -> bool:
        """Does the button of attachment ``index`` show its thumbnail?"""
        return bool(self.buttons[index].property("thumbnail_loaded"))

    def _on_thumbnail_loaded(self, key: str, image: object) -> None:
        buttons = self._thumbnail_keys.get(key)
        if not buttons or not isinstance(image, QImage):
            return
        pixmap = QPixmap.fromImage(image)  # GUI thread: the worker built the QImage
        for button in buttons:
            button.setIcon(QIcon(pixmap))
            button.setIconSize(image.size())
            button.setFixedSize(image.size() + QSize(8, 8))  # the frame hugs the picture
            button.setProperty("thumbnail_loaded", True)

    def _on_thumbnail_failed(self, key: str, _reason: str) -> None:
        for button in self._thumbnail_keys.get(key, []):
            index = int(button.property("attachment_index"))
            button.setFixedSize(QSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX))
            button.setMinimumSize(0, 0)
            self._build_chip(button, self.files[index])

    def _on_button_clicked(self, index: int) -> None:
        file = self.files[index]
        if file.kind == "image" and file.path and os.path.isfile(file.path):
            # Read at full size in a worker thread; the viewer opens when it is read.
            self._opening = path = file.path
            images().full.forget(path)
            images().full.request(path, lambda _ctx: read_image(path))
        elif file.path:
            open_file(file)
        else:
            attachment_notices.failed.emit(
                self.tr("“%1” was not kept on this computer.").replace("%1", file.name)
            )

    def _opening_index(self, key: str) -> int | None:
        if key != self._opening:
            return None
        self._opening = None
        return next((i for i, f in enumerate(self.files) if f.path == key and f.kind == "image"), None)

    def _on_full_loaded(self, key: str, image: object) -> None:
        index = self._opening_index(key)
        if index is None or not isinstance(image, QImage):
            return
        images().full.forget(key)
        file = self.files[index]
        self.viewer = show_image(image, file.name, path=file.path, parent=self.window())
        self.image_opened.emit(index)

    def _on_full_failed(self, key: str, _reason: str) -> None:
        index = self._opening_index(key)
        if index is not None:
            images().full.forget(key)
            name = self.files[index].name
            attachment_notices.failed.emit(
                QCoreApplication.translate("Attachments", "“%1” could not be shown as an image.").replace(
                    "%1", name
                )
            )


QWIDGETSIZE_MAX = (1 << 24) - 1


def _elide(name: str, limit: int = 32) -> str:
    """A long file name cut in the middle ("very-long…name.pdf"), whole in the tooltip."""
    if len(name) <= limit:
        return name
    keep = (limit - 1) // 2
    return name[:keep] + "…" + name[-keep:]
