"""Live benchmark: WebSocket push latency, `/api/sessions` latency over many sessions, server RSS on a big corpus.

    .venv/bin/python -m bench.live_latency [--clients 50] [--appends 200] [--sessions 10000] [--size-mb 1024]

Each part runs `ccdeck serve` as a real child process on 127.0.0.1 (a free port, a fresh database in bench/out/,
an empty HOME) and stops it afterwards:

1. `/api/sessions` latency over a store of ``--sessions`` small sessions (default, ``sort=cost``, ``q=<text>``);
2. push latency on the same server: ``--clients`` WebSocket clients, one assistant line at a time appended to one
   of a few transcripts; for each (line, client) pair, the time from just after the write to the client's receipt
   of the `session.updated` or `usage.point` message for that line;
3. the server's RSS once its catch-up scan of the bench.run corpus (``--size-mb``) has finished.

Writes a Markdown table to stdout and to a section of bench/RESULTS.md. See bench/README.md. Registry changes, hook
POSTs and the first line after a restart are measured by `bench.live_signals`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

import synthetic
from bench import run
from bench.common import (
    MIB,
    OUT_DIR,
    RESULTS_FILE,
    VENV_BIN,
    TreeSampler,
    fmt_number,
    isolated_env,
    machine_line,
    markdown_table,
    update_results_section,
    warm_page_cache,
)

JsonObj = dict[str, Any]

TARGET_PUSH_P99_MS = 250.0
AIM_PUSH_P99_MS = 100.0
TARGET_API_P95_MS = 50.0
TARGET_RSS_MIB = 150.0

APPEND_TIMEOUT = 5.0  # the next line is written after every client got this one, or after this long
LATE_GRACE = 5.0  # after the last line, how long a missing message may still arrive before it counts as lost
APPEND_GAP = (0.02, 0.2)  # seconds of quiet between two lines, drawn uniformly
APPEND_TARGETS = 20  # transcripts the lines are appended to
API_WARMUP = 5
Q_TEXT = "billing"
START_TIMEOUT = 60.0
CATCH_UP_TIMEOUT = 3600.0
STOP_TIMEOUT = 20.0
SETTLE_SECONDS = 2.0  # after the catch-up scan, before reading the RSS
TAIL_BYTES = 256 * 1024

SMALL_CORPUS_VERSION = 1
TITLE_VERBS = ("Fix", "Add", "Refactor", "Speed up", "Document", "Test", "Remove", "Debug", "Review", "Port")
TITLE_OBJECTS = (
    "login timeout",
    "billing export",
    "search index",
    "CSV import",
    "dark mode",
    "retry logic",
    "rate limiter",
    "websocket reconnect",
    "cache invalidation",
    "release script",
    "flaky test",
    "settings page",
)


class BenchError(Exception):
    """A step that could not run (server did not start, a request failed); its message goes in the table."""


# -- many small sessions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmallSpec:
    session_id: str
    cwd: str
    version: str
    branch: str
    model: str
    start_ms: int


class SmallSession:
    """The lines of one short session: a prompt, a tool call and its result, an answer, sometimes a title."""

    def __init__(self, spec: SmallSpec, rng: random.Random, pool: synthetic.TextPool) -> None:
        self.spec = spec
        self.rng = rng
        self.pool = pool
        self.clock = spec.start_ms
        self.parent: str | None = None
        self.common = {
            "userType": "external",
            "cwd": spec.cwd,
            "sessionId": spec.session_id,
            "version": spec.version,
            "gitBranch": spec.branch,
        }

    def lines(self) -> Iterator[JsonObj]:
        prompt = self.pool.text(self.rng.randint(40, 600)).replace("\n", " ")
        yield self.chained({"type": "user", "message": {"role": "user", "content": prompt}})
        tool_id = synthetic.new_token(self.rng, "toolu_01")
        path = f"{self.spec.cwd}/{self.rng.choice(synthetic.SOURCE_FILES)}"
        tool_use = {"type": "tool_use", "id": tool_id, "name": "Read", "input": {"file_path": path}}
        yield self.response([tool_use], "tool_use")
        result = {"type": "tool_result", "tool_use_id": tool_id, "content": self.pool.text(self.rng.randint(200, 1500))}
        yield self.chained({"type": "user", "message": {"role": "user", "content": [result]}})
        answer = {"type": "text", "text": self.pool.text(self.rng.randint(100, 900))}
        yield self.response([answer], "end_turn")
        if self.rng.random() < 0.6:
            title = f"{self.rng.choice(TITLE_VERBS)} {self.rng.choice(TITLE_OBJECTS)}"
            yield {"type": "custom-title", "customTitle": title, "sessionId": self.spec.session_id}

    def chained(self, body: JsonObj) -> JsonObj:
        self.clock += self.rng.randint(2_000, 60_000)
        uuid = synthetic.new_uuid(self.rng)
        line = {
            "parentUuid": self.parent,
            "isSidechain": False,
            **body,
            **self.common,
            "uuid": uuid,
            "timestamp": synthetic.iso(self.clock),
        }
        self.parent = uuid
        return line

    def response(self, content: list[JsonObj], stop_reason: str) -> JsonObj:
        message = {
            "model": self.spec.model,
            "id": synthetic.new_token(self.rng, "msg_01"),
            "type": "message",
            "role": "assistant",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage(self.rng, self.rng.randint(20, 900)),
        }
        body = {"type": "assistant", "message": message, "requestId": synthetic.new_token(self.rng, "req_011C")}
        return self.chained(body)


def usage(rng: random.Random, output_tokens: int) -> JsonObj:
    created = rng.randint(0, 4_000)
    return {
        "input_tokens": rng.randint(3, 12),
        "cache_creation_input_tokens": created,
        "cache_read_input_tokens": rng.randint(5_000, 60_000),
        "cache_creation": {"ephemeral_5m_input_tokens": created, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def small_spec(rng: random.Random, index: int, count: int, projects: Sequence[str]) -> SmallSpec:
    start = synthetic.EPOCH_MS + index * synthetic.SPAN_MS // count + rng.randrange(3_600_000)
    return SmallSpec(
        session_id=synthetic.new_uuid(rng),
        cwd=rng.choice(projects),
        version=rng.choice(synthetic.NEW_VERSIONS),
        branch=rng.choice(synthetic.BRANCHES),
        model=rng.choices(synthetic.MAIN_MODELS, synthetic.MAIN_MODEL_WEIGHTS)[0],
        start_ms=start,
    )


def write_small_corpus(out: Path, count: int, seed: int) -> JsonObj:
    """A config dir of ``count`` short sessions over 60 days and 80 project folders; returns its manifest."""
    started = time.perf_counter()
    rng = random.Random(f"small-{seed}")
    pool = synthetic.TextPool(rng, chars=MIB)
    projects = [f"{parent}/{name}" for parent in synthetic.PROJECT_PARENTS for name in synthetic.PROJECT_NAMES]
    total_bytes = 0
    for index in range(count):
        spec = small_spec(rng, index, count, projects)
        path = out / "projects" / synthetic.encode_cwd(spec.cwd) / f"{spec.session_id}.jsonl"
        session = SmallSession(spec, rng, pool)
        transcript = synthetic.TranscriptFile(path)
        for line in session.lines():
            transcript.write(line)
        transcript.close(session.clock)
        total_bytes += transcript.bytes
    manifest: JsonObj = {
        "kind": "small-sessions",
        "version": SMALL_CORPUS_VERSION,
        "params": {"sessions": count, "seed": seed},
        "bytes": total_bytes,
        "generationSeconds": round(time.perf_counter() - started, 3),
    }
    synthetic.manifest_path(out).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


def ensure_small_corpus(count: int, seed: int) -> tuple[Path, JsonObj, bool]:
    """Return (corpus, manifest, generated_now); regenerate unless a complete matching one is there."""
    out = OUT_DIR / f"sessions-{count}-seed{seed}"
    manifest = synthetic.read_manifest(out)
    wanted = {"sessions": count, "seed": seed}
    if manifest is not None and manifest.get("version") == SMALL_CORPUS_VERSION and manifest["params"] == wanted:
        return out, manifest, False
    if out.exists():
        shutil.rmtree(out)
    print(f"generating {count:,} small sessions into {out} ...", flush=True)
    return out, write_small_corpus(out, count, seed), True


# -- the server as a child process ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET on a connection of its own (for polling; the latency figures reuse one connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Server:
    """A running `ccdeck serve`. It has a session of its own, so stopping it touches nothing else."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def last_log_line(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1][:160] if lines else "no output"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"the server exited ({self.process.returncode}): {self.last_log_line()}")

    def memory_mib(self) -> tuple[float, float]:
        """(RSS, USS) of the server process in MiB."""
        info = psutil.Process(self.process.pid).memory_full_info()
        return info.rss / MIB, info.uss / MIB

    def health(self) -> JsonObj:
        status, body = http_get(self.port, "/api/health", timeout=10)
        if status != 200:
            raise BenchError(f"/api/health answered {status}")
        data: JsonObj = orjson.loads(body)
        return data


