"""A supervisor's side of the store: its run's writes, queued to the store's writer thread without blocking the
event loop, the tasks' progress flushed every `FLUSH_SECONDS`, and the stop requests other processes wrote
(`ccdeck stop`, `ccdeck stop-all`), read every `POLL_SECONDS`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ccdeck.claude.pricing import Pricer
from ccdeck.orchestrator.taskrun import TaskRun, now
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_SECONDS = 0.25
FLUSH_SECONDS = 0.5


class RunRecorder:
    """Records one run's states and progress (`q.update_run`, `q.update_task`, `q.update_tasks`)."""

    def __init__(self, store: Store, run_id: str, pricer: Pricer) -> None:
        self.store, self.run_id, self.pricer = store, run_id, pricer

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(conn, *args, **kwargs)` on the store's writer thread."""
        return await asyncio.wrap_future(self.store.writer.submit(lambda conn: fn(conn, *args, **kwargs)))

    async def run_changed(self, **values: Any) -> None:
        await self.write(q.update_run, self.run_id, **values)

    async def save(self, task: TaskRun) -> None:
        """The task's row as it is now (a change of state: written at once)."""
        task.dirty = False
        await self.write(q.update_task, self.run_id, task.id, **task.row(self.pricer, now()))

    async def flush(self, tasks: Sequence[TaskRun]) -> None:
        """The progress of every task that moved since the last flush, in one transaction."""
        dirty = [t for t in tasks if t.dirty]
        if not dirty:
            return
        at = now()
        changes = {t.id: t.row(self.pricer, at) for t in dirty}
        for t in dirty:
            t.dirty = False
        await self.write(q.update_tasks, self.run_id, changes)

    async def flush_progress(self, tasks: Sequence[TaskRun], done: asyncio.Event) -> None:
        """Flush every `FLUSH_SECONDS` until `done`."""
        while not done.is_set():
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush(tasks)
            except Exception:  # progress is best effort; the final states are written by `save`
                log.exception("run %s: progress not saved", self.run_id)

    async def poll_stop_requests(self, on_request: Callable[[bool, list[str]], None], done: asyncio.Event) -> None:
        """Every `POLL_SECONDS` until `done`, hand the stop requests found in the store to `on_request` (whether
        the whole run is asked to stop, the tasks asked to)."""
        while not done.is_set():
            await asyncio.sleep(POLL_SECONDS)
            try:
                run_stop, task_stops = await asyncio.to_thread(self._read_stop_requests)
            except Exception:
                log.exception("run %s: cannot read stop requests", self.run_id)
                continue
            on_request(run_stop is not None, list(task_stops))

    def _read_stop_requests(self) -> tuple[float | None, dict[str, float]]:
        with self.store.read() as conn:
            reader = SqlaReader(conn)
            return run_queries.stop_requests(reader, self.run_id)
