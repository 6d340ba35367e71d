"""The Runs page in Debian's Chromium: start a run from the task editor, watch it live, open a task's session."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from fakeapi import ClaudeSandbox, FakeApi
from web.server_fixture import LiveServer

pytestmark = [pytest.mark.cli, pytest.mark.browser, pytest.mark.slow]


def test_start_watch_and_stop_from_the_page(
    runs_server: LiveServer, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, browser: Browser
) -> None:
    cwd = str(claude_sandbox.cwd)
    tasks = [{"id": "hello", "prompt": "[[fake:text:<b>bold?</b> plain]]", "cwd": cwd},
             {"id": "held", "prompt": "[[fake:gate:forever]]", "cwd": cwd}]  # fmt: skip
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(runs_server.url + "/runs")
    expect(page.get_by_test_id("new-run")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Paste JSON").click()
    page.get_by_test_id("new-run-json").fill(json.dumps(tasks))
    page.get_by_test_id("new-run-submit").click()
    expect(page.get_by_test_id("run-page")).to_be_visible(timeout=30_000)

    hello = page.locator('[data-testid="task-row"][data-task-id="hello"]')
    expect(hello).to_have_attribute("data-status", "succeeded", timeout=60_000)  # pushed live, no reload
    held = page.locator('[data-testid="task-row"][data-task-id="held"]')
    expect(held).to_have_attribute("data-status", "running", timeout=30_000)
    page.once("dialog", lambda dialog: dialog.accept())
    held.get_by_test_id("task-stop").click()
    expect(held).to_have_attribute("data-status", "stopped", timeout=60_000)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "finished", timeout=30_000)

    hello.click()
    result = page.locator('[data-testid="task-result"][data-task-id="hello"]')
    expect(result.get_by_test_id("task-result-text")).to_contain_text("<b>bold?</b> plain")
    assert page.locator("b", has_text="bold?").count() == 0  # the result is text, not markup
    result.get_by_test_id("task-session-link").click()
    expect(page.get_by_test_id("timeline")).to_be_visible(timeout=20_000)
    page.close()