def server_log(db: Path) -> Path:
    return db.with_name(db.name + ".serve.log")


def remove_outputs(db: Path) -> None:
    run.remove_db(db)
    server_log(db).unlink(missing_ok=True)


def server_argv(ccdeck: Path, port: int, config_dir: Path, db: Path) -> list[str]:
    return [
        str(ccdeck),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config-dir",
        str(config_dir),
        "--db",
        str(db),
    ]


@contextlib.contextmanager
def serving(ccdeck: Path, config_dir: Path, db: Path, env: dict[str, str], fresh: bool = True) -> Iterator[Server]:
    """Start `ccdeck serve` on a fresh database (`fresh`, else on `db` as it is); stop it (Ctrl-C, then SIGKILL to
    its group) on the way out."""
    if fresh:
        remove_outputs(db)
    port = free_port()
    log = server_log(db)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            server_argv(ccdeck, port, config_dir, db),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log, time.perf_counter())
    try:
        wait_until_up(server)
        yield server
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session made for this child only
        process.wait()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            server.health()
            return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"the server did not answer within {START_TIMEOUT:.0f} s")


def wait_caught_up(server: Server, timeout: float = CATCH_UP_TIMEOUT) -> float:
    """Wait for the catch-up scan to end; returns seconds since the server was started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        with contextlib.suppress(OSError):  # a busy server may time out once: ask again
            if not server.health()["scan"]["running"]:
                return time.perf_counter() - server.started
        time.sleep(0.25)
    raise BenchError(f"the catch-up scan did not finish within {timeout:.0f} s")


# -- statistics ----------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# -- /api/sessions latency -----------------------------------------------------------------------------------------


@dataclass
class ApiFigures:
    samples: dict[str, list[float]] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)  # the response's "total"
    error: str | None = None


def api_variants() -> dict[str, str]:
    return {
        "`/api/sessions`": "/api/sessions",
        "`/api/sessions?sort=cost`": "/api/sessions?sort=cost",
        f"`/api/sessions?q={Q_TEXT}`": f"/api/sessions?q={Q_TEXT}",
    }


def time_requests(port: int, path: str, count: int) -> tuple[list[float], int]:
    """``count`` sequential GETs on one keep-alive connection (after a few untimed ones); (seconds, total)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples: list[float] = []
    total = 0
    try:
        for index in range(API_WARMUP + count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise BenchError(f"{path} answered {response.status}: {body[:120]!r}")
            if index >= API_WARMUP:
                samples.append(elapsed)
            else:
                total = int(orjson.loads(body)["total"])
    finally:
        conn.close()
    return samples, total


def measure_api(server: Server, count: int) -> ApiFigures:
    figures = ApiFigures()
    for name, path in api_variants().items():
        print(f"measuring {count} x {path} ...", flush=True)
        figures.samples[name], figures.matched[name] = time_requests(server.port, path, count)
    return figures


# -- push latency --------------------------------------------------------------------------------------------------


@dataclass
class Transcript:
    """A transcript the benchmark appends to, with what a new line must repeat, and how to put it back."""

    path: Path
    session_id: str
    cwd: str
    version: str
    branch: str
    model: str
    last_uuid: str
    size: int
    times_ns: tuple[int, int]

    def restore(self) -> None:
        with self.path.open("r+b") as fh:
            fh.truncate(self.size)
        os.utime(self.path, ns=self.times_ns)


def read_transcript(path: Path) -> Transcript | None:
    """The facts of the last chained line of ``path`` (read from its tail), or None when it has none."""
    st = path.stat()
    with path.open("rb") as fh:
        fh.seek(max(0, st.st_size - TAIL_BYTES))
        tail = fh.read().splitlines()
    model = None
    for raw in reversed(tail):
        with contextlib.suppress(orjson.JSONDecodeError):
            obj = orjson.loads(raw)
            if isinstance(obj, dict) and model is None and obj.get("type") == "assistant":
                model = obj["message"].get("model")
            if isinstance(obj, dict) and obj.get("uuid") and obj.get("sessionId"):
                return Transcript(
                    path,
                    obj["sessionId"],
                    obj.get("cwd") or "/tmp",
                    obj.get("version") or "2.1.90",
                    obj.get("gitBranch") or "main",
                    model or synthetic.MAIN_MODELS[0],
                    obj["uuid"],
                    st.st_size,
                    (st.st_atime_ns, st.st_mtime_ns),
                )
    return None


def pick_transcripts(corpus: Path, count: int) -> list[Transcript]:
    """``count`` main-session transcripts spread evenly over the corpus (subagent files left out)."""
    paths = [
        p for p in synthetic.iter_transcripts(corpus) if "subagents" not in p.parts and not p.name.startswith("agent-")
    ]
    step = max(1, len(paths) // count)
    picked = [read_transcript(p) for p in paths[::step][:count]]
    return [t for t in picked if t is not None]


@dataclass(frozen=True)
class Append:
    index: int
    session_id: str
    output_tokens: int  # unique per line: usage.point carries no message id, so this identifies the line
    timestamp_ms: int  # unique per session: session.updated's lastActivity identifies the line
    written_at: float


def assistant_line(
    target: Transcript, index: int, timestamp_ms: int, rng: random.Random, pool: synthetic.TextPool
) -> bytes:
    """One assistant line as Claude Code writes it (one content block), with a new message id and request id."""
    if index % 3 == 0:
        path = f"{target.cwd}/{rng.choice(synthetic.SOURCE_FILES)}"
        edit = {
            "file_path": path,
            "old_string": pool.text(rng.randint(20, 200)),
            "new_string": pool.text(rng.randint(20, 300)),
        }
        block: JsonObj = {"type": "tool_use", "id": synthetic.new_token(rng, "toolu_01"), "name": "Edit", "input": edit}
    else:
        block = {"type": "text", "text": pool.text(rng.randint(200, 1500))}
    message = {
        "model": target.model,
        "id": f"msg_01bench{index:06d}{rng.getrandbits(48):012x}",
        "type": "message",
        "role": "assistant",
        "content": [block],
        "stop_reason": "tool_use" if index % 3 == 0 else "end_turn",
        "stop_sequence": None,
        "usage": usage(rng, 100 + index),
    }
    uuid = synthetic.new_uuid(rng)
    line = {
        "parentUuid": target.last_uuid,
        "isSidechain": False,
        "userType": "external",
        "cwd": target.cwd,
        "sessionId": target.session_id,
        "version": target.version,
        "gitBranch": target.branch,
        "message": message,
        "requestId": synthetic.new_token(rng, "req_011C"),
        "type": "assistant",
        "uuid": uuid,
        "timestamp": synthetic.iso(timestamp_ms),
    }
    target.last_uuid = uuid
    return orjson.dumps(line) + b"\n"


def append_line(path: Path, line: bytes) -> float:
    """Append and flush; returns the clock just after the flush (the start of the measured latency)."""
    with path.open("ab") as fh:
        fh.write(line)
        fh.flush()
        return time.perf_counter()


def activity_ms(iso_text: Any) -> int | None:
    if not isinstance(iso_text, str):
        return None
    return round(datetime.fromisoformat(iso_text).timestamp() * 1000)


@dataclass
class Tracker:
    """Matches what every client receives to the appended lines; first receipt per (line, client) counts."""

    clients: int
    by_tokens: dict[int, Append] = field(default_factory=dict)
    by_activity: dict[tuple[str, int], Append] = field(default_factory=dict)
    latency: dict[tuple[int, int], float] = field(default_factory=dict)
    points: Counter[tuple[int, int]] = field(default_factory=Counter)
    first_kind: Counter[str] = field(default_factory=Counter)
    received: Counter[int] = field(default_factory=Counter)
    done: dict[int, asyncio.Event] = field(default_factory=dict)
    messages: int = 0
    closed: dict[int, str] = field(default_factory=dict)
    closing: bool = False

    def expect(self, append: Append) -> asyncio.Event:
        self.by_tokens[append.output_tokens] = append
        self.by_activity[(append.session_id, append.timestamp_ms)] = append
        self.done[append.index] = asyncio.Event()
        return self.done[append.index]

    def receive(self, client: int, text: str, at: float) -> None:
        self.messages += 1
        kind, append = self.match(text)
        if append is None:
            return
        key = (append.index, client)
        if kind == "usage.point":
            self.points[key] += 1
        if key in self.latency:
            return
        self.latency[key] = at - append.written_at
        self.first_kind[kind] += 1
        self.received[append.index] += 1
        if self.received[append.index] >= self.clients - len(self.closed):
            self.done[append.index].set()

    def match(self, text: str) -> tuple[str, Append | None]:
        if '"usage.point"' in text:
            message = orjson.loads(text)
            point = message.get("point") or {}
            tokens = point.get("outputTokens")
            if message.get("type") == "usage.point" and isinstance(tokens, int):
                append = self.by_tokens.get(tokens)
                return "usage.point", append if append and append.session_id == point.get("sessionId") else None
        if '"session.updated"' in text:
            message = orjson.loads(text)
            session = message.get("session") or {}
            last = activity_ms(session.get("lastActivity"))
            sid = session.get("sessionId")
            if message.get("type") == "session.updated" and last is not None and isinstance(sid, str):
                # lastActivity keeps milliseconds by truncating a float: allow one either way.
                found = (self.by_activity.get((sid, last + delta)) for delta in (0, -1, 1))
                return "session.updated", next((a for a in found if a is not None), None)
        return "", None

    def missing(self, appends: int) -> int:
        return appends * self.clients - len(self.latency)


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


async def read_messages(ws: ClientConnection, client: int, tracker: Tracker) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            text = message if isinstance(message, str) else message.decode()
            tracker.receive(client, text, time.perf_counter())
    if not tracker.closing:
        tracker.closed[client] = f"closed by the server, code {ws.close_code}"


async def append_all(targets: list[Transcript], tracker: Tracker, count: int, seed: int) -> None:
    rng = random.Random(f"appends-{seed}")
    pool = synthetic.TextPool(rng, chars=MIB)
    last_ms: dict[str, int] = {}
    for index in range(count):
        target = rng.choice(targets)
        stamp = max(int(time.time() * 1000), last_ms.get(target.session_id, 0) + 1)
        last_ms[target.session_id] = stamp
        line = assistant_line(target, index, stamp, rng, pool)
        written_at = append_line(target.path, line)
        done = tracker.expect(Append(index, target.session_id, 100 + index, stamp, written_at))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), APPEND_TIMEOUT)
        await asyncio.sleep(rng.uniform(*APPEND_GAP))


