"""The image viewer: an attached or a reply image at full size (:class:`ImageViewer`).

Zoom with Ctrl + wheel, the + and − buttons (Ctrl++ / Ctrl+−), "Fit" (the window's size, the
start) and "100%" (Ctrl+0); Copy puts the image on the clipboard; Save as… writes the original
bytes (a copy of the file, never re-encoded); Esc closes.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

logger = logging.getLogger(__name__)

ZOOM_STEP = 1.25
MIN_ZOOM = 0.05
MAX_ZOOM = 8.0


class ImageViewer(QDialog):
    """Shows one image; ``path`` (a local file) or ``data`` (the bytes as downloaded) is what
    Save as… copies. :attr:`failed` says so when saving fails (for the window's notice area)."""

    failed = Signal(str)  # a sentence for the user

    def __init__(
        self,
        image: QImage,
        name: str,
        *,
        path: str = "",
        data: bytes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(name or self.tr("Image"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._image = image
        self._name = name
        self._path = path
        self._data = data
        self._zoom = 1.0
        self._fit = True
        self.last_error = ""  # why the last Save as… failed, "" when it did not

        self._label = QLabel(self)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._label.setAccessibleName(self.tr("Image %1").replace("%1", name))
        self._scroll = QScrollArea(self)
        self._scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._scroll.setWidget(self._label)
        self._scroll.viewport().installEventFilter(self)

        self._zoom_out = self._button(self.tr("−"), self.tr("Zoom out (Ctrl+−)"), self.zoom_out)
        self._zoom_in = self._button(self.tr("+"), self.tr("Zoom in (Ctrl++)"), self.zoom_in)
        self._fit_button = self._button(self.tr("Fit"), self.tr("Fit the image to the window"), self.fit)
        self._actual = self._button(
            self.tr("100%"), self.tr("Show the image at its size (Ctrl+0)"), self.actual_size
        )
        self._zoom_label = QLabel(self)
        self._copy = self._button(self.tr("Copy"), self.tr("Copy the image to the clipboard"), self.copy)
        self._save = self._button(self.tr("Save as…"), self.tr("Save a copy of the image"), self.save_as)
        self._close = self._button(self.tr("Close"), self.tr("Close the viewer (Esc)"), self.close)
        self._zoom_out.setAccessibleName(self.tr("Zoom out"))
        self._zoom_in.setAccessibleName(self.tr("Zoom in"))
        self._save.setEnabled(bool(path) or data is not None)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence("Ctrl+0"), self.actual_size),
            (QKeySequence.StandardKey.Copy, self.copy),
            (QKeySequence.StandardKey.Save, self.save_as),
        ):
            QShortcut(QKeySequence(keys), self, slot)

        bar = QHBoxLayout()
        for widget in (self._zoom_out, self._zoom_in, self._fit_button, self._actual, self._zoom_label):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self._copy, self._save, self._close):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(bar)
        available = self.screen().availableGeometry().size() if self.screen() else QSize(1280, 800)
        wanted = image.size() + QSize(40, 80)
        self.resize(
            max(360, min(wanted.width(), int(available.width() * 0.8))),
            max(280, min(wanted.height(), int(available.height() * 0.8))),
        )
        self._show_zoom()

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # ----------------------------------------------------------------------------- zooming

    @property
    def zoom(self) -> float:
        """The scale the image is shown at (1.0: its own size)."""
        return self._zoom

    @property
    def fitting(self) -> bool:
        return self._fit

    def fit(self) -> None:
        """Show the whole image in the window (never larger than its size)."""
        self._fit = True
        self._show_zoom()

    def actual_size(self) -> None:
        self._set_zoom(1.0)

    def zoom_in(self) -> None:
        self._set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._zoom / ZOOM_STEP)

    def _set_zoom(self, zoom: float) -> None:
        self._fit = False
        self._zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._show_zoom()

    def _fit_zoom(self) -> float:
        area = self._scroll.viewport().size()
        size = self._image.size()
        if size.isEmpty() or area.isEmpty():
            return 1.0
        return min(1.0, area.width() / size.width(), area.height() / size.height())

    def _show_zoom(self) -> None:
        if self._fit:
            self._zoom = self._fit_zoom()
        size = self._image.size() * self._zoom
        size = QSize(max(1, size.width()), max(1, size.height()))
        self._label.setPixmap(
            QPixmap.fromImage(
                self._image.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        )
        self._label.resize(size)
        self._zoom_label.setText(f"{round(self._zoom * 100)}%")
        self._zoom_label.setAccessibleName(self.tr("Zoom %1").replace("%1", f"{round(self._zoom * 100)}%"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize and self._fit:
            self._show_zoom()  # "Fit" follows the window's size
        if (
            watched is self._scroll.viewport()
            and isinstance(event, QWheelEvent)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            delta = event.angleDelta().y()
            if delta > 0:
                self.zoom_in()
            elif delta < 0:
                self.zoom_out()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------------ actions

    def copy(self) -> None:
        """Put the image on the clipboard."""
        QGuiApplication.clipboard().setImage(self._image)

    def save_as(self) -> None:
        """Ask where, then write the original bytes there."""
        suggested = str(Path.home() / (self._name or "image"))
        target, _filter = QFileDialog.getSaveFileName(self, self.tr("Save image as"), suggested)
        if target:
            self.save_to(target)

    def save_to(self, target: str) -> bool:
        """Write the original bytes to ``target``; a failure is kept in :attr:`last_error` and shown."""
        self.last_error = ""
        try:
            if self._path:
                shutil.copyfile(self._path, target)
            elif self._data is not None:
                Path(target).write_bytes(self._data)
            else:
                return False
        except OSError as exc:
            self.last_error = (
                self.tr("The image could not be saved to %1: %2")
                .replace("%1", target)
                .replace("%2", exc.strerror or type(exc).__name__)
            )
            logger.warning("image viewer: saving failed: %s", exc)
            self.failed.emit(self.last_error)
            return False
        return True
