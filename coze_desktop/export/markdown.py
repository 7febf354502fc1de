"""The Markdown export: one readable document, for notes and pasting; never read back."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo

from coze_desktop.domain import Message, MessageFile, Role, Source, WorkflowRun
from coze_desktop.export.attachments import format_size, is_image
from coze_desktop.export.common import (
    LABELS,
    ConversationExport,
    conversation_title,
    format_time,
    lang_key,
    meta_pairs,
    run_error_note,
    run_meta_pairs,
    source_details,
    source_name,
    state_note,
    step_line,
    usage_note,
    utf8_safe,
)
from coze_desktop.text.fences import normalize_newlines, split_fences
from coze_desktop.text.links import is_web_url

_MD_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_MARKER = re.compile(r"^([ \t]*)([#>+*=|~`-])", re.MULTILINE)
_MD_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)


def to_markdown(
    items: Sequence[ConversationExport],
    *,
    lang: str = "zh",
    tz: tzinfo | None = None,
    links: Mapping[str, str] | None = None,
    attachments: bool = True,
    runs: Sequence[WorkflowRun] = (),
) -> str:
    """Render conversations as one readable Markdown document.

    Answers are Markdown already and are kept as they are (an unclosed code fence is closed so it
    cannot swallow what follows); user questions and quoted passages are put in block quotes with
    their Markdown structure escaped. Times are shown in ``tz`` (the local zone when None).

    Attachments are listed under each message. ``links`` maps an attachment's local copy
    (:attr:`MessageFile.path`) to the relative path of the copy written next to the document
    (:func:`coze_desktop.export.attachments.write_files_folder`): images are embedded from there,
    other files linked, and an attachment without one is noted as not kept. Without ``links``
    (a document with no folder, e.g. printed to a terminal) attachments are listed by name and size;
    ``attachments=False`` leaves them out (for a caller that lists them its own way).
    """
    labels = LABELS[lang_key(lang)]
    blocks = [_md_conversation(item, labels, tz, links, attachments) for item in items]
    blocks += [_md_run(run, labels, tz) for run in runs]
    return utf8_safe("\n\n---\n\n".join(blocks or [labels["empty"]]) + "\n")


def md_run(run: WorkflowRun, *, lang: str = "zh", tz: tzinfo | None = None) -> str:
    """One workflow run as Markdown (what ``coze-cli show run:ID`` could print)."""
    return utf8_safe(_md_run(run, LABELS[lang_key(lang)], tz) + "\n")


def _md_run(run: WorkflowRun, labels: dict[str, str], tz: tzinfo | None) -> str:
    """A run: title, meta line, parameters, each node's output, interrupts and answers, output."""
    meta = " · ".join(
        (f"**{_md_inline(key)}**{labels['colon']}" if key else "") + _md_inline(value)
        for key, value in run_meta_pairs(run, labels, tz)
    )
    blocks = [f"# {_md_inline(run.title)}", meta]
    params = json.dumps(run.parameters, ensure_ascii=False, indent=2)
    blocks.append(f"**{labels['parameters']}**\n\n" + _md_fenced(params, "json"))
    for part in run.parts:
        if part.kind == "node":
            title = part.node_title.strip() or labels["untitled_node"]
            blocks.append(f"### {_md_inline(title)}")
            if part.content.strip():
                blocks.append(_md_close_fences(normalize_newlines(part.content)).strip("\n"))
        elif part.kind == "interrupt":
            blocks.append(
                _md_quote(f"**{_md_inline(labels['question'])}**{labels['colon']}" + _md_inline(part.content))
            )
        elif part.kind == "answer":
            blocks.append(
                _md_quote(f"**{_md_inline(labels['answer'])}**{labels['colon']}" + _md_inline(part.content))
            )
        else:
            blocks.append(f"> ⚠️ {_md_inline(part.content)}")
    if run.output.strip():
        lang = "json" if run.output_json is not None else ""
        blocks.append(f"**{labels['output']}**\n\n" + _md_fenced(run.output, lang))
    note = run_error_note(run, labels)
    if note and not any(p.kind == "error" for p in run.parts):
        blocks.append(f"> ⚠️ {_md_inline(note)}")
    if run.debug_url:
        url = run.debug_url.strip()
        shown = f"<{url}>" if is_web_url(url) else _md_code_span(url)
        blocks.append(f"{_md_inline(labels['debug_url'])}{labels['colon']}{shown}")
    return "\n\n".join(blocks)


