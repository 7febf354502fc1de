"""Markdown and rich-text helpers for the chat widgets.

Answers are rendered with Qt's own Markdown importer (``QTextDocument.setMarkdown``, GitHub
dialect: tables, task lists, strikethrough, autolinks); the resulting document is then
post-processed: fenced code blocks are moved into a padded frame with a "Copy code" link and
highlighted with Pygments, tables get a grid and a bold header row, links take the palette's
link colour, inline code gets a faint background and headings are toned down to chat sizes.

Links are opened in the browser only when they are web links (http/https); see
:func:`open_web_link`. Citations of an answer's sources (``[1]``, ``[^1]``, ``【1】``, outside code)
become ``cite:<n>`` links when the answer has that many sources; the caller handles those
(:func:`citation_number`), they are never opened.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QFontDatabase,
    QPalette,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextFrameFormat,
    QTextLength,
    QTextTable,
    QTextTableFormat,
)

from coze_desktop.text import links
from coze_desktop.ui import theme

logger = logging.getLogger(__name__)

COPY_CODE_SCHEME = "coze-copy-code"  # anchor of a code block's "Copy code" link: coze-copy-code:<index>
CITATION_SCHEME = "cite"  # a citation of source n of the answer: cite:<n> (1-based)
# Citation spellings: [1] (Markdown brackets), [^1] (footnote style), 【1】 (CJK brackets).
_CITATION = re.compile(r"\[\^?(\d{1,3})\]|【(\d{1,3})】")
# Heading sizes as QTextFormat font-size adjustments (0 = normal): Qt's defaults (3, 2, 1, ...)
# are document sizes, too loud inside a chat message.
_HEADING_SIZE_ADJUSTMENT = {1: 2, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}
_CODE_LANGUAGE = QTextFormat.Property.BlockCodeLanguage
_MAX_HIGHLIGHTED_CHARS = 200_000  # larger code blocks stay plain: lexing them would stall the UI


@dataclass(frozen=True, slots=True)
class _CodeBlock:
    first_block: int  # block numbers, inclusive
    last_block: int
    language: str
    text: str


def render_markdown(
    document: QTextDocument, text: str, palette: QPalette, *, citations: int = 0
) -> list[str]:
    """Replace ``document``'s content with ``text`` rendered as Markdown, styled for ``palette``.

    Returns the text of each fenced or indented code block, in order: the ``Copy code`` link
    of block *i* is ``coze-copy-code:i`` (see :func:`code_block_index`). Citations of sources
    1 to ``citations`` outside code become ``cite:<n>`` links (see :func:`citation_number`).
    """
    document.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    _style_inline(document, palette)
    if citations > 0:
        _link_citations(document, citations, palette)
    _style_tables(document.rootFrame(), palette)
    code_blocks = _find_code_blocks(document)
    # From the last to the first, so inserting frames does not move blocks still to visit.
    for index in range(len(code_blocks) - 1, -1, -1):
        _frame_code_block(document, code_blocks[index], index, palette)
    return [block.text for block in code_blocks]


# What a first answer usually holds. Rendering it once at idle takes the one-time costs (PySide's
# enum types built on first use, the Pygments lexer's regular expressions: 30-50 ms each) off
# the first real answer.
_WARM_UP_STEPS = (
    "# Heading\n\n- **bold** *italic* `code` [link](https://example.com)\n\n| a | b |\n| --- | ---: |\n| 1 | 2 |\n",
    "```python\ndef greet(name: str) -> str:\n    return f'hi {name}'\n```\n",
)


def warm_up_steps(palette: QPalette) -> list[Callable[[], object]]:
    """Steps that pay the one-time costs of rendering (each under ~50 ms); run them at idle."""
    return [
        lambda: _lexer("python"),
        *(lambda text=text: render_markdown(QTextDocument(), text, palette) for text in _WARM_UP_STEPS),
    ]


def code_block_index(url: QUrl) -> int | None:
    """The code block a ``coze-copy-code:<i>`` link points at, or ``None`` for other links."""
    if url.scheme() != COPY_CODE_SCHEME:
        return None
    try:
        return int(url.path())
    except ValueError:
        return None


def citation_number(url: QUrl) -> int | None:
    """The source (1-based) a ``cite:<n>`` link points at, or ``None`` for other links."""
    if url.scheme() != CITATION_SCHEME:
        return None
    try:
        number = int(url.path())
    except ValueError:
        return None
    return number if number > 0 else None


def is_web_url(url: QUrl | str) -> bool:
    """Whether ``url`` is an absolute http(s) link (the only kind opened in the browser): a valid
    URL whose encoded form passes :func:`coze_desktop.text.links.is_web_url`."""
    qurl = QUrl(url) if isinstance(url, str) else url
    return qurl.isValid() and links.is_web_url(qurl.toString(QUrl.ComponentFormattingOption.FullyEncoded))


class LinkFailures(QObject):
    """Reports web links the system could not open (no browser could be started)."""

    failed = Signal(str)
    """A web link could not be opened. Argument: the URL (the main window says so, to copy it)."""


link_failures = LinkFailures()  # GUI thread only: links are opened from clicks


def open_web_link(url: QUrl | str) -> bool:
    """Open an http(s) link in the default browser; anything else is refused (returns False).

    When the system cannot open it, :data:`link_failures` reports the URL.
    """
    qurl = QUrl(url) if isinstance(url, str) else url
    if not is_web_url(qurl):
        logger.info("refused to open a non-web link: %s", qurl.toString()[:200])
        return False
    if QDesktopServices.openUrl(qurl):
        return True
    logger.warning("no browser could open %s", qurl.toString()[:200])
    link_failures.failed.emit(qurl.toString())
    return False


def marked_snippet_html(snippet: str, markers: tuple[str, str] = ("«", "»")) -> str:
    """HTML for a search snippet: text escaped, the parts between ``markers`` in bold.

    An unbalanced opening marker bolds to the end; stray closing markers are dropped.
    """
    open_mark, close_mark = markers
    pieces: list[str] = []
    rest = snippet
    while True:
        start = rest.find(open_mark)
        if start < 0:
            pieces.append(html.escape(rest.replace(close_mark, "")))
            break
        pieces.append(html.escape(rest[:start].replace(close_mark, "")))
        rest = rest[start + len(open_mark) :]
        end = rest.find(close_mark)
        match, rest = (rest, "") if end < 0 else (rest[:end], rest[end + len(close_mark) :])
        pieces.append("<b>" + html.escape(match.replace(open_mark, "")) + "</b>")
    return "".join(pieces)


def fixed_font() -> QFont:
    """The system's monospace font (the one Qt's Markdown importer uses for code)."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


