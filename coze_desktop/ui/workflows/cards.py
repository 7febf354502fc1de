"""The pieces of a run on screen: a node's output, a question (interrupt) with its answer box,
the final output (Markdown, and a collapsible tree with Copy when it is JSON), an error."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.ui.markdown import open_web_link, render_markdown

MIN_SHOWN_DURATION = 0.05  # seconds: a node that said everything in one message has no duration to show
MAX_TREE_ITEMS = 2000  # a huge JSON output shows its first items in the tree (all of it in Copy)


class _Card(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.setSpacing(4)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Relabel after a language switch."""


def _bold(label: QLabel) -> None:
    font = label.font()
    font.setBold(True)
    label.setFont(font)


class _AutoText(QPlainTextEdit):
    """Read-only plain text as tall as its content (no inner scroll bar for short output)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    @Slot()
    def _fit(self, *_args: object) -> None:
        lines = max(1, min(30, int(self.document().size().height())))
        height = self.fontMetrics().lineSpacing() * lines + 2 * int(self.document().documentMargin()) + 4
        self.setFixedHeight(height)


class NodeCard(_Card):
    """One node's output: title, type, status (running / finished, with its duration) and text."""

    def __init__(self, index: int, title: str, node_type: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.finished = False
        self.duration: float | None = None
        self.node_type = node_type
        head = QHBoxLayout()
        self.title_label = QLabel(title or "…", self)
        _bold(self.title_label)
        self.type_label = QLabel(node_type, self)
        self.type_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status_label = QLabel(self)
        self.status_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        head.addWidget(self.title_label)
        head.addWidget(self.type_label)
        head.addStretch(1)
        head.addWidget(self.status_label)
        self._layout.addLayout(head)
        self.text_view = _AutoText(self)
        self._layout.addWidget(self.text_view)
        self.retranslate()

    @property
    def text(self) -> str:
        return self.text_view.toPlainText()

    def append(self, text: str, finished: bool, duration: float | None, node_type: str = "") -> None:
        if text:
            cursor = self.text_view.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(text)
        if node_type and not self.node_type:
            self.node_type = node_type
            self.type_label.setText(node_type)
        self.finished = self.finished or finished
        self.duration = duration if duration is not None else self.duration
        self.retranslate()

    def retranslate(self) -> None:
        if not self.finished:
            self.status_label.setText(self.tr("running…"))
        elif self.duration is not None and self.duration >= MIN_SHOWN_DURATION:
            self.status_label.setText(self.tr("finished · %1 s").replace("%1", f"{self.duration:.1f}"))
        else:
            self.status_label.setText(self.tr("finished"))


class QuestionCard(_Card):
    """A question the run asks (an interrupt): the question, an answer box and Resume.

    Once answered it shows the answer; :meth:`set_message` says why an answer was not taken.
    """

    answer_requested = Signal(str)
    """The user answered. Argument: the answer."""

    def __init__(self, node_title: str, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("question_card")
        self.title_label = QLabel(node_title, self)
        _bold(self.title_label)
        self.question_label = QLabel(question, self)
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.title_label)
        self._layout.addWidget(self.question_label)
        row = QHBoxLayout()
        self.answer_edit = QLineEdit(self)
        self.resume_button = QPushButton(self)
        self.resume_button.setDefault(True)
        row.addWidget(self.answer_edit, 1)
        row.addWidget(self.resume_button)
        self._layout.addLayout(row)
        self.answer_label = QLabel(self)
        self.answer_label.setWordWrap(True)
        self.answer_label.hide()
        self._layout.addWidget(self.answer_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")
        self.message_label.hide()
        self._layout.addWidget(self.message_label)
        self.answer = ""
        self.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.answer_edit.returnPressed.connect(self._on_resume_button_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        if not self.title_label.text():
            self.title_label.setText(self.tr("The workflow asks"))
        self.answer_edit.setPlaceholderText(self.tr("Your answer"))
        self.answer_edit.setAccessibleName(self.tr("Your answer"))
        self.resume_button.setText(self.tr("Resume"))
        if self.answer or not self.answer_edit.isVisible():
            self.answer_label.setText(self.tr("Answered: %1").replace("%1", self.answer))

    def set_answered(self, answer: str) -> None:
        self.answer = answer
        self.answer_edit.hide()
        self.resume_button.hide()
        self.message_label.hide()
        self.answer_label.setText(self.tr("Answered: %1").replace("%1", answer))
        self.answer_label.show()

    def set_open(self, open_: bool) -> None:
        """Whether the answer box takes an answer (a run that waits for it, not running)."""
        self.answer_edit.setEnabled(open_)
        self.resume_button.setEnabled(open_)

    def set_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    @Slot()
    def _on_resume_button_clicked(self) -> None:
        if self.resume_button.isEnabled():
            self.answer_requested.emit(self.answer_edit.text())


class ErrorCard(_Card):
    """Why the run failed, with the advice of its error kind."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("error_card")
        self.title_label = QLabel(self)
        _bold(self.title_label)
        self.title_label.setStyleSheet("color: #c62828;")
        self.text_label = QLabel(text, self)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.title_label)
        self._layout.addWidget(self.text_label)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("The run failed"))


def _tree_items(value: Any, parent: QTreeWidgetItem | QTreeWidget, budget: list[int]) -> None:
    entries: list[tuple[str, Any]]
    if isinstance(value, dict):
        entries = [(str(k), v) for k, v in value.items()]
    else:
        entries = [(f"[{i}]", v) for i, v in enumerate(value)]
    for key, item_value in entries:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if isinstance(item_value, dict | list):
            shown = "{…}" if isinstance(item_value, dict) else f"[{len(item_value)}]"
        else:
            shown = json.dumps(item_value, ensure_ascii=False)
        item = QTreeWidgetItem([key, shown])
        if isinstance(parent, QTreeWidget):
            parent.addTopLevelItem(item)
        else:
            parent.addChild(item)
        if isinstance(item_value, dict | list):
            _tree_items(item_value, item, budget)


class OutputCard(_Card):
    """The run's output: Markdown, and when it is JSON a collapsible tree; Copy copies the text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("output_card")
        head = QHBoxLayout()
        self.title_label = QLabel(self)
        _bold(self.title_label)
        self.copy_button = QPushButton(self)
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.copy_button)
        self._layout.addLayout(head)
        self.markdown_view = QTextBrowser(self)
        self.markdown_view.setOpenLinks(False)
        self.markdown_view.setFrameShape(QFrame.Shape.NoFrame)
        self.markdown_view.anchorClicked.connect(open_web_link)
        self.markdown_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.markdown_view.document().documentLayout().documentSizeChanged.connect(self._fit_markdown)
        self._layout.addWidget(self.markdown_view)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tree.setMinimumHeight(160)
        self.tree.hide()
        self._layout.addWidget(self.tree)
        self.text = ""
        self.value: Any = None
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Output"))
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the output"))
        self.tree.setHeaderLabels([self.tr("Key"), self.tr("Value")])
        self.tree.setAccessibleName(self.tr("Output as a tree"))

    def set_output(self, text: str, value: Any) -> None:
        """Show ``text``; ``value`` is it parsed when it is JSON (else ``None``)."""
        self.text, self.value = text, value
        if isinstance(value, dict | list):
            shown = value.get("output") if isinstance(value, dict) else None
            markdown = (
                shown
                if isinstance(shown, str)
                else "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"
            )
            self.tree.clear()
            _tree_items(value, self.tree, [MAX_TREE_ITEMS])
            self.tree.expandToDepth(0)
            self.tree.resizeColumnToContents(0)
            self.tree.show()
        else:
            markdown = text
            self.tree.hide()
        render_markdown(self.markdown_view.document(), markdown, self.palette())
        self._fit_markdown()

    @Slot()
    def _fit_markdown(self, *_args: object) -> None:
        document: QTextDocument = self.markdown_view.document()
        document.setTextWidth(self.markdown_view.viewport().width())
        height = int(document.size().height()) + 8
        self.markdown_view.setFixedHeight(max(32, min(height, 600)))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_markdown()

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
