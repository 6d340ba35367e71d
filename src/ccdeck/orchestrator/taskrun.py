"""One task's life inside a supervisor: its attempts, what the current attempt's stream says, how it is to stop,
and the `run_tasks` row all of that makes (the same columns whether the task is running or done)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ccdeck.claude.pricing import Pricer
from ccdeck.models import Totals, sum_costs
from ccdeck.orchestrator.events import Outcome, StreamState
from ccdeck.orchestrator.report import task_cache_saving_json
from ccdeck.orchestrator.spec import TaskSpec
from ccdeck.orchestrator.worktree import Worktree
from ccdeck.store.runs import QUEUED


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass
class AttemptRecord:
    """A finished attempt: one `claude -p` process from start to exit."""

    number: int
    session_id: str
    status: str
    error: str | None
    exit_code: int | None
    started_at: float
    seconds: float
    cost_usd: float | None
    cost_estimated: bool
    api_seconds: float | None
    api_error_status: int | None
    tokens: dict[str, Totals]
    pid: int | None = None
    # ccdeck's own share of the attempt's time: before the process started, and after its exit was seen.
    spawn_seconds: float | None = None
    drain_seconds: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "sessionId": self.session_id,
            "status": self.status,
            "error": self.error,
            "exitCode": self.exit_code,
            "startedAt": self.started_at,
            "seconds": round(self.seconds, 3),
            "costUSD": self.cost_usd,
            "costEstimated": self.cost_estimated,
            "apiErrorStatus": self.api_error_status,
            "pid": self.pid,
            "spawnSeconds": _round(self.spawn_seconds),
            "drainSeconds": _round(self.drain_seconds),
        }


@dataclass
class TaskRun:
    spec: TaskSpec
    status: str = QUEUED
    cwd: str = ""
    session_id: str | None = None
    pid: int | None = None
    pid_started: float | None = None
    exit_code: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    attempt_started: float | None = None
    error: str | None = None
    state: StreamState = field(default_factory=StreamState)
    attempts: list[AttemptRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # written by earlier attempts
    worktree: Worktree | None = None
    diff_stat: dict[str, Any] | None = None
    stop_reason: str | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    dirty: bool = True

    def __post_init__(self) -> None:
        self.cwd = self.cwd or self.spec.cwd

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def attempt(self) -> int:
        return len(self.attempts) + (1 if self.attempt_started is not None else 0)

    @property
    def stopping(self) -> bool:
        return self.stop_reason is not None

    def request_stop(self, reason: str) -> bool:
        """Ask this task to stop; False when it was already asked or is done."""
        if self.stop_reason is not None or self.finished_at is not None:
            return False
        self.stop_reason = reason
        self.stop_event.set()
        return True

    def begin_attempt(self, session_id: str, now: float) -> None:
        self.session_id = session_id
        self.state = StreamState()
        self.attempt_started = now
        self.started_at = self.started_at or now
        self.exit_code = self.pid = self.pid_started = None
        self.dirty = True

    def end_attempt(
        self, outcome: Outcome, pricer: Pricer, now: float, spawned_at: float | None = None,
        exited_at: float | None = None,
    ) -> AttemptRecord:  # fmt: skip
        assert self.session_id is not None and self.attempt_started is not None
        cost, estimated = self.state.cost(pricer, now)
        result = self.state.result or {}
        api_ms = result.get("duration_api_ms")
        status = result.get("api_error_status")
        record = AttemptRecord(
            number=len(self.attempts) + 1,
            session_id=self.session_id,
            status=outcome.status,
            error=outcome.error,
            exit_code=self.exit_code,
            started_at=self.attempt_started,
            seconds=now - self.attempt_started,
            cost_usd=cost,
            cost_estimated=estimated,
            api_seconds=api_ms / 1000 if isinstance(api_ms, int | float) else None,
            api_error_status=status if isinstance(status, int) else None,
            tokens=self.state.tokens_by_model(),
            pid=self.pid,
            spawn_seconds=spawned_at - self.attempt_started if spawned_at is not None else None,
            drain_seconds=now - exited_at if exited_at is not None else None,
        )
        self.attempts.append(record)
        self.files += [f for f in self.state.files_changed if f not in self.files]
        self.attempt_started = None
        self.pid = self.pid_started = None
        self.dirty = True
        return record

    def finish(self, outcome: Outcome, now: float) -> None:
        self.status, self.error = outcome.status, outcome.error
        self.finished_at = now
        self.dirty = True

    # The row --------------------------------------------------------------------------------------------------

    def _live_attempt(self, pricer: Pricer, now: float) -> AttemptRecord | None:
        if self.attempt_started is None or self.session_id is None:
            return None
        cost, estimated = self.state.cost(pricer, now)
        return AttemptRecord(
            len(self.attempts) + 1, self.session_id, self.status, None, None, self.attempt_started,
            now - self.attempt_started, cost, estimated, None, None, self.state.tokens_by_model(),
        )  # fmt: skip

    def row(self, pricer: Pricer, now: float) -> dict[str, Any]:
        """The task's `run_tasks` columns now: totals over its attempts, the current one included."""
        live = self._live_attempt(pricer, now)
        attempts = [*self.attempts, *([live] if live else [])]
        tokens: dict[str, Totals] = {}
        for attempt in attempts:
            for model, t in attempt.tokens.items():
                tokens.setdefault(model, Totals()).merge(t)
        usage = {model: t.as_json(rounded=False) for model, t in tokens.items()}
        costs = [a.cost_usd for a in attempts]
        api = [a.api_seconds for a in attempts if a.api_seconds is not None]
        result = self.state.result or {}
        last = self.attempts[-1] if self.attempts and live is None else None
        return {
            "status": self.status,
            "cwd": self.cwd,
            "attempt": len(attempts),
            "attempts": dumps([a.as_json() for a in self.attempts]),
            "session_id": self.session_id,
            "pid": self.pid,
            "pid_started": self.pid_started,
            "exit_code": last.exit_code if last else self.exit_code,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": sum(a.seconds for a in attempts) if attempts else None,
            "api_seconds": sum(api) if api else None,
            "num_turns": self.state.turns if attempts else None,
            "cost_usd": sum_costs(costs) if costs else None,  # not started: nothing known yet
            "cost_estimated": any(a.cost_estimated for a in attempts),
            "total_tokens": sum(t.total for t in tokens.values()),
            "model_usage": dumps(usage),
            "cache_saving": task_cache_saving_json(usage, self.finished_at or self.started_at),
            "result": result.get("result") if isinstance(result.get("result"), str) else None,
            "subtype": result.get("subtype"),
            "terminal_reason": result.get("terminal_reason"),
            "api_error_status": result.get("api_error_status"),
            "permission_denials": dumps(self.state.denials),
            "files_changed": dumps(self._files_changed()),
            "last_tool": self.state.last_tool,
            "error": self.error,
            "worktree": str(self.worktree.path) if self.worktree else None,
            "branch": self.worktree.branch if self.worktree else None,
            "base_commit": self.worktree.base if self.worktree else None,
            "diff_stat": dumps(self.diff_stat) if self.diff_stat is not None else None,
        }

    def _files_changed(self) -> list[str]:
        if self.diff_stat is not None and self.worktree is not None:
            # In a worktree git knows every change, Bash's included: more than the stream shows.
            return [str(self.worktree.path / f["path"]) for f in self.diff_stat["files"]]
        return [*self.files, *(f for f in self.state.files_changed if f not in self.files)]


def log_paths(log_dir: Path, task_id: str) -> tuple[Path, Path]:
    """The raw stdout stream and the stderr log of a task (every attempt appends to both)."""
    return log_dir / f"{task_id}.jsonl", log_dir / f"{task_id}.stderr"


def now() -> float:
    return time.time()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
