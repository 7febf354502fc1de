"""The HTML export: one self-contained page (inline CSS, no scripts, no remote assets); never read back."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import tzinfo

from coze_desktop import __version__
from coze_desktop.domain import Message, MessageFile, Source, WorkflowRun
from coze_desktop.export import attachments as files
from coze_desktop.export.attachments import data_uri, format_size, is_image, local_copy, too_large_to_embed
from coze_desktop.export.common import (
    LABELS,
    ConversationExport,
    conversation_title,
    document_title,
    format_time,
    iso_utc,
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
.attachments ul { margin: .25rem 0; padding-left: 1.5rem; }
.attachments figure { margin: .5rem 0; }
.attachments img { display: block; max-width: 100%; height: auto; border-radius: 6px; }
.attachments figcaption, .attachments .size { color: var(--muted); font-size: .875rem; }
@media print { .message { break-inside: avoid-page; } details.reasoning { border-style: solid; } }
"""

# Defence in depth: even if some text escaped escaping, the page can run no script and load nothing.
# Images come only from data: URIs written into the page itself (attachments).
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _e(text: str) -> str:
    """HTML-escape text for element content and double-quoted attributes."""
    return html.escape(text, quote=True)


def to_html(
    items: Sequence[ConversationExport],
    *,
    lang: str = "zh",
    tz: tzinfo | None = None,
    include_files: bool = True,
    runs: Sequence[WorkflowRun] = (),
) -> str:
    """Render conversations (and workflow ``runs``, after them) as one self-contained HTML page: inline CSS, no scripts, no remote assets.

    Every piece of text is escaped; message text is shown as written (``white-space: pre-wrap``) with
    only fenced code blocks set in monospace. Only http(s) source URLs become links. Attached images
    whose local copy is readable and at most :data:`HTML_EMBED_MAX_BYTES` are embedded as ``data:``
    URIs (unless ``include_files`` is False); other attachments are listed by name and size.
    """
    key = lang_key(lang)
    labels = LABELS[key]
    parts = []
    if len(items) > 1:
        parts.append(_html_contents(items, labels))
    parts += [
        _html_conversation(number, item, labels, tz, include_files)
        for number, item in enumerate(items, start=1)
    ]
    parts += [_html_run(number, run, labels, tz) for number, run in enumerate(runs, start=1)]
    if not items and not runs:
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
            f"<title>{_e(document_title(items, labels))}</title>",
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
    return utf8_safe(page)


def _html_time(ts: float, tz: tzinfo | None) -> str:
    """A ``<time>`` element for a timestamp, or ``""`` when the time is unknown."""
    shown = format_time(ts, tz)
    iso = iso_utc(ts)
    return f'<time datetime="{_e(iso)}">{_e(shown)}</time>' if shown and iso else ""


def _html_rich_text(text: str) -> str:
    """Message text as ``<div class="text">`` runs, with fenced code blocks as ``<pre><code>``."""
    out = []
    for block in split_fences(text):
        if block.fence:
            out.append(f"<pre><code>{_e(block.text)}</code></pre>")
        else:
            prose = block.text.strip("\n")
            out.append(f'<div class="text">{_e(prose)}</div>')
    return "\n".join(out)


def _html_contents(items: Sequence[ConversationExport], labels: dict[str, str]) -> str:
    """A table of contents linking to each conversation in the page."""
    entries = "\n".join(
        f'<li><a href="#c{number}">{_e(conversation_title(item.conversation, labels))}</a></li>'
        for number, item in enumerate(items, start=1)
    )
    return f"<nav>\n<h2>{_e(labels['contents'])}</h2>\n<ol>\n{entries}\n</ol>\n</nav>"


def _html_conversation(
    number: int, item: ConversationExport, labels: dict[str, str], tz: tzinfo | None, include_files: bool
) -> str:
    """One ``<article>``: a header with title and meta line, then the messages."""
    meta = " · ".join(f"{_e(k)}{_e(labels['colon'])}{_e(v)}" for k, v in meta_pairs(item, labels, tz))
    header = (
        f"<header>\n<h1>{_e(conversation_title(item.conversation, labels))}</h1>\n"
        f'<p class="meta">{meta}</p>\n</header>'
    )
    messages = [
        _html_message(message, labels, tz, include_files) for message in item.messages if message.shown
    ]
    return "\n".join([f'<article id="c{number}">', header, *messages, "</article>"])


