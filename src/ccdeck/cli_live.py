"""The commands that connect Claude Code to ccdeck: `statusline`.

`cli.py` registers them (`register(app)`) and maps errors to exit codes. The plain `ccdeck statusline` normally never
gets here: the entry point runs it before these imports (`ccdeck.entry`); this copy serves `ccdeck -v statusline`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ccdeck import config, statusline

statusline_app = typer.Typer(
    help="Claude Code's status line: model, session cost, context used, the 5-hour block, today's cost.",
    invoke_without_command=True,
)

Format = Annotated[
    str | None,
    typer.Option("--format", help=f"Placeholders: {', '.join(statusline.PLACEHOLDERS)}.", show_default=False),
]


@statusline_app.callback()
def statusline_command(
    ctx: typer.Context,
    format: Format = None,
    db: Annotated[Path | None, typer.Option("--db", help=config.DB.help, show_default=False)] = None,
) -> None:
    """Read Claude Code's status JSON on stdin and print one line (run by Claude Code after each message)."""
    if ctx.invoked_subcommand is not None:
        return
    options = {key: value for key, value in (("--format", format), ("--db", db)) if value is not None}
    statusline.run({key: str(value) for key, value in options.items()}, sys.stdin.buffer, sys.stdout, os.environ)


def register(app: typer.Typer) -> None:
    app.add_typer(statusline_app, name="statusline")