async def wait_for_stragglers(tracker: Tracker, count: int) -> None:
    deadline = time.monotonic() + LATE_GRACE
    while tracker.missing(count) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def push_session(url: str, targets: list[Transcript], clients: int, appends: int, seed: int) -> Tracker:
    tracker = Tracker(clients)
    connections = await open_clients(url, clients)
    readers = [asyncio.create_task(read_messages(ws, i, tracker)) for i, ws in enumerate(connections)]
    try:
        await asyncio.sleep(1.0)  # let the first state and summary messages pass
        await append_all(targets, tracker, appends, seed)
        await wait_for_stragglers(tracker, appends)
    finally:
        tracker.closing = True
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
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


# -- the phases ----------------------------------------------------------------------------------------------------


@dataclass
class StoreFigures:
    """The many-sessions server: its catch-up, memory, API and push figures."""

    sessions: int
    corpus_bytes: int = 0
    generated: bool = False
    catch_up_seconds: float | None = None
    rss_mib: float | None = None
    api: ApiFigures = field(default_factory=ApiFigures)
    push: PushFigures = field(default_factory=PushFigures)
    load: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RssFigures:
    corpus_line: str = ""
    catch_up_seconds: float | None = None
    rss_mib: float | None = None
    uss_mib: float | None = None
    peak_mib: float | None = None
    load: float | None = None
    error: str | None = None
    skipped: bool = False


