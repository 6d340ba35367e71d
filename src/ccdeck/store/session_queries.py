"""Named read queries of sessions: their aggregate rows (the sessions list, rows by id, recent ones, projects), the
stored live registry, and one session's detail (tokens by model and over time, tools, subagents, timeline; the
files it changed are `file_queries.files_changed`). Portable SQL text run through a `Reader`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccdeck.models import LiveSession
from ccdeck.store.reader import Reader, in_list
from ccdeck.store.usage_queries import Range, like_pattern, range_clause

SESSION_COLUMNS = """s.session_id, s.project_path, s.input_tokens, s.output_tokens, s.cache_creation_tokens,
    s.cache_read_tokens, s.cost_usd, s.models, s.unpriced_models, s.first_activity, s.last_activity,
    s.files_changed, s.title, s.git_branch, s.version, s.config_dir, s.prompts, s.responses, s.tool_uses,
    s.api_errors, s.compactions, s.subagents, s.doing, s.last_kind, s.entrypoint, s.machine, s.source,
    s.user_email, s.user_account, s.host"""
FACT_COLUMNS = "session_id, project_path, last_kind, last_activity, entrypoint, doing"
LIVE_COLUMNS = tuple(f.name for f in dataclasses.fields(LiveSession))
_IN_CHUNK = 500  # ids per query: SQLite's limit of bound parameters was 999 before 3.32
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
    machines: Sequence[str] = ()  # the machines whose sessions (empty: every machine's)
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
        clause, names = in_list("s.session_id", "ids", query.ids)
        clauses.append(clause)
        params.update(names)
    if query.machines:
        clause, names = in_list("s.machine", "machine", query.machines)
        clauses.append(clause)
        params.update(names)
    return " AND ".join(clauses), params


def list_sessions(reader: Reader, query: SessionQuery) -> tuple[list[Any], int]:
    """A page of session rows (SESSION_COLUMNS) and the number of rows matching the filters."""
    where, params = _where(query)
    # NULLs where SQLite puts them (first ascending, last descending), which PostgreSQL does the other way round.
    direction = "DESC NULLS LAST" if query.descending else "ASC NULLS FIRST"
    order = f"{SORTS.get(query.sort, SORTS['lastActivity'])} {direction}"
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE {where} ORDER BY {order}, s.session_id"
    page_params = params
    if query.limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        page_params = {**params, "limit": query.limit, "offset": query.offset}
    rows = list(reader.records(sql, page_params))
    total = reader.rows(f"SELECT COUNT(*) FROM sessions s WHERE {where}", params)[0][0]
    return rows, total or 0


def sessions_by_id(reader: Reader, ids: Sequence[str]) -> list[Any]:
    """SESSION_COLUMNS of the given sessions (those stored), in no particular order."""
    found: list[Any] = []
    for start in range(0, len(ids), _IN_CHUNK):
        clause, params = in_list("s.session_id", "id", ids[start : start + _IN_CHUNK])
        found.extend(reader.records(f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE {clause}", params))
    return found


def session_rows(reader: Reader, span: Range, *, with_empty: bool = True, limit: int | None = None) -> Sequence[Any]:
    """SESSION_COLUMNS of the sessions whose last activity is in the range, newest first. `with_empty=False`
    leaves out the sessions without tokens."""
    where, params = range_clause(span, "s", "last_activity")
    if not with_empty:
        where += " AND s.input_tokens + s.output_tokens + s.cache_creation_tokens + s.cache_read_tokens > 0"
    # Ties: SQLite's index gives them in rowid order, which updates keep; PostgreSQL's in the order of the rows'
    # latest versions, which every update changes: there, the session id breaks them.
    ties = ", s.session_id DESC" if reader.dialect == "postgresql" else ""
    sql = f"SELECT {SESSION_COLUMNS} FROM sessions s WHERE 1 = 1 {where} ORDER BY s.last_activity DESC{ties}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return reader.records(sql, params)


def recent_session_ids(reader: Reader, since: float, also: Sequence[str] = ()) -> list[str]:
    """Sessions active since `since`, plus `also` (those the registry lists): the ones whose state can change."""
    clause, params = in_list("session_id", "also", also)
    sql = f"SELECT session_id FROM sessions WHERE last_activity >= :since OR {clause}"
    return [row[0] for row in reader.rows(sql, {"since": since, **params})]


def projects(reader: Reader) -> Sequence[Any]:
    """Per project path: its sessions, tokens, cost, last activity, session ids (comma-separated) and model lists
    (joined by U+001F), the most recently active first."""
    # GROUP_CONCAT and char() are SQLite's; PostgreSQL's are string_agg and chr: the one non-portable query here.
    if reader.dialect == "postgresql":
        lists = "string_agg(session_id, ',') AS ids, string_agg(models, chr(31)) AS model_lists"
    else:
        lists = "GROUP_CONCAT(session_id) AS ids, GROUP_CONCAT(models, char(31)) AS model_lists"
    return reader.records(
        f"""SELECT project_path, COUNT(*) AS sessions,
                  SUM(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens) AS tokens,
                  SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced,
                  MAX(last_activity) AS last_activity, {lists}
           FROM sessions WHERE project_path IS NOT NULL GROUP BY project_path ORDER BY last_activity DESC"""
    )


def machines(reader: Reader) -> list[str]:
    """The machines of the stored sessions, by name."""
    return [row[0] for row in reader.rows("SELECT DISTINCT machine FROM sessions ORDER BY machine")]


def session_count(reader: Reader) -> int:
    """How many sessions are stored."""
    count: int = reader.rows("SELECT COUNT(*) FROM sessions")[0][0]
    return count


def session_facts(reader: Reader, ids: Sequence[str] | None = None) -> Sequence[Any]:
    """What a session's live state needs of its row (FACT_COLUMNS), of every session or of the given ones."""
    if ids is None:
        return reader.rows(f"SELECT {FACT_COLUMNS} FROM sessions")
    found: list[Any] = []
    for start in range(0, len(ids), _IN_CHUNK):
        clause, params = in_list("session_id", "id", ids[start : start + _IN_CHUNK])
        found.extend(reader.rows(f"SELECT {FACT_COLUMNS} FROM sessions WHERE {clause}", params))
    return found


