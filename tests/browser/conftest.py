"""Playwright (Python) driving Debian's Chromium against a real ccdeck server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import orjson
import psutil
import pytest
from playwright.sync_api import Browser, Page

from browser.live_page import LIVE_CWD, LIVE_SESSION, XSS_PROMPT, assistant_line, transcript_line
from web.server_fixture import LiveServer, Serve, generated_config


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
