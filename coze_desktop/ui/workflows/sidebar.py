"""The workflows section of the sidebar: saved workflows and chat-flows, each with its runs.

Workflows are the top rows (a chat-flow is marked as such); a workflow's saved runs are listed
under it, newest first (the last :data:`RUNS_SHOWN`). Clicking a workflow opens its run view,
clicking a run opens the run; its context menu exports it. The context menu renames or removes a workflow (its runs stay
readable: they are listed under "Removed workflows" by their workflow id).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import Workflow, WorkflowRun, WorkflowStatus
from coze_desktop.ui.elided import ElidedLabel
from coze_desktop.ui.formatting import short_time

RUNS_SHOWN = 20  # runs listed under each workflow
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "workflow" | "run"
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # (workflow_id, base_url) of a workflow; run id of a run

_STATUS_MARK = {
    WorkflowStatus.RUNNING: "⏳",
    WorkflowStatus.COMPLETED: "✓",
    WorkflowStatus.INTERRUPTED: "?",
    WorkflowStatus.ERROR: "✕",
}


def _child_key(item: QTreeWidgetItem, index: int) -> object:
    child = item.child(index)
    return child.data(0, KEY_ROLE) if child is not None else None


class WorkflowsPanel(QWidget):
    """The list of workflows and their runs; the window fills it through :meth:`set_workflows`."""

    workflow_selected = Signal(object)
    """A workflow (or chat-flow) row was clicked. Argument: the ``Workflow``."""

    run_selected = Signal(int)
    """A run row was clicked. Argument: the run id."""

    add_requested = Signal()
    """"Add workflow…" was pressed."""

    rename_requested = Signal(object)
    """Argument: the ``Workflow`` to rename."""

    remove_requested = Signal(object)
    """Argument: the ``Workflow`` to remove."""

    export_run_requested = Signal(int)
    """"Export run…" was chosen on a run. Argument: the run id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workflows: dict[tuple[str, str], Workflow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.setContentsMargins(8, 0, 4, 0)
        self.title_label = ElidedLabel(self)  # gives way to the button in a narrow sidebar
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.add_button = QToolButton(self)
        self.add_button.setAutoRaise(True)
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.add_button)
        layout.addLayout(head)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout.addWidget(self.tree, 1)
        self.empty_label = ElidedLabel(self)
        self.empty_label.setContentsMargins(8, 0, 8, 4)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.empty_label, 1)
        self.add_button.clicked.connect(self.add_requested)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        self.tree.itemActivated.connect(self._on_tree_item_clicked)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu_requested)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Workflows"))
        self.add_button.setText("+")  # a narrow sidebar keeps room for it in every language and font
        self.add_button.setToolTip(self.tr("Add workflow… (a workflow or chat-flow, by its ID)"))
        self.add_button.setAccessibleName(self.tr("Add workflow…"))
        self.tree.setAccessibleName(self.tr("Workflows and their runs"))
        self.empty_label.setText(self.tr("No workflows yet."))
        self.empty_label.setToolTip(self.tr("Add one by its ID with + (try demo-weather)."))
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, KIND_ROLE) == "removed":
                item.setText(0, self.tr("Runs of removed workflows"))
            if item is not None and item.data(0, KIND_ROLE) == "workflow":
                key = item.data(0, KEY_ROLE)
                workflow = self._workflows.get((key[0], key[1]))
                if workflow is not None:
                    item.setText(0, self._workflow_text(workflow))
                for i in range(item.childCount()):
                    child = item.child(i)
                    if child is not None and child.data(0, KIND_ROLE) == "more":
                        child.setText(0, self._more_text(int(child.data(0, KEY_ROLE))))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- filling -----------------------------------------------------------------------------

    def set_workflows(
        self,
        workflows: list[Workflow],
        runs: dict[tuple[str, str], list[WorkflowRun]],
        totals: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        """Show ``workflows`` with their runs (by (workflow id, base URL), newest first; the
        newest :data:`RUNS_SHOWN` of each). ``totals``: how many runs a workflow has in all, when
        more than are listed (a line under its runs says how many more search finds)."""
        selected = self.selected_key()
        expanded = {
            tuple(item.data(0, KEY_ROLE))
            for item in self._top_items()
            if item.isExpanded() and item.data(0, KIND_ROLE) in ("workflow", "removed")
        }
        self.tree.clear()
        self._workflows = {(w.workflow_id, w.base_url): w for w in workflows}
        for workflow in workflows:
            key = (workflow.workflow_id, workflow.base_url)
            item = QTreeWidgetItem([self._workflow_text(workflow)])
            item.setData(0, KIND_ROLE, "workflow")
            item.setData(0, KEY_ROLE, list(key))
            item.setToolTip(0, self._workflow_tip(workflow))
            self.tree.addTopLevelItem(item)
            listed = runs.get(key, [])[:RUNS_SHOWN]
            for run in listed:
                item.addChild(self._run_item(run))
            more = (totals or {}).get(key, 0) - len(listed)
            if more > 0:
                note = QTreeWidgetItem([self._more_text(more)])
                note.setData(0, KIND_ROLE, "more")
                note.setData(0, KEY_ROLE, more)
                note.setFlags(Qt.ItemFlag.NoItemFlags)
                item.addChild(note)
            item.setExpanded(
                key in expanded
                or bool(selected and selected[0] == "run" and self._has_run(item, selected[1]))
            )
        orphans = [run for key, list_ in runs.items() if key not in self._workflows for run in list_]
        if orphans:
            removed = QTreeWidgetItem([self.tr("Runs of removed workflows")])
            removed.setData(0, KIND_ROLE, "removed")
            removed.setData(0, KEY_ROLE, ["", ""])
            self.tree.addTopLevelItem(removed)
            for run in sorted(orphans, key=lambda r: r.started_at, reverse=True)[:RUNS_SHOWN]:
                removed.addChild(self._run_item(run))
            removed.setExpanded(("", "") in expanded)
        self.empty_label.setVisible(not workflows and not orphans)
        self.tree.setVisible(bool(workflows) or bool(orphans))  # the hint gets the room when empty
        if selected is not None:
            self.select(*selected)

    def _run_item(self, run: WorkflowRun) -> QTreeWidgetItem:
        mark = _STATUS_MARK.get(run.status, "")
        first = next((str(v) for v in run.parameters.values()), "")
        text = f"{mark} {short_time(run.started_at)}"
        if first:
            text += f" · {first[:30]}"
        item = QTreeWidgetItem([text])
        item.setData(0, KIND_ROLE, "run")
        item.setData(0, KEY_ROLE, run.id)
        item.setToolTip(0, run.title)
        return item

    def _more_text(self, more: int) -> str:
        return self.tr("%n earlier run(s): search finds them", "", more)

    def _workflow_text(self, workflow: Workflow) -> str:
        if workflow.kind == "chatflow":
            return self.tr("%1 (chat-flow)").replace("%1", workflow.title)
        return workflow.title

    def _workflow_tip(self, workflow: Workflow) -> str:
        lines = [workflow.workflow_id]
        if workflow.description:
            lines.append(workflow.description)
        return "\n".join(lines)

    def _top_items(self) -> list[QTreeWidgetItem]:
        items = []
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None:
                items.append(item)
        return items

    @staticmethod
    def _has_run(item: QTreeWidgetItem, run_id: object) -> bool:
        return any(_child_key(item, i) == run_id for i in range(item.childCount()))

    # --- selection ---------------------------------------------------------------------------

    def workflow_item(self, workflow_id: str, base_url: str) -> QTreeWidgetItem | None:
        for item in self._top_items():
            if item.data(0, KEY_ROLE) == [workflow_id, base_url]:
                return item
        return None

    def run_item(self, run_id: int) -> QTreeWidgetItem | None:
        for item in self._top_items():
            for index in range(item.childCount()):
                child = item.child(index)
                if child is not None and child.data(0, KEY_ROLE) == run_id:
                    return child
        return None

    def selected_key(self) -> tuple[str, object] | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        kind = item.data(0, KIND_ROLE)
        key = item.data(0, KEY_ROLE)
        return (kind, tuple(key) if kind == "workflow" else key)

    def select(self, kind: str, key: object) -> None:
        """Mark a row as the one shown, without emitting a signal."""
        if kind == "workflow":
            assert isinstance(key, tuple)
            item = self.workflow_item(str(key[0]), str(key[1]))
        else:
            assert isinstance(key, int)
            item = self.run_item(key)
        self.tree.blockSignals(True)
        try:
            if item is None:
                self.tree.clearSelection()
            else:
                parent = item.parent()
                if parent is not None:
                    parent.setExpanded(True)
                self.tree.setCurrentItem(item)
        finally:
            self.tree.blockSignals(False)

    def clear_selection(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        self.tree.setCurrentIndex(QModelIndex())
        self.tree.blockSignals(False)

    def workflows(self) -> list[Workflow]:
        return list(self._workflows.values())

    # --- slots -------------------------------------------------------------------------------

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, KIND_ROLE)
        key = item.data(0, KEY_ROLE)
        if kind == "workflow":
            workflow = self._workflows.get((key[0], key[1]))
            if workflow is not None:
                self.workflow_selected.emit(workflow)
        elif kind == "run":
            self.run_selected.emit(int(key))

    def run_menu(self, run_id: int) -> QMenu:
        """The actions offered on a run: export it."""
        menu = QMenu(self)
        menu.addAction(self.tr("Export run…"), lambda: self.export_run_requested.emit(run_id))
        return menu

    @Slot(QPoint)
    def _on_tree_context_menu_requested(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is not None and item.data(0, KIND_ROLE) == "run":
            run_menu = self.run_menu(int(item.data(0, KEY_ROLE)))
            run_menu.exec(self.tree.viewport().mapToGlobal(pos))
            run_menu.deleteLater()
            return
        if item is None or item.data(0, KIND_ROLE) != "workflow":
            return
        key = item.data(0, KEY_ROLE)
        workflow = self._workflows.get((key[0], key[1]))
        if workflow is None:
            return
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename…"))
        remove = menu.addAction(self.tr("Remove…"))
        chosen = menu.exec(self.tree.viewport().mapToGlobal(pos))
        if chosen is rename:
            self.rename_requested.emit(workflow)
        elif chosen is remove:
            self.remove_requested.emit(workflow)
