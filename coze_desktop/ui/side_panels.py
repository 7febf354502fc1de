"""The side panels give way to the chat when the window is narrow.

The chat column in the middle keeps at least :data:`CHAT_MIN_WIDTH`, or the width its messages
need if more (a larger font: the chat's minimum size hint says so). When the window is too
narrow for the chat and both side panels at their minimum widths, the sources panel collapses
first, then the conversation list; a collapsed panel is one click away on a small bar of
toggles at the top of the window (and the sources panel also through View → Sources panel).
Bringing a collapsed panel back makes it the one that stays: the other panel gives way for it
if there is not room for both. When the window grows again, collapsed panels come back on
their own.

A panel shown with ``setVisible(True)`` from elsewhere (e.g. "show the sources of this
citation") counts as asking for it, and one hidden that way as not wanting it, so callers need
not know about collapsing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QSplitter, QToolBar, QWidget

CHAT_MIN_WIDTH = 460  # px: the chat column never gets narrower (an answer's footer fits in English)
CHAT_MIN_WIDTH_CAP = 760  # px: what the messages may ask for at most (the window stays under 1024 px)
SIDEBAR_MIN_WIDTH = 200  # px: the conversation list's narrowest useful width
SOURCES_MIN_WIDTH = 220  # px: the sources panel's narrowest useful width


class SidePanels(QObject):
    """Collapses and restores the side panels of ``splitter`` around ``chat``; see the module doc."""

    collapsed_changed = Signal()
    """Which panels are collapsed changed (see :meth:`is_collapsed`)."""

    def __init__(
        self,
        window: QMainWindow,
        splitter: QSplitter,
        *,
        chat: QWidget,
        sidebar: QWidget,
        sources: QWidget,
        sources_wanted: bool,
    ) -> None:
        super().__init__(window)
        self._splitter = splitter
        self._chat = chat
        self._window = window
        self._sidebar = sidebar
        self._sources = sources
        self._wanted = {sidebar: True, sources: sources_wanted}
        self._order = [sidebar, sources]  # who stays first when there is room for one panel only
        self._collapsed: set[QWidget] = set()
        self._set_aside: set[QWidget] = set()  # hidden for what the middle shows, still wanted
        self._applying = False
        sidebar.setMinimumWidth(SIDEBAR_MIN_WIDTH)
        sources.setMinimumWidth(SOURCES_MIN_WIDTH)

        self.toolbar = QToolBar(self.tr("Collapsed panels"), window)
        self.toolbar.setObjectName("collapsed_panels_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.toggleViewAction().setVisible(False)  # it shows itself when needed
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.show_sidebar_action = QAction(self.tr("Chats"), self.toolbar)
        self.show_sidebar_action.setToolTip(
            self.tr("Show the list of chats (the window is too narrow for all panels)")
        )
        self.show_sidebar_action.triggered.connect(self._on_show_sidebar_action_triggered)
        self.show_sources_action = QAction(self.tr("Sources"), self.toolbar)
        self.show_sources_action.setToolTip(
            self.tr("Show the sources panel (the window is too narrow for all panels)")
        )
        self.show_sources_action.triggered.connect(self._on_show_sources_action_triggered)
        spacer = QWidget(self.toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addAction(self.show_sidebar_action)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.show_sources_action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        splitter.installEventFilter(self)
        sidebar.installEventFilter(self)
        sources.installEventFilter(self)
        self.update_layout()

    # -------------------------------------------------------------------------------- public

    def chat_min_width(self) -> int:
        """The chat's minimum: :data:`CHAT_MIN_WIDTH`, or more when what it shows needs more
        (a larger font, a long bot name: the chat's own minimum size hint says so), up to
        :data:`CHAT_MIN_WIDTH_CAP` so that a very long name cannot make the window wider than a
        small screen."""
        return min(max(CHAT_MIN_WIDTH, self._chat.minimumSizeHint().width()), CHAT_MIN_WIDTH_CAP)

    def minimum_width(self) -> int:
        """The narrowest window: the chat and the wider panel side by side."""
        handle = self._splitter.handleWidth()
        return self.chat_min_width() + max(SIDEBAR_MIN_WIDTH, SOURCES_MIN_WIDTH) + handle

    def set_wanted(self, panel: QWidget, wanted: bool) -> None:
        """Whether the user wants ``panel`` (it may still be collapsed for lack of room)."""
        self._wanted[panel] = wanted
        if wanted:
            self._put_first(panel)
        self.update_layout()

    def reveal(self, panel: QWidget) -> None:
        """Show ``panel`` now, collapsing the other panel if both do not fit beside the chat."""
        self.set_wanted(panel, True)

    def set_aside(self, panel: QWidget, aside: bool) -> None:
        """Hide ``panel`` while the middle shows something it has nothing for (the sources
        panel beside a workflow run), without changing whether the user wants it: it comes back
        when ``aside`` is False again."""
        if (panel in self._set_aside) != aside:
            if aside:
                self._set_aside.add(panel)
            else:
                self._set_aside.discard(panel)
            self.update_layout()

    def is_collapsed(self, panel: QWidget) -> bool:
        """Whether ``panel`` is wanted but hidden for lack of room."""
        return panel in self._collapsed

    def update_layout(self) -> None:
        """Show the wanted panels that fit beside the chat, in order; collapse the others."""
        chat_minimum = self.chat_min_width()
        grown = self._chat.minimumWidth() != chat_minimum
        if grown:  # the chat's needs changed (e.g. a larger font): the splitter and the window follow
            self._chat.setMinimumWidth(chat_minimum)
            # The window may be as narrow as the chat and one panel; the panels adapt below that.
            self._window.setMinimumWidth(self.minimum_width())
        room = self._splitter.width() - chat_minimum
        handle = self._splitter.handleWidth()
        visible: dict[QWidget, bool] = {}
        for panel in self._order:
            need = panel.minimumWidth() + handle
            visible[panel] = self._wanted[panel] and panel not in self._set_aside and need <= room
            if visible[panel]:
                room -= need
        collapsed = {
            panel
            for panel in self._order
            if self._wanted[panel] and panel not in self._set_aside and not visible[panel]
        }
        changed = [panel for panel in self._order if panel.isHidden() == visible[panel]]
        self._applying = True
        try:
            for panel in changed:
                panel.setVisible(visible[panel])
        finally:
            self._applying = False
        if changed or grown:
            self._splitter.refresh()  # handles and sizes now, not at the next layout pass
        self.show_sidebar_action.setVisible(self._sidebar in collapsed)
        self.show_sources_action.setVisible(self._sources in collapsed)
        self.toolbar.setVisible(bool(collapsed))
        if collapsed != self._collapsed:
            self._collapsed = collapsed
            self.collapsed_changed.emit()

    # ----------------------------------------------------------------------------- internals

    def _put_first(self, panel: QWidget) -> None:
        self._order.remove(panel)
        self._order.insert(0, panel)

    @Slot()
    def _on_show_sidebar_action_triggered(self) -> None:
        self.reveal(self._sidebar)

    @Slot()
    def _on_show_sources_action_triggered(self) -> None:
        self.reveal(self._sources)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if "_splitter" not in self.__dict__:
            # Python's garbage collector is tearing a closed window down (it empties the objects
            # of a reference cycle before Qt deletes them): events still arrive; nothing to do.
            return False
        if watched is self._splitter and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self.update_layout()  # a new size, or the chat's minimum changed
        elif watched in self._wanted and not self._applying:
            assert isinstance(watched, QWidget)
            if event.type() == QEvent.Type.ShowToParent:
                self.reveal(watched)  # shown from elsewhere: wanted, and first
            elif event.type() == QEvent.Type.HideToParent and self._wanted[watched]:
                self._wanted[watched] = False
                self.update_layout()
        return False
