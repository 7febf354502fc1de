"""additional_messages with context: the shown path before a question, at most 100 items."""

from __future__ import annotations

from coze_desktop.api.client import MAX_ADDITIONAL_MESSAGES, messages_with_context


def test_context_then_question_with_coze_roles_and_types() -> None:
    items = messages_with_context([("user", "Q1"), ("assistant", ""), ("assistant", "A1")], "Q2")
    assert items == [
        {"role": "user", "type": "question", "content": "Q1", "content_type": "text"},
        {"role": "assistant", "type": "answer", "content": "A1", "content_type": "text"},
        {"role": "user", "type": "question", "content": "Q2", "content_type": "text"},
    ]


def test_only_the_newest_context_fits_in_100_items() -> None:
    context = [("user" if n % 2 == 0 else "assistant", f"M{n}") for n in range(150)]
    items = messages_with_context(context, "last")
    assert len(items) == MAX_ADDITIONAL_MESSAGES == 100
    assert items[0]["content"] == "M51" and items[-2]["content"] == "M149" and items[-1]["content"] == "last"