# ------------------------------------------------------------------------------ post-processing


def _blocks(document: QTextDocument) -> list[QTextBlock]:
    blocks = []
    block = document.begin()
    while block.isValid():
        blocks.append(block)
        block = block.next()
    return blocks


def _style_inline(document: QTextDocument, palette: QPalette) -> None:
    """Links in the palette's link colour, inline code tinted, headings at chat sizes."""
    link = QBrush(theme.link_color(palette))
    code_bg = QBrush(theme.code_background(palette))
    mono_family = fixed_font().family()
    cursor = QTextCursor(document)
    for block in _blocks(document):
        block_format = block.blockFormat()
        in_code = block_format.hasProperty(_CODE_LANGUAGE)
        level = block_format.headingLevel()
        if level:
            heading = QTextCharFormat()
            heading.setProperty(
                QTextFormat.Property.FontSizeAdjustment, _HEADING_SIZE_ADJUSTMENT.get(level, 0)
            )
            cursor.setPosition(block.position())
            cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(heading)
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            it += 1
            char_format = fragment.charFormat()
            change = QTextCharFormat()
            if char_format.isAnchor():
                change.setForeground(link)
            elif not in_code and char_format.fontFamilies() and mono_family in char_format.fontFamilies():
                change.setBackground(code_bg)
            else:
                continue
            cursor.setPosition(fragment.position())
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(change)


