"""Two machines' sessions in one database: the sessions table shows each one's machine, the filter narrows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from core_fixtures import assistant, scan, transcript, usage, write_jsonl
from web.server_fixture import LiveServer, Serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = "aaaaaaaa-0000-4000-8000-0000000000c1"
SERVER = "bbbbbbbb-0000-4000-8000-0000000000c2"


def _config(root: Path, session: str, cwd: str) -> Path:
    write_jsonl(transcript(root, cwd, session), [
        assistant(session, "2025-08-01T10:00:00Z", msg_id=f"m_{session}", request_id=f"r_{session}",
                  u=usage(100, 10), cwd=cwd),
    ])  # fmt: skip
    return root


@pytest.fixture
def two_machines(serve: Serve, tmp_path: Path) -> Iterator[LiveServer]:
    """`laptop` scanned one config dir into the database; the server, as `build-server`, reads another."""
    db = tmp_path / "ccdeck.db"
    scan(_config(tmp_path / "laptop", LAPTOP, "/home/dev/zoo"), db, machine="laptop")
    with serve(_config(tmp_path / "server", SERVER, "/srv/farm"), db, machine="build-server") as live:
        yield live


def _row(page: Page, session: str) -> Locator:
    return page.locator(f'[data-testid="session-row"][data-session-id="{session}"]')


def test_sessions_show_their_machine_and_the_filter_narrows(two_machines: LiveServer, page: Page) -> None:
    page.goto(two_machines.url + "/sessions")
    expect(page.get_by_test_id("sessions-table")).to_be_visible(timeout=10_000)
    laptop, server = _row(page, LAPTOP), _row(page, SERVER)
    expect(laptop.get_by_test_id("session-machine")).to_have_text("laptop")
    expect(server.get_by_test_id("session-machine")).to_have_text("build-server")
    page.get_by_role("combobox", name="Machine").select_option("laptop")
    expect(server).to_have_count(0, timeout=10_000)
    expect(laptop).to_be_visible()
    assert "machine=laptop" in page.url
    page.reload()  # the filter lives in the URL
    expect(page.get_by_role("combobox", name="Machine")).to_have_value("laptop", timeout=10_000)
    expect(_row(page, SERVER)).to_have_count(0)