def live_registry(reader: Reader, config_dir: str | None = None, machine: str | None = None) -> list[LiveSession]:
    """The live registry as the last scan stored it (`sessions/<pid>.json`), of every config dir or of one, of
    every machine or of one."""
    sql = f"SELECT {', '.join(LIVE_COLUMNS)} FROM live_sessions WHERE 1 = 1"
    params: dict[str, Any] = {}
    if config_dir is not None:
        sql += " AND config_dir = :config_dir"
        params["config_dir"] = config_dir
    if machine is not None:
        sql += " AND machine = :machine"
        params["machine"] = machine
    rows = reader.rows(sql, params)
    return [LiveSession(*row) for row in rows]


# One session's detail (the dashboard's session page, `ccdeck runs show`) --------------------------------------


def cost_by_model(reader: Reader, session_id: str) -> Sequence[Any]:
    """`model, i, o, cc, cr, cost, unpriced` of the session's responses, the most expensive model first."""
    return reader.records(
        """SELECT model, SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cache_creation_tokens) AS cc,
                  SUM(cache_read_tokens) AS cr, SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced
           FROM responses WHERE session_id = :id GROUP BY model ORDER BY cost DESC""",
        {"id": session_id},
    )


def tokens_over_time(reader: Reader, session_id: str, bucket_seconds: int) -> Sequence[Any]:
    """`bucket, i, o, cc, cr, cost, unpriced` of the session's responses per bucket of `bucket_seconds`."""
    width = int(bucket_seconds)
    return reader.records(
        f"""SELECT CAST(ts / {width} AS INTEGER) * {width} AS bucket, SUM(input_tokens) AS i,
                   SUM(output_tokens) AS o, SUM(cache_creation_tokens) AS cc, SUM(cache_read_tokens) AS cr,
                   SUM(cost_usd) AS cost, COUNT(*) - COUNT(cost_usd) AS unpriced
            FROM responses WHERE session_id = :id GROUP BY bucket ORDER BY bucket""",
        {"id": session_id},
    )


def session_span(reader: Reader, session_id: str) -> tuple[float, float] | None:
    """The times of the session's first and last responses; None when it has none."""
    first, last = reader.rows("SELECT MIN(ts), MAX(ts) FROM responses WHERE session_id = :id", {"id": session_id})[0]
    return None if first is None else (first, last)


def tool_counts(reader: Reader, session_id: str) -> dict[str, int]:
    """Uses per tool name, the most used first."""
    sql = "SELECT name, COUNT(*) FROM tool_uses WHERE session_id = :id GROUP BY name ORDER BY 2 DESC"
    return {name: count for name, count in reader.rows(sql, {"id": session_id})}  # noqa: C416 - rows, not pairs


def subagents(reader: Reader, session_id: str) -> Sequence[Any]:
    """`agent_id, agent_type, description, responses, tokens, cost, unpriced` per subagent, the first started first."""
    return reader.records(
        """SELECT r.agent_id, a.agent_type, a.description, COUNT(*) AS responses,
                  SUM(r.input_tokens + r.output_tokens + r.cache_creation_tokens + r.cache_read_tokens) AS tokens,
                  SUM(r.cost_usd) AS cost, COUNT(*) - COUNT(r.cost_usd) AS unpriced
           FROM responses r LEFT JOIN agents a ON a.session_id = r.session_id AND a.agent_id = r.agent_id
           WHERE r.session_id = :id AND r.agent_id IS NOT NULL
           GROUP BY r.agent_id, a.agent_type, a.description ORDER BY MIN(r.ts)""",
        {"id": session_id},
    )


def timeline(
    reader: Reader, session_id: str, limit: int, offset: int, *, after: float | None = None, newest_first: bool = False
) -> tuple[list[Any], int]:
    """A page of a session's events and how many it has in all; `after` keeps those at or after that time."""
    order = "DESC" if newest_first else ""
    since = "" if after is None else "AND ts >= :after"
    rows = reader.records(
        f"""SELECT key, ts, kind, text, tool_name, agent_id, is_error, truncated FROM events
            WHERE session_id = :id {since} ORDER BY ts {order}, key {order} LIMIT :limit OFFSET :offset""",
        {"id": session_id, "limit": limit, "offset": offset, "after": after},
    )
    total = reader.rows("SELECT COUNT(*) FROM events WHERE session_id = :id", {"id": session_id})[0][0]
    return list(rows), total or 0
