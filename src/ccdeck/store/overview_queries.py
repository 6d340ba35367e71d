"""Named read queries of the overview (`/api/summary`, `/metrics`): token and cost totals over a time range, per
model or project, and the newest rate limits the status line recorded. Each takes a read connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from ccdeck.store import usage_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.usage_queries import GROUP_KEYS


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


def usage_by_model(conn: Connection) -> list[Any]:
    """Token and cost sums per model, of all time (`usage_queries.usage_by_model`)."""
    return list(usage_queries.usage_by_model(SqlaReader(conn)))
