"""How a supervisor paces its tasks' starts: at most `max_parallel` at once (a semaphore), starts at least
`stagger_s` apart (so the API never sees a burst), and a jittered exponential back-off before a retry. Every wait
ends at once when the task is asked to stop (a stop or SIGTERM acts at once, however long the wait)."""

from __future__ import annotations

import asyncio
import contextlib
import random

from ccdeck.orchestrator.taskrun import TaskRun

MAX_BACKOFF_SECONDS = 120.0


class Pacer:
    def __init__(self, max_parallel: int, stagger_s: float, retry_base_s: float) -> None:
        self.stagger_s, self.retry_base_s = stagger_s, retry_base_s
        self._slots = asyncio.Semaphore(max_parallel)
        self._start_lock = asyncio.Lock()
        self._last_start = 0.0

    async def acquire_slot(self, task: TaskRun) -> bool:
        """Wait for a free slot; False (holding none) when the task is asked to stop first."""
        return await acquire_unless_stopped(self._slots, task)

    def release_slot(self) -> None:
        self._slots.release()

    async def stagger(self, task: TaskRun) -> bool:
        """Wait until `stagger_s` after the previous start; False as soon as the task is asked to stop."""
        if not await acquire_unless_stopped(self._start_lock, task):
            return False
        try:
            loop = asyncio.get_running_loop()
            wait = self._last_start + self.stagger_s - loop.time()
            if wait > 0:
                await wait_unless_stopped(task, wait)
            if task.stopping:
                return False
            self._last_start = loop.time()
            return True
        finally:
            self._start_lock.release()

    def backoff_seconds(self, tries: int) -> float:
        """The delay before attempt `tries + 1`: exponential, capped, jittered by ±50%."""
        return float(min(MAX_BACKOFF_SECONDS, self.retry_base_s * 2 ** (tries - 1)) * random.uniform(0.5, 1.5))


async def wait_unless_stopped(task: TaskRun, seconds: float) -> None:
    """Wait `seconds`, or less when the task is asked to stop meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(task.stop_event.wait(), seconds)


async def acquire_unless_stopped(lock: asyncio.Semaphore | asyncio.Lock, task: TaskRun) -> bool:
    """Acquire `lock`; False (holding nothing) when the task is asked to stop first."""
    acquire = asyncio.ensure_future(lock.acquire())
    stopped = asyncio.ensure_future(task.stop_event.wait())
    await asyncio.wait({acquire, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not acquire.done():
        acquire.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await acquire
    got = acquire.done() and not acquire.cancelled()
    if got and task.stopping:
        lock.release()
        return False
    return got
