"""Named reads of the launch tables (`runs`, `run_tasks`) on a standard library `sqlite3` connection, as portable
SQL text. `ccdeck status` and `ccdeck run --detach` answer through these before the command line's imports
(SQLAlchemy alone is most of a second), so this module imports nothing but the standard library and the store's
light constants; the full store reaches the same SQL through its driver connection (`store.runs.task_dicts`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from ccdeck.store.revision import HEAD_REVISION
from ccdeck.store.run_states import RUN_FINAL_STATES

RUNS_NEWEST_FIRST = "SELECT * FROM runs ORDER BY created_at DESC, id DESC"
TASKS_IN_ORDER = "SELECT {} FROM run_tasks WHERE run_id = ? ORDER BY position"


class SupervisorRecord(NamedTuple):
    """What an unfinished run records of its supervisor: enough to tell whether it is still there."""

    pid: int | None
    started: float | None
    created_at: float


def begin_snapshot(conn: sqlite3.Connection) -> None:
    """Make the connection read-only and open one read transaction: every read after this sees one snapshot."""
    conn.execute("PRAGMA query_only=1")
    conn.execute("BEGIN")


def at_head(conn: sqlite3.Connection) -> bool:
    """Whether the database's schema is this version's (so plain SQL on its tables fits it)."""
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return found is not None and found[0] == HEAD_REVISION


def unfinished_supervisors(conn: sqlite3.Connection) -> list[SupervisorRecord]:
    """The supervisor of every run not in a final state."""
    marks = ", ".join("?" * len(RUN_FINAL_STATES))
    sql = f"SELECT supervisor_pid, supervisor_started, created_at FROM runs WHERE status NOT IN ({marks})"
    return [SupervisorRecord(*row) for row in conn.execute(sql, sorted(RUN_FINAL_STATES))]


def supervisor_pid(conn: sqlite3.Connection, run_id: str) -> int | None:
    """The pid the run's supervisor recorded, None until it has (or when there is no such run)."""
    found = conn.execute("SELECT supervisor_pid FROM runs WHERE id = ?", (run_id,)).fetchone()
    return None if found is None else found[0]


def run_dicts(conn: sqlite3.Connection, run_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """One run's row (`run_id`; none when it is not there), or the runs newest first (at most `limit`)."""
    if run_id is not None:
        return _dicts(conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)))
    if limit:
        return _dicts(conn.execute(RUNS_NEWEST_FIRST + " LIMIT ?", (limit,)))
    return _dicts(conn.execute(RUNS_NEWEST_FIRST))


def task_dicts(conn: sqlite3.Connection, run_id: str, columns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The run's tasks in order, as plain dicts straight from the cursor (`columns`, or all of them): a 10,000-task
    run reads in milliseconds. Booleans stay 0 / 1."""
    return _dicts(_tasks(conn, run_id, columns))


def iter_task_dicts(conn: sqlite3.Connection, run_id: str) -> Iterator[dict[str, Any]]:
    """`task_dicts`, every column, one row at a time (for output written as it is read)."""
    cursor = _tasks(conn, run_id, ())
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))  # noqa: B905 (the cursor's own names: same length)


def _tasks(conn: sqlite3.Connection, run_id: str, columns: Sequence[str]) -> sqlite3.Cursor:
    return conn.execute(TASKS_IN_ORDER.format(", ".join(columns) if columns else "*"), (run_id,))


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]  # noqa: B905 (the cursor's own names: same length)
