"""Runs whose supervisor is gone (killed, machine restarted): they are `interrupted`, and their tasks that no
process carries any more `failed`. A task whose process still runs stays `running`: `stop` ends it.

Reads never write: `as_seen` shows such a run as interrupted at read time (`status`, the dashboard), and
`reconcile` records it, called by the commands that act on runs (stop, clean, a new run)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from functools import partial
from typing import Any

from ccdeck.orchestrator import liveness, procs
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.reader import as_mapping
from ccdeck.store.run_queries import SupervisorRecord
from ccdeck.store.run_states import INTERRUPTED
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

log = logging.getLogger(__name__)

ORPHAN_ERROR = "the supervisor ended before this task did"


def supervisor_gone(run: Mapping[Any, Any], now: float) -> bool:
    """Whether an unfinished run's supervisor is gone (or never came: too long since the run was created)."""
    if run["status"] in q.RUN_FINAL_STATES:
        return False
    return liveness.supervisor_gone(
        SupervisorRecord(run["supervisor_pid"], run["supervisor_started"], run["created_at"]), now
    )


def task_alive(task: Mapping[Any, Any]) -> bool:
    """Whether the task's process group still holds the process it recorded."""
    pid, started = task["pid"], task["pid_started"]
    return pid is not None and started is not None and procs.group_of_ours(pid, started)


def orphaned_task(task: Mapping[Any, Any]) -> bool:
    return task["status"] in q.ACTIVE_STATES and not task_alive(task)


def as_seen(
    run: Mapping[Any, Any], tasks: list[dict[str, Any]], now: float
) -> tuple[Mapping[Any, Any], list[dict[str, Any]]]:
    """The run's row and its tasks' rows as `reconcile` would record them, at `now`; unchanged (the same objects)
    when the run is final or its supervisor is alive."""
    if not supervisor_gone(run, now):
        return run, tasks
    seen_tasks = [
        {**task, "status": "failed", "finished_at": now, "pid": None, "error": ORPHAN_ERROR}
        if orphaned_task(task)
        else task
        for task in tasks
    ]
    return {**run, "status": INTERRUPTED, "finished_at": now}, seen_tasks


def reconcile(store: Store) -> None:
    """Record every run whose supervisor is gone as `as_seen` shows it. A command that acts on runs calls this
    first; reading never does."""
    now = time.time()
    with store.read() as conn:
        reader = SqlaReader(conn)
        active = run_queries.list_runs(reader, active_only=True)
        orphans = [
            (run, run_queries.active_tasks(reader, run.id)) for run in active if supervisor_gone(as_mapping(run), now)
        ]
    if not orphans:
        return  # the usual case: a pid check per unfinished run, and nothing written
    for run, tasks in orphans:
        log.warning("run %s: its supervisor (pid %s) is gone", run.id, run.supervisor_pid)
        failed = [task.task_id for task in tasks if orphaned_task(as_mapping(task))]
        store.write(partial(q.mark_interrupted, run_id=run.id, failed=failed, when=time.time(), error=ORPHAN_ERROR))
