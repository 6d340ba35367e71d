"""Dashboard-like WebSocket clients for the live benchmarks: connected together, each reading every message it gets
while the measured work runs, closed together afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.live_server import BenchError

Receive = Callable[[int, str, float], None]  # (client, message text, clock at receipt)
Closed = Callable[[int, int | None], None]  # (client, close code): the server closed it during the work


async def open_client(url: str) -> ClientConnection:
    """Connect like a dashboard page (compression offered, no pings) and wait for the snapshot."""
    ws = await connect(url, ping_interval=None, max_size=None, open_timeout=30, close_timeout=5)
    first = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
    if first.get("type") != "snapshot":
        await ws.close()
        raise BenchError(f"the first WebSocket message was {first.get('type')!r}, not a snapshot")
    return ws


async def open_clients(url: str, count: int) -> list[ClientConnection]:
    results = await asyncio.gather(*(open_client(url) for _ in range(count)), return_exceptions=True)
    clients = [r for r in results if isinstance(r, ClientConnection)]
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        raise BenchError(f"{len(failures)} of {count} WebSocket clients could not connect: {failures[0]!r}")
    return clients


async def read_messages(
    ws: ClientConnection, client: int, receive: Receive, closing: asyncio.Event, closed: Closed
) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            receive(client, message if isinstance(message, str) else message.decode(), time.perf_counter())
    if not closing.is_set():
        closed(client, ws.close_code)


async def with_clients(
    url: str,
    count: int,
    receive: Receive,
    work: Callable[[], Awaitable[None]],
    settle: float,
    closed: Closed = lambda _client, _code: None,
) -> None:
    """Connect ``count`` clients, let start-up messages pass for ``settle`` seconds, run ``work`` while every
    client hands each message to ``receive``, then close them all."""
    connections = await open_clients(url, count)
    closing = asyncio.Event()
    readers = [asyncio.create_task(read_messages(ws, i, receive, closing, closed)) for i, ws in enumerate(connections)]
    try:
        await asyncio.sleep(settle)
        await work()
    finally:
        closing.set()
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
