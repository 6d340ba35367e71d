"""The orchestrator's API, for the CLI and a web layer alike: plan a run, start it in the foreground or in a
background supervisor, and stop, list, clean it up from any process.

Runs and tasks live in the store, so every function here works from any terminal at any time. A stop is a
request written into the store, which the run's supervisor carries out within a fraction of a second; when the
supervisor is gone (killed), the request is carried out here: the task's process group is signalled after its
leader's start time is checked, so a reused pid is never signalled.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Row

from ccdeck.errors import UsageError
from ccdeck.orchestrator import procs, worktree
from ccdeck.orchestrator.binary import find_claude
from ccdeck.orchestrator.plan import (
    SUPERVISOR_LOG,
    SUPERVISOR_START_SECONDS,
    RunPlan,
    defaults_from,
    hand_over,
    hooks_need_token,
    new_run_id,
    plan_run,
    run_rows,
    runs_dir,
    worktrees_dir,
)
from ccdeck.orchestrator.report import run_json, task_json
from ccdeck.orchestrator.spec import (
    LOCAL,
    RunOptions,
    TaskSpec,
    Trust,
    options_from_request,
    resolve_tasks,
    task_tables,
)
from ccdeck.orchestrator.supervisor import Supervisor
from ccdeck.pids import same_process
from ccdeck.shapes.cli import CleanReport, RemovedWorktree
from ccdeck.shapes.common import Run, RunTask
from ccdeck.store import runs as q
from ccdeck.store.store import Store

__all__ = [  # what moved to `plan`, still reached from here
    "SUPERVISOR_LOG", "SUPERVISOR_START_SECONDS", "RunPlan", "defaults_from", "hooks_need_token", "new_run_id",
    "plan_run", "runs_dir", "worktrees_dir",
]  # fmt: skip

log = logging.getLogger(__name__)

STOP_MARGIN_SECONDS = 10.0  # beyond grace + SIGTERM + SIGKILL waits, before `stop` stops waiting for the states


def submit(
    store: Store,
    tasks: object,
    options: object = None,
    *,
    defaults: RunOptions | None = None,
    claude_bin: str | None = None,
    base_cwd: Path | None = None,
    trust: Trust = LOCAL,
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Start a run from a request's `tasks` (a list of task tables) and `options` (`spec.PUBLIC_OPTIONS` keys) in
    a background supervisor; returns its id once the supervisor has taken it (about a second: call it from a
    thread). Bad tasks or options raise `UsageError`, an unusable `claude` `LaunchError`, each one line. `trust`
    says what the tasks' author may ask for (`Trust.remote` over HTTP); `extra_env` is added to the supervisor's
    environment, which its tasks inherit (the server's token, for the hooks)."""
    chosen = options_from_request(options, defaults or RunOptions(), trust)
    specs = resolve_tasks(task_tables(tasks, "tasks"), chosen, base_cwd or Path.cwd(), "tasks", trust)
    plan = plan_run(specs, chosen, find_claude(claude_bin), store.path)
    return start_detached(store, plan, extra_env)


def create_run(store: Store, plan: RunPlan, *, detached: bool, environ: Mapping[str, str] | None = None) -> None:
    """Record the run and its queued tasks (`plan.run_rows`)."""
    run, tasks = run_rows(plan, detached=detached, environ=environ)
    store.write(lambda conn: q.insert_run(conn, run, tasks))


def supervisor_for(store: Store, plan: RunPlan, environ: Mapping[str, str] | None = None) -> Supervisor:
    """An in-process supervisor of a recorded run (the foreground `run`, or a web layer's own)."""
    return Supervisor(store, plan.run_id, plan.specs, plan.options, plan.claude.path, plan.log_dir,
                      plan.worktree_dir, environ)  # fmt: skip


def load_supervisor(store: Store, run_id: str) -> Supervisor:
    """The supervisor of a run recorded by another process (the detached case)."""
    with store.read() as conn:
        run = q.get_run(conn, run_id)
        tasks = q.tasks_of(conn, run_id)
    if run is None:
        raise UsageError(f"no run {run_id}")
    specs = [TaskSpec.from_json(orjson.loads(t.spec)) for t in tasks]
    options = RunOptions.from_json(orjson.loads(run.options))
    return Supervisor(store, run_id, specs, options, run.claude_bin, Path(run.log_dir),
                      worktrees_dir(store.path.resolve()) / run_id)  # fmt: skip


def _grace(run: Row[Any]) -> float:
    return float(orjson.loads(run.options).get("grace_s", RunOptions.grace_s))


def start_detached(store: Store, plan: RunPlan, extra_env: Mapping[str, str] | None = None) -> str:
    """Record the run and hand it to a background supervisor (our environment plus `extra_env`); returns once the
    supervisor has taken it."""
    create_run(store, plan, detached=True)
    return hand_over(plan, extra_env)


# Reading ----------------------------------------------------------------------------------------------------------


