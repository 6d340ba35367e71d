"""Per-session usage from the aggregates kept on each `sessions` row."""

from __future__ import annotations

from typing import Any

import orjson

from ccdeck.claude.timestamps import iso
from ccdeck.models import Totals, usd
from ccdeck.reports.filters import Filters
from ccdeck.shapes.cli import SessionReport
from ccdeck.shapes.common import StoredSession
from ccdeck.store.reader import Reader
from ccdeck.store.session_queries import session_rows


def session_json(row: Any) -> StoredSession:
    """One row of `ccdeck usage session --json`, plus the session's facts (extra fields are allowed)."""
    totals = Totals(row.input_tokens, row.output_tokens, row.cache_creation_tokens, row.cache_read_tokens)
    first, last = row.first_activity, row.last_activity
    return {
        "sessionId": row.session_id,
        "projectPath": row.project_path,
        **totals.as_json(),
        "costUSD": usd(row.cost_usd),
        "models": orjson.loads(row.models),
        "firstActivity": iso(first),
        "lastActivity": iso(last),
        "filesChanged": row.files_changed,
        "unpricedModels": orjson.loads(row.unpriced_models),
        "title": row.title,
        "gitBranch": row.git_branch,
        "version": row.version,
        "configDir": row.config_dir,
        "durationSeconds": round(last - first, 3) if first is not None and last is not None else 0,
        "prompts": row.prompts,
        "responses": row.responses,
        "toolUses": row.tool_uses,
        "apiErrors": row.api_errors,
        "compactions": row.compactions,
        "subagents": row.subagents,
        "doing": row.doing,
        "source": row.source,
        "userEmail": row.user_email,
        "userAccount": row.user_account,
        "host": row.host,
    }


def session_report(
    reader: Reader, filters: Filters, limit: int | None = None, *, with_empty: bool = True
) -> SessionReport:
    """`{"sessions": [...], "totals": {...}}`, newest activity first; the range applies to last activity.
    `with_empty=False` leaves out the sessions without tokens (no answer, or only error stand-ins)."""
    rows = session_rows(reader, filters.span, with_empty=with_empty, limit=limit)
    sessions = [session_json(row) for row in rows]
    grand = Totals()
    unpriced: set[str] = set()
    for s in sessions:
        grand.add(s["inputTokens"], s["outputTokens"], s["cacheCreationTokens"], s["cacheReadTokens"], s["costUSD"])
        unpriced.update(s["unpricedModels"])
    grand.unpriced_models = unpriced
    return {"sessions": sessions, "totals": grand.as_json(), "unpricedModels": sorted(unpriced)}
