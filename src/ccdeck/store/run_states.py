"""The states of runs and tasks, without the store's imports: `ccdeck status` reads them on its fast path."""

from __future__ import annotations

# The states a task can be in. The first two are not final: a supervisor still owes the task an outcome.
QUEUED, RUNNING = "queued", "running"
FINAL_STATES = frozenset({"succeeded", "failed", "timed_out", "budget_exceeded", "max_turns", "stopped"})
ACTIVE_STATES = frozenset({QUEUED, RUNNING})
# A run is `queued` until its supervisor has recorded itself, then `running`, then one of the final states.
# `interrupted`: its supervisor is gone (`orchestrator.interrupted`).
INTERRUPTED = "interrupted"
RUN_FINAL_STATES = frozenset({"finished", "stopped", INTERRUPTED})
