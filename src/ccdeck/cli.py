"""The `ccdeck` command line: parse arguments, resolve settings, call one function, print, map errors to exits.

Known errors (`CcdeckError`) print one line on stderr and exit 2; anything else is a bug: exit 1 with the
traceback logged at debug level (`-v` shows it).
"""

# No `from __future__ import annotations` here: Typer reads every command's annotations on each run, and
# string annotations would be compiled and evaluated each time (a tenth of what `ccdeck --help` may take).
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from ccdeck import __version__, cli_usage, commands, config
from ccdeck.cli_shared import (
    ConfigDirs,
    Db,
    Json,
    NoScan,
    Project,
    Since,
    emit_json,
    err,
    filter_flags,
    fresh_consoles,
    nothing_found,
    out,
    read_after_scan,
    resolve,
)
from ccdeck.config import Config
from ccdeck.errors import CcdeckError

try:
    from ccdeck.cli_params import direct_coercion
except ImportError:  # a Typer before 0.29 (no pydantic adapters, no `typer._coercion`) needs no help to be quick

    def direct_coercion(param: Any) -> None:
        return None


log = logging.getLogger("ccdeck")
app = typer.Typer(
    name="ccdeck",
    help=commands.APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli_usage.register(app)  # the first group, as the help lists them


@app.command(short_help=commands.COMMANDS["scan"])
def scan(config_dir: ConfigDirs = None, db: Db = None, json: Json = False) -> None:
    """Ingest new lines from Claude Code's files into the database (incremental; safe to interrupt)."""
    from ccdeck.cli_ingest import ingest, opened

    cfg = resolve(config_dir, db)
    with opened(cfg) as store:
        stats = ingest(store, cfg, err()).as_json()
    if json:
        emit_json(stats)
    else:
        from ccdeck.render.report_tables import scan_summary

        scan_summary(out(), stats)


@app.command(short_help=commands.COMMANDS["sessions"])
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
    from ccdeck.live.offline import stored_model
    from ccdeck.live.state import ACTIVE_STATES
    from ccdeck.reports.filters import Filters
    from ccdeck.reports.session_report import session_report
    from ccdeck.shapes.cli import ListedSession, SessionList

    cfg = resolve(config_dir, db)
    filters = Filters.from_cli(since, None, None, project)
    idle_after = cfg.get(config.IDLE_MINUTES) * 60
    rows, model = read_after_scan(
        cfg, not no_scan, lambda reader: (session_report(reader, filters)["sessions"],
                                          stored_model(reader, cfg.config_dirs, idle_after))
    )  # fmt: skip
    listed: list[ListedSession] = [{**r, **model.view(r["sessionId"]).as_json()} for r in rows]
    if active:
        listed = [r for r in listed if r["state"] in ACTIVE_STATES]
    listed = listed[:limit] if limit else listed
    if json:
        emit_json(SessionList(sessions=listed))
    elif not listed:
        given = [*(["--active"] if active else []), *filter_flags(since, None, project)]
        nothing_found("sessions", cfg, given, not no_scan)
    else:
        from ccdeck.render.report_tables import sessions_table

        out().print(sessions_table(listed))


@app.command(short_help=commands.COMMANDS["search"])
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
    from ccdeck.cli_ingest import read_after_scan
    from ccdeck.reports.search_report import search_report
    from ccdeck.store.search import MARK_END, MARK_START, fts_query

    cfg = resolve(config_dir, db)
    fts_query(text)  # a query too long to run fails before the scan
    report = read_after_scan(cfg, not no_scan, lambda reader: search_report(reader, text, project, limit), err())
    if json:
        emit_json(report)
    else:
        from ccdeck.render.report_tables import search_table

        out().print(search_table(report, MARK_START, MARK_END))


@app.command(short_help=commands.COMMANDS["serve"])
def serve(
    host: Annotated[str | None, typer.Option("--host", help=config.HOST.flag_help())] = None,
    port: Annotated[int | None, typer.Option("--port", min=0, max=65535, help=config.PORT.flag_help())] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the dashboard in a browser.")] = False,
    poll: Annotated[bool | None, typer.Option("--poll", help=config.POLL.flag_help())] = None,
    allow_bypass: Annotated[bool | None, typer.Option("--allow-bypass", help=config.ALLOW_BYPASS.flag_help())] = None,
    config_dir: ConfigDirs = None,
    db: Db = None,
) -> None:
    """Serve the live dashboard, the JSON API (/docs) and the WebSocket feed; Ctrl-C stops."""
    from ccdeck.web.serve import dashboard, exit_at_once, run_server

    overrides = {"host": host, "port": port, "poll": poll, "allow_bypass": allow_bypass}
    cfg = Config.resolve(db=db, config_dirs=resolve(config_dir, db).config_dirs, overrides=overrides)
    served = dashboard(cfg)
    out().print(f"ccdeck dashboard: [bold]{served.url}[/]  (API docs at /docs; Ctrl-C stops)", highlight=False)
    out().print(f"watching {', '.join(str(d) for d in cfg.config_dirs) or 'no config dir'}; database {cfg.db}")
    run_server(served, open_browser=open_browser)
    exit_at_once()


@app.command(short_help=commands.COMMANDS["watch"])
def watch(
    config_dir: ConfigDirs = None,
    db: Db = None,
) -> None:
    """A live table of active sessions and today's totals in the terminal, updated as files change."""
    from ccdeck.cli_watch import run_watch

    run_watch(resolve(config_dir, db), out())


@app.command(short_help=commands.COMMANDS["agent"])
def agent(
    config_dir: ConfigDirs = None,
    db: Db = None,
    print_service: Annotated[
        bool, typer.Option("--print-service", help="Print a systemd user unit that runs this agent.")
    ] = False,
) -> None:
    """Ingest this machine's Claude Code files into the database as they change (catch-up, file events, registry),
    with no web server; SIGINT or SIGTERM stops it. Point every machine's agent at one PostgreSQL database and run
    `ccdeck serve` against it wherever the dashboard should be."""
    from ccdeck.cli_agent import run

    run(resolve(config_dir, db), print_service)


# Commands that other modules register, and those modules: `main` imports one only for a command line that may
# name one of its commands (or asks for the list of all).
MORE_COMMANDS = {
    "ccdeck.cli_runs": commands.RUN_COMMANDS | commands.RUN_COMMANDS_HIDDEN,  # with the orchestrator behind them
    "ccdeck.cli_live": commands.LIVE_COMMANDS,
}
_registered: set[str] = set()


def register(module: str) -> None:
    """Add the commands of `module` (one of MORE_COMMANDS) once, each with its declared one-line help."""
    if module in _registered:
        return
    _registered.add(module)
    importlib.import_module(module).register(app)
    for info in app.registered_commands:
        if _command_name(info) in commands.COMMANDS:
            info.short_help = commands.COMMANDS[_command_name(info)]


def _command_name(info: typer.models.CommandInfo) -> str:
    """A registered command's name, as Typer derives it from the function's when none was given."""
    assert info.callback is not None
    return info.name or info.callback.__name__.lower().replace("_", "-")


def command_tree() -> Any:
    """The whole command line as Click sees it, every command registered (for tests and documentation)."""
    for module in MORE_COMMANDS:
        register(module)
    return _plain_metavars(typer.main.get_command(app))


def version_callback(value: bool) -> None:
    if value:
        out().print(f"ccdeck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=commands.OPTIONS["--verbose, -v"])] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help=commands.OPTIONS["--version"])
    ] = False,
) -> None:
    """See and launch many Claude Code sessions at once."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


def _modules_for(args: Sequence[str]) -> list[str]:
    """The modules of MORE_COMMANDS a command line may need: the one of its command (its first word that is not a
    root option), none for a command of this module, all when it names none or no known one (the whole list is
    shown, or searched for a close match)."""
    word = next((arg for arg in args if arg not in ("-v", "--verbose")), None)
    if word is None or word.startswith("-") or word not in commands.COMMANDS:
        return list(MORE_COMMANDS)
    return [module for module, names in MORE_COMMANDS.items() if word in names]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; takes argv so tests can call it in-process. Returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    for module in _modules_for(args):
        register(module)
    fresh_consoles()  # made for each command: their width follows its environment (a terminal, `COLUMNS`)
    try:
        # Outside standalone mode a command's `typer.Exit(code)` (also --help, --version, Ctrl-C) comes back as
        # the return value, and usage mistakes are raised to us instead of printed as a box.
        command = _plain_metavars(typer.main.get_command(app))
        code = command.main(args, "ccdeck", standalone_mode=False)
    except CcdeckError as exc:
        _fail(str(exc))
        return exc.exit_code
    except typer.TyperException as exc:  # Click's usage errors: an unknown command or option, a bad value
        return _usage_mistake(exc)
    except (typer.Abort, KeyboardInterrupt):
        err().print("ccdeck: interrupted")
        return 130
    except Exception:
        log.debug("unexpected error", exc_info=True)
        err().print(f"ccdeck: internal error: {sys.exc_info()[1]!r} (run with -v for details)", markup=False)
        return 1
    return code if isinstance(code, int) else 0


def _plain_metavars(command: Any) -> Any:
    """Help names each option's value (`--db DB`, as argparse does) and a flag's none, where Typer would show the
    Python type (`<bool>`, `<list[Path]>`); an argument's name says enough. A declared `metavar` is kept."""
    help_option = command.get_help_option(typer.Context(command))
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        direct_coercion(param)
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
