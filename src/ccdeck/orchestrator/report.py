"""Results that are measured, not guessed: the JSON of a task and of a run, from their store rows.

Per task: what the CLI's result line said (text, turns, API time, `total_cost_usd`, tokens by model, permission
denials), what ccdeck measured (its own wall time, exit code, attempts), files changed and the worktree.
Per run: wall time, the sum of the tasks' times, speed-up (sum / wall), cost total and by model, success rate,
and the cache saving: what the cache reads would have cost at the uncached input price, minus what they cost.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ccdeck.claude.timestamps import iso
from ccdeck.models import sum_costs
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.shapes.common import ModelUsage, Run, RunTask, TaskLogs, TaskWorktree, TokenFields
from ccdeck.store.run_states import FINAL_STATES

if TYPE_CHECKING:
    from ccdeck.claude.pricing import Rates

Json = dict[str, Any]
PROMPT_PREVIEW_CHARS = 200  # of each task's prompt in run lists and pushed updates (`with_prompt_previews`)
Row = Mapping[Any, Any]  # a `run_tasks` / `runs` row's mapping, or a dict with the same keys


def _loads(text: str | None, default: Any) -> Any:
    return default if not text else orjson.loads(text)


def task_json(row: Row, log_dir: str | None = None) -> RunTask:
    spec = _loads(row.get("spec"), {})
    by_model = _loads(row["model_usage"], {})
    worktree: TaskWorktree | None = None
    if row.get("worktree"):
        worktree = {"path": row["worktree"], "branch": row["branch"], "base": row.get("base_commit"),
                    "diffStat": _loads(row.get("diff_stat"), None)}  # fmt: skip
    logs: TaskLogs | None = None
    if log_dir:  # a stored, already normal path: joined as a string (a Path per task costs more than the rest)
        base = os.path.join(log_dir, row["task_id"])  # noqa: PTH118
        logs = {"stream": base + ".jsonl", "stderr": base + ".stderr"}
    return {
        "id": row["task_id"],
        "runId": row["run_id"],
        "status": row["status"],
        "sessionId": row["session_id"],
        "exitCode": row["exit_code"],
        "costUSD": row["cost_usd"],
        "costEstimated": bool(row["cost_estimated"]),
        "durationSeconds": _round(row["seconds"]),
        "apiDurationSeconds": _round(row["api_seconds"]),
        "startedAt": iso(row["started_at"]),
        "finishedAt": iso(row["finished_at"]),
        "numTurns": row["num_turns"],
        "result": row["result"],
        "permissionDenials": _loads(row["permission_denials"], []),
        "error": row["error"],
        "subtype": row["subtype"],
        "terminalReason": row["terminal_reason"],
        "apiErrorStatus": row["api_error_status"],
        "attempt": row["attempt"],
        "attempts": _loads(row["attempts"], []),
        "model": spec.get("model"),
        "prompt": spec.get("prompt"),
        "promptChars": len(spec["prompt"]) if isinstance(spec.get("prompt"), str) else None,
        "promptTruncated": False,
        "cwd": row["cwd"],
        "configDir": row.get("config_dir"),
        "tokens": _token_totals(by_model.values()),
        "tokensByModel": by_model,
        "filesChanged": _loads(row["files_changed"], []),
        "lastTool": row["last_tool"],
        "worktree": worktree,
        "pid": row["pid"],
        "stopRequested": row.get("stop_requested") is not None,
        "logs": logs,
    }


def with_prompt_previews(run: Run, limit: int = PROMPT_PREVIEW_CHARS) -> Run:
    """The run with each task's prompt cut to its first `limit` characters (then `promptTruncated`), for what is
    sent again and again: run lists and every `run.updated` (a 10 MB prompt would go out on each progress
    flush). `promptChars` keeps the whole length; the run's own JSON (`GET /api/runs/{id}`) the whole prompt."""
    tasks: list[RunTask] = [
        {**task, "prompt": prompt[:limit], "promptTruncated": True}
        if isinstance(prompt := task["prompt"], str) and len(prompt) > limit
        else task
        for task in run["tasks"]
    ]
    return {**run, "tasks": tasks}


