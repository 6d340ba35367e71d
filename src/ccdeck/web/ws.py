"""WebSocket `/ws`: a snapshot on connect, then every delta the hub publishes, plus a ping every 20 s."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ccdeck.live.hub import Client
from ccdeck.live.monitor import Monitor
from ccdeck.store import queries

router = APIRouter()
PING_SECONDS = 20.0
SNAPSHOT_RECENT = 50


def snapshot(monitor: Monitor) -> dict[str, Any]:
    active = [sid for sid, state in monitor.states.items() if state != "ended"]
    with monitor.store.read() as conn:
        recent, _ = queries.list_sessions(conn, queries.SessionQuery(limit=SNAPSHOT_RECENT))
        extra = queries.sessions_by_id(conn, [sid for sid in active if sid not in {r.session_id for r in recent}])
    return {
        "type": "snapshot",
        "sessions": [monitor.row_json(r) for r in [*recent, *extra]],
        "summary": monitor.summary(),
    }


@router.websocket("/ws")
async def websocket(ws: WebSocket) -> None:
    monitor: Monitor = ws.app.state.monitor
    await ws.accept()
    client = monitor.hub.connect()  # subscribe before the snapshot so nothing falls between the two
    try:
        first = await asyncio.to_thread(snapshot, monitor)
        await ws.send_text(orjson.dumps(first).decode())
        await asyncio.gather(_send(ws, client), _drain(ws))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        monitor.hub.disconnect(client)
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
