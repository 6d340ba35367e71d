"""The `ccdeck` command line: parse arguments, resolve settings, call one function, print, map errors to exits.

Known errors (`CcdeckError`) print one line on stderr and exit 2; anything else is a bug: exit 1 with the
traceback logged at debug level (`-v` shows it).
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console, RenderableType
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from sqlalchemy import Connection

from ccdeck import __version__, cli_live, cli_runs, config
from ccdeck.claude.discovery import config_dirs_from
from ccdeck.config import Config
from ccdeck.errors import CcdeckError
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.live.offline import stored_model
from ccdeck.live.state import ACTIVE_STATES
from ccdeck.render.cells import nothing_found
from ccdeck.render.console import stdout_console
from ccdeck.reports import render
from ccdeck.reports.blocks import blocks_report
from ccdeck.reports.filters import Filters
from ccdeck.reports.periods import PERIOD_KEYS, Period, period_report
from ccdeck.reports.search_report import search_report
from ccdeck.reports.session_report import session_report
from ccdeck.shapes.cli import ListedSession, SessionList, UsageReport
from ccdeck.store.search import MARK_END, MARK_START, fts_query
from ccdeck.store.store import Store

log = logging.getLogger("ccdeck")
T = TypeVar("T")
app = typer.Typer(
    name="ccdeck",
    help="See and launch many Claude Code sessions at once. Reads Claude Code's files read-only; "
    "keeps history in SQLite. Costs are API-equivalent estimates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
usage_app = typer.Typer(
    help="Token usage and API-equivalent cost by day, week, month, session or 5-hour block.", no_args_is_help=True
)
app.add_typer(usage_app, name="usage")

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
Db = Annotated[Path | None, typer.Option("--db", help=f"{config.DB.help} (env {config.DB.env})", show_default=False)]
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

stdout = stdout_console()
stderr = Console(stderr=True)


def _emit_json(data: Mapping[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def resolve(config_dirs: list[Path] | None, db: Path | None) -> Config:
    dirs = config_dirs_from(tuple(config_dirs or ()), os.environ)
    return Config.resolve(db=db, config_dirs=dirs)


@contextmanager
def opened(cfg: Config) -> Iterator[Store]:
    store = Store.open(cfg.db)
    try:
        yield store
    finally:
        store.close()


def _progress_after(delay: float) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback that shows a bar only once the work has taken `delay` seconds."""
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if time.monotonic() - started < delay or not stderr.is_terminal:
                return
            bar = Progress("Ingesting", BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=stderr)
            state["bar"], state["task"] = bar, bar.add_task("scan", total=total)
            bar.start()
        state["bar"].update(state["task"], completed=done, total=total)

    def finish() -> None:
        if "bar" in state:
            state["bar"].stop()

    return update, finish


def ingest(store: Store, cfg: Config, depth: Depth = "full") -> ScanStats:
    update, finish = _progress_after(1.0)
    try:
        return Ingestor(store).scan(cfg.config_dirs, update, depth)
    finally:
        finish()


def read_after_scan(cfg: Config, scan: bool, read: Callable[[Connection], T], depth: Depth = "full") -> T:
    """Open the store, ingest what is new (unless `--no-scan`) as far as `depth`, then read with one connection."""
    with opened(cfg) as store:
        if scan:
            ingest(store, cfg, depth)
        with store.read() as conn:
            return read(conn)


def _warn_unpriced(models: Sequence[str]) -> None:
    if models:
        stderr.print(f"[yellow]warning:[/] no price known for {', '.join(models)}: cost shown as — (null in JSON)")


@app.command()
def scan(config_dir: ConfigDirs = None, db: Db = None, json: Json = False) -> None:
    """Ingest new lines from Claude Code's files into the database (incremental; safe to interrupt)."""
    cfg = resolve(config_dir, db)
    with opened(cfg) as store:
        stats = ingest(store, cfg).as_json()
    if json:
        _emit_json(stats)
    else:
        render.scan_summary(stdout, stats)


