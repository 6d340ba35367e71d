"""Reading runs and tasks, from any process: their JSON, a task found by reference, a task's log. Nothing here
writes: a run whose supervisor is gone is shown `interrupted` (`interrupted.as_seen`) and recorded so by the
next command that acts on runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

from ccdeck.errors import UsageError
from ccdeck.orchestrator.interrupted import as_seen
from ccdeck.orchestrator.report import run_json, task_json
from ccdeck.shapes.common import Run, RunTask
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.reader import as_mapping
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

LOG_TAIL_BYTES = 4 << 20  # at most this much of a log's end is read for `task_log`


class FoundTask(NamedTuple):
    """A task found by reference, and its run."""

    run: run_queries.RunRow
    task: run_queries.TaskRow


def status(
    store: Store, run_id: str | None = None, *, limit: int | None = None, active_only: bool = False
) -> list[Run]:
    """Runs as JSON, newest first (one run when `run_id` is given; a `UsageError` when there is none)."""
    now = time.time()
    with store.read() as conn:
        reader = SqlaReader(conn)
        one = run_queries.get_run(reader, run_id) if run_id is not None else None
        if run_id is not None and one is None:
            raise UsageError(f"no run {run_id} (see `ccdeck status`)")
        runs = [one] if one is not None else run_queries.list_runs(reader, limit=limit, active_only=active_only)
        found = []
        for row in runs:
            run, tasks = as_seen(as_mapping(row), run_queries.task_dicts(reader, row.id), now)
            if active_only and run["status"] in q.RUN_FINAL_STATES:
                continue  # interrupted, though not recorded so yet
            found.append(run_json(run, tasks, now))
        return found


def find_task(store: Store, ref: str) -> FoundTask:
    """A task by `RUN/TASK`, or by task id (or session id) in the newest run that has it: (run, task)."""
    with store.read() as conn:
        reader = SqlaReader(conn)
        if "/" in ref:
            run_id, _, task_id = ref.partition("/")
            task = run_queries.get_task(reader, run_id, task_id)
        else:
            found = run_queries.tasks_named(reader, ref)
            task = found[0] if found else None
        run = run_queries.get_run(reader, task.run_id) if task is not None else None
    if task is None or run is None:
        raise UsageError(f"no task {ref} (give TASK, RUN/TASK or a session id; see `ccdeck status`)")
    return FoundTask(run, task)


def task_status(store: Store, ref: str) -> RunTask:
    run, task = find_task(store, ref)
    _, (seen,) = as_seen(as_mapping(run), [dict(as_mapping(task))], time.time())
    return task_json(seen, run.log_dir)


def task_log(store: Store, run_id: str, task_id: str, stream: str = "events", tail: int = 200) -> list[str]:
    """The last `tail` lines of a task's stream-json events (`events`, as the CLI wrote them) or its `stderr`."""
    if stream not in ("events", "stderr"):
        raise UsageError(f"stream must be events or stderr, not {stream!r}")
    run, task = find_task(store, f"{run_id}/{task_id}")
    path = Path(run.log_dir) / f"{task.task_id}.{'jsonl' if stream == 'events' else 'stderr'}"
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - LOG_TAIL_BYTES))
            data = fh.read()
    except FileNotFoundError:
        return []
    lines = data.decode(errors="replace").splitlines()
    if size > LOG_TAIL_BYTES:
        lines = lines[1:]  # the first one is cut
    return lines[-tail:] if tail > 0 else []
