"""A run's figures from its rows: wall time, task time, speed-up, cost by model, success rate, cache saving."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from ccdeck.claude.pricing import rates_at
from ccdeck.orchestrator.report import cache_saving, run_json, task_cache_saving_json, task_json

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC).timestamp()
SONNET = "claude-sonnet-4-5"
UNKNOWN = "acme-llm-1"


def usage(cache_read: int, cost: float | None, inputs: int = 10) -> dict[str, Any]:
    return {"inputTokens": inputs, "outputTokens": 100, "cacheCreationTokens": 1000, "cacheReadTokens": cache_read,
            "totalTokens": inputs + 100 + 1000 + cache_read, "costUSD": cost}  # fmt: skip


def task_row(task_id: str, status: str, start: float, seconds: float | None, cost: float | None,
             models: dict[str, Any], **extra: Any) -> dict[str, Any]:  # fmt: skip
    row = {
        "run_id": "r1", "task_id": task_id, "status": status, "session_id": f"s-{task_id}", "exit_code": 0,
        "cost_usd": cost, "cost_estimated": False, "seconds": seconds, "api_seconds": None,
        "started_at": T0 + start if seconds is not None else None,
        "finished_at": T0 + start + seconds if seconds is not None else None, "num_turns": 2, "result": "ok",
        "permission_denials": "[]", "error": None, "subtype": "success", "terminal_reason": "completed",
        "api_error_status": None, "attempt": 1, "attempts": "[]", "spec": orjson.dumps({"prompt": "p"}).decode(),
        "cwd": "/w", "model_usage": orjson.dumps(models).decode(), "files_changed": "[]", "last_tool": None,
        "worktree": None, "pid": None, "config_dir": None,
    }  # fmt: skip
    return {**row, **extra}


RUN = {
    "id": "r1", "status": "finished", "created_at": T0 - 1, "started_at": T0, "finished_at": T0 + 10,
    "options": "{}", "claude_bin": "/bin/claude", "claude_version": "2.1.330", "detached": False,
    "supervisor_pid": 1, "stop_requested": None, "log_dir": "/logs/r1",
}  # fmt: skip


def test_run_figures() -> None:
    tasks = [
        task_row("a", "succeeded", 0, 6.0, 0.25, {SONNET: usage(20_000, 0.25)}),
        task_row("b", "succeeded", 2, 8.0, 0.5, {SONNET: usage(40_000, 0.4), "claude-haiku-4-5": usage(0, 0.1)}),
        task_row("c", "timed_out", 4, 5.0, 0.05, {SONNET: usage(0, 0.05)}, cost_estimated=True),
        task_row("d", "stopped", 0, None, None, {}),
    ]
    run = run_json(RUN, tasks, now=T0 + 100)

    assert (run["wallSeconds"], run["sumTaskSeconds"], run["speedup"]) == (10.0, 19.0, 1.9)
    assert run["costUSD"] == pytest.approx(0.8)
    assert run["costEstimated"] is True
    assert run["costByModel"] == {SONNET: pytest.approx(0.7), "claude-haiku-4-5": pytest.approx(0.1)}
    assert run["tokensByModel"][SONNET]["cacheReadTokens"] == 60_000
    assert run["tokens"]["cacheReadTokens"] == 60_000
    assert run["counts"] == {"succeeded": 2, "timed_out": 1, "stopped": 1}
    assert run["successRate"] == 0.5
    rates = rates_at(SONNET, T0)
    assert rates is not None
    assert run["cacheSavingUSD"] == pytest.approx(60_000 * (rates.input - rates.cache_read))
    assert run["cacheSavingUSD"] == pytest.approx(60_000 * 2.7e-6)  # $3/M input against $0.30/M cache reads
    assert run["unpricedModels"] == []
    assert [t["id"] for t in run["tasks"]] == ["a", "b", "c", "d"]
    assert run["tasks"][0]["logs"] == {"stream": "/logs/r1/a.jsonl", "stderr": "/logs/r1/a.stderr"}


def test_a_running_run_measures_wall_time_until_now() -> None:
    running = {**RUN, "status": "running", "finished_at": None}
    run = run_json(running, [task_row("a", "running", 0, 4.0, 0.1, {SONNET: usage(0, None)})], now=T0 + 4)
    assert (run["wallSeconds"], run["speedup"], run["successRate"]) == (4.0, 1.0, None)
    assert run["costByModel"] == {SONNET: None}


def test_unpriced_models_are_listed_never_zero() -> None:
    saving, unpriced = cache_saving([task_row("a", "succeeded", 0, 1.0, 0.0, {UNKNOWN: usage(5000, 0.0)})])
    assert (saving, unpriced) == (None, [UNKNOWN])
    mixed = [task_row("a", "succeeded", 0, 1.0, 0.0, {UNKNOWN: usage(5000, 0.0), SONNET: usage(1000, 0.1)})]
    saving, unpriced = cache_saving(mixed)
    assert saving is None  # a part unknown: the total is unknown, not the priced part passed off as the whole
    assert unpriced == [UNKNOWN]


def test_a_run_with_an_unpriced_task_costs_null_never_the_priced_part() -> None:
    tasks = [
        task_row("a", "succeeded", 0, 6.0, 0.25, {SONNET: usage(0, 0.25)}),
        task_row("b", "failed", 0, 6.0, None, {UNKNOWN: usage(0, None)}, cost_estimated=True),
        task_row("c", "queued", 0, None, None, {}),  # not started: no part of the total
    ]
    run = run_json(RUN, tasks, now=T0 + 100)
    assert run["costUSD"] is None
    assert run["costByModel"] == {SONNET: 0.25, UNKNOWN: None}
    assert run_json(RUN, [tasks[0], tasks[2]], now=T0 + 100)["costUSD"] == 0.25
    assert run_json(RUN, [tasks[2]], now=T0 + 100)["costUSD"] == 0.0


def test_task_json_has_the_contract_fields() -> None:
    task = task_json(task_row("a", "succeeded", 0, 6.0, 0.25, {SONNET: usage(10, 0.25)}), "/logs/r1")
    contract = {"id", "status", "sessionId", "exitCode", "costUSD", "durationSeconds", "startedAt", "finishedAt",
                "numTurns", "result", "permissionDenials"}  # fmt: skip
    assert task.keys() >= contract
    assert task["startedAt"] == "2026-03-02T12:00:00.000Z"  # the one timestamp format of every JSON output
    assert task["finishedAt"] == "2026-03-02T12:00:06.000Z"
    assert task["tokens"]["totalTokens"] == 10 + 100 + 1000 + 10


def test_a_recorded_saving_is_read_and_an_older_row_is_priced() -> None:
    """Rows the supervisor wrote carry their saving (priced then); rows from before it are priced when read,
    and both add up to the same figure."""
    models = {SONNET: usage(20_000, 0.25)}
    recorded = task_cache_saving_json(models, T0 + 6.0)
    assert recorded is not None
    assert orjson.loads(recorded) == {"usd": pytest.approx(20_000 * 2.7e-6), "unpriced": []}
    old = task_row("a", "succeeded", 0, 6.0, 0.25, models)
    new = task_row("b", "succeeded", 0, 6.0, 0.25, models, cache_saving=recorded)
    assert cache_saving([old])[0] == pytest.approx(cache_saving([new])[0])
    # What the row says is what counts: no price is looked up for it.
    told = task_row("c", "succeeded", 0, 6.0, 0.25, models, cache_saving='{"usd": 1.5, "unpriced": []}')
    assert cache_saving([told]) == (1.5, [])
    unknown = task_cache_saving_json({UNKNOWN: usage(5000, 0.0)}, T0)
    assert cache_saving([task_row("d", "succeeded", 0, 1.0, 0.0, {UNKNOWN: {}}, cache_saving=unknown)]) == (
        None,
        [UNKNOWN],
    )
    assert task_cache_saving_json({}, T0) is None  # no tokens yet: nothing to record
