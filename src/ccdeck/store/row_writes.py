"""Writing ingest batches (`rows.Batch`): the rows some chunks of files produced, and their cursors, in ONE
transaction.

Because the cursor commits with its rows, a crash at any moment either keeps both or neither; because every row
is keyed (responses by dedup key, events by line uuid, ...), re-reading a file from the start adds nothing twice.
Several batches may share a transaction (`write_batches`): the result is the same as writing them one after the
other, with the per-session aggregates refreshed once instead of after each.
The search index (`events_fts`, migration 0005) takes the transaction's new events in that same transaction.

The statements are built for the connection's dialect (SQLite's or PostgreSQL's INSERT ... ON CONFLICT: the same
API) the first time it writes; PostgreSQL has no search index to feed, and takes rows in the order of their keys
(two writers then lock the same rows in the same order).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, case, func, literal_column
from sqlalchemy.dialects import postgresql, sqlite

from ccdeck.store import schema
from ccdeck.store.request_ids import drop_telemetry_copies
from ccdeck.store.rows import (
    AGENT_COLUMNS,
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    PROBLEM_COLUMNS,
    RESPONSE_COLUMNS,
    SNAPSHOT_COLUMNS,
    TOOL_COLUMNS,
    Batch,
    BatchResult,
    Cursor,
    ResponseRow,
    SessionMeta,
    outranks,
)
from ccdeck.store.search import INDEXED_KINDS
from ccdeck.store.session_stats import refresh_sessions

__all__ = ["transaction_job", "write_batches"]
_IN_CHUNK = 500


_INSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _upsert_response(insert: Callable[[Table], Any]) -> Any:
    """INSERT that replaces the whole stored row: the caller has chosen the winning copy (`outranks`), and a scan in
    parts must store what one scan of the whole files stores -- that copy's row in full, not a mix of two copies."""
    stmt = insert(schema.responses)
    return stmt.on_conflict_do_update(
        index_elements=["key"], set_={c: getattr(stmt.excluded, c) for c in RESPONSE_COLUMNS[1:]}
    )


def _upsert(insert: Callable[[Table], Any], table: Table, keys: list[str], columns: Iterable[str]) -> Any:
    """INSERT that replaces `columns` of the row already holding `keys`."""
    stmt = insert(table)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: getattr(stmt.excluded, c) for c in columns})


def _upsert_session(insert: Callable[[Table], Any], usage_only: bool) -> Any:
    """First/last activity widen; the newest line's cwd, branch and state win.

    "Newest" among the lines of complete passes (`detail_activity`): a usage pass sees only some lines, and its
    metadata stands only until a complete pass has seen the session.
    """
    table = schema.sessions
    stmt = insert(table)
    new = stmt.excluded
    # Two-argument MIN and MAX are SQLite's scalar functions; PostgreSQL's are LEAST and GREATEST.
    least, greatest = (func.min, func.max) if insert is sqlite.insert else (func.least, func.greatest)
    detail = table.c.detail_activity
    if usage_only:
        newer = and_(detail.is_(None), new.last_activity >= table.c.last_activity)
    else:
        newer = new.last_activity >= func.coalesce(detail, new.last_activity)

    def newest(column: str) -> Any:
        held = getattr(table.c, column)
        return case((newer, func.coalesce(getattr(new, column), held)), else_=held)

    widen = {
        "first_activity": least(table.c.first_activity, new.first_activity),
        "last_activity": greatest(table.c.last_activity, new.last_activity),
    }
    if not usage_only:
        widen["detail_activity"] = greatest(func.coalesce(detail, new.last_activity), new.last_activity)
    return stmt.on_conflict_do_update(
        index_elements=["session_id"],
        set_={
            **widen,
            "source": literal_column("'transcript'"),  # a session telemetry told of first now has a transcript
            **{c: newest(c) for c in ("project_path", "git_branch", "version", "entrypoint", "last_kind", "doing")},
        },
    )


_CURSOR_COLUMNS = ("path", "config_dir", "kind", "device", "inode", "size", "offset", "lines", "session_hint", "cwd",
                   "fingerprint", "mtime_ns", "scanned_at")  # fmt: skip
_SESSION_COLUMNS = ("session_id", "config_dir", "project_path", "git_branch", "version", "entrypoint",
                    "first_activity", "last_activity", "last_kind", "doing", "detail_activity")  # fmt: skip

_USAGE_CURSOR_COLUMNS = ("path", "config_dir", "device", "inode", "size", "offset", "lines", "fingerprint", "mtime_ns")
Statement = tuple[Any, tuple[str, ...]]  # a statement and the column each position of its rows holds


class Statements(NamedTuple):
    """The writes of one dialect, each with the columns its rows give, in that order (compiled once, in
    `_executemany`)."""

    upsert_response: Statement
    ignore: dict[str, Statement]
    upsert_title: Statement
    upsert_summary: Statement
    upsert_agent: Statement
    upsert_session: dict[bool, Statement]
    upsert_cursor: Statement
    upsert_usage_cursor: Statement


