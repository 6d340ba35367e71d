"""Runs stop what they started, always: with a fake `claude` (a script) for what the real CLI cannot be made to
do on demand: a tool that leaves a `setsid` daemon behind, tasks that outlive a killed supervisor, a stagger long
enough to see whether a stop waits for it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from run_launcher import Launcher, none_alive, tasks_json

from core_fixtures import run_env

pytestmark = [pytest.mark.slow]

# The fake CLI: `--version` as Claude Code prints it; otherwise the words of the prompt (on stdin) say what to do:
# `daemon=<file>` starts `sleep 1000` in a session of its own through a shell that exits at once (a daemon,
# re-parented away from the task) and writes its pid to <file>; then `quick` prints a result and exits, else the
# CLI runs until signalled.
FAKE_CLAUDE = """
import json, subprocess, sys, time
if "--version" in sys.argv:
    print("2.1.330 (Claude Code)")
    sys.exit(0)
words = sys.stdin.read().split()
print(json.dumps({"type": "system", "subtype": "init", "session_id": "s", "model": "m"}), flush=True)
for word in words:
    if word.startswith("daemon="):
        pid_file = word.split("=", 1)[1]
        subprocess.run(["sh", "-c", f"setsid sleep 1000 & echo $! > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
if "quick" in words:
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


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """`daemons(name)`: the pid file a fake task's daemon writes; every daemon is killed after the test."""
    files: list[Path] = []

    def pid_file(name: str) -> Path:
        files.append(tmp_path / f"{name}.pid")
        return files[-1]

    yield pid_file
    for file in files:
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(file.read_text()), signal.SIGKILL)


def daemon_pid(pid_file: Path) -> int:
    return int(wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip()))


def gone(pid: int, timeout: float = 10.0) -> bool:
    """The process has exited (a zombie no one reaped yet counts: it runs nothing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


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
    # The second task waits out a 60 s stagger when the stop comes: it must end at the stop, not after the stagger.
    # Measured in the database, free of CLI start-up time; the bound is half the stagger, so a busy machine's
    # delays cannot fail it while a wait for the stagger still would.
    tasks = tasks_json({"id": "first", "prompt": "sleep"}, {"id": "second", "prompt": "sleep"})
    detached = fake.run("run", tasks, "--max-parallel", "2", "--stagger", "60", "--grace", "1", "--detach")
    assert detached.returncode == 0, detached.stderr
    run_id, _ = running_run(fake, 1)

    stopped = fake.json("stop", run_id)
    assert sorted((t["id"], t["status"]) for t in stopped["tasks"]) == [("first", "stopped"), ("second", "stopped")]
    run, (_, second) = read_run(fake, run_id)
    assert second["session_id"] is None  # never started
    assert second["finished_at"] - run["stop_requested"] < 30

    proc = fake.popen("run", tasks, "--max-parallel", "2", "--stagger", "60", "--grace", "1", "--json")
    run_id, _ = running_run(fake, 1)
    signalled = time.time()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert [t["status"] for t in json.loads(out)["run"]["tasks"]] == ["stopped", "stopped"], err
    _, (_, second) = read_run(fake, run_id)
    assert second["finished_at"] - signalled < 30


def test_foreground_run_ends_the_daemons_of_a_stopped_task_and_of_a_finished_one(
    fake: Launcher, daemons: Callable[[str], Path]
) -> None:
    held, done = daemons("held"), daemons("done")
    tasks = tasks_json({"id": "held", "prompt": f"daemon={held}"}, {"id": "done", "prompt": f"daemon={done} quick"})
    proc = fake.popen("run", tasks, "--max-parallel", "2", "--stagger", "0", "--grace", "1", "--json")
    held_daemon, done_daemon = daemon_pid(held), daemon_pid(done)
    run_id, _ = running_run(fake, 1)
    assert not gone(held_daemon, timeout=0.5)

    stopped = fake.json("stop", f"{run_id}/held")  # from another process
    assert [t["status"] for t in stopped["tasks"]] == ["stopped"]
    assert gone(held_daemon)
    out, err = proc.communicate(timeout=60)
    assert [(t["id"], t["status"]) for t in json.loads(out)["run"]["tasks"]] == [
        ("held", "stopped"), ("done", "succeeded")
    ], err  # fmt: skip
    assert gone(done_daemon)  # a task that ended by itself leaves no daemon behind either


def test_detached_run_ends_a_stopped_tasks_daemon(fake: Launcher, daemons: Callable[[str], Path]) -> None:
    held = daemons("held")
    detached = fake.run("run", tasks_json({"id": "held", "prompt": f"daemon={held}"}), "--grace", "1", "--detach")
    assert detached.returncode == 0, detached.stderr
    held_daemon = daemon_pid(held)
    assert not gone(held_daemon, timeout=0.5)

    stopped = fake.json("stop", "held")
    assert [t["status"] for t in stopped["tasks"]] == ["stopped"]
    assert gone(held_daemon)


def test_stop_all_reaches_the_tasks_and_daemons_of_an_interrupted_run(
    fake: Launcher, daemons: Callable[[str], Path]
) -> None:
    first, second = daemons("first"), daemons("second")
    tasks = tasks_json({"id": "first", "prompt": f"daemon={first}"}, {"id": "second", "prompt": f"daemon={second}"})
    detached = fake.run("run", tasks, "--max-parallel", "2", "--stagger", "0", "--grace", "1", "--detach")
    assert detached.returncode == 0, detached.stderr
    run_id, rows = running_run(fake, 2)
    strays = [daemon_pid(first), daemon_pid(second)]
    run, _ = read_run(fake, run_id)
    os.kill(run["supervisor_pid"], signal.SIGKILL)
    assert gone(run["supervisor_pid"])

    stopped = fake.json("stop-all")
    assert sorted((t["runId"], t["id"], t["status"]) for t in stopped["tasks"]) == [
        (run_id, "first", "stopped"), (run_id, "second", "stopped")
    ]  # fmt: skip
    assert none_alive([row["pid"] for row in rows])
    assert all(gone(pid) for pid in strays)
    assert read_run(fake, run_id)[0]["status"] == "interrupted"
    assert fake.run("stop-all").stdout.strip() == "nothing to stop"
