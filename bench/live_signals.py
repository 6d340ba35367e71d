"""Live signals benchmark: how fast Claude Code's own signals reach every connected dashboard.

    .venv/bin/python -m bench.live_signals [--clients 50] [--changes 100] [--restarts 5]

`ccdeck serve` runs as a real child process on 127.0.0.1 over a small generated config dir (a fresh database, an
empty HOME); ``--clients`` WebSocket clients are connected. For each signal, the time from just after it was given
to each client's receipt of the message it causes (first receipt per (signal, client) counts):

1. registry change: `<config>/sessions/<pid>.json` rewritten as Claude Code does it (a temp file, then a rename),
   its `status` alternating `busy` and `waiting` → a `session.state` message;
2. hook POST: `POST /api/hooks` (PreToolUse, each with another command) → a `session.state` message; timed from
   just before the request is sent;
3. appended transcript line → `session.updated` / `usage.point`; the first line after the server started is
   measured on its own, over ``--restarts`` fresh servers, since whatever loads lazily is paid then.

Writes a Markdown table to stdout and to a section of bench/RESULTS.md. Bounded: every wait has a timeout, a
missing message counts as lost. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import os
import random
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

import synthetic
from bench import run
from bench.common import MIB, OUT_DIR, RESULTS_FILE, VENV_BIN, isolated_env, machine_line, markdown_table
from bench.common import update_results_section as write_section
from bench.live_latency import (
    Append,
    BenchError,
    Server,
    Tracker,
    append_line,
    assistant_line,
    ms,
    open_clients,
    percentile,
    pick_transcripts,
    remove_outputs,
    serving,
    wait_caught_up,
    write_small_corpus,
)

TARGET_REGISTRY_P99_MS = 300.0
AIM_REGISTRY_P99_MS = 100.0
TARGET_HOOK_P99_MS = 100.0
TARGET_APPEND_P99_MS = 250.0

SESSIONS = 40  # small sessions in the config dir: enough for a realistic snapshot, a catch-up of well under 1 s
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


async def read_into(ws: ClientConnection, client: int, waiter: Waiter) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            waiter.receive(client, message if isinstance(message, str) else message.decode(), time.perf_counter())


async def with_clients(url: str, count: int, waiter: Waiter, work: Callable[[], Awaitable[None]]) -> None:
    connections = await open_clients(url, count)
    readers = [asyncio.create_task(read_into(ws, i, waiter)) for i, ws in enumerate(connections)]
    try:
        await asyncio.sleep(SETTLE_SECONDS)
        await work()
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


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


def registry_entry(session_id: str, cwd: str, index: int) -> bytes:
    """A registry entry as Claude Code 2.1.330 writes it; the pid is this process's, so it is alive."""
    now_ms = int(time.time() * 1000)
    entry: dict[str, object] = {
        "pid": os.getpid(), "sessionId": session_id, "cwd": cwd, "startedAt": now_ms - 60_000, "version": "2.1.330",
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
        await with_clients(server.ws_url, clients, waiter, work)
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
        await with_clients(server.ws_url, clients, waiter, work)
    finally:
        conn.close()
    return signals


# -- 3. appended lines, the first after start included -------------------------------------------------------------


@dataclass
class AppendFigures:
    first: list[float] = field(default_factory=list)  # the first line after each start, every client
    rest: list[float] = field(default_factory=list)
    lost_first: int = 0
    lost_rest: int = 0
    restarts: int = 0
    lines: int = 0


async def appended_lines(server: Server, corpus: Path, clients: int, count: int, seed: int) -> Tracker:
    """`count` lines appended to transcripts of `corpus`, the first one right after the clients connected."""
    tracker = Tracker(clients)
    targets = pick_transcripts(corpus, 5)
    rng = random.Random(f"appends-{seed}")
    pool = synthetic.TextPool(rng, chars=MIB // 4)
    connections = await open_clients(server.ws_url, clients)

    async def read(ws: ClientConnection, client: int) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                tracker.receive(client, message if isinstance(message, str) else message.decode(), time.perf_counter())

    readers = [asyncio.create_task(read(ws, i)) for i, ws in enumerate(connections)]
    try:
        await asyncio.sleep(SETTLE_SECONDS)
        for index in range(count):
            target = targets[index % len(targets)]
            stamp = int(time.time() * 1000) + index
            line = assistant_line(target, index, stamp, rng, pool)
            written_at = append_line(target.path, line)
            done = tracker.expect(Append(index, target.session_id, 100 + index, stamp, written_at))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), WAIT_SECONDS)
            await asyncio.sleep(rng.uniform(*GAP))
    finally:
        tracker.closing = True
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for target in targets:
            target.restore()
    return tracker


def measure_appends(args: argparse.Namespace, corpus: Path, env: dict[str, str]) -> AppendFigures:
    """Restarts of one server on one database, as a user restarts `ccdeck serve`: the first start's catch-up reads
    everything, the next ones find nothing new, so whatever loads lazily waits for the first appended line."""
    figures = AppendFigures(restarts=args.restarts, lines=args.lines)
    for restart in range(args.restarts):
        with serving(args.ccdeck, corpus, OUT_DIR / "live-signals.db", env, fresh=restart == 0) as server:
            wait_caught_up(server)
            tracker = asyncio.run(appended_lines(server, corpus, args.clients, args.lines, args.seed + restart))
        for (index, _client), seconds in tracker.latency.items():
            (figures.first if index == 0 else figures.rest).append(seconds)
        figures.lost_first += args.clients - sum(1 for index, _ in tracker.latency if index == 0)
        figures.lost_rest += tracker.missing(args.lines) - (args.clients - tracker.received[0])
    return figures


