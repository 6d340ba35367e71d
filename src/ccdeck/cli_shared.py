"""What the command modules share: their options, the consoles each command makes on first use, settings
resolution, JSON output, and the read after the incremental scan."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import orjson
import typer

from ccdeck import config
from ccdeck.claude.discovery import config_dirs_from
from ccdeck.config import Config

if TYPE_CHECKING:
    from rich.console import Console

    from ccdeck.ingest.pipeline import Depth
    from ccdeck.store.reader import Reader

T = TypeVar("T")

ConfigDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--config-dir",
        help="A Claude Code config dir to read (repeatable). Default: $CLAUDE_CONFIG_DIR (comma-separated), "
        "else ~/.claude and ~/.config/claude.",
        metavar="DIR",
        show_default=False,
    ),
]
Db = Annotated[
    str | None,
    typer.Option("--db", metavar="PATH|URL", help=config.DB.flag_help(show_default=False), show_default=False),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NoScan = Annotated[bool, typer.Option("--no-scan", help="Skip the incremental ingest that runs first.")]
Since = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="First day included (YYYY-MM-DD).", show_default=False)
]
Until = Annotated[
    str | None, typer.Option("--until", metavar="DATE", help="Last day included (YYYY-MM-DD).", show_default=False)
]
Timezone = Annotated[
    str | None,
    typer.Option("--timezone", metavar="TZ", help="IANA time zone for days (default: local).", show_default=False),
]
Project = Annotated[
    str | None,
    typer.Option(
        "--project", metavar="TEXT", help="Only sessions whose project path contains TEXT.", show_default=False
    ),
]


_consoles: dict[str, Console] = {}  # made on first use in each command (`fresh_consoles` forgets them)


def out() -> Console:
    """The console of stdout, made for this command (its width follows this command's terminal or `COLUMNS`)."""
    if "out" not in _consoles:
        from ccdeck.render.console import stdout_console

        _consoles["out"] = stdout_console()
    return _consoles["out"]


def err() -> Console:
    if "err" not in _consoles:
        from rich.console import Console

        _consoles["err"] = Console(stderr=True)
    return _consoles["err"]


def fresh_consoles() -> None:
    """Forget the consoles: the next command makes its own, whose width follows its environment (a terminal,
    `COLUMNS`), not the one an earlier command in this process ran in."""
    _consoles.clear()


def emit_json(data: Mapping[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def resolve(config_dirs: list[Path] | None, db: str | None) -> Config:
    dirs = config_dirs_from(tuple(config_dirs or ()), os.environ)
    return Config.resolve(db=db, config_dirs=dirs)


def read_after_scan(cfg: Config, scan: bool, read: Callable[[Reader], T], depth: Depth = "full") -> T:
    """Ingest what is new (unless `--no-scan`) as far as `depth`, then read: with `sqlite3` alone when nothing
    needed writing."""
    from ccdeck.cli_read import read_after_scan as read_fresh

    return read_fresh(cfg, scan, read, err, depth)


def warn_unpriced(models: Sequence[str]) -> None:
    if models:
        err().print(f"[yellow]warning:[/] no price known for {', '.join(models)}: cost shown as — (null in JSON)")


def filter_flags(since: str | None, until: str | None, project: str | None) -> list[str]:
    """The filters given, as typed, for a message that says nothing matched them."""
    flags = (("--since", since), ("--until", until), ("--project", project))
    return [f"{flag} {value}" for flag, value in flags if value]


def nothing_found(what: str, cfg: Config, given: list[str], scanned: bool) -> None:
    from ccdeck.render.cells import nothing_found as message

    out().print(message(what, cfg.config_dirs, given, scanned), markup=False, highlight=False)
