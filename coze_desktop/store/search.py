"""Full-text search over saved messages and the knowledge-base passages of their answers.

Matching is by substring, for Chinese as for English, case-insensitive for ASCII letters. The
query is split on whitespace; a message matches when its text, one of its source passages, or
the name of one of its attached files contains every word; nothing in the trash is found.
Documents (texts, passages and file names) live in the
FTS5 ``trigram`` index ``search_index``; no user input is ever parsed as FTS5 syntax (every
piece is a quoted phrase).

Queries with a word of 3 or more characters are *ranked*: the newest :data:`RANK_WINDOW`
matching documents (every match, for most queries) are scored with Okapi BM25 (k1 = 1.2,
b = 0.75) and listed best first, then newest first among equals; a query matching more
documents lists the older ones after those, newest first. BM25 is computed here rather than
with FTS5's ``bm25()``, whose term weights need a pass over *every* document containing each
word (hundreds of milliseconds for common words in a million messages); as every hit contains
every word, the words are weighted equally.

The trigram index cannot match 1-2 character words directly, so such a word is expanded into
the indexed trigrams that start with it (each document ends with two U+001F, so every
character starts one) when there are at most :data:`MAX_EXPANSION` of them. A query made only
of short words is listed newest first: the newest :data:`SCAN_PROBE` messages are scanned with
``instr()`` (common words fill the page there), then the expanded index is asked, and a very
common word that cannot be expanded falls back to scanning everything.

Snippets are plain text around the first match: Markdown markers are stripped from the text
near the match only (never from the index, which holds the text as saved), Latin words are
never cut, and every match inside is wrapped in the caller's markers. Nothing is escaped: the
GUI or HTML layer does that.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from coze_desktop.domain import Role
from coze_desktop.store.db import DOC_SHIFT, RUN_DOC_SHIFT, TOP_SLOT
from coze_desktop.text.fences import closes_fence, normalize_newlines, opening_marker

logger = logging.getLogger(__name__)

DEFAULT_MARKERS = ("«", "»")
SNIPPET_CHARS = 60
SNIPPET_SLACK = 40  # raw text made plain around a match: a snippet width and this much either side
_LINE_PREFIX_CHARS = 16  # a window starting this close after a line start starts with the line
_WORD_SCAN = 32  # how far a window's edge moves to a space, so it does not start or end mid-word
_SPACE = re.compile(r"\s+")
_LAST_SPACE = re.compile(r"\s(?!.*\s)", re.DOTALL)
MIN_INDEXED_CHARS = 3  # the trigram tokenizer needs at least three characters
RANK_WINDOW = 1000  # newest matching documents that are ranked by BM25
SCAN_PROBE = 5000  # newest messages scanned directly for a query of 1-2 character words
MAX_EXPANSION = 1000  # a 1-2 character word is looked up as at most this many trigrams
BM25_K1 = 1.2
BM25_B = 0.75

_DOC_SLOT_MASK = (1 << DOC_SHIFT) - 1
# The text of the document a search_index row stands for: a message text, a source passage
# (slots counting up from 1) or an attachment's name (slots counting down from TOP_SLOT).
_DOCUMENT_TEXT = (
    f"(CASE WHEN search_index.rowid & {_DOC_SLOT_MASK} = 0 THEN m.text "  # noqa: S608 - constants only
    "ELSE coalesce((SELECT slice FROM sources WHERE message_id = m.id "
    f"AND rank = (search_index.rowid & {_DOC_SLOT_MASK}) - 1), "
    "(SELECT name FROM attachments WHERE message_id = m.id "
    f"AND position = {TOP_SLOT} - (search_index.rowid & {_DOC_SLOT_MASK})), '') END)"
)
_DOCUMENTS = f"search_index CROSS JOIN messages m ON m.id = search_index.rowid >> {DOC_SHIFT}"
_TERMS_TABLE = "temp.search_terms"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message that matched a search."""

    conversation_id: int
    conversation_title: str
    message_id: int
    role: Role
    snippet: str  # plain text around the first match, matches wrapped in the markers
    created_at: float
    in_source: bool = False  # matched in a knowledge-base passage of the answer, not its text
    source_rank: int = 0  # that passage's place among the answer's sources (1-based), else 0
    in_attachment: bool = False  # matched the name of a file attached to the message (the snippet)
    attachment_position: int = 0  # that file's place among the message's attachments (1-based), else 0
    # A workflow run's text (its parameters, output, a node's output, an answer): then
    # conversation_id and message_id are 0 and conversation_title is the run's title.
    run_id: int | None = None
    # Where in the run: "output", "parameters", or the kind of the part ("node", "interrupt" —
    # the question —, "answer", "error"); "" for a message.
    run_match: str = ""
    run_part: int | None = None  # that part's position, its index in WorkflowRun.parts; else None
    run_node_title: str = ""  # the title of that part's node (a node's output, a question)


