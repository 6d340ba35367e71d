"""A failing background task of the live monitor is shown by `health()` (`/api/health`), retried, and forgotten once
it works again; one that stops on its own is restarted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.store.store import Store


def _monitor(db: Path | str) -> tuple[Store, Monitor]:
    """Retries after 10 ms, then 20 ms; a task that runs 200 ms works again (by default: 1 s, 2 s, 5 s)."""
    store = Store.open(db)
    return store, Monitor(store, [], Hub(), idle_after=600, rescan_every=30, retry_seconds=(0.01, 0.02),
                          healthy_after=0.2)  # fmt: skip


async def _until(check: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def test_a_failing_task_makes_health_degraded_until_it_works_again(db_target: Path | str) -> None:
    store, monitor = _monitor(db_target)
    health_at_start: list[dict[str, Any]] = []  # what health() said as each attempt started

    async def flaky() -> None:
        health_at_start.append(dict(monitor.health()))
        if len(health_at_start) <= 2:
            raise OSError("inotify watch limit reached")
        await asyncio.Event().wait()  # then it works, until stopped

    try:
        task = monitor.supervise("file events", flaky)
        await _until(lambda: monitor.health()["status"] == "ok" and len(health_at_start) == 3)
        assert health_at_start[0]["status"] == "ok"
        for retried in health_at_start[1:]:  # failing until the third attempt had run long enough
            assert retried["status"] == "degraded"
            assert retried["problems"] == {"file events": "OSError: inotify watch limit reached"}
        assert monitor.health()["problems"] == {}
        assert len(health_at_start) == 3
    finally:
        await monitor.stop()
        store.close()
    assert task.done()


async def test_a_task_that_stops_on_its_own_is_restarted(db_target: Path | str) -> None:
    store, monitor = _monitor(db_target)
    problems_at_start: list[dict[str, str]] = []

    async def quits() -> None:
        problems_at_start.append(dict(monitor.health()["problems"]))

    try:
        monitor.supervise("clock", quits)
        await _until(lambda: len(problems_at_start) >= 2)
        assert problems_at_start[:2] == [{}, {"clock": "stopped on its own"}]
    finally:
        await monitor.stop()
        store.close()
