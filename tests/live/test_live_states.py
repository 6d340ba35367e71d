"""States from Claude Code's own live signals, end to end: a real server, registry files written the way the CLI
writes them (temp file + rename) for a live process, hook POSTs, and a WebSocket client whose messages, applied by
the dashboard's own reducer, always agree with the API fetched fresh."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from websockets.sync.client import ClientConnection, connect

from core_fixtures import transcript, user_prompt, write_jsonl
from live.states import CWD, FIRST, JITI, live_config, replayed, state_of, until, write_registry
from web.server_fixture import LiveServer, Serve

pytestmark = pytest.mark.slow
HOOKS = orjson.loads((Path(__file__).parent / "data" / "hook_payloads.json").read_bytes())
SECOND = "5e55e55e-0000-4000-8000-000000000002"
IDLE_AFTER = 3.0


class Collector:
    """Every message the server pushes, in order, read on a thread."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.messages: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for message in self.ws:
                self.messages.append(str(message))
        except Exception:  # the socket closed at the end of the test
            return


LIVE_FIELDS = ("state", "stateSince", "blockedOn", "kind", "doing", "name", "prompt", "totalTokens", "costUSD")


def _disagreements(client: dict[str, Any], fresh: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    """Where the client's replayed state differs from the API's, fetched fresh."""
    wrong = [
        f"{session_id}: {[(k, row[k], fresh[session_id][k]) for k in LIVE_FIELDS if row[k] != fresh[session_id][k]]}"
        for session_id, row in client["sessions"].items()
        if {k: row[k] for k in LIVE_FIELDS} != {k: fresh[session_id][k] for k in LIVE_FIELDS}
    ]
    for key in ("active", "today", "week", "month"):
        if client["summary"][key] != summary[key]:
            wrong.append(f"summary {key}: {client['summary'][key]} != {summary[key]}")
    return wrong


def _assert_client_agrees(server: LiveServer, collector: Collector, timeout: float = 15.0) -> dict[str, Any]:
    """The client's state, replayed from what it was pushed, comes to agree with the API: wait for that (pushing is
    asynchronous), not for a quiet moment."""
    deadline = time.monotonic() + timeout
    while True:
        client = replayed(list(collector.messages))
        fresh = {s["sessionId"]: s for s in server.get("/api/sessions", params={"pageSize": 500}).json()["sessions"]}
        wrong = _disagreements(client, fresh, server.get("/api/summary").json())
        if not wrong:
            return fresh
        assert time.monotonic() < deadline, wrong
        time.sleep(0.1)


@pytest.mark.skipif(not JITI.exists(), reason="frontend packages not installed (make frontend-test installs them)")
def test_client_follows_a_session_through_every_state(
    serve: Serve, tmp_path: Path, sleeper: subprocess.Popen[bytes], db_target: Path | str
) -> None:
    config = live_config(tmp_path)
    with (
        serve(config, db_target, idle_after=IDLE_AFTER) as server,
        connect(server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws,
    ):
        collector = Collector(ws)
        steps: list[tuple[str, str | None, tuple[str, str | None]]] = [
            ("busy", None, ("working", None)),
            ("waiting", "permission prompt", ("blocked", "permission prompt")),
            ("busy", None, ("working", None)),
            ("idle", None, ("waiting", None)),
        ]
        for status, waiting_for, expected in steps:
            write_registry(config, sleeper.pid, FIRST, status, waiting_for)
            until(lambda expected=expected: state_of(server, FIRST) == expected)  # type: ignore[misc]
            _assert_client_agrees(server, collector)
        until(lambda: state_of(server, FIRST) == ("idle", None), timeout=IDLE_AFTER + 5)
        _assert_client_agrees(server, collector)

        # A hook says more than the registry: what exactly is waiting for approval.
        hook = {**HOOKS["PermissionRequest:Write"], "session_id": FIRST, "cwd": "/home/dev/runs/t134/home/dev/work"}
        answer = httpx.post(server.url + "/api/hooks", json=hook, timeout=5)
        assert (answer.status_code, answer.json()) == (200, {})
        assert state_of(server, FIRST) == ("blocked", "approve Write: a.txt")
        fresh = _assert_client_agrees(server, collector)
        assert fresh[FIRST]["stateSince"] is not None

        # A new session starts, then its process dies without removing its registry file.
        second = subprocess.Popen(["sleep", "300"])
        now = datetime.now(UTC)
        write_jsonl(transcript(config, CWD, SECOND), [user_prompt(SECOND, now, "hello", cwd=CWD)])
        write_registry(config, second.pid, SECOND, "busy")
        until(lambda: server.get(f"/api/sessions/{SECOND}").status_code == 200
               and state_of(server, SECOND) == ("working", None))  # fmt: skip
        _assert_client_agrees(server, collector)
        second.kill()
        second.wait()
        until(lambda: state_of(server, SECOND) == ("ended", None), timeout=10)
        _assert_client_agrees(server, collector)

        # The first one exits cleanly: its registry file goes away.
        (config / "sessions" / f"{sleeper.pid}.json").unlink()
        until(lambda: state_of(server, FIRST) == ("ended", None), timeout=10)
        summary = _assert_client_agrees(server, collector)
        assert {s["state"] for s in summary.values()} == {"ended"}


def test_a_hook_post_is_answered_at_once_and_bad_ones_are_refused(
    serve: Serve, tmp_path: Path, db_target: Path | str
) -> None:
    with serve(live_config(tmp_path), db_target) as server:
        url = server.url + "/api/hooks"
        assert httpx.post(url, json={**HOOKS["Stop"], "session_id": FIRST}, timeout=5).json() == {}
        assert httpx.post(url, content=b"{not json", timeout=5).status_code == 400
        assert httpx.post(url, json={"session_id": "../x", "hook_event_name": "Stop"}, timeout=5).status_code == 422
        assert httpx.post(url, content=b"x" * (9 << 20), timeout=15).status_code == 413
        foreign = httpx.post(url, json=HOOKS["Stop"], headers={"Origin": "http://evil.example"}, timeout=5)
        assert foreign.status_code == 403
        assert server.get("/api/health").json()["status"] == "ok"


def test_a_background_job_that_needs_approval_is_blocked(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    config = live_config(tmp_path)
    job = orjson.loads((Path(__file__).parent / "data" / "job_state_blocked.json").read_bytes())
    job.update(sessionId=FIRST, updatedAt=datetime.now(UTC).isoformat())
    with serve(config, db_target) as server:
        folder = config / "jobs" / "c5a31db8"
        folder.mkdir(parents=True)
        temp = folder / "state.json.tmp"
        temp.write_bytes(orjson.dumps(job))
        temp.rename(folder / "state.json")  # as the daemon writes it
        until(lambda: state_of(server, FIRST)[0] == "blocked")
        row = server.get(f"/api/sessions/{FIRST}").json()["session"]
        assert (row["blockedOn"], row["kind"]) == (
            "approve Write: /home/dev/runs/bg3/home/dev/work/d.txt",
            "background",
        )
        assert (row["name"], row["prompt"]) == ("fake side answer", "please write a file [[file:d.txt]]")
        job.update(state="stopped", tempo="idle", needs=None, updatedAt=datetime.now(UTC).isoformat())
        temp.write_bytes(orjson.dumps(job))
        temp.rename(folder / "state.json")
        until(lambda: state_of(server, FIRST) == ("ended", None))
