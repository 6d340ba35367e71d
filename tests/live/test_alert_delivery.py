"""Alerts end to end: a real server whose `notify` URL is a `json://` webhook on a receiver the test runs on
loopback, a registry file written for a live process the way Claude Code writes it, and `ccdeck notify test`."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from ccdeck.cli import main
from live.states import CWD, FIRST, live_config, state_of, until, write_registry
from web.server_fixture import Serve
from webhook import Receiver

pytestmark = pytest.mark.slow


def _quiet(receiver: Receiver, count: int, seconds: float = 1.0) -> None:
    """Nothing more arrives for a while (sending is asynchronous: give a stray alert the time to show up)."""
    time.sleep(seconds)
    assert len(receiver.received) == count, receiver.received


def test_a_blocked_session_sends_one_alert_and_a_muted_one_none(
    serve: Serve, tmp_path: Path, receiver: Receiver, sleeper: subprocess.Popen[bytes]
) -> None:
    config = live_config(tmp_path)
    with serve(config, tmp_path / "ccdeck.db", notify=(receiver.url,)) as server:
        write_registry(config, sleeper.pid, FIRST, "busy")
        until(lambda: state_of(server, FIRST) == ("working", None))
        write_registry(config, sleeper.pid, FIRST, "waiting", "permission prompt")
        until(lambda: len(receiver.received) >= 1)
        alert = receiver.received[0]
        assert alert["path"] == "/hook"
        assert alert["title"] == "work needs you: permission prompt"
        assert CWD in alert["message"] and "blocked: permission prompt" in alert["message"]
        assert f"{server.url}/sessions/{FIRST}" in alert["message"]

        write_registry(config, sleeper.pid, FIRST, "waiting", "permission prompt")  # the same state again
        _quiet(receiver, 1)
        assert state_of(server, FIRST) == ("blocked", "permission prompt")

        answer = httpx.post(server.url + "/api/mutes", json={"kind": "session", "value": FIRST}, timeout=5)
        assert answer.json() == {"mutes": {"sessions": [FIRST], "projects": []}}
        assert json.loads((tmp_path / "mutes.json").read_bytes())["sessions"] == [FIRST]
        write_registry(config, sleeper.pid, FIRST, "busy")
        until(lambda: state_of(server, FIRST) == ("working", None))
        write_registry(config, sleeper.pid, FIRST, "waiting", "input needed")
        until(lambda: state_of(server, FIRST) == ("blocked", "input needed"))
        _quiet(receiver, 1)
        assert server.get("/api/health").json()["status"] == "ok"

        gone = httpx.delete(server.url + "/api/mutes", params={"kind": "session", "value": FIRST}, timeout=5)
        assert gone.json() == {"mutes": {"sessions": [], "projects": []}}
        bad = httpx.post(server.url + "/api/mutes", json={"kind": "user", "value": FIRST}, timeout=5)
        assert bad.status_code == 422


def test_notify_test_sends_one_alert_or_says_why_not(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CCDECK_NOTIFY", raising=False)
    assert main(["notify", "test", "--notify", receiver.url]) == 0
    assert [r["title"] for r in receiver.received] == ["ccdeck test alert"]

    assert main(["notify", "test"]) == 2
    assert main(["notify", "test", "--notify", "nonsense"]) == 2
    monkeypatch.setenv("CCDECK_NOTIFY", receiver.url.replace("/hook", "/env"))
    assert main(["notify", "test"]) == 0
    assert receiver.received[-1]["path"] == "/env"
    closed = receiver.url.rsplit(":", 1)[0] + ":1/hook"  # nothing listens on port 1
    assert main(["notify", "test", "--notify", closed]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ccdeck: error")]
    assert len(errors) == 3
    assert "no notify URL" in errors[0] and "failed" in errors[2]
