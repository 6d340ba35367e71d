"""Live signals benchmark: how fast Claude Code's own signals reach every connected dashboard.

    .venv/bin/python -m bench.live_signals [--clients 50] [--changes 100] [--restarts 5]

`ccdeck serve` runs as a real child process on 127.0.0.1 over a small generated config dir (a fresh database, an
empty HOME); ``--clients`` WebSocket clients are connected. For each signal, the time from just after it was given
to each client's receipt of the message it causes (first receipt per (signal, client) counts):

1. registry change: `<config>/sessions/<pid>.json` rewritten as Claude Code does it (a temp file, then a rename),
   its `status` alternating `busy` and `waiting` → a `session.state` message;
2. hook POST: `POST /api/hooks` (PreToolUse, each with another command) → a `session.state` message; timed from
   just before the request is sent;
3. appended transcript line → `session.updated` / `usage.point`; the first line after the server started is
   measured on its own, over ``--restarts`` fresh servers, since whatever loads lazily is paid then.

Writes a Markdown table to stdout and to a section of bench/RESULTS.md. Bounded: every wait has a timeout, a
missing message counts as lost. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import time
from pathlib import Path

import synthetic
from bench.common import MIB, OUT_DIR, RESULTS_FILE, VENV_BIN, isolated_env, publish
from bench.live_append import Tracker, append_and_wait, pick_transcripts
from bench.live_clients import with_clients
from bench.live_registry_hooks import GAP, SETTLE_SECONDS, WAIT_SECONDS, hook_posts, registry_changes
from bench.live_server import BenchError, Server, remove_outputs, serving, wait_caught_up
from bench.live_signals_report import SESSIONS, AppendFigures, Figures, render
from bench.small_corpus import write_small_corpus
from bench.table import load_1min


async def appended_lines(server: Server, corpus: Path, clients: int, count: int, seed: int) -> Tracker:
    """`count` lines appended to transcripts of `corpus`, the first one right after the clients connected."""
    tracker = Tracker(clients)
    targets = pick_transcripts(corpus, 5)
    rng = random.Random(f"appends-{seed}")
    pool = synthetic.TextPool(rng, chars=MIB // 4)

    async def work() -> None:
        for index in range(count):
            target = targets[index % len(targets)]
            stamp = int(time.time() * 1000) + index
            await append_and_wait(tracker, target, index, stamp, rng, pool, WAIT_SECONDS)
            await asyncio.sleep(rng.uniform(*GAP))

    try:
        await with_clients(server.ws_url, clients, tracker.receive, work, SETTLE_SECONDS)
    finally:
        for target in targets:
            target.restore()
    return tracker


def measure_appends(args: argparse.Namespace, corpus: Path, env: dict[str, str]) -> AppendFigures:
    """Restarts of one server on one database, as a user restarts `ccdeck serve`: the first start's catch-up reads
    everything, the next ones find nothing new, so whatever loads lazily waits for the first appended line."""
    figures = AppendFigures(restarts=args.restarts, lines=args.lines)
    for restart in range(args.restarts):
        with serving(args.ccdeck, corpus, OUT_DIR / "live-signals.db", env, fresh=restart == 0) as server:
            wait_caught_up(server)
            tracker = asyncio.run(appended_lines(server, corpus, args.clients, args.lines, args.seed + restart))
        for (index, _client), seconds in tracker.latency.items():
            (figures.first if index == 0 else figures.rest).append(seconds)
        figures.lost_first += args.clients - sum(1 for index, _ in tracker.latency if index == 0)
        figures.lost_rest += tracker.missing(args.lines) - (args.clients - tracker.received[0])
    return figures


# -- main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.live_signals", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="WebSocket clients (default 50)")
    parser.add_argument("--changes", type=int, default=100, help="registry changes and hook POSTs, each (default 100)")
    parser.add_argument("--restarts", type=int, default=5, help="fresh servers for the first-line figure (default 5)")
    parser.add_argument("--lines", type=int, default=20, help="lines appended after each start (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    args = parser.parse_args(argv)
    if min(args.clients, args.changes, args.restarts) < 1 or args.lines < 2:
        parser.error("--clients, --changes and --restarts must be positive, --lines at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = isolated_env(OUT_DIR / "home")
    corpus = OUT_DIR / "live-signals-config"
    shutil.rmtree(corpus, ignore_errors=True)
    write_small_corpus(corpus, SESSIONS, args.seed)
    figures = Figures()
    try:
        figures.load["appends"] = load_1min()
        print(f"first line after start: {args.restarts} fresh servers, {args.lines} lines each ...", flush=True)
        figures.appends = measure_appends(args, corpus, env)
        with serving(args.ccdeck, corpus, OUT_DIR / "live-signals.db", env) as server:
            wait_caught_up(server)
            figures.load["registry"] = load_1min()
            print(f"registry: {args.changes} changes, {args.clients} clients ...", flush=True)
            figures.registry = asyncio.run(registry_changes(server, corpus, args.clients, args.changes, args.seed))
            figures.load["hooks"] = load_1min()
            print(f"hooks: {args.changes} POSTs, {args.clients} clients ...", flush=True)
            figures.hooks = asyncio.run(hook_posts(server, args.clients, args.changes, args.seed))
    except (BenchError, OSError) as exc:
        figures.errors.append(str(exc) or repr(exc))
    finally:
        shutil.rmtree(corpus, ignore_errors=True)
        remove_outputs(OUT_DIR / "live-signals.db")
    publish(f"live-signals-{args.clients}clients", render(args, figures), not args.no_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
