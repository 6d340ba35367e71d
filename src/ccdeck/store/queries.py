"""Named read queries behind the API and the live views. Each takes a read connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from ccdeck.models import LiveSession
from ccdeck.store import session_queries, usage_queries
from ccdeck.store.session_queries import SESSION_COLUMNS
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.usage_queries import GROUP_KEYS, like_pattern

SORTS = {
    "lastActivity": "s.last_activity",
    "cost": "COALESCE(s.cost_usd, 0)",
    "tokens": "(s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens)",
    "duration": "(s.last_activity - s.first_activity)",
}


@dataclass(frozen=True)
class SessionQuery:
    """Filters of the sessions list. `ids` restricts to given sessions (the state filter resolves to ids)."""

    project: str | None = None
    model: str | None = None
    since: float | None = None
    until: float | None = None
    q: str | None = None
    ids: Sequence[str] | None = None
    sort: str = "lastActivity"
    descending: bool = True
    limit: int | None = None
    offset: int = 0


def _where(query: SessionQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["1 = 1"], dict[str, Any]()
    if query.project:
        clauses.append("s.project_path LIKE :project ESCAPE '\\'")
        params["project"] = like_pattern(query.project)
    if query.model:
        clauses.append("s.models LIKE :model ESCAPE '\\'")
        params["model"] = like_pattern(f'"{query.model}"')
    if query.since is not None:
        clauses.append("s.last_activity >= :since")
        params["since"] = query.since
    if query.until is not None:
        clauses.append("s.last_activity < :until")
        params["until"] = query.until
    if query.q:
        clauses.append(
            "(s.title LIKE :q ESCAPE '\\' OR s.project_path LIKE :q ESCAPE '\\' OR s.git_branch LIKE :q ESCAPE '\\'"
            " OR s.session_id LIKE :q ESCAPE '\\')"
        )
        params["q"] = like_pattern(query.q)
    if query.ids is not None:
        clauses.append("s.session_id IN :ids")
        params["ids"] = list(query.ids)
    return " AND ".join(clauses), params


def list_sessions(conn: Connection, query: SessionQuery) -> tuple[list[Any], int]:
    """A page of session rows and the number of rows matching the filters."""
    where, params = _where(query)
    order = f"{SORTS.get(query.sort, SORTS['lastActivity'])} {'DESC' if query.descending else 'ASC'}"
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE {where} ORDER BY {order}, s.session_id"
    count_sql = f"SELECT COUNT(*) FROM sessions s WHERE {where}"
    if query.limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
    page_params = {**params, "limit": query.limit, "offset": query.offset}
    expanding: list[BindParameter[Any]] = [bindparam("ids", expanding=True)] if query.ids is not None else []
    rows = list(conn.execute(text(sql).bindparams(*expanding), page_params if query.limit is not None else params))
    total = conn.execute(text(count_sql).bindparams(*expanding), params).scalar() or 0
    return rows, total


def sessions_by_id(conn: Connection, ids: Sequence[str]) -> list[Any]:
    if not ids:
        return []
    sql = text(f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.session_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return list(conn.execute(sql, {"ids": list(ids)}))


def cost_by_model(conn: Connection, session_id: str) -> list[Any]:
    return list(
        conn.execute(
            text(
                """SELECT model, SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cache_creation_tokens) AS cc,
                          SUM(cache_read_tokens) AS cr, SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced
                   FROM responses WHERE session_id = :id GROUP BY model ORDER BY cost DESC"""
            ),
            {"id": session_id},
        )
    )


def tokens_over_time(conn: Connection, session_id: str, bucket_seconds: int) -> list[Any]:
    return list(
        conn.execute(
            text(
                f"""SELECT CAST(ts / {bucket_seconds} AS INTEGER) * {bucket_seconds} AS bucket, SUM(input_tokens) AS i,
                           SUM(output_tokens) AS o, SUM(cache_creation_tokens) AS cc, SUM(cache_read_tokens) AS cr,
                           SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced
                    FROM responses WHERE session_id = :id GROUP BY bucket ORDER BY bucket"""
            ),
            {"id": session_id},
        )
    )


def session_span(conn: Connection, session_id: str) -> tuple[float, float] | None:
    row = conn.execute(text("SELECT MIN(ts), MAX(ts) FROM responses WHERE session_id = :id"), {"id": session_id}).one()
    return None if row[0] is None else (row[0], row[1])


def files_changed(conn: Connection, session_id: str) -> list[Any]:
    return list(
        conn.execute(
            text(
                """SELECT path, name AS tool, COUNT(*) AS uses FROM tool_uses
                   WHERE session_id = :id AND path IS NOT NULL GROUP BY path, name
                   UNION ALL
                   SELECT path, 'snapshot' AS tool, 1 AS uses FROM snapshot_files
                   WHERE session_id = :id AND path NOT IN
                       (SELECT path FROM tool_uses WHERE session_id = :id AND path IS NOT NULL)
                   ORDER BY path"""
            ),
            {"id": session_id},
        )
    )


def tool_counts(conn: Connection, session_id: str) -> dict[str, int]:
    rows = conn.execute(
        text("SELECT name, COUNT(*) FROM tool_uses WHERE session_id = :id GROUP BY name ORDER BY 2 DESC"),
        {"id": session_id},
    )
    return {name: count for name, count in rows}  # noqa: C416 - rows are Row objects, not pairs


def subagents(conn: Connection, session_id: str) -> list[Any]:
    return list(
        conn.execute(
            text(
                """SELECT r.agent_id, a.agent_type, a.description, COUNT(*) AS responses,
                          SUM(r.input_tokens + r.output_tokens + r.cache_creation_tokens
                              + r.cache_read_tokens) AS tokens,
                          SUM(r.cost_usd) AS cost, COUNT(*) - COUNT(r.cost_usd) AS unpriced
                   FROM responses r LEFT JOIN agents a ON a.session_id = r.session_id AND a.agent_id = r.agent_id
                   WHERE r.session_id = :id AND r.agent_id IS NOT NULL
                   GROUP BY r.agent_id ORDER BY MIN(r.ts)"""
            ),
            {"id": session_id},
        )
    )


def timeline(
    conn: Connection,
    session_id: str,
    limit: int,
    offset: int,
    *,
    after: float | None = None,
    newest_first: bool = False,
) -> tuple[list[Any], int]:
    """A page of a session's events and how many it has in all; `after` keeps those at or after that time."""
    order = "DESC" if newest_first else ""
    since = "" if after is None else "AND ts >= :after"
    rows = conn.execute(
        text(
            f"""SELECT key, ts, kind, text, tool_name, agent_id, is_error, truncated FROM events
                WHERE session_id = :id {since} ORDER BY ts {order}, key {order} LIMIT :limit OFFSET :offset"""
        ),
        {"id": session_id, "limit": limit, "offset": offset, "after": after},
    )
    total = conn.execute(text("SELECT COUNT(*) FROM events WHERE session_id = :id"), {"id": session_id}).scalar()
    return list(rows), total or 0


