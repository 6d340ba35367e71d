"""A real ccdeck server (uvicorn on 127.0.0.1, a free port) over a copy of a corpus config dir."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from ccdeck.web.app import ServeOptions, create_app

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


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
    idle_after: float = 600,
) -> Iterator[LiveServer]:
    """Start uvicorn in a thread; stop it (and its lifespan) when the generator closes."""
    port = free_port()
    options = ServeOptions(db=db, config_dirs=(config_dir.resolve(),), host=host, idle_after=idle_after,
                           rescan_every=30, token=token, claude_bin=claude_bin, poll=poll)  # fmt: skip
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


def corpus_copy(tmp_path: Path, name: str = "public/claude-sovereign") -> Path:
    target = tmp_path / "config"
    shutil.copytree(CORPUS / name, target)
    return target


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from run_server(corpus_copy(tmp_path), tmp_path / "ccdeck.db")
