"""The run view: in the middle of the window when a workflow or one of its runs is selected.

At the top the workflow and its parameter form with Run / Stop; below, the run: each node's
output as it streams (title, status, duration), the questions the run asks (interrupts) with an
answer box that resumes the run in place, the final output (Markdown, and a tree when it is JSON)
and a footer with the debug link, tokens and time; an error with its advice when the run fails.

A saved run opens read-only, with "Run again with these parameters". The view draws; it never
runs anything: the window passes its requests to the
:class:`~coze_desktop.workers.workflows.WorkflowController`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.api.workflows import parse_json_output
from coze_desktop.domain import (
    ErrorInfo,
    Usage,
    Workflow,
    WorkflowInterruptInfo,
    WorkflowRun,
    WorkflowRunResult,
    WorkflowStatus,
)
from coze_desktop.ui.markdown import open_web_link
from coze_desktop.ui.workflows.cards import ErrorCard, NodeCard, OutputCard, QuestionCard
from coze_desktop.ui.workflows.params import ParamsForm
from coze_desktop.ui.workflows.reveal import Glow, mark_words
from coze_desktop.workers.workflows import NodeDelta


class RunView(QWidget):
    """A workflow's parameter form and one run of it; see the module doc."""

    run_requested = Signal(object)
    """Run was pressed and the parameters are valid. Argument: the parameters object."""

    stop_requested = Signal()
    """Stop was pressed (the shown run is going)."""

    resume_requested = Signal(int, str)
    """The user answered the run's question. Arguments: run id, the answer."""

    params_changed = Signal()
    """The form changed (rows or raw text): remember them."""

    export_requested = Signal(int)
    """"Export run…" was pressed. Argument: the shown run's id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workflow: Workflow | None = None
        self.run_id: int | None = None
        self.status: WorkflowStatus | None = None
        self.saved_run: WorkflowRun | None = None  # shown read-only
        self.debug_url = ""
        self._usage: Usage | None = None
        self._duration: float | None = None
        self.nodes: list[NodeCard] = []
        self.questions: list[QuestionCard] = []
        self.error_card: ErrorCard | None = None
        self.part_widgets: dict[int, QWidget] = {}  # a saved run's part (its index) -> the card showing it
        self.revealed: QWidget | None = None  # the piece a search hit last brought into view

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.scroll_area)
        body = QWidget(self.scroll_area)
        self.scroll_area.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)

        self.title_label = QLabel(body)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.subtitle_label = QLabel(body)
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.subtitle_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)

        self.form = ParamsForm(body)
        layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(body)
        self.run_button.setDefault(True)
        self.stop_button = QPushButton(body)
        self.rerun_button = QPushButton(body)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.rerun_button)
        buttons.addStretch(1)
        self.status_label = QLabel(body)
        self.stats_label = QLabel(body)
        self.stats_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.debug_button = QPushButton(body)
        self.debug_button.setFlat(True)
        self.debug_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.debug_button.hide()
        self.export_button = QPushButton(body)
        self.export_button.setFlat(True)
        buttons.addWidget(self.status_label)
        buttons.addWidget(self.stats_label)
        buttons.addWidget(self.debug_button)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)

        self.parts_box = QWidget(body)
        self._parts = QVBoxLayout(self.parts_box)
        self._parts.setContentsMargins(0, 0, 0, 0)
        self._parts.setSpacing(6)
        layout.addWidget(self.parts_box)
        self.output_card = OutputCard(body)
        self.output_card.hide()
        layout.addWidget(self.output_card)
        layout.addStretch(1)

        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.rerun_button.clicked.connect(self._on_rerun_button_clicked)
        self.debug_button.clicked.connect(self._on_debug_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.form.changed.connect(self._on_form_changed)
        self.retranslate()
        self._update_buttons()

    # --- public: what is shown ---------------------------------------------------------------

    def retranslate(self) -> None:
        self.run_button.setText(self.tr("Run"))
        self.run_button.setToolTip(self.tr("Run the workflow with these parameters"))
        self.stop_button.setText(self.tr("Stop"))
        self.rerun_button.setText(self.tr("Run again with these parameters"))
        self.debug_button.setText(self.tr("Debug page"))
        self.export_button.setText(self.tr("Export run…"))
        self.export_button.setToolTip(self.tr("Save this run as Markdown, an HTML page or JSON"))
        self.debug_button.setToolTip(self.debug_url)
        self._show_header()
        self._show_status()
        self._show_stats()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_workflow(self, workflow: Workflow) -> None:
        """Show ``workflow`` ready to run: its remembered parameters, no run."""
        self.workflow = workflow
        self.saved_run = None
        self.form.set_read_only(False)
        self.form.set_params(list(workflow.params), workflow.raw_params)
        self._clear_run()
        self._show_header()
        self._update_buttons()

    def begin_run(self, run: WorkflowRun) -> None:
        """A run of the shown workflow started: show it going (the form stays as typed)."""
        self._clear_run()
        self.run_id = run.id
        self.status = WorkflowStatus.RUNNING
        self._show_status()
        self._update_buttons()

    def show_run(self, workflow: Workflow, run: WorkflowRun, *, live: list[NodeDelta], running: bool) -> None:
        """Show a saved run read-only (still going when ``running``: ``live`` is what arrived)."""
        self.workflow = workflow
        self.saved_run = run
        self.form.set_values(dict(run.parameters))
        self.form.set_read_only(True)
        self._clear_run()
        self.run_id = run.id
        answers = [p for p in run.parts if p.kind == "answer"]
        answer_index = 0
        # A going run: what arrived live replaces the saved nodes it covers (saved ones lag a checkpoint).
        first_live = live[0].index if running and live else None
        node_index = 0
        questions: list[QuestionCard] = []  # an answer part is shown on the question it answers
        answered = 0
        for position, part in enumerate(run.parts):
            if part.kind == "node":
                if first_live is None or node_index < first_live:
                    card = self._node_card(node_index, part.node_title, part.node_type)
                    card.append(part.content, part.finished, part.duration)
                    self.part_widgets[position] = card
                node_index += 1
            elif part.kind == "interrupt":
                question = self._question(part.node_title, part.content)
                questions.append(question)
                self.part_widgets[position] = question
                if answer_index < len(answers):
                    question.set_answered(answers[answer_index].content)
                    answer_index += 1
            elif part.kind == "answer" and answered < len(questions):
                self.part_widgets[position] = questions[answered]
                answered += 1
            elif part.kind == "error" and not running:
                self._error(part.content)
                if self.error_card is not None:
                    self.part_widgets[position] = self.error_card
        if running:
            for delta in live:
                self.add_node_delta(delta)
        self.status = WorkflowStatus.RUNNING if running else run.status
        self._usage, self._duration, self.debug_url = run.usage, run.duration, run.debug_url or ""
        if not running:
            if run.status is WorkflowStatus.ERROR and self.error_card is None and run.error is not None:
                self._error(run.error.message)
            if run.output or run.status is WorkflowStatus.COMPLETED:
                self._output(run.output)
        self._show_header()
        self._show_status()
        self._show_stats()
        self._update_buttons()

    def add_node_delta(self, delta: NodeDelta) -> None:
        card = self.nodes[-1] if self.nodes else None
        if card is None or card.index != delta.index:
            card = self._node_card(delta.index, delta.title, delta.node_type)
        card.append(delta.text, delta.finished, delta.duration, delta.node_type)

    def show_interrupt(self, info: WorkflowInterruptInfo) -> None:
        self._question(info.node_title, info.question)
        self.status = WorkflowStatus.INTERRUPTED
        self._show_status()
        self._update_buttons()

    def resumed(self, answer: str) -> None:
        """The answer was taken: the run continues in place."""
        if self.questions:
            self.questions[-1].set_answered(answer)
        self.status = WorkflowStatus.RUNNING
        self._show_status()
        self._update_buttons()

    def resume_refused(self, text: str) -> None:
        """The answer could not be sent (e.g. the resume limit): say why on the question."""
        if self.questions:
            self.questions[-1].set_message(text)

    def show_failed(self, error: ErrorInfo) -> None:
        self._error(error.message)

    def show_finished(self, result: WorkflowRunResult, run: WorkflowRun | None) -> None:
        """The run (or this part of it) ended: output, numbers, debug link."""
        self.status = result.status
        if run is not None:
            self._usage, self._duration = run.usage, run.duration
        else:
            self._usage = result.usage
        self.debug_url = result.debug_url or ""
        if result.status is WorkflowStatus.COMPLETED or (
            result.output and result.status is not WorkflowStatus.INTERRUPTED
        ):
            self._output(result.output)
        self._show_status()
        self._show_stats()
        self._update_buttons()

    def set_form_error(self, text: str) -> None:
        self.form.show_error(text)

    def reveal(self, where: str, part: int | None, words: Sequence[str]) -> QWidget | None:
        """Bring the piece of the shown saved run that a search hit found into view and make it
        glow, the matched ``words`` marked in its text. ``where`` and ``part`` are the hit's
        ``run_match`` and ``run_part`` ("output", "parameters", or a part's kind and index).
        Returns the piece, or None when it is not shown (say, a node still streaming)."""
        widget: QWidget | None = None
        if part is not None:
            widget = self.part_widgets.get(part)
        elif where == "output" and not self.output_card.isHidden():
            widget = self.output_card
        elif where == "parameters":
            widget = self.form
        if widget is None:
            return None
        self.revealed = widget
        edit = _text_of(widget)
        if edit is not None:
            mark_words(edit, words)
        Glow.on(widget)
        self._scroll_to_revealed()
        QTimer.singleShot(0, self._scroll_to_revealed)  # again once the new cards are laid out
        return widget

    @Slot()
    def _scroll_to_revealed(self) -> None:
        widget = self.revealed
        body = self.scroll_area.widget()
        if widget is None or body is None or not body.isAncestorOf(widget):
            return
        layout = body.layout()
        if layout is not None:
            layout.activate()
        margin = self.scroll_area.viewport().height() // 4
        edit = _text_of(widget)
        if edit is not None and edit.extraSelections():
            point = edit.viewport().mapTo(body, edit.cursorRect().center())  # the first match
        else:
            point = widget.mapTo(body, QPoint(0, 0))
            self.scroll_area.ensureWidgetVisible(widget, 0, margin)
        self.scroll_area.ensureVisible(point.x(), point.y(), 0, margin)

    # --- internals ---------------------------------------------------------------------------

    def _clear_run(self) -> None:
        while self._parts.count():
            item = self._parts.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.nodes.clear()
        self.questions.clear()
        self.part_widgets.clear()
        self.revealed = None
        self.error_card = None
        self.output_card.hide()
        self.run_id = None
        self.status = None
        self.debug_url = ""
        self._usage = None
        self._duration = None
        self._show_status()
        self._show_stats()

    def _node_card(self, index: int, title: str, node_type: str) -> NodeCard:
        card = NodeCard(index, title, node_type, self.parts_box)
        self.nodes.append(card)
        self._parts.addWidget(card)
        card.show()
        return card

    def _question(self, node_title: str, question: str) -> QuestionCard:
        for earlier in self.questions:
            earlier.set_open(False)
        card = QuestionCard(node_title, question, self.parts_box)
        card.answer_requested.connect(self._on_question_answer_requested)
        self.questions.append(card)
        self._parts.addWidget(card)
        card.show()
        card.answer_edit.setFocus()
        return card

    def _error(self, text: str) -> None:
        if self.error_card is not None:
            self.error_card.text_label.setText(text)
            return
        self.error_card = ErrorCard(text, self.parts_box)
        self._parts.addWidget(self.error_card)
        self.error_card.show()

    def _output(self, text: str) -> None:
        self.output_card.set_output(text, parse_json_output(text))
        self.output_card.show()

    def _show_header(self) -> None:
        wf = self.workflow
        if wf is None:
            self.title_label.setText("")
            self.subtitle_label.setText("")
            return
        self.title_label.setText(wf.title)
        bits = [self.tr("Workflow %1").replace("%1", wf.workflow_id)]
        if wf.bot_id:
            bits.append(self.tr("bot %1").replace("%1", wf.bot_id))
        if wf.app_id:
            bits.append(self.tr("app %1").replace("%1", wf.app_id))
        if self.saved_run is not None:
            bits.append(self.tr("a saved run (read-only)"))
        text = " · ".join(bits)
        if wf.description:
            text += "\n" + wf.description
        self.subtitle_label.setText(text)

    def _show_status(self) -> None:
        texts = {
            None: "",
            WorkflowStatus.RUNNING: self.tr("Running…"),
            WorkflowStatus.COMPLETED: self.tr("Completed"),
            WorkflowStatus.INTERRUPTED: self.tr("Waiting for your answer"),
            WorkflowStatus.ERROR: self.tr("Failed"),
        }
        self.status_label.setText(texts[self.status])

    def _show_stats(self) -> None:
        bits = []
        if self._duration:
            bits.append(self.tr("%1 s").replace("%1", f"{self._duration:.1f}"))
        if self._usage is not None and self._usage.token_count:
            bits.append(self.tr("%1 tokens").replace("%1", QLocale().toString(self._usage.token_count)))
        self.stats_label.setText("· " + " · ".join(bits) if bits else "")
        self.debug_button.setVisible(bool(self.debug_url))
        self.debug_button.setToolTip(self.debug_url)

    def _update_buttons(self) -> None:
        running = self.status is WorkflowStatus.RUNNING
        read_only = self.saved_run is not None
        self.run_button.setVisible(not read_only)
        self.run_button.setEnabled(self.workflow is not None and not running)
        self.stop_button.setVisible(running)
        self.rerun_button.setVisible(read_only and not running)
        self.export_button.setVisible(self.run_id is not None and not running)
        waiting = self.status is WorkflowStatus.INTERRUPTED
        for index, card in enumerate(self.questions):
            card.set_open(waiting and index == len(self.questions) - 1 and not card.answer)

    @Slot()
    def _on_run_button_clicked(self) -> None:
        params = self.form.validate()
        if params is not None:
            self.run_requested.emit(params)

    @Slot()
    def _on_rerun_button_clicked(self) -> None:
        """Make the shown run's parameters the form of a new run."""
        if self.workflow is None:
            return
        params, raw = self.form.params(), ""
        self.saved_run = None
        self.form.set_read_only(False)
        self.form.set_params(params, raw)
        self._clear_run()
        self._show_header()
        self._update_buttons()
        self.params_changed.emit()

    @Slot()
    def _on_export_button_clicked(self) -> None:
        if self.run_id is not None:
            self.export_requested.emit(self.run_id)

    @Slot()
    def _on_debug_button_clicked(self) -> None:
        if self.debug_url:
            open_web_link(self.debug_url)

    @Slot(str)
    def _on_question_answer_requested(self, answer: str) -> None:
        if self.run_id is not None:
            self.resume_requested.emit(self.run_id, answer)

    @Slot()
    def _on_form_changed(self) -> None:
        if self.saved_run is None:
            self.params_changed.emit()

    def parameters_preview(self) -> dict[str, Any] | None:
        """The form's parameters when valid (tests, screenshots), else ``None``."""
        try:
            return self.form.parameters()
        except ValueError:
            return None


def _text_of(widget: QWidget) -> QPlainTextEdit | QTextEdit | None:
    """The text a revealed piece shows, where matched words can be marked (a node's, the output's)."""
    if isinstance(widget, NodeCard):
        return widget.text_view
    if isinstance(widget, OutputCard):
        return widget.markdown_view
    return None
