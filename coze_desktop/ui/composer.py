"""The box at the bottom where a question is written and sent.

The send key is a preference: ``"enter"`` (Enter sends, Shift+Enter breaks the line) or
``"ctrl_enter"`` (Ctrl+Enter sends, Enter breaks the line). While an answer streams the
Send button gives way to Stop. When sending is impossible (no token, no bot...), the reason
is shown above the box and sending is disabled; the text can still be written.

Files: the paper-clip button and :data:`ATTACH_SHORTCUT` open a file picker (several files at
once); files dropped on the composer (or on the window, which forwards them: :meth:`Composer.accepts_drop`,
:meth:`Composer.drop`) and images pasted into the input (a PNG named after the time) join the
pending files, shown as chips above the input (:mod:`~coze_desktop.ui.attachment_chips`). Each
file is checked when it is added (unreadable, empty, a folder, over Coze's 512 MB or the
Settings limit: refused with a message naming it). With files, Send emits
:attr:`Composer.send_files_requested` and the composer waits for the uploads
(:meth:`Composer.begin_upload` … :meth:`Composer.end_upload`): the chips show progress, Stop
cancels, and after a failure or a cancel the text and the files are still there.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import (
    QDateTime,
    QEvent,
    QMimeData,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTemporaryDir,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.api.files import MAX_UPLOAD_BYTES, AttachmentError, check_file, file_kind
from coze_desktop.ui import theme
from coze_desktop.ui.attachment_chips import AttachmentChips, PendingFile, scaled_thumbnail
from coze_desktop.workers.uploads import LocalFile, refusal_text

logger = logging.getLogger(__name__)

SEND_KEYS = ("enter", "ctrl_enter")
MIN_LINES = 2  # the input grows with its text between these heights
MAX_LINES = 10
ATTACH_SHORTCUT = "Ctrl+Shift+A"  # attach files (free in ui/actions.py)


def paperclip_icon(color: QColor, side: int = 64) -> QIcon:
    """A paper clip drawn in ``color`` (the theme's icon when the system has one)."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(QPointF(side / 2, side / 2))
    painter.scale(side / 64, side / 64)
    painter.rotate(40)
    pen = QPen(color, 4.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    path = QPainterPath(QPointF(8, -10))
    path.lineTo(8, 16)
    path.arcTo(QRectF(-8, 8, 16, 16), 0, -180)
    path.lineTo(-8, -18)
    path.arcTo(QRectF(-8, -24, 11, 11), 180, -180)
    path.lineTo(3, 10)
    painter.drawPath(path)
    painter.end()
    return QIcon.fromTheme("mail-attachment", QIcon(pixmap))


class _ReasonLabel(QLabel):
    """Why sending is blocked: a tinted strip above the input."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.warning_background(self.palette()))
        painter.drawRoundedRect(self.rect(), 6, 6)
        painter.end()
        super().paintEvent(event)


class _Input(QPlainTextEdit):
    """The text box; files and images pasted or dropped into it go to the composer's chips."""

    def __init__(self, composer: Composer) -> None:
        super().__init__(composer)
        self._composer = composer

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return self._composer.accepts_drop(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        try:
            taken = self._composer.drop(source)
        except Exception:  # never let an error escape into Qt's paste (it would abort the app)
            logger.exception("could not take the pasted files")
            taken = False
        if not taken:
            super().insertFromMimeData(source)


class Composer(QWidget):
    """Multi-line input with Send and Stop, and the files to send; see the module docstring."""

    send_requested = Signal(str)  # the text to send, stripped and not empty (the box is cleared)
    send_files_requested = Signal(str, list)
    """Send with files (the text may be empty). Arguments: the stripped text, the files
    (``LocalFile``). The composer now waits for :meth:`end_upload`."""
    stop_requested = Signal()  # the user pressed Stop while an answer streamed
    upload_cancel_requested = Signal()  # the user pressed Stop while the files uploaded
    attachment_refused = Signal(str)  # a file was not added. Argument: why, naming it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._send_key = "enter"
        self._streaming = False
        self._uploading = False
        self._blocked_reason: str | None = None
        self._max_attachment_bytes = MAX_UPLOAD_BYTES
        self._sending_text: str | None = None  # the text sent with the files uploading now
        self._paste_dir: QTemporaryDir | None = None

        self.reason_label = _ReasonLabel(self)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setWordWrap(True)
        self.reason_label.setContentsMargins(10, 6, 10, 6)
        self.reason_label.setVisible(False)
        self.reason_label.setAccessibleName(self.tr("Why sending is unavailable"))

        self.chips = AttachmentChips(self)
        self.attach_notice = QLabel(self)  # why the last files could not be added or sent
        self.attach_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.attach_notice.setWordWrap(True)
        self.attach_notice.setVisible(False)
        notice_palette = self.attach_notice.palette()
        notice_palette.setColor(self.attach_notice.foregroundRole(), QColor("#c62828"))
        self.attach_notice.setPalette(notice_palette)
        self.chips.removed.connect(self._on_chips_removed)

        self.input = _Input(self)
        self.input.setTabChangesFocus(True)
        self.input.setFrameShape(QFrame.Shape.NoFrame)
        self.input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.input.setAccessibleName(self.tr("Message"))
        self.input.installEventFilter(self)
        self.input.document().setDocumentMargin(6)

        self.attach_button = QToolButton(self)
        self.attach_button.setAutoRaise(True)
        self.attach_button.setIconSize(QSize(20, 20))
        self.attach_button.clicked.connect(self.choose_files)
        self.attach_action = QAction(self)
        self.attach_action.setShortcut(QKeySequence(ATTACH_SHORTCUT))
        self.attach_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.attach_action.triggered.connect(self.choose_files)
        self.addAction(self.attach_action)
        self.setAcceptDrops(True)

        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setDefault(True)
        self.send_button.setAccessibleName(self.tr("Send"))
        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setAccessibleName(self.tr("Stop the answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer (the text so far is kept)"))
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.stop_button.setVisible(False)

        self._frame = QFrame(self)  # the rounded box around the input and the buttons
        self._frame.setFrameShape(QFrame.Shape.StyledPanel)
        self._frame.setBackgroundRole(QPalette.ColorRole.Base)
        self._frame.setAutoFillBackground(True)
        row = QHBoxLayout(self._frame)
        row.setContentsMargins(4, 4, 6, 4)
        row.setSpacing(6)
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.input, 1, Qt.AlignmentFlag.AlignTop)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.attach_notice)
        layout.addWidget(self.chips)
        layout.addWidget(self._frame)
        self.setAccessibleName(self.tr("Message composer"))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.input.textChanged.connect(self._on_input_text_changed)
        self._retranslate_attach()
        self._update_placeholder()
        self._update_height()
        self._update_buttons()

    # -------------------------------------------------------------------------------- public

    def set_send_key(self, send_key: str) -> None:
        """``"enter"``: Enter sends, Shift+Enter breaks the line; ``"ctrl_enter"``: the reverse."""
        if send_key not in SEND_KEYS:
            raise ValueError(f"send key must be one of {SEND_KEYS}, not {send_key!r}")
        self._send_key = send_key
        self._update_placeholder()

    def send_key(self) -> str:
        return self._send_key

    def set_streaming(self, streaming: bool) -> None:
        """While an answer streams, Stop replaces Send and nothing can be sent."""
        self._streaming = streaming
        self._update_buttons()

    def set_blocked_reason(self, reason: str | None) -> None:
        """Disable sending and say why (e.g. "No token — open Settings"); ``None`` allows it."""
        self._blocked_reason = reason or None
        self.reason_label.setText(reason or "")
        self.reason_label.setVisible(bool(reason))
        self._update_buttons()

    def blocked_reason(self) -> str | None:
        return self._blocked_reason

    def can_send(self) -> bool:
        """Whether Send would send now (not blocked, not streaming or uploading, some text or files)."""
        return (
            not self._streaming
            and not self._uploading
            and self._blocked_reason is None
            and (bool(self.text().strip()) or bool(self.chips.chips))
        )

    # ------------------------------------------------------------------------------- files

    def set_max_attachment_bytes(self, max_bytes: int) -> None:
        """The Settings limit on one file (never above Coze's 512 MB)."""
        self._max_attachment_bytes = max(1, min(max_bytes, MAX_UPLOAD_BYTES))

    def pending_files(self) -> list[LocalFile]:
        """The files to send with the next message, in the order they were added."""
        return [LocalFile(f.path, f.name) for f in self.chips.files()]

    def choose_files(self) -> None:
        """Ask for files to attach (several at once)."""
        if self._uploading:
            return
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        if paths:
            self.add_files(Path(p) for p in paths)
        self.focus_input()

    def add_files(self, paths: Iterable[Path], names: Iterable[str] | None = None) -> int:
        """Check and add files (``names``: what to send them as; default: their own names).
        Refused files are named in :attr:`attach_notice` and :attr:`attachment_refused`.
        Returns how many were added."""
        if self._uploading:
            return 0
        path_list = list(paths)
        name_list = list(names) if names is not None else [p.name for p in path_list]
        problems: list[str] = []
        added = 0
        known = {f.path for f in self.chips.files()}
        for path, name in zip(path_list, name_list, strict=True):
            try:
                size = check_file(path, max_bytes=self._max_attachment_bytes)
                kind = file_kind(path)
            except AttachmentError as exc:
                problems.append(self._refusal(exc, name))
                continue
            except OSError as exc:
                problems.append(
                    self.tr("“{name}” cannot be read ({reason}).").format(
                        name=name, reason=exc.strerror or type(exc).__name__
                    )
                )
                continue
            if path in known:
                continue
            known.add(path)
            self.chips.add(PendingFile(path, name, size, kind))
            added += 1
        self._show_problems(problems)
        self._update_buttons()
        return added

    def add_image(self, image: QImage) -> bool:
        """Add a pasted image as a PNG named after the time (e.g. ``Pasted image 2026-12-04 18.30.05.png``)."""
        if self._uploading or image.isNull():
            return False
        if self._paste_dir is None:
            self._paste_dir = QTemporaryDir()
        stamp = QDateTime.currentDateTime().toString("yyyy-MM-dd HH.mm.ss")
        name = self.tr("Pasted image {time}.png").format(time=stamp)
        path = Path(self._paste_dir.path()) / f"{uuid.uuid4().hex}.png"
        if not self._paste_dir.isValid() or not image.save(str(path)):
            self._show_problems([self.tr("The pasted image could not be saved for sending.")])
            return False
        size = path.stat().st_size
        if size > self._max_attachment_bytes:
            self._show_problems(
                [
                    self._refusal(
                        AttachmentError(
                            path,
                            f"is too large ({size} bytes; the limit is {self._max_attachment_bytes} bytes)",
                        ),
                        name,
                    )
                ]
            )
            return False
        self.chips.add(PendingFile(path, name, size, "image"), scaled_thumbnail(image))
        self._show_problems([])
        self._update_buttons()
        return True

    def accepts_drop(self, mime: QMimeData) -> bool:
        """Whether ``mime`` holds local files or an image the composer would take."""
        if self._uploading:
            return False
        if mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()):
            return True
        return mime.hasImage()

    def drop(self, mime: QMimeData) -> bool:
        """Take the local files (or else the image) of ``mime``; False when it has neither."""
        if self._uploading:
            return False
        files = (
            [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []
        )
        if files:
            self.add_files(files)
            return True
        if mime.hasImage():
            data = mime.imageData()
            if isinstance(data, QPixmap):
                data = data.toImage()
            return self.add_image(data if isinstance(data, QImage) else QImage())
        return False

    def begin_upload(self) -> None:
        """The files are being uploaded: the chips are locked and show progress; Stop cancels."""
        self._uploading = True
        self.chips.set_locked(True)
        self._update_buttons()

    def set_upload_progress(self, index: int, sent: int, total: int) -> None:
        self.chips.set_progress(index, sent, total)

    def is_uploading(self) -> bool:
        return self._uploading

    def end_upload(self, sent: bool, problem: str | None = None) -> None:
        """The upload ended: ``sent``: the message went (the files are cleared); else the text
        (if the box is still empty) and the files are back, with ``problem`` shown."""
        self._uploading = False
        self.chips.set_locked(False)
        text, self._sending_text = self._sending_text, None
        if sent:
            self.chips.clear()
            self._show_problems([])
        else:
            if text and not self.text():
                self.set_text(text)
            self._show_problems([problem] if problem else [])
        self._update_buttons()

    def text(self) -> str:
        return self.input.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (e.g. a question to edit and resend), cursor at the end."""
        self.input.setPlainText(text)
        self.input.moveCursor(self.input.textCursor().MoveOperation.End)

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------------------- internals

    def _send(self) -> None:
        if not self.can_send():
            return
        text = self.text().strip()
        files = self.pending_files()
        if files:
            self._sending_text = self.text()
            self.begin_upload()
            self.input.clear()
            self.send_files_requested.emit(text, files)
            return
        self.input.clear()
        self.send_requested.emit(text)

    def _on_stop_button_clicked(self) -> None:
        if self._uploading:
            self.upload_cancel_requested.emit()
        else:
            self.stop_requested.emit()

    def _on_chips_removed(self, _index: int) -> None:
        self._update_buttons()

    def _refusal(self, error: AttachmentError, name: str) -> str:
        return refusal_text(error, name)

    def _show_problems(self, problems: list[str]) -> None:
        text = "\n".join(problems)
        self.attach_notice.setText(text)
        self.attach_notice.setVisible(bool(text))
        if text:
            self.attachment_refused.emit(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.accepts_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.accepts_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self.drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def _on_send_button_clicked(self) -> None:
        self._send()
        self.focus_input()

    def _on_input_text_changed(self) -> None:
        self._update_height()
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._streaming or self._uploading
        self.send_button.setVisible(not busy)
        self.stop_button.setVisible(busy)
        self.attach_button.setEnabled(not self._uploading)
        self.attach_action.setEnabled(not self._uploading)
        if self.input.isReadOnly() != self._uploading:
            self.input.setReadOnly(self._uploading)
        self.send_button.setEnabled(self.can_send())
        if self._blocked_reason:
            self.send_button.setToolTip(self._blocked_reason)
        else:
            self.send_button.setToolTip(self._send_hint())

    def _send_hint(self) -> str:
        if self._send_key == "enter":
            return self.tr("Enter to send, Shift+Enter for a new line")
        return self.tr("Ctrl+Enter to send, Enter for a new line")

    def _update_placeholder(self) -> None:
        self.input.setPlaceholderText(self.tr("Ask anything…  (%1)").replace("%1", self._send_hint()))
        self._update_buttons()

    def _update_height(self) -> None:
        """Grow with the text from MIN_LINES to MAX_LINES lines, then scroll."""
        document = self.input.document()
        layout = document.documentLayout()
        margin = document.documentMargin()
        line = self.input.fontMetrics().lineSpacing()
        lowest, highest = MIN_LINES * line + 2 * margin, MAX_LINES * line + 2 * margin
        content = margin  # block rectangles include the top margin but not the bottom one
        block = document.begin()
        while block.isValid() and content < highest:  # stop early for a huge paste
            content += layout.blockBoundingRect(block).height()
            block = block.next()
        margins = self.input.contentsMargins()
        height = math.ceil(min(max(content, lowest), highest)) + margins.top() + margins.bottom()
        if height != self.input.height():
            self.input.setFixedHeight(height)
        # A scroll bar only once the box has stopped growing (a line's rounding would show one early).
        self.input.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if content > highest
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def _is_send_key(self, event: QKeyEvent) -> bool | None:
        """True: send; False: new line; None: not Enter at all."""
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return None
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if self._send_key == "enter":
            return modifiers == Qt.KeyboardModifier.NoModifier or (
                ctrl and not modifiers & Qt.KeyboardModifier.ShiftModifier
            )
        return ctrl

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.input and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            decision = self._is_send_key(event)
            if decision is True:
                self._send()
                return True  # never insert the line break, even when sending is not possible
            if decision is False:
                self.input.textCursor().insertText("\n")
                return True
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_height()

    def changeEvent(self, event: QEvent) -> None:
        """Follow a language change at once (the window sets the blocked reason again)."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.reason_label.setAccessibleName(self.tr("Why sending is unavailable"))
        self.input.setAccessibleName(self.tr("Message"))
        self.send_button.setText(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send"))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop the answer"))
        self.stop_button.setToolTip(self.tr("Stop the answer (the text so far is kept)"))
        self.setAccessibleName(self.tr("Message composer"))
        self._retranslate_attach()
        self.chips.retranslate()
        self._update_placeholder()

    def _retranslate_attach(self) -> None:
        label = self.tr("Attach files")
        shortcut = QKeySequence(ATTACH_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
        self.attach_button.setIcon(paperclip_icon(self.palette().color(QPalette.ColorRole.ButtonText)))
        self.attach_button.setToolTip(
            self.tr("Attach files or images ({shortcut}); you can also drop or paste them").format(
                shortcut=shortcut
            )
        )
        self.attach_button.setAccessibleName(label)
        self.attach_action.setText(label)
