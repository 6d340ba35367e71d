"""The read commands' tables for the terminal: `usage` reports, the `sessions` list, `search` hits and `scan`'s
summary, each fitted to its width (`ccdeck.render.fit`). They draw the JSON forms the commands print with `--json`,
so what is shown is what `--json` says."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from ccdeck.render.cells import NONE, cost, duration, model_names, project_names, tokens, when
from ccdeck.render.fit import Cell, Column, FitTable

COST_NOTE = "Costs are API-equivalent estimates (list prices), not what a subscription bills."
STATE_COLOURS = {"working": "green", "waiting": "yellow", "idle": "blue", "ended": "dim"}

# The token columns of every usage table, each with how soon it is hidden on a narrow terminal (higher: sooner).
# Cost and Total stay longest; the cache columns go first.
_TOKEN_COLUMNS = (("Input", 5), ("Output", 4), ("Cache write", 7), ("Cache read", 6), ("Total", 2))


def _token_columns() -> list[Column]:
    return [
        *(Column(name, drop=drop, justify="right") for name, drop in _TOKEN_COLUMNS),
        Column("Cost", justify="right"),
    ]


def _token_cells(row: Mapping[str, Any]) -> list[Cell]:
    keys = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens")
    return [*(tokens(row[key]) for key in keys), cost(row["costUSD"])]


def _caption(report: Mapping[str, Any]) -> str:
    unpriced = report.get("unpricedModels") or []
    return COST_NOTE + (f"\n{NONE} : no known price ({', '.join(unpriced)})." if unpriced else "")


def report_rows(report: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The rows of a usage report (`daily`, `sessions`, `blocks`…), whatever its kind."""
    rows: Sequence[Mapping[str, Any]] = report[next(k for k in report if k not in ("totals", "unpricedModels"))]
    return rows


def _models(rows: Iterable[Mapping[str, Any]], breakdown: bool = False) -> dict[str, str]:
    names = [m for row in rows for m in row["models"]]
    names += [part["model"] for row in rows for part in row["modelBreakdowns"]] if breakdown else []
    return model_names(names)


def period_table(report: Mapping[str, Any], key: str, breakdown: bool) -> FitTable:
    rows = report_rows(report)
    short = _models(rows, breakdown)
    columns = [Column(key.capitalize()), Column("Models", flex=True, min_width=12), *_token_columns()]
    table = FitTable(columns, title=f"Usage by {key}", caption=_caption(report))
    for row in rows:
        table.add_row(str(row[key]), ", ".join(short[m] for m in row["models"]), *_token_cells(row))
        if breakdown:
            for part in row["modelBreakdowns"]:
                table.add_row("", f"└ {short[part['model']]}", *_token_cells(part), style="dim")
    table.add_section()
    table.add_row("Total", "", *_token_cells(report["totals"]), style="bold")
    return table


