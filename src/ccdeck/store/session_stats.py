"""Per-session aggregates kept on the `sessions` row, refreshed for the sessions each batch touched.

Derived from the deduplicated tables, never incremented, so re-reading a file cannot inflate them. The reads are
SQL text run through a `Reader` (`{ids}`: the chunk's ids, expanded by `in_list`); the one write is an UPDATE.

On PostgreSQL several processes (machines) write at once: each refresh first locks the sessions' rows (in the order
of their ids, so two writers cannot deadlock on them). A writer that refreshes a session another one is refreshing
waits for its commit, and its own reads, run after, see the other's rows: both writers' responses count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, update

from ccdeck.models import cost_of_sums, sum_costs
from ccdeck.store import schema
from ccdeck.store.reader import Reader, in_list
from ccdeck.store.sqla_reader import SqlaReader

TITLE_CHARS = 160

_TOKENS = """SELECT session_id, model, COUNT(*), COUNT(cost_usd), SUM(input_tokens), SUM(output_tokens),
                   SUM(cache_creation_tokens), SUM(cache_read_tokens), SUM(cost_usd)
            FROM responses WHERE {ids} GROUP BY session_id, model"""
_EVENTS = """SELECT session_id,
              SUM(CASE WHEN kind = 'prompt' AND agent_id IS NULL THEN 1 ELSE 0 END),
              SUM(CASE WHEN kind = 'api_error' THEN 1 ELSE 0 END),
              SUM(CASE WHEN kind = 'compaction' THEN 1 ELSE 0 END),
              COUNT(DISTINCT agent_id), COUNT(*)
       FROM events WHERE {ids} GROUP BY session_id"""
_TOOLS = "SELECT session_id, COUNT(*) FROM tool_uses WHERE {ids} GROUP BY session_id"
_FILES = """SELECT session_id, COUNT(DISTINCT path) FROM (
                SELECT session_id, path FROM tool_uses WHERE path IS NOT NULL AND {ids}
                UNION SELECT session_id, path FROM snapshot_files WHERE {ids}) AS changed
            GROUP BY session_id"""
_TITLES = "SELECT session_id, source, text FROM titles WHERE {ids}"
_TITLE_RANK = {"custom-title": 0, "ai-title": 1}  # then any other source
# The summary whose leaf is the session's latest line (the latest inserted of equals). Two ways to find it, for the
# same answer: from the session's lines (cheap for a small session), or from the summaries (cheap when they are few
# next to the lines of the sessions refreshed together).
# rowid (the insertion order) and GLOB are SQLite's: PostgreSQL has neither, and breaks a tie of equal times by the
# line's uuid instead of its insertion order (`_POSTGRES`).
_SUMMARY = """SELECT s.text FROM summaries s JOIN events e ON e.key = s.leaf_uuid
               WHERE e.session_id = :id ORDER BY e.ts DESC, e.rowid DESC LIMIT 1"""
_SUMMARIES = """SELECT e.session_id, e.ts, e.rowid, s.text FROM summaries s CROSS JOIN events e ON e.key = s.leaf_uuid
                WHERE {ids}"""
_SUMMARY_COUNT = "SELECT MAX(rowid) FROM summaries"  # rows are never deleted: about their number
# The first prompt typed, a slash command (`/clear`, `/review 12`) only when the session has nothing else.
_FIRST_PROMPT = """SELECT text FROM events WHERE session_id = :id AND kind = 'prompt' AND agent_id IS NULL
                   ORDER BY text GLOB '/[a-zA-Z]*', ts LIMIT 1"""
_POSTGRES = {
    # PostgreSQL adds floats in the order it reads the rows (SQLite's SUM is compensated), and may return groups in
    # any order: in key order, then model order, a session's cost does not depend on the order its responses were
    # written in (by parse workers or not) to the last bit.
    _TOKENS: _TOKENS.replace("SUM(cost_usd)", "SUM(cost_usd ORDER BY key)") + " ORDER BY session_id, model",
    _SUMMARY: _SUMMARY.replace("e.rowid", "e.key"),
    # SQLite's CROSS JOIN ... ON fixes the join order (its planner's hint); PostgreSQL plans a JOIN itself.
    _SUMMARIES: _SUMMARIES.replace("e.rowid", "e.key").replace("CROSS JOIN", "JOIN"),
    _SUMMARY_COUNT: "SELECT COUNT(*) FROM summaries",
    _FIRST_PROMPT: _FIRST_PROMPT.replace("text GLOB '/[a-zA-Z]*'", "text ~ '^/[a-zA-Z]'"),
}
_LOCK = "SELECT session_id FROM sessions WHERE {ids} ORDER BY session_id FOR UPDATE"


def _sql(reader: Reader, sql: str) -> str:
    return _POSTGRES.get(sql, sql) if reader.dialect == "postgresql" else sql


def refresh_sessions(conn: Connection, session_ids: Iterable[str], *, summary_count: int | None = None) -> None:
    """Recompute the sessions' columns. `summary_count`: about how many summaries the store holds (looked up when
    None); with more than the sessions have lines, a session's summary is looked up by its own lines."""
    ids = sorted(session_ids)
    for start in range(0, len(ids), 400):
        _refresh_chunk(conn, ids[start : start + 400], summary_count)


