"""Runs in the terminal: the live table of a foreground run, the table a run ends with (and `status RUN` shows),
`status`'s list of runs (`print_status`, for the full command and its fast path alike) and `result`'s facts. Pure
functions of the JSON forms (`report.task_json`, `report.run_json`) and of the time now, so what is shown is what
`--json` says; every table fits the terminal (`ccdeck.render.fit`)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from rich.console import Console, Group
from rich.text import Text

from ccdeck.db_target import DbTarget
from ccdeck.render.cells import NONE, cost, duration, home_short, model_names, tokens, when
from ccdeck.render.fit import Column, FitTable
from ccdeck.store.run_states import RUN_FINAL_STATES

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
    """The status as markup, for a line of text."""
    return f"[{COLOURS.get(status, 'white')}]{status}[/]"


def state_text(status: str, attempt: int = 1) -> Text:
    return Text.assemble((status, COLOURS.get(status, "")), f" (try {attempt})" if attempt > 1 else "")


def seconds_so_far(task: Mapping[str, Any], now: float) -> float | None:
    """A finished task's time; a running one's runs with the clock from its start, not from its last output."""
    if task["status"] == "running" and task["startedAt"]:
        started = datetime.fromisoformat(task["startedAt"]).timestamp()
        return max(task["durationSeconds"] or 0.0, now - started)
    seconds: float | None = task["durationSeconds"]
    return seconds


def _cost(task: Mapping[str, Any]) -> str:
    """The CLI's cost; `~` marks an estimate (a running task, or one that ended without its result line)."""
    if not task["startedAt"] or (task["costEstimated"] and not task["costUSD"]):
        return NONE
    text = cost(task["costUSD"])
    return f"~{text}" if task["costEstimated"] and task["costUSD"] is not None else text


def _turns(task: Mapping[str, Any]) -> str:
    return str(task["numTurns"]) if task["numTurns"] is not None else NONE


def live_table(tasks: Sequence[Mapping[str, Any]], now: float | None = None) -> FitTable:
    """Task, state, elapsed, turns, tokens, cost so far (~ while estimated), last tool."""
    at = time.time() if now is None else now
    columns = [Column("Task"), Column("State"), Column("Elapsed", drop=1, justify="right"),
               Column("Turns", drop=3, justify="right"), Column("Tokens", drop=2, justify="right"),
               Column("Cost", justify="right"), Column("Last tool", flex=True, min_width=12)]  # fmt: skip
    table = FitTable(columns)
    for task in tasks:
        table.add_row(task["id"], state_text(task["status"], task["attempt"]), duration(seconds_so_far(task, at)),
                      _turns(task), tokens(task["tokens"]["totalTokens"]), _cost(task),
                      task["lastTool"] or "")  # fmt: skip
    return table


def summary(run: Mapping[str, Any], now: float | None = None) -> Group:
    """The one table a run ends with, and `status RUN` shows: each task's outcome (what a running one is doing),
    then the run's figures."""
    at = time.time() if now is None else now
    columns = [Column("Task"), Column("State"), Column("Time", drop=1, justify="right"),
               Column("Turns", drop=3, justify="right"), Column("Tokens", drop=2, justify="right"),
               Column("Cost", justify="right"), Column("Result", flex=True, min_width=16, wrap=True)]  # fmt: skip
    table = FitTable(columns, title=f"run {run['id']} — {run['status']}")
    for task in run["tasks"]:
        table.add_row(task["id"], state_text(task["status"], task["attempt"]), duration(seconds_so_far(task, at)),
                      _turns(task), tokens(task["tokens"]["totalTokens"]), _cost(task), _outcome(task))  # fmt: skip
    return Group(table, Text.from_markup(run_line(run)))


def _outcome(task: Mapping[str, Any]) -> Text:
    if task["status"] in ("running", "queued"):
        return Text(task["lastTool"] or "", "dim")
    parts: list[Text] = []
    text = task["result"] if task["status"] == "succeeded" else (task["error"] or task["result"])
    if text:
        flat = " ".join(str(text).split())
        parts.append(Text(flat if len(flat) <= RESULT_CHARS else flat[: RESULT_CHARS - 1] + "…"))
    if task["permissionDenials"]:
        names = ", ".join(sorted({d.get("tool_name", "?") for d in task["permissionDenials"]}))
        parts.append(Text(f"{len(task['permissionDenials'])} permission denial(s): {names}", "yellow"))
    worktree = task.get("worktree")
    if worktree:
        stat = worktree.get("diffStat") or {}
        parts.append(Text(f"branch {worktree['branch']}: {stat.get('filesChanged', '?')} file(s), "
                          f"+{stat.get('insertions', 0)} -{stat.get('deletions', 0)}"))  # fmt: skip
    return Text("\n").join(parts)


