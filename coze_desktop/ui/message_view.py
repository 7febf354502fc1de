"""The conversation in the centre of the window: questions, answers, streaming, errors.

One light widget per message in a scroll area, in a centred column of readable width:

* a question is a tinted bubble on the right with the user's text, shown as typed;
* an answer sits on the left under the bot's name, rendered as Markdown (tables, links,
  highlighted code; see :mod:`coze_desktop.ui.markdown`), with its reasoning collapsed above
  it (while the bot thinks, "Thinking…" with the reasoning streaming live, collapsed once the
  answer starts), follow-up suggestions below, a banner saying why a reply failed or stopped,
  and a footer with its sources, duration and tokens. Citations (``[1]``) link to its sources.

Only what a message needs is built (no reasoning view without reasoning, no banner without
a problem), and text views size themselves to their document, so a page of 50 messages is
cheap and long conversations come in pages: the caller shows the newest page with
``has_older=True`` and answers :attr:`MessageView.older_requested` with
:meth:`MessageView.prepend_messages`.

Streaming costs what the new text costs, whatever the answer's length: an answer is a column of
segments (:class:`_AnswerBody`, :mod:`coze_desktop.ui.segments`); :meth:`MessageView.append_reply`
inserts plain text at the end of the last one with a cursor, at most a few thousand characters
per pass of the event loop; that segment is re-rendered as Markdown on a throttle (at most every
250 ms, less often when rendering gets slow), a segment the stream has left is rendered once, and
the end of a reply renders only what is not rendered yet. A code fence the stream opens is shown
as a code block at once (closed virtually until its closing line arrives), and the text streamed
into it goes into that block; the fence's closing line renders the segment again at once too.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import time
from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QEasingCurve,
    QEvent,
    QLocale,
    QObject,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    QUrl,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QEnterEvent,
    QFontMetrics,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrame,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.api.errors import ErrorKind, classify
from coze_desktop.domain import Bot, Message, MessageState, Role, Source
from coze_desktop.ui import theme
from coze_desktop.ui.elided import ElidedButton
from coze_desktop.ui.formatting import answer_stats
from coze_desktop.ui.markdown import (
    citation_number,
    code_block_index,
    fixed_font,
    open_web_link,
    render_markdown,
    warm_up_steps,
)
from coze_desktop.ui.message_versions import QuestionEditor, VersionSwitcher
from coze_desktop.ui.segments import Segment, Segmenter, closing_fence, fenced_code, split_segments

RENDER_MIN_INTERVAL_MS = 250  # Markdown re-render while streaming: at most 4 times a second...
RENDER_MAX_INTERVAL_MS = 2000  # ...and at least every 2 s
RENDER_COST_FACTOR = 8  # wait 8x the last render's duration: rendering stays under ~12% of the time
# Qt lays out a whole paragraph again on every insert: while streaming, a paragraph longer than
# this is continued in a new one on screen (the Markdown render restores the real paragraph).
STREAM_BLOCK_MAX_CHARS = 1_500
# Streamed text shown per pass of the event loop: when more has arrived, the rest waits for the
# next pass, so timers, painting and input run in between (bench/ui_stream.py).
STREAM_CHARS_PER_PASS = 2_000
# Segments of a long answer still to render are rendered this long per pass of the event loop
# (at least one per pass), the last first; the rest on the next passes.
RENDER_PASS_BUDGET_MS = 8
WARM_UP_DELAY_MS = 100  # after the view is first shown, rendering's one-time costs are paid at idle
OLDER_THRESHOLD_PX = 120  # scrolled this close to the top: ask for the previous page
_BOTTOM_SLACK_PX = 8  # "at the bottom" tolerance for following a streaming answer
_PIN_SETTLE_MS = 600  # how long a prepend or a jump keeps its anchor while the layout settles
_NATURAL_WIDTH_CHARS = 400  # a question line longer than this is wider than any bubble
_QUESTION_MAX_RATIO = 0.8  # a question bubble takes at most this share of the column
_FLASH_MS = 2600  # a message a search jumped to glows this long
_CITATION_TIP_CHARS = 500  # a citation's tooltip shows this much of the passage
_W = TypeVar("_W", bound=QWidget)


def _format_time(timestamp: float) -> str:
    """A message's local time: the time alone today, else date and time (locale's short formats)."""
    if timestamp <= 0:
        return ""
    moment = QDateTime.fromMSecsSinceEpoch(int(timestamp * 1000))
    locale = QLocale()
    if moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


def _insert_plain(cursor: QTextCursor, text: str, char_format: QTextCharFormat | None = None) -> None:
    """Insert ``text`` as plain paragraphs (in ``char_format``, by default the plain one): new
    lines never inherit a list or heading format."""
    char_format = QTextCharFormat() if char_format is None else char_format
    first, *rest = text.split("\n")
    if first:
        cursor.insertText(first, char_format)
    for line in rest:
        cursor.insertBlock(QTextBlockFormat(), char_format)
        if line:
            cursor.insertText(line, char_format)


def _insert_streamed(cursor: QTextCursor, text: str, char_format: QTextCharFormat | None = None) -> None:
    """Insert plain text at the end; a paragraph on screen never grows past STREAM_BLOCK_MAX_CHARS."""
    while text:
        room = STREAM_BLOCK_MAX_CHARS - cursor.block().length()
        if room <= 0:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat() if char_format is None else char_format)
            continue
        newline = text.find("\n", 0, room)
        cut = room if newline < 0 else newline + 1
        _insert_plain(cursor, text[:cut], char_format)
        text = text[cut:]


def _last_code_frame(document: QTextDocument) -> QTextFrame | None:
    """The frame of the last code block, if the document ends with one (markdown._frame_code_block)."""
    frames = [f for f in document.rootFrame().childFrames() if type(f) is QTextFrame]
    if not frames:
        return None
    frame = frames[-1]
    after = QTextCursor(document)
    after.setPosition(frame.lastPosition() + 1)
    after.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    return frame if not after.selectedText().strip() else None


def _has_code(text: str, fence: str = "") -> bool:
    """Does the code block that ``fence + text`` begins with have a line that is not blank (Qt
    leaves out an empty one)?"""
    return any(line.strip() for line in fenced_code(fence + text, 0))


def _display_markdown(text: str) -> str:
    """The Markdown to render for display: a paragraph line longer than STREAM_BLOCK_MAX_CHARS
    (outside code fences and tables) is shown as several paragraphs, because Qt lays out a whole
    paragraph at once. The message's own text is not changed."""
    if len(text) <= STREAM_BLOCK_MAX_CHARS:
        return text
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence and stripped.startswith(fence) else (fence or stripped[:3])
        if fence or len(line) <= STREAM_BLOCK_MAX_CHARS or stripped.startswith("|"):
            out.append(line)
            continue
        pieces = [line[i : i + STREAM_BLOCK_MAX_CHARS] for i in range(0, len(line), STREAM_BLOCK_MAX_CHARS)]
        out.append("\n\n".join(pieces))
    return "\n".join(out)


@functools.cache
def _action_button_height() -> int:
    probe = QToolButton()
    probe.setText(QCoreApplication.translate("_MessageWidget", "Copy"))  # the real label: CJK runs taller
    probe.setAutoRaise(True)
    return probe.sizeHint().height()


