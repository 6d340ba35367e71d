"""One ingest batch: the rows some chunks of files produced, and their cursors, written in ONE transaction.

Because the cursor commits with its rows, a crash at any moment either keeps both or neither; because every row
is keyed (responses by dedup key, events by line uuid, ...), re-reading a file from the start adds nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, case, func, select
from sqlalchemy.dialects import sqlite

from ccdeck.models import Event, HistoryEntry, Response, ToolUse
from ccdeck.store import schema
from ccdeck.store.session_stats import refresh_sessions

_IN_CHUNK = 500


@dataclass(slots=True)
class SessionMeta:
    """What a batch saw of a session's metadata; the newest line wins."""

    config_dir: str
    first: float
    last: float
    cwd: str | None = None
    git_branch: str | None = None
    version: str | None = None
    entrypoint: str | None = None
    last_kind: str | None = None
    doing: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where reading a file stopped: its identity, size, and the offset just past the last complete line."""

    path: str
    config_dir: str
    kind: str
    device: int
    inode: int
    size: int
    offset: int
    lines: int
    session_hint: str | None
    cwd: str | None


@dataclass(slots=True)
class Batch:
    cursors: list[Cursor] = field(default_factory=list)
    bytes: int = 0  # bytes of transcript behind these rows, to size batches
    responses: list[tuple[Response, float | None]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    tool_uses: list[ToolUse] = field(default_factory=list)
    snapshot_files: list[tuple[str, str]] = field(default_factory=list)
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    agents: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    problems: list[tuple[str, int, int, str]] = field(default_factory=list)
    sessions: dict[str, SessionMeta] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BatchResult:
    touched_sessions: frozenset[str]
    new_responses: tuple[tuple[Response, float | None], ...]


def _insert(conn: Connection, table: Table) -> Any:
    """INSERT with ON CONFLICT clauses; PostgreSQL's dialect offers the same API when a team store needs it."""
    return sqlite.insert(table)


def _upsert_response() -> Any:
    """Keep the copy with the most output tokens (earlier per-block copies carry partial output counts)."""
    stmt = sqlite.insert(schema.responses)
    return stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"output_tokens": stmt.excluded.output_tokens, "cost_usd": stmt.excluded.cost_usd},
        where=stmt.excluded.output_tokens > schema.responses.c.output_tokens,
    )


# Statements built once (their compiled forms are cached by identity in `_executemany`).
_UPSERT_RESPONSE = _upsert_response()
_IGNORE = {
    t.name: sqlite.insert(t).on_conflict_do_nothing()
    for t in (schema.events, schema.tool_uses, schema.snapshot_files, schema.history, schema.problems)
}
_compiled: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = {}


def _executemany(conn: Connection, stmt: Any, rows: Sequence[dict[str, Any]]) -> None:
    """executemany with the statement compiled once: SQLAlchemy's per-row parameter processing costs more than
    SQLite's insert itself on big batches. Bind order comes from the compiled statement, so this stays portable."""
    if not rows:
        return
    key = (conn.dialect.name, id(stmt))
    if key not in _compiled:
        compiled = stmt.compile(dialect=conn.dialect)
        _compiled[key] = (str(compiled), tuple(compiled.positiontup or ()))
    sql, names = _compiled[key]
    conn.exec_driver_sql(sql, [tuple(row[n] for n in names) for row in rows])


def _ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    _executemany(conn, _IGNORE[table.name], rows)


