"""Workflows in the window: the sidebar section (:mod:`.sidebar`), the add dialog
(:mod:`.add_dialog`), the run view (:mod:`.run_view`, its pieces in :mod:`.cards` and
:mod:`.params`) and their wiring (:mod:`.section`)."""

from coze_desktop.ui.workflows.run_view import RunView
from coze_desktop.ui.workflows.section import WorkflowsSection
from coze_desktop.ui.workflows.sidebar import WorkflowsPanel

__all__ = ["RunView", "WorkflowsPanel", "WorkflowsSection"]
