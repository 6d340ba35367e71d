"""Transcript lines built the way Claude Code writes them (see the shared reference notes), and their files."""

from __future__ import annotations

import random
import re
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

SONNET_4 = "claude-sonnet-4-20250514"
SONNET_45 = "claude-sonnet-4-5-20250929"
OPUS_4 = "claude-opus-4-20250514"
HAIKU_45 = "claude-haiku-4-5-20251001"

Json = dict[str, Any]


def iso(moment: datetime | str) -> str:
    """A timestamp as Claude Code writes it: ISO-8601 UTC with milliseconds and `Z`."""
    if isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def new_uuid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuidlib.uuid4())
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


def usage(
    inp: int = 0,
    out: int = 0,
    cache_write: int = 0,
    cache_read: int = 0,
    *,
    one_hour: int | None = None,
    split: bool = True,
    **extra: Any,
) -> Json:
    """`message.usage` as Claude Code 1.0.77+ writes it (with the 5m/1h split unless `split=False`)."""
    u: Json = {
        "input_tokens": inp,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
        "output_tokens": out,
        "service_tier": "standard",
    }
    if split:
        hour = one_hour or 0
        u["cache_creation"] = {"ephemeral_5m_input_tokens": cache_write - hour, "ephemeral_1h_input_tokens": hour}
    u.update(extra)
    return u


def _common(session: str | None, ts: datetime | str, uid: str | None, cwd: str, **extra: Any) -> Json:
    line: Json = {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": cwd,
        "version": "1.0.98",
        "gitBranch": "main",
    }
    if session is not None:
        line["sessionId"] = session
    line["timestamp"] = iso(ts)
    if uid is not None:
        line["uuid"] = uid
    line.update(extra)
    return line


def assistant(
    session: str | None,
    ts: datetime | str,
    *,
    msg_id: str | None = "msg_01",
    request_id: str | None = "req_01",
    model: str = SONNET_4,
    u: Json | None = None,
    content: Sequence[Json] | None = None,
    uid: str | None = None,
    cwd: str = "/home/dev/proj",
    **extra: Any,
) -> Json:
    """One assistant line (one content block of a response, as Claude Code writes them)."""
    message: Json = {"type": "message", "role": "assistant", "model": model}
    if msg_id is not None:
        message["id"] = msg_id
    message["content"] = list(content) if content is not None else [{"type": "text", "text": "Done."}]
    message["stop_reason"] = None
    message["usage"] = u if u is not None else usage(10, 20, 30, 40)
    line = _common(session, ts, uid if uid is not None else new_uuid(), cwd, type="assistant", message=message)
    if request_id is not None:
        line["requestId"] = request_id
    line.update(extra)
    return line


def user_prompt(
    session: str | None, ts: datetime | str, text: str, *, uid: str | None = None, cwd: str = "/home/dev/proj", **extra
) -> Json:
    return _common(
        session,
        ts,
        uid if uid is not None else new_uuid(),
        cwd,
        type="user",
        message={"role": "user", "content": text},
        **extra,
    )


def tool_result(
    session: str | None,
    ts: datetime | str,
    tool_use_id: str,
    text: str,
    *,
    result: Any = None,
    uid: str | None = None,
    cwd: str = "/home/dev/proj",
    **extra: Any,
) -> Json:
    block = {"tool_use_id": tool_use_id, "type": "tool_result", "content": text}
    line = _common(
        session,
        ts,
        uid if uid is not None else new_uuid(),
        cwd,
        type="user",
        message={"role": "user", "content": [block]},
        **extra,
    )
    if result is not None:
        line["toolUseResult"] = result
    return line


def tool_use(name: str, tool_input: Json, tool_id: str | None = None) -> Json:
    return {"type": "tool_use", "id": tool_id or f"toolu_{uuidlib.uuid4().hex[:20]}", "name": name, "input": tool_input}


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


def write_jsonl(path: Path, lines: Iterable[Json | bytes], *, mode: str = "wb", final_newline: bool = True) -> int:
    """Write lines (objects or raw bytes); returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"\n".join(line if isinstance(line, bytes) else dumps(line) for line in lines)
    if final_newline and data:
        data += b"\n"
    with path.open(mode) as f:
        f.write(data)
    return len(data)


def encode_cwd(cwd: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def transcript(config: Path, cwd: str, session: str) -> Path:
    return config / "projects" / encode_cwd(cwd) / f"{session}.jsonl"
