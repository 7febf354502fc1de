"""Knowledge recall → sources (coze-api.md §4).

Two forms reach a client:

* a ``verbose`` message whose content is JSON ``{"msg_type": "knowledge_recall", "data": "<JSON>"}``
  with ``data`` itself a JSON string holding ``{"chunks": [...], "ori_req": ..., "status_code": 0}``
  (double-encoded);
* the legacy ``knowledge`` message type with text like ``"---\\nrecall slice 1:...\\n"``.

Any field may be missing or of another type; bad JSON yields no sources, never an exception.
``ori_req`` (internal request context) is never kept.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from coze_desktop.domain import Source

from .events import as_dict

KNOWLEDGE_RECALL = "knowledge_recall"

_LEGACY_SLICE = re.compile(r"^\s*recall slice\s*\d*\s*[:：]\s?", re.IGNORECASE | re.MULTILINE)


def parse_verbose(content: str | dict[str, Any]) -> tuple[str, Any]:
    """``(msg_type, data)`` of a verbose message; data decoded from JSON when it is a JSON string.

    Returns ``("", None)`` for content that is not a verbose envelope.
    """
    env = _loads(content) if isinstance(content, str) else content
    if not isinstance(env, dict):
        return "", None
    msg_type = env.get("msg_type")
    if not isinstance(msg_type, str):
        return "", None
    data = env.get("data")
    if isinstance(data, str):
        decoded = _loads(data) if data.strip() else None
        data = decoded if decoded is not None else data
    return msg_type, data


def sources_from_verbose(content: str | dict[str, Any]) -> list[Source]:
    """Sources of a ``knowledge_recall`` verbose message; ``[]`` for any other content."""
    msg_type, data = parse_verbose(content)
    if msg_type != KNOWLEDGE_RECALL:
        return []
    return sources_from_recall_data(data)


def sources_from_recall_data(data: Any) -> list[Source]:
    """Sources from the decoded ``data`` object (``{"chunks": [...]}``) or a bare chunk list."""
    chunks = data.get("chunks") if isinstance(data, dict) else data
    if not isinstance(chunks, list):
        return []
    sources = []
    for chunk in chunks:
        src = _source_from_chunk(chunk)
        if src is not None:
            sources.append(src)
    return sources


def sources_from_legacy_knowledge(content: str) -> list[Source]:
    """Sources of a legacy ``type: "knowledge"`` message (``recall slice N:text`` blocks)."""
    if not isinstance(content, str) or not content.strip():
        return []
    parts = _LEGACY_SLICE.split(content)
    if len(parts) == 1:
        # No "recall slice" markers: the whole text is one passage.
        text = _strip_rules(content)
        return [Source(slice=text)] if text else []
    sources = []
    for part in parts[1:]:
        text = _strip_rules(part)
        if text:
            sources.append(Source(slice=text))
    return sources


def _strip_rules(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip() != "---"]
    return "\n".join(lines).strip()


def _source_from_chunk(chunk: Any) -> Source | None:
    if not isinstance(chunk, dict):
        return None
    meta = chunk.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    document = _name(meta.get("document"))
    dataset = _name(meta.get("dataset"))
    link = as_dict(meta.get("link"))
    title = _text(link.get("title"))
    url = _text(link.get("url"))
    text = _text(chunk.get("slice", chunk.get("content", chunk.get("text"))))
    if not (text or document or url):
        return None
    return Source(
        slice=text,
        score=_score(chunk.get("score")),
        document=document,
        dataset=dataset,
        title=title,
        url=url,
    )


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _score(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