def _link_citations(document: QTextDocument, count: int, palette: QPalette) -> None:
    """Make ``[n]``, ``[^n]`` and ``【n】`` (1 <= n <= ``count``) ``cite:n`` links; text in code
    blocks, inline code and existing links is left as it is."""
    mono_family = fixed_font().family()
    found: list[tuple[int, int, int]] = []  # start, end, source number
    for block in _blocks(document):
        if block.blockFormat().hasProperty(_CODE_LANGUAGE):
            continue
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            it += 1
            char_format = fragment.charFormat()
            if char_format.isAnchor() or mono_family in (char_format.fontFamilies() or ()):
                continue
            for match in _CITATION.finditer(fragment.text()):
                number = int(match.group(1) or match.group(2))
                if 1 <= number <= count:
                    start = fragment.position() + match.start()
                    found.append((start, start + len(match.group(0)), number))
    link = QBrush(theme.link_color(palette))
    cursor = QTextCursor(document)
    for start, end, number in found:
        change = QTextCharFormat()
        change.setAnchor(True)
        change.setAnchorHref(f"{CITATION_SCHEME}:{number}")
        change.setForeground(link)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(change)


def _style_tables(frame: QTextFrame, palette: QPalette) -> None:
    """A hairline grid, padding and a bold, tinted header row for every table (recursively)."""
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            _style_table(child, palette)
        _style_tables(child, palette)


def _style_table(table: QTextTable, palette: QPalette) -> None:
    table_format: QTextTableFormat = table.format()
    table_format.setBorder(1)
    table_format.setBorderBrush(QBrush(theme.border_color(palette)))
    table_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    table_format.setBorderCollapse(True)
    table_format.setCellSpacing(0)
    table_format.setCellPadding(6)
    table_format.setTopMargin(6)
    table_format.setBottomMargin(6)
    table_format.setHeaderRowCount(1)
    table.setFormat(table_format)
    header_background = QBrush(theme.card_background(palette))
    bold = QTextCharFormat()
    bold.setFontWeight(QFont.Weight.Bold)
    for column in range(table.columns()):
        cell = table.cellAt(0, column)
        cell_format = cell.format()
        cell_format.setBackground(header_background)
        cell.setFormat(cell_format)
        cursor = cell.firstCursorPosition()
        cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(bold)
        block_format = cursor.blockFormat()
        block_format.setTopMargin(0)  # Qt gives the first cell a paragraph margin the others lack
        block_format.setBottomMargin(0)
        cursor.setBlockFormat(block_format)


def _find_code_blocks(document: QTextDocument) -> list[_CodeBlock]:
    """Runs of consecutive code lines (Qt marks each line of a code block with its language and
    fence, and keeps nothing between two blocks that only a blank line separates: a change of
    language or fence starts a new block)."""
    found: list[_CodeBlock] = []
    run: list[QTextBlock] = []
    for block in [*_blocks(document), None]:
        if block is not None and block.blockFormat().hasProperty(_CODE_LANGUAGE):
            if not run or _code_kind(run[-1]) == _code_kind(block):
                run.append(block)
                continue
        if run:
            language = str(run[0].blockFormat().property(_CODE_LANGUAGE) or "")
            text = "\n".join(b.text() for b in run)
            found.append(_CodeBlock(run[0].blockNumber(), run[-1].blockNumber(), language, text))
            run = []
        if block is not None and block.blockFormat().hasProperty(_CODE_LANGUAGE):
            run.append(block)  # the first line of the next block
    return found


def _code_kind(block: QTextBlock) -> tuple[str, str]:
    block_format = block.blockFormat()
    return (
        str(block_format.property(_CODE_LANGUAGE) or ""),
        str(block_format.property(QTextFormat.Property.BlockCodeFence) or ""),
    )


