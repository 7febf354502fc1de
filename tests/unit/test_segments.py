"""The cuts that split a long answer into separately rendered segments (coze_desktop.ui.segments)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.text.fences import closing_fence, fenced_code
from coze_desktop.ui.segments import (
    LINE_HEAD_CHARS,
    Segment,
    Segmenter,
    split_segments,
)


def texts(segments: list[Segment]) -> list[str]:
    return [segment.text for segment in segments]


def check_cover(text: str, segments: list[Segment]) -> None:
    assert "".join(texts(segments)) == text
    position = 0
    for segment in segments:
        assert segment.start == position
        position = segment.end


def paragraph(n: int, size: int = 90) -> str:
    return (f"第{n}段 " + "文字" * size)[:size]


def test_short_text_is_one_segment() -> None:
    assert split_segments("hello\n\nworld", 100, 200) == [Segment(0, "hello\n\nworld")]
    assert split_segments("", 100, 200) == [Segment(0, "")]


def test_cuts_at_the_first_block_boundary_past_the_target() -> None:
    paragraphs = [paragraph(n) for n in range(10)]
    text = "\n\n".join(paragraphs)
    segments = split_segments(text, 250, 600)
    check_cover(text, segments)
    # Each paragraph is 90 characters plus a blank line: the boundary past 250 is before the 3rd.
    assert segments[0].text == "\n\n".join(paragraphs[:3]) + "\n\n"
    assert all(segment.prefix == "" for segment in segments)
    assert all(segment.text.startswith("第") for segment in segments)


def test_lists_and_indented_lines_are_not_split_at_blank_lines() -> None:
    items = "\n\n".join(f"{n}. {paragraph(n)}\n\n    continued {n}" for n in range(1, 9))
    text = paragraph(0) * 3 + "\n\n" + items + "\n\nAfter the list.\n"
    segments = split_segments(text, 250, 5000)
    check_cover(text, segments)
    assert texts(segments)[1] == "After the list.\n"


def test_blank_lines_inside_a_code_fence_are_not_boundaries() -> None:
    code = "\n\n".join(f"x{n} = {n}" for n in range(100))
    text = "Intro.\n\n```python\n" + code + "\n```\n\nOutro.\n"
    segments = split_segments(text, 100, 5000)
    check_cover(text, segments)
    assert texts(segments) == ["Intro.\n\n```python\n" + code + "\n```\n\n", "Outro.\n"]


def test_a_long_code_block_is_cut_at_a_line_and_continued_with_its_fence() -> None:
    code = "\n".join(f"    total += item.value * {n}" for n in range(400))
    text = "```python\n" + code + "\n```\n"
    segments = split_segments(text, 1000, 2000)
    check_cover(text, segments)
    assert len(segments) > 2
    for segment in segments[1:]:
        assert segment.prefix == "```python\n"
        assert segment.text.startswith("    total")
    for segment in segments[:-1]:
        assert 1000 <= len(segment.text) <= 2000


def test_a_long_table_is_cut_at_a_row_and_continued_with_its_header() -> None:
    header = "| 方案 | 延迟 |\n| --- | ---: |"
    rows = "\n".join(f"| 方案 {n} | {n} ms |" for n in range(300))
    text = "Table:\n\n" + header + "\n" + rows + "\n\nDone."
    segments = split_segments(text, 1000, 2000)
    check_cover(text, segments)
    # The table does not begin the first segment: the first cut goes before it.
    assert segments[0].text == "Table:\n\n"
    assert segments[1].prefix == "" and segments[1].text.startswith(header)
    for segment in segments[2:-1]:
        assert segment.prefix == header + "\n"
        assert segment.text.startswith("| 方案 ")
    assert segments[-1].text.endswith("Done.")


def test_a_code_block_that_would_be_cut_moves_whole_into_the_next_segment() -> None:
    prose = ("An explanation sentence that goes on. " * 60)[:2000] + "\n\n"
    code = "```python\n" + "\n".join(f"    result_{k} = transform(data, {k})" for k in range(75)) + "\n```\n"
    text = prose + code + "\nThat's the script, explained at some length afterwards.\n"
    segments = split_segments(text, 2500, 4500)
    check_cover(text, segments)
    assert [segment.text for segment in segments[:2]] == [prose, code + "\n"]
    assert all(segment.prefix == "" for segment in segments)


def test_a_code_block_longer_than_a_segment_is_continued_and_can_be_read_whole() -> None:
    code = [f"   result_{k} = transform(data, {k})" for k in range(300)]
    fence = " ```python"  # indented, as inside a list item: its indentation is the code's margin
    text = "1. Run this:\n\n" + fence + "\n" + "\n".join(" " + line for line in code) + "\n ```\n\nDone.\n"
    segments = split_segments(text, 1000, 2000)
    check_cover(text, segments)
    start = text.index(fence)
    assert len(segments) > 3
    assert segments[0].text == "1. Run this:\n\n"  # cut before the block, which then begins one
    assert segments[1].text.startswith(fence) and segments[1].fence_start == -1
    assert all(segment.prefix == fence + "\n" and segment.fence_start == start for segment in segments[2:-1])
    assert fenced_code(text, start) == code
    assert fenced_code(text, 0) == []  # not a fence line
    assert fenced_code("```\nunclosed\n\nblock", 0) == ["unclosed", "", "block"]


def test_fences_are_opened_and_closed_as_commonmark_says() -> None:
    # A fence indented by four spaces does not close a block; ```x``` on one line is inline code.
    code = "```python\ndef f():\n    ```\n\n    return 1\n" + "\n\n".join(f"x{n} = {n}" for n in range(60))
    text = "Intro.\n\n" + code + "\n```\n\nOutro, a paragraph after the code block.\n"
    segments = split_segments(text, 100, 5000)
    check_cover(text, segments)
    assert [segment.text for segment in segments] == [
        "Intro.\n\n" + code + "\n```\n\n",
        "Outro, a paragraph after the code block.\n",
    ]
    inline = "\n\n".join(["```pip install x```", *(paragraph(n) for n in range(12))]) + "\n\n"
    segments = split_segments(inline, 250, 2000)
    check_cover(inline, segments)
    assert len(segments) > 2 and all(segment.prefix == "" for segment in segments)


def test_a_forced_cut_avoids_starting_a_segment_with_an_indented_line() -> None:
    items = "\n".join(f"{n}. item {n}\n    - detail {n}.1\n    - detail {n}.2" for n in range(1, 200))
    segments = split_segments(items + "\n", 1000, 2000)
    check_cover(items + "\n", segments)
    assert len(segments) > 2
    for segment in segments[1:]:
        assert segment.text[0].isdigit(), segment.text[:30]


def test_one_giant_line_is_cut_at_the_maximum() -> None:
    text = "数据x" * 5000  # 15,000 characters, no line break
    segments = split_segments(text, 1000, 4000)
    check_cover(text, segments)
    assert [len(segment.text) for segment in segments] == [4000, 4000, 4000, 3000]
    assert all(segment.prefix == "" for segment in segments)


def test_a_segment_waits_for_the_head_of_the_line_after_a_blank_line() -> None:
    segmenter = Segmenter(10, 1000)
    assert segmenter.feed("0123456789ab\n\n1") == []  # "1" may start a list item: wait
    assert segmenter.feed("2. item\n\nnext") == []  # a list item: no cut; "next" is too short to tell
    closed = segmenter.feed("\n")
    assert texts(closed) == ["0123456789ab\n\n12. item\n\n"]
    assert segmenter.open_segment == Segment(len(closed[0].text), "next\n")


def test_the_open_segment_never_grows_far_past_the_maximum() -> None:
    segmenter = Segmenter(100, 400)
    for _ in range(1000):
        segmenter.feed("数据x")
        assert len(segmenter.open_segment.text) < 400 + LINE_HEAD_CHARS


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Segmenter(0, 10)
    with pytest.raises(ValueError):
        Segmenter(20, 10)


_LINES = st.sampled_from(
    [
        "",
        "",
        "Plain words here.",
        "段落文字，中文内容。",
        "- item",
        "1. first",
        "12) twelfth",
        "    indented",
        "```python",
        "```",
        "~~~",
        "| a | b |",
        "| --- | ---: |",
        "| 1 | 2 |",
        "> quote",
        "# Heading",
        "x" * 70,
        "\r",
        "\t tab",
        " ```",
        "````",
        "    ```",
        "```inline```",
        "123456789012. x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(_LINES, max_size=80),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=30),
    target=st.integers(min_value=1, max_value=120),
    extra=st.integers(min_value=0, max_value=200),
)
def test_streaming_cuts_where_the_whole_text_is_cut(
    lines: list[str], cuts: list[int], target: int, extra: int
) -> None:
    text = "\n".join(lines)
    maximum = target + extra
    whole = split_segments(text, target, maximum)
    check_cover(text, whole)
    segmenter = Segmenter(target, maximum)
    streamed: list[Segment] = []
    previous = 0
    for cut in [*sorted({min(cut, len(text)) for cut in cuts}), len(text)]:
        streamed.extend(segmenter.feed(text[previous:cut]))
        previous = cut
    assert [*streamed, segmenter.open_segment] == whole
    for segment in whole[:-1]:
        assert 0 < len(segment.text) <= maximum
    for segment in whole[1:]:  # a reopened fence, or a table's header and delimiter rows
        fence = segment.prefix[:-1]
        # (a line's end, when a tiny maximum cut a line in two)
        assert not fence or any(line.endswith(fence) for line in lines) or segment.prefix.count("\n") == 2
        assert (segment.fence_start >= 0) == bool(fence and fence.lstrip()[0] in "`~")
        if segment.fence_start >= 0:
            assert text[segment.fence_start :].startswith(fence)


def test_open_fence_follows_whole_lines_and_segments() -> None:
    segmenter = Segmenter(target=40, maximum=80)
    segmenter.feed("Intro\n\n```py")
    assert segmenter.open_fence() == ("", -1)  # the fence line is not whole yet
    segmenter.feed("thon\nx = 1\n")
    assert segmenter.open_fence() == ("```python", 7)
    segmenter.feed("y = 2\n" * 20)  # cut inside the block: the next segment reopens it
    assert segmenter.open_segment.prefix == "```python\n"
    assert segmenter.open_fence() == ("```python", -1)
    segmenter.feed("````\nafter\n")
    assert segmenter.open_fence() == ("", -1)
    assert closing_fence("  ~~~~ text") == "~~~~"
    assert closing_fence("plain") == ""
