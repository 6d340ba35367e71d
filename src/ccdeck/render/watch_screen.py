"""`ccdeck watch`'s screen: a header line of today's totals over a table of the active sessions, redrawn by the
command (`cli_watch`) as files change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text

from ccdeck.render.cells import NONE, cost, home_short, model_names, project_names, tokens
from ccdeck.render.fit import Column, FitTable

COLOURS = {"blocked": "red", "working": "green", "waiting": "yellow", "idle": "blue", "ended": "dim"}


def elapsed(seconds: float) -> str:
    minutes, _ = divmod(int(max(seconds, 0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def render_watch(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], now: float,
                 config_dirs: Sequence[Path] = ()) -> Group:  # fmt: skip
    """The whole screen: a header line of today's totals and a table of active sessions (or a line saying where none
    was found). Pure, for tests."""
    today = summary["today"]
    active = summary["active"]
    header = Text.assemble(
        ("ccdeck ", "bold"),
        f"today {tokens(today['totalTokens'])} tokens, {cost(today['costUSD'])}  ·  ",
        (f"{active['working']} working", "green"), ", ",
        (f"{active['waiting']} waiting", "yellow"), ", ",
        (f"{active['idle']} idle", "blue"),
    )  # fmt: skip
    if not rows:
        where = ", ".join(home_short(d / "projects") for d in config_dirs)
        found = f"no active sessions in {where}" if where else "no active sessions: no Claude Code config dir found"
        return Group(header, Text(f"{found}; start claude in a terminal, or pass --config-dir DIR", "dim"))
    return Group(header, _sessions_table(rows, now))


def _sessions_table(rows: Sequence[Mapping[str, Any]], now: float) -> FitTable:
    projects = project_names(r["projectPath"] for r in rows)
    models = model_names(r["models"][0] for r in rows if r["models"])
    columns = [Column("State"), Column("Project"), Column("Branch", drop=6), Column("Model", drop=4),
               Column("Elapsed", drop=2, justify="right"), Column("Doing", flex=True, min_width=20),
               Column("Tokens", drop=5, justify="right"), Column("Cost", justify="right"),
               Column("Files", drop=7, justify="right")]  # fmt: skip
    table = FitTable(columns, expand=True, note_hidden=False)
    for row in rows:
        first = datetime.fromisoformat(row["firstActivity"]).timestamp() if row["firstActivity"] else now
        table.add_row(
            Text(row["state"], COLOURS.get(row["state"], "")),
            projects[row["projectPath"]],
            row["gitBranch"] or NONE,
            models[row["models"][0]] if row["models"] else NONE,
            elapsed(now - first),
            row["doing"] or row["title"] or "",
            tokens(row["totalTokens"]),
            cost(row["costUSD"]),
            str(row["filesChanged"]),
        )
    return table