@dataclass(frozen=True, slots=True)
class _Filters:
    bot_id: str | None
    since: float | None
    until: float | None

    def sql(self) -> tuple[str, str, list[object]]:
        """A join (the conversation), conditions and parameters.

        Messages in the trash, and the messages of conversations in the trash, are never found.
        """
        join = "CROSS JOIN conversations c ON c.id = m.conversation_id"
        clauses: list[str] = ["m.deleted_at IS NULL", "c.deleted_at IS NULL"]
        params: list[object] = []
        if self.bot_id is not None:
            clauses.append("c.bot_id = ?")
            params.append(self.bot_id)
        if self.since is not None:
            clauses.append("m.created_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("m.created_at < ?")
            params.append(self.until)
        return join, "".join(f" AND {clause}" for clause in clauses), params


@dataclass(frozen=True, slots=True)
class _IndexQuery:
    """How the index answers a query: a MATCH expression plus words checked with instr()."""

    match: str  # empty when no word could be looked up in the index
    verify: tuple[str, ...]
    impossible: bool  # a short word occurs nowhere, so nothing can match


def query_words(query: str) -> list[str]:
    """The distinct words of a query, split on whitespace (full-width spaces included).

    Control characters are treated as spaces: the index uses one as its end-of-document mark.
    """
    cleaned = "".join(" " if ord(ch) < 32 else ch for ch in query)
    words: list[str] = []
    seen: set[str] = set()
    for word in cleaned.split():
        key = fold(word)
        if key not in seen:
            seen.add(key)
            words.append(word)
    return words


def fts_phrase(text: str) -> str:
    """``text`` as an FTS5 string: a phrase matched literally, whatever characters it holds."""
    return '"' + text.replace('"', '""') + '"'


def fts_match_expression(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every word as a literal phrase (quotes escaped)."""
    return " AND ".join(fts_phrase(word) for word in words)


def fold(text: str) -> str:
    """Lower-case ``text`` without changing its length, so positions stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def search_messages(
    conn: sqlite3.Connection,
    query: str,
    *,
    bot_id: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 20,
    offset: int = 0,
    markers: tuple[str, str] = DEFAULT_MARKERS,
) -> list[SearchHit]:
    """Search the history; see the module docstring for the rules. Raises ``sqlite3.Error``."""
    words = query_words(query)
    if not words or limit <= 0:
        return []
    filters = _Filters(bot_id, since, until)
    offset = max(offset, 0)
    if any(len(word) >= MIN_INDEXED_CHARS for word in words):
        message_ids = _ranked_search(conn, words, filters, limit, offset)
    else:
        message_ids = _short_search(conn, words, filters, limit, offset)
    return [_hit(conn, message_id, words, markers) for message_id in message_ids]


# ------------------------------------------------------------------------------------------------
# Building the index query


def _index_query(conn: sqlite3.Connection, words: Sequence[str]) -> _IndexQuery:
    parts: list[str] = []
    verify: list[str] = []
    for word in words:
        if len(word) >= MIN_INDEXED_CHARS:
            parts.append(fts_phrase(word))
            continue
        terms = _expansion(conn, word)
        if terms == []:
            return _IndexQuery("", (), impossible=True)
        if terms is None:
            verify.append(word)
        else:
            parts.append("(" + " OR ".join(fts_phrase(term) for term in terms) + ")")
            if any(not ch.isascii() and ch.lower() != ch.upper() for ch in word):
                verify.append(word)  # the index folds all letters; instr() only ASCII ones
    return _IndexQuery(" AND ".join(parts), tuple(verify), impossible=False)


def _expansion(conn: sqlite3.Connection, word: str) -> list[str] | None:
    """The indexed trigrams starting with a 1-2 character word; ``None`` if too many."""
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {_TERMS_TABLE} USING fts5vocab (main, search_index, 'row')"
    )
    prefix = fold(word)
    cursor = conn.execute(
        f"SELECT term FROM {_TERMS_TABLE} WHERE term >= ? AND term < ?",  # noqa: S608 - constant name
        (prefix, prefix + "\U0010ffff"),
    )
    terms = [term for (term,) in cursor.fetchmany(MAX_EXPANSION + 1)]
    cursor.close()
    return None if len(terms) > MAX_EXPANSION else terms


def _conditions(verify: Sequence[str], filters: _Filters) -> tuple[str, str, list[object]]:
    """Join, SQL conditions and parameters for document rows: instr() checks plus filters."""
    join, conditions, params = filters.sql()
    if not verify:
        return join, conditions, params
    verify_sql, verify_params = _contains_all(_DOCUMENT_TEXT, verify)
    return join, f" AND {verify_sql}{conditions}", [*verify_params, *params]


def _contains_clause(column: str, word: str) -> tuple[str, str]:
    """SQL testing that ``column`` contains ``word`` ignoring ASCII case, and its parameter.

    SQLite's ``lower()`` folds only ASCII, so a word without ASCII letters can skip it.
    """
    if not any(ch.isascii() and ch.isalpha() for ch in word):
        return f"instr({column}, ?) > 0", word
    return f"instr(lower({column}), ?) > 0", word.translate(_ASCII_LOWER)


def _contains_all(column: str, words: Sequence[str]) -> tuple[str, list[object]]:
    parts = [_contains_clause(column, word) for word in words]
    return " AND ".join(sql for sql, _ in parts), [param for _, param in parts]


# ------------------------------------------------------------------------------------------------
# Ranked search: some word has 3+ characters


def _ranked_search(
    conn: sqlite3.Connection, words: Sequence[str], filters: _Filters, limit: int, offset: int
) -> list[int]:
    """Message ids of one page: BM25 then recency over the window, then older matches."""
    query = _index_query(conn, words)
    if query.impossible:
        return []
    join, conditions, params = _conditions(query.verify, filters)
    sql = f"""
        SELECT search_index.rowid, m.created_at, {_DOCUMENT_TEXT}
        FROM {_DOCUMENTS} {join}
        WHERE search_index MATCH ?{conditions}
        ORDER BY search_index.rowid DESC
        LIMIT ?"""  # noqa: S608 - only fixed SQL fragments are formatted in
    window = conn.execute(sql, [query.match, *params, RANK_WINDOW]).fetchall()
    best: dict[int, tuple[float, float]] = {}  # message id -> (best score, created_at)
    for (doc, created_at, _), score in zip(window, _bm25([row[2] for row in window], words), strict=True):
        message_id = doc >> DOC_SHIFT
        if message_id not in best or score > best[message_id][0]:
            best[message_id] = (score, created_at)
    ranked = sorted(best, key=lambda mid: (-best[mid][0], -best[mid][1], -mid))
    page = ranked[offset : offset + limit]
    if len(window) == RANK_WINDOW and len(page) < limit:
        older_than = min(best) << DOC_SHIFT
        skip = max(0, offset - len(ranked))
        page += _older_matches(
            conn, query.match, (join, conditions, params), older_than, skip, limit - len(page)
        )
    return page


def _bm25(texts: Sequence[str], words: Sequence[str]) -> list[float]:
    """Okapi BM25 of each text for the words (equal weights), lengths relative to these texts."""
    if not texts:
        return []
    needles = [fold(word) for word in words]
    average = sum(len(text) for text in texts) / len(texts) or 1.0
    scores = []
    for text in texts:
        folded = fold(text)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(text) / average)
        score = 0.0
        for needle in needles:
            hits = folded.count(needle)
            score += hits * (BM25_K1 + 1) / (hits + norm)
        scores.append(score)
    return scores


