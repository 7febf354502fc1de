"""Export saved conversations as Markdown, JSON or HTML, and read JSON exports back.

Standard library only: no Qt and no ``coze_desktop.api``. JSON is the lossless form and is
documented in ``docs/export-format.md``; Markdown and HTML are for people and are never read back.

The renderers take :class:`ConversationExport` items (a conversation, its messages oldest first
and its bot) and return text that always encodes as UTF-8 (lone surrogates become U+FFFD); the
caller writes it to a file.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from coze_desktop import __version__
from coze_desktop.domain import (
    DEFAULT_BASE_URL,
    Bot,
    Conversation,
    ErrorInfo,
    Message,
    MessageState,
    Role,
    Source,
    Usage,
)
from coze_desktop.text.links import is_web_url

FORMAT_NAME = "coze-desktop-export"
FORMAT_VERSION = 2  # the major version this module writes and the highest it reads (2: versions)

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ConversationExport:
    """One conversation with everything an export needs: its messages (oldest first) and bot.

    ``messages`` may hold every version (``Store.all_messages``): Markdown and HTML show only
    the shown ones (``Message.shown``), the JSON export keeps them all with their tree.
    """

    conversation: Conversation
    messages: list[Message] = field(default_factory=list)
    bot: Bot | None = None


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """Something in an import file that was left out, and why.

    ``what`` is ``"conversation"`` or ``"message"``; ``ref`` is its uid when it has a usable one,
    else its 1-based position such as ``"#3"``; ``conversation`` is the uid of the conversation a
    skipped message belonged to.
    """

    what: str
    ref: str
    reason: str
    conversation: str = ""

    def __str__(self) -> str:
        where = f"{self.what} {self.ref}"
        if self.conversation:
            where += f" in conversation {self.conversation}"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ImportResult:
    """What :func:`parse_json_export` read: domain objects ready for the store, and what it left out.

    ``warnings`` lists things that were imported but changed (an unknown message state).
    """

    items: list[ConversationExport] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class ExportFormatError(ValueError):
    """The data is not a Coze Desktop export this version can read; the message says why."""


@dataclass(slots=True)
class ImportReport:
    """What :func:`import_items` did: conversations saved, already there, refused, and file problems.

    ``messages_imported`` counts the messages of the conversations saved now (the store leaves out
    any whose uid it already had). ``skipped`` and ``warnings`` are carried over from reading the file.
    """

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    failed: list[SkippedItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages_imported: int = 0


class ConversationImporter(Protocol):
    """The part of the store :func:`import_items` needs (``coze_desktop.store.chats.Store`` has it)."""

    def import_conversation(
        self, conversation: Conversation, messages: Iterable[Message], bot: Bot | None = None
    ) -> bool:
        """Save a conversation unless one with its uid exists; True if it was saved."""
        ...


# ---------------------------------------------------------------------------------------------
# Labels and shared text pieces
# ---------------------------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "user": "用户",
        "assistant": "助手",
        "reasoning": "思考过程",
        "sources": "来源",
        "follow_ups": "推荐问题",
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
    },
    "en": {
        "user": "You",
        "assistant": "Bot",
        "reasoning": "Reasoning",
        "sources": "Sources",
        "follow_ups": "Suggested questions",
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
    },
}

_STATE_LABEL_KEYS = {
    MessageState.STOPPED: "stopped",
    MessageState.INTERRUPTED: "interrupted",
    MessageState.FAILED: "failed",
    MessageState.STREAMING: "streaming",
}


def _lang_key(lang: str) -> str:
    """``"zh"`` for any Chinese locale (``zh``, ``zh_CN``, ``zh-TW``), else ``"en"``."""
    return "zh" if lang.lower().startswith("zh") else "en"


def _format_time(ts: float, tz: tzinfo | None) -> str:
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


def _iso_utc(ts: float) -> str | None:
    """``2024-05-01T10:00:00Z`` for humans reading the JSON; None when the time is not representable."""
    if not math.isfinite(ts):
        return None
    try:
        moment = datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _conversation_title(conversation: Conversation, labels: dict[str, str]) -> str:
    """The conversation's title on one line, or the "untitled" label."""
    return " ".join(conversation.title.split()) or labels["untitled"]


def _document_title(items: Sequence[ConversationExport], labels: dict[str, str]) -> str:
    """The title of the exported file: the conversation's for one, a generic one otherwise."""
    if len(items) == 1:
        return _conversation_title(items[0].conversation, labels)
    return labels["document_title"]


