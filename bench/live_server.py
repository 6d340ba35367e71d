"""`ccdeck serve` as a child process for the live benchmarks: started on 127.0.0.1 in a session of its own, waited
for, stopped politely then firmly; its health and memory."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psutil

from bench.common import MIB, OUT_DIR, remove_db

JsonObj = dict[str, Any]

START_TIMEOUT = 60.0
CATCH_UP_TIMEOUT = 3600.0
STOP_TIMEOUT = 20.0


class BenchError(Exception):
    """A step that could not run (server did not start, a request failed); its message goes in the table."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET on a connection of its own (for polling; the latency figures reuse one connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Server:
    """A running `ccdeck serve`. It has a session of its own, so stopping it touches nothing else."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def last_log_line(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1][:160] if lines else "no output"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"the server exited ({self.process.returncode}): {self.last_log_line()}")

    def memory_mib(self) -> tuple[float, float]:
        """(RSS, USS) of the server process in MiB."""
        info = psutil.Process(self.process.pid).memory_full_info()
        return info.rss / MIB, info.uss / MIB

    def health(self) -> JsonObj:
        status, body = http_get(self.port, "/api/health", timeout=10)
        if status != 200:
            raise BenchError(f"/api/health answered {status}")
        data: JsonObj = orjson.loads(body)
        return data


def server_log(db: Path | str, port: int = 0) -> Path:
    """Beside a SQLite database; in bench/out/ for a server on a PostgreSQL URL (one log per port)."""
    if isinstance(db, str):
        return OUT_DIR / f"serve-{port}.log"
    return db.with_name(db.name + ".serve.log")


def remove_outputs(db: Path) -> None:
    remove_db(db)
    server_log(db).unlink(missing_ok=True)


def server_argv(ccdeck: Path, port: int, config_dir: Path, db: Path | str, extra: Sequence[str] = ()) -> list[str]:
    return [
        str(ccdeck),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config-dir",
        str(config_dir),
        "--db",
        str(db),
        *extra,
    ]


@contextlib.contextmanager
def serving(
    ccdeck: Path, config_dir: Path, db: Path | str, env: dict[str, str], fresh: bool = True, extra: Sequence[str] = ()
) -> Iterator[Server]:
    """Start `ccdeck serve` on a fresh SQLite database (`fresh`, else on `db` as it is; a PostgreSQL URL is used as
    it is), with `extra` arguments; stop it (Ctrl-C, then SIGKILL to its group) on the way out."""
    if fresh and isinstance(db, Path):
        remove_outputs(db)
    port = free_port()
    log = server_log(db, port)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            server_argv(ccdeck, port, config_dir, db, extra),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log, time.perf_counter())
    try:
        wait_until_up(server)
        yield server
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session made for this child only
        process.wait()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            server.health()
            return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"the server did not answer within {START_TIMEOUT:.0f} s")


def wait_caught_up(server: Server, timeout: float = CATCH_UP_TIMEOUT) -> float:
    """Wait for the catch-up scan to end; returns seconds since the server was started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        with contextlib.suppress(OSError):  # a busy server may time out once: ask again
            if not server.health()["scan"]["running"]:
                return time.perf_counter() - server.started
        time.sleep(0.25)
    raise BenchError(f"the catch-up scan did not finish within {timeout:.0f} s")
