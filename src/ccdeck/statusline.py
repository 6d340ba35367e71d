"""`ccdeck statusline`: Claude Code's status-line command. Reads the status JSON on stdin, prints one line, records
what it got for the dashboard.

Claude Code runs it after every message, so it answers in tens of milliseconds: the console entry point
(`ccdeck.entry`) sends `ccdeck statusline [--format F] [--db PATH]` here before the command line's heavy imports,
and this module imports the standard library only. It never fails: no database, a database at an older schema, a
locked one or input that is not JSON leave out what they concern, and the exit status is 0.
"""

from __future__ import annotations

import os
import sys
import time

from ccdeck import paths
from ccdeck.claude.statusline_input import MAX_INPUT_BYTES, StatusInput, parse_status
from ccdeck.store import statusline as db

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import BinaryIO, TextIO

DEFAULT_FORMAT = "{model} · {session_cost} · {context_pct} · {block_left} · {block_cost} · {today_cost}"
PLACEHOLDERS = {
    "model": "the model's display name (e.g. `Opus 4.5`)",
    "session_cost": "this session's cost as Claude Code counts it (`$0.65 session`)",
    "context_pct": "context window used (`ctx 12%`)",
    "block_left": "time left in the current 5-hour block (`2h05m left`)",
    "block_cost": "API-equivalent cost of the current 5-hour block (`$4.10 block`)",
    "today_cost": "API-equivalent cost of today, all sessions (`$12.30 today`)",
    "five_hour": "5-hour rate limit used, subscribers only (`5h 23%`)",
    "seven_day": "7-day rate limit used, subscribers only (`7d 41%`)",
    "lines": "lines added and removed in this session (`+12 -3`)",
    "dir": "the session's folder name",
}
FALLBACK_LINE = "ccdeck"
OPTIONS = ("--format", "--db")


def fast_options(args: Sequence[str]) -> dict[str, str] | None:
    """The options of `ccdeck statusline …` when they are only `--format` and `--db`, else None (the full command
    line then handles help, subcommands and errors)."""
    options: dict[str, str] = {}
    rest = list(args)
    while rest:
        name, eq, value = rest.pop(0).partition("=")
        if name not in OPTIONS or (not eq and not rest):
            return None
        options[name] = value if eq else rest.pop(0)
    return options


def run(
    options: Mapping[str, str], stdin: BinaryIO, out: TextIO, environ: Mapping[str, str], now: float | None = None
) -> int:
    """Read, print the line, record; always 0."""
    now = time.time() if now is None else now
    status = parse_status(stdin.read(MAX_INPUT_BYTES))
    conn = db.connect(paths.db_path(environ, options.get("--db")))
    figures = db.read_figures(conn, now, status.five_hour_resets) if conn is not None else db.Figures()
    out.write(render(options.get("--format") or DEFAULT_FORMAT, values(status, figures, now)) + "\n")
    out.flush()
    if conn is not None:
        db.record(conn, status, now)
        conn.close()
    return 0


def main(args: Sequence[str]) -> int | None:
    """`ccdeck statusline …` from the entry point; None when the options need the full command line."""
    options = fast_options(args)
    if options is None:
        return None
    try:
        return run(options, sys.stdin.buffer, sys.stdout, os.environ)
    except Exception as exc:  # the top of this command: a status line must never break Claude Code's screen
        sys.stderr.write(f"ccdeck statusline: {exc!r}\n")
        sys.stdout.write(FALLBACK_LINE + "\n")
        return 0


def values(status: StatusInput, figures: db.Figures, now: float) -> dict[str, str]:
    """Each placeholder's text; a missing figure gives ''."""
    resets = status.five_hour_resets
    end = resets if resets is not None and resets > now else figures.block_end  # Claude Code's own window first
    left = None if end is None else end - now
    lines = None
    if status.lines_added is not None or status.lines_removed is not None:
        lines = f"+{status.lines_added or 0} -{status.lines_removed or 0}"
    return {
        "model": status.model_name or status.model_id or "",
        "session_cost": _usd(status.cost_usd, "session"),
        "context_pct": _pct("ctx", status.context_pct),
        "block_left": "" if left is None or left <= 0 else f"{_duration(left)} left",
        "block_cost": _usd(figures.block_cost, "block"),
        "today_cost": _usd(figures.today_cost, "today"),
        "five_hour": _pct("5h", status.five_hour_pct),
        "seven_day": _pct("7d", status.seven_day_pct),
        "lines": lines or "",
        "dir": os.path.basename(status.cwd.rstrip("/")) if status.cwd else "",
    }


def render(fmt: str, texts: Mapping[str, str]) -> str:
    """Fill the placeholders. A missing value leaves out its placeholder and the text just before it (unless that
    text opens the format), so separators never double; an unknown placeholder is shown as written."""
    line: list[str] = []
    for i, (literal, name) in enumerate(_pieces(fmt)):
        if name is None:
            line.append(literal)
            continue
        text = texts.get(name, "{" + name + "}")
        if text:
            line.extend((literal, text) if line or i == 0 else (text,))
    return " ".join("".join(line).split()) or FALLBACK_LINE


def _pieces(fmt: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name) pairs; the last pair has no name."""
    pieces: list[tuple[str, str | None]] = []
    rest = fmt
    while "{" in rest:
        literal, _, tail = rest.partition("{")
        name, closed, after = tail.partition("}")
        if not closed:
            break
        pieces.append((literal, name.strip()))
        rest = after
    pieces.append((rest, None))
    return pieces


def _usd(value: float | None, label: str) -> str:
    return "" if value is None else f"${value:,.2f} {label}"


def _pct(label: str, value: float | None) -> str:
    return "" if value is None else f"{label} {value:.0f}%"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"
