"""Push latency: WebSocket clients on one server, one assistant line at a time appended to a few transcripts."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.exceptions import WebSocketException

import synthetic
from bench.common import MIB
from bench.live_append import Tracker, Transcript, append_and_wait
from bench.live_clients import with_clients
from bench.live_server import BenchError, Server

APPEND_TIMEOUT = 5.0  # the next line is written after every client got this one, or after this long
LATE_GRACE = 5.0  # after the last line, how long a missing message may still arrive before it counts as lost
APPEND_GAP = (0.02, 0.2)  # seconds of quiet between two lines, drawn uniformly


@dataclass
class PushFigures:
    clients: int = 0
    appends: int = 0
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    duplicates: int = 0
    without_point: int = 0
    closed: dict[int, str] = field(default_factory=dict)
    first_kind: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    transcripts: int = 0

    @property
    def pairs(self) -> int:
        return self.clients * self.appends


async def append_all(targets: list[Transcript], tracker: Tracker, count: int, seed: int) -> None:
    rng = random.Random(f"appends-{seed}")
    pool = synthetic.TextPool(rng, chars=MIB)
    last_ms: dict[str, int] = {}
    for index in range(count):
        target = rng.choice(targets)
        stamp = max(int(time.time() * 1000), last_ms.get(target.session_id, 0) + 1)
        last_ms[target.session_id] = stamp
        await append_and_wait(tracker, target, index, stamp, rng, pool, APPEND_TIMEOUT)
        await asyncio.sleep(rng.uniform(*APPEND_GAP))


async def wait_for_stragglers(tracker: Tracker, count: int) -> None:
    deadline = time.monotonic() + LATE_GRACE
    while tracker.missing(count) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def push_session(url: str, targets: list[Transcript], clients: int, appends: int, seed: int) -> Tracker:
    tracker = Tracker(clients)

    async def work() -> None:
        await append_all(targets, tracker, appends, seed)
        await wait_for_stragglers(tracker, appends)

    # The first second lets the first state and summary messages pass.
    await with_clients(url, clients, tracker.receive, work, settle=1.0, closed=tracker.client_closed)
    return tracker


def measure_push(server: Server, targets: list[Transcript], clients: int, appends: int, seed: int) -> PushFigures:
    print(f"measuring push latency: {clients} clients, {appends} lines over {len(targets)} transcripts ...", flush=True)
    try:
        tracker = asyncio.run(push_session(server.ws_url, targets, clients, appends, seed))
    except (OSError, WebSocketException) as exc:
        raise BenchError(f"WebSocket: {exc!r}") from None
    pairs = {(a, c) for a in range(appends) for c in range(clients)}
    return PushFigures(
        clients=clients,
        appends=appends,
        latencies=list(tracker.latency.values()),
        lost=tracker.missing(appends),
        duplicates=sum(n - 1 for n in tracker.points.values() if n > 1),
        without_point=len(pairs - tracker.points.keys()),
        closed=tracker.closed,
        first_kind=tracker.first_kind,
        messages=tracker.messages,
        transcripts=len(targets),
    )
