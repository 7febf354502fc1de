"""What a bot did on the way to its answer, and what it waits for.

* :class:`_StepsPanel` — the function calls, tool responses and tool outputs of an answer
  (``Message.steps``), collapsed above the answer as "2 steps"; opened, one line each ("called
  查询天气 (城市=南京) → 12 ms") with the result under it. Live while the answer streams
  (:meth:`ChatController.live` holds the steps; the view is told through ``steps_received``).
* :class:`_ToolCallCard` — an answer waiting in ``requires_action``: one box per pending call (the
  plugin or function name and its arguments pretty-printed, a box for the result; a
  ``reply_message`` call is the bot's question with a box for the answer), Submit and Cancel.
  Shown from the saved answer (``interrupted`` with unanswered calls, see
  :func:`~coze_desktop.workers.chat.waiting_tool_calls`), so it is there again after a switch or
  a restart.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
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

from coze_desktop.domain import ErrorInfo, ToolStep
from coze_desktop.ui import theme
from coze_desktop.workers.chat import CALL_KINDS, REPLY_MESSAGE

SUMMARY_CHARS = 60  # arguments and results are cut to this on a step's one-line summary
RESULT_CHARS = 4_000  # an opened step shows at most this much of its result


def _parsed(arguments: str) -> Any:
    try:
        return json.loads(arguments) if arguments.strip() else None
    except ValueError:
        return None


def _cut(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def arguments_summary(arguments: str) -> str:
    """``城市=南京, type=0`` for a JSON object; the text itself, cut, otherwise."""
    value = _parsed(arguments)
    if isinstance(value, dict):
        parts = [f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
        return _cut(", ".join(parts), SUMMARY_CHARS)
    return _cut(arguments, SUMMARY_CHARS)


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON when they are JSON, else as they came."""
    value = _parsed(arguments)
    if value is None:
        return arguments
    return json.dumps(value, ensure_ascii=False, indent=2)


def question_of(step: ToolStep) -> str:
    """What a ``reply_message`` call asks: its ``question`` argument, else its arguments."""
    value = _parsed(step.arguments)
    if isinstance(value, dict):
        for key in ("question", "content", "text"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key])
    return step.arguments


def step_summary(step: ToolStep) -> str:
    """One line for a step: "called 查询天气 (城市=南京) → 12 ms, result…"."""
    name = step.name or QCoreApplication.translate("Steps", "a tool")
    args = arguments_summary(step.arguments)
    if step.kind == REPLY_MESSAGE:
        asked = _cut(question_of(step), SUMMARY_CHARS)
        line = QCoreApplication.translate("Steps", "asked “%1”").replace("%1", asked)
    elif step.kind in ("tool_response", "tool_output") and not step.arguments:
        if step.kind == "tool_response":
            line = QCoreApplication.translate("Steps", "tool response")
        else:
            line = QCoreApplication.translate("Steps", "tool output")
    elif args:
        line = QCoreApplication.translate("Steps", "called %1 (%2)").replace("%1", name).replace("%2", args)
    else:
        line = QCoreApplication.translate("Steps", "called %1").replace("%1", name)
    tail: list[str] = []
    if step.duration_ms is not None:
        tail.append(QCoreApplication.translate("Steps", "%1 ms").replace("%1", str(step.duration_ms)))
    if step.result:
        tail.append(_cut(step.result, SUMMARY_CHARS))
    elif step.kind in CALL_KINDS:
        tail.append(QCoreApplication.translate("Steps", "not answered"))
    return f"{line} → {', '.join(tail)}" if tail else line


