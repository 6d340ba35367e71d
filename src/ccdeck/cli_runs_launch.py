"""The commands that start runs: `run`, the seed-compatible `run-multi` and `start`, and the hidden `_supervise` a
detached run re-executes itself as; a foreground run's live view. Registered by `cli_runs.register`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ccdeck import config
from ccdeck.cli_runs import (
    REDRAW_SECONDS,
    Budget,
    ClaudeBin,
    HooksUrl,
    MaxTurns,
    Model,
    PermissionMode,
    Timeout,
    Worktree,
    _option,
    _options,
)
from ccdeck.cli_shared import Db, Json, emit_json, err, out
from ccdeck.config import Config
from ccdeck.errors import UsageError
from ccdeck.shapes.cli import RunReport

if TYPE_CHECKING:
    import asyncio

    from rich.console import Console

    from ccdeck.orchestrator import control
    from ccdeck.orchestrator.spec import RunOptions, TaskSpec
    from ccdeck.orchestrator.supervisor import Supervisor
    from ccdeck.shapes.common import RunTask
    from ccdeck.store.store import Store


def launch(specs: list[TaskSpec], options: RunOptions, cfg: Config, *, detach: bool, json: bool) -> int:
    """Check the CLI, record the run, and run it here or hand it to a background supervisor."""
    from ccdeck.orchestrator import control
    from ccdeck.orchestrator.binary import find_claude
    from ccdeck.store.store import Store

    claude = find_claude(cfg.get(config.CLAUDE_BIN))
    with Store.open(cfg.db) as store:
        plan = control.plan_run(specs, options, claude, cfg.db)
        if detach:
            control.start_detached(store, plan)
            if json:
                emit_json(RunReport(run=control.status(store, plan.run_id)[0]))
            else:
                out().print(plan.run_id, markup=False, highlight=False)
            return 0
        return _foreground(store, plan, json)


def _foreground(store: Store, plan: control.RunPlan, json: bool) -> int:
    import asyncio

    from ccdeck.orchestrator import control
    from ccdeck.render.run_tables import summary

    control.create_run(store, plan, detached=False)
    supervisor = control.supervisor_for(store, plan)
    live_console = err() if json else out()
    asyncio.run(_supervise_with_view(supervisor, live_console if live_console.is_terminal else None))
    run = control.status(store, plan.run_id)[0]
    if json:
        emit_json(RunReport(run=run))
    else:
        out().print(summary(run))
    if supervisor.signal_received is not None:
        return 128 + supervisor.signal_received.value
    return 0 if all(t["status"] == "succeeded" for t in run["tasks"]) else 1


async def _supervise_with_view(supervisor: Supervisor, console: Console | None) -> None:
    import asyncio

    from rich.live import Live

    from ccdeck.render.run_tables import live_table

    supervisor.install_signal_handlers()
    running = asyncio.create_task(supervisor.run())
    if console is None:
        await _report_changes(supervisor, running)
        return
    with Live(console=console, auto_refresh=False, transient=True) as live:
        while not running.done():
            live.update(live_table(_view(supervisor)), refresh=True)
            await asyncio.wait({running}, timeout=REDRAW_SECONDS)
    await running


def _view(supervisor: Supervisor) -> list[RunTask]:
    from ccdeck.orchestrator.report import task_json

    return [task_json(row) for row in supervisor.rows()]


async def _report_changes(supervisor: Supervisor, running: asyncio.Task[None]) -> None:
    """Without a terminal: one line on stderr per task state change, for logs."""
    import asyncio

    seen: dict[str, str] = {task.id: task.status for task in supervisor.tasks}  # all queued: nothing to say
    while True:
        done = running.done()
        for task in supervisor.tasks:
            if seen[task.id] != task.status:
                seen[task.id] = task.status
                detail = f" ({task.error})" if task.error and task.status != "succeeded" else ""
                err().print(f"{task.id}: {task.status}{detail}", markup=False, highlight=False)
        if done:
            await running
            return
        await asyncio.wait({running}, timeout=REDRAW_SECONDS)


# The commands -----------------------------------------------------------------------------------------------------


def run(
    tasks: Annotated[str, typer.Argument(help="A JSON, YAML or TOML file, inline JSON, or - for stdin.")],
    max_parallel: Annotated[int | None, _option("--max-parallel")] = None,
    model: Model = None,
    budget: Budget = None,
    timeout: Timeout = None,
    max_turns: MaxTurns = None,
    permission_mode: PermissionMode = None,
    worktree: Worktree = False,
    retries: Annotated[int | None, _option("--retries")] = None,
    retry_delay: Annotated[float | None, _option("--retry-delay")] = None,
    grace: Annotated[float | None, _option("--grace")] = None,
    stagger: Annotated[float | None, _option("--stagger")] = None,
    detach: Annotated[bool, _option("--detach")] = False,
    claude_bin: ClaudeBin = None,
    hooks_url: HooksUrl = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Run a batch of headless Claude Code sessions in parallel: bounded, timed, budgeted, stoppable."""
    cfg = Config.resolve(db=db, overrides={"max_parallel": max_parallel, "model": model, "budget": budget,
                                           "timeout": timeout, "claude_bin": claude_bin,
                                           "hooks_url": hooks_url})  # fmt: skip
    from ccdeck.orchestrator.spec import load_tasks

    options = _options(cfg, max_turns, permission_mode, worktree, retries, grace, retry_delay, stagger)
    specs = load_tasks(tasks, options, Path.cwd(), sys.stdin)
    raise typer.Exit(launch(specs, options, cfg, detach=detach, json=json))


