"""The list of chats on the left, with search over every saved message.

:class:`ConversationListModel` pages through the store 200 conversations at a time
(``canFetchMore``/``fetchMore``), so 10,000 chats open at once and scroll smoothly; the view
uses uniform item sizes so Qt never asks Python for each row's size. Rows come in the store's
order: pinned first, then the most recently active.

Typing in the search box (debounced) searches all saved messages and workflow runs through
:meth:`Store.search`; the hits replace the list until the box is cleared or Esc is pressed. Hits
in workflow runs come first, each titled "Workflow run: <its title>" and saying where it matched
(a node, the output, …); activating one emits :attr:`ConversationListView.run_hit_activated`.
Snippets are plain text, escaped; only the matched words are set in bold on a highlight colour.

A chat whose reply is being written shows three pulsing dots in place of its time
(:meth:`ConversationListView.set_streaming`), and says so to screen readers.
"""

from __future__ import annotations

import functools
import html
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import Role
from coze_desktop.store import TRASH_DAYS, ConversationSummary, SearchHit, Store, StoreError
from coze_desktop.store.search import plain_text
from coze_desktop.ui import theme
from coze_desktop.ui.confirm import Confirm, ask_to_confirm
from coze_desktop.ui.formatting import short_time
from coze_desktop.ui.markdown import marked_snippet_html

logger = logging.getLogger(__name__)

PAGE_SIZE = 200  # conversations fetched per page
SEARCH_LIMIT = 50
SEARCH_DEBOUNCE_MS = 150
_ModelIndex = QModelIndex | QPersistentModelIndex

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
BotNameRole = Qt.ItemDataRole.UserRole + 2
TimeRole = Qt.ItemDataRole.UserRole + 3
PinnedRole = Qt.ItemDataRole.UserRole + 4
MessageCountRole = Qt.ItemDataRole.UserRole + 5
MessageIdRole = Qt.ItemDataRole.UserRole + 6
SnippetHtmlRole = Qt.ItemDataRole.UserRole + 7
TitleRole = Qt.ItemDataRole.UserRole + 8
PreviewRole = Qt.ItemDataRole.UserRole + 9
RunIdRole = Qt.ItemDataRole.UserRole + 10  # a search hit in a workflow run: the run's id, else None
StreamingRole = Qt.ItemDataRole.UserRole + 20  # a reply is being written in this chat
STREAMING_PULSE_MS = 400  # the streaming mark's dots take turns this often


def plain_preview(text: str) -> str:
    """A message's start on one line without the Markdown that would show as-is (##, **, `,
    links and pictures as their text): the same plain text search snippets are made of."""
    return plain_text(text)


