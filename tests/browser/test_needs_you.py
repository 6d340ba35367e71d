"""A session that becomes blocked: the "Needs you" strip shows it, the tab title counts it, and once the user has
turned notifications on, the browser shows one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Browser, expect

from browser.live_page import LIVE_SESSION, wait_until
from web.server_fixture import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Records every notification the page shows, and still shows it.
RECORD_NOTIFICATIONS = """
(() => {
  const Original = window.Notification;
  window.__notifications = [];
  class Recorded extends Original {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options && options.body });
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Original.permission });
  Recorded.requestPermission = (...args) => Original.requestPermission(...args);
  window.Notification = Recorded;
})();
"""


def _block(config: Path, waiting_for: str) -> None:
    """Rewrite this process's registry entry the way Claude Code does (temp file + rename): waiting on the user."""
    entry_path = config / "sessions" / f"{os.getpid()}.json"
    entry = orjson.loads(entry_path.read_bytes())
    now_ms = int(time.time() * 1000)
    entry.update(status="waiting", waitingFor=waiting_for, statusUpdatedAt=now_ms, updatedAt=now_ms)
    temp = entry_path.with_name(entry_path.name + ".tmp")
    temp.write_bytes(orjson.dumps(entry))
    temp.rename(entry_path)


def test_a_blocked_session_needs_you_everywhere(dashboard: LiveServer, live_transcript: Path, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["notifications"], origin=dashboard.url)
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    try:
        page.goto(dashboard.url + "/projects")
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
        strip = page.get_by_test_id("needs-you")
        expect(strip).to_be_hidden()
        assert not page.title().startswith("(")
        toggle = page.get_by_test_id("notifications-toggle")
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")

        _block(live_transcript.parents[2], "permission prompt")

        item = page.locator(f'[data-testid="needs-you-item"][data-session="{LIVE_SESSION}"]')
        expect(item).to_be_visible(timeout=10_000)
        expect(item).to_contain_text("permission prompt")
        expect(page).to_have_title("(1) Projects · ccdeck")
        # Polled from here: the page's CSP forbids the string evaluation `wait_for_function` relies on.
        wait_until(lambda: page.evaluate("window.__notifications.length") > 0)
        [shown] = page.evaluate("window.__notifications")
        assert "permission prompt" in shown["title"]
        assert "live-demo" in shown["body"]

        item.click()
        expect(page).to_have_url(f"{dashboard.url}/sessions/{LIVE_SESSION}")
    finally:
        context.close()
