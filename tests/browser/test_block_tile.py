"""The Overview's 5-hour block tile, the official limits beside it and the cost panels, updated live in a real
browser: a line appended to a transcript and a status-line record reach the page without a reload."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.live_page import LIVE_CWD, LIVE_SESSION, assistant_line, transcript_line
from ccdeck import statusline
from web.server_fixture import Serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SUBSCRIBER = Path(__file__).parents[1] / "fixtures" / "statusline" / "subscriber.json"


def _config(tmp_path: Path) -> Path:
    """One session, answered just now: the only block is the current one."""
    path = tmp_path / "config" / "projects" / "-home-dev-live-demo" / f"{LIVE_SESSION}.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(transcript_line("user", "u-1", message={"role": "user", "content": "go"}) + assistant_line(1, 20))
    return path


def test_block_tile_limits_and_cost_panels_follow_appended_lines(serve: Serve, tmp_path: Path, page: Page) -> None:
    path, db = _config(tmp_path), tmp_path / "ccdeck.db"
    with serve(path.parents[2], db) as server:
        page.goto(server.url + "/")
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
        tile = page.get_by_test_id("block-tile")
        expect(tile).to_contain_text("estimate")
        expect(tile.get_by_test_id("block-tokens")).to_have_text("30 tokens")
        expect(tile.get_by_test_id("block-left")).to_contain_text("left")
        expect(tile.get_by_test_id("block-burn")).to_contain_text("tokens/min")
        expect(page.get_by_test_id("rate-limits")).to_have_count(0)  # nothing recorded yet
        expect(page.locator(".time-chart")).to_have_attribute("data-band", re.compile(r"^\d+-\d+$"))
        project = page.locator(f'[data-testid="cost-panels"] [data-testid="cost-share"][data-key="{LIVE_CWD}"]')
        expect(project).to_have_attribute("data-tokens", "30")
        page.evaluate("window.__marker = 'same page'")

        with path.open("ab") as f:
            f.write(assistant_line(2, 1000))
        expect(project).to_have_attribute("data-tokens", "1040", timeout=10_000)
        expect(tile.get_by_test_id("block-tokens")).to_have_text("1k tokens")
        model = page.locator('[data-testid="cost-panels"] [data-testid="cost-share"][data-key^="claude-sonnet-4-5"]')
        expect(model).to_have_attribute("data-tokens", "1040")

        assert statusline.run({"--db": str(db)}, io.BytesIO(SUBSCRIBER.read_bytes()), io.StringIO(), {}) == 0
        limits = page.get_by_test_id("rate-limits")
        expect(limits).to_contain_text("official", timeout=10_000)
        expect(limits).to_contain_text("24%")
        expect(limits).to_contain_text("41%")
        assert page.evaluate("window.__marker") == "same page"  # all of it without a reload