def _md_fenced(text: str, info: str = "") -> str:
    """``text`` in a fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{normalize_newlines(text).strip(chr(10))}\n{fence}"


def _md_inline(text: str) -> str:
    """Text on one line with every character that Markdown could read as syntax escaped."""
    return _MD_INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_literal_block(text: str) -> str:
    """Multi-line text, outer blank lines dropped, escaped so it cannot start headings, lists, fences or HTML."""
    text = normalize_newlines(text).strip("\n").replace("\\", "\\\\").replace("<", "\\<")
    text = _MD_LINE_MARKER.sub(r"\1\\\2", text)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", text)


def _md_quote(text: str) -> str:
    """Prefix every line with ``> `` so the whole text stays inside one block quote."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def _md_close_fences(text: str) -> str:
    """Markdown text as it is, plus a closing fence if its last code block was never closed."""
    blocks = split_fences(text)
    if blocks and not blocks[-1].closed:
        fence = blocks[-1].fence
        return text.rstrip("\n") + "\n" + fence[0] * len(fence)
    return text


def _md_code_span(text: str) -> str:
    """``text`` as an inline code span, fenced with more backticks than it contains."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_conversation(
    item: ConversationExport,
    labels: dict[str, str],
    tz: tzinfo | None,
    links: Mapping[str, str] | None,
    attachments: bool,
) -> str:
    """Title, meta line and messages of one conversation."""
    title = _md_inline(conversation_title(item.conversation, labels))
    pairs = meta_pairs(item, labels, tz)
    meta = " · ".join(f"**{_md_inline(key)}**{labels['colon']}{_md_inline(value)}" for key, value in pairs)
    blocks = [f"# {title}", meta]
    blocks += [_md_message(m, labels, tz, links, attachments) for m in item.messages if m.shown]
    return "\n\n".join(blocks)


def _md_message(
    message: Message,
    labels: dict[str, str],
    tz: tzinfo | None,
    links: Mapping[str, str] | None,
    attachments: bool,
) -> str:
    """One message: a role heading, reasoning, text, attachments, state note, sources, follow-ups, usage."""
    heading = f"## {labels[message.role.value]}"
    when = format_time(message.created_at, tz)
    if when:
        heading += f" · {when}"
    blocks = [heading]
    reasoning = normalize_newlines(message.reasoning).strip("\n")
    if reasoning.strip():
        blocks.append(_md_quote(f"**{labels['reasoning']}**\n\n{reasoning}"))
    if message.steps:
        steps = "\n".join(f"- {_md_inline(step_line(step, labels))}" for step in message.steps)
        blocks.append(f"**{labels['steps']}**\n\n{steps}")
    text = normalize_newlines(message.text)
    if text.strip():
        if message.role is Role.USER:
            blocks.append(_md_quote(_md_literal_block(text)))
        else:
            blocks.append(_md_close_fences(text).strip("\n"))
    if message.attachments and attachments:
        blocks.append(_md_attachments(message.attachments, labels, links))
    note = state_note(message, labels)
    if note:
        blocks.append(f"> ⚠️ {_md_inline(note)}")
    if message.sources:
        blocks.append(_md_sources(message.sources, labels))
    if any(question.strip() for question in message.follow_ups):
        blocks.append(_md_follow_ups(message.follow_ups, labels))
    usage = usage_note(message, labels)
    if usage:
        blocks.append(f"*{_md_inline(usage)}*")
    return "\n\n".join(blocks)


def _md_sources(sources: Sequence[Source], labels: dict[str, str]) -> str:
    """``[1] 文档名 — 数据集 (score 0.83) <url>`` per source, each followed by its quoted passage."""
    blocks = [f"**{labels['sources']}**"]
    for number, source in enumerate(sources, start=1):
        line = f"[{number}] {_md_inline(source_name(source, labels) + source_details(source, labels))}"
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


def _md_link_target(relative: str) -> str:
    """A relative path as a Markdown link destination: ASCII characters that would end or change
    the link (space, parentheses, ``#``, ``%``…) percent-encoded; letters such as Chinese kept."""
    out = []
    for char in relative:
        if ord(char) >= 128 or char.isalnum() or char in "/-_.~":
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
    return "".join(out)


def _md_attachments(
    attachments: Sequence[MessageFile], labels: dict[str, str], links: Mapping[str, str] | None
) -> str:
    """``**附件**`` and one bullet per attachment: an embedded image, a linked file with its size,
    or the name and size of a file that was not kept."""
    lines = [f"**{labels['attachments']}**", ""]
    for attachment in attachments:
        name = _md_inline(attachment.name) or "file"
        size = format_size(attachment.size)
        link = links.get(attachment.path) if links is not None and attachment.path else None
        if link is not None and is_image(attachment):
            lines.append(f"- ![{name}]({_md_link_target(link)})")
        elif link is not None:
            lines.append(f"- [{name}]({_md_link_target(link)}) ({size})")
        elif links is None and attachment.path:
            lines.append(f"- {name} ({size})")
        else:
            lines.append(f"- {name} ({size}) — {labels['not_kept']}")
    return "\n".join(lines)
