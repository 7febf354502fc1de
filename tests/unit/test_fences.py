"""CommonMark code fences as the whole app reads them (coze_desktop.text.fences): the message view's
segmenter and the Markdown and HTML exports use this one reading, so they agree on every text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.store.search import plain_text
from coze_desktop.text.fences import (
    Block,
    closes_fence,
    closing_fence,
    normalize_newlines,
    opening_marker,
    split_fences,
)
from coze_desktop.ui.segments import Segmenter


def test_an_opening_fence_is_three_or_more_backticks_or_tildes_at_most_three_spaces_in() -> None:
    assert opening_marker("```python") == "```"
    assert opening_marker("   ~~~~ info ` with a backtick") == "~~~~"  # tilde fences may have one
    assert opening_marker("    ```") == ""  # four spaces: indented code, not a fence
    assert opening_marker("``") == ""
    assert opening_marker("```inline```") == ""  # a backtick fence's info string has no backtick
    assert opening_marker("text ```") == ""


def test_a_block_closes_with_the_same_character_at_least_as_many_times_and_nothing_else() -> None:
    assert closes_fence("````", "```")
    assert closes_fence("   ``` \t", "```")
    assert not closes_fence("``", "```")
    assert not closes_fence("~~~", "```")
    assert not closes_fence("``` x", "```")
    assert not closes_fence("    ```", "```")
    assert closing_fence("  ~~~~ text") == "~~~~"
    assert closing_fence("plain") == ""


def test_split_fences_gives_prose_and_code_and_an_open_last_block() -> None:
    text = "Intro\r\n\r\n```py\r\nx = 1\r\n```\n\nOutro\n~~~\nopen"
    assert split_fences(text) == [
        Block("Intro\n"),
        Block("x = 1", "```"),
        Block("\nOutro"),
        Block("open", "~~~", closed=False),
    ]
    assert split_fences("\n\n") == []
    assert split_fences("```\n```") == [Block("", "```")]  # an empty code block is kept
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


_LINES = st.sampled_from(
    [
        "",
        "prose",
        "段落",
        "```",
        "```python",
        "````",
        " ```",
        "    ```",
        "~~~",
        "~~~~ x",
        "```x```",
        "``",
        "| a |",
    ]
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_LINES, max_size=40))
def test_the_view_and_the_exports_agree_on_an_open_code_block(lines: list[str]) -> None:
    text = "\n".join(lines)
    segmenter = Segmenter(10**6, 10**6)  # one segment: only the fence tracking matters
    segmenter.feed(text + "\n")
    fence_line, _start = segmenter.open_fence()
    blocks = split_fences(text)
    open_marker = blocks[-1].fence if blocks and not blocks[-1].closed else ""
    assert closing_fence(fence_line) == open_marker


_SEARCH_LINES = st.sampled_from(
    [
        *["", "**a**", "`b`", "# h", "> q", "- item", "段落", "```", "```python", "````", " ```", "    ```"],
        *["~~~", "~~~~ x", "~~~ `x`", "```x```", "``", "``` \t", "***"],
    ]
)


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(_SEARCH_LINES, max_size=30))
def test_search_text_keeps_as_written_the_code_blocks_split_fences_reads(lines: list[str]) -> None:
    """plain_text (search snippets) strips Markdown from the prose and keeps code as written,
    reading code blocks as split_fences does: nothing inside one is stripped, nothing outside kept."""
    text = "\n".join(lines)
    blocks = split_fences(text)
    expected = " ".join(block.text if block.fence else plain_text(block.text) for block in blocks)
    assert plain_text(text) == " ".join(expected.split())


def test_search_text_does_not_end_a_code_block_at_a_fence_with_an_info_string() -> None:
    assert plain_text("```\n**a**\n```python\n**b**\n```\n") == "**a** ```python **b**"
    assert plain_text("````\n**a**\n```\n**b**\n````\n**c**") == "**a** ``` **b** c"
    assert plain_text("~~~\n**a**\n```\n**b**\n~~~~\n**c**") == "**a** ``` **b** c"
