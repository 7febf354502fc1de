"""SourcesPanel: passages with rank, document, score and safe links."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QScrollArea
from pytestqt.qtbot import QtBot

from coze_desktop.domain import Source
from coze_desktop.ui import markdown
from coze_desktop.ui.side_panels import SOURCES_MIN_WIDTH
from coze_desktop.ui.sources_panel import ZERO_WIDTH_SPACE, SourcesPanel

from .clipping import save_screenshot, settled_clipping

SOURCES = [
    Source(
        slice="故宫，又称紫禁城，是明清两代的皇家宫殿。",
        score=0.83,
        document="北京景点.pdf",
        dataset="旅游知识库",
        title="故宫 <b>官网</b>",
        url="https://www.dpm.org.cn/",
    ),
    Source(
        slice="Mutianyu is quieter.",
        score=0.61,
        document="wall.md",
        dataset="Travel KB",
        url="javascript:alert(1)",
    ),
    Source(slice="<i>plain</i> & text", score=None, document="notes.txt", url="file:///etc/passwd"),
]


@pytest.fixture
def panel(qtbot: QtBot) -> SourcesPanel:
    widget = SourcesPanel()
    qtbot.addWidget(widget)
    widget.resize(320, 600)
    widget.show()
    return widget


def _texts(panel: SourcesPanel) -> str:
    return "\n".join(label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel))


def test_lists_each_passage_with_rank_document_dataset_and_score(panel: SourcesPanel) -> None:
    panel.show_sources(SOURCES, title="Answer: 北京")
    cards = panel.cards()
    assert len(cards) == 3
    texts = _texts(panel)
    for expected in ("#1", "#2", "#3", "北京景点.pdf", "旅游知识库", "0.83", "0.61", "Answer: 北京"):
        assert expected in texts
    assert cards[0].passage.text() == SOURCES[0].slice
    assert cards[0].passage.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert cards[0].passage.wordWrap()
    # Passage text is never interpreted as markup.
    assert cards[2].passage.textFormat() == Qt.TextFormat.PlainText
    assert cards[2].passage.text() == "<i>plain</i> & text"


def test_only_http_links_are_clickable(panel: SourcesPanel, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        markdown.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    panel.show_sources(SOURCES)
    web, script, local = (card.link for card in panel.cards())
    assert web is not None and script is not None and local is not None
    assert web.textFormat() == Qt.TextFormat.RichText
    assert 'href="https://www.dpm.org.cn/"' in web.text()
    assert "故宫 &lt;b&gt;官网&lt;/b&gt;" in web.text()  # the title is escaped, not rendered
    assert web.openExternalLinks() is False
    for label in (script, local):
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert "<a" not in label.text()
    web.linkActivated.emit("https://www.dpm.org.cn/")
    assert opened == ["https://www.dpm.org.cn/"]
    assert markdown.open_web_link("javascript:alert(1)") is False
    assert opened == ["https://www.dpm.org.cn/"]


def test_empty_states(panel: SourcesPanel) -> None:
    assert "Click an answer" in _texts(panel)
    panel.show_sources([])
    assert "did not use a knowledge base" in _texts(panel)
    assert panel.cards() == []
    panel.show_sources(SOURCES[:1])
    assert "did not use a knowledge base" not in _texts(panel)
    panel.clear()
    assert panel.cards() == []
    assert panel.accessibleName() == "Sources"


def test_highlight_card_marks_one_and_scrolls_to_it(qtbot: QtBot, panel: SourcesPanel) -> None:
    panel.resize(320, 260)  # too short for all cards: the last one is below the fold
    panel.show_sources(SOURCES * 3)
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    card = panel.highlight_card(9)
    assert card is panel.cards()[8] and card.is_highlighted()
    assert panel.highlighted_card() is card
    assert card.accessibleDescription() == "Cited passage"

    def card_in_view() -> bool:
        top = card.mapTo(scroll.viewport(), QPoint(0, 0)).y()
        return scroll.verticalScrollBar().value() > 0 and 0 <= top < scroll.viewport().height()

    qtbot.waitUntil(card_in_view, timeout=5000)
    first = panel.highlight_card(1)
    assert first is not None and first.is_highlighted() and not card.is_highlighted()
    assert panel.highlight_card(99) is None and panel.highlighted_card() is None
    panel.highlight_card(2)
    panel.show_sources(SOURCES)
    assert panel.highlighted_card() is None  # other sources: nothing marked


def test_cards_wrap_long_titles_and_addresses_in_a_narrow_panel(qtbot: QtBot, tmp_path: Path) -> None:
    long_name = "after_sales_policy_2024_returns_exchanges_and_warranty_terms_final_v3.pdf"
    long_url = "https://help.example.com/after-sales/returns/how-to-return-an-item-within-seven-days?lang=en"
    sources = [
        Source(
            slice="退货运费由卖家承担。", score=0.9, document=long_name, dataset="售后知识库", url=long_url
        ),
        Source(
            slice="Warranty: 1 year.",
            score=0.7,
            document="保修条款（整机一年、主要部件两年、凭订单号免费维修）.docx",
        ),
    ]
    panel = SourcesPanel()
    qtbot.addWidget(panel)
    panel.resize(SOURCES_MIN_WIDTH, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_sources(sources)
    save_screenshot(panel, tmp_path, "narrow-sources")
    assert not settled_clipping(qtbot, panel)
    card = panel.cards()[0]
    assert card.title.wordWrap()
    assert card.title.text().replace(ZERO_WIDTH_SPACE, "") == long_name  # all of it, nothing elided
    assert card.link is not None and long_url in card.link.text().replace(ZERO_WIDTH_SPACE, "")
    assert card.accessibleName().endswith(long_name)
