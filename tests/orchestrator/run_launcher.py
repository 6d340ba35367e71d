"""The `ccdeck` command as a real child process (`Launcher`, given to tests by the `launcher` fixture in
`conftest.py`), and what the launch tests read from a run's JSON."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core_fixtures import CCDECK
from fakeapi.cli import group_alive


@dataclass
class Launcher:
    env: dict[str, str]
    db: Path
    cwd: Path
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 90.0, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        # stdin is never the terminal pytest runs in: `clean` would stop to ask
        return subprocess.run([str(CCDECK), *args], env=self.env, cwd=cwd or self.cwd, capture_output=True,
                              stdin=subprocess.DEVNULL, text=True, timeout=timeout, check=False)  # fmt: skip

    def json(self, *args: str, cwd: Path | None = None) -> Any:
        done = self.run(*args, "--json", cwd=cwd)
        assert done.returncode == 0, f"{args}: rc={done.returncode}\n{done.stderr}"
        return json.loads(done.stdout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([str(CCDECK), *args], env=self.env, cwd=self.cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        self.started.append(proc)
        return proc

    def run_status(self, run_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.json("status", run_id)["runs"][0]
        return found

    def wait_run(self, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll `status RUN` until the run has ended."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.run_status(run_id)
            if run["status"] in ("finished", "stopped", "interrupted") or time.monotonic() > deadline:
                return run
            time.sleep(0.2)

    def close(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        # Anything a detached supervisor still runs must not outlive the test (nor keep calling a dead API).
        self.run("stop-all", "--no-wait", timeout=60)


def tasks_json(*tasks: dict[str, Any]) -> str:
    """A task file's content: the tasks as a JSON list."""
    return json.dumps(list(tasks))


def by_id(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A run's tasks by their id."""
    return {t["id"]: t for t in run["tasks"]}


def seconds_apart(start: str | None, end: str | None) -> float:
    assert start is not None and end is not None
    return datetime.fromisoformat(end).timestamp() - datetime.fromisoformat(start).timestamp()


def most_at_once(tasks: list[dict[str, Any]]) -> int:
    """The most tasks whose [startedAt, finishedAt] intervals overlap at one moment."""
    edges = []
    for task in tasks:
        edges.append((datetime.fromisoformat(task["startedAt"]).timestamp(), 1))
        edges.append((datetime.fromisoformat(task["finishedAt"]).timestamp(), -1))
    running = peak = 0
    for _, step in sorted(edges, key=lambda e: (e[0], e[1])):
        running += step
        peak = max(peak, running)
    return peak


def pids_of(run: dict[str, Any]) -> list[int]:
    """Every pid the run's tasks ran as (current and past attempts)."""
    pids = {t["pid"] for t in run["tasks"] if t["pid"]}
    pids |= {a["pid"] for t in run["tasks"] for a in t["attempts"] if a.get("pid")}
    return sorted(pids)


def none_alive(pids: list[int], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while any(group_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
