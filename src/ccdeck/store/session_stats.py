"""Per-session aggregates kept on the `sessions` row, refreshed for the sessions each batch touched.

Derived from the deduplicated tables, never incremented, so re-reading a file cannot inflate them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, text, update

from ccdeck.models import cost_of_sums, sum_costs
from ccdeck.store import schema

TITLE_CHARS = 160

_TOKENS = text(
    """SELECT session_id, model, COUNT(*), COUNT(cost_usd), SUM(input_tokens), SUM(output_tokens),
              SUM(cache_creation_tokens), SUM(cache_read_tokens), SUM(cost_usd)
       FROM responses WHERE session_id IN :ids GROUP BY session_id, model"""
).bindparams(bindparam("ids", expanding=True))
_EVENTS = text(
    """SELECT session_id,
              SUM(CASE WHEN kind = 'prompt' AND agent_id IS NULL THEN 1 ELSE 0 END),
              SUM(CASE WHEN kind = 'api_error' THEN 1 ELSE 0 END),
              SUM(CASE WHEN kind = 'compaction' THEN 1 ELSE 0 END),
              COUNT(DISTINCT agent_id), COUNT(*)
       FROM events WHERE session_id IN :ids GROUP BY session_id"""
).bindparams(bindparam("ids", expanding=True))
_TOOLS = text("SELECT session_id, COUNT(*) FROM tool_uses WHERE session_id IN :ids GROUP BY session_id").bindparams(
    bindparam("ids", expanding=True)
)
_FILES = text(
    """SELECT session_id, COUNT(DISTINCT path) FROM (
           SELECT session_id, path FROM tool_uses WHERE path IS NOT NULL AND session_id IN :ids
           UNION SELECT session_id, path FROM snapshot_files WHERE session_id IN :ids)
       GROUP BY session_id"""
).bindparams(bindparam("ids", expanding=True))
_TITLES = text("SELECT session_id, source, text FROM titles WHERE session_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_TITLE_RANK = {"custom-title": 0, "ai-title": 1}  # then any other source
# The summary whose leaf is the session's latest line (the latest inserted of equals). Two ways to find it, for the
# same answer: from the session's lines (cheap for a small session), or from the summaries (cheap when they are few
# next to the lines of the sessions refreshed together).
_SUMMARY = text(
    """SELECT s.text FROM summaries s JOIN events e ON e.key = s.leaf_uuid
       WHERE e.session_id = :id ORDER BY e.ts DESC, e.rowid DESC LIMIT 1"""
)
_SUMMARIES = text(
    """SELECT e.session_id, e.ts, e.rowid, s.text FROM summaries s CROSS JOIN events e ON e.key = s.leaf_uuid
       WHERE e.session_id IN :ids"""
).bindparams(bindparam("ids", expanding=True))
_SUMMARY_COUNT = text("SELECT MAX(rowid) FROM summaries")  # rows are never deleted: about their number
# The first prompt typed, a slash command (`/clear`, `/review 12`) only when the session has nothing else.
_FIRST_PROMPT = text(
    """SELECT text FROM events WHERE session_id = :id AND kind = 'prompt' AND agent_id IS NULL
       ORDER BY text GLOB '/[a-zA-Z]*', ts LIMIT 1"""
)


def refresh_sessions(conn: Connection, session_ids: Iterable[str], *, summary_count: int | None = None) -> None:
    """Recompute the sessions' columns. `summary_count`: about how many summaries the store holds (looked up when
    None); with more than the sessions have lines, a session's summary is looked up by its own lines."""
    ids = sorted(session_ids)
    for start in range(0, len(ids), 400):
        _refresh_chunk(conn, ids[start : start + 400], summary_count)


def _refresh_chunk(conn: Connection, ids: list[str], summary_count: int | None) -> None:
    values: dict[str, dict[str, Any]] = {sid: _empty() for sid in ids}
    models: dict[str, list[tuple[int, str]]] = {sid: [] for sid in ids}
    for sid, model, count, priced, inp, out, cc, cr, cost in conn.execute(_TOKENS, {"ids": ids}):
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
    for sid, prompts, errors, compactions, agents, count in conn.execute(_EVENTS, {"ids": ids}):
        values[sid].update(prompts=prompts, api_errors=errors, compactions=compactions, subagents=agents)
        lines += count
    for sid, count in conn.execute(_TOOLS, {"ids": ids}):
        values[sid]["tool_uses"] = count
    for sid, count in conn.execute(_FILES, {"ids": ids}):
        values[sid]["files_changed"] = count
    titles = _titles(conn, ids, lines, summary_count)
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


def _titles(conn: Connection, ids: list[str], lines: int, summary_count: int | None) -> Callable[[str], str | None]:
    """Session id -> its title: its custom or AI title, else its latest summary, else its first prompt."""
    best: dict[str, tuple[int, str]] = {}
    for sid, source, found in conn.execute(_TITLES, {"ids": ids}):
        rank = _TITLE_RANK.get(source, 2)
        if sid not in best or rank < best[sid][0]:
            best[sid] = (rank, found)
    summaries: dict[str, tuple[float, int, str]] | None = None
    if summary_count is None:
        summary_count = conn.execute(_SUMMARY_COUNT).scalar() or 0
    if summary_count <= lines:
        summaries = {}
        for sid, ts, rowid, found in conn.execute(_SUMMARIES, {"ids": ids}):
            if sid not in summaries or (ts, rowid) > summaries[sid][:2]:
                summaries[sid] = (ts, rowid, found)

    def title(session_id: str) -> str | None:
        found = best[session_id][1] if session_id in best else None
        if not found:
            if summaries is None:
                found = conn.execute(_SUMMARY, {"id": session_id}).scalar()
            else:
                found = summaries[session_id][2] if session_id in summaries else None
        if not found:
            found = conn.execute(_FIRST_PROMPT, {"id": session_id}).scalar()
        if not found:
            return None
        line = " ".join(str(found).split())
        return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"

    return title