class ConversationListModel(QAbstractListModel):
    """Conversations from a :class:`Store`, loaded a page at a time as the view scrolls."""

    def __init__(self, store: Store | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[ConversationSummary] = []
        self._ids: set[int] = set()
        self._total = 0
        self._bot_name: Callable[[str], str] = lambda bot_id: ""
        self._streaming: set[int] = set()  # chats with a reply being written (loaded or not)
        if store is not None:
            self.refresh()

    # -------------------------------------------------------------------------------- public

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.refresh()

    def set_bot_names(self, names: Mapping[str, str] | Callable[[str], str]) -> None:
        """How to name a bot: a bot id → name mapping, or a function."""
        if callable(names):
            self._bot_name = names
        else:
            mapping = dict(names)
            self._bot_name = lambda bot_id: mapping.get(bot_id, "")
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [BotNameRole])

    def refresh(self) -> None:
        """Reload from the store, keeping at least as many rows as were loaded."""
        wanted = max(PAGE_SIZE, len(self._rows))
        self.beginResetModel()
        self._rows, self._ids, self._total = [], set(), 0
        if self._store is not None:
            try:
                self._total = self._store.count_conversations()
                self._append(self._store.list_conversations(limit=wanted, offset=0))
            except StoreError:
                logger.exception("could not load the conversation list")
        self.endResetModel()

    def set_streaming(self, conversation_id: int, streaming: bool) -> None:
        """Mark a chat as having a reply being written (or not any more)."""
        if streaming == (conversation_id in self._streaming):
            return
        if streaming:
            self._streaming.add(conversation_id)
        else:
            self._streaming.discard(conversation_id)
        row = self.row_of(conversation_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [StreamingRole, Qt.ItemDataRole.AccessibleTextRole])

    def streaming_ids(self) -> set[int]:
        """The chats marked as having a reply being written."""
        return set(self._streaming)

    def row_of(self, conversation_id: int) -> int | None:
        """The row of a loaded conversation, or ``None``."""
        for row, summary in enumerate(self._rows):
            if summary.conversation.id == conversation_id:
                return row
        return None

    def summary(self, row: int) -> ConversationSummary:
        return self._rows[row]

    def total(self) -> int:
        """How many conversations the store has (loaded or not)."""
        return self._total

    # ----------------------------------------------------------------------------- Qt model

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _ModelIndex) -> bool:
        return not parent.isValid() and self._store is not None and len(self._rows) < self._total

    def fetchMore(self, parent: _ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        assert self._store is not None
        try:
            page = self._store.list_conversations(limit=PAGE_SIZE, offset=len(self._rows))
        except StoreError:
            logger.exception("could not load more conversations")
            self._total = len(self._rows)  # stop asking until the next refresh
            return
        fresh = [s for s in page if s.conversation.id not in self._ids]
        if not fresh:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(fresh) - 1)
        self._append(fresh)
        self.endInsertRows()

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        conversation = summary.conversation
        if role == Qt.ItemDataRole.DisplayRole:
            return conversation.title or self.tr("Untitled chat")
        if role == Qt.ItemDataRole.ToolTipRole:
            count = self.tr("%1 messages").replace("%1", QLocale().toString(summary.message_count))
            preview = summary.last_message_preview.strip()
            return f"{count}\n{preview}" if preview else count
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [conversation.title or self.tr("Untitled chat")]
            if conversation.pinned:
                parts.append(self.tr("pinned"))
            bot = self._bot_name(conversation.workflow_id or conversation.bot_id)
            if bot:
                parts.append(bot)
            parts.append(short_time(conversation.updated_at))
            if conversation.id in self._streaming:
                parts.append(self.tr("reply being written"))
            return ", ".join(p for p in parts if p)
        if role == ConversationIdRole:
            return conversation.id
        if role == BotNameRole:
            return self._bot_name(conversation.workflow_id or conversation.bot_id)
        if role == TimeRole:
            return conversation.updated_at
        if role == PinnedRole:
            return conversation.pinned
        if role == MessageCountRole:
            return summary.message_count
        if role == PreviewRole:
            return plain_preview(summary.last_message_preview)
        if role == StreamingRole:
            return conversation.id in self._streaming
        return None

    def _append(self, page: list[ConversationSummary]) -> None:
        for summary in page:
            if summary.conversation.id is not None and summary.conversation.id not in self._ids:
                self._ids.add(summary.conversation.id)
                self._rows.append(summary)


