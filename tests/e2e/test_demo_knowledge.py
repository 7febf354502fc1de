"""The knowledge-base demo bot answers according to the question, and no demo bot offers the
question just asked as a follow-up: CozeClient over real HTTP."""

from __future__ import annotations

import pytest

from coze_desktop.api import ChatAccumulator, CozeClient
from coze_desktop.api.events import ChatEvent, MessageCompleted
from coze_desktop.api.recall import parse_verbose
from coze_desktop.demo.knowledge import TOPICS
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer
from coze_desktop.domain import ChatResult, ChatStatus

# A question per topic and language, and what only that topic's answer and sources carry.
TOPIC_QUESTIONS = [
    ("returns", "收到的商品能退货吗？", "退换货政策.pdf", "7 天"),
    ("returns", "Can I send it back if I don't like it?", "退换货政策.pdf", "7 days"),
    ("refunds", "退款什么时候到账？", "退款到账说明.pdf", "3–7 个工作日"),
    ("refunds", "When will I get my refund?", "退款到账说明.pdf", "3–7 working days"),
    ("shipping", "快递几天能送到？", "配送说明.pdf", "48 小时"),
    ("shipping", "How long does delivery take?", "配送说明.pdf", "48 hours"),
    ("warranty", "耳机坏了可以保修吗？", "保修条款.docx", "主要部件保修 2 年"),
    ("warranty", "Is a broken screen covered by the warranty?", "保修条款.docx", "2 years on main parts"),
    ("invoices", "怎么开发票？", "发票开具说明.pdf", "税号"),
    ("invoices", "Can I get a VAT invoice for my company?", "发票开具说明.pdf", "tax number"),
    ("account", "忘记密码怎么办？", "账号与安全.pdf", "验证码"),
    ("account", "I can't log in to my account", "账号与安全.pdf", "SMS code"),
]
OFF_TOPIC = ["今天天气怎么样？", "给我讲个笑话", "Why is the sky blue?", "Introduce yourself"]


def ask(client: CozeClient, question: str, bot: str = "demo-knowledge") -> tuple[ChatResult, list[ChatEvent]]:
    acc = ChatAccumulator(lang="en")
    events = list(client.stream_chat(bot, "u1", question))
    for event in events:
        acc.feed(event)
    result = acc.result()
    assert result.status is ChatStatus.COMPLETED, result.error
    return result, events


def recalled(events: list[ChatEvent]) -> bool:
    return any(
        isinstance(e, MessageCompleted)
        and e.message.type == "verbose"
        and parse_verbose(e.message.content)[0] == "knowledge_recall"
        for e in events
    )


@pytest.fixture
def client(demo_fast: DemoServer) -> CozeClient:
    return CozeClient(DEMO_TOKEN, demo_fast.url, read_timeout=10)


@pytest.mark.parametrize(("topic", "question", "document", "phrase"), TOPIC_QUESTIONS)
def test_each_topic_answers_with_its_own_passages(
    client: CozeClient, topic: str, question: str, document: str, phrase: str
) -> None:
    result, events = ask(client, question)
    assert recalled(events)
    assert result.sources and result.sources[0].document == document
    assert all(s.slice and s.dataset and s.score is not None and 0 < s.score < 1 for s in result.sources)
    assert any(s.url.startswith("https://help.example.com/") for s in result.sources)
    assert phrase in result.answer
    for n in range(1, len(result.sources) + 1):
        assert f"[{n}]" in result.answer  # every recalled passage is cited
    # Nothing of another topic's passages: its documents are not among the sources.
    own = next(t for t in TOPICS if t.name == topic)
    own_documents = {p.chunk["meta"]["document"]["name"] for p in own.passages}
    assert {s.document for s in result.sources} == own_documents
    assert len(result.follow_ups) == 3


def test_topics_are_distinct(client: CozeClient) -> None:
    answers = {}
    for topic, question, _document, _phrase in TOPIC_QUESTIONS:
        result, _ = ask(client, question)
        answers.setdefault(topic, set()).add(frozenset(s.slice for s in result.sources))
    assert len(answers) >= 4
    slices = [next(iter(v)) for v in answers.values()]
    assert all(len(v) == 1 for v in answers.values()), "both languages recall the same passages"
    assert all(a.isdisjoint(b) for i, a in enumerate(slices) for b in slices[i + 1 :])


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_an_off_topic_question_gets_a_polite_answer_without_sources(
    client: CozeClient, question: str
) -> None:
    result, events = ask(client, question)
    assert not recalled(events) and result.sources == []
    if question.isascii():
        assert "nothing about this in the knowledge base" in result.answer
    else:
        assert "知识库中没有相关内容" in result.answer
    assert "[1]" not in result.answer
    assert result.follow_ups and question not in result.follow_ups


def test_follow_ups_never_repeat_the_question_just_asked(client: CozeClient) -> None:
    """Ask every follow-up the bot offers (and its suggested questions), as a user clicking them would."""
    bot = client.get_bot("demo-knowledge")
    asked: set[str] = set()
    queue = [*bot.suggested_questions, *(q for _, q, _, _ in TOPIC_QUESTIONS), *OFF_TOPIC]
    while queue:
        question = queue.pop()
        if question in asked:
            continue
        asked.add(question)
        result, _ = ask(client, question)
        assert question not in result.follow_ups, question
        assert len(result.follow_ups) == 3 and len(set(result.follow_ups)) == 3
        queue.extend(result.follow_ups)
    assert len(asked) >= 30  # the walk reached every topic's follow-ups


def test_the_general_bot_never_offers_the_question_just_asked(client: CozeClient) -> None:
    for first in ("用 Python 写一个问候函数", "Show me a Markdown table"):
        offered, _ = ask(client, first, "demo-general")
        assert len(offered.follow_ups) == 2
        for question in offered.follow_ups:  # clicked, one after the other
            result, _ = ask(client, question, "demo-general")
            assert question not in result.follow_ups and len(result.follow_ups) == 2
