"""The watch screen and the run tables at 80, 100 and 160 columns: nothing wider than the terminal, the important
columns kept, nothing cut on a wide one."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ccdeck.orchestrator.report import run_json
from ccdeck.render import run_tables
from ccdeck.render.watch_screen import render_watch
from render.table_checks import WATCH_SUMMARY, WIDTHS, check_fits, lines_of, render_text

WATCH_ROWS = [
    {"state": "working", "projectPath": "/home/dev/work/shop-api", "gitBranch": "feat/cart",
     "models": ["claude-sonnet-4-5-20250929"], "firstActivity": "2026-01-01T10:00:00.000Z",
     "doing": "Edit: /home/dev/work/shop-api/cart.py", "title": "Cart", "totalTokens": 52_000, "costUSD": 0.1234,
     "filesChanged": 3},
    {"state": "blocked", "projectPath": "/home/dev/work/web", "gitBranch": "main", "models": ["claude-opus-4-5"],
     "firstActivity": "2026-01-01T11:00:00.000Z", "doing": "Bash: npm test", "title": None, "totalTokens": 9_000,
     "costUSD": None, "filesChanged": 0},
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_watch_fits(width: int) -> None:
    text = render_text(render_watch(WATCH_ROWS, WATCH_SUMMARY, 1767261600 + 3725), width)
    check_fits(text, width, ("State", "Project", "Doing", "Cost"))
    assert "Sta…" not in text and "wor…" not in text
    working = next(line for line in lines_of(text) if "│ working" in line)
    assert "…/work/shop-api" in working and "Edit: /home/dev/" in working and "$0.12" in working
    assert "—" in next(line for line in lines_of(text) if "│ blocked" in line)  # unpriced
    if width == 160:
        assert "sonnet-4-5" in working and "opus-4-5" in text and "feat/cart" in working


def _run(now: float, status: str = "running") -> dict[str, Any]:
    run = {"id": "20260101-101010-abcd", "created_at": now - 30, "status": status, "options": "{}",
           "claude_bin": "/bin/claude", "log_dir": "/logs/r", "detached": False, "started_at": now - 20,
           "finished_at": None if status == "running" else now - 5, "claude_version": "2.1.330",
           "supervisor_pid": 1, "stop_requested": None}  # fmt: skip
    base = {"run_id": run["id"], "spec": '{"prompt": "p"}', "cwd": "/w", "exit_code": None, "api_seconds": None,
            "permission_denials": "[]", "error": None, "subtype": None, "terminal_reason": None,
            "api_error_status": None, "attempt": 1, "attempts": "[]", "files_changed": "[]", "worktree": None,
            "pid": None}  # fmt: skip
    tasks = [
        {**base, "task_id": "build-the-frontend", "status": "running", "session_id": "s1", "cost_usd": 0.0123,
         "cost_estimated": True, "seconds": 2.0, "started_at": now - 12.5, "finished_at": None, "num_turns": 3,
         "result": None, "model_usage": '{"claude-opus-4-5-20251101": {"totalTokens": 4321, "costUSD": 0.0123}}',
         "last_tool": "Bash: npm run build -- --mode production --outDir dist/very/long/path"},
        {**base, "task_id": "docs", "status": "succeeded", "session_id": "s2", "cost_usd": 1.756,
         "cost_estimated": False, "seconds": 8.0, "started_at": now - 20, "finished_at": now - 12, "num_turns": 2,
         "result": "Fixed the typos in README.md and docs/API.md.", "model_usage": "{}", "last_tool": None,
         "permission_denials": '[{"tool_name": "Bash"}]', "files_changed": '["README.md"]'},
    ]  # fmt: skip
    return run_json(run, tasks, now)


@pytest.mark.parametrize("width", WIDTHS)
def test_run_tables_fit(width: int) -> None:
    now = time.time()
    run = _run(now)
    live = check_fits(render_text(run_tables.live_table(run["tasks"], now), width), width, ("Task", "State", "Cost"))
    assert "12.5s" in live  # from its start to now, not to its last output (2.0s)
    summary = check_fits(render_text(run_tables.summary(run, now), width), width, ("Task", "State", "Cost", "Result"))
    assert "$1.76" in summary and "Fixed the typos" in summary and "build-the-frontend" in summary
    assert "speed-up" not in summary and "Running for 20.0s" in summary
    runs = check_fits(render_text(run_tables.runs_table([run]), width), width, ("Run", "Status", "Cost"))
    assert "20260101-101010-abcd" in runs
    result = render_text(run_tables.result_table(run["tasks"][0], now), width)
    assert max(len(line) for line in lines_of(result)) <= width
    assert "opus-4-5 $0.01" in result and "12.5s, 3 turn(s)" in result
    if width == 160:
        assert "Bash: npm run build -- --mode production --outDir dist/very/long/path" in live


def test_a_finished_run_shows_its_speed_up() -> None:
    now = time.time()
    text = render_text(run_tables.summary(_run(now, status="finished"), now), 160)
    assert "speed-up" in text and "Running for" not in text
