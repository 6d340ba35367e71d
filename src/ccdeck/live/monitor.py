"""The live monitor: catch-up scan, file watching, periodic rescans, session states, and what the hub is told.

Owned by the web app's lifespan (or `ccdeck watch`). Ingest runs in a worker thread, one scan at a time; every
committed batch comes back to the event loop, which publishes `session.updated`, `usage.point`, `session.state`
and (at most once a second) `summary` messages.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio

from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.ingest.watcher import changed_files
from ccdeck.live.hub import Hub
from ccdeck.live.liveness import Liveness, SessionFacts
from ccdeck.live.state import ACTIVE_STATES, State
from ccdeck.reports.session_report import session_json
from ccdeck.reports.totals import Totals
from ccdeck.store import queries
from ccdeck.store.batch import BatchResult
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
STATE_INTERVAL = 2.0
SUMMARY_INTERVAL = 1.0
RECENT_SECONDS = 24 * 3600
PROGRESS_LOG_SECONDS = 2.0
SNAPSHOT_RECENT = 50
POLL_SECONDS = 1.0
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
    ) -> None:
        self.store = store
        self.config_dirs = tuple(config_dirs)
        self.hub = hub
        self.idle_after = idle_after
        self.rescan_every = rescan_every
        self.poll = poll
        self.states: dict[str, State] = {}
        self.scan_progress: dict[str, Any] = {"running": False, "bytesDone": 0, "bytesTotal": 0}
        self.pending_since: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scan_lock = asyncio.Lock()
        self._stop = anyio.Event()
        self._halt = threading.Event()  # `_stop` as the ingest thread sees it
        self._scanning: asyncio.Future[ScanStats] | None = None  # the scan in its thread, awaited by `stop`
        self._tasks: list[asyncio.Task[None]] = []
        self._summary_due = False
        self._logged_progress = 0.0
        self.ingestor = Ingestor(store, on_batch=self._from_worker)

    # lifecycle -------------------------------------------------------------------------------------------------
    async def start(self, catch_up: bool = True) -> None:
        self._loop = asyncio.get_running_loop()
        if catch_up:
            self.scan_progress = {"running": True, "bytesDone": 0, "bytesTotal": 0}
        self._tasks = [
            asyncio.create_task(self._guard(self._watch_and_catch_up(catch_up)), name="ccdeck-watch"),
            asyncio.create_task(self._guard(self._track_states()), name="ccdeck-states"),
            asyncio.create_task(self._guard(self._publish_summaries()), name="ccdeck-summary"),
        ]

    async def stop(self) -> None:
        self._stop.set()
        self._halt.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._scanning is not None:  # a cancelled task leaves its thread running: the store outlives neither
            await asyncio.gather(self._scanning, return_exceptions=True)

    async def _guard(self, work: Any) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except ScanStopped:
            return
        except Exception:  # a background task's top boundary: log, never die silently
            log.exception("live monitor task failed")

    # ingest --------------------------------------------------------------------------------------------------------
    async def _watch_and_catch_up(self, catch_up: bool) -> None:
        # Watch first, then catch up: a write landing between the two would otherwise wait for the safety rescan.
        # Events seen during the catch-up queue behind its scan lock; cursors make a second look harmless.
        # Polling means rescanning every POLL_SECONDS: a scan costs one stat per unchanged file and compares sizes with
        # the cursors, which never misses a write (watchfiles' own poller can miss a second write within a second).
        watcher = None if self.poll else asyncio.create_task(self._watch())
        await asyncio.sleep(0)  # let the watcher take its start
        if catch_up:
            await self.scan_all()
            await asyncio.to_thread(self.store.release_memory)
        interval = POLL_SECONDS if self.poll else self.rescan_every
        try:
            while not self._stop.is_set():
                with anyio.move_on_after(interval):
                    await self._stop.wait()
                if not self._stop.is_set():
                    await self.scan_all(progress=False)
        finally:
            if watcher is not None:
                watcher.cancel()

    async def _watch(self) -> None:
        async for paths in changed_files(self.config_dirs, self._stop):
            self.pending_since = self.pending_since or time.time()
            await self._run(functools.partial(self.ingestor.scan_paths, self.config_dirs, paths))

    async def scan_all(self, progress: bool = True) -> ScanStats:
        def report(done: int, total: int) -> None:
            if self._halt.is_set():
                raise ScanStopped
            self._call_soon(self._progress, done, total, True)

        stats = await self._run(lambda: self.ingestor.scan(self.config_dirs, report if progress else None))
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
        self.scan_progress = {"running": running, "bytesDone": done, "bytesTotal": total}
        self.hub.publish({"type": "scan.progress", **self.scan_progress})
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
        if not result.touched_sessions or not self.hub.clients:
            self._summary_due = self._summary_due or bool(result.touched_sessions)
            return
        if len(result.touched_sessions) > BIG_BATCH or len(result.new_responses) > BIG_BATCH:
            # A backlog (catch-up, a copied folder): one fresh snapshot instead of a message per change, which
            # would overflow every client's queue and get them dropped as slow.
            self._call_soon(self.hub.publish, self.snapshot())
            self._summary_due = True
            return
        with self.store.read() as conn:
            rows = queries.sessions_by_id(conn, sorted(result.touched_sessions))
        self._call_soon(self._publish_batch, rows, result)

    def _publish_batch(self, rows: list[Any], result: BatchResult) -> None:
        projects = {row.session_id: row.project_path for row in rows}
        for row in rows:
            self.hub.publish({"type": "session.updated", "session": self.row_json(row)})
        for response, cost in result.new_responses:
            u = response.usage
            self.hub.publish({"type": "usage.point", "point": {
                "t": response.timestamp, "sessionId": response.session_id, "model": response.model,
                "projectPath": projects.get(response.session_id),
                "inputTokens": u.input, "outputTokens": u.output, "cacheCreationTokens": u.cache_creation,
                "cacheReadTokens": u.cache_read, "costUSD": cost}})  # fmt: skip
        self._summary_due = True

    def snapshot(self) -> dict[str, Any]:
        """What a client needs to start from: active sessions, the most recent ones, totals, scan progress."""
        active = [sid for sid, state in self.states.items() if state != "ended"]
        with self.store.read() as conn:
            recent, _ = queries.list_sessions(conn, queries.SessionQuery(limit=SNAPSHOT_RECENT))
            shown = {r.session_id for r in recent}
            extra = queries.sessions_by_id(conn, [sid for sid in active if sid not in shown])
        sessions = [self.row_json(r) for r in [*recent, *extra]]
        return {"type": "snapshot", "sessions": sessions, "summary": self.summary(), "scan": self.scan_progress}

    # states ----------------------------------------------------------------------------------------------------
    def row_json(self, row: Any) -> dict[str, Any]:
        data = session_json(row)
        # Sessions the tracker does not follow (no activity for a day, not in the registry) have ended.
        data["state"] = self.states.get(row.session_id, "ended")
        return data

    async def _track_states(self) -> None:
        while not self._stop.is_set():
            changes = await asyncio.to_thread(self.refresh_states)
            for session_id, state, previous in changes:
                self.hub.publish({"type": "session.state", "sessionId": session_id, "state": state,
                                  "previous": previous})  # fmt: skip
            with anyio.move_on_after(STATE_INTERVAL):
                await self._stop.wait()

    def refresh_states(self) -> list[tuple[str, State, State | None]]:
        """Recompute states of recent and registered sessions; returns (id, state, previous) for changes."""
        now = time.time()
        with self.store.read() as conn:
            liveness = Liveness.observe(conn)
            ids = queries.recent_session_ids(conn, now - RECENT_SECONDS, list(liveness.registry))
            rows = queries.sessions_by_id(conn, ids)
        facts = [SessionFacts(r.session_id, r.project_path, r.last_kind, r.last_activity) for r in rows]
        fresh = liveness.states(facts, now, self.idle_after)
        changes = [(sid, st, self.states.get(sid)) for sid, st in fresh.items() if self.states.get(sid) != st]
        self.states = {**{sid: st for sid, st in self.states.items() if sid not in fresh}, **fresh}
        return changes

    def active_counts(self) -> dict[str, int]:
        counts = {"working": 0, "waiting": 0, "idle": 0}
        for state in self.states.values():
            if state in ACTIVE_STATES:
                counts[state] += 1
        return counts

    # summary ---------------------------------------------------------------------------------------------------
    async def _publish_summaries(self) -> None:
        while not self._stop.is_set():
            if self._summary_due and self.hub.clients:
                self._summary_due = False
                summary = await asyncio.to_thread(self.summary)
                self.hub.publish({"type": "summary", "summary": summary})
            with anyio.move_on_after(SUMMARY_INTERVAL):
                await self._stop.wait()

    def summary(self) -> dict[str, Any]:
        now = datetime.now().astimezone()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        ranges = {"today": midnight, "week": midnight - timedelta(days=6), "month": midnight - timedelta(days=29)}
        result: dict[str, Any] = {}
        with self.store.read() as conn:
            for name, start in ranges.items():
                inp, out, cc, cr, cost, unpriced = queries.totals_between(conn, start.timestamp())
                result[name] = Totals.from_sums(inp, out, cc, cr, cost, unpriced).as_json()
        result["active"] = self.active_counts()
        result["generatedAt"] = now.isoformat()
        return result