def _older_matches(
    conn: sqlite3.Connection,
    match: str,
    conditions: tuple[str, str, list[object]],
    older_than: int,
    skip: int,
    count: int,
) -> list[int]:
    """Distinct message ids of matching documents below ``older_than``, newest first."""
    join, where, params = conditions
    sql = f"""
        SELECT search_index.rowid >> {DOC_SHIFT}
        FROM {_DOCUMENTS} {join}
        WHERE search_index MATCH ? AND search_index.rowid < ?{where}
        ORDER BY search_index.rowid DESC"""  # noqa: S608 - only fixed SQL fragments are formatted in
    found: list[int] = []
    last = None
    cursor = conn.execute(sql, [match, older_than, *params])
    for (message_id,) in cursor:  # documents of one message are adjacent: drop repeats
        if message_id == last:
            continue
        last = message_id
        if skip:
            skip -= 1
            continue
        found.append(message_id)
        if len(found) == count:
            break
    cursor.close()
    return found


# ------------------------------------------------------------------------------------------------
# Short search: every word has 1-2 characters; newest first


def _short_search(
    conn: sqlite3.Connection, words: Sequence[str], filters: _Filters, limit: int, offset: int
) -> list[int]:
    """Message ids of one page, newest first (see the module docstring for the strategy).

    Every step lists matches in the same order (created_at, then id, descending), so pages
    fit together whichever step served each of them.
    """
    need = offset + limit
    row = conn.execute(
        "SELECT created_at FROM messages ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?", (SCAN_PROBE,)
    ).fetchone()
    if row is None:  # a small history: scanning all of it is the probe
        return _scan(conn, words, filters, limit, offset)
    probed = _scan(conn, words, filters, need, 0, newer_than=row[0])
    if len(probed) >= need:  # everything else is older, so these are the first matches
        return probed[offset:]
    query = _index_query(conn, words)
    if query.impossible:
        return []
    if not query.match:
        return _scan(conn, words, filters, limit, offset)
    join, conditions, params = _conditions(query.verify, filters)
    sql = f"""
        SELECT m.id FROM {_DOCUMENTS} {join}
        WHERE search_index MATCH ?{conditions}
        GROUP BY m.id
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT ? OFFSET ?"""  # noqa: S608 - only fixed SQL fragments are formatted in
    return [r[0] for r in conn.execute(sql, [query.match, *params, limit, offset])]


