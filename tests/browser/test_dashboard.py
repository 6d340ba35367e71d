"""The dashboard in a real browser: live updates without reload, the session page, XSS, a 390 px screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.live_page import LIVE_SESSION, assistant_line
from web.server_fixture import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_overview_lists_sessions_and_updates_live(dashboard: LiveServer, live_transcript: Path, page: Page) -> None:
    page.goto(dashboard.url + "/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
    card = page.locator(f'[data-testid="session-card"][data-session-id="{LIVE_SESSION}"]')
    expect(card).to_be_visible(timeout=10_000)
    expect(card.get_by_test_id("tokens")).to_have_attribute("data-value", "30")
    page.evaluate("window.__marker = 'same page'")
    with live_transcript.open("ab") as f:
        f.write(assistant_line(2, 1000))
    expect(card.get_by_test_id("tokens")).to_have_attribute("data-value", "1040", timeout=10_000)
    assert page.evaluate("window.__marker") == "same page"  # updated without a reload

    page.goto(dashboard.url + "/sessions")
    expect(page.get_by_test_id("sessions-table")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("session-row").first).to_be_visible()
    assert page.get_by_test_id("session-row").count() >= 10


def test_session_page_shows_files_and_timeline(dashboard: LiveServer, page: Page) -> None:
    page.goto(f"{dashboard.url}/sessions/{LIVE_SESSION}")
    expect(page.get_by_test_id("files-changed")).to_contain_text("src/app1.py", timeout=15_000)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    expect(page.locator('[data-testid="timeline-item"][data-kind="prompt"]').first).to_be_visible()
    expect(page.locator('[data-testid="timeline-item"][data-kind="tool_use"]').first).to_be_visible()


def test_transcript_html_renders_as_text(dashboard: LiveServer, page: Page) -> None:
    page.goto(f"{dashboard.url}/sessions/{LIVE_SESSION}")
    prompt = page.locator('[data-testid="timeline-item"][data-kind="prompt"]').first
    expect(prompt).to_contain_text("<script>window.__xss = 1</script>", timeout=15_000)
    expect(prompt).to_contain_text('<img src=x onerror="window.__xss = 2">')
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0


@pytest.mark.parametrize("path", ["/", "/sessions", f"/sessions/{LIVE_SESSION}", "/projects"])
def test_390px_has_no_horizontal_scroll(dashboard: LiveServer, browser: object, path: str) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(dashboard.url + path)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
    page.wait_for_timeout(500)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390, f"{path} is {width}px wide at 390px"
