"""Ctrl-C during `ccdeck serve`'s catch-up scan stops it at once, and leaves a database the next scan continues."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from core_fixtures import CCDECK, REPO, run_env

pytestmark = pytest.mark.slow  # a real server (`ccdeck serve` as a child process) over 150 MB
CATCH_UP_MB = 150  # several seconds of catch-up on any machine this runs on


def _totals(db: Path, config: Path) -> dict[str, object]:
    done = subprocess.run([str(CCDECK), "usage", "session", "--json", "--config-dir", str(config), "--db", str(db)],
                          env=run_env(), capture_output=True, check=True, timeout=600)  # fmt: skip
    totals: dict[str, object] = orjson.loads(done.stdout)["totals"]
    return totals


def _wait_for_line(stream: object, text: str, timeout: float) -> str:
    assert hasattr(stream, "fileno")
    seen, deadline = b"", time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        assert left > 0, seen.decode(errors="replace")
        ready, _, _ = select.select([stream], [], [], left)
        if ready:
            chunk = os.read(stream.fileno(), 65536)
            assert chunk, seen.decode(errors="replace")
            seen += chunk
    return seen.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_catch_up_stops_within_2_seconds(tmp_path: Path) -> None:
    # On SQLite only, for the suite's time: on PostgreSQL its two scans of 150 MB would take minutes.
    config, db = tmp_path / "config", tmp_path / "ccdeck.db"
    subprocess.run([sys.executable, "-m", "bench.generate", str(config), "--size-mb", str(CATCH_UP_MB)], cwd=REPO,
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    # Port 0: the server listens on a port the system picks and prints it (a free-port guess races under -n).
    serve = subprocess.Popen([str(CCDECK), "serve", "--port", "0", "--config-dir", str(config), "--db", str(db)],
                             env=run_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        printed = _wait_for_line(serve.stdout, "Ctrl-C stops", timeout=60)
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", printed)
        assert url is not None and int(url.group(1)) > 0, printed
        log = _wait_for_line(serve.stderr, "catch-up scan:", timeout=300)
        assert httpx.get(url.group(0) + "api/health", timeout=10).status_code == 200  # it listens where it said
        assert ", done" not in log, "the catch-up ended before the signal: make CATCH_UP_MB bigger"
        sent = time.monotonic()
        serve.send_signal(signal.SIGINT)
        code = serve.wait(timeout=60)
        took = time.monotonic() - sent
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    assert code == 0
    assert took < 2.0, f"exited {took:.1f} s after SIGINT"
    interrupted = _totals(db, config)  # this scan continues from the interrupted one's cursors
    one_pass = tmp_path / "one-pass.db"
    assert interrupted == _totals(one_pass, config)