def totals_between(conn: Connection, since: float, until: float | None = None) -> Any:
    sql = """SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
                    COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0),
                    SUM(cost_usd), COUNT(*) - COUNT(cost_usd)
             FROM responses WHERE ts >= :since"""
    params: dict[str, float] = {"since": since}
    if until is not None:
        sql += " AND ts < :until"
        params["until"] = until
    return conn.execute(text(sql), params).one()


def projects(conn: Connection) -> list[Any]:
    return list(
        conn.execute(
            text(
                """SELECT project_path, COUNT(*) AS sessions,
                          SUM(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens) AS tokens,
                          SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced,
                          MAX(last_activity) AS last_activity,
                          GROUP_CONCAT(session_id) AS ids, GROUP_CONCAT(models, char(31)) AS model_lists
                   FROM sessions WHERE project_path IS NOT NULL GROUP BY project_path ORDER BY last_activity DESC"""
            )
        )
    )


def recent_session_ids(conn: Connection, since: float, also: Sequence[str] = ()) -> list[str]:
    """Sessions active since `since`, plus `also` (those the registry lists): the ones whose state can change."""
    sql = text("SELECT session_id FROM sessions WHERE last_activity >= :since OR session_id IN :also").bindparams(
        bindparam("also", expanding=True)
    )
    return list(conn.execute(sql, {"since": since, "also": list(also) or [""]}).scalars())


def totals_by_key_since(conn: Connection, since: float, group: str) -> list[Any]:
    """Sums per model or per project path (`group`) of the responses since `since`: `k, i, o, cc, cr, cost,
    unpriced` (the same keys as `/api/usage`; a response of an unknown session has the project "")."""
    key, join = GROUP_KEYS[group]
    return list(
        conn.execute(
            text(
                f"""SELECT {key} AS k, SUM(r.input_tokens) AS i, SUM(r.output_tokens) AS o,
                           SUM(r.cache_creation_tokens) AS cc, SUM(r.cache_read_tokens) AS cr, SUM(r.cost_usd) AS cost,
                           COUNT(*) - COUNT(r.cost_usd) AS unpriced
                    FROM responses r {join} WHERE r.ts >= :since GROUP BY k"""
            ),
            {"since": since},
        )
    )


def latest_rate_limits(conn: Connection) -> Any:
    """The newest status-line record that carries a rate limit (Claude Code sends them to subscribers only)."""
    return conn.execute(
        text(
            """SELECT session_id, updated_at, five_hour_used_pct, five_hour_resets_at, seven_day_used_pct,
                      seven_day_resets_at FROM statusline
               WHERE five_hour_used_pct IS NOT NULL OR seven_day_used_pct IS NOT NULL
               ORDER BY updated_at DESC LIMIT 1"""
        )
    ).one_or_none()


def statusline_updated(conn: Connection) -> float | None:
    """When `ccdeck statusline` last recorded anything (the index makes this cheap enough to poll)."""
    value = conn.execute(text("SELECT MAX(updated_at) FROM statusline")).scalar()
    return None if value is None else float(value)


def session_facts(conn: Connection, ids: Sequence[str] | None = None) -> list[Any]:
    """What a session's live state needs of its row: folder, last line's kind and time, entrypoint, doing."""
    return list(session_queries.session_facts(SqlaReader(conn), ids))


def live_registry(conn: Connection) -> list[LiveSession]:
    """The live registry as the last scan found it (`sessions/<pid>.json` of every config dir)."""
    return session_queries.live_registry(SqlaReader(conn))


def session_count(conn: Connection) -> int:
    return session_queries.session_count(SqlaReader(conn))


def usage_by_model(conn: Connection) -> list[Any]:
    """Token and cost sums per model, of all time (`usage_queries.usage_by_model`)."""
    return list(usage_queries.usage_by_model(SqlaReader(conn)))
