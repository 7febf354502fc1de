"""The conversation in the centre of the window (:class:`MessageView`): scrolling and paging.

One light widget per message (:mod:`.message`) in a scroll area, in a centred column of readable
width. Text views size themselves to their document, so a page of 50 messages is cheap and long
conversations come in pages: the caller shows the newest page with ``has_older=True`` and answers
:attr:`MessageView.older_requested` with :meth:`MessageView.prepend_messages`. Streamed pieces
(:meth:`MessageView.append_reply`) are shown on the next pass of the event loop, at most
:data:`STREAM_CHARS_PER_PASS` characters per pass (:mod:`.answer_body` says how they are drawn).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QShowEvent, QTextDocument
from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QToolButton, QVBoxLayout, QWidget

from coze_desktop.domain import Bot, Message, MessageState, Role, Source, ToolStep
from coze_desktop.ui import theme
from coze_desktop.ui.layouts import discard
from coze_desktop.ui.markdown import warm_up_steps
from coze_desktop.ui.messages.attachments import _AttachmentStrip, images
from coze_desktop.ui.messages.cards import _PrologueCard
from coze_desktop.ui.messages.message import _MessageWidget
from coze_desktop.ui.messages.reply_images import image_fragments, image_state
from coze_desktop.ui.messages.steps import _StepsPanel, _ToolCallCard
from coze_desktop.ui.messages.versions import QuestionEditor
from coze_desktop.workers.threads import WorkerThreads

# Streamed text shown per pass of the event loop: when more has arrived, the rest waits for the
# next pass, so timers, painting and input run in between (bench/ui_stream.py).
STREAM_CHARS_PER_PASS = 2_000
WARM_UP_DELAY_MS = 100  # after the view is first shown, rendering's one-time costs are paid at idle
OLDER_THRESHOLD_PX = 120  # scrolled this close to the top: ask for the previous page
_BOTTOM_SLACK_PX = 8  # "at the bottom" tolerance for following a streaming answer
_PIN_SETTLE_MS = 600  # how long a prepend or a jump keeps its anchor while the layout settles
_W = TypeVar("_W", bound=QWidget)


class MessageView(QWidget):
    """The messages of one conversation, oldest at the top; see the module docstring."""

    follow_up_clicked = Signal(str)  # a follow-up or suggested question was clicked: its text
    retry_requested = Signal(int)  # message id of a failed/stopped/interrupted answer to try again
    regenerate_requested = Signal(int)  # message id of an answer to write again
    delete_requested = Signal(int)  # message id the user wants deleted (the caller confirms)
    copy_requested = Signal(int)  # message id whose text was just copied to the clipboard
    message_selected = Signal(int)  # message id of the answer the user clicked (show its sources)
    older_requested = Signal()  # the user reached the top and older messages exist
    action_requested = Signal(int, str)  # message id, "open_settings" or "publish_help"
    # The user asked to see an answer's sources: its "N sources" button (message id), or a
    # citation link in its text (message id, source number from 1). Both also select the answer.
    sources_requested = Signal(int)
    citation_clicked = Signal(int, int)
    edit_requested = Signal(int, str)  # message id of a question, the edited text to send as a new version
    version_requested = Signal(int, int)  # message id, -1 (previous version) or +1 (next version)
    tool_outputs_submitted = Signal(int, dict)  # message id of a waiting answer, call id -> result
    tool_calls_cancel_requested = Signal(int)  # message id of a waiting answer whose chat to end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widgets: dict[int, _MessageWidget] = {}
        self._order: list[_MessageWidget] = []
        # Streamed pieces waiting for the next pass of the event loop (see append_reply).
        self._pending: dict[int, tuple[list[str], list[str]]] = {}
        self._synthetic_keys = itertools.count(-1, -1)  # keys for messages without an id
        self._assistant_name = self.tr("Assistant")
        self._prologue: _PrologueCard | None = None
        self._has_older = False
        self._older_pending = False
        self._stick_to_bottom = True
        self._pin: tuple[QWidget, int] | None = None  # keep this widget at this viewport offset
        self._selected: _MessageWidget | None = None
        self._warm_up: list[Callable[[], object]] | None = None  # steps still to run
        # Shows pending streamed text when the event loop has nothing else to do: a zero timer
        # waits for input, painting and other timers (QTimer.singleShot(0) would not).
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush_pending)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setBackgroundRole(QPalette.ColorRole.Base)
        self._content = QWidget(self._scroll)
        self._content.setBackgroundRole(QPalette.ColorRole.Base)
        self._column = QVBoxLayout(self._content)
        self._column.setSpacing(10)
        self._older_button = QPushButton(self.tr("Show earlier messages"), self._content)
        self._older_button.setFlat(True)
        self._older_button.setVisible(False)
        self._older_button.clicked.connect(self._on_older_button_clicked)
        self._column.addWidget(self._older_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._column.addStretch(1)
        self._scroll.setWidget(self._content)
        self._scroll.viewport().installEventFilter(self)
        self._content_min_width = 0  # see minimumSizeHint
        self._content.installEventFilter(self)
        bar = self._scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        bar.actionTriggered.connect(self._on_scrollbar_action_triggered)
        self._pin_timer = QTimer(self)
        self._pin_timer.setSingleShot(True)
        self._pin_timer.setInterval(_PIN_SETTLE_MS)
        self._pin_timer.timeout.connect(self._on_pin_timer_timeout)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        self.setAccessibleName(self.tr("Conversation"))
        self._scroll.setAccessibleName(self.tr("Messages"))
        self._update_column_margins()

    # -------------------------------------------------------------------------------- public

    def set_worker_threads(self, threads: WorkerThreads | None) -> None:
        """Where images are loaded (attachments' thumbnails, pictures in answers): off the GUI
        thread. Shared by every view; ``None`` loads them at once (widget tests)."""
        images().set_threads(threads)

    def set_assistant_name(self, name: str) -> None:
        """The name shown above answers (the bot's name)."""
        self._assistant_name = name or self.tr("Assistant")
        for widget in self._order:
            widget.set_assistant_name(self._assistant_name)

    def show_messages(self, messages: list[Message], *, has_older: bool = False) -> None:
        """Show a conversation's messages (oldest first), scrolled to the newest."""
        self.clear()
        self._has_older = has_older
        self._older_button.setVisible(has_older)
        self._content.setUpdatesEnabled(False)
        try:
            for message in messages:
                self._insert(message, len(self._order))
        finally:
            self._content.setUpdatesEnabled(True)
        self._update_latest()
        self._stick_to_bottom = True
        self._scroll_to_bottom()

    def prepend_messages(self, messages: list[Message], *, has_older: bool | None = None) -> None:
        """Insert an older page (oldest first) above the shown messages, keeping the view still.

        ``has_older`` says whether still older messages exist; by default, as long as pages
        come back non-empty.
        """
        self._older_pending = False
        self._has_older = bool(messages) if has_older is None else has_older
        self._older_button.setVisible(self._has_older)
        anchor = self._order[0] if self._order else None
        offset = anchor.y() - self._scroll.verticalScrollBar().value() if anchor is not None else 0
        fresh = [m for m in messages if m.id is None or m.id not in self._widgets]
        for index, message in enumerate(fresh):
            self._insert(message, index)
        self._update_latest()
        if anchor is not None:
            self._stick_to_bottom = False
            self._pin_widget(anchor, offset)

    def add_message(self, message: Message) -> None:
        """Append a new message (a question just sent, or a whole answer) and scroll to it."""
        existing = self._widgets.get(message.id) if message.id is not None else None
        if existing is not None:
            existing.finish(message)
            return
        self._insert(message, len(self._order))
        if self._prologue is not None:
            self._prologue.hide_suggestions()
        self._update_latest()
        self._stick_to_bottom = True
        self._scroll_to_bottom()

    def begin_reply(self, message_id: int) -> None:
        """Start an empty answer that :meth:`append_reply` will fill."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.set_streaming()
            return
        placeholder = Message(
            id=message_id,
            conversation_id=None,
            role=Role.ASSISTANT,
            state=MessageState.STREAMING,
            created_at=time.time(),
        )
        self.add_message(placeholder)

    def append_reply(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Add streamed pieces of an answer (new text and/or new reasoning, not the whole).

        Pieces are shown on the next pass of the event loop, together: when the GUI thread falls
        behind, the signals queued meanwhile cost one insert, not one each (bench/ui_stream.py).
        """
        if message_id not in self._widgets or not (text or reasoning):
            return
        pending = self._pending.get(message_id)
        if pending is None:
            self._flush_timer.start()
            pending = self._pending[message_id] = ([], [])
        pending[0].append(text)
        pending[1].append(reasoning)

    def _flush_pending(self, budget: int | None = STREAM_CHARS_PER_PASS) -> None:
        """Show pending pieces: up to ``budget`` characters now (``None``: all), the rest next pass."""
        for message_id in list(self._pending):
            texts, reasonings = self._pending.pop(message_id)
            widget = self._widgets.get(message_id)
            if widget is None:
                continue
            text = "".join(texts)
            now = text if budget is None else text[: max(budget, 0)]
            reasoning = "".join(reasonings)
            if now or reasoning:
                widget.append(now, reasoning)
            if len(now) < len(text):
                self._pending[message_id] = ([text[len(now) :]], [])
            if budget is not None:
                budget -= len(now)
        if self._pending and budget is not None:
            self._flush_timer.start()

    def set_reply_sources(self, message_id: int, sources: list[Source]) -> None:
        """The sources of an answer being written: its citations link to them."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.set_sources(sources)

    def set_reply_steps(self, message_id: int, steps: list[ToolStep]) -> None:
        """The steps of an answer being written (every one so far)."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.set_steps(steps)

    def steps_panel(self, message_id: int) -> _StepsPanel | None:
        """The collapsed steps above a shown answer, if it has any."""
        widget = self._widgets.get(message_id)
        return widget.steps_panel() if widget is not None else None

    def tool_call_card(self, message_id: int) -> _ToolCallCard | None:
        """The card of a shown answer that waits for tool outputs, if it waits."""
        widget = self._widgets.get(message_id)
        return widget.tool_call_card() if widget is not None else None

    def show_tool_call_error(self, message_id: int, text: str) -> None:
        """Say on a waiting answer's card why its results were not sent."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.show_tool_call_error(text)

    def finish_reply(self, message: Message) -> None:
        """Show the final state of an answer: Markdown, reasoning, follow-ups, errors."""
        widget = self._widgets.get(message.id) if message.id is not None else None
        if widget is None:
            return
        self._pending.pop(widget.key, None)  # the final message holds the whole text
        widget.finish(message)
        self._update_latest()

    def remove_message(self, message_id: int) -> None:
        """Take a message off the view (after the caller deleted it)."""
        widget = self._widgets.pop(message_id, None)
        if widget is None:
            return
        self._order.remove(widget)
        if widget is self._selected:
            self._selected = None
        discard(widget, self._column)
        self._update_latest()

    def message(self, message_id: int) -> Message | None:
        """The message as shown (with the text streamed so far), or ``None`` if not shown."""
        self._flush_pending(None)
        widget = self._widgets.get(message_id)
        return widget.message if widget is not None else None

    def rendered_documents(self, message_id: int) -> list[QTextDocument] | None:
        """The documents showing a message's text as rendered, top to bottom (a long answer is
        shown in segments), or ``None`` if it is not shown."""
        self._flush_pending(None)
        widget = self._widgets.get(message_id)
        return widget.body_documents() if widget is not None else None

    def rendered_text(self, message_id: int) -> str | None:
        """The text of :meth:`rendered_documents`, one paragraph between segments."""
        documents = self.rendered_documents(message_id)
        return None if documents is None else "\n".join(document.toPlainText() for document in documents)

    def answer_images(self, message_id: int) -> list[tuple[str, str]]:
        """The images in a shown message's rendered text: (URL, ``loading``/``loaded``/``failed``)."""
        return [
            (image_format.name(), image_state(image_format))
            for document in self.rendered_documents(message_id) or []
            for _position, image_format in image_fragments(document)
        ]

    def attachment_strip(self, message_id: int) -> _AttachmentStrip | None:
        """The thumbnails and chips of a shown message's attachments, if it has any."""
        widget = self._widgets.get(message_id)
        return widget.attachment_strip() if widget is not None else None

    def message_ids(self) -> list[int]:
        """Ids of the shown messages, top to bottom."""
        return [widget.key for widget in self._order if widget.key >= 0]

    def show_prologue(self, bot: Bot) -> None:
        """Start an empty conversation with ``bot``: its welcome and suggested questions."""
        self.clear()
        self.set_assistant_name(bot.name)
        card = _PrologueCard(bot, self._content)
        card.follow_up_clicked.connect(self.follow_up_clicked)
        self._column.insertWidget(1, card)
        self._prologue = card

    def scroll_to_message(self, message_id: int, *, flash: bool = True) -> bool:
        """Bring a shown message into view and (with ``flash``) make it glow; False if it is not shown."""
        widget = self._widgets.get(message_id)
        if widget is None:
            return False
        self._stick_to_bottom = False
        self._pin_widget(widget, max(0, self._scroll.viewport().height() // 4))
        if flash:
            widget.flash()
        return True

    def version_text(self, message_id: int) -> str | None:
        """What a shown message's version switcher says ("2/3"); ``None`` without one or if not shown."""
        widget = self._widgets.get(message_id)
        return widget.version_text() if widget is not None else None

    def action_button(self, message_id: int, action: str) -> QToolButton | None:
        """A shown message's button for ``action`` (copy, edit, regenerate, delete), made visible
        as when the pointer is over the message; ``None`` if there is no such button."""
        widget = self._widgets.get(message_id)
        return widget.action_button(action) if widget is not None else None

    def find_in_message(self, message_id: int, kind: type[_W], name: str) -> _W | None:
        """The child ``kind`` named ``name`` of a shown message (e.g. ``version_next``), or ``None``."""
        widget = self._widgets.get(message_id)
        return widget.findChild(kind, name) if widget is not None else None

    def is_editing(self, message_id: int) -> bool:
        """Whether a shown question is open for editing."""
        widget = self._widgets.get(message_id)
        return widget is not None and widget.is_editing

    def edit_message(self, message_id: int) -> QuestionEditor | None:
        """Open a shown question for editing (as its Edit button does); returns the editor."""
        widget = self._widgets.get(message_id)
        if widget is None:
            return None
        editor = widget.start_editing()
        if editor is not None:
            self._stick_to_bottom = False
            self._pin_widget(widget, 16)  # the whole editor in view, below the top edge
        return editor

    def select_message(self, message_id: int | None) -> None:
        """Mark an answer as the one whose sources are shown (no signal)."""
        widget = self._widgets.get(message_id) if message_id is not None else None
        if self._selected is not None:
            self._selected.set_selected(False)
        self._selected = widget
        if widget is not None:
            widget.set_selected(True)

    def clear(self) -> None:
        """Show nothing."""
        self._pending.clear()
        for widget in self._order:
            discard(widget, self._column)
        self._order.clear()
        self._widgets.clear()
        self._selected = None
        if self._prologue is not None:
            discard(self._prologue, self._column)
            self._prologue = None
        self._has_older = False
        self._older_pending = False
        self._older_button.setVisible(False)
        self._pin = None
        self._stick_to_bottom = True

    # ------------------------------------------------------------------------------ internals

    def _insert(self, message: Message, position: int) -> _MessageWidget:
        key = message.id if message.id is not None else next(self._synthetic_keys)
        widget = _MessageWidget(key, message, self._assistant_name, self._content)
        widget.triggered.connect(self._on_message_triggered)
        widget.follow_up_clicked.connect(self.follow_up_clicked)
        widget.citation_clicked.connect(self._on_message_citation_clicked)
        widget.edited.connect(self.edit_requested)
        widget.tool_outputs_submitted.connect(self.tool_outputs_submitted)
        first = 1 + (1 if self._prologue is not None else 0)
        self._column.insertWidget(first + position, widget)
        self._order.insert(position, widget)
        self._widgets[key] = widget
        return widget

    def _update_latest(self) -> None:
        for widget in self._order[:-1]:
            widget.set_latest(False)
        if self._order:
            self._order[-1].set_latest(True)

    def _update_column_margins(self) -> None:
        side = max(16, (self._scroll.viewport().width() - theme.CONTENT_MAX_WIDTH) // 2)
        self._column.setContentsMargins(side, 16, side, 16)

    def _scroll_to_bottom(self) -> None:
        bar = self._scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _pin_widget(self, widget: QWidget, offset: int) -> None:
        """Keep ``widget`` ``offset`` px below the top of the viewport while the layout settles."""
        self._pin = (widget, offset)
        self._column.activate()  # the content's layout
        self._apply_pin()
        self._pin_timer.start()

    def _apply_pin(self) -> None:
        if self._pin is None:
            return
        widget, offset = self._pin
        self._scroll.verticalScrollBar().setValue(widget.y() - offset)

    def _on_pin_timer_timeout(self) -> None:
        self._pin = None

    def _on_scrollbar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._pin is not None:
            self._apply_pin()
        elif self._stick_to_bottom:
            self._scroll.verticalScrollBar().setValue(maximum)

    def _on_scrollbar_value_changed(self, value: int) -> None:
        bar = self._scroll.verticalScrollBar()
        if self._pin is None:
            self._stick_to_bottom = value >= bar.maximum() - _BOTTOM_SLACK_PX
        if (
            self._has_older
            and not self._older_pending
            and bar.maximum() > 0
            and value <= OLDER_THRESHOLD_PX
            and not self._stick_to_bottom
        ):
            self._request_older()

    def _on_scrollbar_action_triggered(self, _action: int) -> None:
        self._pin = None  # the user scrolls: stop holding a widget in place
        self._pin_timer.stop()

    def _on_older_button_clicked(self) -> None:
        if self._has_older and not self._older_pending:
            self._request_older()

    def _request_older(self) -> None:
        self._older_pending = True
        self.older_requested.emit()

    def _on_message_triggered(self, key: int, action: str) -> None:
        widget = self._widgets.get(key)
        if widget is None:
            return
        if action == "copy":
            QGuiApplication.clipboard().setText(widget.message.text)
            self.copy_requested.emit(key)
        elif action == "select":
            self.select_message(key)
            self.message_selected.emit(key)
        elif action == "sources":
            self.select_message(key)
            self.message_selected.emit(key)
            self.sources_requested.emit(key)
        elif action == "retry":
            self.retry_requested.emit(key)
        elif action == "regenerate":
            self.regenerate_requested.emit(key)
        elif action == "delete":
            self.delete_requested.emit(key)
        elif action == "edit":
            self.edit_message(key)
        elif action == "cancel_tool_calls":
            self.tool_calls_cancel_requested.emit(key)
        elif action in ("version_previous", "version_next"):
            self.version_requested.emit(key, 1 if action == "version_next" else -1)
        else:
            self.action_requested.emit(key, action)

    def _on_message_citation_clicked(self, key: int, number: int) -> None:
        if key in self._widgets:
            self.select_message(key)
            self.message_selected.emit(key)
            self.citation_clicked.emit(key, number)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._update_column_margins()
        elif watched is self._content and event.type() == QEvent.Type.LayoutRequest:
            self._update_content_min_width()
        return False

    def minimumSizeHint(self) -> QSize:
        """Wide enough for the messages' widest unbreakable part (a footer, a bot's name), so the
        window's layout never makes the view narrower than what it shows."""
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._content_min_width), hint.height())

    def _update_content_min_width(self) -> None:
        margins = self._column.contentsMargins()
        widest = self._content.minimumSizeHint().width() - margins.left() - margins.right()
        width = (
            widest
            + 2 * 16  # the column's side margins when the view is narrow (_update_column_margins)
            + self._scroll.verticalScrollBar().sizeHint().width()
            + 2 * self._scroll.frameWidth()
        )
        if width != self._content_min_width:
            self._content_min_width = width
            self.updateGeometry()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._warm_up is None:
            self._warm_up = warm_up_steps(self.palette())
            QTimer.singleShot(WARM_UP_DELAY_MS, self, self._run_warm_up_step)

    def _run_warm_up_step(self) -> None:
        """One step of the warm-up per pass of the event loop (see markdown.warm_up_steps)."""
        if self._warm_up:
            self._warm_up.pop(0)()
            QTimer.singleShot(0, self, self._run_warm_up_step)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # Children get the new palette after this view does: restyle them afterwards.
            QTimer.singleShot(0, self._restyle_messages)
        elif event.type() == QEvent.Type.LanguageChange:
            # The window shows the messages again for their own texts (MainWindow.retranslate).
            self._older_button.setText(self.tr("Show earlier messages"))
            self.setAccessibleName(self.tr("Conversation"))
            self._scroll.setAccessibleName(self.tr("Messages"))

    def _restyle_messages(self) -> None:
        for widget in self._order:
            widget.restyle()
