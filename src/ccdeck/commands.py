"""The top-level commands and their one-line helps, declared once, with the standard library only.

`ccdeck --help` (and a bare `ccdeck`) print them from here before the command line's imports (`ccdeck.entry`), and
the Typer registration (`ccdeck.cli`) gives each command the same line, so both lists say the same thing; a test
checks that they name the same commands. A command's own `--help` keeps its longer docstring.
"""

from __future__ import annotations

APP_HELP = (
    "See and launch many Claude Code sessions at once. Reads Claude Code's files read-only; keeps history in SQLite. "
    "Costs are API-equivalent estimates."
)
# The top-level options as `ccdeck --help` lists them: flags -> help.
OPTIONS = {
    "--verbose, -v": "Log details (and tracebacks) to stderr.",
    "--version": "Print the version.",
    "--help": "Show this message and exit.",  # Click's own help option says the same
}
# Commands in the order Typer lists them (commands first, then groups), each with its one-line help.
COMMANDS = {
    "scan": "Ingest new lines from Claude Code's files into the database (incremental; safe to interrupt).",
    "sessions": "List sessions, newest first, with their state, project, branch, tokens and cost.",
    "search": "Find prompts, answers, tool calls and session titles holding every word of TEXT, newest first.",
    "serve": "Serve the live dashboard, the JSON API (/docs) and the WebSocket feed; Ctrl-C stops.",
    "watch": "A live table of active sessions and today's totals in the terminal, updated as files change.",
    "agent": "Ingest this machine's Claude Code files into the database as they change, with no web server.",
    "run": "Run a batch of headless Claude Code sessions in parallel: bounded, timed, budgeted, stoppable.",
    "status": "Runs and their tasks, from any terminal: state, time, turns, cost.",
    "result": "A task's result: its state, figures and answer; with the files changed from its transcript.",
    "logs": "A task's output: its stream (readable, or --raw) and its stderr.",
    "stop": "Stop tasks from any terminal: SIGINT, a grace period, SIGTERM, then SIGKILL to each task's process group.",
    "stop-all": "Stop every unfinished task of every run (queued ones never start).",
    "clean": "Forget finished runs: their records, logs, and worktrees that hold no commits or changes. Asks first "
    "on a terminal.",
    "run-multi": "The seed script's form: `run-multi JSON [MODEL] [BUDGET] [MAX_PARALLEL]` (same as `run`).",
    "start": "The seed script's form: start one task in the background and print RUN/ID.",
    "usage": "Token usage and API-equivalent cost by day, week, month, session or 5-hour block.",
    "statusline": "Claude Code's status line: model, session cost, context used, the 5-hour block, today's cost.",
    "hooks": "Claude Code hooks that post every session event to `ccdeck serve`.",
    "notify": "Alerts sent to the `notify` Apprise URLs.",
}
# The commands `ccdeck.cli_runs` registers (the launch commands): the command line imports it only for them.
RUN_COMMANDS = frozenset({"run", "status", "result", "logs", "stop", "stop-all", "clean", "run-multi", "start"})
RUN_COMMANDS_HIDDEN = frozenset({"_supervise"})
# The groups `ccdeck.cli_live` registers (what connects Claude Code to ccdeck).
LIVE_COMMANDS = frozenset({"statusline", "hooks", "notify"})


def help_text(width: int = 80) -> str:
    """`ccdeck --help` as plain text: usage, the app's help, options and commands with their one-line helps."""
    lines = ["Usage: ccdeck [OPTIONS] COMMAND [ARGS]...", "", *_wrap(APP_HELP, width, ""), "", "Options:"]
    lines += _table(tuple(OPTIONS.items()), width)
    lines += ["", "Commands:", *_table(tuple(COMMANDS.items()), width)]
    return "\n".join(lines) + "\n"


def _table(rows: tuple[tuple[str, str], ...], width: int) -> list[str]:
    name_width = max(len(name) for name, _ in rows) + 2
    lines = []
    for name, text in rows:
        wrapped = _wrap(text, width, " " * (2 + name_width))
        lines.append(f"  {name:<{name_width}}{wrapped[0].lstrip()}")
        lines.extend(wrapped[1:])
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Words of `text` in lines of at most `width` columns (a longer word stands alone), each after `indent`."""
    lines, line = [], indent
    for word in text.split():
        if line.strip() and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = indent
        line += word if not line.strip() else " " + word
    return [*lines, line]
