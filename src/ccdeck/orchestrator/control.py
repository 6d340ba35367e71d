"""The orchestrator's API, for the CLI and a web layer alike: plan a run and start it in the foreground or in a
background supervisor (here); read runs (`control_read`), stop them (`control_stop`) and clean them up
(`control_clean`) from any process, all reached from here too.

Runs and tasks live in the store, so every function works from any terminal at any time. Reads never write; the
commands that act (a new run, stop, clean) first record the runs whose supervisor is gone (`interrupted`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import orjson

from ccdeck.errors import UsageError
from ccdeck.orchestrator.binary import find_claude
from ccdeck.orchestrator.control_clean import clean, cleanable
from ccdeck.orchestrator.control_read import LOG_TAIL_BYTES, find_task, status, task_log, task_status
from ccdeck.orchestrator.control_stop import STOP_MARGIN_SECONDS, stop
from ccdeck.orchestrator.interrupted import reconcile
from ccdeck.orchestrator.launch import hand_over
from ccdeck.orchestrator.plan import (
    SUPERVISOR_LOG,
    SUPERVISOR_START_SECONDS,
    RunPlan,
    defaults_from,
    hooks_need_token,
    new_run_id,
    plan_run,
    run_rows,
    runs_dir,
    worktrees_dir,
)
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
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

__all__ = [  # what lives in `plan`, `control_read`, `control_stop`, `control_clean`, still reached from here
    "LOG_TAIL_BYTES", "STOP_MARGIN_SECONDS", "SUPERVISOR_LOG", "SUPERVISOR_START_SECONDS", "RunPlan", "clean",
    "cleanable", "defaults_from", "find_task", "hooks_need_token", "new_run_id", "plan_run", "reconcile", "runs_dir",
    "status", "stop", "task_log", "task_status", "worktrees_dir",
]  # fmt: skip

log = logging.getLogger(__name__)


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
    plan = plan_run(specs, chosen, find_claude(claude_bin), store.target)
    return start_detached(store, plan, extra_env)


def create_run(store: Store, plan: RunPlan, *, detached: bool, environ: Mapping[str, str] | None = None) -> None:
    """Record the run and its queued tasks (`plan.run_rows`); runs whose supervisor is gone are recorded
    `interrupted` first."""
    reconcile(store)
    run, tasks = run_rows(plan, detached=detached, environ=environ)
    store.write(lambda conn: q.insert_run(conn, run, tasks))


def supervisor_for(store: Store, plan: RunPlan, environ: Mapping[str, str] | None = None) -> Supervisor:
    """An in-process supervisor of a recorded run (the foreground `run`, or a web layer's own)."""
    return Supervisor(store, plan.run_id, plan.specs, plan.options, plan.claude.path, plan.log_dir,
                      plan.worktree_dir, environ)  # fmt: skip


def load_supervisor(store: Store, run_id: str) -> Supervisor:
    """The supervisor of a run recorded by another process (the detached case)."""
    with store.read() as conn:
        reader = SqlaReader(conn)
        run = run_queries.get_run(reader, run_id)
        tasks = run_queries.tasks_of(reader, run_id)
    if run is None:
        raise UsageError(f"no run {run_id}")
    specs = [TaskSpec.from_json(orjson.loads(t.spec)) for t in tasks]
    options = RunOptions.from_json(orjson.loads(run.options))
    return Supervisor(store, run_id, specs, options, run.claude_bin, Path(run.log_dir),
                      worktrees_dir(store.target.resolved()) / run_id)  # fmt: skip


def start_detached(store: Store, plan: RunPlan, extra_env: Mapping[str, str] | None = None) -> str:
    """Record the run and hand it to a background supervisor (our environment plus `extra_env`); returns once the
    supervisor has taken it."""
    create_run(store, plan, detached=True)
    return hand_over(plan, extra_env)