@app.command()
def sessions(
    active: Annotated[
        bool, typer.Option("--active", help="Only sessions that are working, blocked, waiting or idle.")
    ] = False,
    project: Project = None,
    since: Since = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, metavar="N", help="At most N sessions.")] = None,
    config_dir: ConfigDirs = None,
    db: Db = None,
    json: Json = False,
    no_scan: NoScan = False,
) -> None:
    """List sessions, newest first, with their state, project, branch, tokens and cost."""
    cfg = resolve(config_dir, db)
    filters = Filters.from_cli(since, None, None, project)
    idle_after = cfg.get(config.IDLE_MINUTES) * 60
    rows, model = read_after_scan(
        cfg, not no_scan, lambda conn: (session_report(conn, filters)["sessions"],
                                        stored_model(conn, cfg.config_dirs, idle_after))
    )  # fmt: skip
    listed: list[ListedSession] = [{**r, **model.view(r["sessionId"]).as_json()} for r in rows]
    if active:
        listed = [r for r in listed if r["state"] in ACTIVE_STATES]
    listed = listed[:limit] if limit else listed
    if json:
        _emit_json(SessionList(sessions=listed))
    elif not listed:
        given = [*(["--active"] if active else []), *_filter_flags(since, None, project)]
        stdout.print(nothing_found("sessions", cfg.config_dirs, given, not no_scan), markup=False, highlight=False)
    else:
        stdout.print(render.sessions_table(listed))


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to find, all of them, in any order (whole words).")],
    project: Project = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most N results.")] = 50,
    config_dir: ConfigDirs = None,
    db: Db = None,
    json: Json = False,
    no_scan: NoScan = False,
) -> None:
    """Find prompts, answers, tool calls and session titles holding every word of TEXT, newest first."""
    cfg = resolve(config_dir, db)
    fts_query(text)  # a query too long to run fails before the scan
    report = read_after_scan(cfg, not no_scan, lambda conn: search_report(conn, text, project, limit))
    if json:
        _emit_json(report)
    else:
        stdout.print(render.search_table(report, MARK_START, MARK_END))


def _filter_flags(since: str | None, until: str | None, project: str | None) -> list[str]:
    """The filters given, as typed, for a message that says nothing matched them."""
    flags = (("--since", since), ("--until", until), ("--project", project))
    return [f"{flag} {value}" for flag, value in flags if value]


ReportBuilder = Callable[[Connection, Filters, bool], UsageReport]  # the bool: `--all`
ReportTable = Callable[[UsageReport, bool], RenderableType]


def _report_command(build: ReportBuilder, table: ReportTable, doc: str, every: bool) -> Callable[..., None]:
    """One `usage` subcommand: scan, build the report, warn about unpriced models, print JSON or a table.
    `every`: the command has `--all`."""

    def command(
        since: Since = None,
        until: Until = None,
        timezone: Timezone = None,
        project: Project = None,
        breakdown: Annotated[bool, typer.Option("--breakdown", help="Show each model's share.")] = False,
        all_sessions: Annotated[bool, typer.Option("--all", help="Also sessions without tokens.")] = False,
        config_dir: ConfigDirs = None,
        db: Db = None,
        json: Json = False,
        no_scan: NoScan = False,
    ) -> None:
        cfg = resolve(config_dir, db)
        filters = Filters.from_cli(since, until, timezone, project)
        report = read_after_scan(cfg, not no_scan, lambda conn: build(conn, filters, all_sessions), "usage")
        _warn_unpriced(report["unpricedModels"])
        if json:
            _emit_json(report)
        elif not render.report_rows(report):
            message = nothing_found("usage", cfg.config_dirs, _filter_flags(since, until, project), not no_scan)
            stdout.print(message, markup=False, highlight=False)
        else:
            stdout.print(table(report, breakdown))

    command.__doc__ = doc
    if not every:
        signature = inspect.signature(command)
        params = [p for p in signature.parameters.values() if p.name != "all_sessions"]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return command


def _period(period: Period) -> tuple[ReportBuilder, ReportTable]:
    return (
        lambda conn, filters, _all: period_report(conn, filters, period),
        lambda report, breakdown: render.period_table(report, PERIOD_KEYS[period], breakdown),
    )