def _meta_pairs(item: ConversationExport, labels: dict[str, str], tz: tzinfo | None) -> list[tuple[str, str]]:
    """(label, value) pairs under a conversation's title: bot, created, updated."""
    conversation = item.conversation
    bot_name = item.bot.name.strip() if item.bot and item.bot.name.strip() else conversation.bot_id
    pairs = [(labels["bot"], " ".join(bot_name.split()))]
    for key, ts in (("created", conversation.created_at), ("updated", conversation.updated_at)):
        shown = _format_time(ts, tz)
        if shown:
            pairs.append((labels[key], shown))
    return pairs


def _state_note(message: Message, labels: dict[str, str]) -> str | None:
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


def _usage_note(message: Message, labels: dict[str, str]) -> str | None:
    """``用时 3.2 秒 · 1,234 tokens`` for an answer that has a duration or usage, else None."""
    parts = []
    if message.duration is not None and math.isfinite(message.duration):
        parts.append(labels["duration"].format(message.duration))
    if message.usage is not None and message.usage.token_count:
        parts.append(labels["tokens"].format(message.usage.token_count))
    return " · ".join(parts) or None


def _source_name(source: Source, labels: dict[str, str]) -> str:
    """The document name of a source, else its link title, else the "untitled" label."""
    name = source.document.strip() or source.title.strip() or labels["untitled_source"]
    return " ".join(name.split())


def _source_details(source: Source, labels: dict[str, str]) -> str:
    """`` — 数据集 (score 0.83)``: what follows the name of a source, possibly empty."""
    text = ""
    if source.dataset.strip():
        text += " — " + " ".join(source.dataset.split())
    if source.score is not None and math.isfinite(source.score):
        text += " (" + labels["score"].format(source.score) + ")"
    return text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8_safe(text: str) -> str:
    """``text`` with lone surrogates (unencodable in UTF-8) replaced by U+FFFD, so it can be written."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF so line-based scanning sees real lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------------
# Code fences (shared by the Markdown and HTML renderers)
# ---------------------------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")


@dataclass(slots=True)
class _Segment:
    """A run of prose, or the inside of one fenced code block (``fence`` is its opening fence)."""

    text: str
    fence: str = ""
    closed: bool = True


def _opens_fence(line: str) -> str:
    """The fence a line opens (CommonMark: 3+ backticks or tildes, at most 3 spaces in), or ``""``."""
    match = _FENCE_OPEN.fullmatch(line)
    if match is None or (match[1][0] == "`" and "`" in match[2]):
        return ""
    return match[1]


def _closes_fence(line: str, fence: str) -> bool:
    """True if ``line`` closes a block opened by ``fence`` (same character, at least as long)."""
    match = _FENCE_CLOSE.fullmatch(line)
    return match is not None and match[1][0] == fence[0] and len(match[1]) >= len(fence)


def _split_fences(text: str) -> list[_Segment]:
    """Split Markdown text into prose and fenced code segments; the last one may be left open."""
    segments: list[_Segment] = []
    lines: list[str] = []
    fence = ""
    for line in _normalize_newlines(text).split("\n"):
        if fence and _closes_fence(line, fence):
            segments.append(_Segment("\n".join(lines), fence))
            lines, fence = [], ""
        elif not fence and (opened := _opens_fence(line)):
            segments.append(_Segment("\n".join(lines)))
            lines, fence = [], opened
        else:
            lines.append(line)
    segments.append(_Segment("\n".join(lines), fence, closed=not fence))
    return [s for s in segments if s.fence or s.text.strip("\n")]


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

_MD_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_MARKER = re.compile(r"^([ \t]*)([#>+*=|~`-])", re.MULTILINE)
_MD_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)


def to_markdown(items: Sequence[ConversationExport], *, lang: str = "zh", tz: tzinfo | None = None) -> str:
    """Render conversations as one readable Markdown document.

    Answers are Markdown already and are kept as they are (an unclosed code fence is closed so it
    cannot swallow what follows); user questions and quoted passages are put in block quotes with
    their Markdown structure escaped. Times are shown in ``tz`` (the local zone when None).
    """
    labels = _LABELS[_lang_key(lang)]
    blocks = [_md_conversation(item, labels, tz) for item in items] or [labels["empty"]]
    return _utf8_safe("\n\n---\n\n".join(blocks) + "\n")


def _md_inline(text: str) -> str:
    """Text on one line with every character that Markdown could read as syntax escaped."""
    return _MD_INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_literal_block(text: str) -> str:
    """Multi-line text, outer blank lines dropped, escaped so it cannot start headings, lists, fences or HTML."""
    text = _normalize_newlines(text).strip("\n").replace("\\", "\\\\").replace("<", "\\<")
    text = _MD_LINE_MARKER.sub(r"\1\\\2", text)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", text)


def _md_quote(text: str) -> str:
    """Prefix every line with ``> `` so the whole text stays inside one block quote."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def _md_close_fences(text: str) -> str:
    """Markdown text as it is, plus a closing fence if its last code block was never closed."""
    segments = _split_fences(text)
    if segments and not segments[-1].closed:
        fence = segments[-1].fence
        return text.rstrip("\n") + "\n" + fence[0] * len(fence)
    return text