@cache
def _statements(dialect: str) -> Statements:
    insert = _INSERTS[dialect]
    ignored = (
        (schema.events, EVENT_COLUMNS),
        (schema.tool_uses, TOOL_COLUMNS),
        (schema.snapshot_files, SNAPSHOT_COLUMNS),
        (schema.history, HISTORY_COLUMNS),
        (schema.problems, (*PROBLEM_COLUMNS, "seen_at")),
    )
    return Statements(
        upsert_response=(_upsert_response(insert), RESPONSE_COLUMNS),
        ignore={t.name: (insert(t).on_conflict_do_nothing(), columns) for t, columns in ignored},
        upsert_title=(
            _upsert(insert, schema.titles, ["session_id", "source"], ["text"]),
            ("session_id", "source", "text"),
        ),
        upsert_summary=(_upsert(insert, schema.summaries, ["leaf_uuid"], ["text"]), ("leaf_uuid", "text")),
        upsert_agent=(
            _upsert(insert, schema.agents, ["session_id", "agent_id"], ["agent_type", "description"]),
            AGENT_COLUMNS,
        ),
        upsert_session={u: (_upsert_session(insert, u), _SESSION_COLUMNS) for u in (False, True)},
        upsert_cursor=(_upsert(insert, schema.files, ["path"], _CURSOR_COLUMNS[1:]), _CURSOR_COLUMNS),
        upsert_usage_cursor=(
            _upsert(insert, schema.usage_cursors, ["path"], _USAGE_CURSOR_COLUMNS[1:]),
            _USAGE_CURSOR_COLUMNS,
        ),
    )


def _of(conn: Connection) -> Statements:
    return _statements(conn.dialect.name)


_compiled: dict[tuple[str, int], tuple[str, tuple[int, ...] | None]] = {}


def _executemany(conn: Connection, statement: Statement, rows: Sequence[Sequence[Any]]) -> None:
    """executemany with the statement compiled once and rows passed to the driver as tuples: SQLAlchemy's per-row
    parameter processing costs more than SQLite's insert itself on big batches. `statement` is (statement, the
    column each row position holds); bind order comes from the compiled statement, so this stays portable. On
    PostgreSQL (named parameters) the rows go as dicts, in the order of their keys."""
    if not rows:
        return
    stmt, columns = statement
    key = (conn.dialect.name, id(stmt))
    if key not in _compiled:
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
        if compiled.positional:
            order = tuple(columns.index(name) for name in compiled.positiontup or ())
            _compiled[key] = (str(compiled), None if order == tuple(range(len(columns))) else order)
        else:
            _compiled[key] = (str(compiled), None)
    sql, reorder = _compiled[key]
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in sorted(rows, key=_row_key)])
        return
    if reorder is not None:
        rows = [tuple(row[i] for i in reorder) for row in rows]
    conn.exec_driver_sql(sql, rows)


def _row_key(row: Sequence[Any]) -> str:
    """The order PostgreSQL takes a batch's rows in: by their first column (the key or its first part; the sort
    is stable, so two rows of one key keep their order, and the later one still wins)."""
    return str(row[0])


