"""A long run's table (`status RUN` of hundreds of tasks, drawn line by line) at 80, 100 and 160 columns: one table,
no line wider than the terminal, the important columns kept, and exactly what Rich would have drawn."""

from __future__ import annotations

import io
import time
from typing import Any

import orjson
import pytest
from rich.console import Console

from ccdeck.orchestrator.report import run_json
from ccdeck.render import fit, run_tables

TASKS = 250


def _run(now: float, status: str) -> dict[str, Any]:
    run = {"id": "20260101-101010-abcd", "created_at": now - 600, "status": status, "options": "{}",
           "claude_bin": "/bin/claude", "log_dir": "/logs/r", "detached": True, "started_at": now - 500,
           "finished_at": None if status == "running" else now - 5, "claude_version": "2.1.330",
           "supervisor_pid": 1, "stop_requested": None}  # fmt: skip
    tasks = []
    for i in range(TASKS):
        state = ("succeeded", "failed", "running", "queued")[i % 4]
        started = now - 400 + i if state != "queued" else None
        tasks.append({
            "run_id": run["id"], "task_id": f"task-{i:03d}", "status": state, "spec": '{"prompt": "p"}',
            "cwd": "/w", "exit_code": None, "api_seconds": None, "attempt": 1 + (i % 7 == 0), "attempts": "[]",
            "permission_denials": '[{"tool_name": "Bash"}]' if i % 10 == 1 else "[]",
            "error": "exit 1: the tests failed" if state == "failed" else None, "subtype": None,
            "terminal_reason": None, "api_error_status": None, "files_changed": "[]", "worktree": None,
            "pid": None, "session_id": f"s{i}", "cost_usd": 0.01 * i if started else None,
            "cost_estimated": state == "running", "seconds": 3.0 if started else None, "started_at": started,
            "finished_at": started + 3.0 if state in ("succeeded", "failed") and started else None,
            "num_turns": 3 if started else None,
            "result": f"Done {i}: " + "wrote the file and checked it " * (i % 5) if state == "succeeded" else None,
            "model_usage": orjson.dumps({"claude-opus-4-5-20251101": {"totalTokens": 1000 + i}}).decode(),
            "last_tool": "Bash: npm test -- --watch=false" if state == "running" else None,
        })  # fmt: skip
    return run_json(run, tasks, now)


def _print(thing: object, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=True, color_system="standard", legacy_windows=False).print(thing)
    return out.getvalue()


def _plain(width: int, thing: object) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(thing)
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("status", ["running", "finished"])
def test_a_long_run_is_one_table_that_fits(width: int, status: str) -> None:
    now = time.time()
    run = _run(now, status)
    assert len(run["tasks"]) >= fit.DRAWN_ROWS
    text = _plain(width, run_tables.summary(run, now))
    lines = text.rstrip("\n").splitlines()
    assert text.count("┏") == 1 and max(len(line) for line in lines) <= width
    header = next(line for line in lines if "┃" in line)
    assert all(f" {name} " in header for name in ("Task", "State", "Cost", "Result"))
    assert sum(line.startswith("│ task-") for line in lines) == TASKS
    # A running task's time runs with the clock (from its start, not its 3.0 s of output); a running run has no
    # speed-up yet.
    assert ("speed-up" in text) == (status == "finished")
    if width == 160:
        assert "6m38s" in text  # task-002: started 398 s ago, still running
    shown = run_tables.summary(run, now)
    drawn = _print(shown, width)
    table = shown.renderables[0]
    assert isinstance(table, fit.FitTable)
    table.drawn_rows = 10**9  # the same table, laid out by Rich
    assert drawn == _print(shown, width)
