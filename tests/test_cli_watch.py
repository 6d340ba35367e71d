"""`ccdeck watch` on a terminal: it draws the active sessions and today's totals, redraws when Claude Code's files
change, and Ctrl-C ends it with status 0."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core_fixtures import CCDECK
from live.states import FIRST, live_config, write_registry


class Screen:
    """What a child process wrote to its pseudo-terminal, read as it comes."""

    def __init__(self, fd: int) -> None:
        self.fd, self.seen = fd, b""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in {self.seen.decode(errors='replace')}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"no {text!r} in {self.seen.decode(errors='replace')}"
                self.seen += chunk

    def mark(self) -> None:
        """Forget what was read: the next `wait_for` looks only at what comes after."""
        self.seen = b""


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")
def test_watch_draws_redraws_and_stops_on_ctrl_c(
    child_env: dict[str, str], sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    config = live_config(tmp_path)
    write_registry(config, sleeper.pid, FIRST, "busy")
    main, secondary = pty.openpty()
    env = {**child_env, "COLUMNS": "140", "LINES": "40", "TERM": "xterm"}
    argv = [str(CCDECK), "watch", "--config-dir", str(config), "--db", str(tmp_path / "ccdeck.db")]
    watch = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary, env=env)
    os.close(secondary)
    try:
        screen = Screen(main)
        screen.wait_for("1 working")
        screen.wait_for("…/dev/work")  # the session's row: its project's last folders
        screen.mark()
        write_registry(config, sleeper.pid, FIRST, "idle")  # Claude Code answered: the session waits for you
        screen.wait_for("1 waiting")
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=60) == 0
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
        os.close(main)
