"""The demo bots: what each one says, and which fault the test bots inject.

A bot turns the user's question into a :class:`Reply` (knowledge chunks, reasoning, answer and
follow-up questions, already cut into stream pieces). How the reply travels — stream or poll,
pacing, faults on the wire — is the server's business (``turn.py``).
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from coze_desktop.demo import knowledge
from coze_desktop.demo.images import image_info
from coze_desktop.demo.knowledge import follow_ups_for, match_topic

BENCH_PIECE = "数据x"
BENCH_DEFAULT_DELTAS = 1000
BENCH_MAX_DELTAS = 1_000_000

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A stream piece is one ASCII word with its trailing punctuation and spaces, or a single other character.
_UNIT = re.compile(r"[A-Za-z0-9_]+[^\sA-Za-z0-9_\u3400-\u9fff]*[ \t]*|.", re.DOTALL)


class Fault(Enum):
    """A misbehaviour a test bot injects, described where each bot is defined."""

    FAILED = "failed"
    ERROR_EVENT = "error_event"
    DROP = "drop"
    SLOW = "slow"
    UNAUTHORIZED = "unauthorized"
    UNPUBLISHED = "unpublished"


@dataclass(frozen=True)
class Reply:
    """Everything a bot says in one turn; answer and reasoning are cut into stream pieces."""

    answer_pieces: tuple[str, ...]
    reasoning_pieces: tuple[str, ...] = ()
    recall: tuple[dict[str, Any], ...] = ()
    follow_ups: tuple[str, ...] = ()

    @property
    def answer(self) -> str:
        """The whole answer: the concatenation of its pieces."""
        return "".join(self.answer_pieces)

    @property
    def reasoning(self) -> str:
        """The whole reasoning, ``""`` for bots that do not think aloud."""
        return "".join(self.reasoning_pieces)


@dataclass(frozen=True)
class Bot:
    """A demo bot: its public profile and the function that answers a question."""

    id: str
    name: str
    description: str
    prologue: str
    suggested_questions: tuple[str, ...]
    answer: Callable[[str], Reply]
    fault: Fault | None = None
    # A bot whose reply stops in requires_action for a local plugin (demo/tools.py plays it).
    asks_tools: bool = False
    # /v1/bots/{id} spells the onboarding keys Prologue/SuggestedQuestions, like a doc example does.
    pascal_case_onboarding: bool = False
    # A bot that reads attachments: gets the raw object_string content and a lookup of uploaded files.
    files_answer: Callable[[str, Callable[[str], tuple[str, bytes] | None]], Reply] | None = None
    # A bot whose answer to some questions links to the server's own address (base URL given):
    # None for the questions it leaves to the other answers.
    web_answer: Callable[[str, str], Reply | None] | None = None


def is_chinese(text: str) -> bool:
    """Whether ``text`` contains CJK characters, which decides the language of the answer."""
    return _CJK.search(text) is not None


def split_pieces(text: str) -> tuple[str, ...]:
    """Cut ``text`` into stream pieces: 1–4 CJK characters, or one English word, at a time.

    The cut depends only on the text, so a question always streams the same way.
    """
    rng = random.Random(zlib.crc32(text.encode()))
    units = _UNIT.findall(text)
    pieces: list[str] = []
    start = 0
    while start < len(units):
        end = start + 1
        if len(units[start]) == 1:  # single characters go in groups of 1–4, up to the next word
            limit = min(start + rng.randint(1, 4), len(units))
            while end < limit and len(units[end]) == 1:
                end += 1
        pieces.append("".join(units[start:end]))
        start = end
    return tuple(pieces)


def _knowledge_answer(question: str) -> Reply:
    """Answer from the topic the question is about, citing each recalled passage as [n].

    A question on none of the knowledge base's topics gets a polite "not in the knowledge base"
    with no recall at all. The follow-ups never repeat the question just asked.
    """
    zh = is_chinese(question)
    topic = match_topic(question)
    if topic is None:
        if zh:
            answer = (
                "抱歉，知识库中没有相关内容，我暂时无法回答这个问题。\n\n"
                "我可以回答退货、退款、配送、保修、发票和账号方面的问题，也可以在「我的订单」中联系人工客服。"
            )
            candidates = knowledge.OFF_TOPIC_FOLLOW_UPS_ZH
        else:
            answer = (
                "Sorry, there is nothing about this in the knowledge base, so I cannot answer it.\n\n"
                "I can help with returns, refunds, shipping, warranty, invoices and your account, "
                "or you can reach a person under **My orders**."
            )
            candidates = knowledge.OFF_TOPIC_FOLLOW_UPS_EN
        return Reply(answer_pieces=split_pieces(answer), follow_ups=follow_ups_for(question, candidates))
    points = [passage.zh if zh else passage.en for passage in topic.passages]
    cited = "\n".join(f"{n}. {point} [{n}]" for n, point in enumerate(points, start=1))
    if zh:
        answer = f"根据{topic.source_zh}，整理如下：\n\n{cited}\n\n{topic.tip_zh}"
    else:
        answer = f"Here is what the {topic.source_en} says:\n\n{cited}\n\n{topic.tip_en}"
    follow_ups = follow_ups_for(question, topic.follow_ups_zh if zh else topic.follow_ups_en)
    recall = tuple(passage.chunk for passage in topic.passages)
    return Reply(answer_pieces=split_pieces(answer), recall=recall, follow_ups=follow_ups)


def _topic(question: str, limit: int = 40) -> str:
    """The question on one line, shortened, for quoting it back in an answer."""
    line = " ".join(question.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _reasoning_answer(question: str) -> Reply:
    """Think aloud in a few sentences (``reasoning_content``), then answer."""
    topic = _topic(question)
    if is_chinese(question):
        reasoning = (
            f"用户问的是「{topic}」。先找出问题的关键点，再想想可能的答案方向。"
            "这是推理演示，不调用真实模型，所以回答里要说明这一点，并给出一个可以自己验算的小例子。"
            "最后检查：回答要简短、分点，并且和提问使用同一种语言。"
        )
        answer = (
            "**结论**：这是推理演示机器人的回答。\n\n"
            "- 上面的思考过程通过 `reasoning_content` 逐段送达，正文在思考结束后才开始输出。\n"
            "- 一个可以验算的小例子：17 × 24 = 17 × 20 + 17 × 4 = 340 + 68 = **408**。"
        )
    else:
        reasoning = (
            f'The user asks: "{topic}". First find the key point of the question, then list the ways '
            "to answer it. This is a reasoning demo without a real model, so the answer should say so "
            "and give a small example the reader can check. Last check: short, in points, and in the "
            "language of the question."
        )
        answer = (
            "**Conclusion**: this is the reasoning demo bot's answer.\n\n"
            "- The thinking above arrived piece by piece in `reasoning_content`; the answer starts "
            "only when the thinking is done.\n"
            "- A small example to check: 17 × 24 = 17 × 20 + 17 × 4 = 340 + 68 = **408**."
        )
    return Reply(answer_pieces=split_pieces(answer), reasoning_pieces=split_pieces(reasoning))


_GENERAL_ZH = """## 关于「{topic}」

