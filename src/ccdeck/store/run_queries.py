"""Named reads of the launch tables (`runs`, `run_tasks`), as portable SQL text run through a `Reader`.

`ccdeck status` and `ccdeck run --detach` answer through these on a `sqlite3` connection (`SqliteReader`) before
the command line's imports (SQLAlchemy alone is most of a second), so this module imports nothing but the standard
library and the store's light modules; the server and the full command line wrap their connection in `SqlaReader`.
Rows come as `records` (`run.log_dir`) or, where there may be 10,000 of them, as plain dicts (`task_dicts`).
Booleans stay 0 / 1.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from ccdeck.store.reader import Reader, in_list
from ccdeck.store.revision import HEAD_REVISION
from ccdeck.store.run_states import ACTIVE_STATES, RUN_FINAL_STATES

# A `runs` row and a `run_tasks` row as the reads below return them (columns by name: `run.log_dir`).
RunRow = Any
TaskRow = Any
RUNS_NEWEST_FIRST = "SELECT * FROM runs {} ORDER BY created_at DESC, id DESC"
TASKS_IN_ORDER = "SELECT {} FROM run_tasks WHERE run_id = :run_id ORDER BY position"


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


def unfinished_supervisors(reader: Reader) -> list[SupervisorRecord]:
    """The supervisor of every run not in a final state."""
    clause, params = in_list("status", "final", sorted(RUN_FINAL_STATES))
    sql = f"SELECT supervisor_pid, supervisor_started, created_at FROM runs WHERE NOT ({clause})"
    return [SupervisorRecord(*row) for row in reader.rows(sql, params)]


def supervisor_pid(reader: Reader, run_id: str) -> int | None:
    """The pid the run's supervisor recorded, None until it has (or when there is no such run)."""
    found = reader.rows("SELECT supervisor_pid FROM runs WHERE id = :id", {"id": run_id})
    return found[0][0] if found else None


def run_dicts(reader: Reader, run_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """One run's row (`run_id`; none when it is not there), or the runs newest first (at most `limit`)."""
    if run_id is not None:
        return list(reader.dicts("SELECT * FROM runs WHERE id = :id", {"id": run_id}))
    if limit:
        return list(reader.dicts(RUNS_NEWEST_FIRST.format("") + " LIMIT :limit", {"limit": limit}))
    return list(reader.dicts(RUNS_NEWEST_FIRST.format("")))


def task_dicts(reader: Reader, run_id: str, columns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The run's tasks in order, as plain dicts (`columns`, or all of them): a 10,000-task run reads in
    milliseconds, where building rows through SQLAlchemy's result machinery takes a good part of a second."""
    return list(iter_task_dicts(reader, run_id, columns))


def iter_task_dicts(reader: Reader, run_id: str, columns: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
    """`task_dicts`, one row at a time (for output written as it is read)."""
    return reader.dicts(TASKS_IN_ORDER.format(", ".join(columns) if columns else "*"), {"run_id": run_id})


def get_run(reader: Reader, run_id: str) -> RunRow | None:
    found = reader.records("SELECT * FROM runs WHERE id = :id", {"id": run_id})
    return found[0] if found else None


def list_runs(reader: Reader, *, active_only: bool = False, limit: int | None = None) -> list[RunRow]:
    """Runs, newest first."""
    clause, params = in_list("status", "final", sorted(RUN_FINAL_STATES))
    sql = RUNS_NEWEST_FIRST.format(f"WHERE NOT ({clause})" if active_only else "")
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return list(reader.records(sql, params if active_only or limit is not None else None))


def tasks_of(reader: Reader, run_id: str) -> list[TaskRow]:
    return list(reader.records(TASKS_IN_ORDER.format("*"), {"run_id": run_id}))


def active_tasks(reader: Reader, run_id: str) -> list[TaskRow]:
    """The run's unfinished tasks, with only what a liveness check needs."""
    clause, params = in_list("status", "state", sorted(ACTIVE_STATES))
    sql = f"""SELECT task_id, status, pid, pid_started FROM run_tasks WHERE run_id = :run_id AND {clause}
              ORDER BY position"""
    return list(reader.records(sql, {"run_id": run_id, **params}))


def get_task(reader: Reader, run_id: str, task_id: str) -> TaskRow | None:
    sql = "SELECT * FROM run_tasks WHERE run_id = :run_id AND task_id = :task_id"
    found = reader.records(sql, {"run_id": run_id, "task_id": task_id})
    return found[0] if found else None


def tasks_named(reader: Reader, task_id: str) -> list[TaskRow]:
    """Every run's task of this id (or session id), newest run first."""
    sql = """SELECT t.* FROM run_tasks t JOIN runs r ON r.id = t.run_id
             WHERE t.task_id = :task_id OR t.session_id = :task_id ORDER BY r.created_at DESC"""
    return list(reader.records(sql, {"task_id": task_id}))


def stop_requests(reader: Reader, run_id: str) -> tuple[float | None, dict[str, float]]:
    """What a supervisor polls: the run's stop request and the tasks asked to stop."""
    found = reader.rows("SELECT stop_requested FROM runs WHERE id = :id", {"id": run_id})
    sql = "SELECT task_id, stop_requested FROM run_tasks WHERE run_id = :id AND stop_requested IS NOT NULL"
    tasks = {task_id: float(when) for task_id, when in reader.rows(sql, {"id": run_id})}
    return (found[0][0] if found else None), tasks


def runs_changed_since(reader: Reader, since: float) -> list[str]:
    """Runs created, started, finished or with a task updated after `since` (for pushing changes to clients)."""
    sql = """SELECT run_id FROM run_tasks WHERE updated_at > :since
             UNION SELECT id FROM runs WHERE created_at > :since OR started_at > :since OR finished_at > :since"""
    return sorted({row[0] for row in reader.rows(sql, {"since": since})})
