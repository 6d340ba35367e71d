"""The launch commands of the command line: `run`, `status`, `result`, `logs`, `stop`, `stop-all`, `clean`, the
seed-compatible `run-multi` and `start`, and the hidden `_supervise` a detached run re-executes itself as.

`cli.py` registers them (`register(app)`) and maps errors to exit codes, as for every other command. Each command
imports what it uses when it runs (the orchestrator and the store pull in SQLAlchemy, `result` the ingester, a
foreground run asyncio and Rich's live display), so registering them costs the other commands nothing; the
consoles are made when first printed to (unless `cli.py` hands its own over).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import orjson
import typer

from ccdeck import config
from ccdeck.config import Config
from ccdeck.errors import UsageError
from ccdeck.orchestrator.run_flags import FLAGS
from ccdeck.shapes.cli import CleanReport, ResultTask, RunReport, RunsReport, StoppedReport, TaskReport, TaskSession
from ccdeck.store.run_states import FINAL_STATES

if TYPE_CHECKING:
    import asyncio

    from rich.console import Console

    from ccdeck.orchestrator import control
    from ccdeck.orchestrator.spec import RunOptions, TaskSpec
    from ccdeck.orchestrator.supervisor import Supervisor
    from ccdeck.shapes.common import RunTask
    from ccdeck.store.store import Store

stdout: Console | None = None  # `cli.py` sets both for each command; else made on first use
stderr: Console | None = None
REDRAW_SECONDS = 0.25


def _out() -> Console:
    global stdout  # noqa: PLW0603 (the module's console, which `cli.py` may also set: made once, on first use)
    if stdout is None:
        from ccdeck.render.console import stdout_console

        stdout = stdout_console()
    return stdout


def _err() -> Console:
    global stderr  # noqa: PLW0603 (as `stdout`)
    if stderr is None:
        from rich.console import Console

        stderr = Console(stderr=True)
    return stderr


def _option(name: str) -> Any:
    """The Typer option of a flag declared in `run_flags`."""
    flag = FLAGS[name]
    return typer.Option(flag.name, min=flag.minimum, help=flag.help, show_default=flag.show_default)


Db = Annotated[Path | None, _option("--db")]
Json = Annotated[bool, _option("--json")]
Model = Annotated[str | None, _option("--model")]
Budget = Annotated[float | None, _option("--budget")]
Timeout = Annotated[float | None, _option("--timeout")]
MaxTurns = Annotated[int | None, _option("--max-turns")]
PermissionMode = Annotated[str | None, _option("--permission-mode")]
Worktree = Annotated[bool, _option("--worktree")]
ClaudeBin = Annotated[str | None, _option("--claude-bin")]
HooksUrl = Annotated[str | None, _option("--hooks-url")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Return once the stop is requested.")]


def emit_json(data: Mapping[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def _open(db: Path | None) -> Store:
    from ccdeck.store.store import Store

    return Store.open(Config.resolve(db=db).db)


def _options(cfg: Config, max_turns: int | None, permission_mode: str | None, worktree: bool, retries: int = 2,
             grace: float = 5.0, retry_delay: float = 2.0, stagger: float = 0.1) -> RunOptions:  # fmt: skip
    from ccdeck.orchestrator.plan import run_options

    return run_options(cfg, max_turns, permission_mode, worktree, retries, grace, retry_delay, stagger)


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
                _out().print(plan.run_id, markup=False, highlight=False)
            return 0
        return _foreground(store, plan, json)


def _foreground(store: Store, plan: control.RunPlan, json: bool) -> int:
    import asyncio

    from ccdeck.orchestrator import control, terminal

    control.create_run(store, plan, detached=False)
    supervisor = control.supervisor_for(store, plan)
    live_console = _err() if json else _out()
    asyncio.run(_supervise_with_view(supervisor, live_console if live_console.is_terminal else None))
    run = control.status(store, plan.run_id)[0]
    if json:
        emit_json(RunReport(run=run))
    else:
        _out().print(terminal.summary(run))
    if supervisor.signal_received is not None:
        return 128 + supervisor.signal_received.value
    return 0 if all(t["status"] == "succeeded" for t in run["tasks"]) else 1


async def _supervise_with_view(supervisor: Supervisor, console: Console | None) -> None:
    import asyncio

    from rich.live import Live

    from ccdeck.orchestrator import terminal

    supervisor.install_signal_handlers()
    running = asyncio.create_task(supervisor.run())
    if console is None:
        await _report_changes(supervisor, running)
        return
    with Live(console=console, auto_refresh=False, transient=True) as live:
        while not running.done():
            live.update(terminal.live_table(_view(supervisor)), refresh=True)
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
                _err().print(f"{task.id}: {task.status}{detail}", markup=False, highlight=False)
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
    retries: Annotated[int, _option("--retries")] = 2,
    retry_delay: Annotated[float, _option("--retry-delay")] = 2.0,
    grace: Annotated[float, _option("--grace")] = 5.0,
    stagger: Annotated[float, _option("--stagger")] = 0.1,
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
            _out().print(f"{plan.run_id}/{task_id}", markup=False, highlight=False)


def status(
    run_id: Annotated[str | None, typer.Argument(metavar="[RUN]", help="One run (default: every run).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N runs.")] = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Runs and their tasks, from any terminal: state, time, turns, cost."""
    from ccdeck.orchestrator import control, terminal

    with _open(db) as store:
        runs = control.status(store, run_id, limit=limit)
    if json:
        emit_json(RunsReport(runs=runs))
    elif run_id is not None:
        _out().print(terminal.summary(runs[0]))
    elif not runs:
        _out().print(terminal.no_runs(store.path), markup=False, highlight=False)
    else:
        _out().print(terminal.runs_table(runs))


