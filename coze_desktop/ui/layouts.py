"""Small helpers for widgets that come and go inside layouts."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QWidget


def discard(widget: QWidget, layout: QLayout) -> None:
    """Take ``widget`` out of ``layout`` for good: hidden now (so nothing flickers while the layout
    settles), removed from the layout, and deleted on the next pass of the event loop."""
    widget.hide()
    layout.removeWidget(widget)
    widget.deleteLater()
