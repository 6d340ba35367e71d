"""Full-text search over prompts, answers, tool calls and session titles (the FTS5 tables of migration 0005).

A title match is a custom (`/rename`) or AI title; a session titled by its first prompt is found by that prompt.

The text searched for is user input, never FTS5 syntax: `fts_query` quotes each word, so `"`, `*`, `NEAR(`, `AND`
or `OR` are words like any other and a query can never be a syntax error. Words must all appear (in any order);
each matches whole tokens, case and accents ignored (FTS5's `unicode61` tokenizer).

The queries are SQL text run through a `Reader`; `MATCH` and `snippet()` are SQLite's FTS5. A PostgreSQL store
has no index: there a search reads the texts themselves (`_plain_search`: every word -- FTS5's tokens of the query,
letters and digits -- must appear, case ignored: `ILIKE`), with the snippet cut around the first match here. Slower
on a big store, a word also matches inside longer words, and accents count (`cafe` does not find `café`); the same
results otherwise, in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccdeck.errors import UsageError
from ccdeck.shapes.common import SearchKind
from ccdeck.store.reader import Reader, in_list
from ccdeck.store.usage_queries import like_pattern

# What `snippet()` puts around each matching token: STX and ETX, control characters no transcript text holds.
MARK_START, MARK_END = "\x02", "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16
MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64
# The event kinds in the index (`store/row_writes.py` adds them; migration 0005 indexed those stored before it), and the
# kind a result shows.
_KINDS: dict[str, SearchKind] = {"prompt": "prompt", "answer": "answer", "tool_use": "tool"}
INDEXED_KINDS = tuple(_KINDS)


@dataclass(frozen=True)
class Hit:
    session_id: str
    project_path: str | None
    title: str | None
    kind: SearchKind
    snippet: str
    ts: float | None


def fts_query(user_text: str) -> str | None:
    """An FTS5 query matching rows that hold every word of `user_text`; None when it has no word at all.

    Raises UsageError for a query past MAX_QUERY_CHARS characters or MAX_QUERY_WORDS words."""
    if len(user_text) > MAX_QUERY_CHARS:
        raise UsageError(f"a search is at most {MAX_QUERY_CHARS} characters")
    words = user_text.split()
    if len(words) > MAX_QUERY_WORDS:
        raise UsageError(f"a search is at most {MAX_QUERY_WORDS} words")
    if not words:
        return None
    # Inside an FTS5 string only `"` is special, and doubling it escapes it; NUL would end the string in C.
    return " ".join('"' + w.replace("\x00", "").replace('"', '""') + '"' for w in words)


def _project_clause(project: str | None) -> str:
    return " AND s.project_path LIKE :project ESCAPE '\\'" if project else ""


def _hits_sql(project: str | None) -> str:
    """(source, rowid, ts) of every match: 'e' an event of `events_fts`, 't' a title of `titles_fts`."""
    where = _project_clause(project)
    return f"""SELECT 'e' AS src, e.rowid AS rid, e.ts AS ts FROM events_fts
                   JOIN events e ON e.rowid = events_fts.rowid LEFT JOIN sessions s ON s.session_id = e.session_id
                   WHERE events_fts MATCH :q{where}
               UNION ALL
               SELECT 't', t.rowid, s.last_activity FROM titles_fts JOIN titles t ON t.rowid = titles_fts.rowid
                   LEFT JOIN sessions s ON s.session_id = t.session_id WHERE titles_fts MATCH :q{where}"""


_EVENT_SNIPPETS = f"""SELECT e.rowid AS rid, e.session_id, s.project_path, s.title, e.kind, e.ts,
        snippet(events_fts, 0, :start, :end, :ellipsis, {SNIPPET_TOKENS}) AS snippet
    FROM events_fts JOIN events e ON e.rowid = events_fts.rowid LEFT JOIN sessions s ON s.session_id = e.session_id
    WHERE events_fts MATCH :q AND {{rids}}"""
_TITLE_SNIPPETS = f"""SELECT t.rowid AS rid, t.session_id, s.project_path, s.title, 'title' AS kind,
        s.last_activity AS ts, snippet(titles_fts, 0, :start, :end, :ellipsis, {SNIPPET_TOKENS}) AS snippet
    FROM titles_fts JOIN titles t ON t.rowid = titles_fts.rowid LEFT JOIN sessions s ON s.session_id = t.session_id
    WHERE titles_fts MATCH :q AND {{rids}}"""


def search(reader: Reader, user_text: str, project: str | None, limit: int, offset: int) -> tuple[list[Hit], int]:
    """A page of matches, newest first, and how many there are in all."""
    query = fts_query(user_text)
    if query is None:
        return [], 0
    if reader.dialect != "sqlite":
        words = _TOKEN.findall(user_text)  # FTS5's tokens: letters and digits; the rest separates them
        return _plain_search(reader, words, project, limit, offset) if words else ([], 0)
    params: dict[str, Any] = {"q": query, "project": like_pattern(project) if project else None}
    hits_sql = _hits_sql(project)
    total = reader.rows(f"SELECT COUNT(*) FROM ({hits_sql}) AS hits", params)[0][0] or 0
    page_sql = f"{hits_sql} ORDER BY ts DESC, src, rid LIMIT :limit OFFSET :offset"
    page = reader.records(page_sql, {**params, "limit": limit, "offset": offset})
    # Snippets only for the page: computing them for every match before sorting would cost far more.
    found: dict[tuple[str, int], Hit] = {}
    for src, sql in (("e", _EVENT_SNIPPETS), ("t", _TITLE_SNIPPETS)):
        found.update(_snippets(reader, src, sql, query, [r.rid for r in page if r.src == src]))
    return [found[(r.src, r.rid)] for r in page if (r.src, r.rid) in found], total


def _snippets(reader: Reader, src: str, sql: str, query: str, rids: Sequence[int]) -> dict[tuple[str, int], Hit]:
    if not rids:
        return {}
    table = "events_fts" if src == "e" else "titles_fts"
    clause, names = in_list(f"{table}.rowid", "rid", rids)
    params = {"q": query, "start": MARK_START, "end": MARK_END, "ellipsis": ELLIPSIS}
    rows = reader.records(sql.format(rids=clause), {**params, **names})
    return {
        (src, r.rid): Hit(r.session_id, r.project_path, r.title, _KINDS.get(r.kind, "title"), r.snippet, r.ts)
        for r in rows
    }


# PostgreSQL: no FTS5 index, so each word is a LIKE (ILIKE there) over the text.
_TOKEN = re.compile(r"[^\W_]+")
_PLAIN_HITS = """SELECT 'e' AS src, e.key AS rid, e.ts AS ts, e.session_id, s.project_path, s.title, e.kind,
                        e.text AS text
                 FROM events e LEFT JOIN sessions s ON s.session_id = e.session_id
                 WHERE e.kind IN ({kinds}) AND {event_words}{where}
             UNION ALL
             SELECT 't', t.session_id || '/' || t.source, s.last_activity, t.session_id, s.project_path, s.title,
                    'title', t.text
                 FROM titles t LEFT JOIN sessions s ON s.session_id = t.session_id WHERE {title_words}{where}"""


def _plain_search(
    reader: Reader, words: list[str], project: str | None, limit: int, offset: int
) -> tuple[list[Hit], int]:
    params: dict[str, Any] = {f"w{i}": like_pattern(w) for i, w in enumerate(words)}
    params["project"] = like_pattern(project) if project else None
    kinds = ", ".join(f"'{k}'" for k in INDEXED_KINDS)

    def all_words(column: str) -> str:
        return " AND ".join(f"{column} LIKE :w{i} ESCAPE '\\'" for i in range(len(words)))

    hits_sql = _PLAIN_HITS.format(kinds=kinds, event_words=all_words("e.text"), title_words=all_words("t.text"),
                                  where=_project_clause(project))  # fmt: skip
    total = reader.rows(f"SELECT COUNT(*) FROM ({hits_sql}) AS hits", params)[0][0] or 0
    page_sql = f"SELECT * FROM ({hits_sql}) AS hits ORDER BY ts DESC, src, rid LIMIT :limit OFFSET :offset"
    page = reader.records(page_sql, {**params, "limit": limit, "offset": offset})
    return [
        Hit(
            r.session_id, r.project_path, r.title, _KINDS.get(r.kind, "title"), plain_snippet(r.text or "", words), r.ts
        )
        for r in page
    ], total


def plain_snippet(text: str, words: Sequence[str], width: int = SNIPPET_TOKENS * 8) -> str:
    """About `width` characters of `text` around the first match of any of `words` (case ignored), every match in
    it between MARK_START and MARK_END, with ELLIPSIS where text was cut: what FTS5's `snippet()` gives."""
    lowered = text.lower()
    found = [i for w in words if (i := lowered.find(w.lower())) >= 0]
    first = min(found, default=0)
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    part = text[start:end]
    for word in sorted({w.lower() for w in words if w}, key=len, reverse=True):
        part = _mark(part, word)
    return f"{ELLIPSIS if start > 0 else ''}{part}{ELLIPSIS if end < len(text) else ''}"


def _mark(text: str, word: str) -> str:
    out, at, lowered = [], 0, text.lower()
    while (i := lowered.find(word, at)) >= 0:
        out += [text[at:i], MARK_START, text[i : i + len(word)], MARK_END]
        at = i + len(word)
    return "".join([*out, text[at:]])
