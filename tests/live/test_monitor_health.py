"""A failing background task of the live monitor is shown by `health()` (`/api/health`), retried, and forgotten once
it works again; one that stops on its own is restarted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.store.store import Store


async def test_a_failing_task_makes_health_degraded_until_it_works_again(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "ccdeck.db")
    monitor = Monitor(store, [], Hub(), idle_after=600, rescan_every=30)
    attempts: list[int] = []

    async def flaky() -> None:
        attempts.append(len(attempts))
        if len(attempts) <= 2:
            raise OSError("inotify watch limit reached")
        await asyncio.Event().wait()  # then it works, until stopped

    try:
        task = monitor.supervise("file events", flaky)
        await asyncio.sleep(0.2)
        health = monitor.health()
        assert health["status"] == "degraded"
        assert health["problems"] == {"file events": "OSError: inotify watch limit reached"}
        for _ in range(300):  # retried after 1 s, then 2 s; healthy 5 s after that
            if monitor.health()["status"] == "ok":
                break
            await asyncio.sleep(0.05)
        assert monitor.health()["status"] == "ok"
        assert len(attempts) == 3
    finally:
        await monitor.stop()
        store.close()
    assert task.done()


async def test_a_task_that_stops_on_its_own_is_restarted(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "ccdeck.db")
    monitor = Monitor(store, [], Hub(), idle_after=600, rescan_every=30)
    runs: list[int] = []

    async def quits() -> None:
        runs.append(1)

    try:
        monitor.supervise("clock", quits)
        await asyncio.sleep(0.1)
        assert monitor.health()["problems"] == {"clock": "stopped on its own"}
        await asyncio.sleep(1.2)
        assert len(runs) >= 2
    finally:
        await monitor.stop()
        store.close()
