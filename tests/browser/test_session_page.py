"""The session page in a real browser: a blocked session's header, the timeline following the transcript without a
reload, and an answer's markdown rendered with its HTML left as text."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Page, expect

from ccdeck.pids import proc_start_ticks
from core_fixtures import assistant, transcript, user_prompt, write_jsonl
from web.server_fixture import LiveServer, Serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSION = "b10cced0-0000-4000-8000-000000000001"
CWD = "/home/dev/blocked-demo"
WAITING_FOR = "approve Bash: rm -rf build"
ANSWER = (
    "Built it. **All green**, see [the log](https://example.com/log).\n\n"
    '<img src=x onerror="window.__xss = 3">\n\n'
    "```sh\nnpm test\n```\n"
)


def _write_registry(config: Path, pid: int) -> None:
    """The live registry entry Claude Code writes for a session that waits on a permission prompt."""
    now_ms = int(time.time() * 1000)
    entry = {"pid": pid, "sessionId": SESSION, "cwd": CWD, "startedAt": now_ms - 60_000,
             "procStart": proc_start_ticks(pid), "version": "2.1.330", "kind": "interactive", "entrypoint": "cli",
             "name": "blocked-demo", "status": "waiting", "waitingFor": WAITING_FOR, "updatedAt": now_ms,
             "statusUpdatedAt": now_ms}  # fmt: skip
    (config / "sessions").mkdir(exist_ok=True)
    temp = config / "sessions" / f"{pid}.json.tmp.{os.getpid()}"
    temp.write_bytes(orjson.dumps(entry))
    temp.rename(config / "sessions" / f"{pid}.json")


@pytest.fixture
def blocked(serve: Serve, tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> Iterator[tuple[LiveServer, Path]]:
    config = tmp_path / "config"
    now = datetime.now(UTC)
    path = transcript(config, CWD, SESSION)
    write_jsonl(path, [
        user_prompt(SESSION, now - timedelta(seconds=40), "build it", cwd=CWD),
        assistant(SESSION, now - timedelta(seconds=30), msg_id="m-1", cwd=CWD,
                  content=[{"type": "text", "text": ANSWER}]),
    ])  # fmt: skip
    _write_registry(config, sleeper.pid)
    with serve(config, tmp_path / "ccdeck.db") as server:
        yield server, path


def test_blocked_session_header_live_timeline_and_safe_markdown(blocked: tuple[LiveServer, Path], page: Page) -> None:
    server, path = blocked
    page.goto(f"{server.url}/sessions/{SESSION}")
    expect(page.get_by_test_id("session-state")).to_have_attribute("data-state", "blocked", timeout=15_000)
    expect(page.get_by_test_id("session-blocked-on")).to_have_text(WAITING_FOR)
    expect(page.get_by_test_id("session-state-since")).to_contain_text("for ")
    expect(page.get_by_test_id("session-kind")).to_have_text("interactive")

    answer = page.locator('[data-testid="timeline-item"][data-kind="answer"]').first
    expect(answer).to_contain_text('<img src=x onerror="window.__xss = 3">')
    expect(answer.locator("strong")).to_have_text("All green")
    expect(answer.locator("a", has_text="the log")).to_have_attribute("rel", "noreferrer noopener")
    expect(answer.locator("pre code")).to_have_text("npm test")
    assert answer.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None

    page.evaluate("window.__marker = 'same page'")
    write_jsonl(path, [user_prompt(SESSION, datetime.now(UTC), "appended while the page is open", cwd=CWD)], mode="ab")
    prompts = page.locator('[data-testid="timeline-item"][data-kind="prompt"]')
    expect(prompts.filter(has_text="appended while the page is open")).to_have_count(1, timeout=15_000)
    expect(prompts).to_have_count(2)
    assert page.evaluate("window.__marker") == "same page"  # appended without a reload

    page.get_by_role("button", name="Newest first").click()
    first = page.locator('[data-testid="timeline-item"]').first
    expect(first).to_contain_text("appended while the page is open")
    page.get_by_test_id("timeline-jump").click()
