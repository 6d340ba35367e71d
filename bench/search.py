"""What the full-text index costs a cold scan, and how the two ways of keeping it compare.

    .venv/bin/python -m bench.search [--size-mb 200] [--max-file-mb 40] [--seed 1] [--runs 3]

Generates a corpus into bench/out/ (reused when complete), then cold-scans it into a fresh database, in a child
process per run, three ways, alternating: as shipped (events indexed by one INSERT ... SELECT per transaction), with
no search index at all, and with the events indexed by a per-row AFTER INSERT trigger instead. Writes a Markdown
table to stdout and to a section of bench/RESULTS.md. The writer thread runs in the main process, so its CPU time
is where the index's cost shows; wall time also depends on the parse workers and on whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from bench.common import MIB, OUT_DIR, RESULTS_FILE, publish
from bench.corpus import ensure_corpus, params_of
from bench.table import fmt_seconds, machine_line, markdown_table

VARIANTS = ("index", "none", "triggers")
EVENTS_TRIGGER = """CREATE TRIGGER bench_events_fts AFTER INSERT ON events
    WHEN new.kind IN ('prompt', 'answer', 'tool_use') BEGIN
        INSERT INTO events_fts(rowid, text) VALUES (new.rowid, new.text);
    END"""


def one_scan(variant: str, corpus: Path, db: Path) -> dict[str, Any]:
    """A cold scan of `corpus` into the new database `db`, the index kept the `variant` way."""
    from ccdeck.ingest.pipeline import Ingestor
    from ccdeck.store import row_writes
    from ccdeck.store.store import Store

    store = Store.open(db)
    if variant != "index":
        row_writes._index_events = lambda _conn, _after: None  # type: ignore[assignment]
    if variant == "none":
        store.write(lambda c: [c.exec_driver_sql(f"DROP TRIGGER titles_fts_{op}") for op in ("insert", "update")])
    if variant == "triggers":
        store.write(lambda c: c.exec_driver_sql(EVENTS_TRIGGER))
    started, cpu = time.perf_counter(), time.process_time()
    Ingestor(store).scan([corpus])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    with store.read() as conn:
        indexed = conn.exec_driver_sql("SELECT COUNT(*) FROM events_fts_docsize").scalar()
    store.close()
    size = sum(p.stat().st_size for p in db.parent.iterdir() if p.name.startswith(db.name))
    return {"variant": variant, "wall": wall, "cpu": cpu, "indexed": indexed, "dbBytes": size}


def query_seconds(db: Path, words: str, runs: int = 5) -> float:
    """Median time of one page of 50 results for `words`, in-process on the open store."""
    from ccdeck.reports.search_report import search_report
    from ccdeck.store.sqla_reader import SqlaReader
    from ccdeck.store.store import Store

    store = Store.open(db)
    times: list[float] = []
    with store.read() as conn:
        for _ in range(runs):
            started = time.perf_counter()
            search_report(SqlaReader(conn), words, None, 50)
            times.append(time.perf_counter() - started)
    store.close()
    return statistics.median(times)


def _child(variant: str, corpus: Path, db: Path) -> dict[str, Any]:
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    argv = [sys.executable, "-m", "bench.search", "--one", variant, str(corpus), str(db)]
    done = subprocess.run(argv, check=True, capture_output=True)
    result: dict[str, Any] = orjson.loads(done.stdout.splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--max-file-mb", type=float, default=40.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--one", nargs=3, metavar=("VARIANT", "CORPUS", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(orjson.dumps(one_scan(args.one[0], Path(args.one[1]), Path(args.one[2]))).decode())
        return 0
    corpus, manifest, _ = ensure_corpus(params_of(args), prefix="search-corpus")
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    for _ in range(args.runs):
        for variant in VARIANTS:
            runs[variant].append(_child(variant, corpus, OUT_DIR / f"search-db-{variant}" / "ccdeck.db"))
    body = _report(args, manifest, runs, query_seconds(OUT_DIR / "search-db-index" / "ccdeck.db", "main py"))
    key = f"search-index-{args.size_mb:g}mb-max{args.max_file_mb:g}-seed{args.seed}"
    publish(key, body, not args.no_results)
    return 0


def _report(args: argparse.Namespace, manifest: dict[str, Any], runs: dict[str, Any], query: float) -> str:
    def med(variant: str, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[variant]))

    base_cpu, base_wall = med("none", "cpu"), med("none", "wall")
    rows = [
        [name, fmt_seconds(med(v, "wall")), fmt_seconds(med(v, "cpu")), f"{med(v, 'cpu') - base_cpu:+.3f}",
         f"{runs[v][-1]['indexed']:,}", f"{med(v, 'dbBytes') / MIB:.1f}"]
        for v, name in (("none", "no search index"), ("index", "index, one INSERT … SELECT per transaction (shipped)"),
                        ("triggers", "index, AFTER INSERT trigger per row"))
    ]  # fmt: skip
    stats = manifest["stats"]
    command = f"--size-mb {args.size_mb:g} --max-file-mb {args.max_file_mb:g} --seed {args.seed} --runs {args.runs}"
    body = f"""## Search index cost on a cold scan, {args.size_mb:g} MiB corpus

`python -m bench.search {command}`
— medians of {args.runs} cold scans each, alternating, each in its own process. Corpus:
{stats.get("files", "?")} files, {stats.get("jsonl_bytes", 0) / MIB:.1f} MiB.

{markdown_table(["Cold scan", "Wall, s", "Main-process CPU, s", "CPU vs none, s", "Events indexed", "DB, MiB"], rows)}

- wall without index {base_wall:.3f} s; the writer's CPU time is the steadier figure on a shared machine
- one page (50) of `search "main py"` on the indexed store: {query * 1000:.1f} ms (in-process, median of 5)
- {machine_line()}
"""
    return body


if __name__ == "__main__":
    raise SystemExit(main())