class SearchResultsModel(QAbstractListModel):
    """Search hits: the message snippet (bold matches), its conversation and time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            plain = hit.snippet.replace("«", "").replace("»", "")
            if hit.run_id is not None:
                return f"{hit.conversation_title} ({self._run_label(hit)}): {plain}"
            return f"{hit.conversation_title or self.tr('Untitled chat')}: {plain}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet.replace("«", "").replace("»", "")
        if role == SnippetHtmlRole:
            if hit.run_id is not None:
                return f"<i>{html.escape(self._run_label(hit))}:</i> " + marked_snippet_html(hit.snippet)
            who = self.tr("You") if hit.role is Role.USER else self.tr("Bot")
            if hit.in_source:
                who = self.tr("%1 (in a source)").replace("%1", who)
            return f"<i>{html.escape(who)}:</i> " + marked_snippet_html(hit.snippet)
        if role == TitleRole:
            if hit.run_id is not None:
                return self.tr("Workflow run: %1").replace("%1", hit.conversation_title)
            return hit.conversation_title or self.tr("Untitled chat")
        if role == RunIdRole:
            return hit.run_id
        if role == ConversationIdRole:
            return hit.conversation_id
        if role == MessageIdRole:
            return hit.message_id
        if role == TimeRole:
            return hit.created_at
        return None


    def _run_label(self, hit: SearchHit) -> str:
        """Where in a workflow run a hit is: "Workflow run · node 天气", "… · output", …"""
        where = {
            "output": self.tr("output"),
            "parameters": self.tr("parameters"),
            "interrupt": self.tr("question"),
            "answer": self.tr("your answer"),
            "error": self.tr("error"),
        }.get(hit.run_match)
        if where is None and hit.run_match == "node":
            where = self.tr("node %1").replace("%1", hit.run_node_title) if hit.run_node_title else self.tr("a node")
        if hit.run_match == "interrupt" and hit.run_node_title:
            where = self.tr("question of %1").replace("%1", hit.run_node_title)
        run = self.tr("Workflow run")
        return f"{run} · {where}" if where else run


class _ConversationDelegate(QStyledItemDelegate):
    """Two lines per chat: title (with a pin mark) and time (pulsing dots while a reply is being
    written); bot name below."""

    pulse = 0  # which of the streaming mark's three dots is lit

    def sizeHint(self, option: QStyleOptionViewItem, index: _ModelIndex) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(200, 2 * line + 18)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        opt, text_color, muted, rect, regular, bold, metrics, line = _draw_row_background(
            painter, option, index, self
        )
        painter.save()
        streaming = bool(index.data(StreamingRole))
        when = "" if streaming else short_time(float(index.data(TimeRole) or 0))
        dot = max(4, line // 4)  # the streaming mark's dot diameter
        time_width = 5 * dot + 4 if streaming else metrics.horizontalAdvance(when) + 4
        x = rect.left()
        if index.data(PinnedRole):
            _draw_pin(
                painter,
                QPoint(x + 4, rect.top() + line // 2 - 2),
                text_color if muted == text_color else theme.accent(opt.palette),
            )
            x += 14
        title_rect = QRect(x, rect.top(), rect.right() - x - time_width - 6, line)
        _draw_title(painter, title_rect, str(index.data() or ""), bold, text_color)
        painter.setFont(regular)
        painter.setPen(muted)
        if streaming:
            mark = QPoint(rect.right() - 5 * dot, rect.top() + line // 2)
            _draw_streaming_mark(painter, mark, dot, self.pulse, text_color)
        else:
            painter.drawText(
                QRect(rect.right() - time_width, rect.top(), time_width, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                when,
            )
        second_line = " · ".join(
            part for part in (str(index.data(BotNameRole) or ""), str(index.data(PreviewRole) or "")) if part
        )
        if second_line:
            second = QRect(rect.left(), rect.top() + line + 2, rect.width(), line)
            painter.drawText(
                second,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(second_line, Qt.TextElideMode.ElideRight, second.width()),
            )
        painter.restore()


class _Row(NamedTuple):
    """What painting a row's texts needs, once its background is drawn."""

    opt: QStyleOptionViewItem
    text_color: QColor  # titles
    muted: QColor  # times and second lines
    rect: QRect  # the row inside its padding
    regular: QFont
    bold: QFont  # titles
    metrics: QFontMetrics  # of the regular font
    line: int  # its line spacing


def _draw_row_background(
    painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex, delegate: QStyledItemDelegate
) -> _Row:
    """Draw the row's background (selection, hover) the style's way; return the colours, place and
    fonts to draw its texts with."""
    opt = QStyleOptionViewItem(option)
    delegate.initStyleOption(opt, index)
    opt.text = ""
    style = opt.widget.style() if opt.widget is not None else QApplication.style()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
    selected = bool(opt.state & QStyle.StateFlag.State_Selected)
    text = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
    regular = QFont(opt.font)
    bold = QFont(opt.font)
    bold.setBold(True)
    metrics = QFontMetrics(regular)
    return _Row(
        opt,
        text,
        text if selected else theme.muted_text(opt.palette),
        opt.rect.adjusted(12, 8, -12, -8),
        regular,
        bold,
        metrics,
        metrics.lineSpacing(),
    )


def _draw_title(painter: QPainter, rect: QRect, title: str, bold: QFont, color: QColor) -> None:
    """A row's title in bold on one line, cut with "…" to fit ``rect``."""
    painter.setFont(bold)
    painter.setPen(color)
    shown = QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)


