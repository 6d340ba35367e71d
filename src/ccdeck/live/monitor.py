"""The live monitor: catch-up scan, file watching, Claude Code's live signals, and what the hub is told.

Owned by the web app's lifespan (or `ccdeck watch`). Everything that changes the live model runs on the event loop;
blocking work (ingest, reading live files, process scans, database reads) runs in worker threads and hands its
result back to the loop. Its parts, one job each:
- `catch_up.CatchUp`: ingest (the catch-up, file events, the safety rescan), one scan at a time; every committed
  batch comes back to the loop, which publishes `session.updated` and `usage.point` messages;
- `signals.Signals`: the registry, background jobs, hooks, processes and the clock change the live model; each change
  is published as `session.state` and fed to `Alerts`, whose alerts are published as `alert` messages and handed to
  the `Notifier`, if any, which sends them from its own thread;
- `views.Views`: session rows, snapshots and the summary, published shortly after every change;
- `supervision.Supervisor`: background tasks; a failure is logged, shown by `/api/health` as `degraded`, and retried.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ccdeck import __version__
from ccdeck.claude import pricing
from ccdeck.claude.hooks import HookSignal
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.live.alerts import Alerts
from ccdeck.live.catch_up import CatchUp
from ccdeck.live.hub import Hub
from ccdeck.live.machine import machine_name
from ccdeck.live.model import LiveModel
from ccdeck.live.notifier import Notifier
from ccdeck.live.remote import Remote
from ccdeck.live.shared import Shared
from ccdeck.live.signals import Signals
from ccdeck.live.supervision import HEALTHY_AFTER, RETRY_SECONDS, Supervisor
from ccdeck.live.views import Views
from ccdeck.shapes import messages
from ccdeck.shapes.api import Health
from ccdeck.shapes.common import Run, ScanProgress, SessionRow, Summary
from ccdeck.store.rows import BatchResult
from ccdeck.store.store import Store

log = logging.getLogger(__name__)


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
        machine: str | None = None,
        listen: bool = True,
    ) -> None:
        self.store = store
        self.config_dirs = tuple(config_dirs)
        self.hub = hub
        self.model = LiveModel(idle_after)
        self.alerts = alerts if alerts is not None else Alerts(finish_after=120.0)
        self.notifier = notifier
        self.supervisor = Supervisor(retry_seconds, healthy_after)
        self.views = Views(store, hub, self.model, self.alerts, self.supervisor.spawn)
        self.shared = Shared(store, machine or machine_name(), self.supervisor.spawn)
        self.signals = Signals(store, self.config_dirs, hub, self.views, self.alerts, notifier, self.supervisor.spawn,
                               self.shared)  # fmt: skip
        self.catch_up = CatchUp(store, self.config_dirs, self.signals, self.supervisor, self.shared,
                                rescan_every=rescan_every, poll=poll)  # fmt: skip
        self.remote = Remote(self.shared, self.signals, self.catch_up)
        self.listen = listen

    # what the rest of the server reads -------------------------------------------------------------------------
    @property
    def ingestor(self) -> Ingestor:
        return self.catch_up.ingestor

    @property
    def scan_progress(self) -> ScanProgress:
        return self.catch_up.scan_progress

    @property
    def pending_since(self) -> float | None:
        """When the oldest file change not yet ingested was seen; None when there is none."""
        return self.catch_up.pending_since

    @property
    def problems(self) -> dict[str, str]:
        """Background task -> why it is failing (shown by /api/health)."""
        return self.supervisor.problems

    # lifecycle -------------------------------------------------------------------------------------------------
    async def start(self, catch_up: bool = True) -> None:
        loop = asyncio.get_running_loop()
        await self.shared.forget_mine()
        self.signals.start(loop)
        self.catch_up.start(loop, catch_up)
        await self.signals.load_live_files()
        await self.signals.load_recent()
        stopping = self.supervisor.stopping
        self.supervise("watcher", functools.partial(self.catch_up.watch_and_catch_up, catch_up, self._warm_prices))
        self.supervise("clock", functools.partial(self.signals.clock, stopping))
        self.supervise("summary inputs", functools.partial(self.views.follow_summary_inputs, stopping))
        if self.shared.enabled and self.listen:  # other machines' changes, pushed to this server's clients
            self.supervise("other machines", functools.partial(self.shared.listen, self.remote.connected,
                                                               self.remote.heard))  # fmt: skip

    async def _warm_prices(self) -> None:
        """Load the price tables now, in the background, not on the first new line's path. After the catch-up, which
        has loaded them already when it priced anything (then this costs nothing) and which it must not slow down."""
        try:
            await asyncio.to_thread(pricing.warm, time.time())
        except Exception:  # a background task's top boundary: the first priced line loads them instead
            log.exception("live monitor: the price tables could not be loaded ahead")

    async def stop(self) -> None:
        self.catch_up.halt()
        await self.supervisor.stop()
        await self.catch_up.stopped()
        self.signals.close()
        await self.shared.forget_mine()

    def supervise(self, name: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run `work` in the background, restarted while it fails (see `Supervisor.supervise`)."""
        return self.supervisor.supervise(name, work)

    async def scan_all(self, progress: bool = True, depth: Depth = "full") -> ScanStats:
        return await self.catch_up.scan_all(progress, depth)

    # live signals ----------------------------------------------------------------------------------------------
    def apply_hook(self, hook: HookSignal) -> None:
        """A hook event POSTed by Claude Code (see `POST /api/hooks`)."""
        self.signals.apply_hook(hook)

    def telemetry_written(self, result: BatchResult) -> None:
        """What an OpenTelemetry export changed, just committed (`ccdeck.web.otel_api`). From a worker thread."""
        self.catch_up.after_write(result)

    def observe_run(self, run: Run) -> None:
        """A run that changed (`RunsFeed`): it may have finished, or one of its tasks failed."""
        self.signals.observe_run(run)

    # reading ---------------------------------------------------------------------------------------------------
    def row_json(self, row: Any) -> SessionRow:
        """A session row as clients see it: stored facts and the live model's view (state, blockedOn, ...)."""
        return self.views.row_json(row)

    async def snapshot(self) -> messages.SnapshotMessage:
        """What a client needs to start from: active sessions, the most recent ones, totals, scan progress."""
        return await self.views.snapshot(self.scan_progress)

    async def summary(self) -> Summary:
        return await self.views.summary()

    def health(self) -> Health:
        pending = self.pending_since
        lag = 0.0 if pending is None else max(0.0, time.time() - pending)
        problems = dict(self.problems)
        if self.notifier is not None and self.notifier.problem:
            problems["notify"] = self.notifier.problem
        return Health(status="degraded" if problems else "ok", problems=problems, scan=self.scan_progress,
                      ingestLagSeconds=lag, version=__version__)  # fmt: skip
