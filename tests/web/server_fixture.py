"""A real ccdeck server (uvicorn on 127.0.0.1) over a generated config dir (tests/synthetic/).

Fixtures (loaded by tests/conftest.py): `serve`, to start servers (`with serve(config_dir, db) as live:`), and
`live_server`, one over a generated config dir. Tests that use either are marked `slow` (not in `make check`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

import synthetic
from ccdeck.db_target import as_target
from ccdeck.web.app import ServeOptions, create_app

# About a dozen sessions over several projects, models and days; 1 MiB keeps the catch-up scan short.
SERVED = synthetic.Params(size_mb=1.0, max_file_mb=0.25, seed=1)


@dataclass
class LiveServer:
    url: str
    port: int
    config_dir: Path
    db: Path | str

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)  # type: ignore[arg-type]


def _listening_socket() -> socket.socket:
    """A socket on a port the system picks, bound here and handed to uvicorn: no other process can take the port
    between choosing it and binding it (as with a free-port guess, which races under `pytest -n`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def run_server(
    config_dir: Path,
    db: Path | str,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    claude_bin: str | None = None,
    poll: bool = False,
    allow_bypass: bool = False,
    idle_after: float = 600,
    notify: tuple[str, ...] = (),
    machine: str | None = None,
) -> Iterator[LiveServer]:
    """Start uvicorn in a thread; stop it (and its lifespan) when the generator closes."""
    sock = _listening_socket()
    port = int(sock.getsockname()[1])
    options = ServeOptions(db=as_target(db), config_dirs=(config_dir.resolve(),), host=host, idle_after=idle_after,
                           rescan_every=30, token=token, claude_bin=claude_bin, poll=poll,
                           allow_bypass=allow_bypass, notify=notify, machine=machine,
                           public_url=f"http://127.0.0.1:{port}")  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(create_app(options), host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets-sansio"))  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
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
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def generated_config(tmp_path: Path, params: synthetic.Params = SERVED, name: str = "config") -> Path:
    """A config dir written by the generator (its manifest, with the expected totals, at the root)."""
    target = tmp_path / name
    synthetic.generate(target, params)
    return target


def empty_config(tmp_path: Path, name: str = "config") -> Path:
    """A config dir with nothing in it yet (its `projects/` folder only)."""
    config = tmp_path / name
    (config / "projects").mkdir(parents=True)
    return config


Serve = Callable[..., contextlib.AbstractContextManager[LiveServer]]


@pytest.fixture
def serve() -> Serve:
    """Starts a real server: `with serve(config_dir, db, **options) as live:` (the options of `run_server`)."""
    return contextlib.contextmanager(run_server)


@pytest.fixture
def empty_server(serve: Serve, tmp_path: Path, db_target: Path | str) -> Iterator[LiveServer]:
    """A server on an empty config dir, on loopback with no token, its store on SQLite and on PostgreSQL."""
    with serve(empty_config(tmp_path), db_target) as live:
        yield live


@pytest.fixture
def live_server(serve: Serve, tmp_path: Path, db_target: Path | str) -> Iterator[LiveServer]:
    """A server on a generated config dir, with its store on SQLite and on PostgreSQL (`db_target`)."""
    with serve(generated_config(tmp_path), db_target) as live:
        yield live
