"""The live monitor's signals: Claude Code's registry and background jobs, hooks, running processes, stored rows and
the clock change the live model; every change is published as `session.state` and fed to `Alerts`, whose alerts are
published as `alert` messages and handed to the `Notifier`, if any."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import anyio

from ccdeck.claude.hooks import HookSignal
from ccdeck.live.alerts import Alert, Alerts, SessionInfo
from ccdeck.live.hub import Hub
from ccdeck.live.model import Change
from ccdeck.live.notifier import Notifier
from ccdeck.live.processes import claude_processes
from ccdeck.live.shared import Shared
from ccdeck.live.sources import ExitWatch, job_files, read_job, read_registry
from ccdeck.live.views import Views, facts
from ccdeck.shapes import messages
from ccdeck.shapes.common import Run
from ccdeck.store import session_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

RECENT_SECONDS = 24 * 3600


class Signals:
    def __init__(
        self,
        store: Store,
        config_dirs: Sequence[Path],
        hub: Hub,
        views: Views,
        alerts: Alerts,
        notifier: Notifier | None,
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
        shared: Shared,
    ) -> None:
        self.store, self.config_dirs, self.hub, self.views = store, tuple(config_dirs), hub, views
        self.model, self.alerts, self.notifier = views.model, alerts, notifier
        self._spawn, self.shared = spawn, shared
        self._exits: ExitWatch | None = None
        self._clock_wake = asyncio.Event()
        self._flush_task: asyncio.Task[None] | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._exits = ExitWatch(loop, self._process_exited)

    def close(self) -> None:
        if self._exits is not None:
            self._exits.close()

    # Claude Code's live files ----------------------------------------------------------------------------------
    async def load_live_files(self) -> None:
        """Every registry entry and background job of every config dir, as they are now."""
        dirs = self.config_dirs
        registries = await asyncio.to_thread(lambda: {d: read_registry(d) for d in dirs})
        jobs = await asyncio.to_thread(lambda: [read_job(p, d) for d in dirs for p in job_files(d)])
        self._apply_files(registries, jobs)

    async def apply_live_files(self, live: dict[Path, tuple[str, Path]]) -> None:
        registry_dirs = {config_dir for kind, config_dir in live.values() if kind == "registry"}
        job_paths = [(path, config_dir) for path, (kind, config_dir) in live.items() if kind == "job"]
        registries = await asyncio.to_thread(lambda: {d: read_registry(d) for d in registry_dirs})
        jobs = await asyncio.to_thread(lambda: [read_job(p, d) for p, d in job_paths])
        self._apply_files(registries, jobs)

    def _apply_files(self, registries: dict[Path, list[Any]], jobs: list[Any]) -> None:
        now = time.time()
        changes = [c for d, entries in registries.items() for c in self._apply_registry(d, entries, now)]
        changes += [c for job in jobs if job is not None for c in self.model.apply_job(job, now)]
        self.apply(changes)

    def _apply_registry(self, config_dir: Path, entries: list[Any], now: float) -> list[Change]:
        assert self._exits is not None
        for entry, alive in entries:
            if alive:
                self._exits.watch(str(config_dir), entry.pid)
        self._exits.keep_only(str(config_dir), {entry.pid for entry, alive in entries if alive})
        return self.model.apply_registry(str(config_dir), entries, now)

    def _process_exited(self, config_dir: str, pid: int) -> None:
        self.apply(self.model.process_exited(config_dir, pid, time.time()))

    # hooks, runs, processes, stored rows, time -----------------------------------------------------------------
    def apply_hook(self, hook: HookSignal) -> None:
        """A hook event POSTed by Claude Code (see `POST /api/hooks`)."""
        now = time.time()
        changes = self.model.apply_hook(hook, now)
        if hook.failure is not None:  # before the changes: the failed turn's end is not also a `finished` alert
            self._note_live(hook.session_id)
            self.emit(self.alerts.observe_failure(hook.session_id, hook.failure, now))
        self.apply(changes)

    def observe_run(self, run: Run) -> None:
        """A run that changed (`RunsFeed`): it may have finished, or one of its tasks failed."""
        self.emit(self.alerts.observe_run(run, time.time()))

    async def check_processes(self) -> None:
        """Versions without a registry: which folders have a running claude (a slow check, on the rescan)."""
        if not any(t.registry_entry is None and t.transcript for t in self.model.sessions.values()):
            return
        processes = await asyncio.to_thread(claude_processes)
        cwds = frozenset(p.cwd for p in processes if p.cwd)
        self.apply(self.model.apply_processes(cwds, time.time()))

    async def load_recent(self) -> None:
        """Sessions whose state can change: recently active ones and those the live sources follow."""

        def read() -> list[Any]:
            with self.store.read() as conn:
                reader = SqlaReader(conn)
                ids = session_queries.recent_session_ids(
                    reader, time.time() - RECENT_SECONDS, list(self.model.sessions)
                )
                return session_queries.sessions_by_id(reader, ids)

        rows = await asyncio.to_thread(read)
        self.note_rows(rows)
        for row in rows:
            self.alerts.baseline_errors(row.session_id, row.api_errors)
        self.apply(self.model.apply_transcripts([facts(row) for row in rows], time.time()))
        await self.check_processes()

    async def clock(self, stopping: anyio.Event) -> None:
        """Time alone turns a waiting session idle and ends a quiet legacy one: wake exactly then."""
        while not stopping.is_set():
            due = self.model.next_due(time.time())
            self._clock_wake.clear()
            with anyio.move_on_after(max(0.0, due - time.time()) if due is not None else 3600.0):
                await self._clock_wake.wait()
            self.apply(self.model.tick(time.time()))

    def apply(self, changes: list[Change], share: bool = True) -> None:
        """Publish what changed in the model, wake the clock, and refresh the summary soon; the changes of this
        machine's own sessions are `share`d with the other machines of a shared database."""
        if not changes:
            return
        if share:
            self.shared.states_changed([c for c in changes if self.model.is_local(c.session_id)])
        counts = self.model.counts()
        now = time.time()
        for change in changes:
            self.hub.publish(messages.SessionStateMessage(
                type="session.state", sessionId=change.session_id, **change.view.as_json(),
                previous=change.previous.state, active=counts))  # fmt: skip
            self._note_live(change.session_id)
            self.emit(self.alerts.observe(change, now))
        self._clock_wake.set()
        self.views.summary_soon()

    # alerts ----------------------------------------------------------------------------------------------------
    def emit(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            self.hub.publish(messages.AlertMessage(type="alert", alert=alert.as_json()))
            if self.notifier is not None:
                self.notifier.send(alert)
        due = self.alerts.next_flush()
        if due is not None and (self._flush_task is None or self._flush_task.done()):
            self._flush_task = self._spawn(self._flush_at(due))

    async def _flush_at(self, due: float) -> None:
        """Past the rate limit, alerts are held: their summary goes out when the minute is over."""
        await asyncio.sleep(max(0.0, due - time.time()) + 0.01)
        self._flush_task = None
        self.emit(self.alerts.flush(time.time()))

    def note_rows(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.alerts.info[row.session_id] = SessionInfo(row.project_path, row.git_branch, row.title)

    def _note_live(self, session_id: str) -> None:
        """A session known only from the registry or a hook so far: name it by its folder."""
        tracked = self.model.sessions.get(session_id)
        if session_id in self.alerts.info or tracked is None or tracked.registry_entry is None:
            return
        entry = tracked.registry_entry
        self.alerts.info[session_id] = SessionInfo(entry.cwd, None, entry.name)
