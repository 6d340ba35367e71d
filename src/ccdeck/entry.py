"""The `ccdeck` console entry point. `ccdeck statusline` runs after every message of every Claude Code session and
must answer in tens of milliseconds, so it is dispatched here, before the command line's imports (Typer, Rich,
SQLAlchemy: over a second on a busy machine); so are `ccdeck --version`, `ccdeck --help` (and a bare `ccdeck`: the
list of commands, from `ccdeck.commands`), `ccdeck status ...` (`orchestrator.fast_status`) and
`ccdeck run ... --detach` (`orchestrator.fast_run`), which hand anything unusual back, and the fork of a detached
run's supervisor (`orchestrator.launch`). Everything else goes to `ccdeck.cli.main`.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ccdeck.db_target import DbTarget
    from ccdeck.shapes.common import Run


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from ccdeck import __version__

        sys.stdout.write(f"ccdeck {__version__}\n")  # the same line as the full command line's --version
        return 0
    if args in ([], ["--help"]):
        from ccdeck import commands

        sys.stdout.write(commands.help_text(_width()))
        return 0
    if args[:1] == ["statusline"]:
        from ccdeck import statusline

        code = statusline.main(args[1:])
        if code is not None:
            return code
    if args[:1] == ["_supervise"] and "--forked" not in args:
        from ccdeck.orchestrator import launch

        args = [args[0], *launch.fork_and_record(args[1:]), "--forked"]  # only the supervisor returns, recorded
    if args[:1] == ["run"] and "--detach" in args:
        from ccdeck.orchestrator import fast_run

        code = fast_run.main(args[1:])
        if code is not None:
            return code
    if args[:1] == ["status"]:
        from ccdeck.orchestrator import fast_status

        code = fast_status.main(args[1:], show_status)
        if code is not None:
            return code
    from ccdeck.cli import main as cli_main

    return cli_main(args)


def show_status(runs: list[Run], run_id: str | None, db: DbTarget) -> None:
    """`status`'s tables, as the full command prints them (Rich only for a table, not for `--json`)."""
    from ccdeck.render.console import stdout_console
    from ccdeck.render.run_tables import print_status

    print_status(stdout_console(), runs, run_id, db)


def _width() -> int:
    """Columns for the help: `COLUMNS`, else the terminal's, else 80; at most 100 (lines stay readable)."""
    told = os.environ.get("COLUMNS", "")
    if told.isdigit() and int(told) > 0:
        return min(int(told), 100)
    try:
        return min(os.get_terminal_size(sys.stdout.fileno()).columns, 100)
    except (OSError, ValueError):
        return 80
