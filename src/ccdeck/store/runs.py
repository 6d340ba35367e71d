"""Writes of the launch tables (`runs`, `run_tasks`); their reads are `run_queries`.

Writes are plain functions of a connection, to be queued to `Store.write`; each starts with its own INSERT,
UPDATE or DELETE, so it takes SQLite's write lock at once and another process writing at the same moment
(a `ccdeck stop` while a supervisor records progress) waits for it instead of failing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, update

from ccdeck.store import run_records
from ccdeck.store.run_states import ACTIVE_STATES, FINAL_STATES, INTERRUPTED, QUEUED, RUN_FINAL_STATES, RUNNING
from ccdeck.store.schema import run_tasks, runs

__all__ = ["ACTIVE_STATES", "FINAL_STATES", "QUEUED", "RUNNING", "RUN_FINAL_STATES"]


def insert_run(conn: Connection, run: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> None:
    """The run's row and its tasks' rows (`run_records.run_inserts`, as the fast `run --detach` path writes them)."""
    now = time.time()
    for sql, rows in run_records.run_inserts(run, [{"updated_at": now, **task} for task in tasks]):
        # `?` is sqlite3's placeholder; psycopg's is `%s` (the statement holds no other `?` or `%`).
        conn.exec_driver_sql(sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s"), rows)


def update_run(conn: Connection, run_id: str, **values: Any) -> None:
    conn.execute(update(runs).where(runs.c.id == run_id).values(**values))


def update_task(conn: Connection, run_id: str, task_id: str, **values: Any) -> None:
    t = run_tasks.c
    conn.execute(
        update(run_tasks).where(t.run_id == run_id, t.task_id == task_id).values(updated_at=time.time(), **values)
    )


def update_tasks(conn: Connection, run_id: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """Several tasks' progress in one transaction (the supervisor flushes them together)."""
    for task_id, values in changes.items():
        update_task(conn, run_id, task_id, **values)


def request_stop(conn: Connection, run_id: str, task_ids: Iterable[str] | None, when: float) -> int:
    """Ask the run's supervisor to stop these tasks (all of them, and start no more, when `task_ids` is None).

    Returns how many unfinished tasks the request reached."""
    t = run_tasks.c
    query = update(run_tasks).where(t.run_id == run_id, t.status.in_(ACTIVE_STATES), t.stop_requested.is_(None))
    if task_ids is None:
        conn.execute(update(runs).where(runs.c.id == run_id).values(stop_requested=when))
    else:
        query = query.where(t.task_id.in_(list(task_ids)))
    return conn.execute(query.values(stop_requested=when, updated_at=when)).rowcount


def request_stops(conn: Connection, whole: Iterable[str], tasks: Mapping[str, Iterable[str]], when: float) -> None:
    """`request_stop` for each run in `whole` (all its tasks), then for the named tasks of every other run."""
    whole = set(whole)
    for run_id in sorted(whole):
        request_stop(conn, run_id, None, when)
    for run_id, task_ids in tasks.items():
        if run_id not in whole:
            request_stop(conn, run_id, task_ids, when)


def mark_stopped(conn: Connection, run_id: str, task_id: str, when: float, error: str) -> None:
    """A task stopped by a process other than its supervisor (gone): final, without a process."""
    update_task(conn, run_id, task_id, status="stopped", pid=None, finished_at=when, error=error)


def mark_interrupted(conn: Connection, run_id: str, failed: Iterable[str], when: float, error: str) -> None:
    """A run whose supervisor is gone: `interrupted`, and its tasks no process carries any more `failed`."""
    update_run(conn, run_id, status=INTERRUPTED, finished_at=when)
    for task_id in failed:
        update_task(conn, run_id, task_id, status="failed", finished_at=when, pid=None, error=error)


def delete_run(conn: Connection, run_id: str, task_ids: Iterable[str] | None = None) -> None:
    """Forget a run's tasks (these, or all of them with the run itself)."""
    query = delete(run_tasks).where(run_tasks.c.run_id == run_id)
    if task_ids is not None:
        conn.execute(query.where(run_tasks.c.task_id.in_(list(task_ids))))
        return
    conn.execute(query)
    conn.execute(delete(runs).where(runs.c.id == run_id))
