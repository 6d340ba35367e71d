"""Session states from the live registry, running `claude` processes and recency."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from ccdeck.live.model import LiveModel, TranscriptFacts
from ccdeck.live.processes import _is_claude, registered_process_lives
from ccdeck.live.state import session_state
from ccdeck.models import LiveSession

NOW = 1_800_000_000.0
IDLE = 600.0


def test_state_rules() -> None:
    assert session_state("tool_use", NOW - 5, NOW, IDLE, alive=True) == "working"
    assert session_state("answer", NOW - 5, NOW, IDLE, alive=True) == "waiting"
    assert session_state("answer", NOW - 3600, NOW, IDLE, alive=True) == "idle"
    assert session_state("tool_use", NOW - 5, NOW, IDLE, alive=False) == "ended"
    assert session_state("prompt", NOW - 5, NOW, IDLE, alive=None) == "working"
    assert session_state("answer", NOW - 3600, NOW, IDLE, alive=None) == "ended"


def test_a_claude_process_keeps_its_folders_newest_session_alive() -> None:
    model = LiveModel(IDLE)
    registered = LiveSession(pid=4242, session_id="registered", cwd="/work/app", started_at=NOW - 100,
                             updated_at=NOW - 20, version="2.1.0", status=None, config_dir="/c")  # fmt: skip
    model.apply_registry("/c", [(registered, True)], NOW)
    model.apply_transcripts([
        TranscriptFacts("old", "/work/app", "answer", NOW - 50),
        TranscriptFacts("new", "/work/app", "tool_use", NOW - 10),
        TranscriptFacts("elsewhere", "/work/lib", "answer", NOW - 10),
        TranscriptFacts("registered", "/work/app", "answer", NOW - 20),
        TranscriptFacts("quiet", "/work/lib", "answer", NOW - 3600),
    ], NOW)  # fmt: skip
    model.apply_processes(frozenset({"/work/app"}), NOW)
    states = {sid: model.state(sid) for sid in ("old", "new", "elsewhere", "registered", "quiet")}
    assert states == {"old": "ended", "new": "working", "elsewhere": "ended", "registered": "waiting",
                      "quiet": "ended"}  # fmt: skip
    model.tick(NOW + IDLE + 1)  # a registered process without status: quiet turns it idle, not ended
    assert model.state("registered") == "idle"


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
