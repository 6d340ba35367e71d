"""Lines appended to live transcripts, and the tracker that matches what each WebSocket client receives to them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

import synthetic
from bench.small_corpus import usage

JsonObj = dict[str, Any]

TAIL_BYTES = 256 * 1024


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

    def expect(self, append: Append) -> asyncio.Event:
        self.by_tokens[append.output_tokens] = append
        self.by_activity[(append.session_id, append.timestamp_ms)] = append
        self.done[append.index] = asyncio.Event()
        return self.done[append.index]

    def client_closed(self, client: int, code: int | None) -> None:
        self.closed[client] = f"closed by the server, code {code}"

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


async def append_and_wait(
    tracker: Tracker, target: Transcript, index: int, stamp: int, rng: random.Random, pool: synthetic.TextPool,
    timeout: float,
) -> None:  # fmt: skip
    """Append line ``index`` to ``target`` and wait until every client got it, or for ``timeout`` seconds."""
    line = assistant_line(target, index, stamp, rng, pool)
    written_at = append_line(target.path, line)
    done = tracker.expect(Append(index, target.session_id, 100 + index, stamp, written_at))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout)
