"""Pushes `run.updated` to WebSocket clients whenever a run or one of its tasks changes in the store, with each
task's prompt cut to a preview (`report.with_prompt_previews`): the whole prompt is in `GET /api/runs/{id}`.

Runs are written by supervisors in other processes, so the store is the only place to learn of changes: it is
polled (an indexed query on update times) while clients are connected, or always when alerts are sent anywhere
(`on_run` hears of every changed run: a finished run or a failed task is an alert). Reading writes nothing: a run
whose supervisor died is not changed in the store until a command acts on it, so the feed also checks the
unfinished runs' supervisors (a pid check each) and pushes a run once when it turns out interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from ccdeck.live.hub import Hub
from ccdeck.orchestrator import control
from ccdeck.orchestrator.interrupted import supervisor_gone
from ccdeck.orchestrator.report import with_prompt_previews
from ccdeck.shapes.common import Run
from ccdeck.shapes.messages import RunUpdatedMessage
from ccdeck.store import run_queries
from ccdeck.store.reader import as_mapping
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


class RunsFeed:
    def __init__(
        self, store: Store, hub: Hub, on_run: Callable[[Run], None] | None = None, always: bool = False
    ) -> None:
        self.store = store
        self.hub = hub
        self.on_run = on_run
        self.always = always  # poll with no client connected (alerts go elsewhere too)
        self._task: asyncio.Task[None] | None = None
        self._orphans: set[str] = set()  # unfinished runs already pushed as interrupted (supervisor gone)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="ccdeck-runs-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        since = time.time()
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not self.hub.clients and not self.always:
                since = time.time()
                continue
            checked = time.time()
            try:
                runs = await asyncio.to_thread(self._changed, since)
            except Exception:  # the feed's top boundary: log and keep polling
                log.exception("reading changed runs failed")
                continue
            since = checked - POLL_SECONDS  # overlap one period: a write racing the read is never missed
            for run in runs:
                self.hub.publish(RunUpdatedMessage(type="run.updated", run=run))
                if self.on_run is not None:
                    self.on_run(run)

    def _changed(self, since: float) -> list[Run]:
        now = time.time()
        with self.store.read() as conn:
            reader = SqlaReader(conn)
            ids = set(run_queries.runs_changed_since(reader, since))
            orphans = {run.id for run in run_queries.list_runs(reader, active_only=True)
                       if supervisor_gone(as_mapping(run), now)}  # fmt: skip
        ids |= orphans - self._orphans
        self._orphans = orphans
        return [with_prompt_previews(run) for run_id in sorted(ids) for run in control.status(self.store, run_id)]