def _refresh_chunk(conn: Connection, ids: list[str], summary_count: int | None) -> None:
    reader = SqlaReader(conn)
    values: dict[str, dict[str, Any]] = {sid: _empty() for sid in ids}
    models: dict[str, list[tuple[int, str]]] = {sid: [] for sid in ids}
    clause, params = in_list("session_id", "id", ids)
    if reader.dialect == "postgresql":
        reader.rows(_LOCK.format(ids=clause), params)
    for sid, model, count, priced, inp, out, cc, cr, cost in reader.rows(
        _sql(reader, _TOKENS).format(ids=clause), params
    ):
        v = values[sid]
        v["responses"] += count
        v["input_tokens"] += inp
        v["output_tokens"] += out
        v["cache_creation_tokens"] += cc
        v["cache_read_tokens"] += cr
        v["costs"].append(cost_of_sums(cost, count - priced))
        if priced < count:
            v["unpriced"].append(model)
        models[sid].append((count, model))
    lines = 0
    for sid, prompts, errors, compactions, agents, count in reader.rows(_EVENTS.format(ids=clause), params):
        values[sid].update(prompts=prompts, api_errors=errors, compactions=compactions, subagents=agents)
        lines += count
    for sid, count in reader.rows(_TOOLS.format(ids=clause), params):
        values[sid]["tool_uses"] = count
    for sid, count in reader.rows(_FILES.format(ids=clause), params):
        values[sid]["files_changed"] = count
    titles = _titles(reader, ids, lines, summary_count)
    rows = []
    for sid, v in values.items():
        unpriced = v.pop("unpriced")
        v["cost_usd"] = sum_costs(v.pop("costs"))  # no responses at all cost nothing
        v["models"] = orjson.dumps([m for _, m in sorted(models[sid], reverse=True)]).decode()
        v["unpriced_models"] = orjson.dumps(sorted(unpriced)).decode()
        v["title"] = titles(sid)
        rows.append({"sid": sid, **v})
    table = schema.sessions
    conn.execute(update(table).where(table.c.session_id == bindparam("sid")), rows)


def _empty() -> dict[str, Any]:
    return {
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_creation_tokens": 0,
        "cache_read_tokens": 0,
        "costs": [],
        "unpriced": [],
        "responses": 0,
        "prompts": 0,
        "tool_uses": 0,
        "api_errors": 0,
        "compactions": 0,
        "subagents": 0,
        "files_changed": 0,
    }


def _titles(reader: Reader, ids: list[str], lines: int, summary_count: int | None) -> Callable[[str], str | None]:
    """Session id -> its title: its custom or AI title, else its latest summary, else its first prompt."""
    best: dict[str, tuple[int, str]] = {}
    clause, params = in_list("session_id", "id", ids)
    for sid, source, found in reader.rows(_TITLES.format(ids=clause), params):
        rank = _TITLE_RANK.get(source, 2)
        if sid not in best or rank < best[sid][0]:
            best[sid] = (rank, found)
    summaries: dict[str, tuple[float, Any, str]] | None = None
    if summary_count is None:
        summary_count = reader.rows(_sql(reader, _SUMMARY_COUNT))[0][0] or 0
    if summary_count <= lines:
        summaries = {}
        sessions, of_ids = in_list("e.session_id", "id", ids)
        for sid, ts, rowid, found in reader.rows(_sql(reader, _SUMMARIES).format(ids=sessions), of_ids):
            if sid not in summaries or (ts, rowid) > summaries[sid][:2]:
                summaries[sid] = (ts, rowid, found)

    def title(session_id: str) -> str | None:
        found = best[session_id][1] if session_id in best else None
        if not found:
            if summaries is None:
                found = _first(reader.rows(_sql(reader, _SUMMARY), {"id": session_id}))
            else:
                found = summaries[session_id][2] if session_id in summaries else None
        if not found:
            found = _first(reader.rows(_sql(reader, _FIRST_PROMPT), {"id": session_id}))
        if not found:
            return None
        line = " ".join(str(found).split())
        return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"

    return title


def _first(rows: Sequence[Any]) -> Any:
    """The first column of the first row; None when there is no row."""
    return rows[0][0] if rows else None