def result(
    task: Annotated[str, typer.Argument(metavar="TASK", help="TASK, RUN/TASK or a session id.")],
    config_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--config-dir", help="Where the task's transcript is (default: the one it ran with).", show_default=False
        ),
    ] = None,
    no_scan: Annotated[bool, typer.Option("--no-scan", help="Do not read the task's transcript.")] = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """A task's result: its state, figures and answer; with the files changed from its transcript."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        found = control.task_status(store, task)
        session = None if no_scan else _session_facts(store, found, config_dir)
    # a RunTask is a ResultTask without its optional `session`
    shown = ResultTask(**found, session=session) if session is not None else cast(ResultTask, found)
    if json:
        emit_json(TaskReport(task=shown))
        return
    _print_result(found)


def _session_facts(store: Store, task: RunTask, flags: list[Path] | None) -> TaskSession | None:
    """The monitored session the task's session id links to: files changed and timeline size, from the
    transcript Claude Code wrote (ingested first, incrementally)."""
    if not task["sessionId"]:
        return None
    recorded = task["configDir"]
    if not flags and recorded and not Path(recorded).is_dir():
        return None  # the config dir it ran with is gone: nothing to read
    given = tuple(flags or ()) or ((Path(recorded),) if recorded else ())
    from ccdeck.claude.discovery import config_dirs_from
    from ccdeck.ingest.pipeline import Ingestor
    from ccdeck.store import queries

    Ingestor(store).scan(config_dirs_from(given, os.environ), None)
    with store.read() as conn:
        files = [row.path for row in queries.files_changed(conn, task["sessionId"])]
        _, events = queries.timeline(conn, task["sessionId"], 0, 0)
        known = bool(queries.sessions_by_id(conn, [task["sessionId"]]))
    return TaskSession(sessionId=task["sessionId"], ingested=known, filesChanged=files, events=events)


def _print_result(task: Mapping[str, Any]) -> None:
    from ccdeck.orchestrator import terminal

    _out().print(terminal.result_table(task))
    if task["result"]:
        _out().print(task["result"], markup=False, highlight=False)


def logs(
    task: Annotated[str, typer.Argument(metavar="TASK", help="TASK, RUN/TASK or a session id.")],
    raw: Annotated[bool, typer.Option("--raw", help="The stream-json lines as the CLI wrote them.")] = False,
    errors: Annotated[bool, typer.Option("--stderr", help="Only the task's stderr.")] = False,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing until the task ends.")] = False,
    db: Db = None,
) -> None:
    """A task's output: its stream (readable, or --raw) and its stderr."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        found = control.task_status(store, task)
        logs_ = found["logs"]
        assert logs_ is not None  # task_status gives the run's log dir
        stream, err = Path(logs_["stream"]), Path(logs_["stderr"])
        if errors:
            sys.stdout.write(_read(err))
            return
        offset = 0
        while True:
            offset = _print_stream(stream, offset, raw)
            if not follow or control.task_status(store, task)["status"] in FINAL_STATES:
                break
            time.sleep(0.25)
        _print_stream(stream, offset, raw)
    text = _read(err)
    if text.strip() and not raw:
        _out().print("--- stderr ---", markup=False)
        sys.stdout.write(text)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _print_stream(path: Path, offset: int, raw: bool) -> int:
    """Print the complete lines after `offset`; returns the offset after them."""
    from ccdeck.orchestrator.events import describe

    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return offset
    end = data.rfind(b"\n") + 1
    for line in data[:end].splitlines():
        if raw:
            sys.stdout.write(line.decode(errors="replace") + "\n")
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        for text in describe(event) if isinstance(event, dict) else ():
            sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return offset + end


