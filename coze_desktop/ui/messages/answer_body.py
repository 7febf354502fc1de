"""An answer's text on screen: a column of segments, each rendered as Markdown, while it streams.

Streaming costs what the new text costs, whatever the answer's length: an answer is a column of
segments (:class:`_AnswerBody`, :mod:`coze_desktop.ui.segments`); :meth:`_AnswerBody.append`
inserts plain text at the end of the last one with a cursor (the view hands it at most a few
thousand characters per pass of the event loop); that segment is re-rendered as Markdown on a
throttle (at most every 250 ms, less often when rendering gets slow), a segment the stream has
left is rendered once, and the end of a reply renders only what is not rendered yet
(:class:`_RenderQueue` spreads the rest over the next passes). A code fence the stream opens is
shown as a code block at once (closed virtually until its closing line arrives), and the text
streamed into it goes into that block; the fence's closing line renders the segment again at once
too.
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrame,
)
from PySide6.QtWidgets import QVBoxLayout, QWidget

from coze_desktop.domain import Source
from coze_desktop.text.fences import closes_fence, normalize_newlines, opening_marker
from coze_desktop.ui.image_viewer import ImageViewer
from coze_desktop.ui.layouts import discard
from coze_desktop.ui.markdown import (
    citation_number,
    code_block_index,
    fixed_font,
    open_web_link,
    render_markdown,
)
from coze_desktop.ui.messages.attachments import show_image
from coze_desktop.ui.messages.reply_images import (
    failed_image,
    image_link_url,
    loaded_image,
    retry_image,
    show_images,
)
from coze_desktop.ui.messages.text_view import STREAM_BLOCK_MAX_CHARS, _insert_streamed, _TextView
from coze_desktop.ui.segments import Segment, Segmenter, closing_fence, fenced_code, split_segments

RENDER_MIN_INTERVAL_MS = 250  # Markdown re-render while streaming: at most 4 times a second...
RENDER_MAX_INTERVAL_MS = 2000  # ...and at least every 2 s
RENDER_COST_FACTOR = 8  # wait 8x the last render's duration: rendering stays under ~12% of the time
# Segments of a long answer still to render are rendered this long per pass of the event loop
# (at least one per pass), the last first; the rest on the next passes.
RENDER_PASS_BUDGET_MS = 8
_CITATION_TIP_CHARS = 500  # a citation's tooltip shows this much of the passage


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
    fence = ""  # the marker of the code block the line is in (text.fences reads them, as everywhere)
    for line in normalize_newlines(text).split("\n"):
        fence_line = bool(fence)  # a line of a code block, its closing fence included
        if fence:
            if closes_fence(line, fence):
                fence = ""
        else:
            fence = opening_marker(line)
        if fence_line or fence or len(line) <= STREAM_BLOCK_MAX_CHARS or line.lstrip().startswith("|"):
            out.append(line)
            continue
        pieces = [line[i : i + STREAM_BLOCK_MAX_CHARS] for i in range(0, len(line), STREAM_BLOCK_MAX_CHARS)]
        out.append("\n\n".join(pieces))
    return "\n".join(out)


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
            discard(shown.view, self._layout)
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
        markdown = _display_markdown(segment.prefix + segment.text + closing)
        shown.code_blocks = render_markdown(document, markdown, self.palette(), citations=len(self._sources))
        if "![" in markdown:
            show_images(document, self.palette())  # loaded pictures, or placeholders till they come
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

    def open_image(self, url: str) -> ImageViewer | None:
        """Open the image viewer on the loaded picture of ``url`` (a click on it, or Enter); a
        picture that failed to load is tried again."""
        loaded = loaded_image(url)
        if loaded is None:
            if failed_image(url):
                retry_image(url, [shown.view.document() for shown in self._segments], self.palette())
            return None
        name = QUrl(url).fileName() or url
        return show_image(loaded.image, name, data=loaded.data, parent=self.window())

    def _on_anchor_clicked(self, shown: _ShownSegment, url: QUrl) -> None:
        number = citation_number(url)
        if number is not None:
            self.citation_clicked.emit(number)  # shown in the sources panel, never opened
            return
        picture = image_link_url(url)
        if picture is not None:
            self.open_image(picture)  # a picture of the answer: in the image viewer
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
            if segment.start <= after.fence_start and _has_code(
                segment.text[after.fence_start - segment.start :]
            ):
                fence_start = after.fence_start  # this block goes on in the next segment
        if fence_start < 0:
            return shown.code_blocks[index]
        return "\n".join(fenced_code(self._text(), fence_start))
