"""Alerts end to end: a real server whose `notify` URL is a `json://` webhook on a receiver the test runs on
loopback, a registry file written for a live process the way Claude Code writes it, and `ccdeck notify test`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from ccdeck.cli import main
from ccdeck.db_target import as_target
from ccdeck.live.mutes import mutes_path
from live.states import CWD, FIRST, live_config, state_of, until, write_registry
from web.server_fixture import Serve
from webhook import Receiver

pytestmark = pytest.mark.slow


class Markers:
    """Alerts asked for on purpose, to show that nothing else came: each blocks a session of its own (a registry entry
    of another live process), so it is sent after whatever the registry files written before it caused."""

    def __init__(self, config: Path, pid: int) -> None:
        self.config, self.pid, self.sent = config, pid, 0

    def send(self, receiver: Receiver) -> str:
        self.sent += 1
        session = f"5e55e55e-0000-4000-8000-0000000001{self.sent:02d}"
        count = len(receiver.received)
        write_registry(self.config, self.pid, session, "waiting", f"marker {self.sent}")
        until(lambda: len(receiver.received) > count)
        return session

    def quiet(self, receiver: Receiver, count: int) -> None:
        """Nothing came after the first `count` alerts but two markers. One marker is not enough: the registry read
        that brings it may bring a stray alert too, sent just after it; the second is asked for once the first
        arrived, so a stray one, queued before it to the same sending thread, would arrive before it."""
        first = self.send(receiver)
        second = self.send(receiver)
        after = receiver.received[count:]
        assert len(after) == 2, receiver.received
        assert first in after[0]["message"] and second in after[1]["message"], receiver.received


def test_a_blocked_session_sends_one_alert_and_a_muted_one_none(
    serve: Serve, tmp_path: Path, receiver: Receiver, sleeper: subprocess.Popen[bytes], db_target: Path | str
) -> None:
    config = live_config(tmp_path)
    other = subprocess.Popen(["sleep", "300"])  # the markers' live process
    markers = Markers(config, other.pid)
    try:
        _blocked_then_muted(serve, db_target, config, receiver, sleeper, markers)
    finally:
        other.kill()
        other.wait()


def _blocked_then_muted(
    serve: Serve,
    db: Path | str,
    config: Path,
    receiver: Receiver,
    sleeper: subprocess.Popen[bytes],
    markers: Markers,
) -> None:
    with serve(config, db, notify=(receiver.url,)) as server:
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
        markers.quiet(receiver, 1)
        assert state_of(server, FIRST) == ("blocked", "permission prompt")

        answer = httpx.post(server.url + "/api/mutes", json={"kind": "session", "value": FIRST}, timeout=5)
        assert answer.json() == {"mutes": {"sessions": [FIRST], "projects": []}}
        assert json.loads(mutes_path(as_target(db)).read_bytes())["sessions"] == [FIRST]
        write_registry(config, sleeper.pid, FIRST, "busy")
        until(lambda: state_of(server, FIRST) == ("working", None))
        write_registry(config, sleeper.pid, FIRST, "waiting", "input needed")
        until(lambda: state_of(server, FIRST) == ("blocked", "input needed"))
        markers.quiet(receiver, 3)  # the first alert and the two markers before
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
