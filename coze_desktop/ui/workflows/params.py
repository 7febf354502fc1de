"""The parameter form of a workflow run: one row per parameter, or the raw JSON object.

A row has a name, a type (text, number, boolean, JSON) and a value as typed; the rows become a
JSON object through :func:`coze_desktop.domain.params_to_json`, which names the row at fault.
The raw-JSON mode edits the object as text: switching to it writes the rows as JSON, switching
back reads the text into rows (only when it is a valid JSON object: otherwise the text stays and
the form says why). Nothing typed is lost on a mistake.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import WorkflowParam, params_to_json

PARAM_TYPES = ("text", "number", "boolean", "json")


def _type_label(kind: str) -> str:
    labels = {
        "text": QCoreApplication.translate("ParamsForm", "Text"),
        "number": QCoreApplication.translate("ParamsForm", "Number"),
        "boolean": QCoreApplication.translate("ParamsForm", "Boolean"),
        "json": QCoreApplication.translate("ParamsForm", "JSON"),
    }
    return labels[kind]


def rows_from_json(params: dict[str, Any]) -> list[WorkflowParam]:
    """Rows for a parameters object: each value's type guessed from its JSON type."""
    rows = []
    for name, value in params.items():
        if isinstance(value, bool):
            rows.append(WorkflowParam(name, "boolean", "true" if value else "false"))
        elif isinstance(value, int | float):
            rows.append(WorkflowParam(name, "number", json.dumps(value)))
        elif isinstance(value, str):
            rows.append(WorkflowParam(name, "text", value))
        else:
            rows.append(WorkflowParam(name, "json", json.dumps(value, ensure_ascii=False)))
    return rows


