"""Forgetting finished runs: their rows, logs and worktrees (a worktree holding work is kept unless forced)."""

from __future__ import annotations

import contextlib
import shutil
import time
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Row

from ccdeck.orchestrator import worktree
from ccdeck.orchestrator.interrupted import reconcile
from ccdeck.orchestrator.plan import worktrees_dir
from ccdeck.shapes.cli import CleanReport, KeptWorktree, RemovedWorktree
from ccdeck.store import runs as q
from ccdeck.store.store import Store


def _finished_runs(conn: Connection, older_than: float | None, now: float) -> list[Row[Any]]:
    """Runs in a final state that ended (or, never started, were created) at least `older_than` seconds ago."""
    return [run for run in q.list_runs(conn) if run.status in q.RUN_FINAL_STATES
            and (older_than is None or now - (run.finished_at or run.created_at) >= older_than)]  # fmt: skip


def cleanable(store: Store, *, older_than: float | None = None) -> list[str]:
    """The ids of the runs `clean` would forget (the `clean` command's confirmation prompt names how many): runs
    whose supervisor is gone are recorded `interrupted` first, as `clean` does."""
    reconcile(store)
    with store.read() as conn:
        return [run.id for run in _finished_runs(conn, older_than, time.time())]


def clean(store: Store, *, force: bool = False, older_than: float | None = None) -> CleanReport:
    """Forget finished runs (those that ended at least `older_than` seconds ago): their rows, logs and worktrees.
    A worktree holding commits or changes is kept, with its task's row, unless `force`."""
    reconcile(store)
    with store.read() as conn:
        done = [(run, q.tasks_of(conn, run.id)) for run in _finished_runs(conn, older_than, time.time())]
    report = CleanReport(removedRuns=[], removedWorktrees=[], keptWorktrees=[])
    for run, tasks in done:
        kept = {t.task_id for t in tasks if t.worktree and not _drop_worktree(run, t, force, report)}
        if kept:  # the run stays, with the tasks whose worktree holds work, and its logs
            store.write(
                partial(q.delete_run, run_id=run.id, task_ids=[t.task_id for t in tasks if t.task_id not in kept])
            )
            continue
        store.write(partial(q.delete_run, run_id=run.id))
        shutil.rmtree(run.log_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            (worktrees_dir(store.path.resolve()) / run.id).rmdir()
        report["removedRuns"].append(run.id)
    return report


def _drop_worktree(run: Row[Any], task: Row[Any], force: bool, report: CleanReport) -> bool:
    path = Path(task.worktree)
    entry = RemovedWorktree(run=run.id, task=task.task_id, path=task.worktree, branch=task.branch)
    try:
        if not force and task.base_commit and worktree.holds_work(path, task.base_commit):
            report["keptWorktrees"].append(_kept(entry, "holds commits or changes (use --force)"))
            return False
        worktree.remove(Path(orjson.loads(task.spec)["cwd"]), path, task.branch, force=force)
    except worktree.GitError as exc:
        report["keptWorktrees"].append(_kept(entry, str(exc)))
        return False
    report["removedWorktrees"].append(entry)
    return True


def _kept(entry: RemovedWorktree, reason: str) -> KeptWorktree:
    return KeptWorktree(run=entry["run"], task=entry["task"], path=entry["path"], branch=entry["branch"],
                        reason=reason)  # fmt: skip
