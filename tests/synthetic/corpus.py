"""The public entry points: generate a corpus, read its manifest, list and digest its files, append to one."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import orjson

from synthetic.constants import GENERATOR_VERSION, MAIN_MODELS, MANIFEST_NAME, MIB, JsonObj
from synthetic.generator import Generator
from synthetic.primitives import iso, new_token, new_uuid
from synthetic.records import AppendTarget, Params


def manifest_path(out: Path) -> Path:
    return out / MANIFEST_NAME


def read_manifest(out: Path) -> JsonObj | None:
    try:
        data: JsonObj = orjson.loads(manifest_path(out).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return data


def manifest_matches(manifest: JsonObj | None, params: Params) -> bool:
    return (
        manifest is not None
        and manifest.get("generatorVersion") == GENERATOR_VERSION
        and (manifest.get("params") == asdict(params))
    )


def generate(out: Path, params: Params) -> JsonObj:
    """Write a corpus into ``out`` (which must be absent or empty) and return its manifest."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    started = time.perf_counter()
    gen = Generator(out, params)
    gen.run()
    seconds = time.perf_counter() - started
    manifest: JsonObj = {
        "generatorVersion": GENERATOR_VERSION,
        "params": asdict(params),
        "stats": asdict(gen.stats),
        "expected": asdict(gen.totals),
        # The part of "expected" written in subagent files (the agent_progress copies in parents must add nothing).
        "expectedSubagents": asdict(gen.subagent_totals),
        "appendTarget": asdict(gen.append_target) if gen.append_target else None,
        "generationSeconds": round(seconds, 3),
        "generationMBps": round(gen.stats.jsonl_bytes / MIB / max(seconds, 1e-9), 1),
    }
    manifest_path(out).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


def appended_assistant_line(target: AppendTarget, seed: int = 0) -> tuple[bytes, JsonObj]:
    """A new single-block assistant response for ``target``; returns the line and its usage."""
    rng = random.Random(f"append-{seed}")
    usage = {
        "input_tokens": 4,
        "cache_creation_input_tokens": 1_234,
        "cache_read_input_tokens": 45_678,
        "cache_creation": {"ephemeral_5m_input_tokens": 1_234, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 321,
        "service_tier": "standard",
    }
    message = {
        "model": MAIN_MODELS[0],
        "id": new_token(rng, "msg_01"),
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "Appended by the benchmark."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    line = {
        "parentUuid": target.last_uuid,
        "isSidechain": False,
        "userType": "external",
        "cwd": target.cwd,
        "sessionId": target.session_id,
        "version": target.version,
        "gitBranch": "main",
        "message": message,
        "requestId": new_token(rng, "req_011C"),
        "type": "assistant",
        "uuid": new_uuid(rng),
        "timestamp": iso(target.last_ms + 60_000),
    }
    return orjson.dumps(line) + b"\n", usage


def iter_transcripts(out: Path) -> Iterator[Path]:
    yield from sorted((out / "projects").rglob("*.jsonl"))


# -- digest ---------------------------------------------------------------------------------------------------


def tree_digest(out: Path) -> str:
    """A digest of every file but the manifest (which holds the generation time): same digest, same corpus."""
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME):
        digest.update(path.relative_to(out).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
