"""A real ccdeck server whose runs launch the real Claude Code CLI against the fake Messages API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fakeapi import ClaudeSandbox, FakeApi
from web.server_fixture import LiveServer, run_server


@pytest.fixture
def runs_server(
    claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    # The detached supervisors the server starts inherit this environment: the sandbox and the fake API.
    for name in list(os.environ):
        if name not in ("PATH", "CI"):
            monkeypatch.delenv(name)
    for name, value in claude_sandbox.env(fake_api.base_url).items():
        monkeypatch.setenv(name, value)
    server = run_server(claude_sandbox.config_dir, tmp_path / "data" / "ccdeck.db", claude_bin=str(claude_bin))
    live = next(server)
    yield live
    for run in live.get("/api/runs", params={"active": True}).json()["runs"]:  # nothing outlives the test
        httpx.post(f"{live.url}/api/runs/{run['id']}/stop", headers={"Origin": live.url})
    server.close()


from browser.conftest import browser  # noqa: E402, F401 - Debian's Chromium, shared with the dashboard tests
