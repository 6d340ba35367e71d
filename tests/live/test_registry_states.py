"""`ccdeck sessions --active` from Claude Code's live registry (`sessions/<pid>.json`), read by the scan."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psutil

from ccdeck.claude.timestamps import iso
from ccdeck.pids import proc_start_ticks
from core_fixtures import assistant, cli_json, tool_use, transcript, user_prompt, write_jsonl

LIVE, STALE, OLD = (f"0d0d0d0d-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))


def _registry_entry(config: Path, pid: int, session: str, started_ms: int, **extra: Any) -> None:
    folder = config / "sessions"
    folder.mkdir(exist_ok=True)
    entry = {"pid": pid, "sessionId": session, "cwd": "/p", "startedAt": started_ms, "status": "busy",
             "version": "2.1.330", "kind": "interactive", **extra}  # fmt: skip
    (folder / f"{pid}.json").write_bytes(orjson.dumps(entry))


def test_sessions_active_follows_the_registry(capsys: Any, tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    now = datetime.now(UTC)
    for session, when in ((LIVE, now), (STALE, now), (OLD, now - timedelta(days=3))):
        write_jsonl(transcript(config, "/p", session), [
            user_prompt(session, when - timedelta(seconds=5), "go", cwd="/p"),
            assistant(session, when, msg_id=f"m-{session}", content=[tool_use("Edit", {"file_path": "/p/a.py"})],
                      cwd="/p"),
        ])  # fmt: skip
    # A running process for LIVE; for STALE an entry left behind by a SIGKILL (its process is gone).
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        _registry_entry(config, child.pid, LIVE, int(psutil.Process(child.pid).create_time() * 1000))
        _registry_entry(config, gone.pid, STALE, int(now.timestamp() * 1000))
        db = db_target
        every = {
            s["sessionId"]: s["state"]
            for s in cli_json(capsys, "sessions", "--config-dir", config, "--db", db)["sessions"]
        }
        assert every == {LIVE: "working", STALE: "ended", OLD: "ended"}
        active = cli_json(capsys, "sessions", "--active", "--config-dir", config, "--db", db)["sessions"]
        assert [s["sessionId"] for s in active] == [LIVE]
        # The entry disappears on a clean exit: the next scan forgets it.
        (config / "sessions" / f"{child.pid}.json").unlink()
        assert cli_json(capsys, "sessions", "--active", "--config-dir", config, "--db", db)["sessions"] == []
    finally:
        child.kill()
        child.wait()


def test_sessions_shows_who_is_blocked_on_what(capsys: Any, tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    now = datetime.now(UTC)
    write_jsonl(transcript(config, "/p", LIVE), [user_prompt(LIVE, now, "write a.txt", cwd="/p")])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        now_ms = int(now.timestamp() * 1000)
        _registry_entry(config, child.pid, LIVE, int(psutil.Process(child.pid).create_time() * 1000),
                        status="waiting", waitingFor="permission prompt", statusUpdatedAt=now_ms,
                        procStart=proc_start_ticks(child.pid))  # fmt: skip
        [row] = cli_json(capsys, "sessions", "--active", "--config-dir", config, "--db", db_target)["sessions"]
        assert (row["state"], row["blockedOn"], row["kind"]) == ("blocked", "permission prompt", "interactive")
        assert row["stateSince"] == iso(now_ms / 1000)
    finally:
        child.kill()
        child.wait()
