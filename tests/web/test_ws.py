"""A line appended to a real transcript while a real server runs reaches a WebSocket client."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import orjson
from websockets.sync.client import connect

from ccdeck.live.hub import CLIENT_QUEUE
from core_fixtures import write_big_config
from web.server_fixture import LiveServer, Serve, generated_config


def _assistant_line(session_id: str, cwd: str, message_id: str) -> bytes:
    line = {
        "type": "assistant", "uuid": f"u-{message_id}", "parentUuid": None, "sessionId": session_id, "cwd": cwd,
        "timestamp": "2026-01-20T10:00:00.000Z", "version": "2.1.7", "gitBranch": "main",
        "requestId": f"r-{message_id}",
        "message": {"id": message_id, "model": "claude-sonnet-4-5-20250929", "role": "assistant",
                    "content": [{"type": "tool_use", "id": f"t-{message_id}", "name": "Edit",
                                 "input": {"file_path": f"{cwd}/app.py"}}],
                    "usage": {"input_tokens": 7, "output_tokens": 11, "cache_creation_input_tokens": 0,
                              "cache_read_input_tokens": 1000}},
    }  # fmt: skip
    return orjson.dumps(line) + b"\n"


def _main_transcript(config: Path) -> Path:
    """The first session's own transcript (a subagent's file is named after no session)."""
    return next(p for p in sorted((config / "projects").rglob("*.jsonl"))
                if "subagents" not in p.parts and not p.name.startswith("agent-"))  # fmt: skip


def test_appended_line_is_pushed(live_server: LiveServer) -> None:
    transcript = _main_transcript(live_server.config_dir)
    session_id = transcript.stem
    before = live_server.get(f"/api/sessions/{session_id}").json()["session"]
    with connect(live_server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws:
        first = orjson.loads(ws.recv(timeout=15))
        assert first["type"] == "snapshot"
        with transcript.open("ab") as f:
            f.write(_assistant_line(session_id, before["projectPath"] or "/tmp", "msg_live_1"))
        appended = time.monotonic()
        updated = None
        while time.monotonic() - appended < 10:
            message = orjson.loads(ws.recv(timeout=10))
            if message["type"] == "session.updated" and message["session"]["sessionId"] == session_id:
                updated = message["session"]
                break
    assert updated is not None, "no session.updated within 10 s"
    assert updated["totalTokens"] == before["totalTokens"] + 1018
    assert updated["outputTokens"] == before["outputTokens"] + 11
    assert "state" in updated and "costUSD" in updated and "filesChanged" in updated
    after = live_server.get(f"/api/sessions/{session_id}").json()
    assert any(f["path"].endswith("/app.py") for f in after["filesChanged"])


def _marker_session(config: Path) -> str:
    """A new session, in a file of its own, whose only line is complete: once it is in, what was written before it
    has been read."""
    session_id = "0a0a0a0a-5555-4000-8000-0000000000aa"
    folder = next(p for p in sorted((config / "projects").iterdir()) if p.is_dir())
    (folder / f"{session_id}.jsonl").write_bytes(_assistant_line(session_id, "/tmp/marker", "msg_marker"))
    return session_id


def _sessions_in(messages: list[dict[str, Any]]) -> dict[str, int]:
    """Session id -> its latest total of tokens, in pushed messages (updates and snapshots)."""
    totals: dict[str, int] = {}
    for m in messages:
        for session in [m["session"]] if isinstance(m.get("session"), dict) else m.get("sessions") or []:
            totals[session["sessionId"]] = session["totalTokens"]
    return totals


def test_half_written_line_waits_for_its_newline(live_server: LiveServer) -> None:
    transcript = _main_transcript(live_server.config_dir)
    session_id = transcript.stem
    line = _assistant_line(session_id, "/tmp/x", "msg_half")
    before = live_server.get(f"/api/sessions/{session_id}").json()["session"]["totalTokens"]
    with connect(live_server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws:
        assert orjson.loads(ws.recv(timeout=15))["type"] == "snapshot"
        with transcript.open("ab") as f:
            f.write(line[:40])
        marker = _marker_session(live_server.config_dir)  # written after the half line: read with it or after it
        pushed: list[dict[str, Any]] = []
        while marker not in _sessions_in(pushed):
            pushed.append(orjson.loads(ws.recv(timeout=10)))
    assert _sessions_in(pushed).get(session_id, before) == before, "the half line was counted"
    assert live_server.get(f"/api/sessions/{session_id}").json()["session"]["totalTokens"] == before
    with transcript.open("ab") as f:
        f.write(line[40:])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if live_server.get(f"/api/sessions/{session_id}").json()["session"]["totalTokens"] == before + 1018:
            return
        time.sleep(0.1)
    raise AssertionError("the completed line was not ingested")


def test_slow_client_is_dropped_others_continue() -> None:
    from ccdeck.live.hub import Hub

    hub = Hub()
    slow, fast = hub.connect(), hub.connect()
    for i in range(CLIENT_QUEUE + 5):
        hub.publish({"type": "x", "i": i})
        while not fast.queue.empty():
            fast.queue.get_nowait()
    assert slow.dropped and slow not in hub.clients
    assert fast in hub.clients and not fast.dropped


def test_a_backlog_arrives_as_one_snapshot_not_a_flood(live_server: LiveServer, tmp_path: Path) -> None:
    # A folder of several sessions and 600+ responses appearing at once (a restore, a sync, a catch-up) must not
    # overflow a connected page's queue (CLIENT_QUEUE): it gets a fresh snapshot and stays connected.
    backlog = write_big_config(tmp_path / "backlog", 4_000_000, seed=21)
    assert len(backlog.responses) > CLIENT_QUEUE
    with connect(live_server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws:
        first = orjson.loads(ws.recv(timeout=15))
        assert first["type"] == "snapshot" and set(first["scan"]) >= {"running", "bytesDone", "bytesTotal"}
        shutil.copytree(tmp_path / "backlog" / "projects", live_server.config_dir / "projects", dirs_exist_ok=True)
        received: list[dict[str, object]] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            message = orjson.loads(ws.recv(timeout=20))
            received.append(message)
            if message["type"] == "snapshot" and backlog.sessions <= {
                s["sessionId"]
                for s in message["sessions"]  # type: ignore[attr-defined]
            }:
                break
        else:
            raise AssertionError(f"no snapshot with the new sessions; got {[m['type'] for m in received]}")
    # A copy is not atomic: the first files may arrive as small batches, pushed message by message; what matters is
    # that the backlog itself (more responses than a client's queue holds) came as one snapshot, not as a flood.
    assert sum(m["type"] == "usage.point" for m in received) < len(backlog.responses) // 4
    assert len(received) < CLIENT_QUEUE // 2


def test_polling_fallback_sees_an_appended_line(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    # `--poll` / CCDECK_POLL: no file events at all (network filesystems), the watcher polls instead.
    with serve(generated_config(tmp_path), db_target, poll=True) as live:
        test_half_written_line_waits_for_its_newline(live)


def test_a_folder_moved_in_is_read_at_once(live_server: LiveServer, tmp_path: Path) -> None:
    # A folder renamed into projects/ (a restore, a sync tool) brings files that never had an event of their own.
    backlog = write_big_config(tmp_path / "moved", 200_000, seed=5)
    folder = next(p for p in (tmp_path / "moved" / "projects").iterdir() if p.is_dir())
    sessions = {p.stem for p in folder.glob("*.jsonl")} & backlog.sessions
    assert sessions
    folder.rename(live_server.config_dir / "projects" / f"{folder.name}-moved")
    deadline = time.monotonic() + 10  # the safety rescan, the only other way in, waits 30 s
    while not all(live_server.get(f"/api/sessions/{sid}").status_code == 200 for sid in sessions):
        assert time.monotonic() < deadline, "the moved folder's sessions were not read"
        time.sleep(0.1)