def _frame_code_block(document: QTextDocument, code: _CodeBlock, index: int, palette: QPalette) -> None:
    """Replace a run of code blocks with a padded frame: a caption line, then highlighted code."""
    first = document.findBlockByNumber(code.first_block)
    last = document.findBlockByNumber(code.last_block)
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    cursor.setPosition(first.position())
    cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    spacer = QTextBlockFormat()  # the empty block left before the frame: make it (almost) vanish
    spacer.setLineHeight(1, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
    cursor.setBlockFormat(spacer)

    frame_format = QTextFrameFormat()
    frame_format.setBackground(QBrush(theme.code_background(palette)))
    frame_format.setBorder(1)
    frame_format.setBorderBrush(QBrush(theme.border_color(palette)))
    frame_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    frame_format.setPadding(8)
    frame_format.setTopMargin(4)
    frame_format.setBottomMargin(4)
    frame_format.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    frame = cursor.insertFrame(frame_format)

    caption = QTextCharFormat()
    caption.setForeground(QBrush(theme.muted_text(palette)))
    caption.setProperty(QTextFormat.Property.FontSizeAdjustment, -1)
    language = code.language.split()[0] if code.language.strip() else ""
    if language:
        cursor.insertText(language + "   ", caption)
    copy_link = QTextCharFormat(caption)
    copy_link.setAnchor(True)
    copy_link.setAnchorHref(f"{COPY_CODE_SCHEME}:{index}")
    copy_link.setForeground(QBrush(theme.link_color(palette)))
    cursor.insertText(QCoreApplication.translate("Markdown", "Copy code"), copy_link)

    code_format = QTextCharFormat()
    code_format.setFont(fixed_font())
    code_block_format = QTextBlockFormat()
    code_block_format.setTopMargin(4)
    cursor.insertBlock(code_block_format, code_format)
    start = cursor.position()
    cursor.insertText(code.text, code_format)
    _highlight(document, start, code.text, language, theme.code_style_name(palette))
    # The block Qt keeps after a frame would add a blank line; shrink it like the one before.
    after = QTextCursor(document)
    after.setPosition(frame.lastPosition() + 1)
    if after.block().length() == 1:
        after.setBlockFormat(spacer)
    cursor.endEditBlock()


def _highlight(document: QTextDocument, start: int, text: str, language: str, style_name: str) -> None:
    """Colour ``text`` (already in the document at ``start``) token by token with Pygments."""
    if not language or len(text) > _MAX_HIGHLIGHTED_CHARS:
        return
    lexer = _lexer(language)
    if lexer is None:
        return
    cursor = QTextCursor(document)
    position = 0
    run_start: int = 0
    run_format: QTextCharFormat | None = None
    for token_type, value in lexer.get_tokens(text):
        token_format = _token_format(style_name, token_type)
        if token_format is not run_format:
            _apply(cursor, start, run_start, position, run_format, len(text))
            run_start, run_format = position, token_format
        position += len(value)
    _apply(cursor, start, run_start, position, run_format, len(text))


def _apply(
    cursor: QTextCursor, offset: int, begin: int, end: int, char_format: QTextCharFormat | None, limit: int
) -> None:
    end = min(end, limit)
    if char_format is None or end <= begin:
        return
    cursor.setPosition(offset + begin)
    cursor.setPosition(offset + end, QTextCursor.MoveMode.KeepAnchor)
    cursor.mergeCharFormat(char_format)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    try:
        # stripnl=False keeps leading blank lines, so token offsets match document positions.
        return get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1024)
def _token_format(style_name: str, token_type: _TokenType) -> QTextCharFormat | None:
    """The char format of a Pygments token type in a style (``None``: leave the text as it is)."""
    style = get_style_by_name(style_name).style_for_token(token_type)
    char_format = QTextCharFormat()
    if style["color"]:
        char_format.setForeground(QBrush(QColor("#" + style["color"])))
    if style["bold"]:
        char_format.setFontWeight(QFont.Weight.Bold)
    if style["italic"]:
        char_format.setFontItalic(True)
    if style["underline"]:
        char_format.setFontUnderline(True)
    return None if char_format.properties() == {} else char_format
