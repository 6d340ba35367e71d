"""The statements of the ingest writes (`row_writes`), built once per dialect -- SQLite's or PostgreSQL's
INSERT ... ON CONFLICT, the same API -- and how a batch of rows runs through one of them.

Each statement comes with the column each position of its rows holds. Rows are tuples, not dicts: SQLAlchemy's
per-row parameter processing costs more than SQLite's insert itself on big batches. PostgreSQL takes a batch's rows
in the order of their keys, so two writers lock the same rows in the same order (no deadlock between two machines
scanning at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, case, func, literal_column, or_
from sqlalchemy.dialects import postgresql, sqlite

from ccdeck.store import schema
from ccdeck.store.rows import (
    AGENT_COLUMNS,
    EVENT_COLUMNS,
    HISTORY_COLUMNS,
    PROBLEM_COLUMNS,
    RESPONSE_COLUMNS,
    SNAPSHOT_COLUMNS,
    TOOL_COLUMNS,
)

_INSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _upsert_response(insert: Callable[[Table], Any]) -> Any:
    """INSERT that replaces the whole stored row: the caller has chosen the winning copy (`outranks`), and a scan in
    parts must store what one scan of the whole files stores -- that copy's row in full, not a mix of two copies.
    But its machine: the first to store the response keeps it."""
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
    # The machine of lines newer than any seen: the same lines read again on another machine (a config dir two
    # machines share) leave the session to the machine that stored them first, as its responses are.
    later = or_(table.c.last_activity.is_(None), new.last_activity > table.c.last_activity)
    return stmt.on_conflict_do_update(
        index_elements=["session_id"],
        set_={
            **widen,
            "source": literal_column("'transcript'"),  # a session telemetry told of first now has a transcript
            **{c: newest(c) for c in _NEWEST},
            "machine": case((later, new.machine), else_=table.c.machine),
        },
    )


_NEWEST = ("project_path", "git_branch", "version", "entrypoint", "last_kind", "doing")
_CURSOR_COLUMNS = ("machine", "path", "config_dir", "kind", "device", "inode", "size", "offset", "lines",
                   "session_hint", "cwd", "fingerprint", "mtime_ns", "scanned_at")  # fmt: skip
_SESSION_COLUMNS = ("session_id", "config_dir", "project_path", "git_branch", "version", "entrypoint",
                    "first_activity", "last_activity", "last_kind", "doing", "detail_activity", "machine")  # fmt: skip

_USAGE_CURSOR_COLUMNS = ("machine", "path", "config_dir", "device", "inode", "size", "offset", "lines", "fingerprint",
                         "mtime_ns")  # fmt: skip
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
        upsert_response=(_upsert_response(insert), (*RESPONSE_COLUMNS, "machine")),
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
        upsert_cursor=(_upsert(insert, schema.files, ["machine", "path"], _CURSOR_COLUMNS[2:]), _CURSOR_COLUMNS),
        upsert_usage_cursor=(
            _upsert(insert, schema.usage_cursors, ["machine", "path"], _USAGE_CURSOR_COLUMNS[2:]),
            _USAGE_CURSOR_COLUMNS,
        ),
    )


def statements_of(conn: Connection) -> Statements:
    """The statements of `conn`'s dialect."""
    return _statements(conn.dialect.name)


_compiled: dict[tuple[str, int], tuple[str, tuple[int, ...] | None]] = {}


def executemany(conn: Connection, statement: Statement, rows: Sequence[Sequence[Any]]) -> None:
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