def _md_code_span(text: str) -> str:
    """``text`` as an inline code span, fenced with more backticks than it contains."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_conversation(item: ConversationExport, labels: dict[str, str], tz: tzinfo | None) -> str:
    """Title, meta line and messages of one conversation."""
    title = _md_inline(_conversation_title(item.conversation, labels))
    pairs = _meta_pairs(item, labels, tz)
    meta = " · ".join(f"**{_md_inline(key)}**{labels['colon']}{_md_inline(value)}" for key, value in pairs)
    blocks = [f"# {title}", meta]
    blocks += [_md_message(message, labels, tz) for message in item.messages if message.shown]
    return "\n\n".join(blocks)


def _md_message(message: Message, labels: dict[str, str], tz: tzinfo | None) -> str:
    """One message: a role heading, reasoning, text, state note, sources, follow-ups, usage."""
    heading = f"## {labels[message.role.value]}"
    when = _format_time(message.created_at, tz)
    if when:
        heading += f" · {when}"
    blocks = [heading]
    reasoning = _normalize_newlines(message.reasoning).strip("\n")
    if reasoning.strip():
        blocks.append(_md_quote(f"**{labels['reasoning']}**\n\n{reasoning}"))
    text = _normalize_newlines(message.text)
    if text.strip():
        if message.role is Role.USER:
            blocks.append(_md_quote(_md_literal_block(text)))
        else:
            blocks.append(_md_close_fences(text).strip("\n"))
    note = _state_note(message, labels)
    if note:
        blocks.append(f"> ⚠️ {_md_inline(note)}")
    if message.sources:
        blocks.append(_md_sources(message.sources, labels))
    if any(question.strip() for question in message.follow_ups):
        blocks.append(_md_follow_ups(message.follow_ups, labels))
    usage = _usage_note(message, labels)
    if usage:
        blocks.append(f"*{_md_inline(usage)}*")
    return "\n\n".join(blocks)


def _md_sources(sources: Sequence[Source], labels: dict[str, str]) -> str:
    """``[1] 文档名 — 数据集 (score 0.83) <url>`` per source, each followed by its quoted passage."""
    blocks = [f"**{labels['sources']}**"]
    for number, source in enumerate(sources, start=1):
        line = f"[{number}] {_md_inline(_source_name(source, labels) + _source_details(source, labels))}"
        url = source.url.strip()
        if url:
            line += f" <{url}>" if is_web_url(url) else f" {_md_code_span(url)}"
        blocks.append(line)
        if source.slice.strip():
            blocks.append(_md_quote(_md_literal_block(source.slice)))
    return "\n\n".join(blocks)


def _md_follow_ups(follow_ups: Sequence[str], labels: dict[str, str]) -> str:
    """The non-blank suggested follow-up questions as a bullet list."""
    items = [f"- {_md_inline(question)}" for question in follow_ups if question.strip()]
    return "\n".join([f"**{labels['follow_ups']}**", "", *items])


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_CSS = """
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --border: #d0d7de;
  --user-bg: #eef4ff; --user-edge: #4b7bec; --bot-bg: #f6f8fa; --bot-edge: #8c959f;
  --code-bg: #eff1f3; --link: #0b57d0; --note-bg: #fff4e5; --note-fg: #7a4100;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --border: #30363d;
    --user-bg: #132339; --user-edge: #5b8def; --bot-bg: #161b22; --bot-edge: #6e7681;
    --code-bg: #1f242c; --link: #7cacf8; --note-bg: #3a2a12; --note-fg: #f0c27b;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.75 -apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 48rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
