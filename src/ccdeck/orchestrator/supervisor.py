"""The supervisor of many: one run's tasks, at most `max_parallel` at once, each bounded by its own timer.

- A semaphore bounds parallelism; starts are at least `stagger_s` apart, so the API never sees a burst (`pacing`).
- Each attempt's deadline is its own timer, armed the moment its process starts: a task times out on time
  whatever else is queued or running.
- A 429/529 result is retried with a jittered exponential back-off, up to `retries` more attempts.
- Stops come from three places and end the same way (SIGINT, grace, SIGTERM, SIGKILL to the task's group and
  to its strays, the processes that left the group but carry its `CCDECK_TASK` marker; see `procs`):
  `stop()` in this process (the CLI's signal handlers, a web layer), and stop requests another process wrote
  into the store (`ccdeck stop`, `ccdeck stop-all`), polled every `run_recorder.POLL_SECONDS`.
- Progress (turns, tokens, cost so far, last tool) is written to the store every `run_recorder.FLUSH_SECONDS`;
  state changes at once. Every write goes through the store's writer thread without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ccdeck.claude import pricing
from ccdeck.claude.pricing import Pricer
from ccdeck.orchestrator import procs, worktree
from ccdeck.orchestrator.child import Child, child_env, claude_argv
from ccdeck.orchestrator.events import TIMEOUT, Outcome, classify
from ccdeck.orchestrator.pacing import Pacer, wait_unless_stopped
from ccdeck.orchestrator.run_recorder import RunRecorder
from ccdeck.orchestrator.spec import RunOptions, TaskSpec
from ccdeck.orchestrator.taskrun import TaskRun, dumps, log_paths, now
from ccdeck.pids import start_time
from ccdeck.store import runs as q
from ccdeck.store.store import Store

log = logging.getLogger(__name__)

STOPPED_ON_REQUEST = "stopped on request"


class Supervisor:
    """Runs the tasks of one run that is already in the store (see `control.create_run`)."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        specs: Sequence[TaskSpec],
        options: RunOptions,
        claude_bin: str,
        log_dir: Path,
        worktree_dir: Path,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.store, self.run_id, self.options = store, run_id, options
        self.claude_bin, self.log_dir, self.worktree_dir = claude_bin, log_dir, worktree_dir
        self.environ = dict(os.environ if environ is None else environ)
        self.tasks = [TaskRun(spec) for spec in specs]
        self.pricer = Pricer()
        self.stop_reason: str | None = None  # set when the whole run is being stopped
        self.signal_received: signal.Signals | None = None
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.recorder = RunRecorder(store, run_id, self.pricer)
        self._pacer = Pacer(options.max_parallel, options.stagger_s, options.retry_base_s)
        self._done = asyncio.Event()
        self._by_id = {t.id: t for t in self.tasks}
        self._subreaper = False
        self._child_pids: set[int] = set()  # the tasks' own processes: their `Child` reaps them, never `reap_orphans`

    # Control, from this process ---------------------------------------------------------------------------------

    def stop(self, task_id: str | None = None, reason: str = STOPPED_ON_REQUEST) -> bool:
        """Stop one task, or (`task_id` None) every task and the run. Safe to call from the event loop only."""
        if task_id is not None:
            task = self._by_id.get(task_id)
            return task is not None and task.request_stop(reason)
        if self.stop_reason is None:
            self.stop_reason = reason
            log.info("run %s: stopping every task (%s)", self.run_id, reason)
        reached = [t.request_stop(reason) for t in self.tasks]  # every task, not only up to the first
        return any(reached)

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM stop every task the polite way; their states are recorded before the run ends."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        self.signal_received = self.signal_received or sig
        self.stop(None, f"supervisor received {sig.name}")

    def rows(self) -> list[dict[str, Any]]:
        """Every task's current row (for a live view), without touching the store."""
        at = now()
        return [
            {"task_id": t.id, "run_id": self.run_id, "spec": dumps(t.spec.as_json()), **t.row(self.pricer, at)}
            for t in self.tasks
        ]

    # The run ---------------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Run every task to a final state; the run's row ends `finished` or `stopped`."""
        # Load the price table now, in a thread, rather than in the middle of the first progress flush.
        await asyncio.to_thread(pricing.warm, now())
        # A task's `setsid` daemon whose parent exits becomes our child, not init's: still ours to find and end.
        self._subreaper = procs.become_subreaper()
        self.started_at = now()
        pid = os.getpid()
        await self.recorder.run_changed(status="running", started_at=self.started_at, supervisor_pid=pid,
                                        supervisor_started=start_time(pid))  # fmt: skip
        helpers = [asyncio.create_task(self.recorder.poll_stop_requests(self._on_stop_requests, self._done)),
                   asyncio.create_task(self.recorder.flush_progress(self.tasks, self._done))]  # fmt: skip
        try:
            await asyncio.gather(*(self._run_task(t) for t in self.tasks))
        finally:
            self._done.set()
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            self.finished_at = now()
            await self.recorder.flush(self.tasks)
            status = "stopped" if self.stop_reason is not None else "finished"
            await self.recorder.run_changed(status=status, finished_at=self.finished_at)
            log.info("run %s %s", self.run_id, status)

    async def _run_task(self, task: TaskRun) -> None:
        try:
            outcome = await self._attempts(task)
        except Exception as exc:  # a supervisor bug must not leave the task "running" for ever
            log.exception("task %s: unexpected error", task.id)
            outcome = Outcome("failed", f"internal error: {exc!r}")
        await self._finish(task, outcome)

    async def _attempts(self, task: TaskRun) -> Outcome:
        retries_left = self.options.retries
        while True:
            if not await self._pacer.acquire_slot(task):
                return Outcome("stopped", task.stop_reason)
            try:
                outcome = await self._one_attempt(task)
            finally:
                self._pacer.release_slot()
            if not outcome.retryable or retries_left <= 0 or task.stopping:
                return outcome
            retries_left -= 1
            if not await self._back_off(task, outcome):
                return Outcome("stopped", task.stop_reason)

    async def _back_off(self, task: TaskRun, outcome: Outcome) -> bool:
        """Queue the task again after a jittered exponential delay; False when it is stopped meanwhile."""
        tries = len(task.attempts)
        delay = self._pacer.backoff_seconds(tries)
        log.info("task %s: %s; attempt %d in %.1f s", task.id, outcome.error, tries + 1, delay)
        task.status, task.error = q.QUEUED, f"{outcome.error}; retrying in {delay:.0f} s"
        await self.recorder.save(task)
        await wait_unless_stopped(task, delay)
        return not task.stopping

    async def _one_attempt(self, task: TaskRun) -> Outcome:
        if not await self._pacer.stagger(task):
            return Outcome("stopped", task.stop_reason)
        if task.spec.worktree and task.worktree is None:
            failure = await self._make_worktree(task)
            if failure is not None:
                return failure
        session_id = str(uuid.uuid4())
        stream_path, stderr_path = log_paths(self.log_dir, task.id)
        spec = task.spec
        env = child_env(spec, self.environ, marker=procs.task_marker(self.run_id, task.id))
        argv = claude_argv(self.claude_bin, spec, session_id, self.options.hooks_settings())
        child = Child(argv, env, task.cwd, spec.prompt, stream_path,
                      stderr_path, lambda event: self._on_event(task, event),
                      strays_in_descendants=self._subreaper)  # fmt: skip
        task.begin_attempt(session_id, now())
        try:
            await child.start()
        except OSError as exc:
            task.end_attempt(Outcome("failed"), self.pricer, now())
            return Outcome("failed", f"cannot start {self.claude_bin}: {exc.strerror or exc}")
        task.status, task.pid, task.pid_started, task.error = q.RUNNING, child.pid, child.started_at, None
        self._child_pids.add(child.pid)
        log.info("task %s: attempt %d started, pid %d, session %s", task.id, task.attempt, child.pid, session_id)
        try:
            await self.recorder.save(task)
            stop_reason = await self._watch(task, child)
        finally:
            if child.running:  # something failed (or we are cancelled): never leave a process unsupervised
                log.warning("task %s: stopping pid %d after an error", task.id, child.pid)
                await asyncio.shield(child.terminate(self.options.grace_s))
            await child.finish()
            self._child_pids.discard(child.pid)
            if self._subreaper:
                procs.reap_orphans(self._child_pids)
        task.exit_code = child.exit_code
        outcome = classify(task.state.result, child.exit_code, stop_reason, child.stderr_tail())
        if outcome.status == "timed_out":
            outcome = Outcome("timed_out", f"timed out after {spec.timeout_s:g} s")
        task.end_attempt(outcome, self.pricer, now(), child.spawned_at, child.exited_at)
        log.info("task %s: attempt %d %s (exit %s)", task.id, task.attempt, outcome.status, child.exit_code)
        return outcome

    async def _watch(self, task: TaskRun, child: Child) -> str | None:
        """Wait for the process to exit, its deadline, or a stop request. Returns why ccdeck stopped it, or None
        when it ended by itself or had printed its result before the signal (then the result decides)."""
        assert task.attempt_started is not None
        left = task.attempt_started + task.spec.timeout_s - now()  # the timer runs from the process's start
        exited = asyncio.ensure_future(child.wait_exit(None))
        stopped = asyncio.ensure_future(task.stop_event.wait())
        try:
            await asyncio.wait({exited, stopped}, timeout=max(0.0, left), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if exited.done():
            return None
        reason = task.stop_reason if task.stop_event.is_set() else TIMEOUT
        had_result = task.state.result is not None
        log.info("task %s: %s; stopping pid %d", task.id, reason, child.pid)
        await child.terminate(self.options.grace_s)
        exited.cancel()
        return None if had_result else reason

    async def _make_worktree(self, task: TaskRun) -> Outcome | None:
        dest = self.worktree_dir / task.id
        try:
            made = await asyncio.to_thread(worktree.create, Path(task.spec.cwd), self.run_id, task.id, dest)
        except worktree.GitError as exc:
            return Outcome("failed", str(exc))
        task.worktree, task.cwd, task.dirty = made, str(made.cwd), True
        log.info("task %s: worktree %s on %s", task.id, made.path, made.branch)
        return None

    async def _finish(self, task: TaskRun, outcome: Outcome) -> None:
        if task.worktree is not None:
            try:
                task.diff_stat = await asyncio.to_thread(worktree.diff_stat, task.worktree.path, task.worktree.base)
            except worktree.GitError as exc:
                log.warning("task %s: no diff stat: %s", task.id, exc)
        task.finish(outcome, now())
        await self.recorder.save(task)

    def _on_event(self, task: TaskRun, event: dict[str, Any]) -> None:
        task.state.feed(event)
        task.dirty = True

    def _on_stop_requests(self, whole_run: bool, task_ids: list[str]) -> None:
        """Stop requests another process wrote into the store."""
        if whole_run and self.stop_reason is None:
            self.stop(None, STOPPED_ON_REQUEST)
        for task_id in task_ids:
            self.stop(task_id, STOPPED_ON_REQUEST)