def _placeholders(conn: Connection, count: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def _stored(conn: Connection, keys: Iterable[str]) -> dict[str, ResponseRow]:
    """Response key -> the stored row, for the keys already stored."""
    found: dict[str, ResponseRow] = {}
    keys = list(keys)
    columns = ", ".join(f'"{c}"' for c in RESPONSE_COLUMNS)
    for start in range(0, len(keys), _IN_CHUNK):
        part = keys[start : start + _IN_CHUNK]
        sql = f'SELECT {columns} FROM {schema.responses.name} WHERE "key" IN ({_placeholders(conn, len(part))})'
        found.update((row[0], ResponseRow(*row)) for row in conn.exec_driver_sql(sql, tuple(part)))
    return found


def write_batches(conn: Connection, batches: Iterable[Batch]) -> BatchResult:
    """Write `batches` in order, and the last cursor of each file they read, in the caller's one transaction;
    refresh the aggregates of every session they touched."""
    touched: set[str] = set()
    new: list[ResponseRow] = []
    cursors: dict[str, Cursor] = {}
    usage_cursors: dict[str, Cursor] = {}
    last_event = _last_event_rowid(conn)
    for batch in batches:
        new.extend(_write_rows(conn, batch, touched))
        # A file's last cursor is the one that counts.
        (usage_cursors if batch.usage_only else cursors).update((c.path, c) for c in batch.cursors)
    _index_events(conn, last_event)
    refresh_sessions(conn, touched)
    now = time.time()
    _executemany(conn, _of(conn).upsert_cursor, [
        (c.path, c.config_dir, c.kind, c.device, c.inode, c.size, c.offset, c.lines, c.session_hint, c.cwd,
         c.fingerprint, c.mtime_ns, now)
        for c in cursors.values()
    ])  # fmt: skip
    _executemany(conn, _of(conn).upsert_usage_cursor, [
        (c.path, c.config_dir, c.device, c.inode, c.size, c.offset, c.lines, c.fingerprint, c.mtime_ns)
        for c in usage_cursors.values()
    ])  # fmt: skip
    return BatchResult(frozenset(touched), tuple(new))


def transaction_job(batches: list[Batch], after: Future[BatchResult] | None) -> Callable[[Connection], BatchResult]:
    """A writer job that writes `batches` in one transaction (`write_batches`). It follows `after` (the transaction
    before it, which the writer ran first) and writes nothing if that one failed: a later cursor must never pass
    rows that were not written."""

    def write(conn: Connection) -> BatchResult:
        if after is not None and after.exception() is not None:
            raise RuntimeError("an earlier write transaction failed")
        return write_batches(conn, batches)

    return write


def _last_event_rowid(conn: Connection) -> int:
    if conn.dialect.name != "sqlite":
        return 0  # no search index to feed (`_index_events`)
    return int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {schema.events.name}").scalar() or 0)


_INDEX_EVENTS = f"""INSERT INTO events_fts(rowid, text) SELECT rowid, text FROM {schema.events.name}
    WHERE rowid > ? AND kind IN ({", ".join(f"'{k}'" for k in INDEXED_KINDS)})"""


def _index_events(conn: Connection, after: int) -> None:
    """Add the events stored since rowid `after` to the search index, in one statement: FTS5 flushes its pending
    terms at the end of each statement, so a row at a time (a trigger) writes a segment per row, several times
    slower. Events are only inserted, never updated or deleted, and SQLite gives a new row the largest rowid + 1.
    PostgreSQL has no such index: its search reads the events themselves."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(_INDEX_EVENTS, (after,))


def _write_rows(conn: Connection, batch: Batch, touched: set[str]) -> list[ResponseRow]:
    """Everything of one batch but its cursors; adds the sessions it touched to `touched`, returns new responses."""
    touched.update(batch.sessions)
    new, changed = _write_responses(conn, batch.responses)
    touched.update(changed)
    ignore = _of(conn).ignore
    _executemany(conn, ignore[schema.events.name], batch.events)
    _executemany(conn, ignore[schema.tool_uses.name], batch.tool_uses)
    _executemany(conn, ignore[schema.snapshot_files.name], batch.snapshot_files)
    _executemany(conn, ignore[schema.history.name], batch.history)
    if batch.problems:
        now = time.time()
        _executemany(conn, ignore[schema.problems.name], [(*p, now) for p in batch.problems])
    touched.update(_write_titles(conn, batch))
    _executemany(conn, _of(conn).upsert_agent, batch.agents)
    _write_sessions(conn, batch.sessions, batch.usage_only)
    return new


def _write_responses(conn: Connection, best: dict[str, ResponseRow]) -> tuple[list[ResponseRow], set[str]]:
    """Store each copy of `best` (a batch's best copy of each response) that outranks the stored one, if any.

    Returns the responses not seen before, and the sessions whose responses changed: a copy that replaces a row
    may move it from one session to another (both need their aggregates refreshed).
    """
    if not best:
        return [], set()
    stored = _stored(conn, best)
    width = len(RESPONSE_COLUMNS)
    winners = [row for key, row in best.items() if key not in stored or outranks(row, stored[key])]
    # Telemetry told of some of these first: its copies go, and they are not new (`store.request_ids`).
    replaced, changed = drop_telemetry_copies(conn, winners)
    _executemany(conn, _of(conn).upsert_response, [row[:width] for row in winners])
    changed.update(row.session_id for row in winners)
    changed.update(stored[row.key].session_id for row in winners if row.key in stored)
    return [row for row in winners if row.key not in stored and row.request_id not in replaced], changed


def _write_titles(conn: Connection, batch: Batch) -> set[str]:
    """Titles and summaries; returns the sessions whose title may have changed."""
    touched = {session for session, _ in batch.titles}
    _executemany(conn, _of(conn).upsert_title, [(s, src, t) for (s, src), t in batch.titles.items()])
    if batch.summaries:
        _executemany(conn, _of(conn).upsert_summary, list(batch.summaries.items()))
        # A summary names a line uuid, usually in ANOTHER file: find the sessions that hold those lines.
        leaves = list(batch.summaries)
        for start in range(0, len(leaves), _IN_CHUNK):
            part = leaves[start : start + _IN_CHUNK]
            sql = f'SELECT session_id FROM {schema.events.name} WHERE "key" IN ({_placeholders(conn, len(part))})'
            touched.update(conn.exec_driver_sql(sql, tuple(part)).scalars())
    return touched


def _write_sessions(conn: Connection, metas: dict[str, SessionMeta], usage_only: bool) -> None:
    """Upsert session metadata: first/last activity widen; the newest line's cwd, branch and state win."""
    _executemany(conn, _of(conn).upsert_session[usage_only], [
        (sid, m.config_dir, m.cwd, m.git_branch, m.version, m.entrypoint, m.first, m.last, m.last_kind, m.doing,
         None if usage_only else m.last)
        for sid, m in metas.items()
    ])  # fmt: skip