def reconcile(store: Store) -> None:
    """Runs whose supervisor is gone (killed, machine restarted) end `interrupted`; their tasks that no
    process carries any more end `failed`. A task whose process still runs stays `running`: `stop` ends it."""
    with store.read() as conn:
        active = q.list_runs(conn, active_only=True)
        orphans = [(run, q.active_tasks(conn, run.id)) for run in active if _supervisor_gone(run)]
    if not orphans:
        return  # the usual case: a pid check per unfinished run, and nothing written
    for run, tasks in orphans:
        now = time.time()
        log.warning("run %s: its supervisor (pid %s) is gone", run.id, run.supervisor_pid)

        def mark(conn: Connection, run: Row[Any] = run, tasks: list[Row[Any]] = tasks, now: float = now) -> None:
            q.update_run(conn, run.id, status="interrupted", finished_at=now)
            for task in tasks:
                if not _process_alive(task):
                    q.update_task(conn, run.id, task.task_id, status="failed", finished_at=now, pid=None,
                                  error="the supervisor ended before this task did")  # fmt: skip

        store.write(mark)


def _supervisor_gone(run: Row[Any]) -> bool:
    if run.supervisor_pid is None:  # still starting, unless it has been too long
        return bool(time.time() - run.created_at > SUPERVISOR_START_SECONDS * 2)
    return not same_process(run.supervisor_pid, run.supervisor_started)


def _process_alive(task: Row[Any]) -> bool:
    return task.pid is not None and task.pid_started is not None and procs.group_of_ours(task.pid, task.pid_started)


def status(
    store: Store, run_id: str | None = None, *, limit: int | None = None, active_only: bool = False
) -> list[Run]:
    """Runs as JSON, newest first (one run when `run_id` is given; a `UsageError` when there is none)."""
    reconcile(store)
    now = time.time()
    with store.read() as conn:
        if run_id is not None:
            run = _run_or_fail(conn, run_id)
            runs = [run]
        else:
            runs = q.list_runs(conn, limit=limit, active_only=active_only)
        return [run_json(r._mapping, q.task_dicts(conn, r.id), now) for r in runs]


def _run_or_fail(conn: Connection, run_id: str) -> Row[Any]:
    run = q.get_run(conn, run_id)
    if run is None:
        raise UsageError(f"no run {run_id} (see `ccdeck status`)")
    return run


def find_task(store: Store, ref: str) -> tuple[Row[Any], Row[Any]]:
    """A task by `RUN/TASK`, or by task id (or session id) in the newest run that has it: (run, task)."""
    with store.read() as conn:
        if "/" in ref:
            run_id, _, task_id = ref.partition("/")
            task = q.get_task(conn, run_id, task_id)
        else:
            found = q.tasks_named(conn, ref)
            task = found[0] if found else None
        run = q.get_run(conn, task.run_id) if task is not None else None
    if task is None or run is None:
        raise UsageError(f"no task {ref} (give TASK, RUN/TASK or a session id; see `ccdeck status`)")
    return run, task


def task_status(store: Store, ref: str) -> RunTask:
    reconcile(store)
    run, task = find_task(store, ref)
    return task_json(task._mapping, run.log_dir)


LOG_TAIL_BYTES = 4 << 20  # at most this much of a log's end is read for `task_log`


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


# Stopping ---------------------------------------------------------------------------------------------------------


def stop(store: Store, refs: Sequence[str] | None, *, wait: bool = True) -> list[RunTask]:
    """Stop tasks (`refs`: TASK, RUN/TASK or a run id), or every unfinished task of every run (`refs` None).
    Returns the unfinished tasks the request reached, in their final states (as they are, with `wait` False)."""
    reconcile(store)
    whole, tasks = _targets(store, refs)
    if not tasks:
        return []
    when = time.time()

    def request(conn: Connection) -> None:
        for run_id in whole:
            q.request_stop(conn, run_id, None, when)
        for run_id, task_ids in tasks.items():
            if run_id not in whole:
                q.request_stop(conn, run_id, task_ids, when)

    store.write(request)
    _stop_orphans(store, tasks)
    return _wait_settled(store, tasks) if wait else _current(store, tasks)


def _targets(store: Store, refs: Sequence[str] | None) -> tuple[set[str], dict[str, list[str]]]:
    """(runs to stop as a whole, run id -> its unfinished tasks to stop)."""
    with store.read() as conn:
        # Every run still going, and every interrupted one (its supervisor was killed) whose tasks may still run.
        runs = q.list_runs(conn) if refs is None else []
        whole = {r.id for r in runs if r.status not in q.RUN_FINAL_STATES}
        interrupted = {r.id for r in runs if r.status == "interrupted"}
        named: list[tuple[str, str]] = []
        for ref in refs or ():
            if "/" not in ref and q.get_run(conn, ref) is not None:
                whole.add(ref)
            else:
                _, found = find_task(store, ref)
                named.append((found.run_id, found.task_id))
        tasks: dict[str, list[str]] = {}
        for run_id in sorted(whole | interrupted):
            tasks[run_id] = [t.task_id for t in q.tasks_of(conn, run_id) if t.status in q.ACTIVE_STATES]
        whole |= {run_id for run_id in interrupted if tasks[run_id]}
        for run_id, task_id in named:
            task = q.get_task(conn, run_id, task_id)
            if task is not None and task.status in q.ACTIVE_STATES and task_id not in tasks.get(run_id, []):
                tasks.setdefault(run_id, []).append(task_id)
    return whole, {run_id: ids for run_id, ids in tasks.items() if ids}


