"""Results that are measured, not guessed: the JSON of a task and of a run, from their store rows.

Per task: what the CLI's result line said (text, turns, API time, `total_cost_usd`, tokens by model, permission
denials), what ccdeck measured (its own wall time, exit code, attempts), files changed and the worktree.
Per run: wall time, the sum of the tasks' times, speed-up (sum / wall), cost total and by model, success rate,
and the cache saving: what the cache reads would have cost at the uncached input price, minus what they cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ccdeck.claude.timestamps import iso
from ccdeck.models import Totals, sum_costs
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


def task_json(row: Row, log_dir: str | None = None, by_model: dict[str, Any] | None = None) -> RunTask:
    """`by_model`: the row's `model_usage`, when the caller has parsed it already."""
    spec = _loads(row.get("spec"), {})
    if by_model is None:
        by_model = _loads(row["model_usage"], {})
    worktree: TaskWorktree | None = None
    if row.get("worktree"):
        worktree = {"path": row["worktree"], "branch": row["branch"], "base": row.get("base_commit"),
                    "diffStat": _loads(row.get("diff_stat"), None)}  # fmt: skip
    logs: TaskLogs | None = None
    if log_dir:  # a stored, already normal path, and a checked task id: joined as strings (a Path per task costs more)
        base = f"{log_dir}/{row['task_id']}"
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


def run_json(run: Row, tasks: Sequence[Row], now: float, *, with_tasks: bool = True) -> Run:
    """The run's JSON from its row and its tasks' rows. Without `with_tasks` its `tasks` are left empty, and the
    task rows need only the columns of the run's figures (`SUMMED_COLUMNS`): for a caller that writes each task's
    JSON as it reads it (`fast_status`)."""
    started, finished = run["started_at"], run["finished_at"]
    wall = ((finished or now) - started) if started else None
    task_seconds = sum(t["seconds"] or 0.0 for t in tasks)
    counts = Counter(t["status"] for t in tasks)
    usages = [_loads(t["model_usage"], {}) for t in tasks]  # parsed once, for the totals and each task
    by_model = _by_model(usages)
    saving, unpriced = cache_saving(tasks, usages)
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
        "machine": run.get("machine") or "",
        "supervisorPid": run["supervisor_pid"],
        "stopRequested": run["stop_requested"] is not None,
        "logDir": run["log_dir"],
        "tasks": [task_json(t, run["log_dir"], usage) for t, usage in zip(tasks, usages, strict=True)]
        if with_tasks
        else [],
    }


# The `run_tasks` columns `run_json` sums into the run's figures.
SUMMED_COLUMNS = ("status", "seconds", "cost_usd", "cost_estimated", "started_at", "finished_at", "model_usage",
                  "cache_saving")  # fmt: skip


def _token_totals(models: Iterable[Mapping[str, Any]]) -> TokenFields:
    """The tokens of a task's (or run's) models, summed."""
    totals = Totals()
    for tokens in models:
        totals.add_json(tokens)
    return totals.fields()


def _by_model(usages: Sequence[Mapping[str, Any]]) -> dict[str, ModelUsage]:
    """Tokens and cost per model over the tasks' `model_usage` (a cost is None once any part is unpriced)."""
    merged: dict[str, Totals] = {}
    for usage in usages:
        for model, tokens in usage.items():
            merged.setdefault(model, Totals()).add_json(tokens)
    return {model: totals.as_json(rounded=False) for model, totals in merged.items()}


def cache_saving(
    tasks: Sequence[Row], usages: Sequence[Mapping[str, Any]] | None = None
) -> tuple[float | None, list[str]]:
    """USD the cache reads saved over the tasks (`usages`: their parsed `model_usage`): each task's figure as its
    row recorded it (`task_cache_saving`), or, in rows written before that, priced now. Models without a known
    price are listed, and make the saving unknown (None)."""
    if usages is None:
        usages = [_loads(t["model_usage"], {}) for t in tasks]
    saving, unpriced = 0.0, set()
    prices = _Prices()
    for task, usage in zip(tasks, usages, strict=True):
        if not usage:
            continue
        recorded = task.get("cache_saving")
        if recorded:
            found = orjson.loads(recorded)
            usd, missing = found["usd"], found["unpriced"]
        else:
            usd, missing = task_cache_saving(usage, task["finished_at"] or task["started_at"], prices)
        unpriced.update(missing)
        saving += usd or 0.0
    return (None if unpriced else saving), sorted(unpriced)


def task_cache_saving(usage: Mapping[str, Any], when: float | None, prices: _Prices | None = None
                      ) -> tuple[float | None, list[str]]:  # fmt: skip
    """One task's saving: each model's cache-read tokens at (input rate - cache-read rate) on the day the task
    ran (`when`: it ended, else started); None with the models that have no known price."""
    prices = prices or _Prices()
    saving, unpriced = 0.0, []
    for model, tokens in usage.items():
        rates = prices.at(model, when) if when is not None else None
        if rates is None:
            unpriced.append(model)
            continue
        saving += (tokens.get("cacheReadTokens") or 0) * (rates.input - rates.cache_read)
    return (None if unpriced else saving), sorted(unpriced)


def task_cache_saving_json(usage: Mapping[str, Any], when: float | None) -> str | None:
    """The `run_tasks.cache_saving` column of a task with these tokens (None while it has none)."""
    if not usage:
        return None
    usd, unpriced = task_cache_saving(usage, when)
    return orjson.dumps({"usd": usd, "unpriced": unpriced}).decode()


class _Prices:
    """Base-tier rates by (model, UTC day): prices change by the day at most."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], Rates | None] = {}

    def at(self, model: str, when: float) -> Rates | None:
        key = (model, datetime.fromtimestamp(when, UTC).date().isoformat())
        if key not in self.known:
            # Imported here: the price table costs a few hundred ms to load, and reading a run whose rows
            # recorded their saving never needs it.
            from ccdeck.claude.pricing import rates_at

            self.known[key] = rates_at(model, when)
        return self.known[key]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
