"""The launch commands of the command line: `run`, `status`, `result`, `logs`, `stop`, `stop-all`, `clean`, the
seed-compatible `run-multi` and `start`, and the hidden `_supervise` a detached run re-executes itself as. Those
that start runs are in `cli_runs_launch`, those that read and act on them in `cli_runs_control`; here, what they
share (the flags' types; the consoles, JSON output, `--db` and `--json` are every command's, from `cli_shared`) and
`register`.

`cli.py` registers them (`register(app)`) and maps errors to exit codes, as for every other command. Each command
imports what it uses when it runs (the orchestrator and the store pull in SQLAlchemy, `result` the ingester, a
foreground run asyncio and Rich's live display), so registering them costs the other commands nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ccdeck.config import Config
from ccdeck.orchestrator.run_flags import FLAGS

if TYPE_CHECKING:
    from ccdeck.orchestrator.spec import RunOptions
    from ccdeck.store.store import Store

REDRAW_SECONDS = 0.25


def _option(name: str) -> Any:
    """The Typer option of a flag declared in `run_flags`."""
    flag = FLAGS[name]
    return typer.Option(
        flag.name, min=flag.minimum, help=flag.help, show_default=flag.show_default, metavar=flag.metavar or None
    )


Model = Annotated[str | None, _option("--model")]
Budget = Annotated[float | None, _option("--budget")]
Timeout = Annotated[float | None, _option("--timeout")]
MaxTurns = Annotated[int | None, _option("--max-turns")]
PermissionMode = Annotated[str | None, _option("--permission-mode")]
Worktree = Annotated[bool, _option("--worktree")]
ClaudeBin = Annotated[str | None, _option("--claude-bin")]
HooksUrl = Annotated[str | None, _option("--hooks-url")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Return once the stop is requested.")]


def _open(db: str | None) -> Store:
    from ccdeck.store.store import Store

    return Store.open(Config.resolve(db=db).db)


def _options(cfg: Config, max_turns: int | None, permission_mode: str | None, worktree: bool,
             retries: int | None = None, grace: float | None = None, retry_delay: float | None = None,
             stagger: float | None = None) -> RunOptions:  # fmt: skip
    """The run's options: its flags, each left out (None) taking the default `plan.run_options` gives it."""
    from ccdeck.orchestrator.plan import run_options

    return run_options(cfg, max_turns, permission_mode, worktree, retries, grace, retry_delay, stagger)


def register(app: typer.Typer) -> None:
    from ccdeck.cli_runs_control import clean, logs, result, status, stop, stop_all
    from ccdeck.cli_runs_launch import run, run_multi, start, supervise

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