def _stop_orphans(store: Store, targets: Mapping[str, list[str]]) -> None:
    """Carry out the requests no supervisor will: signal the groups ourselves and record the states."""
    with store.read() as conn:
        work = [
            (run, task)
            for run_id, task_ids in targets.items()
            if (run := q.get_run(conn, run_id)) is not None and run.status in q.RUN_FINAL_STATES
            for task in q.tasks_of(conn, run_id)
            if task.status in q.ACTIVE_STATES and task.task_id in task_ids
        ]
    by_grace: dict[float, list[tuple[int, float, str | None]]] = {}
    for run, task in work:
        if task.pid is not None and task.pid_started is not None:
            marker = procs.task_marker(run.id, task.task_id)
            by_grace.setdefault(_grace(run), []).append((task.pid, task.pid_started, marker))
    for grace, groups in by_grace.items():
        procs.stop_tasks_blocking(groups, grace)
    for run, task in work:
        store.write(partial(_mark_stopped, run_id=run.id, task_id=task.task_id))


def _mark_stopped(conn: Connection, run_id: str, task_id: str) -> None:
    q.update_task(
        conn, run_id, task_id, status="stopped", pid=None, finished_at=time.time(), error="stopped on request"
    )


def _current(store: Store, targets: Mapping[str, list[str]]) -> list[RunTask]:
    with store.read() as conn:
        found = []
        for run_id, task_ids in targets.items():
            run = q.get_run(conn, run_id)
            for task in q.tasks_of(conn, run_id):
                if task.task_id in task_ids:
                    found.append(task_json(task._mapping, run.log_dir if run is not None else None))
        return found


def _wait_settled(store: Store, targets: Mapping[str, list[str]]) -> list[RunTask]:
    """Wait until every target task is in a final state (the supervisor's grace period and escalation)."""
    with store.read() as conn:
        graces = [_grace(run) for run_id in targets if (run := q.get_run(conn, run_id)) is not None]
    deadline = time.monotonic() + max(graces, default=RunOptions.grace_s) + 8.0 + STOP_MARGIN_SECONDS
    while True:
        found = _current(store, targets)
        if all(t["status"] in q.FINAL_STATES for t in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


# Cleaning ---------------------------------------------------------------------------------------------------------


def _finished_runs(conn: Connection, older_than: float | None, now: float) -> list[Row[Any]]:
    """Runs in a final state that ended (or, never started, were created) at least `older_than` seconds ago."""
    return [run for run in q.list_runs(conn) if run.status in q.RUN_FINAL_STATES
            and (older_than is None or now - (run.finished_at or run.created_at) >= older_than)]  # fmt: skip


def cleanable(store: Store, *, older_than: float | None = None) -> list[str]:
    """The ids of the runs `clean` would forget (a confirmation prompt names how many)."""
    reconcile(store)
    with store.read() as conn:
        return [run.id for run in _finished_runs(conn, older_than, time.time())]


def clean(store: Store, *, force: bool = False, older_than: float | None = None) -> CleanReport:
    """Forget finished runs (those that ended at least `older_than` seconds ago): their rows, logs and worktrees.
    A worktree holding commits or changes is kept, with its task's row, unless `force`."""
    reconcile(store)
    with store.read() as conn:
        done = [(run, q.tasks_of(conn, run.id)) for run in _finished_runs(conn, older_than, time.time())]
    report = CleanReport(removedRuns=[], removedWorktrees=[], keptWorktrees=[])
    for run, tasks in done:
        kept = {t.task_id for t in tasks if t.worktree and not _drop_worktree(run, t, force, report)}
        if kept:  # the run stays, with the tasks whose worktree holds work, and its logs
            store.write(
                partial(q.delete_run, run_id=run.id, task_ids=[t.task_id for t in tasks if t.task_id not in kept])
            )
            continue
        store.write(partial(q.delete_run, run_id=run.id))
        shutil.rmtree(run.log_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            (worktrees_dir(store.path.resolve()) / run.id).rmdir()
        report["removedRuns"].append(run.id)
    return report


def _drop_worktree(run: Row[Any], task: Row[Any], force: bool, report: CleanReport) -> bool:
    path = Path(task.worktree)
    entry = RemovedWorktree(run=run.id, task=task.task_id, path=task.worktree, branch=task.branch)
    try:
        if not force and task.base_commit and worktree.holds_work(path, task.base_commit):
            report["keptWorktrees"].append({**entry, "reason": "holds commits or changes (use --force)"})
            return False
        worktree.remove(Path(orjson.loads(task.spec)["cwd"]), path, task.branch, force=force)
    except worktree.GitError as exc:
        report["keptWorktrees"].append({**entry, "reason": str(exc)})
        return False
    report["removedWorktrees"].append(entry)
    return True
