"""The WebSocket hub: fan-out of JSON messages to every connected client.

Each client has a bounded queue. A message is serialized once; a client whose queue is full is too slow and is
dropped (its socket closed), so one slow client never delays the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import orjson

from ccdeck.shapes.messages import ServerMessage

log = logging.getLogger(__name__)
CLIENT_QUEUE = 512


@dataclass(eq=False)
class Client:
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(CLIENT_QUEUE))
    dropped: bool = False


class Hub:
    """Lives on the event loop; `publish` must be called from the loop's thread."""

    def __init__(self) -> None:
        self.clients: set[Client] = set()

    def connect(self) -> Client:
        client = Client()
        self.clients.add(client)
        return client

    def disconnect(self, client: Client) -> None:
        self.clients.discard(client)

    def publish(self, message: ServerMessage) -> None:
        if not self.clients:
            return
        data = orjson.dumps(message).decode()
        for client in list(self.clients):
            try:
                client.queue.put_nowait(data)
            except asyncio.QueueFull:
                log.warning("dropping a WebSocket client that fell %d messages behind", CLIENT_QUEUE)
                client.dropped = True
                self.clients.discard(client)
                _wake(client)

    def close(self) -> None:
        for client in list(self.clients):
            _wake(client)
        self.clients.clear()


def _wake(client: Client) -> None:
    """Make the client's sender stop: a None at the head of its queue means 'close now'."""
    while True:
        try:
            client.queue.put_nowait(None)
            return
        except asyncio.QueueFull:
            client.queue.get_nowait()