这是通用助手的演示回答，用来展示流式 Markdown 渲染：

- **列表**：逐条给出要点
- **表格**：对比几个选项
- **代码**：带语法高亮的代码块

| 方案 | 速度 | 难度 |
| --- | --- | --- |
| 直接回答 | 快 | 低 |
| 分步推理 | 中 | 中 |

```python
def greet(name: str) -> str:
    return f"你好，{{name}}！"


print(greet("扣子"))
```

还有其他想了解的吗？"""

_GENERAL_EN = """## About "{topic}"

This is the general assistant's demo answer. It shows streamed Markdown:

- **Lists**: one point per line
- **Tables**: options side by side
- **Code**: a highlighted code block

| Approach | Speed | Effort |
| --- | --- | --- |
| Direct answer | fast | low |
| Step by step | medium | medium |

```python
def greet(name: str) -> str:
    return f"Hello, {{name}}!"


print(greet("Coze"))
```

Anything else you would like to know?"""


def _general_answer(question: str) -> Reply:
    """Answer in the question's language with a heading, a list, a table and a Python block."""
    zh = is_chinese(question)
    answer = (_GENERAL_ZH if zh else _GENERAL_EN).format(topic=_topic(question))
    candidates = (
        ("能再举一个例子吗？", "表格里的两种方案该怎么选？", "代码还能更简单吗？")
        if zh
        else (
            "Can you give another example?",
            "How do I choose between the two approaches?",
            "Can the code be simpler?",
        )
    )
    follow_ups = follow_ups_for(question, candidates, count=2)  # never the question just asked
    return Reply(answer_pieces=split_pieces(answer), follow_ups=follow_ups)