REPORTS: dict[str, tuple[ReportBuilder, ReportTable, str]] = {
    "daily": (*_period("daily"), "Usage per day."),
    "weekly": (*_period("weekly"), "Usage per week (weeks start on Monday)."),
    "monthly": (*_period("monthly"), "Usage per month."),
    "session": (
        lambda conn, filters, every: session_report(conn, filters, with_empty=every),
        lambda report, _breakdown: render.session_usage_table(report),
        "Usage per Claude Code session (subagents count in their parent session); sessions without tokens only "
        "with --all.",
    ),
    "blocks": (
        lambda conn, filters, _all: blocks_report(conn, filters),
        lambda report, _breakdown: render.blocks_table(report),
        "5-hour billing windows; the active one shows its burn rate and projected end.",
    ),
}
for _name, (_build, _table, _doc) in REPORTS.items():
    usage_app.command(_name)(_report_command(_build, _table, _doc, every=_name == "session"))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help=f"{config.HOST.help} (default 127.0.0.1)")] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help=f"{config.PORT.help} (default 8484)")
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the dashboard in a browser.")] = False,
    poll: Annotated[bool | None, typer.Option("--poll", help=config.POLL.help)] = None,
    allow_bypass: Annotated[
        bool | None, typer.Option("--allow-bypass", help=f"{config.ALLOW_BYPASS.help} [env {config.ALLOW_BYPASS.env}]")
    ] = None,
    config_dir: ConfigDirs = None,
    db: Db = None,
) -> None:
    """Serve the live dashboard, the JSON API (/docs) and the WebSocket feed; Ctrl-C stops."""
    from ccdeck.web.serve import exit_at_once, run_server

    overrides = {"host": host, "port": port, "poll": poll, "allow_bypass": allow_bypass}
    cfg = Config.resolve(db=db, config_dirs=resolve(config_dir, db).config_dirs, overrides=overrides)
    run_server(cfg, open_browser=open_browser, out=stdout)
    exit_at_once()


@app.command()
def watch(
    config_dir: ConfigDirs = None,
    db: Db = None,
) -> None:
    """A live table of active sessions and today's totals in the terminal, updated as files change."""
    from ccdeck.live.terminal import run_watch

    run_watch(resolve(config_dir, db), stdout)


cli_runs.register(app)
cli_live.register(app)


def version_callback(value: bool) -> None:
    if value:
        stdout.print(f"ccdeck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details (and tracebacks) to stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """See and launch many Claude Code sessions at once."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


def _fresh_consoles() -> None:
    """Consoles are made for each command, so their width follows this command's environment (a terminal,
    `COLUMNS`), not the one the module was imported in."""
    global stdout, stderr
    stdout, stderr = stdout_console(), Console(stderr=True)
    cli_runs.stdout, cli_runs.stderr = stdout, stderr


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; takes argv so tests can call it in-process. Returns the exit code."""
    _fresh_consoles()
    try:
        # Outside standalone mode a command's `typer.Exit(code)` (also --help, --version, Ctrl-C) comes back as
        # the return value, and usage mistakes are raised to us instead of printed as a box.
        command = _plain_metavars(typer.main.get_command(app))
        code = command.main(list(sys.argv[1:] if argv is None else argv), "ccdeck", standalone_mode=False)
    except CcdeckError as exc:
        _fail(str(exc))
        return exc.exit_code
    except typer.TyperException as exc:  # Click's usage errors: an unknown command or option, a bad value
        return _usage_mistake(exc)
    except (typer.Abort, KeyboardInterrupt):
        stderr.print("ccdeck: interrupted")
        return 130
    except Exception:
        log.debug("unexpected error", exc_info=True)
        stderr.print(f"ccdeck: internal error: {sys.exc_info()[1]!r} (run with -v for details)", markup=False)
        return 1
    return code if isinstance(code, int) else 0


def _plain_metavars(command: Any) -> Any:
    """Help names each option's value (`--db DB`, as argparse does) and a flag's none, where Typer would show the
    Python type (`<bool>`, `<list[Path]>`); an argument's name says enough. A declared `metavar` is kept."""
    help_option = command.get_help_option(typer.Context(command))
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None  # the name column already shows it
        elif param.metavar is None:
            param.metavar = "" if param.is_flag else param.name.upper()
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)
    return command


def _fail(message: str) -> None:
    """One line on stderr, however long or multi-line the message."""
    sys.stderr.write(f"ccdeck: error: {' '.join(message.split())}\n")


def _usage_mistake(exc: typer.TyperException) -> int:
    # A bare group (`ccdeck`, `ccdeck usage`) has printed its help already: that was the answer (typer's own
    # error printer tells this case apart by name too).
    if type(exc).__name__ == "NoArgsIsHelpError":
        return 0
    message = exc.format_message()
    possibilities = getattr(exc, "possibilities", None)  # NoSuchOption: difflib's close matches
    if possibilities:
        message = f"{exc.message.rstrip('.')}; did you mean {' or '.join(map(repr, sorted(possibilities)))}?"
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    _fail(message)
    return 2
