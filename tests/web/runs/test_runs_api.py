"""Runs started, watched and stopped through the web API, running the real Claude Code CLI."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import pytest
from websockets.sync.client import connect

from fakeapi import ClaudeSandbox, FakeApi
from web.server_fixture import LiveServer

pytestmark = [pytest.mark.cli, pytest.mark.slow]


def _wait_run(server: LiveServer, run_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = server.get(f"/api/runs/{run_id}").json()["run"]
        if run["status"] in ("finished", "stopped", "interrupted") or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def test_start_watch_and_finish_a_run(runs_server: LiveServer, claude_sandbox: ClaudeSandbox) -> None:
    body = {
        "tasks": [
            {"id": "write", "prompt": "[[fake:write_file:web.txt]]", "cwd": str(claude_sandbox.cwd)},
            {"id": "talk", "prompt": "[[fake:text:hello from the web]]", "cwd": str(claude_sandbox.cwd)},
        ],
        "options": {"maxParallel": 2, "timeout": 60, "permissionMode": "acceptEdits"},
    }
    ws_url = runs_server.url.replace("http", "ws") + "/ws"
    with connect(ws_url, origin=runs_server.url, open_timeout=10) as ws:  # type: ignore[arg-type]
        assert orjson.loads(ws.recv(timeout=15))["type"] == "snapshot"
        created = httpx.post(runs_server.url + "/api/runs", json=body, headers={"Origin": runs_server.url}, timeout=60)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        pushed: dict[str, Any] | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = orjson.loads(ws.recv(timeout=30))
            if message["type"] == "run.updated" and message["run"]["id"] == run_id:
                pushed = message["run"]
                if pushed["status"] == "finished":
                    break
    assert pushed is not None and pushed["status"] == "finished", "run.updated never said finished"
    run = _wait_run(runs_server, run_id)
    assert {t["id"]: t["status"] for t in run["tasks"]} == {"write": "succeeded", "talk": "succeeded"}
    assert (claude_sandbox.cwd / "web.txt").exists()
    talk = next(t for t in run["tasks"] if t["id"] == "talk")
    assert talk["result"] == "hello from the web"
    assert run["costUSD"] == pytest.approx(sum(t["costUSD"] for t in run["tasks"]))
    assert any(r["id"] == run_id for r in runs_server.get("/api/runs").json()["runs"])
    log = runs_server.get(f"/api/runs/{run_id}/tasks/talk/log", params={"stream": "events", "tail": 1}).json()
    assert orjson.loads(log["lines"][-1])["type"] == "result"
    # The task's session is a monitored session: its transcript was ingested by the same server.
    deadline = time.monotonic() + 15
    while runs_server.get(f"/api/sessions/{talk['sessionId']}").status_code != 200:
        assert time.monotonic() < deadline, "the task's session never appeared"
        time.sleep(0.2)


def test_stop_a_task_and_a_run_from_the_web(
    runs_server: LiveServer, claude_sandbox: ClaudeSandbox, fake_api: FakeApi
) -> None:
    cwd = str(claude_sandbox.cwd)
    body = {"tasks": [{"id": "held", "prompt": "[[fake:gate:never]]", "cwd": cwd},
                      {"id": "held2", "prompt": "[[fake:gate:never2]]", "cwd": cwd}],
            "options": {"maxParallel": 2, "timeout": 120}}  # fmt: skip
    origin = {"Origin": runs_server.url}
    run_id = httpx.post(runs_server.url + "/api/runs", json=body, headers=origin, timeout=60).json()["run"]["id"]
    fake_api.wait_in_flight(2, timeout=60)
    one = httpx.post(f"{runs_server.url}/api/runs/{run_id}/tasks/held/stop", headers=origin)
    assert one.json() == {"stopped": 1}
    deadline = time.monotonic() + 60
    while runs_server.get(f"/api/runs/{run_id}").json()["run"]["tasks"][0]["status"] != "stopped":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert httpx.post(f"{runs_server.url}/api/runs/{run_id}/stop", headers=origin).json() == {"stopped": 1}
    run = _wait_run(runs_server, run_id)
    assert {t["id"]: t["status"] for t in run["tasks"]} == {"held": "stopped", "held2": "stopped"}


def test_bad_runs_are_refused(runs_server: LiveServer) -> None:
    origin = {"Origin": runs_server.url}
    dup = {"tasks": [{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]}
    refused = httpx.post(runs_server.url + "/api/runs", json=dup, headers=origin, timeout=30)
    assert refused.status_code == 422 and "\n" not in refused.json()["detail"]
    unknown = httpx.post(runs_server.url + "/api/runs", json={"tasks": [{"id": "a", "prompt": "x", "colour": 1}]},
                         headers=origin, timeout=30)  # fmt: skip
    assert unknown.status_code == 422 and "colour" in unknown.json()["detail"]
    foreign = httpx.post(runs_server.url + "/api/runs", json={"tasks": [{"id": "a", "prompt": "x"}]},
                         headers={"Origin": "http://attacker.example"}, timeout=30)  # fmt: skip
    assert foreign.status_code == 403
    assert runs_server.get("/api/runs/nope").status_code == 404
    assert runs_server.get("/api/runs").json()["runs"] == []


def test_pushed_updates_and_lists_carry_a_prompt_preview(
    runs_server: LiveServer, claude_sandbox: ClaudeSandbox
) -> None:
    prompt = "[[fake:text:done]] " + "p" * 1_000_000
    body = {"tasks": [{"id": "big", "prompt": prompt, "cwd": str(claude_sandbox.cwd)}], "options": {"timeout": 60}}
    ws_url = runs_server.url.replace("http", "ws") + "/ws"
    sizes: list[int] = []
    with connect(ws_url, origin=runs_server.url, open_timeout=10, max_size=None) as ws:  # type: ignore[arg-type]
        assert orjson.loads(ws.recv(timeout=15))["type"] == "snapshot"
        created = httpx.post(runs_server.url + "/api/runs", json=body, headers={"Origin": runs_server.url}, timeout=60)
        assert created.status_code == 201, created.text
        run_id = created.json()["run"]["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            raw = ws.recv(timeout=30)
            message = orjson.loads(raw)
            if message["type"] == "run.updated" and message["run"]["id"] == run_id:
                sizes.append(len(raw))
                (task,) = message["run"]["tasks"]
                assert (task["prompt"], task["promptChars"], task["promptTruncated"]) == (
                    prompt[:200],
                    len(prompt),
                    True,
                )
                if message["run"]["status"] == "finished":
                    break
    assert sizes and max(sizes) < 20_000, sizes
    (listed,) = [r for r in runs_server.get("/api/runs").json()["runs"] if r["id"] == run_id]
    assert (listed["tasks"][0]["prompt"], listed["tasks"][0]["promptTruncated"]) == (prompt[:200], True)
    (whole,) = _wait_run(runs_server, run_id)["tasks"]
    assert (whole["prompt"], whole["promptChars"], whole["promptTruncated"]) == (prompt, len(prompt), False)
    assert whole["status"] == "succeeded"
