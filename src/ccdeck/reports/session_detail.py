"""The dashboard's session page and projects list (`GET /api/sessions/{id}`, its timeline, `GET /api/projects`),
built from the named queries' rows. The live half of a session row (state, blockedOn, ...) comes from the caller:
`row_json` for a whole row, `state_of` for one session's state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from ccdeck.claude.pricing import price_source
from ccdeck.claude.timestamps import iso
from ccdeck.models import Totals, cost_of_sums, usd
from ccdeck.shapes import api as shapes
from ccdeck.shapes.common import ModelTotals, SessionRow
from ccdeck.store import file_queries, session_queries
from ccdeck.store.reader import Reader

BUCKETS = (60, 300, 900, 3600, 21600, 86400, 10**9)  # seconds: the widths a session's chart may use


def session_detail(
    reader: Reader, session_id: str, row_json: Callable[[Any], SessionRow]
) -> shapes.SessionDetail | None:
    """Facts, tokens over time, cost by model, files changed, subagents and tool counts; None for no such session."""
    rows = session_queries.sessions_by_id(reader, [session_id])
    if not rows:
        return None
    bucket = bucket_for(session_queries.session_span(reader, session_id))
    return {
        "session": row_json(rows[0]),
        "cwd": rows[0].project_path,
        "entrypoint": rows[0].entrypoint,
        "costByModel": [_model_totals(r) for r in session_queries.cost_by_model(reader, session_id)],
        "tokensOverTime": [
            {
                "t": r.bucket,
                "inputTokens": r.i,
                "outputTokens": r.o,
                "cacheCreationTokens": r.cc,
                "cacheReadTokens": r.cr,
                "costUSD": cost_of_sums(r.cost, r.unpriced),
            }
            for r in session_queries.tokens_over_time(reader, session_id, bucket)
        ],
        "bucketSeconds": bucket,
        "filesChanged": [
            {"path": r.path, "tool": r.tool, "count": r.uses} for r in file_queries.files_changed(reader, session_id)
        ],
        "subagents": [
            {
                "agentId": r.agent_id,
                "agentType": r.agent_type,
                "description": r.description,
                "responses": r.responses,
                "totalTokens": r.tokens,
                "costUSD": cost_of_sums(r.cost, r.unpriced),
            }
            for r in session_queries.subagents(reader, session_id)
        ],
        "toolUses": session_queries.tool_counts(reader, session_id),
    }


def bucket_for(span: tuple[float, float] | None) -> int:
    """A bucket width giving at most ~300 points over the session's span, at least a minute."""
    if span is None:
        return 60
    width = max(60, int((span[1] - span[0]) / 300))
    return next(b for b in BUCKETS if b >= width)


def _model_totals(row: Any) -> ModelTotals:
    totals = Totals.from_sums(row.i, row.o, row.cc, row.cr, row.cost, row.unpriced, row.model)
    return {"model": row.model, **totals.as_json(), "priceSource": price_source(row.model)}


def timeline(
    reader: Reader, session_id: str, limit: int, offset: int, after: float | None, newest_first: bool
) -> tuple[list[shapes.TimelineItem], int]:
    """A page of the session's readable timeline and how many items it has in all."""
    rows, total = session_queries.timeline(reader, session_id, limit, offset, after=after, newest_first=newest_first)
    items: list[shapes.TimelineItem] = [
        {"uuid": r.key, "timestamp": iso(r.ts), "kind": r.kind, "text": r.text, "toolName": r.tool_name,
         "agentId": r.agent_id, "isError": bool(r.is_error), "truncated": bool(r.truncated)}
        for r in rows
    ]  # fmt: skip
    return items, total


def projects_json(rows: Sequence[Any], state_of: Callable[[str], str]) -> shapes.Projects:
    """Every project (`session_queries.projects`' rows, the most recently active first), with its number of
    sessions that have not ended."""
    return {
        "projects": [
            {"projectPath": r.project_path, "sessions": r.sessions, "totalTokens": r.tokens,
             "costUSD": usd(cost_of_sums(r.cost, r.unpriced)), "lastActivity": iso(r.last_activity),
             "activeSessions": sum(1 for sid in r.ids.split(",") if state_of(sid) != "ended"),
             "models": _merged_models(r.model_lists)}
            for r in rows
        ]
    }  # fmt: skip


def _merged_models(model_lists: str | None) -> list[str]:
    """The distinct models of a project's sessions, from their JSON lists joined by the unit separator."""
    seen: dict[str, None] = {}
    for chunk in (model_lists or "").split("\x1f"):
        if chunk:
            seen.update(dict.fromkeys(orjson.loads(chunk)))
    return list(seen)
