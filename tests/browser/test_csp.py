"""The Content-Security-Policy in a real browser: the dashboard (live over its WebSocket) and /docs work under it,
with no violation reported."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from web.server_fixture import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _violations(page: Page) -> list[str]:
    found: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.on("console", note)
    return found


def test_dashboard_and_docs_run_under_the_policy(dashboard: LiveServer, page: Page) -> None:
    violations = _violations(page)
    response = page.goto(dashboard.url + "/")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
    page.goto(dashboard.url + "/sessions")
    expect(page.get_by_test_id("session-row").first).to_be_visible(timeout=10_000)
    page.goto(dashboard.url + "/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/runs").first).to_be_visible(timeout=15_000)
    assert violations == []
