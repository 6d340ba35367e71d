"""What the browser tests write and wait for: a session active right now (its transcript lines), and polling."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson

LIVE_SESSION = "0b5e55e5-1111-4222-8333-444455556666"
LIVE_CWD = "/home/dev/live-demo"
XSS_PROMPT = 'Fix <script>window.__xss = 1</script> and <img src=x onerror="window.__xss = 2">'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def transcript_line(kind: str, uuid: str, **extra: object) -> bytes:
    line = {"type": kind, "uuid": uuid, "sessionId": LIVE_SESSION, "cwd": LIVE_CWD, "timestamp": _now(),
            "version": "2.1.330", "gitBranch": "feat/live", **extra}  # fmt: skip
    return orjson.dumps(line) + b"\n"


def assistant_line(n: int, output: int) -> bytes:
    return transcript_line(
        "assistant",
        f"a-{n}",
        requestId=f"req-{n}",
        message={"id": f"msg-{n}", "model": "claude-sonnet-4-5-20250929", "role": "assistant",
                 "content": [{"type": "tool_use", "id": f"toolu-{n}", "name": "Edit",
                              "input": {"file_path": f"{LIVE_CWD}/src/app{n}.py"}}],
                 "usage": {"input_tokens": 10, "output_tokens": output, "cache_creation_input_tokens": 0,
                           "cache_read_input_tokens": 0}},
    )  # fmt: skip


def wait_until(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
