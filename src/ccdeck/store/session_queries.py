"""Named read queries of sessions (their aggregate rows, the stored live registry), as portable SQL text run
through a `Reader`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ccdeck.models import LiveSession
from ccdeck.store.reader import Reader
from ccdeck.store.usage_queries import Range, range_clause

SESSION_COLUMNS = """s.session_id, s.project_path, s.input_tokens, s.output_tokens, s.cache_creation_tokens,
    s.cache_read_tokens, s.cost_usd, s.models, s.unpriced_models, s.first_activity, s.last_activity,
    s.files_changed, s.title, s.git_branch, s.version, s.config_dir, s.prompts, s.responses, s.tool_uses,
    s.api_errors, s.compactions, s.subagents, s.doing, s.last_kind, s.entrypoint"""
FACT_COLUMNS = "session_id, project_path, last_kind, last_activity, entrypoint, doing"
LIVE_COLUMNS = tuple(f.name for f in dataclasses.fields(LiveSession))


def session_rows(reader: Reader, span: Range, *, with_empty: bool = True, limit: int | None = None) -> Sequence[Any]:
    """SESSION_COLUMNS of the sessions whose last activity is in the range, newest first. `with_empty=False`
    leaves out the sessions without tokens."""
    where, params = range_clause(span, "s", "last_activity")
    if not with_empty:
        where += " AND s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens > 0"
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE 1 = 1 {where} ORDER BY s.last_activity DESC"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return reader.records(sql, params)


def session_count(reader: Reader) -> int:
    """How many sessions are stored."""
    count: int = reader.rows("SELECT COUNT(*) FROM sessions")[0][0]
    return count


def session_facts(reader: Reader, ids: Sequence[str] | None = None) -> Sequence[Any]:
    """What a session's live state needs of its row (FACT_COLUMNS), of every session or of the given ones."""
    if ids is None:
        return reader.rows(f"SELECT {FACT_COLUMNS} FROM sessions")
    found: list[Any] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        names = ", ".join(f":id{i}" for i in range(len(chunk)))
        params = {f"id{i}": sid for i, sid in enumerate(chunk)}
        found.extend(reader.rows(f"SELECT {FACT_COLUMNS} FROM sessions WHERE session_id IN ({names})", params))
    return found


def live_registry(reader: Reader, config_dir: str | None = None) -> list[LiveSession]:
    """The live registry as the last scan stored it (`sessions/<pid>.json`), of every config dir or of one."""
    sql = f"SELECT {', '.join(LIVE_COLUMNS)} FROM live_sessions"
    if config_dir is not None:
        rows = reader.rows(sql + " WHERE config_dir = :config_dir", {"config_dir": config_dir})
    else:
        rows = reader.rows(sql)
    return [LiveSession(*row) for row in rows]