def run_line(run: Mapping[str, Any]) -> str:
    """The run's figures; a run still going shows its time so far and no speed-up (that is a final figure)."""
    counts = run["counts"]
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    saving = run["cacheSavingUSD"]
    if run["status"] in RUN_FINAL_STATES:
        speedup = f"{run['speedup']:.2f}×" if run["speedup"] is not None else NONE
        times = f"Wall {duration(run['wallSeconds'])}, task time {duration(run['sumTaskSeconds'])}, speed-up {speedup}."
    else:
        times = f"Running for {duration(run['wallSeconds'])}."
    return (
        f"{len(run['tasks'])} task(s): {done}.  {times}  Cost {cost(run['costUSD'])}"
        f"{' (part estimated)' if run['costEstimated'] else ''}"
        + (f", cache saved {cost(saving)}" if saving is not None else "")
        + "."
    )


def runs_table(runs: Sequence[Mapping[str, Any]]) -> FitTable:
    """`ccdeck status` without a run: one line per run."""
    columns = [Column("Run"), Column("Status"), Column("Created", drop=3),
               *(Column(name, drop=drop, justify="right")
                 for name, drop in (("Tasks", 5), ("Running", 6), ("Succeeded", 4), ("Other", 7), ("Wall", 2))),
               Column("Cost", justify="right")]  # fmt: skip
    table = FitTable(columns)
    for run in runs:
        counts = run["counts"]
        other = sum(n for s, n in counts.items() if s not in ("running", "succeeded", "queued"))
        table.add_row(run["id"], run["status"], when(run["createdAt"]), str(sum(counts.values())),
                      str(counts.get("running", 0)), str(counts.get("succeeded", 0)), str(other),
                      duration(run["wallSeconds"]), cost(run["costUSD"]))  # fmt: skip
    return table


def no_runs(db: DbTarget) -> str:
    where = home_short(db.path) if db.path is not None else str(db)
    return f"no runs in {where}; start one with `ccdeck run TASKS`"


def print_status(console: Console, runs: Sequence[Mapping[str, Any]], run_id: str | None, db: DbTarget) -> None:
    """`ccdeck status`: the run's one table (with `run_id`), the list of runs, or the line saying there is none."""
    if run_id is not None:
        console.print(summary(runs[0]))
    elif not runs:
        console.print(no_runs(db), markup=False, highlight=False)
    else:
        console.print(runs_table(runs))


def result_table(task: Mapping[str, Any], now: float | None = None) -> FitTable:
    """`ccdeck result`: the task's facts, one per line (its answer is printed after it, whole)."""
    at = time.time() if now is None else now
    table = FitTable([Column(""), Column("", flex=True, min_width=20, wrap=True)], show_header=False)
    status = state_text(task["status"], task["attempt"])
    if task["error"] and task["status"] != "succeeded":
        status.append(f" — {task['error']}")
    table.add_row("Task", f"{task['runId']}/{task['id']}")
    table.add_row("State", status)
    table.add_row("Session", task["sessionId"] or NONE)
    table.add_row("Time", f"{duration(seconds_so_far(task, at))}, {_turns(task)} turn(s)")
    estimate = " (estimate)" if task["costEstimated"] else ""
    table.add_row("Cost", f"{cost(task['costUSD'])}{estimate}, {tokens(task['tokens']['totalTokens'])} tokens")
    by_model = task["tokensByModel"] or {}
    short = model_names(by_model)
    if by_model:
        table.add_row("Models", ", ".join(f"{short[m]} {cost(t.get('costUSD'))}" for m, t in sorted(by_model.items())))
    for denial in task["permissionDenials"]:
        what = orjson.dumps(denial.get("tool_input", {})).decode()[:200]
        table.add_row("Denied", Text(f"{denial.get('tool_name')} {what}", "yellow"))
    session = task.get("session")
    files = session["filesChanged"] if session and session["ingested"] else task["filesChanged"]
    if files:
        table.add_row("Changed", "\n".join(files))
    if task["worktree"]:
        table.add_row("Worktree", f"{task['worktree']['path']} (branch {task['worktree']['branch']})")
    return table
