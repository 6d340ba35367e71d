"""Named read queries of sessions behind the API and the live views: the sessions list, rows by id, recent ones,
projects. Each takes a read connection (`session_queries` holds the portable ones, run through a `Reader`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from ccdeck.models import LiveSession
from ccdeck.store import session_queries
from ccdeck.store.session_queries import SESSION_COLUMNS
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.usage_queries import like_pattern

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


def session_facts(conn: Connection, ids: Sequence[str] | None = None) -> list[Any]:
    """What a session's live state needs of its row: folder, last line's kind and time, entrypoint, doing."""
    return list(session_queries.session_facts(SqlaReader(conn), ids))


def live_registry(conn: Connection) -> list[LiveSession]:
    """The live registry as the last scan found it (`sessions/<pid>.json` of every config dir)."""
    return session_queries.live_registry(SqlaReader(conn))


def session_count(conn: Connection) -> int:
    return session_queries.session_count(SqlaReader(conn))
