"""Many small sessions for the live benchmarks: a prompt, a Read call and its result, an answer, a title for most
of them; deterministic, kept in bench/out/ with a manifest and reused."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

import synthetic
from bench.common import MIB, OUT_DIR

JsonObj = dict[str, Any]

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
