"""Live benchmark: WebSocket push latency, `/api/sessions` latency over many sessions, server RSS on a big corpus.

    .venv/bin/python -m bench.live_latency [--clients 50] [--appends 200] [--sessions 10000] [--size-mb 1024]

Each part runs `ccdeck serve` as a real child process on 127.0.0.1 (a free port, a fresh database in bench/out/,
an empty HOME) and stops it afterwards:

1. `/api/sessions` latency over a store of ``--sessions`` small sessions (default, ``sort=cost``, ``q=<text>``);
2. push latency on the same server: ``--clients`` WebSocket clients, one assistant line at a time appended to one
   of a few transcripts; for each (line, client) pair, the time from just after the write to the client's receipt
   of the `session.updated` or `usage.point` message for that line;
3. the server's RSS once its catch-up scan of the bench.run corpus (``--size-mb``) has finished.

Writes a Markdown table to stdout and to a section of bench/RESULTS.md. See bench/README.md. Registry changes, hook
POSTs and the first line after a restart are measured by `bench.live_signals`.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import synthetic
from bench.common import OUT_DIR, RESULTS_FILE, VENV_BIN, isolated_env, publish, warm_page_cache
from bench.corpus import corpus_line, ensure_corpus
from bench.live_api import measure_api
from bench.live_append import pick_transcripts
from bench.live_latency_report import RssFigures, StoreFigures, render_section
from bench.live_push import measure_push
from bench.live_server import BenchError, remove_outputs, serving, wait_caught_up
from bench.measure import TreeSampler
from bench.small_corpus import ensure_small_corpus
from bench.table import load_1min

APPEND_TARGETS = 20  # transcripts the lines are appended to
SETTLE_SECONDS = 2.0  # after the catch-up scan, before reading the RSS


def run_store_phase(args: argparse.Namespace, env: dict[str, str]) -> StoreFigures:
    corpus, manifest, generated = ensure_small_corpus(args.sessions, args.seed)
    figures = StoreFigures(args.sessions, manifest["bytes"], generated)
    db = OUT_DIR / f"live-{corpus.name}.db"
    targets = pick_transcripts(corpus, APPEND_TARGETS)
    try:
        with serving(args.ccdeck, corpus, db, env) as server:
            figures.catch_up_seconds = wait_caught_up(server)
            time.sleep(SETTLE_SECONDS)
            figures.rss_mib = server.memory_mib()[0]
            figures.load["api"] = load_1min()
            figures.api = measure_api(server, args.requests)
            figures.load["push"] = load_1min()
            figures.push = measure_push(server, targets, args.clients, args.appends, args.seed)
    except (BenchError, OSError) as exc:
        figures.error = str(exc) or repr(exc)
    finally:
        for target in targets:
            target.restore()
        if not args.keep:
            remove_outputs(db)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    return figures


def run_rss_phase(args: argparse.Namespace, env: dict[str, str]) -> RssFigures:
    if args.size_mb <= 0:
        return RssFigures(error="--size-mb 0", skipped=True)
    params = synthetic.Params(args.size_mb, args.max_file_mb, args.seed)
    corpus, manifest, generated = ensure_corpus(params)
    figures = RssFigures(corpus_line=corpus_line(manifest, generated))
    db = OUT_DIR / f"live-rss-{corpus.name}.db"
    warm_page_cache(corpus)
    figures.load = load_1min()
    print(f"measuring server RSS after the catch-up scan of {corpus.name} ...", flush=True)
    try:
        with serving(args.ccdeck, corpus, db, env) as server, TreeSampler(server.process.pid, 0.05) as sampler:
            figures.catch_up_seconds = wait_caught_up(server)
            time.sleep(SETTLE_SECONDS)
            figures.rss_mib, figures.uss_mib = server.memory_mib()
        figures.peak_mib = sampler.peak_kib / 1024
    except (BenchError, OSError) as exc:
        figures.error = str(exc) or repr(exc)
    finally:
        if not args.keep:
            remove_outputs(db)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    return figures


# -- main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.live_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="WebSocket clients (default 50)")
    parser.add_argument("--appends", type=int, default=200, help="lines appended, one at a time (default 200)")
    parser.add_argument("--sessions", type=int, default=10_000, help="small sessions in the store (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per /api/sessions variant")
    parser.add_argument("--size-mb", type=float, default=1024.0, help="corpus for the RSS figure, MiB; 0 skips it")
    parser.add_argument("--max-file-mb", type=float, default=200.0, help="largest transcript of that corpus, MiB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the corpora and the databases in bench/out/")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.appends < 1 or args.sessions < APPEND_TARGETS or args.requests < 1:
        parser.error(f"--clients, --appends and --requests must be positive, --sessions at least {APPEND_TARGETS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = isolated_env(OUT_DIR / "home")
    store = run_store_phase(args, env)
    rss = run_rss_phase(args, env)
    key = f"live-{args.sessions}sessions-{args.clients}clients-{args.appends}appends-{args.size_mb:g}mb"
    publish(key, render_section(args, store, rss), not args.no_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
