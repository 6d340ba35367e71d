"""Registry changes and hook POSTs timed to each WebSocket client's `session.state` message."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psutil

import synthetic
from bench.live_clients import with_clients
from bench.live_server import BenchError, Server

WAIT_SECONDS = 5.0  # for every client to get one signal's message; past it the missing ones count as lost
GAP = (0.02, 0.1)  # quiet between two signals, drawn uniformly
SETTLE_SECONDS = 1.0  # after the clients connected: let start-up messages pass


@dataclass
class Signals:
    """Receipt times of one kind of signal: (signal index, client) -> seconds after it was given."""

    clients: int
    given: int = 0
    latency: dict[tuple[int, int], float] = field(default_factory=dict)

    def lost(self) -> int:
        return self.given * self.clients - len(self.latency)

    def values(self) -> list[float]:
        return list(self.latency.values())


class Waiter:
    """The message each client is waiting for now: `matches(text)` says whether a message is it."""

    def __init__(self, signals: Signals) -> None:
        self.signals = signals
        self.index = -1
        self.given_at = 0.0
        self.matches: Callable[[str], bool] = lambda _text: False
        self.done = asyncio.Event()
        self.received: set[int] = set()

    def expect(self, index: int, given_at: float, matches: Callable[[str], bool]) -> None:
        self.index, self.given_at, self.matches = index, given_at, matches
        self.received = set()
        self.done.clear()
        self.signals.given += 1

    def receive(self, client: int, text: str, at: float) -> None:
        if client in self.received or not self.matches(text):
            return
        self.received.add(client)
        self.signals.latency[(self.index, client)] = at - self.given_at
        if len(self.received) >= self.signals.clients:
            self.done.set()


async def settle(waiter: Waiter, rng: random.Random) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(waiter.done.wait(), WAIT_SECONDS)
    await asyncio.sleep(rng.uniform(*GAP))


def state_message(session_id: str, state: str, marker: str | None) -> Callable[[str], bool]:
    """A `session.state` message for `session_id` in `state` whose text holds `marker`."""

    def matches(text: str) -> bool:
        if '"session.state"' not in text or session_id not in text or (marker is not None and marker not in text):
            return False
        message = orjson.loads(text)
        return bool(message.get("sessionId") == session_id and message.get("state") == state)

    return matches


# -- 1. registry changes -------------------------------------------------------------------------------------------


def started_ms() -> int:
    """When this process started: ccdeck takes an entry whose `startedAt` is far from its pid's start for a reused
    pid, and the session for ended."""
    return int(psutil.Process().create_time() * 1000)


def registry_entry(session_id: str, cwd: str, index: int) -> bytes:
    """A registry entry as Claude Code 2.1.330 writes it; the pid is this process's, so it is alive."""
    now_ms = int(time.time() * 1000)
    entry: dict[str, object] = {
        "pid": os.getpid(), "sessionId": session_id, "cwd": cwd, "startedAt": started_ms(), "version": "2.1.330",
        "kind": "interactive", "entrypoint": "cli", "updatedAt": now_ms, "statusUpdatedAt": now_ms,
    }  # fmt: skip
    if index % 2:
        entry.update(status="waiting", waitingFor=f"bench prompt {index}")
    else:
        entry["status"] = "busy"
    return orjson.dumps(entry)


def write_atomically(path: Path, data: bytes) -> float:
    """Temp file and rename, as Claude Code writes its registry; the clock just after the rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    temp.replace(path)
    return time.perf_counter()


async def registry_changes(server: Server, config_dir: Path, clients: int, count: int, seed: int) -> Signals:
    signals = Signals(clients)
    waiter = Waiter(signals)
    rng = random.Random(f"registry-{seed}")
    session_id = synthetic.new_uuid(rng)
    folder = config_dir / "sessions"
    folder.mkdir(exist_ok=True)
    path = folder / f"{os.getpid()}.json"

    async def work() -> None:
        for index in range(count):
            state, marker = ("blocked", f"bench prompt {index}") if index % 2 else ("working", None)
            data = registry_entry(session_id, "/tmp/bench", index)
            # Expect before writing: a message may arrive before this coroutine runs again.
            waiter.expect(index, time.perf_counter(), state_message(session_id, state, marker))
            waiter.given_at = write_atomically(path, data)
            await settle(waiter, rng)

    try:
        await with_clients(server.ws_url, clients, waiter.receive, work, SETTLE_SECONDS)
    finally:
        path.unlink(missing_ok=True)
    return signals


# -- 2. hook POSTs -------------------------------------------------------------------------------------------------


async def hook_posts(server: Server, clients: int, count: int, seed: int) -> Signals:
    signals = Signals(clients)
    waiter = Waiter(signals)
    rng = random.Random(f"hooks-{seed}")
    session_id = synthetic.new_uuid(rng)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

    def post(body: bytes) -> None:
        conn.request("POST", "/api/hooks", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise BenchError(f"POST /api/hooks answered {response.status}")

    async def work() -> None:
        for index in range(count):
            command = f"echo bench {index}"
            payload = {"session_id": session_id, "transcript_path": "/tmp/bench.jsonl", "cwd": "/tmp/bench",
                       "hook_event_name": "PreToolUse", "permission_mode": "default", "tool_name": "Bash",
                       "tool_input": {"command": command}, "tool_use_id": f"toolu_bench{index}"}  # fmt: skip
            waiter.expect(index, time.perf_counter(), state_message(session_id, "working", command))
            await asyncio.to_thread(post, orjson.dumps(payload))  # given_at: just before the request
            await settle(waiter, rng)

    try:
        await with_clients(server.ws_url, clients, waiter.receive, work, SETTLE_SECONDS)
    finally:
        conn.close()
    return signals
