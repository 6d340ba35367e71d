"""WebSocket `/ws`: a snapshot on connect, then every delta the hub publishes, plus a ping every 20 s."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ccdeck.live.hub import Client
from ccdeck.web.state import hub_of, monitor_of

router = APIRouter()
PING_SECONDS = 20.0


@router.websocket("/ws")
async def websocket(ws: WebSocket) -> None:
    monitor, hub = monitor_of(ws), hub_of(ws)
    await ws.accept()
    client = hub.connect()  # subscribe before the snapshot so nothing falls between the two
    try:
        first = await monitor.snapshot()
        await ws.send_text(orjson.dumps(first).decode())
        await asyncio.gather(_send(ws, client), _drain(ws))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.disconnect(client)
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await ws.close()


async def _send(ws: WebSocket, client: Client) -> None:
    while True:
        try:
            message = await asyncio.wait_for(client.queue.get(), PING_SECONDS)
        except TimeoutError:
            message = '{"type":"ping"}'
        if message is None:  # dropped as too slow, or the server is stopping
            await ws.close(code=1013 if client.dropped else 1001)
            raise WebSocketDisconnect(1013)
        await ws.send_text(message)


async def _drain(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a closed connection is noticed at once."""
    while True:
        await ws.receive_text()
