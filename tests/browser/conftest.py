"""Playwright (Python) driving Debian's Chromium against a real ccdeck server."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import psutil
import pytest
from playwright.sync_api import Browser, Page

from web.server_fixture import LiveServer, Serve, generated_config

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


@pytest.fixture
def live_transcript(tmp_path: Path) -> Path:
    """A config dir: a generated one plus one session active right now, whose prompt carries HTML."""
    config = generated_config(tmp_path)
    folder = config / "projects" / "-home-dev-live-demo"
    folder.mkdir(parents=True)
    path = folder / f"{LIVE_SESSION}.jsonl"
    path.write_bytes(
        transcript_line("user", "u-1", message={"role": "user", "content": XSS_PROMPT}) + assistant_line(1, 20)
    )
    # The live registry entry Claude Code writes for a running session; this test process stands in for it.
    (config / "sessions").mkdir()
    started = int(psutil.Process().create_time() * 1000)
    entry = {"pid": os.getpid(), "sessionId": LIVE_SESSION, "cwd": LIVE_CWD, "version": "2.1.330",
             "startedAt": started, "status": "busy", "kind": "interactive"}  # fmt: skip
    (config / "sessions" / f"{os.getpid()}.json").write_bytes(orjson.dumps(entry))
    return path


@pytest.fixture
def dashboard(serve: Serve, live_transcript: Path, tmp_path: Path) -> Iterator[LiveServer]:
    with serve(live_transcript.parents[2], tmp_path / "ccdeck.db") as live:
        yield live


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


def wait_until(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


__all__ = ["LIVE_SESSION", "XSS_PROMPT", "assistant_line", "shutil", "wait_until"]
