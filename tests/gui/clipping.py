"""Find widgets that a window cuts off: text wider than its label, a button cut short, a panel
pushed out of the window, wrapped text taller than the room it got.

Use :func:`clipped_widgets` on a shown, laid-out window; it returns one readable line per
problem (empty when nothing is clipped), so a test reads ``assert not clipped_widgets(window)``
and its failure says which widget and by how much. A layout settles over a few passes of the
event loop (a size hint changes, the parent lays out again, a panel folds away...):
:func:`settled_clipping` waits for those passes (up to a timeout) and returns what is still cut
off. :func:`save_screenshot` keeps a picture of what was checked (``widget.grab()``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

TEXT_WIDGETS = (QLabel, QPushButton, QToolButton, QCheckBox)
SLACK = 1  # px: rounding between a size hint and a laid-out size


def describe(widget: QWidget) -> str:
    """A short name for a widget in a failure message: class, object name, text."""
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text().replace("\n", " ")
        if len(text) > 40:
            text = text[:39] + "…"
    name = widget.objectName() or widget.accessibleName()
    parts = [type(widget).__name__]
    if name:
        parts.append(f"#{name}")
    if text:
        parts.append(repr(text))
    return " ".join(parts)


def _visible_descendants(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.isVisible() and w.isVisibleTo(root)]


def _scroll_viewport(widget: QWidget, root: QWidget) -> QWidget | None:
    """The viewport of the nearest scroll area ``widget`` scrolls in (``None`` if it does not)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return parent
        parent = parent.parentWidget()
    return None


def _is_wrapping(widget: QWidget) -> bool:
    return isinstance(widget, QLabel) and widget.wordWrap()


def _text_problem(widget: QWidget) -> str | None:
    """Why the text of ``widget`` does not fit its rect, or ``None``."""
    if not isinstance(widget, TEXT_WIDGETS) or widget.property("elides_on_purpose"):
        return None
    if isinstance(widget, QLabel) and not widget.text():  # a picture, or nothing yet
        return None
    width, height = widget.width(), widget.height()
    if _is_wrapping(widget):
        assert isinstance(widget, QLabel)
        needed = widget.heightForWidth(width)
        if needed > height + SLACK:
            return f"wrapped text needs {needed} px of height, has {height} (width {width})"
        longest = widget.minimumSizeHint().width()  # the longest word, for wrapped labels
        if longest > width + SLACK:
            return f"a word needs {longest} px, the label is {width} px wide"
        return None
    hint = widget.sizeHint()
    if hint.width() > width + SLACK:
        return f"text needs {hint.width()} px, has {width}"
    if isinstance(widget, QLabel) and widget.fontMetrics().height() > height + SLACK:
        return f"a line needs {widget.fontMetrics().height()} px of height, has {height}"
    return None


def _outside(inner: QRect, outer: QRect, *, vertical: bool = True) -> bool:
    if inner.left() < outer.left() - SLACK or inner.right() > outer.right() + SLACK:
        return True
    return vertical and (inner.top() < outer.top() - SLACK or inner.bottom() > outer.bottom() + SLACK)


def clipped_widgets(window: QWidget) -> list[str]:
    """Every visible widget of ``window`` that is cut off, as readable lines (see the module doc).

    Checked: text widgets (labels, push and tool buttons, check boxes) show their whole text
    (wrapped labels: their height holds the wrapped text and the longest word fits); every widget
    lies inside the window and inside its parent; inside a scroll area, content may run past the
    viewport's bottom (it scrolls) but not past its sides when there is no horizontal scroll bar.
    A widget with the property ``elides_on_purpose`` set is allowed to cut its text.
    """
    QApplication.processEvents()
    problems = []
    window_rect = window.rect()
    for widget in _visible_descendants(window):
        if widget.isWindow():
            continue
        if widget.width() <= 0 or widget.height() <= 0:
            continue
        problem = _text_problem(widget)
        if problem is not None:
            problems.append(f"{describe(widget)}: {problem}")
        viewport = _scroll_viewport(widget, window)
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        parent = widget.parentWidget()
        if viewport is None:
            if _outside(rect, window_rect):
                problems.append(f"{describe(widget)}: {rect} lies outside the window {window_rect}")
            elif parent is not None and parent is not window and _outside(widget.geometry(), parent.rect()):
                problems.append(
                    f"{describe(widget)}: {widget.geometry()} lies outside its parent {describe(parent)}"
                )
        else:
            area = viewport.parentWidget()
            assert isinstance(area, QAbstractScrollArea)
            scrolls_sideways = (
                area.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                and area.horizontalScrollBar().maximum() > 0
            )
            if scrolls_sideways:
                continue
            port = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
            if _outside(rect, port, vertical=False):
                problems.append(f"{describe(widget)}: {rect} runs past the sides of its scroll area {port}")
    return problems


def settled_clipping(qtbot: QtBot, window: QWidget, timeout: int = 5000) -> list[str]:
    """What is cut off in ``window`` once its layout has settled (or after ``timeout`` ms)."""
    try:
        qtbot.waitUntil(lambda: not clipped_widgets(window), timeout=timeout)
    except WaitTimeout:
        pass  # still cut off: the caller's assertion says what
    return clipped_widgets(window)


def save_screenshot(widget: QWidget, folder: Path, name: str) -> Path:
    """Save ``widget.grab()`` as ``folder/name.png`` (once pending layouts are done); returns the path."""
    QApplication.processEvents()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path), "PNG"), f"could not write {path}"
    return path
