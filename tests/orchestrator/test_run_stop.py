"""Runs stop what they started, always: with a fake `claude` (a script) for what the real CLI cannot be made to
do on demand: a tool that leaves a `setsid` daemon behind, tasks that outlive a killed supervisor, a stagger long
enough to see whether a stop waits for it."""

from __future__ import annotations

import json
import signal
import sqlite3
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Launcher
from core_fixtures import run_env

pytestmark = [pytest.mark.slow]

# The fake CLI: `--version` as Claude Code prints it; otherwise the prompt (on stdin) says what to do:
# `sleep` runs until signalled; `daemon:<file>` first starts `sleep 1000` in a session of its own through a shell
# that exits at once (a daemon, re-parented away from the task), writes its pid to <file>, then sleeps.
FAKE_CLAUDE = """
import json, os, subprocess, sys, time
if "--version" in sys.argv:
    print("2.1.330 (Claude Code)")
    sys.exit(0)
prompt = sys.stdin.read()
print(json.dumps({"type": "system", "subtype": "init", "session_id": "s", "model": "m"}), flush=True)
if prompt.startswith("daemon:"):
    pid_file = prompt.split(":", 1)[1]
    subprocess.run(["sh", "-c", f"setsid sleep 1000 & echo $! > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
if prompt.startswith("quick"):
    print(json.dumps({"type": "result", "subtype": "success", "is_error": False, "result": "ok"}), flush=True)
    sys.exit(0)
while True:
    time.sleep(1)
"""


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Launcher]:
    exe = tmp_path / "bin" / "claude"
    exe.parent.mkdir()
    exe.write_text(f"#!{sys.executable}\n{FAKE_CLAUDE}")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    db = tmp_path / "data" / "ccdeck.db"
    env = {**run_env(), "CCDECK_CLAUDE_BIN": str(exe), "CCDECK_DB": str(db)}
    launcher = Launcher(env, db, tmp_path)
    yield launcher
    launcher.close()


def tasks_json(*tasks: dict[str, Any]) -> str:
    return json.dumps(list(tasks))


def wait_for(what: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def read_run(launcher: Launcher, run_id: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run's row and its tasks' rows (the newest run's without `run_id`), straight from the database."""
    with sqlite3.connect(f"file:{launcher.db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        if run_id is None:
            found = conn.execute("SELECT * FROM runs ORDER BY created_at DESC LIMIT 1").fetchone()
        else:
            found = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if found is None:
            return {}, []
        tasks = conn.execute("SELECT * FROM run_tasks WHERE run_id = ? ORDER BY position", (found["id"],))
        return dict(found), [dict(t) for t in tasks]


def running_run(launcher: Launcher, count: int) -> tuple[str, list[dict[str, Any]]]:
    """The newest run's id and tasks, once `count` of them run (polled in the database: a `ccdeck status`
    each tenth of a second would load the machine)."""

    def ready() -> tuple[str, list[dict[str, Any]]] | None:
        if not launcher.db.exists():
            return None
        run, tasks = read_run(launcher)
        return (run["id"], tasks) if sum(t["status"] == "running" for t in tasks) >= count else None

    return wait_for(ready)  # type: ignore[no-any-return]


def test_a_stop_does_not_wait_for_the_stagger(fake: Launcher) -> None:
    # The second task waits out a 60 s stagger when the stop comes: it must end within the promised quarter
    # second (the supervisor's poll), not after the stagger. Measured in the database, free of CLI start-up time.
    tasks = tasks_json({"id": "first", "prompt": "sleep"}, {"id": "second", "prompt": "sleep"})
    detached = fake.run("run", tasks, "--max-parallel", "2", "--stagger", "60", "--grace", "1", "--detach")
    assert detached.returncode == 0, detached.stderr
    run_id, _ = running_run(fake, 1)

    stopped = fake.json("stop", run_id)
    assert sorted((t["id"], t["status"]) for t in stopped["tasks"]) == [("first", "stopped"), ("second", "stopped")]
    run, (_, second) = read_run(fake, run_id)
    assert second["session_id"] is None  # never started
    assert second["finished_at"] - run["stop_requested"] < 1.0

    proc = fake.popen("run", tasks, "--max-parallel", "2", "--stagger", "60", "--grace", "1", "--json")
    run_id, _ = running_run(fake, 1)
    signalled = time.time()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert [t["status"] for t in json.loads(out)["run"]["tasks"]] == ["stopped", "stopped"], err
    _, (_, second) = read_run(fake, run_id)
    assert second["finished_at"] - signalled < 1.0
