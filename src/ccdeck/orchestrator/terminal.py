"""Runs in the terminal: the live table of a foreground run, the summary it ends with, and `status`. Pure
functions of the JSON forms (`report.task_json`, `report.run_json`), so what is shown is what `--json` says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ccdeck.reports.render import cost, tokens

COLOURS = {
    "queued": "dim",
    "running": "cyan",
    "succeeded": "green",
    "failed": "red",
    "timed_out": "magenta",
    "budget_exceeded": "yellow",
    "max_turns": "yellow",
    "stopped": "blue",
}
RESULT_CHARS = 120


def state(status: str) -> str:
    return f"[{COLOURS.get(status, 'white')}]{status}[/]"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def _cost(task: Mapping[str, Any]) -> str:
    """The CLI's cost; `~` marks an estimate (a running task, or one that ended without its result line)."""
    if not task["startedAt"] or (task["costEstimated"] and not task["costUSD"]):
        return "—"
    text = cost(task["costUSD"])
    return f"~{text}" if task["costEstimated"] and task["costUSD"] is not None else text


def live_table(tasks: Sequence[Mapping[str, Any]]) -> Table:
    """Task, state, elapsed, turns, tokens, cost so far (~ while estimated), last tool."""
    table = Table(expand=False)
    table.add_column("Task", no_wrap=True)
    table.add_column("State", no_wrap=True)
    for name in ("Elapsed", "Turns", "Tokens", "Cost"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Last tool", overflow="ellipsis", no_wrap=True, max_width=60)
    for task in tasks:
        attempt = f" (try {task['attempt']})" if task["attempt"] > 1 else ""
        table.add_row(
            task["id"],
            state(task["status"]) + attempt,
            duration(task["durationSeconds"]),
            str(task["numTurns"] if task["numTurns"] is not None else "—"),
            tokens(task["tokens"]["totalTokens"]),
            _cost(task),
            task["lastTool"] or "",
        )
    return table


def summary(run: Mapping[str, Any]) -> Group:
    """The table a run ends with (and `status RUN` shows): each task's outcome, then the run's figures."""
    table = Table(title=f"run {run['id']} — {run['status']}", title_justify="left", expand=False)
    table.add_column("Task", no_wrap=True)
    table.add_column("State", no_wrap=True)
    for name in ("Time", "Turns", "Cost"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Result", overflow="fold", max_width=70)
    for task in run["tasks"]:
        table.add_row(task["id"], state(task["status"]), duration(task["durationSeconds"]),
                      str(task["numTurns"] if task["numTurns"] is not None else "—"), _cost(task),
                      _outcome_text(task))  # fmt: skip
    return Group(table, Text.from_markup(run_line(run)))


def _outcome_text(task: Mapping[str, Any]) -> str:
    parts = []
    text = task["result"] if task["status"] == "succeeded" else (task["error"] or task["result"])
    if text:
        flat = " ".join(str(text).split())
        parts.append(flat if len(flat) <= RESULT_CHARS else flat[: RESULT_CHARS - 1] + "…")
    if task["permissionDenials"]:
        names = ", ".join(sorted({d.get("tool_name", "?") for d in task["permissionDenials"]}))
        parts.append(f"[yellow]{len(task['permissionDenials'])} permission denial(s): {names}[/]")
    worktree = task.get("worktree")
    if worktree:
        stat = worktree.get("diffStat") or {}
        parts.append(f"branch {worktree['branch']}: {stat.get('filesChanged', '?')} file(s), "
                     f"+{stat.get('insertions', 0)} -{stat.get('deletions', 0)}")  # fmt: skip
    return "\n".join(parts)


def run_line(run: Mapping[str, Any]) -> str:
    counts = run["counts"]
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    saving = run["cacheSavingUSD"]
    speedup = f"{run['speedup']:.2f}×" if run["speedup"] is not None else "—"
    return (
        f"{len(run['tasks'])} task(s): {done}.  Wall {duration(run['wallSeconds'])}, task time "
        f"{duration(run['sumTaskSeconds'])}, speed-up {speedup}.  Cost {cost(run['costUSD'])}"
        f"{' (part estimated)' if run['costEstimated'] else ''}"
        + (f", cache saved {cost(saving)}" if saving is not None else "")
        + "."
    )


def runs_table(runs: Sequence[Mapping[str, Any]]) -> Table:
    """`ccdeck status` without a run: one line per run."""
    table = Table(expand=False)
    for name in ("Run", "Status", "Created", "Tasks", "Running", "Succeeded", "Other", "Wall", "Cost"):
        table.add_column(name, no_wrap=True, justify="left" if name in ("Run", "Status", "Created") else "right")
    for run in runs:
        counts = run["counts"]
        other = sum(n for s, n in counts.items() if s not in ("running", "succeeded", "queued"))
        created = datetime.fromisoformat(run["createdAt"]).astimezone().strftime("%Y-%m-%d %H:%M")
        table.add_row(run["id"], run["status"], created, str(len(run["tasks"])),
                      str(counts.get("running", 0)), str(counts.get("succeeded", 0)), str(other),
                      duration(run["wallSeconds"]), cost(run["costUSD"]))  # fmt: skip
    if not runs:
        table.add_row("[dim]no runs[/]", *[""] * 8)
    return table