def _html_message(message: Message, labels: dict[str, str], tz: tzinfo | None, include_files: bool) -> str:
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
    if message.steps:
        entries = "\n".join(f"<li>{_e(step_line(step, labels))}</li>" for step in message.steps)
        parts.append(
            f'<details class="steps">\n<summary>{_e(labels["steps"])} ({len(message.steps)})</summary>\n'
            f"<ul>\n{entries}\n</ul>\n</details>"
        )
    if message.text.strip():
        parts.append(_html_rich_text(message.text))
    if message.attachments:
        parts.append(_html_attachments(message.attachments, labels, include_files))
    note = state_note(message, labels)
    if note:
        parts.append(f'<p class="note {_e(message.state.value)}">{_e(note)}</p>')
    if message.sources:
        parts.append(_html_sources(message.sources, labels))
    if any(question.strip() for question in message.follow_ups):
        parts.append(_html_follow_ups(message.follow_ups, labels))
    usage = usage_note(message, labels)
    if usage:
        parts.append(f'<p class="usage">{_e(usage)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _html_run(number: int, run: WorkflowRun, labels: dict[str, str], tz: tzinfo | None) -> str:
    """One ``<article class="run">``: title, meta line, parameters, nodes, interrupts, output."""
    meta = " · ".join(
        (f"{_e(k)}{_e(labels['colon'])}" if k else "") + _e(v) for k, v in run_meta_pairs(run, labels, tz)
    )
    parts = [
        f'<article class="run" id="r{number}">',
        f'<header>\n<h1>{_e(run.title)}</h1>\n<p class="meta">{meta}</p>\n</header>',
        f"<h3>{_e(labels['parameters'])}</h3>",
        f"<pre><code>{_e(json.dumps(run.parameters, ensure_ascii=False, indent=2))}</code></pre>",
    ]
    for part in run.parts:
        if part.kind == "node":
            title = part.node_title.strip() or labels["untitled_node"]
            parts.append(f'<section class="message assistant">\n<h2>{_e(title)}</h2>')
            if part.content.strip():
                parts.append(_html_rich_text(part.content))
            parts.append("</section>")
        elif part.kind in ("interrupt", "answer"):
            label = labels["question"] if part.kind == "interrupt" else labels["answer"]
            parts.append(
                f'<p class="note {part.kind}">{_e(label)}{_e(labels["colon"])}{_e(part.content)}</p>'
            )
        else:
            parts.append(f'<p class="note failed">{_e(part.content)}</p>')
    if run.output.strip():
        parts.append(f"<h3>{_e(labels['output'])}</h3>\n<pre><code>{_e(run.output)}</code></pre>")
    note = run_error_note(run, labels)
    if note and not any(p.kind == "error" for p in run.parts):
        parts.append(f'<p class="note failed">{_e(note)}</p>')
    if run.debug_url:
        url = run.debug_url.strip()
        shown = f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>' if is_web_url(url) else _e(url)
        parts.append(f'<p class="usage">{_e(labels["debug_url"])}{_e(labels["colon"])}{shown}</p>')
    parts.append("</article>")
    return "\n".join(parts)


def _html_sources(sources: Sequence[Source], labels: dict[str, str]) -> str:
    """The sources as a numbered list: name (a link for http(s) URLs), details, URL, passage."""
    entries = []
    for source in sources:
        name = _e(source_name(source, labels))
        url = source.url.strip()
        if is_web_url(url):
            name = f'<a href="{_e(url)}" rel="noopener noreferrer">{name}</a>'
        item = [f'<li>\n<p class="source-head">{name}{_e(source_details(source, labels))}</p>']
        if url:
            item.append(f'<p class="source-url">{_e(url)}</p>')
        passage = normalize_newlines(source.slice).strip("\n")
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


def _html_attachments(attachments: list[MessageFile], labels: dict[str, str], embed: bool) -> str:
    """Embedded images (``<figure>`` with a ``data:`` URI) and a list of the other attachments by
    name and size, noting a file that was not kept or an image too large to embed."""
    figures = []
    entries = []
    for attachment in attachments:
        name = _e(attachment.name)
        size = _e(format_size(attachment.size))
        uri = data_uri(attachment) if embed and is_image(attachment) else None
        if uri is not None:
            figures.append(
                f'<figure>\n<img src="{_e(uri)}" alt="{name}">\n'
                f"<figcaption>{name} · {size}</figcaption>\n</figure>"
            )
            continue
        entry = f'<li>{name} <span class="size">({size})</span>'
        copy = local_copy(attachment)
        if copy is None:
            entry += f' <span class="note">{_e(labels["not_kept"])}</span>'
        elif embed and is_image(attachment) and too_large_to_embed(copy):
            note = labels["not_embedded"].format(format_size(files.HTML_EMBED_MAX_BYTES))
            entry += f' <span class="note">{_e(note)}</span>'
        entries.append(entry + "</li>")
    parts = [f'<section class="attachments">\n<h3>{_e(labels["attachments"])}</h3>', *figures]
    if entries:
        parts.append("<ul>\n" + "\n".join(entries) + "\n</ul>")
    parts.append("</section>")
    return "\n".join(parts)
