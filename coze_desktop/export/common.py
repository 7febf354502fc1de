"""What every export format shares: the item type, the labels and the small text pieces.

Standard library only: no Qt, no SQLite, no ``coze_desktop.api``. The formats are one module each:
:mod:`.markdown`, :mod:`.html` and :mod:`.jsonfmt` (the JSON writer and its reader side by side);
:mod:`.writer` picks one and writes the file. Gathering conversations from the store and saving
imported ones is the store's part (:mod:`coze_desktop.store.exporting`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from coze_desktop.domain import (
    CALL_STEP_KINDS,
    Bot,
    Conversation,
    Message,
    MessageState,
    Source,
    ToolStep,
    WorkflowRun,
)


@dataclass(slots=True)
class ConversationExport:
    """One conversation with everything an export needs: its messages (oldest first) and bot.

    ``messages`` may hold every version (``Store.all_messages``): Markdown and HTML show only
    the shown ones (``Message.shown``), the JSON export keeps them all with their tree.
    """

    conversation: Conversation
    messages: list[Message] = field(default_factory=list)
    bot: Bot | None = None


# ---------------------------------------------------------------------------------------------
# Labels and shared text pieces
# ---------------------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "user": "用户",
        "assistant": "助手",
        "reasoning": "思考过程",
        "sources": "来源",
        "follow_ups": "推荐问题",
        "attachments": "附件",
        "not_kept": "未保留文件",
        "not_embedded": "超过 {}，未嵌入",
        "bot": "智能体",
        "created": "创建于",
        "updated": "更新于",
        "contents": "目录",
        "untitled": "未命名会话",
        "untitled_source": "未命名文档",
        "document_title": "Coze Desktop 导出",
        "empty": "没有可导出的会话。",
        "stopped": "已停止",
        "interrupted": "中断",
        "failed": "失败",
        "streaming": "未完成",
        "error": "错误",
        "code": "错误码 {}",
        "logid": "日志 ID {}",
        "duration": "用时 {:.1f} 秒",
        "tokens": "{:,} tokens",
        "score": "score {:.2f}",
        "colon": "：",
        "comma": "，",
        "open": "（",
        "close": "）",
        "steps": "调用步骤",
        "called": "调用 {}",
        "pending": "等待输出",
        "asked": "提问“{}”",
        "pending_answer": "等待回答",
        "response": "返回",
        "runs": "工作流运行",
        "workflow": "工作流",
        "status": "状态",
        "started": "开始于",
        "parameters": "参数",
        "output": "输出",
        "node": "节点",
        "untitled_node": "无标题节点",
        "question": "等待回答",
        "answer": "回答",
        "debug_url": "调试链接",
        "run_running": "运行中",
        "run_completed": "完成",
        "run_interrupted": "等待回答",
        "run_error": "出错",
    },
    "en": {
        "user": "You",
        "assistant": "Bot",
        "reasoning": "Reasoning",
        "sources": "Sources",
        "follow_ups": "Suggested questions",
        "attachments": "Attachments",
        "not_kept": "file not kept",
        "not_embedded": "over {}, not embedded",
        "bot": "Bot",
        "created": "Created",
        "updated": "Updated",
        "contents": "Contents",
        "untitled": "Untitled conversation",
        "untitled_source": "Untitled document",
        "document_title": "Coze Desktop export",
        "empty": "No conversations to export.",
        "stopped": "Stopped",
        "interrupted": "Interrupted",
        "failed": "Failed",
        "streaming": "Incomplete",
        "error": "Error",
        "code": "code {}",
        "logid": "log ID {}",
        "duration": "{:.1f} s",
        "tokens": "{:,} tokens",
        "score": "score {:.2f}",
        "colon": ": ",
        "comma": ", ",
        "open": " (",
        "close": ")",
        "steps": "Steps",
        "called": "called {}",
        "pending": "waiting for its output",
        "asked": "asked “{}”",
        "pending_answer": "waiting for an answer",
        "response": "response",
        "runs": "Workflow runs",
        "workflow": "Workflow",
        "status": "Status",
        "started": "Started",
        "parameters": "Parameters",
        "output": "Output",
        "node": "Node",
        "untitled_node": "untitled node",
        "question": "Waiting for an answer",
        "answer": "Answer",
        "debug_url": "Debug link",
        "run_running": "running",
        "run_completed": "completed",
        "run_interrupted": "waiting for an answer",
        "run_error": "error",
    },
}

_STATE_LABEL_KEYS = {
    MessageState.STOPPED: "stopped",
    MessageState.INTERRUPTED: "interrupted",
    MessageState.FAILED: "failed",
    MessageState.STREAMING: "streaming",
}


def lang_key(lang: str) -> str:
    """``"zh"`` for any Chinese locale (``zh``, ``zh_CN``, ``zh-TW``), else ``"en"``."""
    return "zh" if lang.lower().startswith("zh") else "en"


def format_time(ts: float, tz: tzinfo | None) -> str:
    """``2024-05-01 18:00 UTC+08:00`` in ``tz`` (the local zone when None); ``""`` if unknown."""
    if not math.isfinite(ts) or ts <= 0:
        return ""
    try:
        moment = datetime.fromtimestamp(ts, UTC).astimezone(tz)
    except (OverflowError, OSError, ValueError):
        return ""
    offset = moment.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset else 0
    zone = "UTC"
    if minutes:
        sign = "+" if minutes > 0 else "-"
        zone += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{moment:%Y-%m-%d %H:%M} {zone}"


def iso_utc(ts: float) -> str | None:
    """``2024-05-01T10:00:00Z`` for humans reading the JSON; None when the time is not representable."""
    if not math.isfinite(ts):
        return None
    try:
        moment = datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def conversation_title(conversation: Conversation, labels: dict[str, str]) -> str:
    """The conversation's title on one line, or the "untitled" label."""
    return " ".join(conversation.title.split()) or labels["untitled"]


