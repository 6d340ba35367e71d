"""The live monitor's ingest: the catch-up scan, file events, the safety rescan, and what each committed batch
tells clients (`session.updated`, `usage.point`, the live model's transcript facts).

Ingest runs one scan at a time in a worker thread; every committed batch comes back to the loop. A backlog (more
than BIG_BATCH changes in a batch) gets clients one fresh snapshot instead of a message per change.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio

from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.ingest.watcher import FILE_SUFFIXES, changed_files
from ccdeck.live.shared import Shared
from ccdeck.live.signals import Signals
from ccdeck.live.sources import live_file_kind
from ccdeck.live.supervision import ScanStopped, Supervisor
from ccdeck.live.views import facts
from ccdeck.shapes import messages
from ccdeck.shapes.common import LiveUsagePoint, ScanProgress
from ccdeck.store import session_queries
from ccdeck.store.rows import BatchResult
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
PROGRESS_LOG_SECONDS = 2.0
POLL_SECONDS = 1.0
BIG_BATCH = 100  # changed sessions or new responses in one batch above which clients get a snapshot instead


class CatchUp:
    def __init__(
        self,
        store: Store,
        config_dirs: Sequence[Path],
        signals: Signals,
        supervisor: Supervisor,
        shared: Shared,
        *,
        rescan_every: float,
        poll: bool,
    ) -> None:
        self.store, self.config_dirs, self.signals, self.supervisor = store, tuple(config_dirs), signals, supervisor
        self.hub, self.views, self.shared = signals.hub, signals.views, shared
        self.rescan_every, self.poll = rescan_every, poll
        self.scan_progress = ScanProgress(running=False, bytesDone=0, bytesTotal=0)
        self.pending_since: float | None = None
        self.ingestor = Ingestor(store, on_batch=self._from_worker)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scan_lock = asyncio.Lock()
        self._halt = threading.Event()  # the monitor's stop as the ingest thread sees it
        self._scanning: asyncio.Future[ScanStats] | None = None  # the scan in its thread, awaited by `stop`
        self._logged_progress = 0.0

    def start(self, loop: asyncio.AbstractEventLoop, catch_up: bool) -> None:
        self._loop = loop
        if catch_up:
            self.scan_progress = ScanProgress(running=True, bytesDone=0, bytesTotal=0)

    def halt(self) -> None:
        """Make a running scan commit what it has and return (see `ScanStopped`)."""
        self._halt.set()

    async def stopped(self) -> None:
        """Wait for the scan's thread: a cancelled task leaves it running, and the store outlives neither."""
        if self._scanning is not None:
            await asyncio.gather(self._scanning, return_exceptions=True)

    async def watch_and_catch_up(self, catch_up: bool, warm: Callable[[], Any]) -> None:
        # Watch first, then catch up: a write landing between the two would otherwise wait for the safety rescan.
        # Events seen during the catch-up queue behind its scan lock; cursors make a second look harmless.
        # Polling means rescanning every POLL_SECONDS: a scan costs one stat per unchanged file and compares sizes with
        # the cursors, which never misses a write (watchfiles' own poller can miss a second write within a second).
        watcher = None if self.poll else self.supervisor.supervise("file events", self._watch)
        await asyncio.sleep(0)  # let the watcher take its start
        if catch_up:
            # Usage first (a big backlog's first pass), so totals and sessions show within seconds; then the rest
            # (timelines, tool uses, titles, search), after which every client gets a fresh snapshot.
            await self.scan_all(depth="usage")
            await self.signals.load_recent()
            await self.scan_all()
            await asyncio.to_thread(self.store.release_memory)
            await self.refresh()
        self.supervisor.spawn(warm())
        self.supervisor.problems.pop("watcher", None)
        try:
            await self._rescan_forever()
        finally:
            if watcher is not None:
                watcher.cancel()

    async def _rescan_forever(self) -> None:
        stopping = self.supervisor.stopping
        interval = POLL_SECONDS if self.poll else self.rescan_every
        while not stopping.is_set():
            await self.signals.check_processes()
            with anyio.move_on_after(interval):
                await stopping.wait()
            if not stopping.is_set():
                await self.scan_all(progress=False)
                if self.poll:
                    await self.signals.load_live_files()

    async def _watch(self) -> None:
        async for paths in changed_files(self.config_dirs, self.supervisor.stopping):
            self.supervisor.problems.pop("file events", None)
            live = {p: kind for p in paths if (kind := live_file_kind(p, self.config_dirs))}
            if live:
                await self.signals.apply_live_files(live)
            transcripts = [p for p in paths if p not in live or live[p][0] == "registry"]
            if not transcripts:
                continue
            self.pending_since = self.pending_since or time.time()
            if any(not p.name.endswith(FILE_SUFFIXES) for p in transcripts):
                # A new folder (a project, a background job): its files' own events may have been missed.
                await self.signals.load_live_files()
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

    def after_write(self, result: BatchResult) -> None:
        """A write outside ingest committed (telemetry): clients hear of it as of an ingest batch. From a worker
        thread."""
        self._from_worker(result)

    def _from_worker(self, result: BatchResult) -> None:
        """Runs in the ingest thread, right after a batch committed: read what changed, hand it to the loop."""
        if not result.touched_sessions:
            return
        self.shared.sessions_written(result.touched_sessions)
        if len(result.touched_sessions) > BIG_BATCH or len(result.new_responses) > BIG_BATCH:
            # A backlog (catch-up, a copied folder): one fresh snapshot instead of a message per change, which
            # would overflow every client's queue and get them dropped as slow.
            self._call_soon(self._after_backlog)
            return
        with self.store.read() as conn:
            rows = session_queries.sessions_by_id(SqlaReader(conn), sorted(result.touched_sessions))
        self._call_soon(self._publish_batch, rows, result)

    def _after_backlog(self) -> None:
        self.supervisor.spawn(self.refresh())

    def publish_rows(self, rows: list[Any]) -> None:
        """Sessions another machine wrote (a shared database), pushed to clients as this machine's own batches."""
        self._publish_batch(rows, BatchResult(frozenset(row.session_id for row in rows), ()))

    async def refresh(self) -> None:
        """Reload the sessions whose state can change, then send every client a fresh snapshot."""
        await self.signals.load_recent()
        if self.hub.clients:
            self.hub.publish(await self.views.snapshot(self.scan_progress))

    def _publish_batch(self, rows: list[Any], result: BatchResult) -> None:
        now = time.time()
        signals = self.signals
        signals.note_rows(rows)
        signals.apply(signals.model.apply_transcripts([facts(row) for row in rows], now))
        answered = {response.session_id for response, _ in result.new_responses}
        for row in rows:
            signals.emit(signals.alerts.observe_api_errors(row.session_id, row.api_errors, row.session_id in answered,
                                                           now))  # fmt: skip
        projects = {row.session_id: row.project_path for row in rows}
        for row in rows:
            self.hub.publish(messages.SessionUpdatedMessage(type="session.updated", session=self.views.row_json(row)))
        for response, cost in result.new_responses:
            u = response.usage
            point = LiveUsagePoint(
                t=response.timestamp, sessionId=response.session_id, model=response.model,
                projectPath=projects.get(response.session_id),
                inputTokens=u.input, outputTokens=u.output, cacheCreationTokens=u.cache_creation,
                cacheReadTokens=u.cache_read, costUSD=cost)  # fmt: skip
            self.hub.publish(messages.UsagePointMessage(type="usage.point", point=point))
        self.views.summary_soon()