class _TextView(QTextBrowser):
    """A read-only text view as tall as its document: no scroll bars, wheel goes to the page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setOpenLinks(False)
        self.viewport().setAutoFillBackground(False)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        document = self.document()
        document.setDocumentMargin(2)
        document.setUndoRedoEnabled(False)  # undo records would make every streamed piece cost more
        self._natural_width = 0
        # The tooltip of a cite:<n> link (source n's passage); None: citations get no tooltip.
        self.citation_tip: Callable[[int], str] | None = None
        # Laid out lazily at the view's width; the height follows whenever Qt lays it out.
        document.documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)
        self.highlighted.connect(self._on_self_highlighted)

    def adopt_document(self, document: QTextDocument) -> None:
        """Show ``document`` (built off-screen) instead of the current one, with the same settings."""
        old = self.document()
        document.setDocumentMargin(old.documentMargin())
        document.setUndoRedoEnabled(False)
        document.setDefaultFont(old.defaultFont())
        document.setParent(self)  # owned by the view: Qt deletes it when it is replaced in turn
        # Connected first: setDocument lays the document out (at the view's width) and says so.
        document.documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)
        self.setDocument(document)  # deletes the old document, a child of this view

    def set_natural_width(self, width: int) -> None:
        """The width this view would like (its size hint); 0 lets the layout decide."""
        self._natural_width = width
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self._natural_width:
            hint.setWidth(self._natural_width + 2 * self.frameWidth())
        hint.setHeight(self.height())
        return hint

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.height())

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the page scrolls, not the message

    def _height_for(self, size: QSizeF) -> int:
        return math.ceil(size.height()) + 2 * self.frameWidth()

    def _on_layout_size_changed(self, size: QSizeF) -> None:
        height = self._height_for(size)
        if height != self.height():
            self.setFixedHeight(height)

    def _on_self_highlighted(self, url: QUrl) -> None:
        # Show where a link goes before it is clicked; a citation shows its source's passage.
        number = citation_number(url)
        if number is not None:
            tip = self.citation_tip(number) if self.citation_tip is not None else ""
        elif url.isEmpty() or code_block_index(url) is not None:
            tip = ""
        else:
            tip = url.toString()
        self.viewport().setToolTip(tip)


class _Bubble(QFrame):
    """The rounded, tinted background of a question."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.question_background(self.palette()))
        painter.drawRoundedRect(self.rect(), 14, 14)


class _RenderQueue(QObject):
    """The answers with segments still to render, shared by all views: on each pass of the event
    loop it renders for :data:`RENDER_PASS_BUDGET_MS` in all, the answer asked last (the newest
    message of a page) first."""

    _shared: _RenderQueue | None = None

    @classmethod
    def shared(cls) -> _RenderQueue:
        if cls._shared is None or not shiboken6.isValid(cls._shared):
            cls._shared = cls(QCoreApplication.instance())  # deleted with the application
        return cls._shared

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self._bodies: list[_AnswerBody] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    def add(self, body: _AnswerBody) -> None:
        if body in self._bodies:
            self._bodies.remove(body)
        self._bodies.append(body)
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        started = time.perf_counter()
        first = True
        while self._bodies:
            body = self._bodies.pop()
            if not shiboken6.isValid(body):
                continue  # its message was removed meanwhile
            spent_ms = (time.perf_counter() - started) * 1000
            if not body._render_pending(RENDER_PASS_BUDGET_MS - spent_ms, at_least_one=first):
                break  # it is back in the queue, last: first on the next pass
            first = False
        if self._bodies:
            self._timer.start()


class _ShownSegment:
    """One segment of an answer on screen: its view, its text, and whether the view shows that
    text rendered (``False``: plain streamed text, an older text, or nothing yet)."""

    __slots__ = ("code_blocks", "rendered", "segment", "view")

    def __init__(self, view: _TextView, segment: Segment) -> None:
        self.view = view
        self.segment = segment
        self.rendered = False
        self.code_blocks: list[str] = []  # what each "Copy code" link of this segment copies


_NO_FENCE = ("", -1, False)


