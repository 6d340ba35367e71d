"""Stopping tasks from any process. A stop is a request written into the store, which the run's supervisor
carries out within a fraction of a second; when the supervisor is gone (killed), the request is carried out here:
the task's process group is signalled after its leader's start time is checked, so a reused pid is never
signalled, and climbs the same ladder as the supervisor's (`ladder`)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import NamedTuple

import orjson

from ccdeck.orchestrator import ladder, procs, waits
from ccdeck.orchestrator.control_read import find_task
from ccdeck.orchestrator.interrupted import reconcile
from ccdeck.orchestrator.report import task_json
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.orchestrator.supervisor import STOPPED_ON_REQUEST
from ccdeck.pids import same_process
from ccdeck.shapes.common import RunTask
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.reader import as_mapping
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

STOP_MARGIN_SECONDS = 10.0  # beyond the stop ladder's waits, before `stop` stops waiting for the states
SETTLE_POLL_SECONDS = 0.1  # how often `stop` reads the tasks' states while it waits for them


class Targets(NamedTuple):
    """What a stop reaches: the runs stopped as a whole, and each run's unfinished tasks to stop."""

    whole: set[str]
    tasks: dict[str, list[str]]


class SeenTask(NamedTuple):
    """A target task's row as it is now, and its run's log folder (for its JSON)."""

    row: run_queries.TaskRow
    log_dir: str | None

    @property
    def final(self) -> bool:
        return self.row.status in q.FINAL_STATES

    def as_json(self) -> RunTask:
        return task_json(as_mapping(self.row), self.log_dir)


def stop(store: Store, refs: Sequence[str] | None, *, wait: bool = True) -> list[RunTask]:
    """Stop tasks (`refs`: TASK, RUN/TASK or a run id), or every unfinished task of every run (`refs` None).
    Returns the unfinished tasks the request reached, in their final states (as they are, with `wait` False)."""
    reconcile(store)
    targets = _targets(store, refs)
    if not targets.tasks:
        return []
    store.write(partial(q.request_stops, whole=targets.whole, tasks=targets.tasks, when=time.time()))
    _stop_orphans(store, targets.tasks)
    seen = _wait_settled(store, targets.tasks) if wait else _current(store, targets.tasks)
    return [task.as_json() for task in seen]


def grace_of(run: run_queries.RunRow) -> float:
    return float(orjson.loads(run.options).get("grace_s", RunOptions.grace_s))


def _targets(store: Store, refs: Sequence[str] | None) -> Targets:
    with store.read() as conn:
        reader = SqlaReader(conn)
        # Every run still going, and every interrupted one (its supervisor was killed) whose tasks may still run.
        runs = run_queries.list_runs(reader) if refs is None else []
        whole = {r.id for r in runs if r.status not in q.RUN_FINAL_STATES}
        interrupted = {r.id for r in runs if r.status == "interrupted"}
        named: list[tuple[str, str]] = []
        for ref in refs or ():
            if "/" not in ref and run_queries.get_run(reader, ref) is not None:
                whole.add(ref)
            else:
                _, found = find_task(store, ref)
                named.append((found.run_id, found.task_id))
        tasks: dict[str, list[str]] = {}
        for run_id in sorted(whole | interrupted):
            tasks[run_id] = [t.task_id for t in run_queries.tasks_of(reader, run_id) if t.status in q.ACTIVE_STATES]
        whole |= {run_id for run_id in interrupted if tasks[run_id]}
        for run_id, task_id in named:
            task = run_queries.get_task(reader, run_id, task_id)
            if task is not None and task.status in q.ACTIVE_STATES and task_id not in tasks.get(run_id, []):
                tasks.setdefault(run_id, []).append(task_id)
    return Targets(whole, {run_id: ids for run_id, ids in tasks.items() if ids})


def _stop_orphans(store: Store, targets: Mapping[str, list[str]]) -> None:
    """Carry out the requests no supervisor will: signal the groups ourselves and record the states."""
    with store.read() as conn:
        reader = SqlaReader(conn)
        work = [
            (run, task)
            for run_id, task_ids in targets.items()
            if (run := run_queries.get_run(reader, run_id)) is not None and run.status in q.RUN_FINAL_STATES
            for task in run_queries.tasks_of(reader, run_id)
            if task.status in q.ACTIVE_STATES and task.task_id in task_ids
        ]
    by_grace: dict[float, list[procs.TaskGroup]] = {}
    for run, task in work:
        if task.pid is not None and task.pid_started is not None:
            group = procs.TaskGroup(task.pid, task.pid_started, procs.task_marker(run.id, task.task_id))
            by_grace.setdefault(grace_of(run), []).append(group)
    for grace, groups in by_grace.items():
        procs.stop_tasks_blocking(groups, grace)
    for run, task in work:
        store.write(partial(q.mark_stopped, run_id=run.id, task_id=task.task_id, when=time.time(),
                            error=STOPPED_ON_REQUEST))  # fmt: skip


def _current(store: Store, targets: Mapping[str, list[str]]) -> list[SeenTask]:
    with store.read() as conn:
        reader = SqlaReader(conn)
        found = []
        for run_id, task_ids in targets.items():
            run = run_queries.get_run(reader, run_id)
            log_dir = run.log_dir if run is not None else None
            found += [
                SeenTask(task, log_dir) for task in run_queries.tasks_of(reader, run_id) if task.task_id in task_ids
            ]
        return found


def _wait_settled(store: Store, targets: Mapping[str, list[str]]) -> list[SeenTask]:
    """Wait until every target task is in a final state (the supervisor climbing the stop ladder); at most the
    ladder's length for the longest grace period, plus a margin. The long part, the tasks' processes going, is
    waited for on their pidfds (`waits`); the states are in another process's writes to the store, which has no
    way to wake us up, so they are read again every `SETTLE_POLL_SECONDS` after that (the supervisor records an
    outcome as soon as its process is gone, and a queued task within its next look at the store)."""
    with store.read() as conn:
        reader = SqlaReader(conn)
        graces = [grace_of(run) for run_id in targets if (run := run_queries.get_run(reader, run_id)) is not None]
    longest = ladder.ladder_seconds(max(graces, default=RunOptions.grace_s))
    deadline = time.monotonic() + longest + STOP_MARGIN_SECONDS
    found = _current(store, targets)
    running = [(t.row.pid, t.row.pid_started) for t in found if not t.final and t.row.pid is not None]
    waits.wait_gone(lambda: [pid for pid, started in running if same_process(pid, started)],
                    deadline - time.monotonic())  # fmt: skip
    while not all(task.final for task in found) and time.monotonic() < deadline:
        time.sleep(SETTLE_POLL_SECONDS)
        found = _current(store, targets)
    return found