a { color: var(--link); }
h1 { font-size: 1.6rem; line-height: 1.3; margin: 0 0 .25rem; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h3 { font-size: .9rem; margin: 1rem 0 .25rem; color: var(--muted); }
nav { border: 1px solid var(--border); border-radius: 8px; padding: .5rem 1.25rem; margin-bottom: 2rem; }
article + article { margin-top: 3rem; padding-top: 2rem; border-top: 1px solid var(--border); }
.meta, .usage, time, .source-url { color: var(--muted); font-size: .875rem; }
.message { margin: 1.25rem 0; padding: .75rem 1rem; border-radius: 8px; border-left: 4px solid; }
.message.user { background: var(--user-bg); border-color: var(--user-edge); }
.message.assistant { background: var(--bot-bg); border-color: var(--bot-edge); }
.message h2 time { font-weight: normal; margin-left: .5rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0; }
pre {
  margin: .5rem 0; padding: .75rem 1rem; overflow-x: auto; white-space: pre;
  background: var(--code-bg); border-radius: 6px; font-size: .875rem; line-height: 1.5;
}
code {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    "Noto Sans Mono CJK SC", monospace;
}
details.reasoning { margin: .5rem 0; padding: .25rem .75rem; border: 1px dashed var(--border); border-radius: 6px; }
details.reasoning summary { cursor: pointer; color: var(--muted); }
details.reasoning .text, details.reasoning pre { font-size: .9rem; color: var(--muted); }
.note { background: var(--note-bg); color: var(--note-fg); padding: .25rem .75rem; border-radius: 6px; }
.sources ol, .follow-ups ul { margin: .25rem 0; padding-left: 1.5rem; }
.sources li { margin: .5rem 0; }
.source-head, .source-url { margin: 0; overflow-wrap: anywhere; }
.sources blockquote {
  margin: .25rem 0; padding: 0 .75rem; border-left: 3px solid var(--border); color: var(--muted);
}
@media print { .message { break-inside: avoid-page; } details.reasoning { border-style: solid; } }
"""

# Defence in depth: even if some text escaped escaping, the page can run no script and load nothing.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(text: str) -> str:
    """HTML-escape text for element content and double-quoted attributes."""
    return html.escape(text, quote=True)


def to_html(items: Sequence[ConversationExport], *, lang: str = "zh", tz: tzinfo | None = None) -> str:
    """Render conversations as one self-contained HTML page: inline CSS, no scripts, no remote assets.

    Every piece of text is escaped; message text is shown as written (``white-space: pre-wrap``) with
    only fenced code blocks set in monospace. Only http(s) source URLs become links.
    """
    key = _lang_key(lang)
    labels = _LABELS[key]
    parts = []
    if len(items) > 1:
        parts.append(_html_contents(items, labels))
    parts += [_html_conversation(number, item, labels, tz) for number, item in enumerate(items, start=1)]
    if not items:
        parts.append(f'<p class="empty">{_e(labels["empty"])}</p>')
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if key == "zh" else "en"}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">',
            '<meta name="referrer" content="no-referrer">',
            f'<meta name="generator" content="{_e(f"Coze Desktop {__version__}")}">',
            f"<title>{_e(_document_title(items, labels))}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            *parts,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
    return _utf8_safe(page)


def _html_time(ts: float, tz: tzinfo | None) -> str:
    """A ``<time>`` element for a timestamp, or ``""`` when the time is unknown."""
    shown = _format_time(ts, tz)
    iso = _iso_utc(ts)
    return f'<time datetime="{_e(iso)}">{_e(shown)}</time>' if shown and iso else ""


def _html_rich_text(text: str) -> str:
    """Message text as ``<div class="text">`` runs, with fenced code blocks as ``<pre><code>``."""
    out = []
    for segment in _split_fences(text):
        if segment.fence:
            out.append(f"<pre><code>{_e(segment.text)}</code></pre>")
        else:
            prose = segment.text.strip("\n")
            out.append(f'<div class="text">{_e(prose)}</div>')
    return "\n".join(out)


def _html_contents(items: Sequence[ConversationExport], labels: dict[str, str]) -> str:
    """A table of contents linking to each conversation in the page."""
    entries = "\n".join(
        f'<li><a href="#c{number}">{_e(_conversation_title(item.conversation, labels))}</a></li>'
        for number, item in enumerate(items, start=1)
    )
    return f"<nav>\n<h2>{_e(labels['contents'])}</h2>\n<ol>\n{entries}\n</ol>\n</nav>"


def _html_conversation(
    number: int, item: ConversationExport, labels: dict[str, str], tz: tzinfo | None
) -> str:
    """One ``<article>``: a header with title and meta line, then the messages."""
    meta = " · ".join(f"{_e(k)}{_e(labels['colon'])}{_e(v)}" for k, v in _meta_pairs(item, labels, tz))
    header = (
        f"<header>\n<h1>{_e(_conversation_title(item.conversation, labels))}</h1>\n"
        f'<p class="meta">{meta}</p>\n</header>'
    )
    messages = [_html_message(message, labels, tz) for message in item.messages if message.shown]
    return "\n".join([f'<article id="c{number}">', header, *messages, "</article>"])


def _html_message(message: Message, labels: dict[str, str], tz: tzinfo | None) -> str:
    """One ``<section class="message user|assistant">`` with everything the message carries."""
    role = message.role.value
    when = _html_time(message.created_at, tz)
    heading = f"<h2>{_e(labels[role])} {when}</h2>" if when else f"<h2>{_e(labels[role])}</h2>"
    parts = [f'<section class="message {role}">', heading]
    if message.reasoning.strip():
        parts.append(
            f'<details class="reasoning">\n<summary>{_e(labels["reasoning"])}</summary>\n'
            f"{_html_rich_text(message.reasoning)}\n</details>"
        )
    if message.text.strip():
        parts.append(_html_rich_text(message.text))
    note = _state_note(message, labels)
    if note:
        parts.append(f'<p class="note {_e(message.state.value)}">{_e(note)}</p>')
    if message.sources:
        parts.append(_html_sources(message.sources, labels))
    if any(question.strip() for question in message.follow_ups):
        parts.append(_html_follow_ups(message.follow_ups, labels))
    usage = _usage_note(message, labels)
    if usage:
        parts.append(f'<p class="usage">{_e(usage)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _html_sources(sources: Sequence[Source], labels: dict[str, str]) -> str:
    """The sources as a numbered list: name (a link for http(s) URLs), details, URL, passage."""
    entries = []
    for source in sources:
        name = _e(_source_name(source, labels))
        url = source.url.strip()
        if is_web_url(url):
            name = f'<a href="{_e(url)}" rel="noopener noreferrer">{name}</a>'
        item = [f'<li>\n<p class="source-head">{name}{_e(_source_details(source, labels))}</p>']
        if url:
            item.append(f'<p class="source-url">{_e(url)}</p>')
        passage = _normalize_newlines(source.slice).strip("\n")
        if passage.strip():
            item.append(f'<blockquote class="text">{_e(passage)}</blockquote>')
        item.append("</li>")
        entries.append("\n".join(item))
    body = "\n".join(entries)
    return f'<section class="sources">\n<h3>{_e(labels["sources"])}</h3>\n<ol>\n{body}\n</ol>\n</section>'


def _html_follow_ups(follow_ups: Sequence[str], labels: dict[str, str]) -> str:
    """The non-blank suggested follow-up questions as a bullet list."""
    entries = "\n".join(f"<li>{_e(question)}</li>" for question in follow_ups if question.strip())
    return f'<section class="follow-ups">\n<h3>{_e(labels["follow_ups"])}</h3>\n<ul>\n{entries}\n</ul>\n</section>'


# ---------------------------------------------------------------------------------------------
# JSON export
# ---------------------------------------------------------------------------------------------


def to_json(items: Sequence[ConversationExport], *, exported_at: float | None = None) -> str:
    """Serialize conversations losslessly (see ``docs/export-format.md``); ``exported_at`` defaults to now.

    Local integer ids are left out; uids identify conversations and messages. Non-finite numbers
    (NaN, infinity) are written as ``null`` so the output is strict JSON, and lone surrogates in
    text (not representable in UTF-8) as U+FFFD.
    """
    moment = datetime.now(UTC).timestamp() if exported_at is None else exported_at
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": _iso_utc(moment),
        "app_version": __version__,
        "conversations": [_conversation_json(item) for item in items],
    }
    return _utf8_safe(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def _finite(value: float | None) -> float | None:
    """``value`` as a float, or None when it is missing, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _conversation_json(item: ConversationExport) -> dict[str, Any]:
    """The JSON object for one conversation, with its bot and messages."""
    conversation = item.conversation
    return {
        "uid": conversation.uid,
        "title": conversation.title,
        "bot_id": conversation.bot_id,
        "base_url": conversation.base_url,
        "coze_conversation_id": conversation.coze_conversation_id,
        "created_at": _finite(conversation.created_at),
        "created_at_iso": _iso_utc(conversation.created_at),
        "updated_at": _finite(conversation.updated_at),
        "updated_at_iso": _iso_utc(conversation.updated_at),
        "pinned": bool(conversation.pinned),
        "bot": _bot_json(item.bot) if item.bot else None,
        "messages": [
            _message_json(message, _parent_uid(message, item.messages[index - 1] if index else None))
            for index, message in enumerate(item.messages)
        ],
    }


def _bot_json(bot: Bot) -> dict[str, Any]:
    """The JSON object for a bot."""
    return {
        "bot_id": bot.bot_id,
        "name": bot.name,
        "description": bot.description,
        "icon_url": bot.icon_url,
        "prologue": bot.prologue,
        "suggested_questions": list(bot.suggested_questions),
        "base_url": bot.base_url,
    }


def _parent_uid(message: Message, previous: Message | None) -> str | None:
    """The uid of the message ``message`` follows (None for a first message); when not known, the one before it."""
    if message.parent_uid is not None:
        return message.parent_uid or None
    return previous.uid if previous is not None else None


def _message_json(message: Message, parent_uid: str | None) -> dict[str, Any]:
    """The JSON object for a message."""
    sources = [source.to_json() | {"score": _finite(source.score)} for source in message.sources]
    return {
        "uid": message.uid,
        "role": message.role.value,
        "type": message.type,
        "text": message.text,
        "reasoning": message.reasoning,
        "content_type": message.content_type,
        "state": message.state.value,
        "coze_message_id": message.coze_message_id,
        "coze_chat_id": message.coze_chat_id,
        "error": message.error.to_json() if message.error else None,
        "created_at": _finite(message.created_at),
        "created_at_iso": _iso_utc(message.created_at),
        "sources": sources,
        "follow_ups": list(message.follow_ups),
        "usage": message.usage.to_json() if message.usage else None,
        "duration": _finite(message.duration),
        "parent_uid": parent_uid,
        "selected": bool(message.selected),
    }


# ---------------------------------------------------------------------------------------------
# JSON import: lenient coercion of optional fields
# ---------------------------------------------------------------------------------------------


def _as_opt_str(value: object) -> str | None:
    """An optional string field: strings as they are, numbers as their text, anything else None."""
    if isinstance(value, str):
        return _utf8_safe(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _as_str(value: object) -> str:
    """A string field: strings as they are, numbers as their text, anything else ``""``."""
    text = _as_opt_str(value)
    return "" if text is None else text


def _as_float(value: object) -> float | None:
    """A finite float from a number or a numeric string, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _as_int(value: object) -> int | None:
    """An int from an int, an integral float or a string like ``"42"`` / ``"42.0"``, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass  # "42.0", or too many digits: try it as a float below
    number = _as_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _as_bool(value: object) -> bool:
    """A boolean from ``true``/``false``, 0/1 or their string forms; anything else is False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False


def _as_str_list(value: object) -> list[str]:
    """A list of strings; non-list values give ``[]`` and non-scalar entries are dropped."""
    if not isinstance(value, list):
        return []
    return [text for entry in value if (text := _as_opt_str(entry)) is not None]


def _as_time(raw: dict[str, Any], key: str) -> float:
    """Seconds from ``raw[key]``; failing that from the human ``raw[key + "_iso"]``; else 0.0."""
    seconds = _as_float(raw.get(key))
    if seconds is not None:
        return seconds
    iso = raw.get(key + "_iso")
    if not isinstance(iso, str):
        return 0.0
    try:
        moment = datetime.fromisoformat(iso.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return 0.0


def _as_uid(value: object) -> str:
    """A uid: a non-blank string (numbers accepted as text), or ``""`` when unusable."""
    text = _as_str(value)
    return text if text.strip() else ""


def _as_role(value: object) -> Role | None:
    """The role from ``"user"``/``"assistant"`` in any case, else None."""
    if not isinstance(value, str):
        return None
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None


def _as_state(value: object) -> MessageState | None:
    """The message state; missing means complete; None for a value this version does not know."""
    if value is None:
        return MessageState.COMPLETE
    if not isinstance(value, str):
        return None
    try:
        return MessageState(value.strip().lower())
    except ValueError:
        return None


def _as_error(value: object) -> ErrorInfo | None:
    """An ``{code, message, logid}`` object as ErrorInfo; a bare string is taken as the message."""
    if isinstance(value, str):
        return ErrorInfo(code=None, message=_utf8_safe(value))
    if not isinstance(value, dict):
        return None
    return ErrorInfo(
        code=_as_int(value.get("code")),
        message=_as_str(value.get("message")),
        logid=_as_opt_str(value.get("logid")),
    )


def _as_usage(value: object) -> Usage | None:
    """An ``{input_count, output_count, token_count}`` object as Usage (missing counts are 0)."""
    if not isinstance(value, dict):
        return None
    return Usage(
        input_count=_as_int(value.get("input_count")) or 0,
        output_count=_as_int(value.get("output_count")) or 0,
        token_count=_as_int(value.get("token_count")) or 0,
    )


def _as_sources(value: object) -> list[Source]:
    """The source objects of a message; entries that are not objects are dropped."""
    if not isinstance(value, list):
        return []
    return [
        Source(
            slice=_as_str(entry.get("slice")),
            score=_as_float(entry.get("score")),
            document=_as_str(entry.get("document")),
            dataset=_as_str(entry.get("dataset")),
            title=_as_str(entry.get("title")),
            url=_as_str(entry.get("url")),
        )
        for entry in value
        if isinstance(entry, dict)
    ]


def _as_bot(value: object, bot_id: str, base_url: str) -> Bot | None:
    """The conversation's bot; ``bot_id`` and ``base_url`` default to the conversation's."""
    if not isinstance(value, dict):
        return None
    return Bot(
        bot_id=_as_uid(value.get("bot_id")) or bot_id,
        name=_as_str(value.get("name")),
        description=_as_str(value.get("description")),
        icon_url=_as_str(value.get("icon_url")),
        prologue=_as_str(value.get("prologue")),
        suggested_questions=_as_str_list(value.get("suggested_questions")),
        base_url=_as_str(value.get("base_url")) or base_url,
    )


def _brief(value: object) -> str:
    """A short description of a JSON value for error messages (never the whole of a huge value)."""
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return "an object" if isinstance(value, dict) else "a list"


# ---------------------------------------------------------------------------------------------
# JSON import: structure
# ---------------------------------------------------------------------------------------------


def parse_json_export(text: str | bytes) -> ImportResult:
    """Read a JSON export into domain objects (ids None, uids kept) ready for the store.

    Raises :class:`ExportFormatError` when the data is not a Coze Desktop export or is a newer
    major version. Inside a valid file, broken conversations and messages are skipped and listed
    in ``skipped``; wrongly typed optional fields are coerced when unambiguous, else defaulted.
    """
    root = _load_root(text)
    _check_header(root)
    conversations = root.get("conversations")
    if not isinstance(conversations, list):
        raise ExportFormatError('The export has no "conversations" list.')
    reader = _Reader()
    for number, raw in enumerate(conversations, start=1):
        reader.read_conversation(number, raw)
    return reader.result


def _load_root(text: str | bytes) -> dict[str, Any]:
    """Decode the document and return its top-level object."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportFormatError(
                f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."
            ) from None
    try:
        root = json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise ExportFormatError("The file is not valid JSON (nested too deeply).") from None
    except ValueError as exc:
        raise ExportFormatError(f"The file is not valid JSON ({exc}).") from None
    if not isinstance(root, dict):
        raise ExportFormatError(
            f"Not a Coze Desktop export: the file holds {_brief(root)}, not a JSON object."
        )
    return root


def _check_header(root: dict[str, Any]) -> None:
    """Refuse data whose ``format`` is wrong or whose ``version`` is missing or newer than supported."""
    if root.get("format") != FORMAT_NAME:
        raise ExportFormatError(
            f'Not a Coze Desktop export: "format" is {_brief(root.get("format"))}, expected "{FORMAT_NAME}".'
        )
    version = _as_int(root.get("version"))
    if version is None or version < 1:
        raise ExportFormatError(f'The export has no valid "version" (found {_brief(root.get("version"))}).')
    if version > FORMAT_VERSION:
        raise ExportFormatError(
            f"This file uses export format version {version}; this Coze Desktop ({__version__}) reads "
            f"versions 1 to {FORMAT_VERSION} only. Update Coze Desktop to import it."
        )


class _Reader:
    """Reads conversations one by one, remembering uids so duplicates are skipped."""

    def __init__(self) -> None:
        self.result = ImportResult()
        self._conversation_uids: set[str] = set()
        self._message_uids: set[str] = set()
        self._previous_uid = ""  # of the message read last in the current conversation

    def _skip(self, what: str, ref: str, reason: str, conversation: str = "") -> None:
        self.result.skipped.append(SkippedItem(what, ref, reason, conversation))

    def read_conversation(self, number: int, raw: object) -> None:
        """Add one conversation to the result, or record why it was skipped."""
        if not isinstance(raw, dict):
            self._skip("conversation", f"#{number}", f"is {_brief(raw)}, not a JSON object")
            return
        uid = _as_uid(raw.get("uid"))
        problem = self._conversation_problem(uid, raw)
        if problem:
            self._skip("conversation", uid or f"#{number}", problem)
            return
        self._conversation_uids.add(uid)
        conversation = self._conversation(uid, raw)
        self._previous_uid = ""
        messages = []
        for position, raw_message in enumerate(raw.get("messages") or [], start=1):
            message = self.read_message(uid, position, raw_message)
            if message is not None:
                messages.append(message)
        bot = _as_bot(raw.get("bot"), conversation.bot_id, conversation.base_url)
        self.result.items.append(ConversationExport(conversation, messages, bot))

    def _conversation_problem(self, uid: str, raw: dict[str, Any]) -> str | None:
        """Why a conversation object cannot be imported, or None if it can."""
        if not uid:
            return "has no uid"
        if not _as_uid(raw.get("bot_id")):
            return "has no bot_id"
        if uid in self._conversation_uids:
            return "duplicate uid: an earlier conversation in the file has it"
        messages = raw.get("messages")
        if messages is not None and not isinstance(messages, list):
            return f'"messages" is {_brief(messages)}, not a list'
        return None

    @staticmethod
    def _conversation(uid: str, raw: dict[str, Any]) -> Conversation:
        """The Conversation fields of a conversation object."""
        return Conversation(
            id=None,
            bot_id=_as_uid(raw.get("bot_id")),
            title=_as_str(raw.get("title")),
            base_url=_as_str(raw.get("base_url")) or DEFAULT_BASE_URL,
            coze_conversation_id=_as_opt_str(raw.get("coze_conversation_id")),
            created_at=_as_time(raw, "created_at"),
            updated_at=_as_time(raw, "updated_at"),
            pinned=_as_bool(raw.get("pinned")),
            uid=uid,
        )

    def read_message(self, conversation_uid: str, number: int, raw: object) -> Message | None:
        """One message of a conversation, or None after recording why it was skipped."""
        if not isinstance(raw, dict):
            self._skip("message", f"#{number}", f"is {_brief(raw)}, not a JSON object", conversation_uid)
            return None
        uid = _as_uid(raw.get("uid"))
        role = _as_role(raw.get("role"))
        if not uid:
            problem = "has no uid"
        elif role is None:
            problem = f"unknown role {_brief(raw.get('role'))}"
        elif uid in self._message_uids:
            problem = "duplicate uid: an earlier message in the file has it"
        else:
            self._message_uids.add(uid)
            return self._message(uid, role, raw, conversation_uid)
        self._skip("message", uid or f"#{number}", problem, conversation_uid)
        return None

    def _message(self, uid: str, role: Role, raw: dict[str, Any], conversation_uid: str) -> Message:
        """The Message fields of a message object; an unknown state becomes complete, with a warning."""
        state = _as_state(raw.get("state"))
        if state is None:
            self.result.warnings.append(
                f"message {uid} in conversation {conversation_uid}: unknown state "
                f"{_brief(raw.get('state'))}, imported as complete"
            )
            state = MessageState.COMPLETE
        default_type = "question" if role is Role.USER else "answer"
        return Message(
            id=None,
            conversation_id=None,
            role=role,
            text=_as_str(raw.get("text")),
            type=_as_str(raw.get("type")) or default_type,
            reasoning=_as_str(raw.get("reasoning")),
            content_type=_as_str(raw.get("content_type")) or "text",
            state=state,
            coze_message_id=_as_opt_str(raw.get("coze_message_id")),
            coze_chat_id=_as_opt_str(raw.get("coze_chat_id")),
            error=_as_error(raw.get("error")),
            created_at=_as_time(raw, "created_at"),
            sources=_as_sources(raw.get("sources")),
            follow_ups=_as_str_list(raw.get("follow_ups")),
            usage=_as_usage(raw.get("usage")),
            duration=_as_float(raw.get("duration")),
            uid=uid,
            parent_uid=self._parent_uid(raw),
            selected=_as_bool(raw["selected"]) if "selected" in raw else True,
        )

    def _parent_uid(self, raw: dict[str, Any]) -> str | None:
        """Version 2's tree of versions: the parent's uid, "" for a first message, or None when the
        message follows the one before it in the file (always so in version 1, without "parent_uid")."""
        previous, self._previous_uid = self._previous_uid, _as_uid(raw.get("uid"))
        if "parent_uid" not in raw:
            return None
        parent = _as_uid(raw["parent_uid"]) if raw["parent_uid"] is not None else ""
        if parent == previous:  # also a first message (null) at the start of the list
            return None
        return parent


# ---------------------------------------------------------------------------------------------
# Import into the store
# ---------------------------------------------------------------------------------------------


def import_items(store: ConversationImporter, result: ImportResult) -> ImportReport:
    """Save what :func:`parse_json_export` read; importing the same file twice adds nothing.

    Each conversation is saved all or nothing by the store. One the store refuses as invalid
    (``ValueError``, e.g. too many sources on a message) is listed in ``failed`` and the rest go on;
    storage errors (``StoreError``: disk full, locked, read-only) propagate and stop the import,
    leaving the conversations saved so far in place.
    """
    report = ImportReport(skipped=list(result.skipped), warnings=list(result.warnings))
    for item in result.items:
        uid = item.conversation.uid
        try:
            saved = store.import_conversation(item.conversation, item.messages, item.bot)
        except ValueError as exc:
            report.failed.append(SkippedItem("conversation", uid, f"not saved: {exc}"))
            continue
        if saved:
            report.imported.append(uid)
            report.messages_imported += len(item.messages)
        else:
            report.already_present.append(uid)
    return report