def _scan(
    conn: sqlite3.Connection,
    words: Sequence[str],
    filters: _Filters,
    limit: int,
    offset: int,
    *,
    newer_than: float | None = None,
) -> list[int]:
    """Message ids whose text, a passage or a file name contains every word, newest first, by scanning.

    Messages are walked newest first through ``messages_by_time``, so the scan stops as soon
    as the page is full; ``newer_than`` bounds it to messages created at or after that time.
    """
    text_sql, text_params = _contains_all("m.text", words)
    slice_sql, slice_params = _contains_all("s.slice", words)
    name_sql, name_params = _contains_all("a.name", words)
    join, conditions, filter_params = filters.sql()
    if newer_than is not None:
        conditions += " AND m.created_at >= ?"
        filter_params.append(newer_than)
    sql = f"""
        SELECT m.id
        FROM messages m {join}
        WHERE (({text_sql})
               OR EXISTS (SELECT 1 FROM sources s WHERE s.message_id = m.id AND {slice_sql})
               OR EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id AND {name_sql}))
              {conditions}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT ? OFFSET ?"""  # noqa: S608 - only fixed SQL fragments are formatted in
    params = [*text_params, *slice_params, *name_params, *filter_params, limit, offset]
    return [row[0] for row in conn.execute(sql, params)]


# ------------------------------------------------------------------------------------------------
# Hits and snippets


