"""The live monitor's background tasks: each has one owner, which restarts it while it fails and cancels it on stop.

A failure is logged and kept in `problems` (so `/api/health` says `degraded`) until the task has run `healthy_after`
seconds again; restarts wait longer each time (`retry_seconds`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import anyio

log = logging.getLogger(__name__)
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
HEALTHY_AFTER = 5.0  # a restarted background task that runs this long is no longer reported as failing


class ScanStopped(Exception):
    """Raised from the catch-up's progress callback once the monitor stops: the ingestor commits what it has
    parsed (with its cursors, so the next scan goes on from there) and returns at once."""


class Supervisor:
    def __init__(self, retry_seconds: Sequence[float] = RETRY_SECONDS, healthy_after: float = HEALTHY_AFTER) -> None:
        self.retry_seconds, self.healthy_after = tuple(retry_seconds), healthy_after
        self.problems: dict[str, str] = {}  # background task -> why it is failing (shown by /api/health)
        self.stopping = anyio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()  # one-off work the loop started; cancelled on stop

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Start one-off work on the loop; `stop` cancels it if it is still running."""
        task = asyncio.ensure_future(work)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)
        return task

    def supervise(self, name: str, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run `work` (which lasts until the monitor stops) in the background; while it fails or ends early, show why
        in `problems` (so `/api/health` says `degraded`) and start it again, waiting longer each time."""
        task = asyncio.create_task(self._keep_running(name, work), name=f"ccdeck-{name}")
        self._tasks.append(task)  # `stop` cancels it
        return task

    async def _keep_running(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                await self._attempt(name, work)
                if self.stopping.is_set():
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
                await self.stopping.wait()
            failures += 1

    async def _attempt(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        running = asyncio.ensure_future(work())
        try:
            done, _ = await asyncio.wait({running}, timeout=self.healthy_after)
            if not done:  # it has run long enough to count as working again
                self.problems.pop(name, None)
            await running
        finally:
            running.cancel()

    async def stop(self) -> None:
        """Tell every loop to end, cancel every task, and wait for them."""
        self.stopping.set()
        tasks = [*self._tasks, *self._spawned]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
