"""A real ccdeck server whose runs launch the real Claude Code CLI against the fake Messages API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fakeapi import ClaudeSandbox, FakeApi
from web.server_fixture import LiveServer, run_server


def serve_runs(
    claude_bin: Path, sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    token: str | None = None, notify: tuple[str, ...] = (),
) -> Iterator[LiveServer]:  # fmt: skip
    """A server whose runs use the sandbox and the fake API; with `token`, it requires that token."""
    # The detached supervisors the server starts inherit this environment: the sandbox and the fake API.
    for name in list(os.environ):
        if name not in ("PATH", "CI"):
            monkeypatch.delenv(name)
    for name, value in sandbox.env(fake_api.base_url).items():
        monkeypatch.setenv(name, value)
    server = run_server(sandbox.config_dir, tmp_path / "data" / "ccdeck.db", claude_bin=str(claude_bin), token=token,
                        notify=notify)  # fmt: skip
    live = next(server)
    headers = {"Origin": live.url, **({"Authorization": f"Bearer {token}"} if token else {})}
    yield live
    for run in live.get("/api/runs", params={"active": True}, headers=headers).json()["runs"]:  # nothing outlives it
        httpx.post(f"{live.url}/api/runs/{run['id']}/stop", headers=headers)
    server.close()


@pytest.fixture
def runs_server(
    claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    yield from serve_runs(claude_bin, claude_sandbox, fake_api, tmp_path, monkeypatch)


from browser.conftest import browser  # noqa: E402, F401 - Debian's Chromium, shared with the dashboard tests
