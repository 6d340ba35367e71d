"""Forgetting finished runs: their rows, logs and worktrees (a worktree holding work is kept unless forced)."""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import orjson

from ccdeck.orchestrator import worktree
from ccdeck.orchestrator.interrupted import reconcile
from ccdeck.orchestrator.plan import worktrees_dir
from ccdeck.shapes.cli import CleanReport, KeptWorktree, RemovedWorktree
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store


@dataclass(frozen=True)
class WorktreeOutcome:
    """What became of a task's worktree: removed, or kept (`reason` says why)."""

    run: str
    task: str
    path: str
    branch: str | None
    reason: str | None = None

    def removed(self) -> RemovedWorktree:
        return RemovedWorktree(run=self.run, task=self.task, path=self.path, branch=self.branch)

    def kept(self) -> KeptWorktree:
        assert self.reason is not None
        return KeptWorktree(run=self.run, task=self.task, path=self.path, branch=self.branch, reason=self.reason)


@dataclass
class Cleaned:
    """What `clean` did: the runs forgotten, and what became of their worktrees."""

    runs: list[str] = field(default_factory=list)
    worktrees: list[WorktreeOutcome] = field(default_factory=list)

    def as_json(self) -> CleanReport:
        return CleanReport(removedRuns=self.runs,
                           removedWorktrees=[w.removed() for w in self.worktrees if w.reason is None],
                           keptWorktrees=[w.kept() for w in self.worktrees if w.reason is not None])  # fmt: skip


def _finished_runs(runs: list[run_queries.RunRow], older_than: float | None, now: float) -> list[run_queries.RunRow]:
    """Runs in a final state that ended (or, never started, were created) at least `older_than` seconds ago."""
    return [run for run in runs if run.status in q.RUN_FINAL_STATES
            and (older_than is None or now - (run.finished_at or run.created_at) >= older_than)]  # fmt: skip


def cleanable(store: Store, *, older_than: float | None = None) -> list[str]:
    """The ids of the runs `clean` would forget (the `clean` command's confirmation prompt names how many): runs
    whose supervisor is gone are recorded `interrupted` first, as `clean` does."""
    reconcile(store)
    with store.read() as conn:
        reader = SqlaReader(conn)
        return [run.id for run in _finished_runs(run_queries.list_runs(reader), older_than, time.time())]


def clean(store: Store, *, force: bool = False, older_than: float | None = None) -> CleanReport:
    """Forget finished runs (those that ended at least `older_than` seconds ago): their rows, logs and worktrees.
    A worktree holding commits or changes is kept, with its task's row, unless `force`."""
    reconcile(store)
    with store.read() as conn:
        reader = SqlaReader(conn)
        done = [
            (run, run_queries.tasks_of(reader, run.id))
            for run in _finished_runs(run_queries.list_runs(reader), older_than, time.time())
        ]
    cleaned = Cleaned()
    for run, tasks in done:
        outcomes = [_drop_worktree(run, t, force) for t in tasks if t.worktree]
        cleaned.worktrees += outcomes
        kept = {w.task for w in outcomes if w.reason is not None}
        if kept:  # the run stays, with the tasks whose worktree holds work, and its logs
            store.write(
                partial(q.delete_run, run_id=run.id, task_ids=[t.task_id for t in tasks if t.task_id not in kept])
            )
            continue
        store.write(partial(q.delete_run, run_id=run.id))
        shutil.rmtree(run.log_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            (worktrees_dir(store.target.resolved()) / run.id).rmdir()
        cleaned.runs.append(run.id)
    return cleaned.as_json()


def _drop_worktree(run: run_queries.RunRow, task: run_queries.TaskRow, force: bool) -> WorktreeOutcome:
    path = Path(task.worktree)
    outcome = WorktreeOutcome(run=run.id, task=task.task_id, path=task.worktree, branch=task.branch)
    try:
        if not force and task.base_commit and worktree.holds_work(path, task.base_commit):
            return replace(outcome, reason="holds commits or changes (use --force)")
        worktree.remove(Path(orjson.loads(task.spec)["cwd"]), path, task.branch, force=force)
    except worktree.GitError as exc:
        return replace(outcome, reason=str(exc))
    return outcome