class _AnswerBody(QWidget):
    """An answer's text: a column of views, one per segment (:mod:`coze_desktop.ui.segments`).

    Every step costs what one segment costs, whatever the answer's length: a finished answer is
    rendered segment by segment (the last at once, the others by :class:`_RenderQueue`); while it
    streams, the pieces go into the last segment as plain text, re-rendered as Markdown on a
    throttle, and a segment the stream has left is rendered once, when it closes. Answers under
    :data:`~coze_desktop.ui.segments.SEGMENT_TARGET_CHARS` characters are a single view.

    ``watcher`` gets the events of every view and its viewport (focus, clicks); every view has
    ``accessible_name``. Citations of the answer's sources (:meth:`set_sources`) are links:
    clicking one emits :attr:`citation_clicked`, hovering shows the passage.
    """

    citation_clicked = Signal(int)  # the source (1-based) a citation link in the text points at

    def __init__(self, watcher: QObject, accessible_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._watcher = watcher
        self._accessible_name = accessible_name
        self._sources: list[Source] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._segments: list[_ShownSegment] = []
        self._segmenter: Segmenter | None = None  # while streaming
        self._cursor: QTextCursor | None = None  # where the next streamed piece goes
        self._cursor_format: QTextCharFormat | None = None  # how it is written (None: plain)
        # The code fence the segment being streamed into was last rendered inside (see _fence_state).
        self._shown_fence: tuple[str, int, bool] = _NO_FENCE
        self._behind = False  # the streamed segment's view lacks text: render it before inserting more
        self._render_interval = RENDER_MIN_INTERVAL_MS
        self._rendered_at = 0.0  # when the segment being streamed into was last rendered
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._on_render_timer_timeout)

    # -------------------------------------------------------------------------------- public

    def documents(self) -> list[QTextDocument]:
        """The documents on screen, every segment rendered (the renders still due are done now)."""
        self._render_pending(None)
        return [shown.view.document() for shown in self._segments]

    def set_sources(self, sources: list[Source]) -> None:
        """The answer's sources: citations up to their number become links (rendered again if
        that number changed)."""
        changed = len(sources) != len(self._sources)
        self._sources = list(sources)
        if changed and self._segments:
            self.restyle()

    def citation_tip(self, number: int) -> str:
        """The tooltip of a citation of source ``number``: its document and passage."""
        if not 1 <= number <= len(self._sources):
            return ""
        source = self._sources[number - 1]
        name = source.document or source.title or self.tr("Untitled document")
        passage = source.slice.strip()
        if len(passage) > _CITATION_TIP_CHARS:
            passage = passage[:_CITATION_TIP_CHARS].rstrip() + "…"
        heading = self.tr("Source %1: %2").replace("%1", str(number)).replace("%2", name)
        return f"{heading}\n{passage}" if passage else heading

    def show_text(self, text: str) -> None:
        """Show finished ``text`` rendered: views already showing a segment of it are kept."""
        segmenter, streamed = self._segmenter, self._text()
        self._stop_stream()
        if segmenter is not None and text.startswith(streamed):
            # The end of a stream: cut only the text the stream had not shown yet.
            closed = [shown.segment for shown in self._segments[:-1]]
            segments = [*closed, *segmenter.feed(text[len(streamed) :]), segmenter.open_segment]
        else:
            segments = split_segments(text)
        self._show_segments(segments)
        self._render_pending(0)  # the end now (the newest text), the rest queued

    def start_stream(self, text: str) -> None:
        """Continue the answer shown so far, ``text``, with :meth:`append`."""
        self._segmenter = Segmenter()
        self._show_segments([*self._segmenter.feed(text), self._segmenter.open_segment])
        last = self._segments[-1]
        if not last.rendered or self._segmenter.open_fence()[0]:
            self._render_streamed(last)
        self._render_pending(0, at_least_one=False)  # the others queued
        self._reset_cursor()

    def append(self, text: str) -> None:
        """Add a streamed piece: plain text at the end, or the segment rendered with it when the
        throttle allows (see :meth:`_render_open`); a segment the piece closes is rendered now."""
        if self._segmenter is None:
            return
        closed = self._segmenter.feed(text)
        if closed:
            # The open view holds the first segment that closed; render each closed one once.
            for index, segment in enumerate(closed):
                shown = self._segments[-1] if index == 0 else self._add_view(segment)
                shown.segment = segment
                self._render(shown)
            self._add_view(self._segmenter.open_segment)
            self._cursor = QTextCursor(self._segments[-1].view.document())
            text = self._segmenter.open_segment.text  # what the stream has put in the new segment
        last = self._segments[-1]
        last.segment = self._segmenter.open_segment
        fence = self._fence_state()
        if fence[0] and not fence[2]:
            # A code block opened and has no code yet: its fence line is never shown as text; the
            # block appears with its first line of code.
            last.rendered = False
            self._behind = True
            self._render_timer.start(self._render_interval)
            return
        if (
            self._behind  # the view lacks text it was not given
            or fence != self._shown_fence  # a code block got its first code, or closed
            or (closed and fence[0])  # a new segment that begins inside a code block
        ):
            if closed:
                # This pass rendered the closed segments: the new one gets a pass of its own.
                last.rendered = False
                self._behind = True
                self._render_timer.start(0)
                return
            self._render_open()  # the new text with it: one render, no insert, this pass
            return
        if not closed and (time.perf_counter() - self._rendered_at) * 1000 >= self._render_interval:
            self._render_open()  # the new text with it: one render, no insert, this pass
            return
        if self._cursor is None:
            self._reset_cursor()
        assert self._cursor is not None
        last.rendered = False
        _insert_streamed(self._cursor, text, self._cursor_format)
        self._render_timer.start(self._render_interval)  # restarted: it fires once the stream pauses

    def restyle(self) -> None:
        """Render every segment again (a new palette), the last first."""
        for shown in self._segments:
            shown.rendered = False
        if self._segmenter is not None:
            self._render_streamed(self._segments[-1])  # the segment being streamed into
            self._reset_cursor()
        self._render_pending(0)

    # ------------------------------------------------------------------------------ internals

    def _text(self) -> str:
        """The text the segments hold (while streaming: all the stream has been fed)."""
        return "".join(shown.segment.text for shown in self._segments)

    def _stop_stream(self) -> None:
        self._segmenter = None
        self._cursor = None
        self._cursor_format = None
        self._shown_fence = _NO_FENCE
        self._behind = False
        self._render_timer.stop()

    def _fence_state(self) -> tuple[str, int, bool]:
        """The code fence the streamed text ends inside: its opening line, where that line is in
        the whole text, and whether the block has code yet (Qt leaves out an empty block);
        ``_NO_FENCE`` outside fences."""
        assert self._segmenter is not None
        fence, start = self._segmenter.open_fence()
        if not fence:
            return _NO_FENCE
        segment = self._segmenter.open_segment
        where = segment.start + start if start >= 0 else segment.fence_start
        if self._shown_fence[:2] == (fence, where) and self._shown_fence[2]:
            return self._shown_fence  # it had code already: it still has
        code = segment.prefix + segment.text if start < 0 else segment.text[start:]
        return fence, where, _has_code(code)

    def _render_streamed(self, shown: _ShownSegment) -> None:
        """Render the segment being streamed into; a code block it ends inside is closed for the
        render (it shows as a code block, not as text, until its closing line arrives)."""
        self._shown_fence = fence = self._fence_state()
        self._behind = False
        closing = ""
        if fence[0]:
            closing = ("" if shown.segment.text.endswith("\n") else "\n") + closing_fence(fence[0]) + "\n"
        self._render(shown, closing)

    def _show_segments(self, segments: list[Segment]) -> None:
        """One view per segment: views that show the same segment rendered keep it."""
        for index, segment in enumerate(segments):
            if index < len(self._segments):
                shown = self._segments[index]
                if shown.segment != segment:
                    shown.segment = segment
                    shown.rendered = False
            else:
                self._add_view(segment)
        for shown in self._segments[len(segments) :]:
            shown.view.hide()
            self._layout.removeWidget(shown.view)
            shown.view.deleteLater()
        del self._segments[len(segments) :]

    def _add_view(self, segment: Segment) -> _ShownSegment:
        view = _TextView(self)
        view.setAccessibleName(self._accessible_name)
        view.citation_tip = self.citation_tip
        view.installEventFilter(self._watcher)
        view.viewport().installEventFilter(self._watcher)
        shown = _ShownSegment(view, segment)
        view.anchorClicked.connect(lambda url, shown=shown: self._on_anchor_clicked(shown, url))
        self._layout.addWidget(view)
        self._segments.append(shown)
        return shown

    def _render(self, shown: _ShownSegment, closing: str = "") -> None:
        """Show a segment rendered: built in a new document, which the view then lays out once
        (rendering into the shown document would make Qt lay it out after every styling step).
        ``closing`` is rendered after the text (a streamed segment's virtual closing fence)."""
        segment = shown.segment
        view = shown.view
        document = QTextDocument(view)
        document.setDefaultFont(view.document().defaultFont())
        shown.code_blocks = render_markdown(
            document,
            _display_markdown(segment.prefix + segment.text + closing),
            self.palette(),
            citations=len(self._sources),
        )
        if shown is not self._segments[0]:
            # The segment before ends with its paragraph's bottom margin already.
            block = document.rootFrame().firstCursorPosition()
            block_format = block.blockFormat()
            block_format.setTopMargin(0)
            block.setBlockFormat(block_format)
        view.adopt_document(document)
        shown.rendered = True

    def _render_pending(self, budget_ms: float | None, *, at_least_one: bool = True) -> bool:
        """Render the segments not shown rendered, the last first, for about ``budget_ms`` (and at
        least one, unless told otherwise); the rest on the next passes of the event loop
        (:class:`_RenderQueue`). ``None``: all of them now. The segment a stream goes into is the
        throttle's (:meth:`_render_open`). Returns whether all are rendered."""
        started = time.perf_counter()
        segments = self._segments if self._segmenter is None else self._segments[:-1]
        last_ms = 0.0  # the last render's duration: the next one is expected to cost as much
        for shown in reversed(segments):
            if shown.rendered:
                continue
            elapsed_ms = (time.perf_counter() - started) * 1000
            if budget_ms is not None and (last_ms or not at_least_one) and elapsed_ms + last_ms >= budget_ms:
                _RenderQueue.shared().add(self)
                return False
            self._render(shown)
            last_ms = (time.perf_counter() - started) * 1000 - elapsed_ms
        return True

    def _reset_cursor(self) -> None:
        self._cursor_format = None
        last = self._segments[-1]
        fence, _where, has_code = self._shown_fence
        frame = _last_code_frame(last.view.document()) if fence and has_code else None
        if frame is not None:
            # Inside a code block: go on at the end of its code, in the code's font.
            cursor = frame.lastCursorPosition()
            self._cursor_format = QTextCharFormat()
            self._cursor_format.setFont(fixed_font())
            if last.segment.text.endswith("\n"):
                cursor.insertBlock(QTextBlockFormat(), self._cursor_format)  # the line being written
            self._cursor = cursor
            return
        cursor = QTextCursor(last.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.blockFormat().lineHeightType() == QTextBlockFormat.LineHeightTypes.FixedHeight.value:
            cursor.setBlockFormat(QTextBlockFormat())  # the squeezed block after a code frame
        self._cursor = cursor

    def _on_render_timer_timeout(self) -> None:
        """The stream has paused (or a render was left to a pass of its own): render the segment
        it goes into, if it is not shown rendered."""
        if self._segmenter is not None and not self._segments[-1].rendered:
            self._render_open()

    def _render_open(self) -> None:
        """The throttled render of the segment being streamed into: while text keeps coming, at
        most every ``_render_interval`` ms, a pass of :meth:`append` of its own; else when the stream
        pauses (:meth:`_on_render_timer_timeout`)."""
        last = self._segments[-1]
        started = time.perf_counter()
        self._render_streamed(last)
        self._reset_cursor()
        last.view.document().size()  # lay it out now, so the cost measured below is the whole cost
        self._rendered_at = time.perf_counter()
        elapsed_ms = (self._rendered_at - started) * 1000
        self._render_interval = int(
            min(max(RENDER_MIN_INTERVAL_MS, RENDER_COST_FACTOR * elapsed_ms), RENDER_MAX_INTERVAL_MS)
        )
        self._render_timer.stop()

    def _on_anchor_clicked(self, shown: _ShownSegment, url: QUrl) -> None:
        number = citation_number(url)
        if number is not None:
            self.citation_clicked.emit(number)  # shown in the sources panel, never opened
            return
        index = code_block_index(url)
        if index is None:
            open_web_link(url)
        elif 0 <= index < len(shown.code_blocks):
            QGuiApplication.clipboard().setText(self._whole_code_block(shown, index))

    def _whole_code_block(self, shown: _ShownSegment, index: int) -> str:
        """The text of a code block; for one cut into segments, all of it, read from the Markdown
        (a segment that begins inside a code block has its fence as prefix)."""
        segments = self._segments
        position = segments.index(shown)
        segment = shown.segment
        fence_start = -1
        if index == 0 and segment.fence_start >= 0 and _has_code(segment.text, segment.prefix):
            fence_start = segment.fence_start  # this block began in a segment before
        elif index == len(shown.code_blocks) - 1 and position + 1 < len(segments):
            after = segments[position + 1].segment
            if segment.start <= after.fence_start and _has_code(segment.text[after.fence_start - segment.start :]):
                fence_start = after.fence_start  # this block goes on in the next segment
        if fence_start < 0:
            return shown.code_blocks[index]
        return "\n".join(fenced_code(self._text(), fence_start))



class _MessageWidget(QFrame):
    """One question or answer. Emits ``triggered(message_key, action)`` for its buttons.

    The copy/regenerate/delete buttons are built the first time the pointer or the keyboard
    focus reaches the message (the latest message has them from the start), and shown while
    it is hovered or focused; the footer keeps their height reserved so nothing jumps.
    """

    triggered = Signal(int, str)  # message key, action: copy/regenerate/delete/retry/select/sources/edit/...
    follow_up_clicked = Signal(str)
    citation_clicked = Signal(int, int)  # message key, source number (1-based) a citation points at
    edited = Signal(int, str)  # message key, the edited question's text to send

    def __init__(self, key: int, message: Message, assistant_name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.key = key
        self._message = message
        self._assistant_name = assistant_name
        self._latest = False
        self._selected = False
        self._flash = 0.0
        self._flash_animation: QVariantAnimation | None = None
        # Streaming state: the raw text as it came.
        self._chunks: list[str] = []
        self._reasoning_chunks: list[str] = []
        # Parts built only when needed.
        self._reasoning_toggle: QToolButton | None = None
        self._reasoning_view: _TextView | None = None
        self._reasoning_expanded = False
        # The user opened or closed the reasoning of the reply being written: it is not expanded
        # or collapsed for them any more.
        self._reasoning_chosen = False
        self._follow_ups: QWidget | None = None
        self._banner: _Banner | None = None
        self._footer_info: QWidget | None = None
        self._actions: QWidget | None = None
        self._action_buttons: dict[str, QToolButton] = {}
        self._versions: VersionSwitcher | None = None
        self._editor: QuestionEditor | None = None

        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 2)
        self._layout.setSpacing(4)
        self._layout.addLayout(self._build_header())
        # A question is one plain-text view in a bubble; an answer, a column of rendered segments.
        self._question: _TextView | None = None
        self._answer: _AnswerBody | None = None
        self._body: QWidget
        if self.is_question:
            self._question = self._body = _TextView(self)
            self._question.viewport().installEventFilter(self)
            self._question.installEventFilter(self)
            self._bubble = _Bubble(self)
            bubble_layout = QVBoxLayout(self._bubble)
            bubble_layout.setContentsMargins(14, 9, 14, 9)
            bubble_layout.addWidget(self._question)
            self._question.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addStretch(1)
            row.addWidget(self._bubble)
            self._layout.addLayout(row)
            self._question.setAccessibleName(self.tr("Question"))
        else:
            self._answer = self._body = _AnswerBody(self, self.tr("Answer"), self)
            self._answer.citation_clicked.connect(self._on_answer_citation_clicked)
            self._layout.addWidget(self._answer)
        self._footer = QHBoxLayout()
        self._footer.setContentsMargins(0, 0, 0, 0)
        self._footer.setSpacing(8)
        self._footer.addStretch(1)
        # Keep the footer as tall as the action buttons, so showing them moves nothing.
        self._footer.addSpacerItem(
            QSpacerItem(0, _action_button_height(), QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        )
        self._layout.addLayout(self._footer)
        self._apply_message(message)

    # ------------------------------------------------------------------------------ building

    @property
    def is_question(self) -> bool:
        return self._message.role is Role.USER

    @property
    def message(self) -> Message:
        """The message as shown, with the text streamed so far."""
        if self._chunks or self._reasoning_chunks:
            return dataclasses.replace(
                self._message, text="".join(self._chunks), reasoning="".join(self._reasoning_chunks)
            )
        return self._message

    @property
    def is_streaming(self) -> bool:
        return self._message.state is MessageState.STREAMING

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(8)
        self._name_label = QLabel(self)
        self._time_label = QLabel(self)
        self._time_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if self.is_question:
            self._name_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            header.addStretch(1)
            header.addWidget(self._name_label)
            header.addWidget(self._time_label)
        else:
            font = self._name_label.font()
            font.setBold(True)
            self._name_label.setFont(font)
            header.addWidget(self._name_label)
            header.addWidget(self._time_label)
            header.addStretch(1)
        return header

    def _apply_message(self, message: Message) -> None:
        """Show ``message`` in full (final state): text, reasoning, follow-ups, banner, footer."""
        self._message = message
        self._chunks = []
        self._reasoning_chunks = []
        self._name_label.setText(self.tr("You") if self.is_question else self._assistant_name)
        self._update_time_label()
        if self._question is not None:
            self._question.setPlainText(message.text)
            self._question.set_natural_width(self._natural_text_width(message.text))
        else:
            assert self._answer is not None
            self._answer.set_sources(message.sources)
            self._answer.show_text(message.text)
            self._set_reasoning(message.reasoning)
            if not self.is_streaming and self._reasoning_expanded and not self._reasoning_chosen:
                self.set_reasoning_expanded(False)  # opened for the thinking, not by the user
            self._clear_follow_ups()
            if self._latest:
                self._build_follow_ups()
            self._set_banner()
            self._set_footer_info()
        self._set_versions()
        self._update_actions()
        if self.is_streaming:
            self._start_streaming()

    def set_assistant_name(self, name: str) -> None:
        self._assistant_name = name
        if not self.is_question:
            self._name_label.setText(name)

    def _update_time_label(self) -> None:
        if self.is_streaming:
            self._time_label.setText(self.tr("Writing…"))
        else:
            self._time_label.setText(_format_time(self._message.created_at))

    def _natural_text_width(self, text: str) -> int:
        assert self._question is not None
        metrics = QFontMetrics(self._question.font())
        widest = 0
        for line in itertools.islice(text.splitlines() or [""], 200):
            if len(line) > _NATURAL_WIDTH_CHARS:
                return 10_000
            widest = max(widest, metrics.horizontalAdvance(line))
        return widest + 2 * math.ceil(self._question.document().documentMargin()) + 4

    # ---------------------------------------------------------------------------- reasoning

    def _set_reasoning(self, reasoning: str) -> None:
        if not reasoning and self._reasoning_toggle is None:
            return
        self._ensure_reasoning()
        assert self._reasoning_toggle is not None and self._reasoning_view is not None
        self._reasoning_toggle.setVisible(bool(reasoning) or self.is_streaming)
        if self.is_reasoning_expanded():
            self._reasoning_view.setPlainText(reasoning)
        self._update_reasoning_toggle()

    def _ensure_reasoning(self) -> None:
        if self._reasoning_toggle is not None:
            return
        toggle = QToolButton(self)
        toggle.setAutoRaise(True)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.clicked.connect(self._on_reasoning_toggle_clicked)
        view = _TextView(self)
        view.setAccessibleName(self.tr("Reasoning"))
        view.setVisible(False)
        view.setViewportMargins(12, 0, 0, 0)
        self._reasoning_toggle = toggle
        self._reasoning_view = view
        self._style_reasoning()
        self._layout.insertWidget(1, toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.insertWidget(2, view)

    def _style_reasoning(self) -> None:
        """Reasoning reads as an aside: muted text, in the palette's current colours."""
        muted = theme.muted_text(self.palette())
        if self._reasoning_view is not None:
            palette = self._reasoning_view.palette()
            palette.setColor(QPalette.ColorRole.Text, muted)
            self._reasoning_view.setPalette(palette)
        if self._reasoning_toggle is not None:
            palette = self._reasoning_toggle.palette()
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.ButtonText, muted)
            self._reasoning_toggle.setPalette(palette)

    def _update_reasoning_toggle(self) -> None:
        if self._reasoning_toggle is None:
            return
        expanded = self.is_reasoning_expanded()
        if self.is_streaming and not self._chunks:
            text = self.tr("Thinking…")
        else:
            text = self.tr("Hide reasoning") if expanded else self.tr("Show reasoning")
        self._reasoning_toggle.setText(text)
        self._reasoning_toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._reasoning_toggle.setAccessibleName(text)
        self._reasoning_toggle.setAccessibleDescription(
            self.tr("Expanded") if expanded else self.tr("Collapsed")
        )

    def _on_reasoning_toggle_clicked(self) -> None:
        self._reasoning_chosen = True
        self.set_reasoning_expanded(not self.is_reasoning_expanded())

    def is_thinking(self) -> bool:
        """Is the bot thinking aloud: reasoning streaming in, no answer text yet?"""
        return self.is_streaming and not self._chunks and bool(self._reasoning_chunks)

    def set_reasoning_expanded(self, expanded: bool) -> None:
        """Show or hide the reasoning (filled in only when shown)."""
        if self._reasoning_view is None:
            return
        self._reasoning_expanded = expanded
        if expanded:
            self._reasoning_view.setPlainText(self.message.reasoning)
        self._reasoning_view.setVisible(expanded)
        self._update_reasoning_toggle()

    def is_reasoning_expanded(self) -> bool:
        return self._reasoning_expanded

    # ------------------------------------------------------------------- follow-ups, banner, footer

    def set_latest(self, latest: bool) -> None:
        """The latest message offers its follow-up questions and always shows its buttons."""
        if latest == self._latest:
            return
        self._latest = latest
        if latest:
            self._build_follow_ups()
            self._ensure_actions()
        else:
            self._clear_follow_ups()
        self._update_actions_visibility()

    def _clear_follow_ups(self) -> None:
        if self._follow_ups is not None:
            self._follow_ups.hide()
            self._layout.removeWidget(self._follow_ups)
            self._follow_ups.deleteLater()
            self._follow_ups = None

    def _build_follow_ups(self) -> None:
        follow_ups = self._message.follow_ups
        if self._follow_ups is not None or not follow_ups or self.is_question:
            return
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 4, 0, 0)
        box_layout.setSpacing(6)
        for text in follow_ups:
            button = ElidedButton(text, box)  # cut with "…" in a narrow chat, whole in its tooltip
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, t=text: self.follow_up_clicked.emit(t))
            box_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        box.setAccessibleName(self.tr("Suggested follow-up questions"))
        self._layout.insertWidget(self._layout.indexOf(self._body) + 1, box)
        self._follow_ups = box

    def _set_banner(self) -> None:
        if self._banner is not None:
            self._banner.hide()
            self._layout.removeWidget(self._banner)
            self._banner.deleteLater()
            self._banner = None
        if self._message.state not in (MessageState.FAILED, MessageState.STOPPED, MessageState.INTERRUPTED):
            return
        self._banner = _Banner(self._message, self)
        self._banner.triggered.connect(lambda action: self.triggered.emit(self.key, action))
        self._layout.insertWidget(self._layout.indexOf(self._follow_ups or self._body) + 1, self._banner)

    def _set_footer_info(self) -> None:
        """Sources, duration and tokens of an answer, left of the buttons."""
        if self._footer_info is not None:
            self._footer_info.hide()
            self._footer.removeWidget(self._footer_info)
            self._footer_info.deleteLater()
            self._footer_info = None
        message = self._message
        parts = answer_stats(message)
        if not parts and not message.sources:
            return
        info = QWidget(self)
        row = QHBoxLayout(info)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        if message.sources:
            sources = QToolButton(info)
            count = len(message.sources)
            sources.setText(
                self.tr("1 source") if count == 1 else self.tr("%1 sources").replace("%1", str(count))
            )
            sources.setToolTip(self.tr("Show the knowledge-base passages this answer used"))
            sources.setAutoRaise(True)
            sources.setObjectName("sources_button")
            sources.clicked.connect(lambda: self.triggered.emit(self.key, "sources"))
            row.addWidget(sources)
        if parts:
            meta = QLabel(" · ".join(parts), info)
            meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            row.addWidget(meta)
        self._footer.insertWidget(0, info)
        self._footer_info = info

    def _set_versions(self) -> None:
        """The "‹ 2/3 ›" switcher in the footer of a message with several versions."""
        message = self._message
        if message.version_count <= 1:
            if self._versions is not None:
                self._versions.hide()
                self._footer.removeWidget(self._versions)
                self._versions.deleteLater()
                self._versions = None
            return
        if self._versions is None:
            self._versions = VersionSwitcher(message.version, message.version_count, self)
            self._versions.step_requested.connect(self._on_versions_step_requested)
            # A question's footer is right-aligned (after the stretch); an answer's starts at the left.
            self._footer.insertWidget(1 if self.is_question else 0, self._versions)
        else:
            self._versions.set_version(message.version, message.version_count)
        self._versions.setEnabled(not self.is_streaming)  # switching waits for the answer to end

    def _on_versions_step_requested(self, step: int) -> None:
        self.triggered.emit(self.key, "version_next" if step > 0 else "version_previous")

    def version_text(self) -> str | None:
        """What the version switcher says ("2/3"), or ``None`` when the message has one version."""
        return self._versions.text() if self._versions is not None else None

    # ------------------------------------------------------------------------------ editing

    @property
    def is_editing(self) -> bool:
        return self._editor is not None

    def start_editing(self) -> QuestionEditor | None:
        """Open the question's text for editing in place (a question only); returns the editor."""
        if not self.is_question:
            return None
        if self._editor is None:
            editor = QuestionEditor(self._message.text, self)
            editor.submitted.connect(lambda text: self.edited.emit(self.key, text))
            editor.canceled.connect(self.stop_editing)
            self._bubble.hide()
            self._layout.insertWidget(self._layout.count() - 1, editor)  # above the footer
            self._editor = editor
        self._editor.focus_text()
        return self._editor

    def stop_editing(self) -> None:
        """Close the editor and show the question as it was."""
        if self._editor is None:
            return
        editor, self._editor = self._editor, None
        editor.hide()
        self._layout.removeWidget(editor)
        editor.deleteLater()
        self._bubble.show()

    def editor(self) -> QuestionEditor | None:
        """The open editor of a question, if any."""
        return self._editor

    def action_button(self, action: str) -> QToolButton | None:
        """The button for ``action``, built and shown as when the pointer is over the message."""
        self._ensure_actions()
        if self._actions is not None:
            self._actions.setVisible(True)
        return self._action_buttons.get(action)

    def _ensure_actions(self) -> None:
        if self._actions is not None:
            return
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        actions = [("copy", self.tr("Copy"), self.tr("Copy the text of this message"))]
        if self.is_question:
            actions.append(("edit", self.tr("Edit"), self.tr("Edit this question and send it again")))
        else:
            actions.append(("regenerate", self.tr("Regenerate"), self.tr("Write this answer again")))
        actions.append(("delete", self.tr("Delete"), self.tr("Delete this message")))
        for action, text, tip in actions:
            button = QToolButton(box)
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _checked=False, a=action: self.triggered.emit(self.key, a))
            row.addWidget(button)
            self._action_buttons[action] = button
        self._actions = box
        self._style_actions()
        self._footer.addWidget(box)
        self._update_actions()

    def _style_actions(self) -> None:
        if self._actions is not None:
            palette = self._actions.palette()
            muted = theme.muted_text(self.palette())
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.ButtonText, muted)
            self._actions.setPalette(palette)

    def _update_actions(self) -> None:
        for action in ("regenerate", "delete"):
            if action in self._action_buttons:
                self._action_buttons[action].setEnabled(not self.is_streaming)

    def _update_actions_visibility(self, *, hovered: bool | None = None) -> None:
        if self._actions is None:
            return
        if hovered is None:
            hovered = self.underMouse()
        focus = QApplication.focusWidget()
        focused = focus is not None and self.isAncestorOf(focus)
        self._actions.setVisible(self._latest or hovered or focused)

    # ----------------------------------------------------------------------------- streaming

    def _start_streaming(self) -> None:
        """Keep the text rendered so far and continue it with the pieces to come."""
        self._chunks = [self._message.text] if self._message.text else []
        self._reasoning_chunks = [self._message.reasoning] if self._message.reasoning else []
        self._reasoning_chosen = False
        if self._answer is not None:
            self._answer.start_stream(self._message.text)
        if self.is_thinking() and not self._reasoning_expanded:
            self.set_reasoning_expanded(True)  # the reasoning streams live while the bot thinks
        self._update_reasoning_toggle()

    def set_streaming(self) -> None:
        """Turn a shown answer back into a streaming one (a reply continued in it)."""
        if not self.is_streaming:
            self._message = dataclasses.replace(self._message, state=MessageState.STREAMING, error=None)
            self._set_banner()
            self._update_time_label()
            self._update_actions()
            self._start_streaming()

    def append(self, text: str, reasoning: str) -> None:
        """Add streamed pieces: plain text at the end now, Markdown later on the throttle."""
        if not self.is_streaming:
            self.set_streaming()
        if reasoning:
            self._reasoning_chunks.append(reasoning)
            self._ensure_reasoning()
            assert self._reasoning_toggle is not None and self._reasoning_view is not None
            if self._reasoning_toggle.isHidden():
                self._reasoning_toggle.setVisible(True)
            if self._reasoning_expanded:
                cursor = QTextCursor(self._reasoning_view.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                _insert_streamed(cursor, reasoning)
            elif self.is_thinking() and not self._reasoning_chosen:
                self.set_reasoning_expanded(True)  # "Thinking…" with the reasoning streaming live
        if text and self._answer is not None:
            first_text = not self._chunks
            self._chunks.append(text)
            self._answer.append(text)
            if first_text:
                if self._reasoning_expanded and not self._reasoning_chosen:
                    self.set_reasoning_expanded(False)  # the answer starts: thinking folds away
                self._update_reasoning_toggle()

    def finish(self, message: Message) -> None:
        """Show the final state of a reply (Markdown, reasoning, follow-ups, banner)."""
        self._apply_message(message)

    def set_sources(self, sources: list[Source]) -> None:
        """The sources of an answer being written arrived: its citations become links."""
        if self._answer is not None:
            self._message = dataclasses.replace(self._message, sources=list(sources))
            self._answer.set_sources(self._message.sources)

    def _on_answer_citation_clicked(self, number: int) -> None:
        self.citation_clicked.emit(self.key, number)

    # ------------------------------------------------------------------------------ painting

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    def flash(self) -> None:
        """Glow for a moment: the message a search hit jumped to."""
        if self._flash_animation is None:
            animation = QVariantAnimation(self)
            animation.setStartValue(1.0)
            animation.setEndValue(0.0)
            animation.setDuration(_FLASH_MS)
            animation.setEasingCurve(QEasingCurve.Type.InQuad)
            animation.valueChanged.connect(self._on_flash_animation_value_changed)
            self._flash_animation = animation
        self._flash_animation.stop()
        self._flash_animation.start()

    def _on_flash_animation_value_changed(self, value: float) -> None:
        self._flash = float(value)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._selected and self._flash <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        if self._flash > 0:
            glow = QColor(theme.search_highlight(self.palette()))
            glow.setAlphaF(min(1.0, self._flash))
            painter.setBrush(glow)
            painter.drawRoundedRect(self.rect(), 10, 10)
        if self._selected and not self.is_question:
            painter.setBrush(theme.accent(self.palette()))
            painter.drawRoundedRect(0, 8, 3, self.height() - 16, 1.5, 1.5)

    def restyle(self) -> None:
        """Re-render for a new palette (dark/light switch)."""
        self._style_reasoning()
        self._style_actions()
        if self._answer is not None:
            self._answer.restyle()

    # --------------------------------------------------------------------------------- input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        # Events of the body's views (a question's one, an answer's segments) and their viewports.
        if kind == QEvent.Type.FocusIn and isinstance(watched, _TextView):
            self._ensure_actions()  # keyboard users reach the buttons by tabbing through the text
            self._update_actions_visibility()
        elif kind == QEvent.Type.FocusOut and isinstance(watched, _TextView):
            self._update_actions_visibility()
        elif (
            kind == QEvent.Type.MouseButtonPress
            and isinstance(watched.parent(), _TextView)
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not self.is_question
        ):
            self.triggered.emit(self.key, "select")
        return False

    def enterEvent(self, event: QEnterEvent) -> None:
        super().enterEvent(event)
        self._ensure_actions()
        self._update_actions_visibility(hovered=True)

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self._update_actions_visibility(hovered=False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.is_question:
            self.triggered.emit(self.key, "select")
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.is_question:
            self._bubble.setMaximumWidth(int(self.width() * _QUESTION_MAX_RATIO))

    def body_documents(self) -> list[QTextDocument]:
        """The documents showing the text: a question's plain text, an answer's rendered segments."""
        if self._question is not None:
            return [self._question.document()]
        assert self._answer is not None
        return self._answer.documents()


class _Banner(QFrame):
    """Why a reply failed, stopped or was interrupted, with what can be done about it."""

    triggered = Signal(str)  # retry, open_settings, publish_help

    def __init__(self, message: Message, parent: QWidget) -> None:
        super().__init__(parent)
        self._failed = message.state is MessageState.FAILED
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        if message.state is MessageState.FAILED:
            title = self.tr("The reply failed")
        elif message.state is MessageState.STOPPED:
            title = self.tr("Stopped. The text received so far is kept.")
        else:
            title = self.tr(
                "Interrupted: the app closed before this reply finished. The text received so far is kept."
            )
        heading = QLabel(title, self)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        error = message.error
        if error is not None:
            if error.message:
                detail = QLabel(error.message, self)
                detail.setWordWrap(True)
                detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(detail)
            ids = []
            if error.code is not None:
                ids.append(self.tr("Code %1").replace("%1", str(error.code)))
            if error.logid:
                ids.append(self.tr("Log ID %1").replace("%1", error.logid))
            if ids:
                meta = QLabel(" · ".join(ids), self)
                meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(meta)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        if message.version >= message.version_count:
            buttons.addWidget(self._button(self.tr("Retry"), "retry"))
        else:  # it was retried: a newer version exists, this one is kept for reference only
            newer = QLabel(self.tr("A newer version of this answer exists (›)."), self)
            newer.setObjectName("banner_newer_version")
            newer.setWordWrap(True)
            layout.addWidget(newer)
        kind = classify(error.code) if error is not None else None  # saved errors keep only the code
        if message.state is MessageState.FAILED and kind is ErrorKind.AUTH:
            buttons.addWidget(self._button(self.tr("Enter the token again"), "open_settings"))
        elif message.state is MessageState.FAILED and kind is ErrorKind.NOT_PUBLISHED:
            buttons.addWidget(self._button(self.tr("How to publish as API"), "publish_help"))
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.setAccessibleName(title)

    def _button(self, text: str, action: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"banner_{action}")
        button.clicked.connect(lambda: self.triggered.emit(action))
        return button

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(
            theme.error_background(palette) if self._failed else theme.warning_background(palette)
        )
        painter.drawRoundedRect(self.rect(), 8, 8)


class _PrologueCard(QFrame):
    """The bot's welcome: its name, its opening words and the questions it suggests."""

    follow_up_clicked = Signal(str)

    def __init__(self, bot: Bot, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(8)
        name = QLabel(bot.name or self.tr("Assistant"), self)
        font = name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        name.setFont(font)
        layout.addWidget(name)
        if bot.description:
            description = QLabel(bot.description, self)
            description.setWordWrap(True)
            description.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            layout.addWidget(description)
        if bot.prologue:
            prologue = _TextView(self)
            prologue.setAccessibleName(self.tr("Welcome message"))
            prologue.anchorClicked.connect(open_web_link)
            render_markdown(prologue.document(), bot.prologue, self.palette())
            layout.addWidget(prologue)
        self._suggestions = QWidget(self)
        suggestions_layout = QVBoxLayout(self._suggestions)
        suggestions_layout.setContentsMargins(0, 4, 0, 0)
        suggestions_layout.setSpacing(6)
        for question in bot.suggested_questions:
            button = ElidedButton(question, self._suggestions)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, q=question: self.follow_up_clicked.emit(q))
            suggestions_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        self._suggestions.setVisible(bool(bot.suggested_questions))
        self._suggestions.setAccessibleName(self.tr("Suggested questions"))
        layout.addWidget(self._suggestions)
        self.setAccessibleName(self.tr("Welcome from %1").replace("%1", bot.name))

    def hide_suggestions(self) -> None:
        self._suggestions.setVisible(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(theme.border_color(self.palette()))
        painter.setBrush(theme.card_background(self.palette()))
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 12, 12)


class MessageView(QWidget):
    """The messages of one conversation, oldest at the top; see the module docstring."""

    follow_up_clicked = Signal(str)  # a follow-up or suggested question was clicked: its text
    retry_requested = Signal(int)  # message id of a failed/stopped/interrupted answer to try again
    regenerate_requested = Signal(int)  # message id of an answer to write again
    delete_requested = Signal(int)  # message id the user wants deleted (the caller confirms)
    copy_requested = Signal(int)  # message id whose text was just copied to the clipboard
    message_selected = Signal(int)  # message id of the answer the user clicked (show its sources)
    older_requested = Signal()  # the user reached the top and older messages exist
    action_requested = Signal(int, str)  # message id, "open_settings" or "publish_help"
    # The user asked to see an answer's sources: its "N sources" button (message id), or a
    # citation link in its text (message id, source number from 1). Both also select the answer.
    sources_requested = Signal(int)
    citation_clicked = Signal(int, int)
    edit_requested = Signal(int, str)  # message id of a question, the edited text to send as a new version
    version_requested = Signal(int, int)  # message id, -1 (previous version) or +1 (next version)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widgets: dict[int, _MessageWidget] = {}
        self._order: list[_MessageWidget] = []
        # Streamed pieces waiting for the next pass of the event loop (see append_reply).
        self._pending: dict[int, tuple[list[str], list[str]]] = {}
        self._synthetic_keys = itertools.count(-1, -1)  # keys for messages without an id
        self._assistant_name = self.tr("Assistant")
        self._prologue: _PrologueCard | None = None
        self._has_older = False
        self._older_pending = False
        self._stick_to_bottom = True
        self._pin: tuple[QWidget, int] | None = None  # keep this widget at this viewport offset
        self._selected: _MessageWidget | None = None
        self._warm_up: list[Callable[[], object]] | None = None  # steps still to run
        # Shows pending streamed text when the event loop has nothing else to do: a zero timer
        # waits for input, painting and other timers (QTimer.singleShot(0) would not).
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush_pending)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setBackgroundRole(QPalette.ColorRole.Base)
        self._content = QWidget(self._scroll)
        self._content.setBackgroundRole(QPalette.ColorRole.Base)
        self._column = QVBoxLayout(self._content)
        self._column.setSpacing(10)
        self._older_button = QPushButton(self.tr("Show earlier messages"), self._content)
        self._older_button.setFlat(True)
        self._older_button.setVisible(False)
        self._older_button.clicked.connect(self._on_older_button_clicked)
        self._column.addWidget(self._older_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._column.addStretch(1)
        self._scroll.setWidget(self._content)
        self._scroll.viewport().installEventFilter(self)
        self._content_min_width = 0  # see minimumSizeHint
        self._content.installEventFilter(self)
        bar = self._scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        bar.actionTriggered.connect(self._on_scrollbar_action_triggered)
        self._pin_timer = QTimer(self)
        self._pin_timer.setSingleShot(True)
        self._pin_timer.setInterval(_PIN_SETTLE_MS)
        self._pin_timer.timeout.connect(self._on_pin_timer_timeout)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)
        self.setAccessibleName(self.tr("Conversation"))
        self._scroll.setAccessibleName(self.tr("Messages"))
        self._update_column_margins()

    # -------------------------------------------------------------------------------- public

    def set_assistant_name(self, name: str) -> None:
        """The name shown above answers (the bot's name)."""
        self._assistant_name = name or self.tr("Assistant")
        for widget in self._order:
            widget.set_assistant_name(self._assistant_name)

    def show_messages(self, messages: list[Message], *, has_older: bool = False) -> None:
        """Show a conversation's messages (oldest first), scrolled to the newest."""
        self.clear()
        self._has_older = has_older
        self._older_button.setVisible(has_older)
        self._content.setUpdatesEnabled(False)
        try:
            for message in messages:
                self._insert(message, len(self._order))
        finally:
            self._content.setUpdatesEnabled(True)
        self._update_latest()
        self._stick_to_bottom = True
        self._scroll_to_bottom()

    def prepend_messages(self, messages: list[Message], *, has_older: bool | None = None) -> None:
        """Insert an older page (oldest first) above the shown messages, keeping the view still.

        ``has_older`` says whether still older messages exist; by default, as long as pages
        come back non-empty.
        """
        self._older_pending = False
        self._has_older = bool(messages) if has_older is None else has_older
        self._older_button.setVisible(self._has_older)
        anchor = self._order[0] if self._order else None
        offset = anchor.y() - self._scroll.verticalScrollBar().value() if anchor is not None else 0
        fresh = [m for m in messages if m.id is None or m.id not in self._widgets]
        for index, message in enumerate(fresh):
            self._insert(message, index)
        self._update_latest()
        if anchor is not None:
            self._stick_to_bottom = False
            self._pin_widget(anchor, offset)

    def add_message(self, message: Message) -> None:
        """Append a new message (a question just sent, or a whole answer) and scroll to it."""
        existing = self._widgets.get(message.id) if message.id is not None else None
        if existing is not None:
            existing.finish(message)
            return
        self._insert(message, len(self._order))
        if self._prologue is not None:
            self._prologue.hide_suggestions()
        self._update_latest()
        self._stick_to_bottom = True
        self._scroll_to_bottom()

    def begin_reply(self, message_id: int) -> None:
        """Start an empty answer that :meth:`append_reply` will fill."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.set_streaming()
            return
        placeholder = Message(
            id=message_id,
            conversation_id=None,
            role=Role.ASSISTANT,
            state=MessageState.STREAMING,
            created_at=time.time(),
        )
        self.add_message(placeholder)

    def append_reply(self, message_id: int, text: str, reasoning: str = "") -> None:
        """Add streamed pieces of an answer (new text and/or new reasoning, not the whole).

        Pieces are shown on the next pass of the event loop, together: when the GUI thread falls
        behind, the signals queued meanwhile cost one insert, not one each (bench/ui_stream.py).
        """
        if message_id not in self._widgets or not (text or reasoning):
            return
        pending = self._pending.get(message_id)
        if pending is None:
            self._flush_timer.start()
            pending = self._pending[message_id] = ([], [])
        pending[0].append(text)
        pending[1].append(reasoning)

    def _flush_pending(self, budget: int | None = STREAM_CHARS_PER_PASS) -> None:
        """Show pending pieces: up to ``budget`` characters now (``None``: all), the rest next pass."""
        for message_id in list(self._pending):
            texts, reasonings = self._pending.pop(message_id)
            widget = self._widgets.get(message_id)
            if widget is None:
                continue
            text = "".join(texts)
            now = text if budget is None else text[: max(budget, 0)]
            reasoning = "".join(reasonings)
            if now or reasoning:
                widget.append(now, reasoning)
            if len(now) < len(text):
                self._pending[message_id] = ([text[len(now) :]], [])
            if budget is not None:
                budget -= len(now)
        if self._pending and budget is not None:
            self._flush_timer.start()

    def set_reply_sources(self, message_id: int, sources: list[Source]) -> None:
        """The sources of an answer being written: its citations link to them."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.set_sources(sources)

    def finish_reply(self, message: Message) -> None:
        """Show the final state of an answer: Markdown, reasoning, follow-ups, errors."""
        widget = self._widgets.get(message.id) if message.id is not None else None
        if widget is None:
            return
        self._pending.pop(widget.key, None)  # the final message holds the whole text
        widget.finish(message)
        self._update_latest()

    def remove_message(self, message_id: int) -> None:
        """Take a message off the view (after the caller deleted it)."""
        widget = self._widgets.pop(message_id, None)
        if widget is None:
            return
        self._order.remove(widget)
        if widget is self._selected:
            self._selected = None
        self._discard(widget)
        self._update_latest()

    def message(self, message_id: int) -> Message | None:
        """The message as shown (with the text streamed so far), or ``None`` if not shown."""
        self._flush_pending(None)
        widget = self._widgets.get(message_id)
        return widget.message if widget is not None else None

    def rendered_documents(self, message_id: int) -> list[QTextDocument] | None:
        """The documents showing a message's text as rendered, top to bottom (a long answer is
        shown in segments), or ``None`` if it is not shown."""
        self._flush_pending(None)
        widget = self._widgets.get(message_id)
        return widget.body_documents() if widget is not None else None

    def rendered_text(self, message_id: int) -> str | None:
        """The text of :meth:`rendered_documents`, one paragraph between segments."""
        documents = self.rendered_documents(message_id)
        return None if documents is None else "\n".join(document.toPlainText() for document in documents)

    def message_ids(self) -> list[int]:
        """Ids of the shown messages, top to bottom."""
        return [widget.key for widget in self._order if widget.key >= 0]

    def show_prologue(self, bot: Bot) -> None:
        """Start an empty conversation with ``bot``: its welcome and suggested questions."""
        self.clear()
        self.set_assistant_name(bot.name)
        card = _PrologueCard(bot, self._content)
        card.follow_up_clicked.connect(self.follow_up_clicked)
        self._column.insertWidget(1, card)
        self._prologue = card

    def scroll_to_message(self, message_id: int, *, flash: bool = True) -> bool:
        """Bring a shown message into view and (with ``flash``) make it glow; False if it is not shown."""
        widget = self._widgets.get(message_id)
        if widget is None:
            return False
        self._stick_to_bottom = False
        self._pin_widget(widget, max(0, self._scroll.viewport().height() // 4))
        if flash:
            widget.flash()
        return True

    def version_text(self, message_id: int) -> str | None:
        """What a shown message's version switcher says ("2/3"); ``None`` without one or if not shown."""
        widget = self._widgets.get(message_id)
        return widget.version_text() if widget is not None else None

    def action_button(self, message_id: int, action: str) -> QToolButton | None:
        """A shown message's button for ``action`` (copy, edit, regenerate, delete), made visible
        as when the pointer is over the message; ``None`` if there is no such button."""
        widget = self._widgets.get(message_id)
        return widget.action_button(action) if widget is not None else None

    def find_in_message(self, message_id: int, kind: type[_W], name: str) -> _W | None:
        """The child ``kind`` named ``name`` of a shown message (e.g. ``version_next``), or ``None``."""
        widget = self._widgets.get(message_id)
        return widget.findChild(kind, name) if widget is not None else None

    def is_editing(self, message_id: int) -> bool:
        """Whether a shown question is open for editing."""
        widget = self._widgets.get(message_id)
        return widget is not None and widget.is_editing

    def edit_message(self, message_id: int) -> QuestionEditor | None:
        """Open a shown question for editing (as its Edit button does); returns the editor."""
        widget = self._widgets.get(message_id)
        if widget is None:
            return None
        editor = widget.start_editing()
        if editor is not None:
            self._stick_to_bottom = False
            self._pin_widget(widget, 16)  # the whole editor in view, below the top edge
        return editor

    def select_message(self, message_id: int | None) -> None:
        """Mark an answer as the one whose sources are shown (no signal)."""
        widget = self._widgets.get(message_id) if message_id is not None else None
        if self._selected is not None:
            self._selected.set_selected(False)
        self._selected = widget
        if widget is not None:
            widget.set_selected(True)

    def clear(self) -> None:
        """Show nothing."""
        self._pending.clear()
        for widget in self._order:
            self._discard(widget)
        self._order.clear()
        self._widgets.clear()
        self._selected = None
        if self._prologue is not None:
            self._discard(self._prologue)
            self._prologue = None
        self._has_older = False
        self._older_pending = False
        self._older_button.setVisible(False)
        self._pin = None
        self._stick_to_bottom = True

    # ------------------------------------------------------------------------------ internals

    def _insert(self, message: Message, position: int) -> _MessageWidget:
        key = message.id if message.id is not None else next(self._synthetic_keys)
        widget = _MessageWidget(key, message, self._assistant_name, self._content)
        widget.triggered.connect(self._on_message_triggered)
        widget.follow_up_clicked.connect(self.follow_up_clicked)
        widget.citation_clicked.connect(self._on_message_citation_clicked)
        widget.edited.connect(self.edit_requested)
        first = 1 + (1 if self._prologue is not None else 0)
        self._column.insertWidget(first + position, widget)
        self._order.insert(position, widget)
        self._widgets[key] = widget
        return widget

    def _discard(self, widget: QWidget) -> None:
        widget.hide()
        self._column.removeWidget(widget)
        widget.deleteLater()

    def _update_latest(self) -> None:
        for widget in self._order[:-1]:
            widget.set_latest(False)
        if self._order:
            self._order[-1].set_latest(True)

    def _update_column_margins(self) -> None:
        side = max(16, (self._scroll.viewport().width() - theme.CONTENT_MAX_WIDTH) // 2)
        self._column.setContentsMargins(side, 16, side, 16)

    def _scroll_to_bottom(self) -> None:
        bar = self._scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _pin_widget(self, widget: QWidget, offset: int) -> None:
        """Keep ``widget`` ``offset`` px below the top of the viewport while the layout settles."""
        self._pin = (widget, offset)
        if (layout := self._content.layout()) is not None:
            layout.activate()
        self._apply_pin()
        self._pin_timer.start()

    def _apply_pin(self) -> None:
        if self._pin is None:
            return
        widget, offset = self._pin
        self._scroll.verticalScrollBar().setValue(widget.y() - offset)

    def _on_pin_timer_timeout(self) -> None:
        self._pin = None

    def _on_scrollbar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._pin is not None:
            self._apply_pin()
        elif self._stick_to_bottom:
            self._scroll.verticalScrollBar().setValue(maximum)

    def _on_scrollbar_value_changed(self, value: int) -> None:
        bar = self._scroll.verticalScrollBar()
        if self._pin is None:
            self._stick_to_bottom = value >= bar.maximum() - _BOTTOM_SLACK_PX
        if (
            self._has_older
            and not self._older_pending
            and bar.maximum() > 0
            and value <= OLDER_THRESHOLD_PX
            and not self._stick_to_bottom
        ):
            self._request_older()

    def _on_scrollbar_action_triggered(self, _action: int) -> None:
        self._pin = None  # the user scrolls: stop holding a widget in place
        self._pin_timer.stop()

    def _on_older_button_clicked(self) -> None:
        if self._has_older and not self._older_pending:
            self._request_older()

    def _request_older(self) -> None:
        self._older_pending = True
        self.older_requested.emit()

    def _on_message_triggered(self, key: int, action: str) -> None:
        widget = self._widgets.get(key)
        if widget is None:
            return
        if action == "copy":
            QGuiApplication.clipboard().setText(widget.message.text)
            self.copy_requested.emit(key)
        elif action == "select":
            self.select_message(key)
            self.message_selected.emit(key)
        elif action == "sources":
            self.select_message(key)
            self.message_selected.emit(key)
            self.sources_requested.emit(key)
        elif action == "retry":
            self.retry_requested.emit(key)
        elif action == "regenerate":
            self.regenerate_requested.emit(key)
        elif action == "delete":
            self.delete_requested.emit(key)
        elif action == "edit":
            self.edit_message(key)
        elif action in ("version_previous", "version_next"):
            self.version_requested.emit(key, 1 if action == "version_next" else -1)
        else:
            self.action_requested.emit(key, action)

    def _on_message_citation_clicked(self, key: int, number: int) -> None:
        if key in self._widgets:
            self.select_message(key)
            self.message_selected.emit(key)
            self.citation_clicked.emit(key, number)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._update_column_margins()
        elif watched is self._content and event.type() == QEvent.Type.LayoutRequest:
            self._update_content_min_width()
        return False

    def minimumSizeHint(self) -> QSize:
        """Wide enough for the messages' widest unbreakable part (a footer, a bot's name), so the
        window's layout never makes the view narrower than what it shows."""
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._content_min_width), hint.height())

    def _update_content_min_width(self) -> None:
        margins = self._column.contentsMargins()
        widest = self._content.minimumSizeHint().width() - margins.left() - margins.right()
        width = (
            widest
            + 2 * 16  # the column's side margins when the view is narrow (_update_column_margins)
            + self._scroll.verticalScrollBar().sizeHint().width()
            + 2 * self._scroll.frameWidth()
        )
        if width != self._content_min_width:
            self._content_min_width = width
            self.updateGeometry()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._warm_up is None:
            self._warm_up = warm_up_steps(self.palette())
            QTimer.singleShot(WARM_UP_DELAY_MS, self, self._run_warm_up_step)

    def _run_warm_up_step(self) -> None:
        """One step of the warm-up per pass of the event loop (see markdown.warm_up_steps)."""
        if self._warm_up:
            self._warm_up.pop(0)()
            QTimer.singleShot(0, self, self._run_warm_up_step)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # Children get the new palette after this view does: restyle them afterwards.
            QTimer.singleShot(0, self._restyle_messages)
        elif event.type() == QEvent.Type.LanguageChange:
            # The window shows the messages again for their own texts (MainWindow.retranslate).
            self._older_button.setText(self.tr("Show earlier messages"))
            self.setAccessibleName(self.tr("Conversation"))
            self._scroll.setAccessibleName(self.tr("Messages"))

    def _restyle_messages(self) -> None:
        for widget in self._order:
            widget.restyle()
