"""Team benchmark: many machines sharing one PostgreSQL database.

    .venv/bin/python -m bench.team [--machines 20] [--mb-per-machine 50] [--sessions 100000] [--requests 200]
                                   [--skip ingest|api] [--keep] [--no-results]

Everything runs against a throwaway PostgreSQL cluster (`initdb` + `pg_ctl` in a temporary folder on a free
loopback port, the tests' `pg_cluster`, with PostgreSQL's default durability), stopped and removed at the end:

1. ingest: ``--machines`` generated config dirs of ``--mb-per-machine`` MiB each (seeds 1..N), one
   `ccdeck scan --machine mN` child per machine, all started at once into one database; the total wall time, every
   exit code, any lock, deadlock or serialisation error in their output, and each machine's token totals
   (`ccdeck usage daily --machines mN --json`) against the generator's expected totals;
2. API: `/api/sessions` and `/api/summary` latency (p50, p95) on a store of ``--sessions`` small sessions, served
   from PostgreSQL and from SQLite;

A line crossing machines (an `agent` on one, a `serve` on the other, LISTEN/NOTIFY) is measured by
`bench.many_machines`.

Writes a Markdown table to stdout and to a section of bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson

import synthetic
from bench.common import OUT_DIR, VENV_BIN, isolated_env, publish
from bench.corpus import ensure_corpus
from bench.live_api import time_requests
from bench.live_server import BenchError, remove_outputs, serving, wait_caught_up
from bench.small_corpus import ensure_small_corpus
from bench.table import load_1min
from bench.team_report import ApiRow, IngestFigures, MachineRun, render_section
from bench.totals import totals_check
from pg_cluster import PgCluster, missing_reason, start_cluster

ERROR_WORDS = ("deadlock", "could not serialize", "lock timeout", "database is locked", "Traceback")
JsonObj = dict[str, Any]
API_PATHS = ("/api/sessions", "/api/summary")


def machine_name(index: int) -> str:
    return f"m{index:02d}"


def scan_argv(ccdeck: Path, url: str, machine: str, config_dir: Path) -> list[str]:
    return [str(ccdeck), "scan", "--db", url, "--machine", machine, "--config-dir", str(config_dir)]


def run_ingest(args: argparse.Namespace, cluster: PgCluster, env: dict[str, str]) -> IngestFigures:
    """All machines' scans at once into one database; then each machine's totals."""
    max_file = max(1.0, min(20.0, args.mb_per_machine / 2))
    corpora = [
        ensure_corpus(synthetic.Params(args.mb_per_machine, max_file, seed), prefix="team")
        for seed in range(1, args.machines + 1)
    ]
    url = cluster.url(cluster.create_database())
    figures = IngestFigures(machines=args.machines, mb_per_machine=args.mb_per_machine, load=load_1min())
    print(f"ingesting {args.machines} machines x {args.mb_per_machine:g} MiB into one PostgreSQL ...", flush=True)
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            scan_argv(args.ccdeck, url, machine_name(i), corpus),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i, (corpus, _manifest, _generated) in enumerate(corpora, start=1)
    ]
    outputs = [child.communicate()[0].decode(errors="replace") for child in children]
    figures.seconds = time.perf_counter() - started
    empty = OUT_DIR / "team-empty-config"
    (empty / "projects").mkdir(parents=True, exist_ok=True)
    for index, ((_corpus, manifest, _generated), child, output) in enumerate(
        zip(corpora, children, outputs, strict=True), start=1
    ):
        run = MachineRun(machine_name(index), child.returncode, manifest["stats"]["jsonl_bytes"])
        run.errors = [line for line in output.splitlines() if any(word in line for word in ERROR_WORDS)][:3]
        run.totals = machine_totals(args.ccdeck, url, run.machine, empty, env, manifest["expected"])
        figures.runs.append(run)
    if not args.keep:
        for corpus, _manifest, _generated in corpora:
            shutil.rmtree(corpus, ignore_errors=True)
    return figures


def machine_totals(ccdeck: Path, url: str, machine: str, empty: Path, env: dict[str, str], expected: JsonObj) -> str:
    argv = [str(ccdeck), "usage", "daily", "--json", "--no-scan", "--db", url, "--machines", machine,
            "--config-dir", str(empty)]  # fmt: skip
    done = subprocess.run(argv, check=False, env=env, capture_output=True, timeout=600)
    if done.returncode != 0:
        return f"report failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()[:120]}"
    return totals_check(orjson.loads(done.stdout), expected)


def run_api(args: argparse.Namespace, cluster: PgCluster, env: dict[str, str]) -> list[ApiRow]:
    """`/api/sessions` and `/api/summary` on ``--sessions`` small sessions, served from PostgreSQL and SQLite."""
    corpus, _manifest, generated = ensure_small_corpus(args.sessions, args.seed)
    sqlite_db = OUT_DIR / f"team-api-{corpus.name}.db"
    targets: list[tuple[str, Path | str]] = [
        ("PostgreSQL", cluster.url(cluster.create_database())),
        ("SQLite", sqlite_db),
    ]
    rows: list[ApiRow] = []
    try:
        for engine, db in targets:
            row = ApiRow(engine, args.sessions)
            rows.append(row)
            print(f"serving {args.sessions:,} sessions from {engine} ...", flush=True)
            try:
                with serving(args.ccdeck, corpus, db, env, extra=["--machine", "a"]) as server:
                    row.catch_up_seconds = wait_caught_up(server)
                    row.load = load_1min()
                    for path in API_PATHS:
                        print(f"measuring {args.requests} x {path} on {engine} ...", flush=True)
                        row.samples[path] = time_requests(server.port, path, args.requests)[0]
            except (BenchError, OSError) as exc:
                row.error = str(exc) or repr(exc)
    finally:
        if not args.keep:
            remove_outputs(sqlite_db)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.team", description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=20)
    parser.add_argument("--mb-per-machine", type=float, default=50.0)
    parser.add_argument("--sessions", type=int, default=100_000, help="sessions of the API part (default 100,000)")
    parser.add_argument("--requests", type=int, default=200, help="timed GETs per route (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", action="append", default=[], choices=["ingest", "api"])
    parser.add_argument("--keep", action="store_true", help="keep generated corpora and databases")
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    args.ccdeck = VENV_BIN / "ccdeck"
    reason = missing_reason()
    if reason is not None:
        print(f"bench.team: {reason}")
        return 2
    env = isolated_env(OUT_DIR / "team-home")
    cluster = start_cluster(durable=True)
    try:
        ingest = None if "ingest" in args.skip else run_ingest(args, cluster, env)
        api = [] if "api" in args.skip else run_api(args, cluster, env)
    finally:
        cluster.stop()
    key = f"team-{args.machines}x{args.mb_per_machine:g}mb-{args.sessions}"
    publish(key, render_section(args, ingest, api), not args.no_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