def parse_raw(text: str) -> dict[str, Any]:
    """The raw-JSON text as a parameters object; ``ValueError`` with a readable message if not."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(
            QCoreApplication.translate("ParamsForm", "The JSON is not valid: {error}").format(error=exc)
        ) from exc
    if not isinstance(value, dict):
        raise ValueError(
            QCoreApplication.translate(
                "ParamsForm", 'The parameters must be a JSON object, like {"city": "北京"}.'
            )
        )
    return value


class ParamRow(QWidget):
    """One parameter: name, type, value, and a button that removes the row."""

    remove_requested = Signal(QWidget)
    changed = Signal()

    def __init__(self, param: WorkflowParam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.name_edit = QLineEdit(param.name, self)
        self.type_box = QComboBox(self)
        for kind in PARAM_TYPES:
            self.type_box.addItem(_type_label(kind), kind)
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(param.type)))
        self.value_edit = QLineEdit(param.value, self)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        layout.addWidget(self.name_edit, 2)
        layout.addWidget(self.type_box, 1)
        layout.addWidget(self.value_edit, 4)
        layout.addWidget(self.remove_button)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.name_edit.textChanged.connect(self.changed)
        self.value_edit.textChanged.connect(self.changed)
        self.type_box.currentIndexChanged.connect(self.changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.name_edit.setPlaceholderText(self.tr("name"))
        self.value_edit.setPlaceholderText(self.tr("value"))
        for index, kind in enumerate(PARAM_TYPES):
            self.type_box.setItemText(index, _type_label(kind))
        self.name_edit.setAccessibleName(self.tr("Parameter name"))
        self.type_box.setAccessibleName(self.tr("Parameter type"))
        self.value_edit.setAccessibleName(self.tr("Parameter value"))
        self.remove_button.setToolTip(self.tr("Remove this parameter"))
        self.remove_button.setAccessibleName(self.tr("Remove this parameter"))

    def param(self) -> WorkflowParam:
        return WorkflowParam(
            self.name_edit.text().strip(), str(self.type_box.currentData()), self.value_edit.text()
        )

    def set_read_only(self, read_only: bool) -> None:
        self.name_edit.setReadOnly(read_only)
        self.value_edit.setReadOnly(read_only)
        self.type_box.setEnabled(not read_only)
        self.remove_button.setVisible(not read_only)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        self.remove_requested.emit(self)


class ParamsForm(QWidget):
    """Rows of parameters, or their raw JSON; :meth:`parameters` reads them (``ValueError`` if wrong)."""

    changed = Signal()
    """A row or the raw text changed (for remembering them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_only = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title_label = QLabel(self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.raw_check = QCheckBox(self)
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(self.raw_check)
        layout.addLayout(top)
        self.rows_box = QWidget(self)
        self._rows_layout = QVBoxLayout(self.rows_box)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self.empty_label = QLabel(self.rows_box)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._rows_layout.addWidget(self.empty_label)
        layout.addWidget(self.rows_box)
        self.add_button = QPushButton(self)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.raw_edit = QPlainTextEdit(self)
        self.raw_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw_edit.setTabChangesFocus(True)
        self.raw_edit.setMaximumHeight(140)
        self.raw_edit.hide()
        layout.addWidget(self.raw_edit)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("params_error")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self._rows: list[ParamRow] = []
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.raw_check.toggled.connect(self._on_raw_check_toggled)
        self.raw_edit.textChanged.connect(self._on_changed)
        self.retranslate()

    # --- public ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Parameters"))
        self.raw_check.setText(self.tr("Raw JSON"))
        self.raw_check.setToolTip(self.tr("Edit the parameters as one JSON object"))
        self.add_button.setText(self.tr("Add parameter"))
        self.empty_label.setText(self.tr("No parameters: the workflow runs with an empty object."))
        self.raw_edit.setPlaceholderText('{"city": "北京", "days": 3}')
        self.raw_edit.setAccessibleName(self.tr("Parameters as JSON"))
        for row in self._rows:
            row.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def raw_mode(self) -> bool:
        return self.raw_check.isChecked()

    def rows(self) -> list[ParamRow]:
        return list(self._rows)

    def set_params(self, params: list[WorkflowParam], raw: str = "") -> None:
        """Show ``params`` as rows, or ``raw`` in raw-JSON mode when it is not empty."""
        self.blockSignals(True)
        try:
            self._clear_rows()
            for param in params:
                self._add_row(param)
            self.raw_check.blockSignals(True)
            self.raw_check.setChecked(bool(raw))
            self.raw_check.blockSignals(False)
            self.raw_edit.setPlainText(raw)
            self._show_mode()
            self.show_error("")
        finally:
            self.blockSignals(False)

    def set_values(self, parameters: dict[str, Any]) -> None:
        """Show a run's parameters object as rows."""
        self.set_params(rows_from_json(parameters))

    def params(self) -> list[WorkflowParam]:
        """The rows as typed (empty rows left out)."""
        return [p for p in (row.param() for row in self._rows) if p.name or p.value]

    def raw_text(self) -> str:
        """The raw JSON text when in raw mode, else ""."""
        return self.raw_edit.toPlainText() if self.raw_mode else ""

    def parameters(self) -> dict[str, Any]:
        """The parameters object; ``ValueError`` with a message naming what is wrong."""
        if self.raw_mode:
            return parse_raw(self.raw_edit.toPlainText())
        return params_to_json(self.params())

    def validate(self) -> dict[str, Any] | None:
        """:meth:`parameters`, or ``None`` after showing what is wrong."""
        try:
            value = self.parameters()
        except ValueError as exc:
            self.show_error(str(exc))
            return None
        self.show_error("")
        return value

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self._rows:
            row.set_read_only(read_only)
        self.raw_edit.setReadOnly(read_only)
        self.raw_check.setEnabled(not read_only)
        self.add_button.setVisible(not read_only)

    def add_row(self, param: WorkflowParam | None = None) -> ParamRow:
        row = self._add_row(param or WorkflowParam("", "text", ""))
        self._on_changed()
        return row

    # --- internals ---------------------------------------------------------------------------

    def _add_row(self, param: WorkflowParam) -> ParamRow:
        row = ParamRow(param, self.rows_box)
        row.set_read_only(self._read_only)
        row.remove_requested.connect(self._on_row_remove_requested)
        row.changed.connect(self._on_changed)
        self._rows.append(row)
        self._rows_layout.addWidget(row)
        self.empty_label.setVisible(False)
        return row

    def _clear_rows(self) -> None:
        for row in self._rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self._rows.clear()
        self.empty_label.setVisible(True)

    def _show_mode(self) -> None:
        raw = self.raw_mode
        self.rows_box.setVisible(not raw)
        self.add_button.setVisible(not raw and not self._read_only)
        self.raw_edit.setVisible(raw)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.add_row().name_edit.setFocus()

    @Slot(QWidget)
    def _on_row_remove_requested(self, row: QWidget) -> None:
        assert isinstance(row, ParamRow)
        self._rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.deleteLater()
        self.empty_label.setVisible(not self._rows)
        self._on_changed()

    @Slot(bool)
    def _on_raw_check_toggled(self, raw: bool) -> None:
        if raw:
            try:
                value = params_to_json(self.params())
            except ValueError as exc:  # the rows have a mistake: say so and stay in rows
                self.raw_check.blockSignals(True)
                self.raw_check.setChecked(False)
                self.raw_check.blockSignals(False)
                self.show_error(str(exc))
                return
            self.raw_edit.setPlainText(json.dumps(value, ensure_ascii=False, indent=2) if value else "")
        else:
            try:
                value = parse_raw(self.raw_edit.toPlainText())
            except ValueError as exc:  # keep the text: nothing is lost
                self.raw_check.blockSignals(True)
                self.raw_check.setChecked(True)
                self.raw_check.blockSignals(False)
                self.show_error(str(exc))
                return
            self._clear_rows()
            for param in rows_from_json(value):
                self._add_row(param)
        self.show_error("")
        self._show_mode()
        self._on_changed()

    @Slot()
    def _on_changed(self) -> None:
        if not self.signalsBlocked():
            self.changed.emit()
