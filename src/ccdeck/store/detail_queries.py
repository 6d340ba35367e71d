"""Named read queries of one session's detail (the dashboard's session page, `ccdeck runs show`): its tokens by model
and over time, the files it changed, its tools, subagents and timeline. Each takes a read connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text


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
