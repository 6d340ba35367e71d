"""Reports as Rich tables for the terminal. The JSON forms are the dicts themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

COST_NOTE = "Costs are API-equivalent estimates (list prices), not what a subscription bills."


def tokens(value: int | None) -> str:
    return f"{value or 0:,}"


def cost(value: float | None) -> str:
    return "unpriced" if value is None else f"${value:,.2f}" if value >= 1 else f"${value:.4f}"


def when(iso_text: str | None) -> str:
    if not iso_text:
        return "—"
    return datetime.fromisoformat(iso_text).astimezone().strftime("%Y-%m-%d %H:%M")


def _token_columns(table: Table) -> None:
    for name in ("Input", "Output", "Cache write", "Cache read", "Total", "Cost"):
        table.add_column(name, justify="right")


def _token_cells(row: Mapping[str, Any]) -> list[str]:
    return [
        tokens(row["inputTokens"]),
        tokens(row["outputTokens"]),
        tokens(row["cacheCreationTokens"]),
        tokens(row["cacheReadTokens"]),
        tokens(row["totalTokens"]),
        cost(row["costUSD"]),
    ]


def period_table(report: Mapping[str, Any], key: str, breakdown: bool) -> Table:
    table = Table(title=f"Usage by {key}", caption=COST_NOTE)
    table.add_column(key.capitalize())
    table.add_column("Models")
    _token_columns(table)
    rows: Sequence[Mapping[str, Any]] = report[next(k for k in report if k not in ("totals", "unpricedModels"))]
    for row in rows:
        table.add_row(str(row[key]), ", ".join(row["models"]), *_token_cells(row))
        if breakdown:
            for part in row["modelBreakdowns"]:
                table.add_row("", f"  └ {part['model']}", *_token_cells(part), style="dim")
    table.add_section()
    table.add_row("Total", "", *_token_cells(report["totals"]), style="bold")
    return table


def session_usage_table(report: Mapping[str, Any]) -> Table:
    table = Table(title="Usage by session", caption=COST_NOTE)
    table.add_column("Session")
    table.add_column("Project")
    table.add_column("Last activity")
    table.add_column("Models")
    _token_columns(table)
    table.add_column("Files", justify="right")
    for row in report["sessions"]:
        table.add_row(
            row["sessionId"][:8],
            row["projectPath"] or "—",
            when(row["lastActivity"]),
            ", ".join(row["models"]),
            *_token_cells(row),
            str(row["filesChanged"]),
        )
    table.add_section()
    table.add_row("Total", "", "", "", *_token_cells(report["totals"]), "", style="bold")
    return table


def sessions_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title="Claude Code sessions", caption=COST_NOTE)
    for name in ("State", "Session", "Project", "Branch", "Title", "Last activity"):
        table.add_column(name, overflow="fold" if name == "Title" else "ellipsis")
    for name in ("Tokens", "Cost", "Files"):
        table.add_column(name, justify="right")
    colours = {"working": "green", "waiting": "yellow", "idle": "blue", "ended": "dim"}
    for row in rows:
        state = row.get("state", "ended")
        table.add_row(
            f"[{colours[state]}]{state}[/]",
            row["sessionId"][:8],
            row["projectPath"] or "—",
            row["gitBranch"] or "—",
            row["title"] or "—",
            when(row["lastActivity"]),
            tokens(row["totalTokens"]),
            cost(row["costUSD"]),
            str(row["filesChanged"]),
        )
    return table


def blocks_table(report: Mapping[str, Any]) -> Table:
    table = Table(title="5-hour billing blocks", caption=COST_NOTE)
    table.add_column("Block start")
    table.add_column("State")
    table.add_column("Models")
    _token_columns(table)
    for row in report["blocks"]:
        state = "[green]active[/]" if row["isActive"] else ""
        table.add_row(when(row["startTime"]), state, ", ".join(row["models"]), *_token_cells(row))
        if row["isActive"] and row["burnRate"]:
            burn, projection = row["burnRate"], row["projection"]
            table.add_row(
                "",
                "[green]burn rate[/]",
                f"{burn['tokensPerMinute']:,.0f} tok/min, ${burn['costPerHour']:.2f}/h",
                "",
                "",
                "",
                "",
                f"→ {tokens(projection['totalTokens'])}",
                f"→ {cost(projection['totalCost'])}",
                style="dim",
            )
    table.add_section()
    table.add_row("Total", "", "", *_token_cells(report["totals"]), style="bold")
    return table


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


def search_table(report: Mapping[str, Any], start: str, end: str) -> Table:
    table = Table(title=f"{report['total']} matches", caption="Newest first")
    for name in ("When", "Session", "Project", "Kind", "Match"):
        table.add_column(name, overflow="fold" if name == "Match" else "ellipsis")
    for hit in report["results"]:
        table.add_row(
            when(hit["timestamp"]),
            hit["sessionId"][:8],
            Text(hit["projectPath"] or "—"),
            hit["kind"],
            marked_text(hit["snippet"], start, end),
        )
    return table
