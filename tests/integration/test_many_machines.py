"""Two machines, one PostgreSQL database, as real processes: `ccdeck agent` on machine b ingests its config dir, and a
WebSocket client of `ccdeck serve` on machine a sees b's new transcript line and b's blocked session (registry), pushed
through LISTEN/NOTIFY. Polls with a deadline; how fast it arrives is measured in `bench/`, not asserted here."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
import pytest
from websockets.sync.client import ClientConnection, connect

from ccdeck.config import Config
from core_fixtures import CCDECK, assistant, dumps, transcript, user_prompt
from live.states import write_registry

DEADLINE = 60.0
SESSION = "b0b0b0b0-0000-4000-8000-000000000001"
CWD = "/home/dev/on-b"


def _engine_takes_urls() -> bool:
    """Whether this ccdeck's `--db` takes a PostgreSQL URL (rather than a file of that name)."""
    return "://" in str(Config.resolve(db="postgresql://x@h/d").db)


def _line(stream: IO[bytes], needle: str) -> str:
    deadline = time.monotonic() + DEADLINE
    seen = ""
    while needle not in seen:
        assert time.monotonic() < deadline, f"no {needle!r} in {seen!r}"
        chunk = stream.readline().decode(errors="replace")
        assert chunk, f"the process ended: {seen!r}"
        seen += chunk
    return seen


def _child(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(CCDECK), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stop(child: subprocess.Popen[bytes]) -> int:
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
    try:
        return child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


@pytest.fixture
def machines(child_env: dict[str, str], pg_url: str, tmp_path: Path) -> Iterator[tuple[ClientConnection, Path]]:
    """Machine a's `serve` (a WebSocket client of it) and machine b's config dir, followed by b's agent."""
    if not _engine_takes_urls():
        pytest.skip("this store does not take a PostgreSQL URL yet")
    config_a, config_b = tmp_path / "a", tmp_path / "b"
    for config in (config_a, config_b):
        (config / "projects").mkdir(parents=True)
        (config / "sessions").mkdir()
    agent = _child(["agent", "--config-dir", str(config_b), "--db", pg_url], {**child_env, "CCDECK_MACHINE": "b"})
    serve = _child(["serve", "--port", "0", "--config-dir", str(config_a), "--db", pg_url],
                   {**child_env, "CCDECK_MACHINE": "a"})  # fmt: skip
    try:
        assert agent.stdout is not None and serve.stdout is not None
        assert "machine b" in _line(agent.stdout, "ccdeck agent:")
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", _line(serve.stdout, "Ctrl-C stops"))
        assert url is not None
        _answering(url.group(0) + "api/health")  # the socket is bound before the URL is printed; served soon after
        with connect(f"ws://127.0.0.1:{url.group(1)}/ws", open_timeout=10) as ws:
            assert orjson.loads(ws.recv(timeout=30))["type"] == "snapshot"
            yield ws, config_b
    finally:
        codes = (_stop(agent), _stop(serve))
        errors = b"".join(c.stderr.read() for c in (agent, serve) if c.stderr is not None).decode(errors="replace")
        assert codes == (0, 0), errors
        assert "Traceback" not in errors


def _answering(url: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} does not answer"
        time.sleep(0.1)


def _until(ws: ClientConnection, wanted: Any) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no such message in time"
        message: dict[str, Any] = orjson.loads(ws.recv(timeout=remaining))
        if wanted(message):
            return message


def test_a_line_on_machine_b_reaches_a_client_of_machine_a(machines: tuple[ClientConnection, Path]) -> None:
    ws, config_b = machines
    now = datetime.now(UTC)
    path = transcript(config_b, CWD, SESSION)
    path.parent.mkdir(parents=True)
    path.write_bytes(dumps(user_prompt(SESSION, now, "go", cwd=CWD)) + b"\n")
    with path.open("ab") as file:
        file.write(dumps(assistant(SESSION, now, msg_id="m-b1", cwd=CWD)) + b"\n")
    updated = _until(ws, lambda m: m["type"] == "session.updated" and m["session"]["sessionId"] == SESSION)
    assert updated["session"]["projectPath"] == CWD


def test_a_blocked_session_on_machine_b_shows_blocked_on_machine_a(machines: tuple[ClientConnection, Path]) -> None:
    ws, config_b = machines
    now = datetime.now(UTC)
    path = transcript(config_b, CWD, SESSION)
    path.parent.mkdir(parents=True)
    path.write_bytes(dumps(user_prompt(SESSION, now, "go", cwd=CWD)) + b"\n")
    write_registry(config_b, os.getpid(), SESSION, "waiting", "approve Bash: ls")  # this test's process lives
    state = _until(ws, lambda m: m["type"] == "session.state" and m["sessionId"] == SESSION and m["state"] == "blocked")
    assert state["blockedOn"] == "approve Bash: ls"


def test_a_scan_on_machine_c_reaches_a_client_of_machine_a(
    machines: tuple[ClientConnection, Path], pg_url: str, child_env: dict[str, str], tmp_path: Path
) -> None:
    """A one-off `ccdeck scan` (no agent on c) names the sessions it wrote, as an agent does."""
    ws, _config_b = machines
    config_c, session = tmp_path / "c", "c0c0c0c0-0000-4000-8000-000000000001"
    path = transcript(config_c, CWD, session)
    path.parent.mkdir(parents=True)
    now = datetime.now(UTC)
    path.write_bytes(b"".join(dumps(line) + b"\n" for line in (user_prompt(session, now, "go", cwd=CWD),
                                                                 assistant(session, now, cwd=CWD))))  # fmt: skip
    argv = [str(CCDECK), "scan", "--db", pg_url, "--machine", "c", "--config-dir", str(config_c)]
    done = subprocess.run(argv, env=child_env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    updated = _until(ws, lambda m: m["type"] == "session.updated" and m["session"]["sessionId"] == session)
    assert updated["session"]["machine"] == "c"