def document_title(items: Sequence[ConversationExport], labels: dict[str, str]) -> str:
    """The title of the exported file: the conversation's for one, a generic one otherwise."""
    if len(items) == 1:
        return conversation_title(items[0].conversation, labels)
    return labels["document_title"]


def meta_pairs(item: ConversationExport, labels: dict[str, str], tz: tzinfo | None) -> list[tuple[str, str]]:
    """(label, value) pairs under a conversation's title: bot, created, updated."""
    conversation = item.conversation
    bot_name = item.bot.name.strip() if item.bot and item.bot.name.strip() else conversation.bot_id
    pairs = [(labels["bot"], " ".join(bot_name.split()))]
    for key, ts in (("created", conversation.created_at), ("updated", conversation.updated_at)):
        shown = format_time(ts, tz)
        if shown:
            pairs.append((labels[key], shown))
    return pairs


def state_note(message: Message, labels: dict[str, str]) -> str | None:
    """``失败：余额不足（错误码 4028，日志 ID abc）`` for a message that did not complete, else None."""
    if message.state is MessageState.COMPLETE and message.error is None:
        return None
    note = labels[_STATE_LABEL_KEYS.get(message.state, "error")]
    if message.error is None:
        return note
    error = message.error
    detail = " ".join(error.message.split())
    extras = []
    if error.code is not None:
        extras.append(labels["code"].format(error.code))
    if error.logid:
        extras.append(labels["logid"].format(error.logid))
    if detail:
        note += labels["colon"] + detail
    if extras:
        note += labels["open"] + labels["comma"].join(extras) + labels["close"]
    return note


def usage_note(message: Message, labels: dict[str, str]) -> str | None:
    """``用时 3.2 秒 · 1,234 tokens`` for an answer that has a duration or usage, else None."""
    parts = []
    if message.duration is not None and math.isfinite(message.duration):
        parts.append(labels["duration"].format(message.duration))
    if message.usage is not None and message.usage.token_count:
        parts.append(labels["tokens"].format(message.usage.token_count))
    return " · ".join(parts) or None


