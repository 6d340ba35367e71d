"""A real ccdeck server whose runs launch the real Claude Code CLI against the fake Messages API."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fakeapi import ClaudeSandbox, FakeApi
from web.server_fixture import LiveServer, Serve


@pytest.fixture
def serve_runs(
    serve: Serve, claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Serve:  # fmt: skip
    """Starts a server whose runs use the sandbox and the fake API: `with serve_runs(token=..., notify=...) as live:`
    (with `token`, it requires that token); the runs still active when it stops are stopped first."""

    @contextlib.contextmanager
    def start(token: str | None = None, notify: tuple[str, ...] = ()) -> Iterator[LiveServer]:
        # The detached supervisors the server starts inherit this environment: the sandbox and the fake API.
        for name in list(os.environ):
            if name not in ("PATH", "CI"):
                monkeypatch.delenv(name)
        for name, value in claude_sandbox.env(fake_api.base_url).items():
            monkeypatch.setenv(name, value)
        with serve(claude_sandbox.config_dir, tmp_path / "data" / "ccdeck.db", claude_bin=str(claude_bin),
                   token=token, notify=notify) as live:  # fmt: skip
            headers = {"Origin": live.url, **({"Authorization": f"Bearer {token}"} if token else {})}
            try:
                yield live
            finally:  # nothing outlives it
                for run in live.get("/api/runs", params={"active": True}, headers=headers).json()["runs"]:
                    httpx.post(f"{live.url}/api/runs/{run['id']}/stop", headers=headers)

    return start


@pytest.fixture
def runs_server(serve_runs: Serve) -> Iterator[LiveServer]:
    with serve_runs() as live:
        yield live