def _many_machines(rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the rows come from more than one machine (a Machine column is then worth its width)."""
    return len({row.get("machine", "") for row in rows}) > 1


def session_usage_table(report: Mapping[str, Any]) -> FitTable:
    rows = report["sessions"]
    short, projects = _models(rows), project_names(r["projectPath"] for r in rows)
    machines = _many_machines(rows)
    columns = [Column("Session", drop=3), Column("Project"), *([Column("Machine", drop=7)] if machines else []),
               Column("Last activity", drop=8), Column("Models", flex=True, min_width=10), *_token_columns(),
               Column("Files", drop=9, justify="right")]  # fmt: skip
    table = FitTable(columns, title="Usage by session", caption=_caption(report))
    for row in rows:
        models = ", ".join(short[m] for m in row["models"])
        machine = [row["machine"]] if machines else []
        table.add_row(row["sessionId"][:8], projects[row["projectPath"]], *machine, when(row["lastActivity"]), models,
                      *_token_cells(row), str(row["filesChanged"]))  # fmt: skip
    table.add_section()
    table.add_row("Total", "", *([""] if machines else []), "", "", *_token_cells(report["totals"]), "", style="bold")
    return table


def state_cell(state: str) -> Text:
    return Text(state, STATE_COLOURS.get(state, ""))


def sessions_table(rows: Sequence[Mapping[str, Any]]) -> FitTable:
    projects = project_names(r["projectPath"] for r in rows)
    machines = _many_machines(rows)
    columns = [Column("State"), Column("Session", drop=4), Column("Project"),
               *([Column("Machine", drop=8)] if machines else []), Column("Branch", drop=6),
               Column("Title", flex=True, min_width=24), Column("Last activity", drop=5),
               Column("Tokens", drop=3, justify="right"), Column("Cost", justify="right"),
               Column("Files", drop=7, justify="right")]  # fmt: skip
    table = FitTable(columns, title="Claude Code sessions", caption=COST_NOTE)
    for row in rows:
        machine = [row["machine"]] if machines else []
        table.add_row(state_cell(row.get("state", "ended")), row["sessionId"][:8], projects[row["projectPath"]],
                      *machine, row["gitBranch"] or NONE, row["title"] or NONE, when(row["lastActivity"]),
                      tokens(row["totalTokens"]), cost(row["costUSD"]), str(row["filesChanged"]))  # fmt: skip
    return table


def blocks_table(report: Mapping[str, Any]) -> RenderableType:
    """The blocks, then a line on the active one: its burn rate and where it is heading."""
    rows = report["blocks"]
    short = _models(rows)
    columns = [Column("Block start"), Column("State", drop=8), Column("Models", flex=True, min_width=10),
               *_token_columns()]  # fmt: skip
    table = FitTable(columns, title="5-hour billing blocks", caption=_caption(report))
    for row in rows:
        state = Text("active", "green") if row["isActive"] else ""
        table.add_row(when(row["startTime"]), state, ", ".join(short[m] for m in row["models"]), *_token_cells(row))
    table.add_section()
    table.add_row("Total", "", "", *_token_cells(report["totals"]), style="bold")
    active = next((row for row in rows if row["isActive"] and row["burnRate"]), None)
    if active is None:
        return table
    burn, projection = active["burnRate"], active["projection"]
    line = Text.assemble(
        ("Active block: ", "green"),
        f"{burn['tokensPerMinute']:,.0f} tokens/min, {cost(burn['costPerHour'])}/h; "
        f"heading for {tokens(projection['totalTokens'])} tokens, {cost(projection['totalCost'])} at its end in "
        f"{duration(projection['remainingMinutes'] * 60)}.",
    )
    return Group(table, line)


def scan_summary(console: Console, stats: Mapping[str, Any]) -> None:
    mb = stats["bytes"] / 1_000_000
    console.print(
        f"Scanned {stats['files']:,} files: read {mb:,.1f} MB in {stats['lines']:,} lines, "
        f"{stats['newResponses']:,} new responses, {stats['problems']:,} problems, {stats['seconds']:.2f} s."
    )
    if stats.get("unknownTypes"):
        kinds = ", ".join(f"{k} ({v})" for k, v in sorted(stats["unknownTypes"].items()))
        console.print(f"[dim]Line types skipped as unknown: {kinds}[/]")


def marked_text(snippet: str, start: str, end: str) -> Text:
    """A search snippet as Rich text: the words between `start` and `end` highlighted, the rest taken literally
    (never read as markup), its runs of whitespace and line breaks shown as one space."""
    out = Text()
    for i, part in enumerate(snippet.replace(end, start).split(start)):
        out.append(re.sub(r"\s+", " ", part), "bold reverse" if i % 2 else "")
    return out


def search_table(report: Mapping[str, Any], start: str, end: str) -> FitTable:
    projects = project_names(hit["projectPath"] for hit in report["results"])
    columns = [Column("When"), Column("Session", drop=3), Column("Project", drop=2), Column("Kind", drop=4),
               Column("Match", flex=True, min_width=24)]  # fmt: skip
    table = FitTable(columns, title=f"{report['total']} matches", caption="Newest first")
    for hit in report["results"]:
        table.add_row(when(hit["timestamp"]), hit["sessionId"][:8], projects[hit["projectPath"]], hit["kind"],
                      marked_text(hit["snippet"], start, end))  # fmt: skip
    return table