def load_1min() -> float:
    return os.getloadavg()[0]


def run_store_phase(args: argparse.Namespace, env: dict[str, str]) -> StoreFigures:
    corpus, manifest, generated = ensure_small_corpus(args.sessions, args.seed)
    figures = StoreFigures(args.sessions, manifest["bytes"], generated)
    db = OUT_DIR / f"live-{corpus.name}.db"
    targets = pick_transcripts(corpus, APPEND_TARGETS)
    try:
        with serving(args.ccdeck, corpus, db, env) as server:
            figures.catch_up_seconds = wait_caught_up(server)
            time.sleep(SETTLE_SECONDS)
            figures.rss_mib = server.memory_mib()[0]
            figures.load["api"] = load_1min()
            figures.api = measure_api(server, args.requests)
            figures.load["push"] = load_1min()
            figures.push = measure_push(server, targets, args.clients, args.appends, args.seed)
    except (BenchError, OSError) as exc:
        figures.error = str(exc) or repr(exc)
    finally:
        for target in targets:
            target.restore()
        if not args.keep:
            remove_outputs(db)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    return figures


def run_rss_phase(args: argparse.Namespace, env: dict[str, str]) -> RssFigures:
    if args.size_mb <= 0:
        return RssFigures(error="--size-mb 0", skipped=True)
    params = synthetic.Params(args.size_mb, args.max_file_mb, args.seed)
    corpus, manifest, generated = run.ensure_corpus(params)
    figures = RssFigures(corpus_line=run.corpus_line(manifest, generated))
    db = OUT_DIR / f"live-rss-{corpus.name}.db"
    warm_page_cache(corpus)
    figures.load = load_1min()
    print(f"measuring server RSS after the catch-up scan of {corpus.name} ...", flush=True)
    try:
        with serving(args.ccdeck, corpus, db, env) as server, TreeSampler(server.process.pid, 0.05) as sampler:
            figures.catch_up_seconds = wait_caught_up(server)
            time.sleep(SETTLE_SECONDS)
            figures.rss_mib, figures.uss_mib = server.memory_mib()
        figures.peak_mib = sampler.peak_kib / 1024
    except (BenchError, OSError) as exc:
        figures.error = str(exc) or repr(exc)
    finally:
        if not args.keep:
            remove_outputs(db)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    return figures


