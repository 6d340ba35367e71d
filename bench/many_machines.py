"""Many machines benchmark: how fast a line written on one machine reaches a dashboard served on another.

    .venv/bin/python -m bench.many_machines [--lines 100] [--every 0.2]

A throwaway PostgreSQL cluster (tests/pg_cluster.py, with PostgreSQL's default durability) holds the shared
database. `ccdeck agent` runs as machine b over its own config dir, `ccdeck serve` as machine a over another, both
real child processes; one WebSocket client is connected to a. Each appended assistant line on b is timed from just
after the write to the client's receipt of the `session.updated` message that counts its response (through b's
ingest, its NOTIFY, a's LISTEN, a's reload).
The goal: within 1 s (p99). Also the CPU time (user + system) both processes used. Writes a Markdown table to stdout
and to a section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import psutil
from websockets.asyncio.client import connect

from bench.common import OUT_DIR, VENV_BIN, isolated_env, publish
from bench.live_server import http_get
from bench.measure import percentile
from bench.table import machine_line, markdown_table, ms, section, verdict
from core_fixtures import assistant, dumps, transcript, user_prompt
from pg_cluster import missing_reason, running_cluster

GOAL_SECONDS = 1.0
CWD = "/home/dev/bench-b"


def _start(args: list[str], env: dict[str, str], needle: str) -> tuple[subprocess.Popen[bytes], str]:
    child = subprocess.Popen([str(VENV_BIN / "ccdeck"), *args], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    assert child.stdout is not None
    seen = ""
    while needle not in seen:
        line = child.stdout.readline().decode()
        if not line:
            raise RuntimeError(f"{args[0]} ended: {seen}")
        seen += line
    return child, seen


def _answering(port: int) -> None:
    """The socket is bound before the URL is printed; the server answers soon after."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if http_get(port, "/api/health", timeout=5)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("serve does not answer")


def _cpu(child: subprocess.Popen[bytes]) -> float:
    times = psutil.Process(child.pid).cpu_times()
    return times.user + times.system


async def _measure(ws_url: str, config_b: Path, lines: int, every: float) -> list[float]:
    session = str(uuid.uuid4())
    path = transcript(config_b, CWD, session)
    path.parent.mkdir(parents=True)
    path.write_bytes(dumps(user_prompt(session, datetime.now(UTC), "go", cwd=CWD)) + b"\n")
    delays: list[float] = []
    async with connect(ws_url, open_timeout=10, max_size=None) as ws:
        await ws.recv()  # the snapshot
        await asyncio.sleep(2.0)  # let the first line's session reach a before timing
        for n in range(lines):
            with path.open("ab") as file:
                file.write(dumps(assistant(session, datetime.now(UTC), msg_id=f"m-{n}", cwd=CWD)) + b"\n")
            written = time.monotonic()
            try:
                async with asyncio.timeout(10):
                    while True:
                        message = orjson.loads(await ws.recv())
                        row = message.get("session") if message["type"] == "session.updated" else None
                        if row is not None and row["sessionId"] == session and row["responses"] > n:
                            delays.append(time.monotonic() - written)
                            break
            except TimeoutError:
                delays.append(float("inf"))
            await asyncio.sleep(every)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between lines")
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md as it is")
    args = parser.parse_args()
    reason = missing_reason()
    if reason:
        raise SystemExit(f"many_machines: {reason}")
    root = OUT_DIR / "many_machines"
    shutil.rmtree(root, ignore_errors=True)
    configs = {name: root / name for name in ("a", "b")}
    for config in configs.values():
        (config / "projects").mkdir(parents=True)
        (config / "sessions").mkdir()
    with running_cluster(durable=True) as cluster:
        url = cluster.url(cluster.create_database())
        env = isolated_env(root / "home")
        agent, _ = _start(["agent", "--config-dir", str(configs["b"]), "--db", url], {**env, "CCDECK_MACHINE": "b"},
                          "ccdeck agent:")  # fmt: skip
        serve, printed = _start(["serve", "--port", "0", "--config-dir", str(configs["a"]), "--db", url],
                                {**env, "CCDECK_MACHINE": "a"}, "Ctrl-C stops")  # fmt: skip
        try:
            port = re.search(r"127\.0\.0\.1:(\d+)/", printed)
            assert port is not None
            _answering(int(port.group(1)))
            cpu_before = _cpu(agent) + _cpu(serve)
            delays = asyncio.run(_measure(f"ws://127.0.0.1:{port.group(1)}/ws", configs["b"], args.lines, args.every))
            cpu = _cpu(agent) + _cpu(serve) - cpu_before
        finally:
            for child in (agent, serve):
                child.terminate()
                child.wait(timeout=60)
    lost = sum(1 for d in delays if d == float("inf"))
    p99 = percentile(delays, 99)
    rows = [[f"{args.lines} lines, one every {args.every:g} s", ms(percentile(delays, 50)), ms(p99),
             ms(max(delays)), str(lost), f"{cpu:.2f} s", verdict(p99 <= GOAL_SECONDS and not lost)]]  # fmt: skip
    headers = ["appended on b", "p50 ms", "p99 ms", "max ms", "lost", "CPU (agent + serve)", "p99 ≤ 1 s"]
    table = markdown_table(headers, rows)
    publish("many-machines", section("## Many machines: a line on b to a's dashboard (PostgreSQL LISTEN/NOTIFY)",
                                     machine_line(), table), not args.no_results)  # fmt: skip


if __name__ == "__main__":
    main()
