"""The answer view reads code fences as the rest of the app does (coze_desktop.text.fences): the
long lines it breaks into paragraphs for display are never inside a code block."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coze_desktop.text.fences import Block, split_fences
from coze_desktop.ui.messages.answer_body import _display_markdown
from coze_desktop.ui.messages.text_view import STREAM_BLOCK_MAX_CHARS

_LONG = STREAM_BLOCK_MAX_CHARS + 7
_LINES = st.sampled_from(
    [
        *[
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
        ],
        *["``` \t", "| a |", "段" * _LONG, "x " * _LONG, "| " + "b" * _LONG],
    ]
)


def _code(text: str) -> list[Block]:
    return [block for block in split_fences(text) if block.fence]


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(_LINES, max_size=30))
def test_long_lines_are_broken_only_outside_the_code_blocks_split_fences_reads(lines: list[str]) -> None:
    text = "\n".join(lines)
    shown = _display_markdown(text)
    if len(text) <= STREAM_BLOCK_MAX_CHARS:
        assert shown == text
        return
    assert _code(shown) == _code(text)  # every code block as it was, open or closed
    for block in split_fences(shown):
        if not block.fence:
            for line in block.text.split("\n"):
                assert len(line) <= STREAM_BLOCK_MAX_CHARS or line.lstrip().startswith("|")


def test_a_long_line_after_a_shorter_fence_inside_a_longer_one_stays_code() -> None:
    code = "x" * _LONG
    text = f"````\n```\n{code}\n````\n{'段' * _LONG}"
    shown = _display_markdown(text)
    assert f"```\n{code}\n````" in shown
    assert shown.endswith("段" * (_LONG - STREAM_BLOCK_MAX_CHARS))
