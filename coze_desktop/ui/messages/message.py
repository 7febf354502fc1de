"""One question or answer of the conversation (:class:`_MessageWidget`).

* a question is a tinted bubble on the right with the user's text, shown as typed;
* an answer sits on the left under the bot's name, rendered as Markdown (tables, links,
  highlighted code; see :mod:`coze_desktop.ui.markdown` and :mod:`.answer_body`), with its
  reasoning collapsed above it (while the bot thinks, "Thinking…" with the reasoning streaming
  live, collapsed once the answer starts), follow-up suggestions below, a banner saying why a
  reply failed or stopped (:mod:`.cards`), and a footer with its sources, duration, tokens and
  versions (:mod:`.versions`). Citations (``[1]``) link to its sources. The plugins and functions
  the bot called are collapsed steps above the answer, and an answer waiting for tool outputs
  shows its calls with boxes for the results (:mod:`.steps`).

Only what a message needs is built (no reasoning view without reasoning, no banner without a
problem, the action buttons when the pointer or the focus first reaches the message).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math

from PySide6.QtCore import QCoreApplication, QEasingCurve, QEvent, QObject, Qt, QVariantAnimation, Signal
from PySide6.QtGui import (
    QColor,
    QEnterEvent,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpacerItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import Message, MessageState, Role, Source, ToolStep
from coze_desktop.ui import theme
from coze_desktop.ui.elided import ElidedButton
from coze_desktop.ui.formatting import answer_stats, message_time
from coze_desktop.ui.layouts import discard
from coze_desktop.ui.messages.answer_body import _AnswerBody
from coze_desktop.ui.messages.attachments import _AttachmentStrip
from coze_desktop.ui.messages.cards import _Banner
from coze_desktop.ui.messages.reply_images import display_markdown
from coze_desktop.ui.messages.steps import _StepsPanel, _ToolCallCard
from coze_desktop.ui.messages.text_view import _insert_streamed, _TextView
from coze_desktop.ui.messages.versions import QuestionEditor, VersionSwitcher
from coze_desktop.workers.chat import waiting_tool_calls

_NATURAL_WIDTH_CHARS = 400  # a question line longer than this is wider than any bubble
_QUESTION_MAX_RATIO = 0.8  # a question bubble takes at most this share of the column
_FLASH_MS = 2600  # a message a search jumped to glows this long


def _set_button_text_color(widget: QWidget, color: QColor) -> None:
    """Draw the text of ``widget``'s buttons (itself, or the buttons in it) in ``color``, focused or not."""
    palette = widget.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.ButtonText, color)
    widget.setPalette(palette)


@functools.cache
def _action_button_height() -> int:
    probe = QToolButton()
    probe.setText(QCoreApplication.translate("_MessageWidget", "Copy"))  # the real label: CJK runs taller
    probe.setAutoRaise(True)
    return probe.sizeHint().height()