def stop(
    tasks: Annotated[list[str], typer.Argument(metavar="TASK...", help="TASK, RUN/TASK, or a run id (all its tasks).")],
    no_wait: NoWait = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """Stop tasks from any terminal: SIGINT, a grace period, SIGTERM, then SIGKILL to each task's process group."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        stopped = control.stop(store, tasks, wait=not no_wait)
    _print_stopped(stopped, json)


def stop_all(no_wait: NoWait = False, db: Db = None, json: Json = False) -> None:
    """Stop every unfinished task of every run (queued ones never start)."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        stopped = control.stop(store, None, wait=not no_wait)
    _print_stopped(stopped, json)


def _print_stopped(tasks: list[RunTask], json: bool) -> None:
    if json:
        emit_json(StoppedReport(tasks=tasks))
        return
    from ccdeck.orchestrator import terminal

    if not tasks:
        _out().print("nothing to stop")
    for task in tasks:
        _out().print(f"{task['runId']}/{task['id']}: {terminal.state(task['status'])}")


def clean(
    force: Annotated[bool, typer.Option("--force", help="Also remove worktrees that hold commits or changes.")] = False,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="DURATION",
            help="Only runs that ended this long ago (7d, 12h, 30m).",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """Forget finished runs: their records, logs, and worktrees that hold no commits or changes. Asks first on a
    terminal."""
    from ccdeck.orchestrator import control

    age = parse_duration(older_than, "--older-than") if older_than is not None else None
    with _open(db) as store:
        declined = not yes and sys.stdin.isatty() and not _confirm_clean(store, age, older_than, force)
        if declined:
            report = CleanReport(removedRuns=[], removedWorktrees=[], keptWorktrees=[])
        else:
            report = control.clean(store, force=force, older_than=age)
    if json:
        emit_json(report)
        return
    if declined:
        _out().print("nothing removed")
        return
    _out().print(f"removed {len(report['removedRuns'])} run(s) and {len(report['removedWorktrees'])} worktree(s)")
    for kept in report["keptWorktrees"]:
        _out().print(f"kept {kept['path']} ({kept['branch']}): {kept['reason']}", markup=False)


def _confirm_clean(store: Store, age: float | None, older_than: str | None, force: bool) -> bool:
    """Name what `clean` would forget and ask; nothing to forget needs no answer."""
    from ccdeck.orchestrator import control

    runs = control.cleanable(store, older_than=age)
    if not runs:
        return True
    which = f"{len(runs)} finished run(s)" + (f" that ended over {older_than} ago" if older_than else "")
    worktrees = "all their worktrees, even those with commits or changes" if force else "worktrees without changes"
    return typer.confirm(f"Forget {which}, their logs and {worktrees}?", default=False, err=True)


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str, flag: str) -> float:
    """`7d`, `12h`, `30m`, `90s`, `2w`, `1.5h` as seconds."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text.lower())
    if found is None:
        raise UsageError(f"{flag} takes a number and a unit (s, m, h, d, w), like 7d or 12h; not {text!r}")
    return float(found[1]) * DURATION_UNITS[found[2]]


def supervise(
    run_id: Annotated[str, typer.Argument()],
    db: Annotated[Path, typer.Option("--db")],
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


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command("status")(status)
    app.command()(result)
    app.command()(logs)
    app.command()(stop)
    app.command("stop-all")(stop_all)
    app.command()(clean)
    app.command("run-multi")(run_multi)
    app.command()(start)
    app.command("_supervise", hidden=True)(supervise)
