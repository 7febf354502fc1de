"""The panel on the right: the knowledge-base passages an answer was built from.

Each passage is a card: its rank, the document and the dataset it came from, its relevance
score with a small bar, the passage itself (selectable, wrapped) and, when the source has a
web address, a link that opens in the browser. Only http and https links are ever made
clickable; anything else is shown as plain text. Everything from the source is shown as
plain text (escaped where it goes into a link label), never interpreted as markup.

A citation in an answer (or a search hit in a passage) points at one card:
:meth:`SourcesPanel.highlight_card` scrolls to it and marks it until another card is chosen or
other sources are shown.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coze_desktop.domain import Source
from coze_desktop.ui import theme
from coze_desktop.ui.layouts import discard
from coze_desktop.ui.markdown import is_web_url, open_web_link

SCORE_BAR_WIDTH = 48
ZERO_WIDTH_SPACE = "\u200b"
_LONG_RUN = re.compile(r"\S{25,}")  # a run of this many characters without a space may not fit a card
_BREAK_AFTER = re.compile(r"([/\\._\-?&=#:,;)])")
_CHUNK = 20  # a long run with no such character breaks every this many characters


def breakable(text: str) -> str:
    """``text`` with invisible break points in runs too long to wrap (web addresses, file names).

    Wrapping breaks only at spaces (and between CJK characters), so a long address or file name
    would stick out of a narrow card; a zero-width space after ``/``, ``.``, ``-``, ``?`` … (or
    every 20 characters when there are none) lets it wrap there. Short text is unchanged.
    """

    def split(match: re.Match[str]) -> str:
        parts = _BREAK_AFTER.sub(r"\1" + ZERO_WIDTH_SPACE, match.group(0)).split(ZERO_WIDTH_SPACE)
        chunks = (part[i : i + _CHUNK] for part in parts for i in range(0, max(len(part), 1), _CHUNK))
        return ZERO_WIDTH_SPACE.join(chunk for chunk in chunks if chunk)

    return _LONG_RUN.sub(split, text)


class _ScoreBar(QWidget):
    """A small horizontal bar filled to a score between 0 and 1."""

    def __init__(self, score: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score = min(max(score, 0.0), 1.0)
        self.setFixedSize(SCORE_BAR_WIDTH, 6)

    def sizeHint(self) -> QSize:
        return QSize(SCORE_BAR_WIDTH, 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        palette = self.palette()
        radius = self.height() / 2
        painter.setBrush(theme.border_color(palette))
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        if self._score > 0:
            painter.setBrush(theme.accent(palette))
            filled = QRectF(0, 0, max(self.height(), self.width() * self._score), self.height())
            painter.drawRoundedRect(filled, radius, radius)


class SourceCard(QFrame):
    """One recalled passage."""

    def __init__(self, rank: int, source: Source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.rank = rank
        self._highlighted = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)

        # The rank and the score on a line of their own, so the title gets the card's full width
        # and wraps there (a title squeezed between them had to wrap into a few letters a line).
        header = QHBoxLayout()
        header.setSpacing(8)
        badge = QLabel(f"#{rank}", self)
        badge.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        header.addWidget(badge)
        header.addStretch(1)
        if source.score is not None:
            score = QLabel(f"{source.score:.2f}", self)
            score.setToolTip(self.tr("Relevance score (higher is closer to the question)"))
            header.addWidget(score)
            header.addWidget(_ScoreBar(source.score, self), 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(header)
        title = source.document or source.title or self.tr("Untitled document")
        self.title = QLabel(breakable(title), self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        # setWordWrap also marks the label height-for-width; a size policy set after it drops that.
        self.title.setWordWrap(True)
        layout.addWidget(self.title)

        if source.dataset:
            dataset = QLabel(self.tr("Knowledge base: %1").replace("%1", source.dataset), self)
            dataset.setTextFormat(Qt.TextFormat.PlainText)
            dataset.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            dataset.setWordWrap(True)
            layout.addWidget(dataset)

        self.passage = QLabel(source.slice or self.tr("(empty passage)"), self)
        self.passage.setTextFormat(Qt.TextFormat.PlainText)
        self.passage.setWordWrap(True)
        self.passage.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.passage.setAccessibleName(self.tr("Passage %1").replace("%1", str(rank)))
        layout.addWidget(self.passage)

        self.link: QLabel | None = None
        if source.url or source.title:
            self.link = self._link_label(source)
            layout.addWidget(self.link)
        self.setAccessibleName(self.tr("Source %1: %2").replace("%1", str(rank)).replace("%2", title))

    def _link_label(self, source: Source) -> QLabel:
        """A clickable title for web addresses; plain text for anything else."""
        label = QLabel(self)
        label.setWordWrap(True)
        text = source.title or source.url
        if source.url and is_web_url(source.url):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(
                f'<a href="{html.escape(source.url, quote=True)}">{html.escape(breakable(text))}</a>'
            )
            label.setToolTip(source.url)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            label.linkActivated.connect(open_web_link)
        else:
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setText(
                breakable(text if text == source.url or not source.url else f"{text} ({source.url})")
            )
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def is_highlighted(self) -> bool:
        return self._highlighted

    def set_highlighted(self, highlighted: bool) -> None:
        """Mark the card a citation or a search hit points at: accent border, tinted background."""
        if highlighted == self._highlighted:
            return
        self._highlighted = highlighted
        self.setAccessibleDescription(self.tr("Cited passage") if highlighted else "")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        if self._highlighted:
            pen = QPen(theme.accent(palette))
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.setBrush(theme.mix(theme.card_background(palette), theme.search_highlight(palette), 0.35))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 10, 10)
            return
        painter.setPen(theme.border_color(palette))
        painter.setBrush(theme.card_background(palette))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)


class SourcesPanel(QWidget):
    """The recalled passages of one answer; see the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cards: list[SourceCard] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        header = QVBoxLayout()
        header.setContentsMargins(14, 12, 14, 8)
        header.setSpacing(2)
        self._heading = QLabel(self.tr("Sources"), self)
        font = self._heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._heading.setFont(font)
        header.addWidget(self._heading)
        self._subtitle = QLabel(self)
        self._subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self._subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._subtitle.setWordWrap(True)
        self._subtitle.setVisible(False)
        header.addWidget(self._subtitle)
        layout.addLayout(header)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content = QWidget(self._scroll)
        self._list = QVBoxLayout(self._content)
        self._list.setContentsMargins(12, 0, 12, 12)
        self._list.setSpacing(10)
        self._empty = QLabel(self._content)
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._empty.setContentsMargins(8, 24, 8, 24)
        self._list.addWidget(self._empty)
        self._list.addStretch(1)
        self._scroll.setWidget(self._content)
        layout.addWidget(self._scroll, 1)

        self.setAccessibleName(self.tr("Sources"))
        self.setMinimumWidth(220)
        self.clear()

    def show_sources(self, sources: list[Source], *, title: str = "") -> None:
        """Show the passages of one answer (in rank order); ``title`` says which answer."""
        self._remove_cards()
        self._subtitle.setText(title)
        self._subtitle.setVisible(bool(title))
        if not sources:
            self._empty.setText(self.tr("This answer did not use a knowledge base."))
            self._empty.setVisible(True)
            return
        self._empty.setVisible(False)
        for rank, source in enumerate(sources, start=1):
            card = SourceCard(rank, source, self._content)
            self._list.insertWidget(self._list.count() - 1, card)
            card.show()  # now, not on the next event loop turn: the panel is complete on return
            self._cards.append(card)
        self._scroll.verticalScrollBar().setValue(0)

    def highlight_card(self, rank: int) -> SourceCard | None:
        """Scroll to the card of source ``rank`` (1-based) and mark it (the others unmarked);
        ``None`` if there is no such card."""
        card = self._cards[rank - 1] if 1 <= rank <= len(self._cards) else None
        for other in self._cards:
            other.set_highlighted(other is card)
        if card is not None:
            self._scroll_to(card)
            # Again once a panel shown just now has its size: the first try may have had none.
            QTimer.singleShot(0, self, lambda: self._scroll_to(card))
        return card

    def highlighted_card(self) -> SourceCard | None:
        """The card marked by :meth:`highlight_card`, if any."""
        return next((card for card in self._cards if card.is_highlighted()), None)

    def _scroll_to(self, card: SourceCard) -> None:
        if card in self._cards:
            if (layout := self._content.layout()) is not None:
                layout.activate()
            self._scroll.ensureWidgetVisible(card, 0, 12)

    def clear(self) -> None:
        """Show nothing but a hint on how to see sources."""
        self._remove_cards()
        self._subtitle.setVisible(False)
        self._empty.setText(self.tr("Click an answer to see the knowledge-base passages it used."))
        self._empty.setVisible(True)

    def cards(self) -> list[SourceCard]:
        """The passages shown, in rank order."""
        return list(self._cards)

    def _remove_cards(self) -> None:
        for card in self._cards:
            discard(card, self._list)
        self._cards.clear()

    def changeEvent(self, event: QEvent) -> None:
        """Follow a language change at once (the window shows the cards again)."""
        if event.type() == QEvent.Type.LanguageChange:
            self._heading.setText(self.tr("Sources"))
            self.setAccessibleName(self.tr("Sources"))
        super().changeEvent(event)