# -- report --------------------------------------------------------------------------------------------------------


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def push_rows(push: PushFigures, error: str | None) -> list[list[str]]:
    label = f"Push latency, {push.clients} clients × {push.appends} lines = {push.pairs:,} pairs, ms"
    if not push.latencies:
        reason = error or "no message received"
        return [[label, f"n/a ({reason})", f"p99 ≤ {TARGET_PUSH_P99_MS:g} ms", "n/a"]]
    p50, p95, p99 = (percentile(push.latencies, p) for p in (50, 95, 99))
    worst = max(push.latencies) if not push.lost else None
    aim = "aim met" if p99 <= AIM_PUSH_P99_MS / 1000 else f"aim ≤ {AIM_PUSH_P99_MS:g} ms not met"
    p99_met = p99 <= TARGET_PUSH_P99_MS / 1000
    return [
        [f"{label}: p50", ms(p50), "—", ""],
        ["Push latency p95, ms", ms(p95), "—", ""],
        [
            "Push latency p99, ms",
            ms(p99),
            f"≤ {TARGET_PUSH_P99_MS:g} ms (aim ≤ {AIM_PUSH_P99_MS:g})",
            f"{met(p99_met)} ({aim})",
        ],
        ["Push latency max, ms", ms(worst) if worst is not None else "∞ (lost messages)", "—", ""],
        ["Messages lost (pairs with no message)", f"{push.lost:,} of {push.pairs:,}", "0", met(push.lost == 0)],
    ]