def _hit(
    conn: sqlite3.Connection, message_id: int, words: Sequence[str], markers: tuple[str, str]
) -> SearchHit:
    text, conversation_id, title, role, created_at = conn.execute(
        "SELECT m.text, m.conversation_id, c.title, m.role, m.created_at "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?",
        (message_id,),
    ).fetchone()
    in_source = False
    source_rank = 0
    attachment_position = 0
    if not _contains_every(text, words):
        passages = conn.execute("SELECT slice FROM sources WHERE message_id = ? ORDER BY rank", (message_id,))
        found = next(((n, p) for n, (p,) in enumerate(passages, start=1) if _contains_every(p, words)), None)
        if found is not None:
            source_rank, text = found
            in_source = True
        else:
            names = conn.execute(
                "SELECT name FROM attachments WHERE message_id = ? ORDER BY position", (message_id,)
            )
            named = next(((n, p) for n, (p,) in enumerate(names, start=1) if _contains_every(p, words)), None)
            if named is not None:
                attachment_position, text = named
    return SearchHit(
        conversation_id=conversation_id,
        conversation_title=title,
        message_id=message_id,
        role=Role(role),
        snippet=make_snippet(text, words, markers),
        created_at=created_at,
        in_source=in_source,
        source_rank=source_rank,
        in_attachment=attachment_position > 0,
        attachment_position=attachment_position,
    )


def _contains_every(text: str, words: Sequence[str]) -> bool:
    folded = fold(text)
    return all(fold(word) in folded for word in words)


def make_snippet(
    text: str,
    words: Sequence[str],
    markers: tuple[str, str] = DEFAULT_MARKERS,
    width: int = SNIPPET_CHARS,
) -> str:
    """About ``width`` characters of plain text around the first match of any word.

    Only the part of ``text`` around the match is made plain (:func:`plain_text`: Markdown
    markers stripped, whitespace collapsed to single spaces), so a long message costs no more
    than a short one. Latin words are never cut: the window grows or shrinks to whole words
    (CJK text may be cut anywhere), and "…" marks a cut. Every match inside is wrapped in
    ``markers``. When no word occurs in the plain text (it matched Markdown syntax, such as a
    link's address, or case folding beyond ASCII differs from SQLite's), the raw text around
    it; with no match at all, the start of the text.
    """
    needles = [fold(word) for word in words if word]
    folded = fold(text)
    found = [(folded.find(n), n) for n in needles if n in folded]
    if found:
        pos, needle = min(found)
        lo, hi = _raw_window(text, pos, pos + len(needle), width)
    else:
        lo, hi = _raw_window(text, 0, 0, width)
    plain = plain_text(text[lo:hi])
    snippet = _cut_around_match(plain, needles, markers, width, before=lo > 0, after=hi < len(text))
    if snippet is None:  # the match was Markdown syntax: show it as written
        raw = " ".join(text[lo:hi].split())
        snippet = _cut_around_match(raw, needles, markers, width, before=lo > 0, after=hi < len(text))
    return snippet if snippet is not None else _cut(plain, 0, 0, width, before=lo > 0, after=hi < len(text))


