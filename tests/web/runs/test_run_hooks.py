"""A run started over HTTP gives its tasks' CLIs ccdeck's hooks (`claude --settings`): the real Claude Code CLI
posts its events back to the server that started it, and the task's session shows live.

What 2.1.330 does in `-p` mode with permission mode `default` when the model asks to Write: PreToolUse, then
PermissionRequest (which it waits on, as a hook may answer it), then, with nobody to ask, an immediate denial (the
result's `permission_denials`), Stop and SessionEnd. So the session is `blocked` only while that hook is handled;
the server still publishes that moment as a `session.state` message.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import pytest
from websockets.sync.client import connect

from fakeapi import ClaudeSandbox
from live.states import replayed
from web.server_fixture import LiveServer, Serve
from webhook import Receiver

pytestmark = [pytest.mark.cli, pytest.mark.slow]
TOKEN = "run-hooks-test-token"


def _messages_until_finished(
    server: LiveServer, body: dict[str, Any], token: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Start the run with a WebSocket client connected; every message until the run is pushed as finished."""
    ws_url = server.url.replace("http", "ws") + "/ws"
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    seen: list[dict[str, Any]] = []
    with connect(ws_url, origin=server.url, open_timeout=10, additional_headers=auth) as ws:  # type: ignore[arg-type]
        first = orjson.loads(ws.recv(timeout=15))
        assert first["type"] == "snapshot"
        seen.append(first)
        created = httpx.post(server.url + "/api/runs", json=body, headers={"Origin": server.url, **auth}, timeout=60)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            message = orjson.loads(ws.recv(timeout=60))
            seen.append(message)
            run = message.get("run") if message["type"] == "run.updated" else None
            if run is not None and run["id"] == run_id and run["status"] == "finished":
                return run_id, seen
    raise AssertionError(f"the run never finished; last messages: {seen[-5:]}")


def test_a_runs_sessions_post_their_hooks_to_the_server(runs_server: LiveServer, claude_sandbox: ClaudeSandbox) -> None:
    cwd = claude_sandbox.cwd
    body = {"tasks": [{"id": "ask", "prompt": "Write it. [[fake:write_file:asked.txt]]", "cwd": str(cwd)}],
            "options": {"permissionMode": "default", "timeout": 60}}  # fmt: skip
    run_id, messages = _messages_until_finished(runs_server, body)

    (task,) = runs_server.get(f"/api/runs/{run_id}").json()["run"]["tasks"]
    session_id = task["sessionId"]
    # Headless, nobody can approve: the CLI denied the Write and went on.
    assert task["status"] == "succeeded", task
    assert [d["tool_name"] for d in task["permissionDenials"]] == ["Write"]
    assert not (cwd / "asked.txt").exists()

    states = [m for m in messages if m["type"] == "session.state" and m["sessionId"] == session_id]
    steps = [(m["state"], m["blockedOn"], m["doing"]) for m in states]
    assert steps, f"no session.state for the task's session; hooks never reached the server: {messages}"
    # The first state may be `waiting` (the registry entry appears idle before the prompt is read), then: working
    # (UserPromptSubmit), working on "Write: asked.txt" (PreToolUse), blocked (PermissionRequest), waiting (Stop:
    # the turn ended after the denial), ended (SessionEnd).
    assert ("working", None, "Write: asked.txt") in steps, steps
    blocked = [s for s in steps if s[0] == "blocked"]
    # The registry may echo the wait a moment later ("permission prompt"); the hook's precise reason stays.
    assert blocked and set(blocked) == {("blocked", "approve Write: asked.txt", "Write: asked.txt")}, steps
    order = [state for state, _, _ in steps]
    assert order.index("working") < order.index("blocked"), steps
    assert "waiting" in order[order.index("blocked") :], steps
    assert order[-1] == "ended", steps

    # The server's own view agrees once the transcript is ingested: the session is listed, and ended.
    deadline = time.monotonic() + 15
    while (found := runs_server.get(f"/api/sessions/{session_id}")).status_code != 200:
        assert time.monotonic() < deadline, "the task's session never appeared"
        time.sleep(0.2)
    assert found.json()["session"]["state"] == "ended"

    # A client that applied every message with the dashboard's reducer shows the run as the API does.
    client = replayed(messages)
    listed = {r["id"]: r for r in runs_server.get("/api/runs").json()["runs"]}[run_id]
    mine = client["runs"][run_id]
    assert (mine["status"], mine["costUSD"]) == (listed["status"], listed["costUSD"])
    assert [(t["id"], t["status"], t["sessionId"]) for t in mine["tasks"]] == [
        (t["id"], t["status"], t["sessionId"]) for t in listed["tasks"]
    ]


def test_with_a_server_token_the_hooks_carry_it(serve_runs: Serve, claude_sandbox: ClaudeSandbox) -> None:
    # The server's own environment has no CCDECK_TOKEN: the run's supervisor gets it from the server, and the hooks
    # send it as `Authorization: Bearer $CCDECK_TOKEN`; without it every hook would be refused (401).
    with serve_runs(token=TOKEN) as server:
        cwd = claude_sandbox.cwd
        body = {"tasks": [{"id": "tok", "prompt": "[[fake:write_file:token.txt]]", "cwd": str(cwd)}],
                "options": {"permissionMode": "default", "timeout": 60}}  # fmt: skip
        run_id, messages = _messages_until_finished(server, body, TOKEN)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        (task,) = server.get(f"/api/runs/{run_id}", headers=auth).json()["run"]["tasks"]
        states = [m for m in messages if m["type"] == "session.state" and m["sessionId"] == task["sessionId"]]
        blocked = [m["blockedOn"] for m in states if m["state"] == "blocked"]
        assert blocked and set(blocked) == {"approve Write: token.txt"}, states  # only a PermissionRequest hook says so
        assert TOKEN not in server.get(f"/api/runs/{run_id}", headers=auth).text  # not among the run's options


def test_the_blocked_moment_of_a_launched_session_is_alerted(
    serve_runs: Serve, claude_sandbox: ClaudeSandbox, receiver: Receiver
) -> None:
    # The real CLI asks permission for a Write (PermissionRequest hook): one alert goes to the `notify` webhook.
    with serve_runs(notify=(receiver.url,)) as server:
        body = {"tasks": [{"id": "alert", "prompt": "[[fake:write_file:alerted.txt]]", "cwd": str(claude_sandbox.cwd)}],
                "options": {"permissionMode": "default", "timeout": 60}}  # fmt: skip
        run_id, _ = _messages_until_finished(server, body)
        (task,) = server.get(f"/api/runs/{run_id}").json()["run"]["tasks"]
        deadline = time.monotonic() + 15
        while not any(task["sessionId"] in r.get("message", "") for r in receiver.received):
            assert time.monotonic() < deadline, f"no alert for the session; received {receiver.received}"
            time.sleep(0.1)
        [blocked] = [r for r in receiver.received if task["sessionId"] in r.get("message", "")]
        assert blocked["title"].endswith("needs you: approve Write: alerted.txt")