def _bench_answer(question: str) -> Reply:
    """Answer with N identical pieces, N being the question as an integer (default 1000)."""
    text = question.strip()
    count = int(text) if text.isdecimal() and 0 < int(text) <= BENCH_MAX_DELTAS else BENCH_DEFAULT_DELTAS
    return Reply(answer_pieces=(BENCH_PIECE,) * count)


def _fixed_answer(zh: str, en: str) -> Callable[[str], Reply]:
    """Return an answer function that says ``zh`` or ``en`` depending on the question's language."""

    def answer(question: str) -> Reply:
        return Reply(answer_pieces=split_pieces(zh if is_chinese(question) else en))

    return answer


def _fault_bot(bot_id: str, name: str, description: str, fault: Fault, answer: Callable[[str], Reply]) -> Bot:
    """Return a test bot that injects ``fault``; its profile says so."""
    return Bot(bot_id, name, description, f"测试机器人：{description}", (), answer, fault)


def _files_answer(content: str, uploaded: Callable[[str], tuple[str, bytes] | None]) -> Reply:
    """Describe what an object_string message carried: per image its format and pixel size, per
    file its name, size and first line. A plain text question gets a hint instead."""
    try:
        parts = json.loads(content)
    except ValueError:
        parts = None
    if not isinstance(parts, list):
        zh = is_chinese(content)
        hint = (
            "请附上图片或文件，我会描述收到的内容。"
            if zh
            else "Attach an image or a file and I will describe what I received."
        )
        return Reply(answer_pieces=split_pieces(hint))
    text = " ".join(p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type") == "text")
    zh = is_chinese(text)
    lines = ["我收到了：" if zh else "I received:"]
    for part in parts:
        if not isinstance(part, dict) or part.get("type") == "text":
            continue
        file_id = str(part.get("file_id", ""))
        found = uploaded(file_id)
        if found is None:
            lines.append(f"- {file_id}: " + ("未知的文件" if zh else "unknown file"))
            continue
        name, data = found
        info = image_info(data)
        if info is not None:
            fmt, w, h = info
            lines.append(
                f"- {name}: " + (f"{fmt} 图片，{w}×{h} 像素" if zh else f"{fmt} image, {w}×{h} pixels")
            )
            continue
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        lines.append(
            f"- {name}: "
            + (f"{len(data)} 字节，第一行：{first}" if zh else f"{len(data)} bytes, first line: {first}")
        )
    if len(lines) == 1:
        lines.append("（没有文件）" if zh else "(no files)")
    return Reply(answer_pieces=split_pieces("\n".join(lines)))


_PICTURE_WORDS = ("picture", "image", "photo", "chart", "图片", "照片", "图表")


def _picture_answer(question: str, base_url: str) -> Reply | None:
    """A plain question asking for a picture gets one: a Markdown image linking to the server's
    ``/demo/images/chart.png`` (``slow`` in the question: ``slow.png``, served after a pause;
    ``broken``: a link to an image that does not exist)."""
    lowered = question.lower()
    if question.lstrip().startswith("[") or not any(word in lowered for word in _PICTURE_WORDS):
        return None
    name = "chart.png"
    if "slow" in lowered or "慢" in question:
        name = "slow.png"
    elif "broken" in lowered or "坏" in question:
        name = "missing.png"
    url = f"{base_url}/demo/images/{name}"
    if is_chinese(question):
        answer = f"这是演示图表：\n\n![演示图表：每天的回答数]({url})\n\n图片由演示服务器提供。"
    else:
        answer = f"Here is the demo chart:\n\n![Demo chart: answers per day]({url})\n\nThe demo server serves the picture."
    return Reply(answer_pieces=split_pieces(answer))


_OK_ANSWER = _fixed_answer("收到，这是一个简短的回答。", "Got it, this is a short answer.")

_ALL = (
    Bot(
        "demo-knowledge",
        "售后知识库助手 / After-sales KB bot",
        "根据知识库回答退货、退款、配送、保修、发票和账号问题，并给出引用来源；知识库里没有的内容会如实说明。",
        "你好，我是售后知识库助手，可以回答退货、退款、配送、保修、发票和账号问题。",
        ("7 天无理由退货怎么申请？", "退货运费谁承担？", "What does the warranty cover?"),
        _knowledge_answer,
        pascal_case_onboarding=True,
    ),
    Bot(
        "demo-reasoning",
        "推理演示 / Reasoning demo",
        "先展示思考过程（reasoning_content），再给出回答。",
        "你好，我会先思考再回答。Ask me anything and watch me think first.",
        ("17 × 24 等于多少？", "Why is the sky blue?"),
        _reasoning_answer,
    ),
    Bot(
        "demo-general",
        "通用助手 / General assistant",
        "用提问的语言回答，展示标题、列表、表格和代码块；问它要图片（picture）时回答一张演示图表。",
        "你好！我是通用助手。Hello! I answer in the language you write in.",
        ("用 Python 写一个问候函数", "Show me a Markdown table"),
        _general_answer,
        web_answer=_picture_answer,
    ),
    Bot(
        "bench",
        "基准测试 / Benchmark",
        "回答 N 个相同的小片段，N 为提问中的整数（默认 1000），配合 --fast 测吞吐量。",
        "发送一个整数 N，我会回复 N 个增量片段。",
        ("1000", "100000"),
        _bench_answer,
    ),
    Bot(
        "demo-files",
        "文件助手 / Files bot",
        "描述收到的附件：图片的格式和像素尺寸，文件的名称、大小和第一行；问它要图片（picture）时回答一张演示图表。",
        "你好！发给我图片或文件，我会告诉你收到了什么。Send me images or files and I'll describe them.",
        ("看看这张图", "What did you receive?", "Show me a picture"),
        lambda question: _files_answer(question, lambda file_id: None),
        files_answer=_files_answer,
        web_answer=_picture_answer,
    ),
    Bot(
        "demo-plugin",
        "本地插件演示 / Local plugin bot",
        "调用本地（端）插件 local_weather 查天气：回复停在 requires_action，提交工具输出"
        "（submit_tool_outputs）后同一条回复继续；提问含「预订」或 book 时改用 reply_message 反问你。",
        "你好！我会请你的电脑上的本地插件查天气。Ask me about the weather: a local plugin answers.",
        ("南京今天天气怎么样？", "帮我预订一张去上海的车票", "What's the weather in Paris?"),
        _fixed_answer(
            "这个机器人需要本地插件的结果才能回答。", "This bot needs the local plugin's result to answer."
        ),
        asks_tools=True,
    ),
    _fault_bot(
        "fault-failed",
        "故障：对话失败 / Fault: chat failed",
        "流式时发送 conversation.chat.failed（5000 event interval error），没有 done。",
        Fault.FAILED,
        _OK_ANSWER,
    ),
    _fault_bot(
        "fault-error-event",
        "故障：错误事件 / Fault: error event",
        "先发两个回答片段，再发送 error 事件（5000 internal server error）并结束流。",
        Fault.ERROR_EVENT,
        lambda question: Reply(answer_pieces=("好的", "，")),
    ),
    _fault_bot(
        "fault-drop",
        "故障：连接中断 / Fault: dropped connection",
        "发送几个回答片段后直接断开连接，不发送结束块。",
        Fault.DROP,
        lambda question: Reply(answer_pieces=("这条回答", "会在中途", "断开")),
    ),
    _fault_bot(
        "fault-slow",
        "故障：慢响应 / Fault: slow response",
        "等待 3 秒后才发送响应的第一个字节，然后给出简短回答。",
        Fault.SLOW,
        _fixed_answer("久等了，这是一个慢速回答。", "Sorry for the wait, this is a slow answer."),
    ),
    _fault_bot(
        "fault-401",
        "故障：鉴权失败 / Fault: 401",
        "即使令牌正确，对话请求也返回 HTTP 401（4100 authentication is invalid）。",
        Fault.UNAUTHORIZED,
        _OK_ANSWER,
    ),
    _fault_bot(
        "fault-4015",
        "故障：未发布 / Fault: not published",
        "对话请求返回 JSON 错误 4015（机器人未发布到 API 渠道），即使请求的是流式响应。",
        Fault.UNPUBLISHED,
        _OK_ANSWER,
    ),
)

BOTS: dict[str, Bot] = {bot.id: bot for bot in _ALL}
"""Every demo bot by id, in the order the server lists them."""