def run_json(run: Row, tasks: Sequence[Row], now: float) -> Run:
    started, finished = run["started_at"], run["finished_at"]
    wall = ((finished or now) - started) if started else None
    task_seconds = sum(t["seconds"] or 0.0 for t in tasks)
    counts = Counter(t["status"] for t in tasks)
    by_model = _by_model(tasks)
    saving, unpriced = cache_saving(tasks)
    done = sum(n for status, n in counts.items() if status in FINAL_STATES)
    return {
        "id": run["id"],
        "status": run["status"],
        "createdAt": iso(run["created_at"]),
        "startedAt": iso(started),
        "finishedAt": iso(finished),
        "wallSeconds": _round(wall),
        "sumTaskSeconds": _round(task_seconds),
        "speedup": round(task_seconds / wall, 2) if wall else None,
        "costUSD": sum_costs(t["cost_usd"] for t in tasks if t["started_at"] is not None),
        "costEstimated": any(t["cost_estimated"] for t in tasks),
        "costByModel": {model: tokens["costUSD"] for model, tokens in by_model.items()},
        "tokens": _token_totals(by_model.values()),
        "tokensByModel": by_model,
        "cacheSavingUSD": saving,
        "unpricedModels": unpriced,
        "successRate": round(counts["succeeded"] / done, 4) if done else None,
        "counts": dict(counts),
        "options": RunOptions.from_json(_loads(run["options"], {})).public(),
        "claudeBin": run["claude_bin"],
        "claudeVersion": run["claude_version"],
        "detached": bool(run["detached"]),
        "supervisorPid": run["supervisor_pid"],
        "stopRequested": run["stop_requested"] is not None,
        "logDir": run["log_dir"],
        "tasks": [task_json(t, run["log_dir"]) for t in tasks],
    }


TOKEN_KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens")


def _token_totals(models: Any) -> TokenFields:
    totals = dict.fromkeys(TOKEN_KEYS, 0)
    for tokens in models:
        for key in TOKEN_KEYS:
            totals[key] += tokens.get(key) or 0
    return TokenFields(inputTokens=totals["inputTokens"], outputTokens=totals["outputTokens"],
                       cacheCreationTokens=totals["cacheCreationTokens"], cacheReadTokens=totals["cacheReadTokens"],
                       totalTokens=totals["totalTokens"])  # fmt: skip


def _by_model(tasks: Sequence[Row]) -> dict[str, ModelUsage]:
    """Tokens and cost per model over the tasks (a cost is None once any part is unpriced)."""
    merged: dict[str, Json] = {}
    for task in tasks:
        for model, tokens in _loads(task["model_usage"], {}).items():
            into = merged.setdefault(model, {**dict.fromkeys(TOKEN_KEYS, 0), "costUSD": 0.0})
            for key in TOKEN_KEYS:
                into[key] += tokens.get(key) or 0
            into["costUSD"] = sum_costs((into["costUSD"], tokens.get("costUSD")))
    return {model: {**_token_totals([into]), "costUSD": into["costUSD"]} for model, into in merged.items()}


def cache_saving(tasks: Sequence[Row]) -> tuple[float | None, list[str]]:
    """USD the cache reads saved: each model's cache-read tokens at (input rate - cache-read rate), on the day the
    task ran. Models without a known price are listed, and make the saving unknown (None)."""
    saving, unpriced = 0.0, set()
    known: dict[tuple[str, str], Rates | None] = {}  # (model, UTC day): prices change by the day at most
    for task in tasks:
        when = task["finished_at"] or task["started_at"]
        for model, tokens in _loads(task["model_usage"], {}).items():
            reads = tokens.get("cacheReadTokens") or 0
            rates = None
            if when is not None:
                key = (model, datetime.fromtimestamp(when, UTC).date().isoformat())
                if key not in known:
                    # Imported here: the price table costs a few hundred ms to load, and a run with no tokens
                    # (all queued) never needs it.
                    from ccdeck.claude.pricing import rates_at

                    known[key] = rates_at(model, when)
                rates = known[key]
            if rates is None:
                unpriced.add(model)
                continue
            saving += reads * (rates.input - rates.cache_read)
    return (None if unpriced else saving), sorted(unpriced)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
