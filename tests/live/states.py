"""Helpers of the live-state tests (tests/live/ and tests/web/runs/): a config dir with one session, registry entries
written the way Claude Code writes them, the dashboard's reducer replayed over pushed messages, and polling."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from ccdeck.pids import proc_start_ticks
from core_fixtures import assistant, transcript, user_prompt, write_jsonl
from web.server_fixture import LiveServer

REPO = Path(__file__).resolve().parents[2]
JITI = REPO / "frontend" / "node_modules" / ".bin" / "jiti"
REPLAY = Path(__file__).parent / "replay_reducer.ts"
FIRST = "5e55e55e-0000-4000-8000-000000000001"
CWD = "/home/dev/work"


def live_config(tmp_path: Path) -> Path:
    """A config dir with one session (FIRST) whose last response came 29 s ago, and an empty registry."""
    config = tmp_path / "config"
    now = datetime.now(UTC)
    write_jsonl(transcript(config, CWD, FIRST), [
        user_prompt(FIRST, now - timedelta(seconds=30), "write a.txt", cwd=CWD),
        assistant(FIRST, now - timedelta(seconds=29), msg_id="m-first", cwd=CWD),
    ])  # fmt: skip
    (config / "sessions").mkdir()
    return config


def write_registry(config: Path, pid: int, session: str, status: str, waiting_for: str | None = None) -> None:
    """The registry entry Claude Code writes for a live session (temp file + rename)."""
    now_ms = int(time.time() * 1000)
    entry = {"pid": pid, "sessionId": session, "cwd": CWD, "startedAt": now_ms - 60_000,
             "procStart": proc_start_ticks(pid), "version": "2.1.330", "kind": "interactive", "entrypoint": "cli",
             "name": "work", "status": status, "updatedAt": now_ms, "statusUpdatedAt": now_ms}  # fmt: skip
    if waiting_for:
        entry["waitingFor"] = waiting_for
    temp = config / "sessions" / f"{pid}.json.tmp.{os.getpid()}"
    temp.write_bytes(orjson.dumps(entry))
    temp.rename(config / "sessions" / f"{pid}.json")


def replayed(messages: list[dict[str, Any]] | list[str]) -> dict[str, Any]:
    """What the dashboard's reducer makes of these messages: its sessions, summary and runs."""
    stdin = "\n".join(m if isinstance(m, str) else orjson.dumps(m).decode() for m in messages)
    done = subprocess.run([str(JITI), str(REPLAY)], input=stdin, capture_output=True, text=True, timeout=60,
                          cwd=REPO, check=True)  # fmt: skip
    result: dict[str, Any] = orjson.loads(done.stdout)
    return result


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.03)


def state_of(server: LiveServer, session: str) -> tuple[str, str | None]:
    row = server.get(f"/api/sessions/{session}").json()["session"]
    return row["state"], row["blockedOn"]