def _raw_window(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Bounds of the raw text worth making plain around ``text[start:end]``.

    Enough for a snippet even when Markdown markers take room, and small, so a long message
    costs no more than a short one. The window starts at a line start when one is just before
    it (so the line's markers are seen), else after a space; it ends before a space.
    """
    reach = width + SNIPPET_SLACK
    lo = max(0, start - reach)
    hi = min(len(text), end + reach)
    if lo:
        line_start = text.rfind("\n", max(0, lo - _LINE_PREFIX_CHARS), lo)
        if line_start >= 0:
            lo = line_start + 1
        else:
            space = _SPACE.search(text, lo, min(start, lo + _WORD_SCAN))
            lo = space.end() if space else lo  # not mid-word (CJK has no spaces: keep lo)
    if hi < len(text):
        space = _LAST_SPACE.search(text, max(end, hi - _WORD_SCAN), hi + 1)
        hi = space.start() if space else hi
    return lo, hi


def _cut_around_match(
    plain: str, needles: Sequence[str], markers: tuple[str, str], width: int, *, before: bool, after: bool
) -> str | None:
    """The snippet of ``plain`` around its first match, or ``None`` when nothing matches."""
    folded = fold(plain)
    found = [(folded.find(n), n) for n in needles if n in folded]
    if not found:
        return None
    pos, needle = min(found)
    start = max(0, min(pos - (width - len(needle)) // 2, len(plain) - width))
    end = min(len(plain), start + max(width, len(needle)))
    start, end = _word_bounds(plain, start, end, pos, pos + len(needle), width)
    while start < pos and plain[start].isspace():
        start += 1
    while end > pos + len(needle) and plain[end - 1].isspace():
        end -= 1
    spans = _match_spans(folded, needles, start, end)
    open_mark, close_mark = markers
    pieces: list[str] = ["…" if start > 0 or before else ""]
    cursor = start
    for span_start, span_end in spans:
        pieces += [plain[cursor:span_start], open_mark, plain[span_start:span_end], close_mark]
        cursor = span_end
    pieces.append(plain[cursor:end])
    pieces.append("…" if end < len(plain) or after else "")
    return "".join(pieces)


def _cut(plain: str, keep_start: int, keep_end: int, width: int, *, before: bool, after: bool) -> str:
    start, end = _word_bounds(plain, 0, min(len(plain), width), keep_start, keep_end, width)
    return ("…" if before else "") + plain[start:end].strip() + ("…" if end < len(plain) or after else "")


def _is_word_char(ch: str) -> bool:
    """Part of a word that must not be cut: letters and digits of alphabetic scripts (not CJK)."""
    return (ch.isalnum() or ch in "_'’") and unicodedata.east_asian_width(ch) not in ("W", "F")


def _word_bounds(
    plain: str, start: int, end: int, keep_start: int, keep_end: int, width: int
) -> tuple[int, int]:
    """``start`` and ``end`` moved so that no word is cut, keeping ``plain[keep_start:keep_end]``.

    A word cut at the edge is dropped when it lies outside the kept part and taken whole when it
    overlaps it; a single "word" longer than ``width`` (a long address) is cut after all.
    """
    if 0 < start < len(plain) and _is_word_char(plain[start - 1]) and _is_word_char(plain[start]):
        word_start = start
        while word_start > 0 and _is_word_char(plain[word_start - 1]):
            word_start -= 1
        word_end = start
        while word_end < len(plain) and _is_word_char(plain[word_end]):
            word_end += 1
        if word_end <= keep_start:
            start = word_end
        elif start - word_start <= width:
            start = word_start
    if 0 < end < len(plain) and _is_word_char(plain[end - 1]) and _is_word_char(plain[end]):
        word_start = end
        while word_start > 0 and _is_word_char(plain[word_start - 1]):
            word_start -= 1
        word_end = end
        while word_end < len(plain) and _is_word_char(plain[word_end]):
            word_end += 1
        if word_start >= max(keep_end, start + 1):
            end = word_start
        elif word_end - end <= width:
            end = word_end
    return start, end


# Markdown, line by line: what a line starts with, and inline markup.
_MARKUP_HINT = re.compile(r"[*_`\[\]|#>~\\<]|^[ \t]*(?:[-+]|\d{1,9}[.)])[ \t]", re.MULTILINE)
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEPARATOR = re.compile(r"^ *\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$")
_LINE_PREFIX = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*"  # quotes
    r"(?:#{1,6}(?=[ \t]|$)[ \t]*"  # a heading
    r"|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?"  # a list item, maybe a task
)
_HEADING_END = re.compile(r"[ \t]+#+[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(
    r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"  # strong
    r"|(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)"  # *emphasis*
    r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"  # _emphasis_ (not snake_case)
    r"|~~(?=\S)(.+?)(?<=\S)~~"  # strikethrough
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_ESCAPED_BASE = 0xE000  # an escaped ASCII character is held as a private-use one meanwhile
_UNESCAPE = {_ESCAPED_BASE + code: code for code in range(128)}


def plain_text(markdown: str) -> str:
    """``markdown`` as plain text on one line: markers stripped, links and images as their text.

    Headings, quotes, list bullets, emphasis, code fences and backticks, table pipes and rules
    go; the words stay. Text inside code is kept as written. Whitespace (new lines included)
    becomes single spaces.
    """
    if not _MARKUP_HINT.search(markdown):  # most text: nothing to strip
        return " ".join(markdown.split())
    lines = normalize_newlines(markdown).split("\n")
    table = any("|" in line and "-" in line and _TABLE_SEPARATOR.match(line) for line in lines)
    out: list[str] = []
    fence = ""  # the marker of the code block the line is in (text.fences reads them, as everywhere)
    for line in lines:
        if fence:
            if closes_fence(line, fence):
                fence = ""
            else:
                out.append(line)  # code as written
            continue
        fence = opening_marker(line)
        if fence:
            continue
        if _RULE.match(line) or (table and "|" in line and _TABLE_SEPARATOR.match(line)):
            continue
        line = _LINE_PREFIX.sub("", line, count=1)
        line = _HEADING_END.sub("", line)
        if table and "|" in line:
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        out.append(_plain_inline(line))
    return " ".join(" ".join(out).split())


def _plain_inline(line: str) -> str:
    """Inline Markdown of one line made plain; code spans are kept as written, without backticks."""
    if "`" not in line:
        return _plain_markup(line)
    pieces: list[str] = []
    cursor = 0
    for code in _CODE_SPAN.finditer(line):
        pieces += [_plain_markup(line[cursor : code.start()]), code.group(2).strip()]
        cursor = code.end()
    pieces.append(_plain_markup(line[cursor:]))
    return "".join(pieces)


def _plain_markup(text: str) -> str:
    escaped = "\\" in text
    if escaped:
        text = _ESCAPE.sub(lambda m: chr(_ESCAPED_BASE + ord(m.group(1))), text)  # kept out of the way
    if "[" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis: ***both***, **bold _and italic_**
        if "*" not in text and "_" not in text and "~" not in text:
            break
        stripped = _EMPHASIS.sub(_emphasized, text)
        if stripped == text:
            break
        text = stripped
    return text.translate(_UNESCAPE) if escaped else text


def _emphasized(match: re.Match[str]) -> str:
    return next(group for group in match.groups()[1:] if group is not None)


def _match_spans(folded: str, needles: Sequence[str], start: int, end: int) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of needles inside folded[start:end], left to right."""
    candidates: list[tuple[int, int]] = []
    for needle in needles:
        pos = folded.find(needle, start, end)
        while pos >= 0:
            candidates.append((pos, pos + len(needle)))
            pos = folded.find(needle, pos + 1, end)
    spans: list[tuple[int, int]] = []
    for span_start, span_end in sorted(candidates, key=lambda s: (s[0], -s[1])):
        if spans and span_start < spans[-1][1]:
            continue
        spans.append((span_start, span_end))
    return spans


# ------------------------------------------------------------------------------------------------
# Workflow runs (their own index, run_search_index: see migration 6)

RUN_SCAN_LIMIT = 5000  # newest runs scanned for a query made only of 1-2 character words
_RUN_SLOT_MASK = (1 << RUN_DOC_SHIFT) - 1


@dataclass(frozen=True, slots=True)
class _RunMatch:
    """Where in a run the words were found, and that text."""

    text: str
    where: str  # "output", "parameters", or the part's kind ("node", "interrupt", "answer", "error")
    part: int | None = None  # the part's position (its index in WorkflowRun.parts)
    node_title: str = ""


def search_runs(
    conn: sqlite3.Connection,
    query: str,
    *,
    bot_id: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 20,
    offset: int = 0,
    markers: tuple[str, str] = DEFAULT_MARKERS,
) -> list[SearchHit]:
    """Workflow runs whose parameters and output, or one of whose parts (a node's output, a
    question, an answer, an error), contain every word of ``query``; newest run first, one hit
    per run (its newest matching document: a part before the output, the output before the
    parameters). ``since``/``until`` bound the run's start; ``bot_id`` keeps the runs made with
    that bot (``WorkflowRun.bot_id``). The hit says where the words are (``run_match``,
    ``run_part``, ``run_node_title``)."""
    words = query_words(query)
    if not words or limit <= 0:
        return []
    offset = max(offset, 0)
    wanted = offset + limit
    found: dict[int, _RunMatch] = {}  # run id -> where the words are
    long_words = [w for w in words if len(w) >= MIN_INDEXED_CHARS]
    if long_words:
        cursor = conn.execute(
            "SELECT rowid FROM run_search_index WHERE run_search_index MATCH ? ORDER BY rowid DESC",
            (fts_match_expression(long_words),),
        )
        for (doc,) in cursor:
            run_id = doc >> RUN_DOC_SHIFT
            if run_id in found or not _run_in_range(conn, run_id, bot_id, since, until):
                continue
            match = _run_document(conn, run_id, doc & _RUN_SLOT_MASK, words)
            if match is not None:
                found[run_id] = match
                if len(found) >= wanted:
                    break
        cursor.close()
    else:
        clauses, params = _run_time_clauses(bot_id, since, until)
        rows = conn.execute(
            f"SELECT id FROM workflow_runs {clauses} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed SQL
            (*params, RUN_SCAN_LIMIT),
        ).fetchall()
        for (run_id,) in rows:
            match = _run_text_matching(conn, run_id, words)
            if match is not None:
                found[run_id] = match
                if len(found) >= wanted:
                    break
    hits = []
    for run_id in sorted(found, reverse=True)[offset:wanted]:
        title, started_at = _run_title(conn, run_id)
        match = found[run_id]
        hits.append(
            SearchHit(
                conversation_id=0,
                conversation_title=title,
                message_id=0,
                role=Role.ASSISTANT,
                snippet=make_snippet(match.text, words, markers),
                created_at=started_at,
                run_id=run_id,
                run_match=match.where,
                run_part=match.part,
                run_node_title=match.node_title,
            )
        )
    return hits


def snippet_matches(snippet: str, markers: tuple[str, str] = DEFAULT_MARKERS) -> list[str]:
    """The distinct texts a snippet marks as matches (as they are written there), in order."""
    open_mark, close_mark = markers
    pattern = re.escape(open_mark) + "(.+?)" + re.escape(close_mark)
    return list(dict.fromkeys(re.findall(pattern, snippet, re.DOTALL)))


def _run_time_clauses(bot_id: str | None, since: float | None, until: float | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if bot_id is not None:
        clauses.append("bot_id = ?")
        params.append(bot_id)
    if since is not None:
        clauses.append("started_at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("started_at < ?")
        params.append(until)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _run_in_range(
    conn: sqlite3.Connection, run_id: int, bot_id: str | None, since: float | None, until: float | None
) -> bool:
    if bot_id is None and since is None and until is None:
        return True
    row = conn.execute("SELECT started_at, bot_id FROM workflow_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        return False
    started_at, run_bot = row
    return (
        (bot_id is None or run_bot == bot_id)
        and (since is None or started_at >= since)
        and (until is None or started_at < until)
    )


def _run_document(conn: sqlite3.Connection, run_id: int, slot: int, words: Sequence[str]) -> _RunMatch | None:
    """Where one run document contains every word (the output or the parameters for the run's
    own document, slot 0; else the part at position ``slot - 1``), or None."""
    if slot == 0:
        row = conn.execute("SELECT parameters, output FROM workflow_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        parameters, output = row
        if _contains_every(output, words):
            return _RunMatch(str(output), "output")
        both = f"{parameters}\x1f{output}"
        return _RunMatch(str(parameters), "parameters") if _contains_every(both, words) else None
    row = conn.execute(
        "SELECT content, kind, node_title FROM workflow_run_parts WHERE run_id = ? AND position = ?",
        (run_id, slot - 1),
    ).fetchone()
    if row is None or not _contains_every(row[0], words):
        return None
    return _RunMatch(str(row[0]), str(row[1]), slot - 1, str(row[2]))


def _run_text_matching(conn: sqlite3.Connection, run_id: int, words: Sequence[str]) -> _RunMatch | None:
    """The newest document of a run containing every word (scanned, not indexed), else None."""
    rows = conn.execute(
        "SELECT content, kind, node_title, position FROM workflow_run_parts WHERE run_id = ? "
        "ORDER BY position DESC",
        (run_id,),
    ).fetchall()
    for content, kind, node_title, position in rows:
        if _contains_every(content, words):
            return _RunMatch(str(content), str(kind), int(position), str(node_title))
    return _run_document(conn, run_id, 0, words)


def _run_title(conn: sqlite3.Connection, run_id: int) -> tuple[str, float]:
    """A run's title as :attr:`WorkflowRun.title` makes it, and its start."""
    from coze_desktop.store.runs import run_title  # runs.py imports nothing from here

    return run_title(conn, run_id)