def source_name(source: Source, labels: dict[str, str]) -> str:
    """The document name of a source, else its link title, else the "untitled" label."""
    name = source.document.strip() or source.title.strip() or labels["untitled_source"]
    return " ".join(name.split())


def source_details(source: Source, labels: dict[str, str]) -> str:
    """`` — 数据集 (score 0.83)``: what follows the name of a source, possibly empty."""
    text = ""
    if source.dataset.strip():
        text += " — " + " ".join(source.dataset.split())
    if source.score is not None and math.isfinite(source.score):
        text += " (" + labels["score"].format(source.score) + ")"
    return text


STEP_TEXT_CHARS = 200  # arguments and results are cut to this many characters in a step line


def _brief_text(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= STEP_TEXT_CHARS else flat[: STEP_TEXT_CHARS - 1] + "…"


def step_question(step: ToolStep) -> str:
    """What a ``reply_message`` call asks: its ``question`` (or ``content``, ``text``) argument
    when the arguments are a JSON object holding one, else the arguments as they came."""
    try:
        value = json.loads(step.arguments) if step.arguments.strip() else None
    except ValueError:
        value = None
    if isinstance(value, dict):
        for key in ("question", "content", "text"):
            text = value.get(key)
            if isinstance(text, str) and text.strip():
                return text
    return step.arguments


def step_line(step: ToolStep, labels: dict[str, str]) -> str:
    """A step in brief: ``called NAME(args) → result`` (``调用 NAME(args) → result``); a
    ``reply_message`` call (the bot's question) as ``asked “QUESTION” → answer``. A call the person
    has not answered yet (``tool_call`` or ``reply_message`` with no result) says it waits."""
    if step.kind in ("tool_response", "tool_output"):
        return f"{labels['response']} → {_brief_text(step.result)}"
    if step.kind == "reply_message":
        line = labels["asked"].format(_brief_text(step_question(step)))
    else:
        line = labels["called"].format(f"{step.name or '?'}({_brief_text(step.arguments)})")
    if step.result:
        line += f" → {_brief_text(step.result)}"
    elif step.kind in CALL_STEP_KINDS:
        line += f" · {labels['pending_answer' if step.kind == 'reply_message' else 'pending']}"
    if step.duration_ms is not None:
        line += f" ({step.duration_ms} ms)"
    return line


def run_meta_pairs(run: WorkflowRun, labels: dict[str, str], tz: tzinfo | None) -> list[tuple[str, str]]:
    """(label, value) pairs under a run's title: workflow, status, start, duration, tokens."""
    pairs = [
        (labels["workflow"], run.workflow_id),
        (labels["status"], labels["run_" + run.status.value]),
    ]
    started = format_time(run.started_at, tz)
    if started:
        pairs.append((labels["started"], started))
    extras = []
    if run.duration is not None and math.isfinite(run.duration):
        extras.append(labels["duration"].format(run.duration))
    if run.usage is not None and run.usage.token_count:
        extras.append(labels["tokens"].format(run.usage.token_count))
    if extras:
        pairs.append(("", " · ".join(extras)))
    return pairs


def run_error_note(run: WorkflowRun, labels: dict[str, str]) -> str | None:
    """``错误：…（错误码 720701013，日志 ID abc）`` for a run that failed, else None."""
    if run.error is None:
        return None
    error = run.error
    note = labels["error"] + labels["colon"] + " ".join(error.message.split())
    extras = []
    if error.code is not None:
        extras.append(labels["code"].format(error.code))
    if error.logid:
        extras.append(labels["logid"].format(error.logid))
    if extras:
        note += labels["open"] + labels["comma"].join(extras) + labels["close"]
    return note


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_safe(text: str) -> str:
    """``text`` with lone surrogates (unencodable in UTF-8) replaced by U+FFFD, so it can be written."""
    return _LONE_SURROGATE.sub("\ufffd", text)
