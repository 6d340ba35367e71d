"""Named gates: answers held mid-stream until the test opens their gate.

They make concurrency tests deterministic: start N sessions on `[[fake:gate:NAME]]`, wait until the
fake sees the expected number of calls in flight, assert, then open the gate.
"""

from __future__ import annotations

import asyncio
import threading


class Gates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: set[str] = set()
        self._events: dict[str, asyncio.Event] = {}  # created and set on the server's loop only
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def open(self, name: str) -> None:
        """From any thread; a gate opened before anyone waits on it stays open."""
        with self._lock:
            self._opened.add(name)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake, name)

    def _wake(self, name: str) -> None:
        if name in self._events:
            self._events[name].set()

    async def wait(self, name: str, timeout: float, closing: asyncio.Event | None) -> None:
        """Until the gate opens, the server closes, or `timeout` passes."""
        with self._lock:
            if name in self._opened:
                return
            event = self._events.setdefault(name, asyncio.Event())
        waits = [asyncio.ensure_future(event.wait())]
        if closing is not None:
            waits.append(asyncio.ensure_future(closing.wait()))
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
