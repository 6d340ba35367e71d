"""A real ccdeck server (uvicorn on 127.0.0.1, a free port) over a generated config dir (tests/synthetic.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

import synthetic
from ccdeck.web.app import ServeOptions, create_app

# About a dozen sessions over several projects, models and days; 1 MiB keeps the catch-up scan short.
SERVED = synthetic.Params(size_mb=1.0, max_file_mb=0.25, seed=1)


@dataclass
class LiveServer:
    url: str
    port: int
    config_dir: Path
    db: Path

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_server(
    config_dir: Path,
    db: Path,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    claude_bin: str | None = None,
    poll: bool = False,
    allow_bypass: bool = False,
    idle_after: float = 600,
    notify: tuple[str, ...] = (),
) -> Iterator[LiveServer]:
    """Start uvicorn in a thread; stop it (and its lifespan) when the generator closes."""
    port = free_port()
    options = ServeOptions(db=db, config_dirs=(config_dir.resolve(),), host=host, idle_after=idle_after,
                           rescan_every=30, token=token, claude_bin=claude_bin, poll=poll,
                           allow_bypass=allow_bypass, notify=notify,
                           public_url=f"http://127.0.0.1:{port}")  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(create_app(options), host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    live = LiveServer(f"http://127.0.0.1:{port}", port, config_dir, db)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while live.get("/api/health", headers=headers).json()["scan"]["running"]:  # wait for the catch-up scan
        if time.monotonic() > deadline:
            raise RuntimeError("the catch-up scan did not finish")
        time.sleep(0.05)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def generated_config(tmp_path: Path, params: synthetic.Params = SERVED, name: str = "config") -> Path:
    """A config dir written by the generator (its manifest, with the expected totals, at the root)."""
    target = tmp_path / name
    synthetic.generate(target, params)
    return target


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from run_server(generated_config(tmp_path), tmp_path / "ccdeck.db")