def _holders(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """Response key -> the session that holds the stored row, for the keys already stored."""
    r = schema.responses.c
    found: dict[str, str] = {}
    keys = list(keys)
    for start in range(0, len(keys), _IN_CHUNK):
        query = select(r.key, r.session_id).where(r.key.in_(keys[start : start + _IN_CHUNK]))
        found.update((key, session) for key, session in conn.execute(query))
    return found


def apply_batch(conn: Connection, batch: Batch) -> BatchResult:
    """Write everything of `batch` and its cursors; refresh the aggregates of every session it touched."""
    touched = set(batch.sessions)
    new, holders = _write_responses(conn, batch.responses)
    touched.update(r.session_id for r, _ in batch.responses)
    touched.update(holders)  # a bigger copy may raise a row another session holds
    _ignore(conn, schema.events, [_event_row(e) for e in batch.events])
    _ignore(conn, schema.tool_uses, [_tool_row(t) for t in batch.tool_uses])
    _ignore(conn, schema.snapshot_files, [{"session_id": s, "path": p} for s, p in batch.snapshot_files])
    _ignore(conn, schema.history, [_history_row(h) for h in batch.history])
    now = time.time()
    _ignore(
        conn,
        schema.problems,
        [{"path": p, "offset": o, "line_no": n, "reason": r, "seen_at": now} for p, o, n, r in batch.problems],
    )
    touched.update(_write_titles(conn, batch))
    _write_agents(conn, batch.agents)
    _write_sessions(conn, batch.sessions)
    refresh_sessions(conn, touched)
    for cursor in batch.cursors:
        _write_cursor(conn, cursor)
    return BatchResult(frozenset(touched), tuple(new))


def _write_responses(
    conn: Connection, rows: list[tuple[Response, float | None]]
) -> tuple[list[tuple[Response, float | None]], set[str]]:
    """Upsert keeping the copy with the most output tokens.

    Returns the responses not seen before, and the sessions holding the rows that were seen.
    """
    if not rows:
        return [], set()
    best: dict[str, tuple[Response, float | None]] = {}
    for response, cost in rows:
        held = best.get(response.key)
        if held is None or response.usage.output > held[0].usage.output:
            best[response.key] = (response, cost)
    seen = _holders(conn, best)
    _executemany(conn, _UPSERT_RESPONSE, [_response_row(r, cost) for r, cost in best.values()])
    return [pair for key, pair in best.items() if key not in seen], set(seen.values())


def _response_row(r: Response, cost: float | None) -> dict[str, Any]:
    u = r.usage
    return {
        "key": r.key,
        "session_id": r.session_id,
        "agent_id": r.agent_id,
        "ts": r.timestamp,
        "model": r.model,
        "input_tokens": u.input,
        "output_tokens": u.output,
        "cache_creation_tokens": u.cache_creation,
        "cache_read_tokens": u.cache_read,
        "cache_5m_tokens": u.cache_5m,
        "cache_1h_tokens": u.cache_1h,
        "web_search_requests": u.web_search,
        "cost_usd": cost,
    }


def _event_row(e: Event) -> dict[str, Any]:
    return {
        "key": e.key,
        "session_id": e.session_id,
        "ts": e.timestamp,
        "kind": e.kind,
        "text": e.text,
        "tool_name": e.tool_name,
        "agent_id": e.agent_id,
        "is_error": e.is_error,
        "truncated": e.truncated,
    }


def _tool_row(t: ToolUse) -> dict[str, Any]:
    return {"id": t.id, "session_id": t.session_id, "ts": t.timestamp, "name": t.name, "path": t.path,
            "agent_id": t.agent_id}  # fmt: skip


def _history_row(h: HistoryEntry) -> dict[str, Any]:
    return {"ts": h.timestamp, "display": h.display, "project": h.project, "session_id": h.session_id}


def _write_titles(conn: Connection, batch: Batch) -> set[str]:
    """Titles and summaries; returns the sessions whose title may have changed."""
    touched = {session for session, _ in batch.titles}
    if batch.titles:
        stmt = _insert(conn, schema.titles)
        stmt = stmt.on_conflict_do_update(index_elements=["session_id", "source"], set_={"text": stmt.excluded.text})
        conn.execute(stmt, [{"session_id": s, "source": src, "text": t} for (s, src), t in batch.titles.items()])
    if batch.summaries:
        stmt = _insert(conn, schema.summaries)
        stmt = stmt.on_conflict_do_update(index_elements=["leaf_uuid"], set_={"text": stmt.excluded.text})
        conn.execute(stmt, [{"leaf_uuid": leaf, "text": t} for leaf, t in batch.summaries.items()])
        # A summary names a line uuid, usually in ANOTHER file: find the sessions that hold those lines.
        leaves = list(batch.summaries)
        for start in range(0, len(leaves), _IN_CHUNK):
            query = select(schema.events.c.session_id).where(schema.events.c.key.in_(leaves[start : start + _IN_CHUNK]))
            touched.update(conn.execute(query).scalars())
    return touched


def _write_agents(conn: Connection, rows: list[tuple[str, str, str | None, str | None]]) -> None:
    if not rows:
        return
    stmt = _insert(conn, schema.agents)
    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id", "agent_id"],
        set_={"agent_type": stmt.excluded.agent_type, "description": stmt.excluded.description},
    )
    conn.execute(stmt, [{"session_id": s, "agent_id": a, "agent_type": t, "description": d} for s, a, t, d in rows])


def _write_sessions(conn: Connection, metas: dict[str, SessionMeta]) -> None:
    """Upsert session metadata: first/last activity widen; the newest line's cwd, branch and state win."""
    if not metas:
        return
    table = schema.sessions
    stmt = _insert(conn, table)
    new = stmt.excluded
    newer = new.last_activity >= table.c.last_activity

    def newest(column: str) -> Any:
        held = getattr(table.c, column)
        return case((newer, func.coalesce(getattr(new, column), held)), else_=held)

    stmt = stmt.on_conflict_do_update(
        index_elements=["session_id"],
        set_={
            "first_activity": func.min(table.c.first_activity, new.first_activity),
            "last_activity": func.max(table.c.last_activity, new.last_activity),
            **{c: newest(c) for c in ("project_path", "git_branch", "version", "entrypoint", "last_kind", "doing")},
        },
    )
    conn.execute(
        stmt,
        [
            {
                "session_id": sid,
                "config_dir": m.config_dir,
                "project_path": m.cwd,
                "git_branch": m.git_branch,
                "version": m.version,
                "entrypoint": m.entrypoint,
                "first_activity": m.first,
                "last_activity": m.last,
                "last_kind": m.last_kind,
                "doing": m.doing,
            }
            for sid, m in metas.items()
        ],
    )


def _write_cursor(conn: Connection, c: Cursor) -> None:
    row = {
        "path": c.path,
        "config_dir": c.config_dir,
        "kind": c.kind,
        "device": c.device,
        "inode": c.inode,
        "size": c.size,
        "offset": c.offset,
        "lines": c.lines,
        "session_hint": c.session_hint,
        "cwd": c.cwd,
        "scanned_at": time.time(),
    }
    stmt = _insert(conn, schema.files)
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["path"], set_={k: v for k, v in row.items() if k != "path"}),
        row,
    )