def api_rows(store: StoreFigures) -> list[list[str]]:
    rows = []
    target = f"p95 ≤ {TARGET_API_P95_MS:g} ms"
    for name in api_variants():
        samples = store.api.samples.get(name)
        label = f"{name}, {store.sessions:,} sessions, p50 / p95, ms"
        if not samples:
            rows.append([label, f"n/a ({store.error or 'not measured'})", target, "n/a"])
            continue
        p95 = percentile(samples, 95)
        rows.append([label, f"{ms(percentile(samples, 50))} / {ms(p95)}", target, met(p95 <= TARGET_API_P95_MS / 1000)])
    return rows


def rss_rows(rss: RssFigures, size_mb: float) -> list[list[str]]:
    if rss.skipped:
        return []
    label = f"Server RSS after the catch-up scan of the {size_mb:g} MiB corpus, MiB"
    target = f"≤ {TARGET_RSS_MIB:g} MiB"
    if rss.rss_mib is None:
        return [[label, f"n/a ({rss.error or 'not measured'})", target, "n/a"]]
    return [
        [label, fmt_number(rss.rss_mib), target, met(rss.rss_mib <= TARGET_RSS_MIB)],
        ["Server peak RSS during that catch-up (sampled), MiB", fmt_number(rss.peak_mib), "—", ""],
        ["Catch-up scan of that corpus by `serve`, s", fmt_number(rss.catch_up_seconds), "—", ""],
    ]