def run_multi(
    tasks: Annotated[str, typer.Argument(help="Inline JSON (or a file) listing the tasks.")],
    model: Annotated[str | None, typer.Argument(help="Model of every task.")] = None,
    budget: Annotated[float | None, typer.Argument(help="Budget per task in USD.")] = None,
    max_parallel: Annotated[int | None, typer.Argument(help="Tasks at the same time.")] = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """The seed script's form: `run-multi JSON [MODEL] [BUDGET] [MAX_PARALLEL]` (same as `run`)."""
    if max_parallel is not None and max_parallel < 1:
        raise UsageError("MAX_PARALLEL must be at least 1")
    if budget is not None and budget <= 0:
        raise UsageError("BUDGET must be a positive number of USD")
    run(tasks, max_parallel=max_parallel, model=model, budget=budget, db=db, json=json)


def start(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task's id.")],
    prompt: Annotated[str, typer.Argument(help="The prompt.")],
    cwd: Annotated[Path | None, typer.Option("--cwd", help="Folder to run in (default: here).")] = None,
    model: Model = None,
    budget: Budget = None,
    timeout: Timeout = None,
    max_turns: MaxTurns = None,
    permission_mode: PermissionMode = None,
    worktree: Worktree = False,
    claude_bin: ClaudeBin = None,
    hooks_url: HooksUrl = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """The seed script's form: start one task in the background and print RUN/ID."""
    cfg = Config.resolve(db=db, overrides={"model": model, "budget": budget, "timeout": timeout,
                                           "claude_bin": claude_bin, "hooks_url": hooks_url})  # fmt: skip
    from ccdeck.orchestrator import control
    from ccdeck.orchestrator.binary import find_claude
    from ccdeck.orchestrator.spec import resolve_tasks
    from ccdeck.store.store import Store

    options = _options(cfg, max_turns, permission_mode, worktree)
    table = {"id": task_id, "prompt": prompt, **({"cwd": str(cwd)} if cwd else {})}
    specs = resolve_tasks([table], options, Path.cwd(), "start")
    claude = find_claude(cfg.get(config.CLAUDE_BIN))
    with Store.open(cfg.db) as store:
        plan = control.plan_run(specs, options, claude, cfg.db)
        control.start_detached(store, plan)
        if json:
            emit_json(RunReport(run=control.status(store, plan.run_id)[0]))
        else:
            out().print(f"{plan.run_id}/{task_id}", markup=False, highlight=False)


def supervise(
    run_id: Annotated[str, typer.Argument()],
    db: Annotated[str, typer.Option("--db")],
    forked: Annotated[bool, typer.Option("--forked", hidden=True)] = False,
) -> None:
    """The background supervisor of a detached run (started by `run --detach`)."""
    # The second fork: the launcher exits at once; the supervisor is nobody's child. `ccdeck.entry` does it
    # before the imports (`orchestrator.launch`) and says so with --forked.
    if not forked and os.fork() > 0:
        os._exit(0)
    import asyncio
    import logging

    from ccdeck.orchestrator import control
    from ccdeck.store.store import Store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr, force=True)  # fmt: skip
    with Store.open(db) as store:
        supervisor = control.load_supervisor(store, run_id)

        async def main() -> None:
            supervisor.install_signal_handlers()
            await supervisor.run()

        asyncio.run(main())