def _mono_font() -> Any:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class _StepsPanel(QWidget):
    """An answer's steps, collapsed to one toggle; opened, a line and the result of each."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._steps: list[ToolStep] = []
        self._expanded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._toggle = QToolButton(self)
        self._toggle.setObjectName("steps_toggle")
        self._toggle.setAutoRaise(True)
        self._toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._toggle.clicked.connect(self._on_toggle_clicked)
        layout.addWidget(self._toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._list = QWidget(self)
        self._list.setObjectName("steps_list")
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(22, 0, 0, 4)
        self._list_layout.setSpacing(4)
        self._list.setVisible(False)
        layout.addWidget(self._list)
        self._style()

    @property
    def steps(self) -> list[ToolStep]:
        return list(self._steps)

    def is_expanded(self) -> bool:
        return self._expanded

    def set_steps(self, steps: list[ToolStep]) -> None:
        if steps == self._steps:
            return
        self._steps = list(steps)
        self._update_toggle()
        if self._expanded:
            self._fill()

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        if expanded:
            self._fill()
        self._list.setVisible(expanded)
        self._update_toggle()

    def _on_toggle_clicked(self) -> None:
        self.set_expanded(not self._expanded)

    def _update_toggle(self) -> None:
        count = len(self._steps)
        if count == 1:
            text = self.tr("1 step: %1").replace("%1", step_summary(self._steps[0]))
        else:
            text = self.tr("%1 steps").replace("%1", str(count))
        self._toggle.setText(_cut(text, 2 * SUMMARY_CHARS))
        self._toggle.setToolTip(self.tr("Plugins and functions the bot called for this answer"))
        self._toggle.setArrowType(Qt.ArrowType.DownArrow if self._expanded else Qt.ArrowType.RightArrow)
        self._toggle.setAccessibleName(text)
        self._toggle.setAccessibleDescription(self.tr("Expanded") if self._expanded else self.tr("Collapsed"))

    def _fill(self) -> None:
        while self._list_layout.count():
            item = self._list_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        muted = theme.muted_text(self.palette())
        for step in self._steps:
            line = QLabel(step_summary(step), self._list)
            line.setObjectName("step_line")
            line.setWordWrap(True)
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._list_layout.addWidget(line)
            details = []
            if step.arguments and step.kind != REPLY_MESSAGE:
                details.append(pretty_arguments(step.arguments))
            if step.result:
                details.append(step.result[:RESULT_CHARS] + ("…" if len(step.result) > RESULT_CHARS else ""))
            if details:
                body = QLabel("\n".join(details), self._list)
                body.setObjectName("step_detail")
                body.setFont(_mono_font())
                body.setWordWrap(True)
                body.setTextFormat(Qt.TextFormat.PlainText)
                body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                palette = body.palette()
                palette.setColor(QPalette.ColorRole.WindowText, muted)
                body.setPalette(palette)
                body.setContentsMargins(12, 0, 0, 0)
                self._list_layout.addWidget(body)

    def _style(self) -> None:
        palette = self._toggle.palette()
        muted = theme.muted_text(self.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.ButtonText, muted)
        self._toggle.setPalette(palette)

    def restyle(self) -> None:
        self._style()
        if self._expanded:
            self._fill()

    def retranslate(self) -> None:
        self._update_toggle()
        if self._expanded:
            self._fill()


class _ResultEdit(QPlainTextEdit):
    """The box for one call's result: Ctrl+Enter submits the card."""

    submit_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit_requested.emit()
            return
        super().keyPressEvent(event)