def store_rows(store: StoreFigures) -> list[list[str]]:
    return [
        [
            f"Catch-up scan of {store.sessions:,} small sessions by `serve`, s",
            fmt_number(store.catch_up_seconds),
            "—",
            "",
        ],
        [f"Server RSS with {store.sessions:,} sessions, MiB", fmt_number(store.rss_mib), "—", ""],
    ]


def notes(store: StoreFigures, rss: RssFigures) -> list[str]:
    push = store.push
    errors = [store.error, None if rss.skipped else rss.error]
    lines = [f"- error: {e}" for e in errors if e]
    if push.pairs:
        kinds = ", ".join(f"{k} {n:,}" for k, n in push.first_kind.most_common())
        lines.append(f"- push: {push.messages:,} WebSocket messages received in all; first message per pair: {kinds}")
        lines.append(
            f"- push: pairs without a `usage.point` {push.without_point:,}; duplicate `usage.point` {push.duplicates:,}"
        )
        lines.append(
            f"- push: clients closed by the server during the run: {len(push.closed)}"
            + (f" ({next(iter(push.closed.values()))})" if push.closed else "")
        )
    for name, total in store.api.matched.items():
        lines.append(f"- {name}: {total:,} matching sessions, {len(store.api.samples[name])} timed requests")
    loads = [f"{k} {v:.2f}" for k, v in store.load.items()] + ([f"rss {rss.load:.2f}"] if rss.load is not None else [])
    lines.append("- load average (1 min) at the start of each part: " + ", ".join(loads))
    if rss.uss_mib is not None:
        lines.append(f"- server USS (memory it alone holds) after the catch-up: {rss.uss_mib:,.1f} MiB")
    return lines


def render_section(args: argparse.Namespace, store: StoreFigures, rss: RssFigures) -> str:
    command = (
        f"python -m bench.live_latency --clients {args.clients} --appends {args.appends} "
        f"--sessions {args.sessions} --size-mb {args.size_mb:g}"
    )
    small = "generated" if store.generated else "reused"
    rows = push_rows(store.push, store.error) + api_rows(store) + store_rows(store) + rss_rows(rss, args.size_mb)
    parts = [
        f"## Live server: push latency, `/api/sessions` latency, RSS (ccdeck {run.ccdeck_version()})",
        f"`{command}` — `ccdeck serve` as a child process on 127.0.0.1, fresh database, default settings.",
        f"Store: {store.sessions:,} small sessions ({store.corpus_bytes / MIB:,.1f} MiB, {small}); lines appended "
        f"to {store.push.transcripts} of them. {rss.corpus_line}",
        markdown_table(["Figure", "Value", "Target", "Met"], rows),
        "\n".join(notes(store, rss)),
        machine_line(),
    ]
    return "\n\n".join(part for part in parts if part)


# -- main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.live_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="WebSocket clients (default 50)")
    parser.add_argument("--appends", type=int, default=200, help="lines appended, one at a time (default 200)")
    parser.add_argument("--sessions", type=int, default=10_000, help="small sessions in the store (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per /api/sessions variant")
    parser.add_argument("--size-mb", type=float, default=1024.0, help="corpus for the RSS figure, MiB; 0 skips it")
    parser.add_argument("--max-file-mb", type=float, default=200.0, help="largest transcript of that corpus, MiB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the corpora and the databases in bench/out/")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.appends < 1 or args.sessions < APPEND_TARGETS or args.requests < 1:
        parser.error(f"--clients, --appends and --requests must be positive, --sessions at least {APPEND_TARGETS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = isolated_env(OUT_DIR / "home")
    store = run_store_phase(args, env)
    rss = run_rss_phase(args, env)
    section = render_section(args, store, rss)
    print(section)
    if not args.no_results:
        key = f"live-{args.sessions}sessions-{args.clients}clients-{args.appends}appends-{args.size_mb:g}mb"
        update_results_section(key, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
