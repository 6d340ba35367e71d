"""Session states from the live registry, running `claude` processes and recency."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from ccdeck.live.liveness import Liveness, SessionFacts
from ccdeck.live.processes import _is_claude, registered_process_lives
from ccdeck.live.state import session_state

NOW = 1_800_000_000.0
IDLE = 600.0


def test_state_rules() -> None:
    assert session_state("tool_use", NOW - 5, NOW, IDLE, alive=True) == "working"
    assert session_state("answer", NOW - 5, NOW, IDLE, alive=True) == "waiting"
    assert session_state("answer", NOW - 5, NOW, IDLE, alive=True, registry_status="busy") == "working"
    assert session_state("answer", NOW - 3600, NOW, IDLE, alive=True) == "idle"
    assert session_state("tool_use", NOW - 5, NOW, IDLE, alive=False) == "ended"
    assert session_state("prompt", NOW - 5, NOW, IDLE, alive=None) == "working"
    assert session_state("answer", NOW - 3600, NOW, IDLE, alive=None) == "ended"


def test_a_claude_process_keeps_its_folders_newest_session_alive() -> None:
    rows = [
        SessionFacts("old", "/work/app", "answer", NOW - 50),
        SessionFacts("new", "/work/app", "tool_use", NOW - 10),
        SessionFacts("elsewhere", "/work/lib", "answer", NOW - 10),
        SessionFacts("registered", "/work/app", "answer", NOW - 20),
    ]
    liveness = Liveness(registry={"registered": "idle"}, process_cwds=frozenset({"/work/app"}))
    states = liveness.states(rows, NOW, IDLE)
    assert states == {"old": "ended", "new": "working", "elsewhere": "ended", "registered": "waiting"}


def test_claude_processes_are_recognised_native_or_node() -> None:
    assert _is_claude("claude", ["claude", "-p"])
    assert _is_claude("node", ["node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"])
    assert _is_claude("node", ["node", "/home/me/.npm-global/bin/claude"])
    assert not _is_claude("node", ["node", "server.js"])
    assert not _is_claude("python3", ["python3", "claude.py"])


def test_a_reused_pid_is_not_the_registered_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        started = psutil.Process(child.pid).create_time()
        assert registered_process_lives(child.pid, started)
        assert registered_process_lives(child.pid, None)
        assert not registered_process_lives(child.pid, started - 3600)  # same number, another process's start time
    finally:
        child.kill()
        child.wait()
    assert not registered_process_lives(child.pid, started)
    assert registered_process_lives(os.getpid(), psutil.Process().create_time())