class _Bubble(QFrame):
    """The rounded, tinted background of a question."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.question_background(self.palette()))
        painter.drawRoundedRect(self.rect(), 14, 14)


class _MessageWidget(QFrame):
    """One question or answer. Emits ``triggered(message_key, action)`` for its buttons.

    The copy/regenerate/delete buttons are built the first time the pointer or the keyboard
    focus reaches the message (the latest message has them from the start), and shown while
    it is hovered or focused; the footer keeps their height reserved so nothing jumps.
    """

    triggered = Signal(int, str)  # message key, action: copy/regenerate/delete/retry/select/sources/edit/...
    follow_up_clicked = Signal(str)
    citation_clicked = Signal(int, int)  # message key, source number (1-based) a citation points at
    edited = Signal(int, str)  # message key, the edited question's text to send
    tool_outputs_submitted = Signal(int, dict)  # message key, call id -> result, for a waiting answer

    def __init__(self, key: int, message: Message, assistant_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.key = key
        self._message = message
        self._assistant_name = assistant_name
        self._latest = False
        self._selected = False
        self._flash = 0.0
        self._flash_animation: QVariantAnimation | None = None
        # Streaming state: the raw text as it came.
        self._chunks: list[str] = []
        self._reasoning_chunks: list[str] = []
        # Parts built only when needed.
        self._reasoning_toggle: QToolButton | None = None
        self._reasoning_view: _TextView | None = None
        self._reasoning_expanded = False
        # The user opened or closed the reasoning of the reply being written: it is not expanded
        # or collapsed for them any more.
        self._reasoning_chosen = False
        self._follow_ups: QWidget | None = None
        self._banner: _Banner | None = None
        self._footer_info: QWidget | None = None
        self._actions: QWidget | None = None
        self._action_buttons: dict[str, QToolButton] = {}
        self._versions: VersionSwitcher | None = None
        self._editor: QuestionEditor | None = None
        self._attachments: _AttachmentStrip | None = None
        self._steps: _StepsPanel | None = None
        self._tool_calls: _ToolCallCard | None = None

        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 2)
        self._layout.setSpacing(4)
        self._layout.addLayout(self._build_header())
        # A question is one plain-text view in a bubble; an answer, a column of rendered segments.
        self._question: _TextView | None = None
        self._answer: _AnswerBody | None = None
        self._body: QWidget
        if self.is_question:
            self._question = self._body = _TextView(self)
            self._question.viewport().installEventFilter(self)
            self._question.installEventFilter(self)
            self._bubble = _Bubble(self)
            bubble_layout = QVBoxLayout(self._bubble)
            bubble_layout.setContentsMargins(14, 9, 14, 9)
            bubble_layout.addWidget(self._question)
            self._question.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addStretch(1)
            row.addWidget(self._bubble)
            self._layout.addLayout(row)
            self._question.setAccessibleName(self.tr("Question"))
        else:
            self._answer = self._body = _AnswerBody(self, self.tr("Answer"), self)
            self._answer.citation_clicked.connect(self._on_answer_citation_clicked)
            self._layout.addWidget(self._answer)
        self._footer = QHBoxLayout()
        self._footer.setContentsMargins(0, 0, 0, 0)
        self._footer.setSpacing(8)
        self._footer.addStretch(1)
        # Keep the footer as tall as the action buttons, so showing them moves nothing.
        self._footer.addSpacerItem(
            QSpacerItem(0, _action_button_height(), QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        )
        self._layout.addLayout(self._footer)
        self._apply_message(message)

    # ------------------------------------------------------------------------------ building

    @property
    def is_question(self) -> bool:
        return self._message.role is Role.USER

    @property
    def message(self) -> Message:
        """The message as shown, with the text streamed so far."""
        if self._chunks or self._reasoning_chunks:
            return dataclasses.replace(
                self._message, text="".join(self._chunks), reasoning="".join(self._reasoning_chunks)
            )
        return self._message

    @property
    def is_streaming(self) -> bool:
        return self._message.state is MessageState.STREAMING

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(8)
        self._name_label = QLabel(self)
        self._time_label = QLabel(self)
        self._time_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if self.is_question:
            self._name_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            header.addStretch(1)
            header.addWidget(self._name_label)
            header.addWidget(self._time_label)
        else:
            font = self._name_label.font()
            font.setBold(True)
            self._name_label.setFont(font)
            header.addWidget(self._name_label)
            header.addWidget(self._time_label)
            header.addStretch(1)
        return header

    def _apply_message(self, message: Message) -> None:
        """Show ``message`` in full (final state): text, reasoning, follow-ups, banner, footer."""
        self._message = message
        self._chunks = []
        self._reasoning_chunks = []
        self._name_label.setText(self.tr("You") if self.is_question else self._assistant_name)
        self._update_time_label()
        if self._question is not None:
            self._question.setPlainText(message.text)
            self._question.set_natural_width(self._natural_text_width(message.text))
        else:
            assert self._answer is not None
            self._answer.set_sources(message.sources)
            self._answer.show_text(display_markdown(message.text, message.content_type))
            self._set_reasoning(message.reasoning)
            if not self.is_streaming and self._reasoning_expanded and not self._reasoning_chosen:
                self.set_reasoning_expanded(False)  # opened for the thinking, not by the user
            self._clear_follow_ups()
            if self._latest:
                self._build_follow_ups()
            self.set_steps(message.steps)
            self._set_tool_calls()
            self._set_banner()
            self._set_footer_info()
        self._set_attachments()
        self._set_versions()
        self._update_actions()
        if self.is_streaming:
            self._start_streaming()

    def _set_attachments(self) -> None:
        """The message's files under its text: thumbnails and chips (:mod:`.attachments`)."""
        files = self._message.attachments
        if self._attachments is not None:
            if self._attachments.files == files:
                return
            discard(self._attachments, self._layout)
            self._attachments = None
        if not files:
            return
        self._attachments = _AttachmentStrip(files, self, align_right=self.is_question)
        self._layout.insertWidget(self._layout.indexOf(self._footer), self._attachments)  # above the footer

    def attachment_strip(self) -> _AttachmentStrip | None:
        """The thumbnails and chips of the message's attachments, if it has any."""
        return self._attachments

    def set_assistant_name(self, name: str) -> None:
        self._assistant_name = name
        if not self.is_question:
            self._name_label.setText(name)

    def _update_time_label(self) -> None:
        if self.is_streaming:
            self._time_label.setText(self.tr("Writing…"))
        else:
            self._time_label.setText(message_time(self._message.created_at))

    def _natural_text_width(self, text: str) -> int:
        assert self._question is not None
        metrics = QFontMetrics(self._question.font())
        widest = 0
        for line in itertools.islice(text.splitlines() or [""], 200):
            if len(line) > _NATURAL_WIDTH_CHARS:
                return 10_000
            widest = max(widest, metrics.horizontalAdvance(line))
        return widest + 2 * math.ceil(self._question.document().documentMargin()) + 4

    # ---------------------------------------------------------------------------- reasoning

    def _set_reasoning(self, reasoning: str) -> None:
        if not reasoning and self._reasoning_toggle is None:
            return
        self._ensure_reasoning()
        assert self._reasoning_toggle is not None and self._reasoning_view is not None
        self._reasoning_toggle.setVisible(bool(reasoning) or self.is_streaming)
        if self.is_reasoning_expanded():
            self._reasoning_view.setPlainText(reasoning)
        self._update_reasoning_toggle()

    def _ensure_reasoning(self) -> None:
        if self._reasoning_toggle is not None:
            return
        toggle = QToolButton(self)
        toggle.setAutoRaise(True)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.clicked.connect(self._on_reasoning_toggle_clicked)
        view = _TextView(self)
        view.setAccessibleName(self.tr("Reasoning"))
        view.setVisible(False)
        view.setViewportMargins(12, 0, 0, 0)
        self._reasoning_toggle = toggle
        self._reasoning_view = view
        self._style_reasoning()
        self._layout.insertWidget(1, toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.insertWidget(2, view)

    def _style_reasoning(self) -> None:
        """Reasoning reads as an aside: muted text, in the palette's current colours."""
        muted = theme.muted_text(self.palette())
        if self._reasoning_view is not None:
            palette = self._reasoning_view.palette()
            palette.setColor(QPalette.ColorRole.Text, muted)
            self._reasoning_view.setPalette(palette)
        if self._reasoning_toggle is not None:
            _set_button_text_color(self._reasoning_toggle, muted)

    def _update_reasoning_toggle(self) -> None:
        if self._reasoning_toggle is None:
            return
        expanded = self.is_reasoning_expanded()
        if self.is_streaming and not self._chunks:
            text = self.tr("Thinking…")
        else:
            text = self.tr("Hide reasoning") if expanded else self.tr("Show reasoning")
        self._reasoning_toggle.setText(text)
        self._reasoning_toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._reasoning_toggle.setAccessibleName(text)
        self._reasoning_toggle.setAccessibleDescription(
            self.tr("Expanded") if expanded else self.tr("Collapsed")
        )

    def _on_reasoning_toggle_clicked(self) -> None:
        self._reasoning_chosen = True
        self.set_reasoning_expanded(not self.is_reasoning_expanded())

    def is_thinking(self) -> bool:
        """Is the bot thinking aloud: reasoning streaming in, no answer text yet?"""
        return self.is_streaming and not self._chunks and bool(self._reasoning_chunks)

    def set_reasoning_expanded(self, expanded: bool) -> None:
        """Show or hide the reasoning (filled in only when shown)."""
        if self._reasoning_view is None:
            return
        self._reasoning_expanded = expanded
        if expanded:
            self._reasoning_view.setPlainText(self.message.reasoning)
        self._reasoning_view.setVisible(expanded)
        self._update_reasoning_toggle()

    def is_reasoning_expanded(self) -> bool:
        return self._reasoning_expanded

    # ------------------------------------------------------------------- follow-ups, banner, footer

    def set_latest(self, latest: bool) -> None:
        """The latest message offers its follow-up questions and always shows its buttons."""
        if latest == self._latest:
            return
        self._latest = latest
        if latest:
            self._build_follow_ups()
            self._ensure_actions()
        else:
            self._clear_follow_ups()
        self._update_actions_visibility()

    def _clear_follow_ups(self) -> None:
        if self._follow_ups is not None:
            discard(self._follow_ups, self._layout)
            self._follow_ups = None

    def _build_follow_ups(self) -> None:
        follow_ups = self._message.follow_ups
        if self._follow_ups is not None or not follow_ups or self.is_question:
            return
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 4, 0, 0)
        box_layout.setSpacing(6)
        for text in follow_ups:
            button = ElidedButton(text, box)  # cut with "…" in a narrow chat, whole in its tooltip
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, t=text: self.follow_up_clicked.emit(t))
            box_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        box.setAccessibleName(self.tr("Suggested follow-up questions"))
        self._layout.insertWidget(self._layout.indexOf(self._body) + 1, box)
        self._follow_ups = box

    # -------------------------------------------------------------------- steps, tool calls

    def set_steps(self, steps: list[ToolStep]) -> None:
        """The plugins and functions the bot called, collapsed above the answer (the calls it
        waits for are in the card below instead)."""
        if self._answer is None:
            return
        waiting = {id(s) for s in waiting_tool_calls(self._message)} if not self.is_streaming else set()
        shown = [s for s in steps if id(s) not in waiting]
        if not shown:
            if self._steps is not None:
                discard(self._steps, self._layout)
                self._steps = None
            return
        if self._steps is None:
            self._steps = _StepsPanel(self)
            self._layout.insertWidget(self._layout.indexOf(self._body), self._steps)
        self._steps.set_steps(shown)

    def steps_panel(self) -> _StepsPanel | None:
        """The collapsed steps above an answer, if it has any."""
        return self._steps

    def tool_call_card(self) -> _ToolCallCard | None:
        """The card of an answer waiting for tool outputs, if it waits."""
        return self._tool_calls

    def _set_tool_calls(self) -> None:
        calls = [] if self.is_streaming else waiting_tool_calls(self._message)
        if self._answer is not None:  # a reply that only asks has no text yet: no empty gap
            self._answer.setVisible(not calls or bool(self._message.text))
        if self._tool_calls is not None:
            if calls and self._tool_calls.calls == calls:
                return
            discard(self._tool_calls, self._layout)
            self._tool_calls = None
        if not calls:
            return
        card = _ToolCallCard(self.key, calls, self._message.error, self)
        card.submitted.connect(lambda outputs: self.tool_outputs_submitted.emit(self.key, outputs))
        card.canceled.connect(lambda: self.triggered.emit(self.key, "cancel_tool_calls"))
        self._layout.insertWidget(self._layout.indexOf(self._follow_ups or self._body) + 1, card)
        self._tool_calls = card

    def show_tool_call_error(self, text: str) -> None:
        """Say on the waiting card why its results were not sent (they stay in their boxes)."""
        if self._tool_calls is not None:
            self._tool_calls.show_error(text)

    def _set_banner(self) -> None:
        if self._banner is not None:
            discard(self._banner, self._layout)
            self._banner = None
        if self._tool_calls is not None:
            return  # a reply waiting for tool outputs: the card says what it waits for
        if self._message.state not in (MessageState.FAILED, MessageState.STOPPED, MessageState.INTERRUPTED):
            return
        self._banner = _Banner(self._message, self)
        self._banner.triggered.connect(lambda action: self.triggered.emit(self.key, action))
        self._layout.insertWidget(self._layout.indexOf(self._follow_ups or self._body) + 1, self._banner)

    def _set_footer_info(self) -> None:
        """Sources, duration and tokens of an answer, left of the buttons."""
        if self._footer_info is not None:
            discard(self._footer_info, self._footer)
            self._footer_info = None
        message = self._message
        parts = answer_stats(message)
        if not parts and not message.sources:
            return
        info = QWidget(self)
        row = QHBoxLayout(info)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        if message.sources:
            sources = QToolButton(info)
            count = len(message.sources)
            sources.setText(
                self.tr("1 source") if count == 1 else self.tr("%1 sources").replace("%1", str(count))
            )
            sources.setToolTip(self.tr("Show the knowledge-base passages this answer used"))
            sources.setAutoRaise(True)
            sources.setObjectName("sources_button")
            sources.clicked.connect(lambda: self.triggered.emit(self.key, "sources"))
            row.addWidget(sources)
        if parts:
            meta = QLabel(" · ".join(parts), info)
            meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            row.addWidget(meta)
        self._footer.insertWidget(0, info)
        self._footer_info = info

    def _set_versions(self) -> None:
        """The "‹ 2/3 ›" switcher in the footer of a message with several versions."""
        message = self._message
        if message.version_count <= 1:
            if self._versions is not None:
                discard(self._versions, self._footer)
                self._versions = None
            return
        if self._versions is None:
            self._versions = VersionSwitcher(message.version, message.version_count, self)
            self._versions.step_requested.connect(self._on_versions_step_requested)
            # A question's footer is right-aligned (after the stretch); an answer's starts at the left.
            self._footer.insertWidget(1 if self.is_question else 0, self._versions)
        else:
            self._versions.set_version(message.version, message.version_count)
        self._versions.setEnabled(not self.is_streaming)  # switching waits for the answer to end

    def _on_versions_step_requested(self, step: int) -> None:
        self.triggered.emit(self.key, "version_next" if step > 0 else "version_previous")

    def version_text(self) -> str | None:
        """What the version switcher says ("2/3"), or ``None`` when the message has one version."""
        return self._versions.text() if self._versions is not None else None

    # ------------------------------------------------------------------------------ editing

    @property
    def is_editing(self) -> bool:
        return self._editor is not None

    def start_editing(self) -> QuestionEditor | None:
        """Open the question's text for editing in place (a question only); returns the editor."""
        if not self.is_question:
            return None
        if self._editor is None:
            editor = QuestionEditor(self._message.text, self)
            editor.submitted.connect(lambda text: self.edited.emit(self.key, text))
            editor.canceled.connect(self.stop_editing)
            self._bubble.hide()
            self._layout.insertWidget(self._layout.count() - 1, editor)  # above the footer
            self._editor = editor
        self._editor.focus_text()
        return self._editor

    def stop_editing(self) -> None:
        """Close the editor and show the question as it was."""
        if self._editor is None:
            return
        editor, self._editor = self._editor, None
        discard(editor, self._layout)
        self._bubble.show()

    def editor(self) -> QuestionEditor | None:
        """The open editor of a question, if any."""
        return self._editor

    def action_button(self, action: str) -> QToolButton | None:
        """The button for ``action``, built and shown as when the pointer is over the message."""
        self._ensure_actions()
        if self._actions is not None:
            self._actions.setVisible(True)
        return self._action_buttons.get(action)

    def _ensure_actions(self) -> None:
        if self._actions is not None:
            return
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        actions = [("copy", self.tr("Copy"), self.tr("Copy the text of this message"))]
        if self.is_question:
            actions.append(("edit", self.tr("Edit"), self.tr("Edit this question and send it again")))
        else:
            actions.append(("regenerate", self.tr("Regenerate"), self.tr("Write this answer again")))
        actions.append(("delete", self.tr("Delete"), self.tr("Delete this message")))
        for action, text, tip in actions:
            button = QToolButton(box)
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _checked=False, a=action: self.triggered.emit(self.key, a))
            row.addWidget(button)
            self._action_buttons[action] = button
        self._actions = box
        self._style_actions()
        self._footer.addWidget(box)
        self._update_actions()

    def _style_actions(self) -> None:
        if self._actions is not None:
            _set_button_text_color(self._actions, theme.muted_text(self.palette()))

    def _update_actions(self) -> None:
        for action in ("regenerate", "delete"):
            if action in self._action_buttons:
                self._action_buttons[action].setEnabled(not self.is_streaming)

    def _update_actions_visibility(self, *, hovered: bool | None = None) -> None:
        if self._actions is None:
            return
        if hovered is None:
            hovered = self.underMouse()
        focus = QApplication.focusWidget()
        focused = focus is not None and self.isAncestorOf(focus)
        self._actions.setVisible(self._latest or hovered or focused)

    # ----------------------------------------------------------------------------- streaming

    def _start_streaming(self) -> None:
        """Keep the text rendered so far and continue it with the pieces to come."""
        self._chunks = [self._message.text] if self._message.text else []
        self._reasoning_chunks = [self._message.reasoning] if self._message.reasoning else []
        self._reasoning_chosen = False
        if self._answer is not None:
            self._answer.start_stream(self._message.text)
        if self.is_thinking() and not self._reasoning_expanded:
            self.set_reasoning_expanded(True)  # the reasoning streams live while the bot thinks
        self._update_reasoning_toggle()

    def set_streaming(self) -> None:
        """Turn a shown answer back into a streaming one (a reply continued in it)."""
        if not self.is_streaming:
            self._message = dataclasses.replace(self._message, state=MessageState.STREAMING, error=None)
            self._set_tool_calls()
            self._set_banner()
            self._update_time_label()
            self._update_actions()
            self._start_streaming()

    def append(self, text: str, reasoning: str) -> None:
        """Add streamed pieces: plain text at the end now, Markdown later on the throttle."""
        if not self.is_streaming:
            self.set_streaming()
        if reasoning:
            self._reasoning_chunks.append(reasoning)
            self._ensure_reasoning()
            assert self._reasoning_toggle is not None and self._reasoning_view is not None
            if self._reasoning_toggle.isHidden():
                self._reasoning_toggle.setVisible(True)
            if self._reasoning_expanded:
                cursor = QTextCursor(self._reasoning_view.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                _insert_streamed(cursor, reasoning)
            elif self.is_thinking() and not self._reasoning_chosen:
                self.set_reasoning_expanded(True)  # "Thinking…" with the reasoning streaming live
        if text and self._answer is not None:
            first_text = not self._chunks
            self._chunks.append(text)
            self._answer.append(text)
            if first_text:
                if self._reasoning_expanded and not self._reasoning_chosen:
                    self.set_reasoning_expanded(False)  # the answer starts: thinking folds away
                self._update_reasoning_toggle()

    def finish(self, message: Message) -> None:
        """Show the final state of a reply (Markdown, reasoning, follow-ups, banner)."""
        self._apply_message(message)

    def set_sources(self, sources: list[Source]) -> None:
        """The sources of an answer being written arrived: its citations become links."""
        if self._answer is not None:
            self._message = dataclasses.replace(self._message, sources=list(sources))
            self._answer.set_sources(self._message.sources)

    def _on_answer_citation_clicked(self, number: int) -> None:
        self.citation_clicked.emit(self.key, number)

    # ------------------------------------------------------------------------------ painting

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    def flash(self) -> None:
        """Glow for a moment: the message a search hit jumped to."""
        if self._flash_animation is None:
            animation = QVariantAnimation(self)
            animation.setStartValue(1.0)
            animation.setEndValue(0.0)
            animation.setDuration(_FLASH_MS)
            animation.setEasingCurve(QEasingCurve.Type.InQuad)
            animation.valueChanged.connect(self._on_flash_animation_value_changed)
            self._flash_animation = animation
        self._flash_animation.stop()
        self._flash_animation.start()

    def _on_flash_animation_value_changed(self, value: float) -> None:
        self._flash = float(value)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._selected and self._flash <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if self._flash > 0:
            glow = QColor(theme.search_highlight(self.palette()))
            glow.setAlphaF(min(1.0, self._flash))
            painter.setBrush(glow)
            painter.drawRoundedRect(self.rect(), 10, 10)
        if self._selected and not self.is_question:
            painter.setBrush(theme.accent(self.palette()))
            painter.drawRoundedRect(0, 8, 3, self.height() - 16, 1.5, 1.5)

    def restyle(self) -> None:
        """Re-render for a new palette (dark/light switch)."""
        self._style_reasoning()
        self._style_actions()
        if self._answer is not None:
            self._answer.restyle()

    # --------------------------------------------------------------------------------- input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        # Events of the body's views (a question's one, an answer's segments) and their viewports.
        if kind == QEvent.Type.FocusIn and isinstance(watched, _TextView):
            self._ensure_actions()  # keyboard users reach the buttons by tabbing through the text
            self._update_actions_visibility()
        elif kind == QEvent.Type.FocusOut and isinstance(watched, _TextView):
            self._update_actions_visibility()
        elif (
            kind == QEvent.Type.MouseButtonPress
            and isinstance(watched.parent(), _TextView)
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not self.is_question
        ):
            self.triggered.emit(self.key, "select")
        return False

    def enterEvent(self, event: QEnterEvent) -> None:
        super().enterEvent(event)
        self._ensure_actions()
        self._update_actions_visibility(hovered=True)

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self._update_actions_visibility(hovered=False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.is_question:
            self.triggered.emit(self.key, "select")
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.is_question:
            self._bubble.setMaximumWidth(int(self.width() * _QUESTION_MAX_RATIO))

    def body_documents(self) -> list[QTextDocument]:
        """The documents showing the text: a question's plain text, an answer's rendered segments."""
        if self._question is not None:
            return [self._question.document()]
        assert self._answer is not None
        return self._answer.documents()