def _draw_streaming_mark(painter: QPainter, left_center: QPoint, dot: int, lit: int, color: QColor) -> None:
    """Three dots in a row from ``left_center``, the ``lit`` one (0-2) solid, the others faint."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    radius = dot // 2 + 1
    for n in range(3):
        tint = QColor(color)
        tint.setAlphaF(1.0 if n == lit % 3 else 0.35)
        painter.setBrush(tint)
        painter.drawEllipse(QPoint(left_center.x() + radius + 2 * dot * n, left_center.y()), radius, radius)
    painter.restore()


def _draw_pin(painter: QPainter, center: QPoint, color: QColor) -> None:
    """A small push-pin: a round head with a needle."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(center, 4, 4)
    painter.setPen(color)
    painter.drawLine(center.x(), center.y() + 3, center.x(), center.y() + 8)
    painter.restore()


class _SearchHitDelegate(QStyledItemDelegate):
    """A hit: conversation title and time, then two lines of the snippet, matches highlighted.

    Every row is as tall as a title and two snippet lines of the tallest script (a CJK line in
    bold runs taller than a Latin one), so rows are even and each shows two whole lines.
    """

    def sizeHint(self, option: QStyleOptionViewItem, index: _ModelIndex) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(200, 16 + line + 4 + snippet_lines_height(option.font, SNIPPET_LINES))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        opt, text_color, muted, rect, regular, bold, metrics, line = _draw_row_background(
            painter, option, index, self
        )
        painter.save()
        when = short_time(float(index.data(TimeRole) or 0))
        time_width = metrics.horizontalAdvance(when) + 4
        title_rect = QRect(rect.left(), rect.top(), rect.width() - time_width - 6, line)
        _draw_title(painter, title_rect, str(index.data(TitleRole) or ""), bold, text_color)
        painter.setFont(regular)
        painter.setPen(muted)
        painter.drawText(
            QRect(rect.right() - time_width, rect.top(), time_width, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            when,
        )
        document = snippet_document(str(index.data(SnippetHtmlRole) or ""), regular, text_color, opt.palette)
        document.setTextWidth(rect.width())
        top = rect.top() + line + 4
        painter.translate(rect.left(), top)
        painter.setClipRect(QRect(0, 0, rect.width(), _fitting_height(document, rect.top() + rect.height() - top)))
        document.drawContents(painter)
        painter.restore()


SNIPPET_LINES = 2  # lines of snippet under a search hit's title
_SNIPPET_SAMPLE = "<b>Ag北京</b> Ag北京"  # bold and regular, Latin and CJK: the tallest line


@functools.lru_cache(maxsize=16)
def _snippet_lines_height(font_key: str, lines: int) -> int:
    font = QFont()
    font.fromString(font_key)
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(font)
    document.setHtml("<br>".join([_SNIPPET_SAMPLE] * lines))
    return math.ceil(document.size().height())


def snippet_lines_height(font: QFont, lines: int) -> int:
    """The height of ``lines`` snippet lines in ``font``, whatever script and weight they use."""
    return _snippet_lines_height(font.toString(), lines)


def snippet_document(html_text: str, font: QFont, color: QColor, palette: QPalette) -> QTextDocument:
    """A search snippet laid out for painting: matches (``<b>``) bold on a highlight colour.

    A background shows a match in CJK text too, where bold alone is hard to see; the colour is
    the one a message found by search flashes with, readable in light and dark themes.
    """
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet(
        f"body {{ color: {color.name()}; }} "
        f"b {{ background-color: {theme.search_highlight(palette).name()}; "
        f"color: {palette.color(QPalette.ColorRole.Text).name()}; }}"
    )
    document.setHtml(f"<body>{html_text}</body>")
    return document


def _fitting_height(document: QTextDocument, available: int) -> int:
    """The height of the whole lines of ``document`` that fit in ``available`` pixels."""
    layout = document.documentLayout()
    fitting = 0
    block = document.begin()
    while block.isValid():
        block_top = layout.blockBoundingRect(block).top()
        text_layout = block.layout()
        for number in range(text_layout.lineCount()):
            line = text_layout.lineAt(number)
            bottom = math.ceil(block_top + line.y() + line.height())
            if bottom > available:
                return fitting
            fitting = bottom
        block = block.next()
    return fitting


class ConversationListView(QWidget):
    """Search box, "New chat" button and the chat list (or search hits)."""

    conversation_activated = Signal(int)  # the user opened a chat: its id
    conversation_clicked = Signal(int)  # the user clicked a chat with the mouse (after it opened): its id
    new_chat_requested = Signal()
    conversation_renamed = Signal(int)  # renamed in the store: its id
    conversation_deleted = Signal(int)  # moved to the trash (after confirmation): its id
    pin_toggled = Signal(int, bool)  # pinned state changed in the store: id, now pinned
    search_hit_activated = Signal(int, int)  # conversation id, message id of the hit
    run_hit_activated = Signal(object)  # a hit in a workflow run: the SearchHit (run_id, run_part, …)
    # A hit in a knowledge-base passage: conversation id, answer's message id, passage's rank (1-based).
    source_hit_activated = Signal(int, int, int)

    def __init__(self, store: Store | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._programmatic = False
        self._confirm: Confirm = lambda title, text, action: ask_to_confirm(self, title, text, action)

        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(self.tr("Search all chats"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName(self.tr("Search all chats"))
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.installEventFilter(self)
        self.new_chat_button = QPushButton(self.tr("New chat"), self)
        self.new_chat_button.setToolTip(self.tr("Start a new chat"))
        self.new_chat_button.setAccessibleName(self.tr("New chat"))
        self.new_chat_button.clicked.connect(self.new_chat_requested)

        self.model = ConversationListModel(store, self)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setUniformItemSizes(True)
        self._delegate = _ConversationDelegate(self.list_view)
        self.list_view.setItemDelegate(self._delegate)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.setAccessibleName(self.tr("Chats"))
        self.list_view.customContextMenuRequested.connect(self._on_list_view_context_menu_requested)
        self.list_view.selectionModel().currentChanged.connect(self._on_list_view_current_changed)
        self.list_view.clicked.connect(self._on_list_view_clicked)
        self.list_view.installEventFilter(self)

        self.results_model = SearchResultsModel(self)
        self.results_view = QListView(self)
        self.results_view.setModel(self.results_model)
        self.results_view.setUniformItemSizes(True)
        self.results_view.setItemDelegate(_SearchHitDelegate(self.results_view))
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setAccessibleName(self.tr("Search results"))
        self.results_view.clicked.connect(self._on_results_view_clicked)
        self.results_view.installEventFilter(self)
        self.no_results_label = QLabel(self)
        self.no_results_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_results_label.setWordWrap(True)
        self.no_results_label.setTextFormat(Qt.TextFormat.PlainText)
        self.no_results_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.no_results_label.setContentsMargins(12, 24, 12, 12)

        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.list_view)
        self._pages.addWidget(self.results_view)
        self._pages.addWidget(self.no_results_label)

        self._streaming_timer = QTimer(self)
        self._streaming_timer.setInterval(STREAMING_PULSE_MS)
        self._streaming_timer.timeout.connect(self._on_streaming_timer_timeout)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)

        top = QHBoxLayout()
        top.setContentsMargins(8, 8, 8, 4)
        top.setSpacing(6)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_chat_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self._pages, 1)
        self.setAccessibleName(self.tr("Chat list"))

    # -------------------------------------------------------------------------------- public

    def set_store(self, store: Store | None) -> None:
        """Show the chats of another store (or none)."""
        self._store = store
        self._programmatic = True
        try:
            self.model.set_store(store)
        finally:
            self._programmatic = False
        self._on_search_timer_timeout()

    def set_confirm(self, confirm: Confirm) -> None:
        """How to ask before deleting (the main window's channel for questions)."""
        self._confirm = confirm

    def set_bot_names(self, names: Mapping[str, str] | Callable[[str], str]) -> None:
        """How to name bots under each chat: a bot id → name mapping or a function."""
        self.model.set_bot_names(names)

    def set_streaming(self, conversation_id: int, streaming: bool) -> None:
        """Show (or stop showing) that a reply is being written in a chat."""
        self.model.set_streaming(conversation_id, streaming)
        if self.model.streaming_ids():
            if not self._streaming_timer.isActive():
                self._streaming_timer.start()
        else:
            self._streaming_timer.stop()

    def _on_streaming_timer_timeout(self) -> None:
        self._delegate.pulse = (self._delegate.pulse + 1) % 3
        for conversation_id in self.model.streaming_ids():
            row = self.model.row_of(conversation_id)
            if row is not None:
                self.list_view.update(self.model.index(row))

    def refresh(self) -> None:
        """Reload the list from the store, keeping the selected chat selected."""
        selected = self.current_conversation_id()
        self._programmatic = True
        try:
            self.model.refresh()
            if selected is not None:
                self._select_row_of(selected)
        finally:
            self._programmatic = False

    def select_conversation(self, conversation_id: int | None) -> None:
        """Mark a chat as the open one (no signal); ``None`` clears the selection."""
        self._programmatic = True
        try:
            if conversation_id is None:
                self.list_view.selectionModel().clear()
            else:
                self._select_row_of(conversation_id)
        finally:
            self._programmatic = False

    def current_conversation_id(self) -> int | None:
        index = self.list_view.currentIndex()
        if not index.isValid() or not self.list_view.selectionModel().isSelected(index):
            return None
        value = index.data(ConversationIdRole)
        return int(value) if value is not None else None

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # ----------------------------------------------------------------------------- internals

    def _select_row_of(self, conversation_id: int) -> None:
        row = self.model.row_of(conversation_id)
        while row is None and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
            row = self.model.row_of(conversation_id)
        if row is None:
            self.list_view.selectionModel().clear()
            return
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, self.list_view.selectionModel().SelectionFlag.ClearAndSelect
        )
        self.list_view.scrollTo(index)

    def _on_list_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._programmatic or not current.isValid():
            return
        conversation_id = current.data(ConversationIdRole)
        if conversation_id is not None:
            self.conversation_activated.emit(int(conversation_id))

    def _on_list_view_clicked(self, index: QModelIndex) -> None:
        conversation_id = index.data(ConversationIdRole) if index.isValid() else None
        if conversation_id is not None:
            self.conversation_clicked.emit(int(conversation_id))

    def context_menu(self, conversation_id: int) -> QMenu:
        """The actions offered for a chat: rename, pin or unpin, delete."""
        row = self.model.row_of(conversation_id)
        pinned = row is not None and self.model.summary(row).conversation.pinned
        menu = QMenu(self)
        menu.addAction(self.tr("Rename…"), lambda: self._rename(conversation_id))
        menu.addAction(
            self.tr("Unpin") if pinned else self.tr("Pin to top"),
            lambda: self._set_pinned(conversation_id, not pinned),
        )
        menu.addSeparator()
        menu.addAction(self.tr("Delete…"), lambda: self._delete(conversation_id))
        return menu

    def _on_list_view_context_menu_requested(self, position: QPoint) -> None:
        index = self.list_view.indexAt(position)
        if not index.isValid():
            return
        menu = self.context_menu(int(index.data(ConversationIdRole)))
        menu.exec(self.list_view.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _rename(self, conversation_id: int) -> None:
        if self._store is None:
            return
        row = self.model.row_of(conversation_id)
        current = self.model.summary(row).conversation.title if row is not None else ""
        title, accepted = QInputDialog.getText(
            self, self.tr("Rename chat"), self.tr("New name:"), QLineEdit.EchoMode.Normal, current
        )
        title = title.strip()
        if not accepted or not title or title == current:
            return
        if self._write(
            lambda store: store.rename_conversation(conversation_id, title), self.tr("Could not rename")
        ):
            self.refresh()
            self.conversation_renamed.emit(conversation_id)

    def _set_pinned(self, conversation_id: int, pinned: bool) -> None:
        if self._write(lambda store: store.set_pinned(conversation_id, pinned), self.tr("Could not pin")):
            self.refresh()
            self.pin_toggled.emit(conversation_id, pinned)

    def _delete(self, conversation_id: int) -> None:
        if self._store is None:
            return
        row = self.model.row_of(conversation_id)
        title = (self.model.summary(row).conversation.title if row is not None else "") or self.tr(
            "Untitled chat"
        )
        if not self._confirm(
            self.tr("Delete chat"),
            self.tr("Move “%1” to Recently deleted? You can restore it there for %2 days.")
            .replace("%2", str(TRASH_DAYS))
            .replace("%1", title),
            self.tr("Move to trash"),
        ):
            return
        if self._write(lambda store: store.trash_conversation(conversation_id), self.tr("Could not delete")):
            self.refresh()
            self.conversation_deleted.emit(conversation_id)

    def _write(self, change: Callable[[Store], None], failure_title: str) -> bool:
        """Apply a change to the store; tell the user if it fails."""
        if self._store is None:
            return False
        try:
            change(self._store)
        except StoreError as error:
            logger.warning("%s: %s", failure_title, error)
            QMessageBox.warning(self, failure_title, str(error))
            self.refresh()
            return False
        return True

    def _on_search_box_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self._pages.setCurrentWidget(self.list_view)

    def _on_search_timer_timeout(self) -> None:
        query = self.search_box.text().strip()
        if not query:
            self._pages.setCurrentWidget(self.list_view)
            return
        hits: list[SearchHit] = []
        if self._store is not None:
            try:
                hits = self._store.search(query, limit=SEARCH_LIMIT)
            except StoreError:
                logger.exception("search failed")
        self.results_model.set_hits(hits)
        if hits:
            self._pages.setCurrentWidget(self.results_view)
        else:
            self.no_results_label.setText(self.tr("No messages match “%1”.").replace("%1", query))
            self._pages.setCurrentWidget(self.no_results_label)

    def _on_results_view_clicked(self, index: QModelIndex) -> None:
        self._activate_hit(index)

    def _activate_hit(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.results_model.hit(index.row())
            if hit.run_id is not None:
                self.run_hit_activated.emit(hit)
            elif hit.in_source and hit.source_rank > 0:
                self.source_hit_activated.emit(hit.conversation_id, hit.message_id, hit.source_rank)
            else:
                self.search_hit_activated.emit(hit.conversation_id, hit.message_id)

    def _clear_search(self) -> None:
        self.search_box.clear()
        self._pages.setCurrentWidget(self.list_view)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search_box:
            if key == Qt.Key.Key_Escape and self.search_box.text():
                self._clear_search()
                return True
            searching = self._pages.currentWidget() is self.results_view
            if key == Qt.Key.Key_Down:
                view = self.results_view if searching else self.list_view
                view.setFocus()
                if not view.currentIndex().isValid() and view.model().rowCount() > 0:
                    view.setCurrentIndex(view.model().index(0, 0))
                return True
            if enter and searching:
                self._search_timer.stop()
                self._activate_hit(self.results_model.index(0))
                return True
        elif watched is self.results_view:
            if enter:
                self._activate_hit(self.results_view.currentIndex())
                return True
            if key == Qt.Key.Key_Escape:
                self._clear_search()
                self.search_box.setFocus()
                return True
        elif watched is self.list_view:
            current = self.list_view.currentIndex()
            if current.isValid() and key == Qt.Key.Key_F2:
                self._rename(int(current.data(ConversationIdRole)))
                return True
            if current.isValid() and key == Qt.Key.Key_Delete:
                self._delete(int(current.data(ConversationIdRole)))
                return True
        return False

    def changeEvent(self, event: QEvent) -> None:
        """Follow a language change at once: fixed texts, rows, and the search shown."""
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.search_box.setPlaceholderText(self.tr("Search all chats"))
        self.search_box.setAccessibleName(self.tr("Search all chats"))
        self.new_chat_button.setText(self.tr("New chat"))
        self.new_chat_button.setToolTip(self.tr("Start a new chat"))
        self.new_chat_button.setAccessibleName(self.tr("New chat"))
        self.list_view.setAccessibleName(self.tr("Chats"))
        self.results_view.setAccessibleName(self.tr("Search results"))
        self.setAccessibleName(self.tr("Chat list"))
        self.list_view.viewport().update()  # the rows' texts are translated as they are painted
        self.results_view.viewport().update()
        if self.search_box.text().strip():
            self._search_timer.start()  # the "no results" line and the hits again