# -- report --------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    registry: Signals | None = None
    hooks: Signals | None = None
    appends: AppendFigures | None = None
    load: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def met(values: list[float], target_ms: float, lost: int) -> str:
    return "yes" if values and lost == 0 and percentile(values, 99) <= target_ms / 1000 else "**no**"


def rows_for(
    label: str, values: list[float], lost: int, target_ms: float, aim_ms: float | None = None
) -> list[list[str]]:
    if not values:
        return [[label, "n/a (no message received)", f"p99 ≤ {target_ms:g} ms", "**no**"]]
    p50, p99 = percentile(values, 50), percentile(values, 99)
    aim = f" (aim ≤ {aim_ms:g})" if aim_ms else ""
    aim_met = "" if not aim_ms else (", aim met" if p99 <= aim_ms / 1000 else ", aim not met")
    return [
        [f"{label}: p50 / p99 / max, ms", f"{ms(p50)} / {ms(p99)} / {ms(max(values))}", f"p99 ≤ {target_ms:g} ms{aim}",
         met(values, target_ms, lost) + aim_met],
        ["… messages lost", f"{lost:,} of {len(values) + lost:,}", "0", "yes" if lost == 0 else "**no**"],
    ]  # fmt: skip


def render(args: argparse.Namespace, figures: Figures) -> str:
    rows: list[list[str]] = []
    n = args.clients
    if figures.registry is not None:
        r = figures.registry
        rows += rows_for(f"Registry change (temp + rename) → `session.state`, {n} clients × {r.given}", r.values(),
                         r.lost(), TARGET_REGISTRY_P99_MS, AIM_REGISTRY_P99_MS)  # fmt: skip
    if figures.hooks is not None:
        h = figures.hooks
        rows += rows_for(f"Hook POST → `session.state`, {n} clients × {h.given}", h.values(), h.lost(),
                         TARGET_HOOK_P99_MS)  # fmt: skip
    if figures.appends is not None:
        a = figures.appends
        rows += rows_for(f"First appended line after start → message, {n} clients × {a.restarts} starts", a.first,
                         a.lost_first, TARGET_APPEND_P99_MS)  # fmt: skip
        rows += rows_for(f"Later appended lines → message, {n} clients × {a.restarts * (a.lines - 1)}", a.rest,
                         a.lost_rest, TARGET_APPEND_P99_MS)  # fmt: skip
        rows += rows_for("All appended lines, the first ones included", a.first + a.rest, a.lost_first + a.lost_rest,
                         TARGET_APPEND_P99_MS)  # fmt: skip
    command = (f"python -m bench.live_signals --clients {n} --changes {args.changes} --restarts {args.restarts} "
               f"--lines {args.lines}")  # fmt: skip
    loads = ", ".join(f"{name} {value:.2f}" for name, value in figures.load.items())
    notes = [f"- error: {e}" for e in figures.errors] + [f"- load average (1 min) at the start of each part: {loads}"]
    parts = [
        f"## Live signals: registry, hooks, appended lines → {n} WebSocket clients (ccdeck {run.ccdeck_version()})",
        f"`{command}` — `ccdeck serve` as a child process on 127.0.0.1 over {SESSIONS} small generated sessions, "
        "fresh database, default settings. Each figure is over every (signal, client) pair: from just after the "
        "rename, just before the POST, just after the appended line's flush, to the client's receipt.",
        markdown_table(["Figure", "Value", "Target", "Met"], rows),
        "\n".join(notes),
        machine_line(),
    ]
    return "\n\n".join(parts)


# -- main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.live_signals", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="WebSocket clients (default 50)")
    parser.add_argument("--changes", type=int, default=100, help="registry changes and hook POSTs, each (default 100)")
    parser.add_argument("--restarts", type=int, default=5, help="fresh servers for the first-line figure (default 5)")
    parser.add_argument("--lines", type=int, default=20, help="lines appended after each start (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    args = parser.parse_args(argv)
    if min(args.clients, args.changes, args.restarts) < 1 or args.lines < 2:
        parser.error("--clients, --changes and --restarts must be positive, --lines at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = isolated_env(OUT_DIR / "home")
    corpus = OUT_DIR / "live-signals-config"
    shutil.rmtree(corpus, ignore_errors=True)
    write_small_corpus(corpus, SESSIONS, args.seed)
    figures = Figures()
    try:
        figures.load["appends"] = os.getloadavg()[0]
        print(f"first line after start: {args.restarts} fresh servers, {args.lines} lines each ...", flush=True)
        figures.appends = measure_appends(args, corpus, env)
        with serving(args.ccdeck, corpus, OUT_DIR / "live-signals.db", env) as server:
            wait_caught_up(server)
            figures.load["registry"] = os.getloadavg()[0]
            print(f"registry: {args.changes} changes, {args.clients} clients ...", flush=True)
            figures.registry = asyncio.run(registry_changes(server, corpus, args.clients, args.changes, args.seed))
            figures.load["hooks"] = os.getloadavg()[0]
            print(f"hooks: {args.changes} POSTs, {args.clients} clients ...", flush=True)
            figures.hooks = asyncio.run(hook_posts(server, args.clients, args.changes, args.seed))
    except (BenchError, OSError) as exc:
        figures.errors.append(str(exc) or repr(exc))
    finally:
        shutil.rmtree(corpus, ignore_errors=True)
        remove_outputs(OUT_DIR / "live-signals.db")
    section = render(args, figures)
    print(section)
    if not args.no_results:
        write_section(f"live-signals-{args.clients}clients", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
