"""Two machines' monitors on one PostgreSQL database, in their parts: a state one machine stores reaches the other's
listener as a notice naming it, with the stored state readable; its own notices it does not hear."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import orjson

from ccdeck.live.hub import Hub
from ccdeck.live.model import Change, View
from ccdeck.live.monitor import Monitor
from ccdeck.live.shared import Notice, Shared
from ccdeck.store.store import Store

SID = "f0d4f597-38f2-4750-8dcb-6021b3f1f53c"
_END_LISTENER = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND (query LIKE 'LISTEN%%' OR query = 'SELECT 1')"
)


async def test_a_stored_state_reaches_the_other_machines_listener(pg_url: str) -> None:
    store_a = Store.open(pg_url)  # migrates the database
    store_b = Store.open(pg_url)
    tasks: set[asyncio.Task[None]] = set()

    def spawn(work: object) -> None:
        tasks.add(asyncio.ensure_future(work))  # type: ignore[arg-type]

    a, b = Shared(store_a, "box-a", spawn), Shared(store_b, "box-b", spawn)
    assert a.enabled and b.enabled
    connected, heard = asyncio.Event(), asyncio.Queue[Notice]()

    async def on_connect() -> None:
        connected.set()

    listening = asyncio.create_task(a.listen(on_connect, heard.put))
    try:
        async with asyncio.timeout(20):
            await connected.wait()
            own = "0f0f0f0f-0000-4000-8000-00000000000a"  # box-a's own session: box-a does not hear of it
            a.states_changed([Change(own, View("working", 0, None, "interactive", None), _view("waiting"))])
            view = _view("blocked")
            b.states_changed([Change(SID, View("working", 0, None, "interactive", None), view)])
            notice = await heard.get()
        assert (notice.machine, notice.kind, notice.ids) == ("box-b", "states", (SID,))
        assert await a.other_states([SID]) == {SID: view}
        await b.forget_mine()
        async with asyncio.timeout(20):
            assert (await heard.get()).ids == (SID,)
        assert await a.other_states(None) == {}
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
        await asyncio.gather(*tasks)
        store_a.close()
        store_b.close()


def _view(state: str) -> View:
    return View(state, time.time(), "approve Bash: ls" if state == "blocked" else None, "interactive", None)  # type: ignore[arg-type]


async def test_the_listener_reconnects_after_losing_its_connection(pg_url: str) -> None:
    store, other = Store.open(pg_url), Store.open(pg_url)
    hub = Hub()
    monitor = Monitor(store, [], hub, idle_after=600, rescan_every=30, machine="box-a", retry_seconds=(0.05,),
                      healthy_after=0.2)  # fmt: skip
    b = Shared(other, "box-b", asyncio.ensure_future)
    client = hub.connect()
    await monitor.start(catch_up=False)
    try:
        await _until(lambda: monitor.remote.connections == 1)
        # The server ends the listening session (as a restart or a network cut would): the listener must come back.
        await asyncio.to_thread(other.write, lambda c: c.exec_driver_sql(_END_LISTENER))
        await _until(lambda: monitor.remote.connections == 2)
        b.states_changed([Change(SID, View("working", 0, None, "interactive", None), _view("blocked"))])
        async with asyncio.timeout(20):
            while True:
                message = orjson.loads(await client.queue.get())
                if message["type"] == "session.state" and message["sessionId"] == SID:
                    break
        assert message["state"] == "blocked"
    finally:
        await monitor.stop()
        store.close()
        other.close()


async def _until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)