class _ToolCallCard(QFrame):
    """The calls an answer waits for, each with a box for its result; Submit and Cancel."""

    submitted = Signal(dict)  # call id -> the text typed for it
    canceled = Signal()

    # What was typed in the boxes, by (answer id, call id): a card is built again when its
    # conversation is shown again (a switch, a language change), and keeps what was typed.
    _typed: ClassVar[dict[tuple[int, str], str]] = {}

    def __init__(self, message_id: int, calls: list[ToolStep], error: ErrorInfo | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tool_call_card")
        self._message_id = message_id
        self._calls = list(calls)
        self._edits: dict[str, _ResultEdit] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        asks = all(c.kind == REPLY_MESSAGE for c in calls)
        heading = QLabel(
            self.tr("The bot asks you") if asks else self.tr("The bot waits for the result of a local tool"),
            self,
        )
        heading.setObjectName("tool_call_heading")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        for call in calls:
            layout.addWidget(self._call_box(call))
        self._error = QLabel(self)
        self._error.setObjectName("tool_call_error")
        self._error.setWordWrap(True)
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error.setVisible(False)
        layout.addWidget(self._error)
        if error is not None and error.message:
            self.show_error(error.message)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self._submit = QPushButton(self.tr("Submit"), self)
        self._submit.setObjectName("tool_call_submit")
        self._submit.setToolTip(self.tr("Send the results to the bot; its reply goes on here (Ctrl+Enter)"))
        self._submit.setDefault(True)
        self._submit.clicked.connect(self.submit)
        self._cancel = QPushButton(self.tr("Cancel"), self)
        self._cancel.setObjectName("tool_call_cancel")
        self._cancel.setToolTip(self.tr("End this chat without answering; the reply keeps what it has"))
        self._cancel.clicked.connect(self.canceled)
        buttons.addWidget(self._submit)
        buttons.addWidget(self._cancel)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setAccessibleName(heading.text())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def _call_box(self, call: ToolStep) -> QWidget:
        box = QWidget(self)
        box.setObjectName(f"tool_call_{call.call_id}")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(4)
        if call.kind == REPLY_MESSAGE:
            question = QLabel(question_of(call), box)
            question.setObjectName("tool_call_question")
            question.setWordWrap(True)
            question.setTextFormat(Qt.TextFormat.PlainText)
            question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(question)
            placeholder = self.tr("Your answer")
        else:
            name = QLabel(self.tr("Function: %1").replace("%1", call.name or "?"), box)
            name.setObjectName("tool_call_name")
            name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(name)
            arguments = QLabel(pretty_arguments(call.arguments) or self.tr("(no arguments)"), box)
            arguments.setObjectName("tool_call_arguments")
            arguments.setTextFormat(Qt.TextFormat.PlainText)
            arguments.setFont(_mono_font())
            arguments.setWordWrap(True)
            arguments.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(arguments)
            placeholder = self.tr("The result of %1").replace("%1", call.name or "?")
        edit = _ResultEdit(box)
        edit.setObjectName("tool_call_result")
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
        edit.submit_requested.connect(self.submit)
        key = (self._message_id, call.call_id)
        edit.setPlainText(self._typed.get(key, ""))
        typed = _ToolCallCard._typed
        edit.textChanged.connect(lambda: typed.__setitem__(key, edit.toPlainText()))
        column.addWidget(edit)
        self._edits[call.call_id] = edit
        return box

    @property
    def calls(self) -> list[ToolStep]:
        return list(self._calls)

    def result_edit(self, call_id: str) -> QPlainTextEdit | None:
        """The box for the result of call ``call_id``."""
        return self._edits.get(call_id)

    def outputs(self) -> dict[str, str]:
        return {call_id: edit.toPlainText() for call_id, edit in self._edits.items()}

    def submit(self) -> None:
        """Emit :attr:`submitted` with every result, or say which one is missing (nothing is lost)."""
        for call in self._calls:
            edit = self._edits[call.call_id]
            if not edit.toPlainText().strip():
                self.show_error(
                    self.tr("Answer the question first.")
                    if call.kind == REPLY_MESSAGE
                    else self.tr("Write the result of %1 first.").replace("%1", call.name or "?")
                )
                edit.setFocus()
                return
        self.submitted.emit(self.outputs())

    def show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.setVisible(bool(text))

    def focus_first(self) -> None:
        if self._calls:
            self._edits[self._calls[0].call_id].setFocus()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(theme.border_color(self.palette()))
        painter.setBrush(theme.card_background(self.palette()))
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 8, 8)
