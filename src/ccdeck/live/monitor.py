"""The live monitor: catch-up scan, file watching, Claude Code's live signals, and what the hub is told.

Owned by the web app's lifespan (or `ccdeck watch`). Everything that changes the live model runs on the event loop;
blocking work (ingest, reading live files, process scans, database reads) runs in worker threads and hands its
result back to the loop. Ingest runs one scan at a time; every committed batch comes back to the loop, which
publishes `session.updated`, `usage.point` and `session.state` messages, and a fresh `summary` shortly after.
The same changes (and run updates, hook failures, API error streaks) feed `Alerts`: each alert is published as an
`alert` message and handed to the `Notifier`, if any, which sends it from its own thread.
Background tasks are supervised: a failure is logged, shown by `/api/health` as `degraded`, and retried.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio

from ccdeck import __version__
from ccdeck.claude import pricing
from ccdeck.claude.hooks import HookSignal
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.ingest.watcher import FILE_SUFFIXES, changed_files
from ccdeck.live.alerts import Alert, Alerts, SessionInfo
from ccdeck.live.hub import Hub
from ccdeck.live.model import Change, LiveModel, TranscriptFacts
from ccdeck.live.notifier import Notifier
from ccdeck.live.processes import claude_processes
from ccdeck.live.sources import ExitWatch, job_files, live_file_kind, read_job, read_registry
from ccdeck.reports.session_report import session_json
from ccdeck.reports.summary import stored_summary
from ccdeck.shapes import messages
from ccdeck.shapes.api import Health
from ccdeck.shapes.common import LiveUsagePoint, Run, ScanProgress, SessionRow, StoredSummary, Summary
from ccdeck.store import queries
from ccdeck.store.rows import BatchResult
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
SUMMARY_DELAY = 0.1  # coalesce a burst of changes into one summary
RECENT_SECONDS = 24 * 3600
PROGRESS_LOG_SECONDS = 2.0
SNAPSHOT_RECENT = 50
POLL_SECONDS = 1.0
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
HEALTHY_AFTER = 5.0  # a restarted background task that runs this long is no longer reported as failing
STATUSLINE_POLL = 2.0  # how often to look for a new `ccdeck statusline` record (another process writes them)
BIG_BATCH = 100  # changed sessions or new responses in one batch above which clients get a snapshot instead


class ScanStopped(Exception):
    """Raised from the catch-up's progress callback once the monitor stops: the ingestor commits what it has
    parsed (with its cursors, so the next scan goes on from there) and returns at once."""


class Monitor:
    def __init__(
        self,
        store: Store,
        config_dirs: Sequence[Path],
        hub: Hub,
        *,
        idle_after: float,
        rescan_every: float,
        poll: bool = False,
        alerts: Alerts | None = None,
        notifier: Notifier | None = None,
        retry_seconds: Sequence[float] = RETRY_SECONDS,
        healthy_after: float = HEALTHY_AFTER,
    ) -> None:
        self.store = store
        self.config_dirs = tuple(config_dirs)
        self.hub = hub
        self.rescan_every = rescan_every
        self.poll = poll
        self.model = LiveModel(idle_after)
        self.alerts = alerts if alerts is not None else Alerts(finish_after=120.0)
        self.notifier = notifier
        self.retry_seconds, self.healthy_after = tuple(retry_seconds), healthy_after  # of `supervise`
        self._flush_task: asyncio.Task[None] | None = None
        self.scan_progress = ScanProgress(running=False, bytesDone=0, bytesTotal=0)
        self.pending_since: float | None = None
        self.problems: dict[str, str] = {}  # background task -> why it is failing (shown by /api/health)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exits: ExitWatch | None = None
        self._scan_lock = asyncio.Lock()
        self._stop = anyio.Event()
        self._clock_wake = asyncio.Event()
        self._summary_task: asyncio.Task[None] | None = None
        self._halt = threading.Event()  # `_stop` as the ingest thread sees it
        self._scanning: asyncio.Future[ScanStats] | None = None  # the scan in its thread, awaited by `stop`
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()  # one-off work the loop started; cancelled on stop
        self._logged_progress = 0.0
        self._statusline_seen: float | None = None
        self._block_end: float | None = None  # the end of the block in the last summary: it changes then, by itself
        self.ingestor = Ingestor(store, on_batch=self._from_worker)

    # lifecycle -------------------------------------------------------------------------------------------------
    async def start(self, catch_up: bool = True) -> None:
        self._loop = asyncio.get_running_loop()
        self._exits = ExitWatch(self._loop, self._process_exited)
        if catch_up:
            self.scan_progress = ScanProgress(running=True, bytesDone=0, bytesTotal=0)
        await self._load_live_files()
        await self._load_recent()
        self.supervise("watcher", functools.partial(self._watch_and_catch_up, catch_up))
        self.supervise("clock", self._clock)
        self.supervise("summary inputs", self._follow_summary_inputs)

    async def _warm_prices(self) -> None:
        """Load the price tables now, in the background, not on the first new line's path. After the catch-up, which
        has loaded them already when it priced anything (then this costs nothing) and which it must not slow down."""
        try:
            await asyncio.to_thread(pricing.warm, time.time())
        except Exception:  # a background task's top boundary: the first priced line loads them instead
            log.exception("live monitor: the price tables could not be loaded ahead")

    async def stop(self) -> None:
        self._stop.set()
        self._halt.set()
        tasks = [*self._tasks, *self._spawned]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._scanning is not None:  # a cancelled task leaves its thread running: the store outlives neither
            await asyncio.gather(self._scanning, return_exceptions=True)
        if self._exits is not None:
            self._exits.close()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)
        return task

    def supervise(self, name: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run `work` (which lasts until the monitor stops) in the background; while it fails or ends early, show why
        in `problems` (so `/api/health` says `degraded`) and start it again, waiting longer each time."""

        async def attempt() -> None:
            running = asyncio.ensure_future(work())
            try:
                done, _ = await asyncio.wait({running}, timeout=self.healthy_after)
                if not done:  # it has run long enough to count as working again
                    self.problems.pop(name, None)
                await running
            finally:
                running.cancel()

        async def run() -> None:
            failures = 0
            while not self._stop.is_set():
                try:
                    await attempt()
                    if self._stop.is_set():
                        return
                    self.problems[name] = "stopped on its own"
                    log.warning("live monitor: %s stopped on its own; restarting", name)
                except asyncio.CancelledError:
                    raise
                except ScanStopped:
                    return
                except Exception as exc:  # a background task's top boundary: log, show, retry
                    log.exception("live monitor: %s failed; retrying", name)
                    self.problems[name] = f"{type(exc).__name__}: {exc}"
                with anyio.move_on_after(self.retry_seconds[min(failures, len(self.retry_seconds) - 1)]):
                    await self._stop.wait()
                failures += 1

        task = asyncio.create_task(run(), name=f"ccdeck-{name}")
        self._tasks.append(task)  # `stop` cancels it
        return task

    # ingest --------------------------------------------------------------------------------------------------------
    async def _watch_and_catch_up(self, catch_up: bool) -> None:
        # Watch first, then catch up: a write landing between the two would otherwise wait for the safety rescan.
        # Events seen during the catch-up queue behind its scan lock; cursors make a second look harmless.
        # Polling means rescanning every POLL_SECONDS: a scan costs one stat per unchanged file and compares sizes with
        # the cursors, which never misses a write (watchfiles' own poller can miss a second write within a second).
        watcher = None if self.poll else self.supervise("file events", self._watch)
        await asyncio.sleep(0)  # let the watcher take its start
        if catch_up:
            # Usage first (a big backlog's first pass), so totals and sessions show within seconds; then the rest
            # (timelines, tool uses, titles, search), after which every client gets a fresh snapshot.
            await self.scan_all(depth="usage")
            await self._load_recent()
            await self.scan_all()
            await asyncio.to_thread(self.store.release_memory)
            await self._load_recent()
            if self.hub.clients:
                self.hub.publish(await self.snapshot())
        self._spawn(self._warm_prices())
        self.problems.pop("watcher", None)
        interval = POLL_SECONDS if self.poll else self.rescan_every
        try:
            while not self._stop.is_set():
                await self._check_processes()
                with anyio.move_on_after(interval):
                    await self._stop.wait()
                if not self._stop.is_set():
                    await self.scan_all(progress=False)
                    if self.poll:
                        await self._load_live_files()
        finally:
            if watcher is not None:
                watcher.cancel()

    async def _watch(self) -> None:
        async for paths in changed_files(self.config_dirs, self._stop):
            self.problems.pop("file events", None)
            live = {p: kind for p in paths if (kind := live_file_kind(p, self.config_dirs))}
            if live:
                await self._apply_live_files(live)
            transcripts = [p for p in paths if p not in live or live[p][0] == "registry"]
            if not transcripts:
                continue
            self.pending_since = self.pending_since or time.time()
            if any(not p.name.endswith(FILE_SUFFIXES) for p in transcripts):
                # A new folder (a project, a background job): its files' own events may have been missed.
                await self._load_live_files()
                await self.scan_all(progress=False)
            else:
                await self._run(functools.partial(self.ingestor.scan_paths, self.config_dirs, transcripts))

    async def scan_all(self, progress: bool = True, depth: Depth = "full") -> ScanStats:
        def report(done: int, total: int) -> None:
            if self._halt.is_set():
                raise ScanStopped
            self._call_soon(self._progress, done, total, True)

        stats = await self._run(lambda: self.ingestor.scan(self.config_dirs, report if progress else None, depth))
        if progress:
            self._progress(stats.bytes, stats.bytes, False)
        return stats

    async def _run(self, work: Callable[[], ScanStats]) -> ScanStats:
        async with self._scan_lock:
            try:
                self._scanning = asyncio.ensure_future(asyncio.to_thread(work))
                return await asyncio.shield(self._scanning)
            finally:
                self.pending_since = None

    def _progress(self, done: int, total: int, running: bool) -> None:
        self.scan_progress = ScanProgress(running=running, bytesDone=done, bytesTotal=total)
        self.hub.publish(messages.ScanProgressMessage(type="scan.progress", **self.scan_progress))
        now = time.monotonic()
        if not running or now - self._logged_progress >= PROGRESS_LOG_SECONDS:
            self._logged_progress = now
            share = 100 * done / total if total else 100.0
            log.info("catch-up scan: %.0f%% (%.1f of %.1f MB)%s", share, done / 1e6, total / 1e6,
                     "" if running else ", done")  # fmt: skip

    def _call_soon(self, fn: Callable[..., None], *args: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def _from_worker(self, result: BatchResult) -> None:
        """Runs in the ingest thread, right after a batch committed: read what changed, hand it to the loop."""
        if not result.touched_sessions:
            return
        if len(result.touched_sessions) > BIG_BATCH or len(result.new_responses) > BIG_BATCH:
            # A backlog (catch-up, a copied folder): one fresh snapshot instead of a message per change, which
            # would overflow every client's queue and get them dropped as slow.
            self._call_soon(self._after_backlog)
            return
        with self.store.read() as conn:
            rows = queries.sessions_by_id(conn, sorted(result.touched_sessions))
        self._call_soon(self._publish_batch, rows, result)

    def _after_backlog(self) -> None:
        async def reload() -> None:
            await self._load_recent()
            if self.hub.clients:
                self.hub.publish(await self.snapshot())

        self._spawn(reload())

    def _publish_batch(self, rows: list[Any], result: BatchResult) -> None:
        now = time.time()
        self._note_rows(rows)
        self._apply(self.model.apply_transcripts([_facts(row) for row in rows], now))
        answered = {response.session_id for response, _ in result.new_responses}
        for row in rows:
            self._emit(self.alerts.observe_api_errors(row.session_id, row.api_errors, row.session_id in answered, now))
        projects = {row.session_id: row.project_path for row in rows}
        for row in rows:
            self.hub.publish(messages.SessionUpdatedMessage(type="session.updated", session=self.row_json(row)))
        for response, cost in result.new_responses:
            u = response.usage
            point = LiveUsagePoint(
                t=response.timestamp, sessionId=response.session_id, model=response.model,
                projectPath=projects.get(response.session_id),
                inputTokens=u.input, outputTokens=u.output, cacheCreationTokens=u.cache_creation,
                cacheReadTokens=u.cache_read, costUSD=cost)  # fmt: skip
            self.hub.publish(messages.UsagePointMessage(type="usage.point", point=point))
        self._summary_soon()

    # live signals ----------------------------------------------------------------------------------------------
    async def _load_live_files(self) -> None:
        """Every registry entry and background job of every config dir, as they are now."""
        registries = await asyncio.to_thread(lambda: {d: read_registry(d) for d in self.config_dirs})
        jobs = await asyncio.to_thread(lambda: [read_job(p, d) for d in self.config_dirs for p in job_files(d)])
        now = time.time()
        changes = [c for d, entries in registries.items() for c in self._apply_registry(d, entries, now)]
        changes += [c for job in jobs if job is not None for c in self.model.apply_job(job, now)]
        self._apply(changes)

    async def _apply_live_files(self, live: dict[Path, tuple[str, Path]]) -> None:
        registry_dirs = {config_dir for kind, config_dir in live.values() if kind == "registry"}
        job_paths = [(path, config_dir) for path, (kind, config_dir) in live.items() if kind == "job"]
        registries = await asyncio.to_thread(lambda: {d: read_registry(d) for d in registry_dirs})
        jobs = await asyncio.to_thread(lambda: [read_job(p, d) for p, d in job_paths])
        now = time.time()
        changes = [c for d, entries in registries.items() for c in self._apply_registry(d, entries, now)]
        changes += [c for job in jobs if job is not None for c in self.model.apply_job(job, now)]
        self._apply(changes)

    def _apply_registry(self, config_dir: Path, entries: list[Any], now: float) -> list[Change]:
        assert self._exits is not None
        for entry, alive in entries:
            if alive:
                self._exits.watch(str(config_dir), entry.pid)
        self._exits.keep_only(str(config_dir), {entry.pid for entry, alive in entries if alive})
        return self.model.apply_registry(str(config_dir), entries, now)

    def _process_exited(self, config_dir: str, pid: int) -> None:
        self._apply(self.model.process_exited(config_dir, pid, time.time()))

    def apply_hook(self, hook: HookSignal) -> None:
        """A hook event POSTed by Claude Code (see `POST /api/hooks`)."""
        now = time.time()
        changes = self.model.apply_hook(hook, now)
        if hook.failure is not None:  # before the changes: the failed turn's end is not also a `finished` alert
            self._note_live(hook.session_id)
            self._emit(self.alerts.observe_failure(hook.session_id, hook.failure, now))
        self._apply(changes)

    def observe_run(self, run: Run) -> None:
        """A run that changed (`RunsFeed`): it may have finished, or one of its tasks failed."""
        self._emit(self.alerts.observe_run(run, time.time()))

    async def _check_processes(self) -> None:
        """Versions without a registry: which folders have a running claude (a slow check, on the rescan)."""
        if not any(t.registry_entry is None and t.transcript for t in self.model.sessions.values()):
            return
        processes = await asyncio.to_thread(claude_processes)
        cwds = frozenset(p.cwd for p in processes if p.cwd)
        self._apply(self.model.apply_processes(cwds, time.time()))

    async def _load_recent(self) -> None:
        """Sessions whose state can change: recently active ones and those the live sources follow."""

        def read() -> list[Any]:
            with self.store.read() as conn:
                ids = queries.recent_session_ids(conn, time.time() - RECENT_SECONDS, list(self.model.sessions))
                return queries.sessions_by_id(conn, ids)

        rows = await asyncio.to_thread(read)
        self._note_rows(rows)
        for row in rows:
            self.alerts.baseline_errors(row.session_id, row.api_errors)
        self._apply(self.model.apply_transcripts([_facts(row) for row in rows], time.time()))
        await self._check_processes()

    async def _clock(self) -> None:
        """Time alone turns a waiting session idle and ends a quiet legacy one: wake exactly then."""
        while not self._stop.is_set():
            due = self.model.next_due(time.time())
            self._clock_wake.clear()
            with anyio.move_on_after(max(0.0, due - time.time()) if due is not None else 3600.0):
                await self._clock_wake.wait()
            self._apply(self.model.tick(time.time()))

    async def _follow_summary_inputs(self) -> None:
        """What changes the summary besides ingest: a status-line record (rate limits) written by `ccdeck statusline`,
        and the end of the current block."""

        def updated() -> float | None:
            with self.store.read() as conn:
                return queries.statusline_updated(conn)

        self._statusline_seen = await asyncio.to_thread(updated)
        while not self._stop.is_set():
            with anyio.move_on_after(STATUSLINE_POLL):
                await self._stop.wait()
            seen = await asyncio.to_thread(updated)
            block_over = self._block_end is not None and time.time() >= self._block_end
            if seen != self._statusline_seen or block_over:
                self._statusline_seen, self._block_end = seen, None
                self._summary_soon()

    def _apply(self, changes: list[Change]) -> None:
        """Publish what changed in the model, wake the clock, and refresh the summary soon."""
        if not changes:
            return
        counts = self.model.counts()
        now = time.time()
        for change in changes:
            self.hub.publish(messages.SessionStateMessage(
                type="session.state", sessionId=change.session_id, **change.view.as_json(),
                previous=change.previous.state, active=counts))  # fmt: skip
            self._note_live(change.session_id)
            self._emit(self.alerts.observe(change, now))
        self._clock_wake.set()
        self._summary_soon()

    # alerts ----------------------------------------------------------------------------------------------------
    def _emit(self, alerts: list[Alert]) -> None:
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
        self._emit(self.alerts.flush(time.time()))

    def _note_rows(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.alerts.info[row.session_id] = SessionInfo(row.project_path, row.git_branch, row.title)

    def _note_live(self, session_id: str) -> None:
        """A session known only from the registry or a hook so far: name it by its folder."""
        tracked = self.model.sessions.get(session_id)
        if session_id in self.alerts.info or tracked is None or tracked.registry_entry is None:
            return
        entry = tracked.registry_entry
        self.alerts.info[session_id] = SessionInfo(entry.cwd, None, entry.name)

    # reading ---------------------------------------------------------------------------------------------------
    def row_json(self, row: Any) -> SessionRow:
        """A session row as clients see it: stored facts and the live model's view (state, blockedOn, ...)."""
        return {**session_json(row), **self.model.view(row.session_id).as_json()}

    async def snapshot(self) -> messages.SnapshotMessage:
        """What a client needs to start from: active sessions, the most recent ones, totals, scan progress."""
        active = self.model.active_ids()

        def read() -> list[Any]:
            with self.store.read() as conn:
                recent, _ = queries.list_sessions(conn, queries.SessionQuery(limit=SNAPSHOT_RECENT))
                shown = {r.session_id for r in recent}
                return [*recent, *queries.sessions_by_id(conn, [sid for sid in active if sid not in shown])]

        rows = await asyncio.to_thread(read)
        summary = await self.summary()
        sessions = [self.row_json(r) for r in rows]
        return messages.SnapshotMessage(type="snapshot", sessions=sessions, summary=summary, scan=self.scan_progress,
                                        mutes=self.alerts.mutes.as_json())  # fmt: skip

    def _summary_soon(self) -> None:
        if self._summary_task is None or self._summary_task.done():
            self._summary_task = self._spawn(self._publish_summary())

    async def _publish_summary(self) -> None:
        await asyncio.sleep(SUMMARY_DELAY)
        if self.hub.clients:
            self.hub.publish(messages.SummaryMessage(type="summary", summary=await self.summary()))

    async def summary(self) -> Summary:
        stored = await asyncio.to_thread(_stored_summary, self.store)
        result = Summary(**stored, active=self.model.counts())
        block = result["block"]
        self._block_end = None if block is None else datetime.fromisoformat(block["endTime"]).timestamp()
        return result

    def health(self) -> Health:
        lag = 0.0 if self.pending_since is None else max(0.0, time.time() - self.pending_since)
        problems = dict(self.problems)
        if self.notifier is not None and self.notifier.problem:
            problems["notify"] = self.notifier.problem
        return Health(status="degraded" if problems else "ok", problems=problems, scan=self.scan_progress,
                      ingestLagSeconds=lag, version=__version__)  # fmt: skip


def _facts(row: Any) -> TranscriptFacts:
    return TranscriptFacts(row.session_id, row.project_path, row.last_kind, row.last_activity,
                           getattr(row, "entrypoint", None), row.doing)  # fmt: skip


def _stored_summary(store: Store) -> StoredSummary:
    with store.read() as conn:
        return stored_summary(conn, datetime.now().astimezone())
