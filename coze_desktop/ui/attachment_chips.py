"""The files waiting to be sent with the next message: one chip each, above the composer's input.

An image shows as a small thumbnail (decoded scaled down by ``QImageReader``, so a large photo
costs little), any other file with its system icon; each chip shows the name and size and has
a remove button. While the message's files upload, a chip of a large file shows a progress bar
and the remove buttons are disabled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileInfo, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFileIconProvider,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.ui import theme
from coze_desktop.ui.formatting import format_size

THUMB = 40  # pixels: the side of a chip's thumbnail or icon
NAME_WIDTH = 150  # pixels: longer names are elided in the middle
PROGRESS_MIN_BYTES = 1024 * 1024  # files at least this large show a progress bar while they upload


@dataclass(slots=True)
class PendingFile:
    """A file chosen for the next message: where it is, the name it is sent under, its size and
    kind (``image``/``audio``/``file``, told by content)."""

    path: Path
    name: str
    size: int
    kind: str


def thumbnail(path: Path, side: int = THUMB) -> QPixmap:
    """A small picture of an image file, decoded at (about) the size shown; null if unreadable."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return QPixmap()
    if image.width() > side or image.height() > side:  # formats that cannot decode scaled
        image = image.scaled(
            side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return QPixmap.fromImage(image)


def scaled_thumbnail(image: QImage, side: int = THUMB) -> QPixmap:
    """A thumbnail of an image in memory (a pasted one)."""
    small = image.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    return QPixmap.fromImage(small)


class AttachmentChip(QFrame):
    """One pending file: thumbnail or icon, name, size, progress, remove button."""

    remove_clicked = Signal()

    def __init__(
        self, file: PendingFile, picture: QPixmap | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.file = file
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("attachmentChip")
        self.icon = QLabel(self)
        self.icon.setFixedSize(THUMB, THUMB)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if file.kind == "image":
            pixmap = picture if picture is not None and not picture.isNull() else thumbnail(file.path)
            self.is_thumbnail = not pixmap.isNull()
        else:
            pixmap = QPixmap()
            self.is_thumbnail = False
        if pixmap.isNull():
            pixmap = QFileIconProvider().icon(QFileInfo(str(file.path))).pixmap(QSize(THUMB - 8, THUMB - 8))
        self.icon.setPixmap(pixmap)
        self.name_label = QLabel(self)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        elided = self.name_label.fontMetrics().elidedText(file.name, Qt.TextElideMode.ElideMiddle, NAME_WIDTH)
        self.name_label.setText(elided)
        self.name_label.setToolTip(file.name)
        self.size_label = QLabel(format_size(file.size), self)
        muted = self.size_label.palette()
        muted.setColor(self.size_label.foregroundRole(), theme.muted_text(muted))
        self.size_label.setPalette(muted)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(4)
        self.progress.setVisible(False)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.clicked.connect(self.remove_clicked)
        self.retranslate()

        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name_label)
        text.addWidget(self.size_label)
        text.addWidget(self.progress)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 2, 2)
        row.setSpacing(6)
        row.addWidget(self.icon)
        row.addLayout(text)
        row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def retranslate(self) -> None:
        label = self.tr("Remove {name}").format(name=self.file.name)
        self.remove_button.setToolTip(label)
        self.remove_button.setAccessibleName(label)
        self.setAccessibleName(
            self.tr("Attachment {name}, {size}").format(name=self.file.name, size=format_size(self.file.size))
        )

    def set_progress(self, sent: int, total: int) -> None:
        """Show how much of a large file is uploaded (small files upload too fast to show)."""
        if total >= PROGRESS_MIN_BYTES:
            self.progress.setVisible(True)
            self.progress.setValue(int(1000 * sent / total) if total else 0)

    def reset_progress(self) -> None:
        self.progress.setVisible(False)
        self.progress.setValue(0)


class AttachmentChips(QScrollArea):
    """The row of pending files (hidden when there is none); scrolls sideways when long."""

    removed = Signal(int)
    """The user removed a file. Argument: its index before the removal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._inner = QWidget(self)
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        self._row.addStretch(1)
        self.setWidget(self._inner)
        self.chips: list[AttachmentChip] = []
        self._locked = False
        self.setAccessibleName(self.tr("Files to send"))
        self.setVisible(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def files(self) -> list[PendingFile]:
        return [chip.file for chip in self.chips]

    def add(self, file: PendingFile, picture: QPixmap | None = None) -> AttachmentChip:
        chip = AttachmentChip(file, picture, self._inner)
        chip.remove_button.setEnabled(not self._locked)
        chip.remove_clicked.connect(functools.partial(self._remove_chip, chip))
        self._row.insertWidget(len(self.chips), chip)
        self.chips.append(chip)
        self._update()
        return chip

    def remove(self, index: int) -> None:
        chip = self.chips.pop(index)
        self._row.removeWidget(chip)
        chip.deleteLater()
        self._update()

    def clear(self) -> None:
        while self.chips:
            self.remove(len(self.chips) - 1)

    def set_locked(self, locked: bool) -> None:
        """While the files upload they cannot be removed."""
        self._locked = locked
        for chip in self.chips:
            chip.remove_button.setEnabled(not locked)
            if not locked:
                chip.reset_progress()

    def set_progress(self, index: int, sent: int, total: int) -> None:
        if 0 <= index < len(self.chips):
            self.chips[index].set_progress(sent, total)

    def _remove_chip(self, chip: AttachmentChip) -> None:
        if chip in self.chips and not self._locked:
            index = self.chips.index(chip)
            self.remove(index)
            self.removed.emit(index)

    def _update(self) -> None:
        self.setVisible(bool(self.chips))
        height = max((chip.sizeHint().height() for chip in self.chips), default=0)
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height + bar + 2 if self.chips else 0)

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Files to send"))
        for chip in self.chips:
            chip.retranslate()
