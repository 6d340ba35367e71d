"""Scan and report benchmark: ccdeck against ccusage on one synthetic corpus.

    .venv/bin/python -m bench.run [--size-mb 1024] [--max-file-mb 200] [--seed 1] [--keep]

Generates the corpus into bench/out/ (unless a complete one with the same parameters is there), warms the page
cache, then measures each command as a child process (wall time, peak RSS from os.wait4) and writes a Markdown
table to stdout and to a section of bench/RESULTS.md. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import synthetic
from bench.ccusage import CCUSAGE_SPEC, ccusage_env, find_native_ccusage, warm_up_npx
from bench.common import OUT_DIR, RESULTS_FILE, VENV_BIN, isolated_env, publish, remove_db, warm_page_cache
from bench.corpus import add_corpus_args, append_target, ensure_corpus, params_of
from bench.measure import Measurement, float_or_none, in_process_seconds, run_child, run_repeated, skipped
from bench.run_report import CCUSAGE_ARGS, render_section
from bench.totals import expected_with, totals_check

JsonObj = dict[str, Any]


@dataclass
class Bench:
    """Everything the measurement functions share."""

    corpus: Path
    manifest: JsonObj
    db: Path
    ccdeck: Path
    env: dict[str, str]
    report_runs: int
    ccusage_runs: int
    # Usage of the line the append step added, once a scan has stored it: the report must include it.
    appended_usage: JsonObj | None = None


# -- ccdeck ---------------------------------------------------------------------------------------------------


def ccdeck_argv(bench: Bench, *args: str) -> list[str]:
    return [str(bench.ccdeck), *args, "--db", str(bench.db), "--config-dir", str(bench.corpus)]


def measure_scan(bench: Bench, name: str) -> Measurement:
    """One `ccdeck scan --json`; its JSON gives the in-process seconds and the count of new responses."""
    result = run_child(ccdeck_argv(bench, "scan", "--json"), bench.env)
    payload = result.json() if result.ok else None
    measurement = Measurement(name, [result])
    if isinstance(payload, dict):
        measurement.in_process_seconds = float_or_none(payload.get("seconds"))
        measurement.detail = f"newResponses={payload.get('newResponses')}, problems={payload.get('problems')}"
    return measurement


def measure_cold_scan(bench: Bench) -> Measurement:
    remove_db(bench.db)
    return measure_scan(bench, "cold scan")


def measure_rescan_unchanged(bench: Bench) -> Measurement:
    return measure_scan(bench, "re-scan, nothing new")


def measure_rescan_after_append(bench: Bench) -> Measurement:
    """Append one assistant line to one transcript, re-scan, then put the file back exactly as it was."""
    target = append_target(bench.manifest)
    path = bench.corpus / target.path
    before = path.stat()
    line, usage = synthetic.appended_assistant_line(target)
    with path.open("ab") as fh:
        fh.write(line)
    try:
        measurement = measure_scan(bench, "re-scan after appending one line")
        if measurement.ok:
            bench.appended_usage = usage
        return measurement
    finally:
        os.truncate(path, before.st_size)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def measure_report(bench: Bench) -> Measurement:
    """`ccdeck usage daily --json --no-scan`, median of several runs (process start included)."""
    argv = ccdeck_argv(bench, "usage", "daily", "--json", "--no-scan")
    runs = run_repeated(argv, bench.report_runs, bench.env)
    measurement = Measurement(f"usage daily (median of {bench.report_runs})", runs)
    if measurement.ok:
        payload = runs[-1].json()
        measurement.in_process_seconds = in_process_seconds(payload)
        expected = expected_with(bench.manifest["expected"], bench.appended_usage)
        measurement.detail = totals_check(payload, expected)
        if bench.appended_usage is not None:
            measurement.detail += " (counting the appended line)"
    return measurement


def run_ccdeck(bench: Bench, skip: bool) -> dict[str, Measurement]:
    """The ccdeck measurements, in order: each one needs the database the previous ones left."""
    steps: list[tuple[str, str, Callable[[Bench], Measurement]]] = [
        ("cold", "cold scan", measure_cold_scan),
        ("rescan", "re-scan, nothing new", measure_rescan_unchanged),
        ("append", "re-scan after appending one line", measure_rescan_after_append),
        ("report", "usage daily", measure_report),
    ]
    results: dict[str, Measurement] = {}
    for key, name, step in steps:
        if skip:
            results[key] = skipped(name, "--skip-ccdeck")
        elif not bench.ccdeck.exists():
            results[key] = Measurement(name, error=f"{bench.ccdeck} not found")
        elif key != "cold" and not results["cold"].ok:
            results[key] = skipped(name, "the cold scan failed")
        else:
            print(f"measuring ccdeck: {name} ...", flush=True)
            results[key] = step(bench)
    return results


# -- ccusage --------------------------------------------------------------------------------------------------


def measure_ccusage(bench: Bench, name: str, argv: Sequence[str], env: dict[str, str]) -> Measurement:
    runs = run_repeated(argv, bench.ccusage_runs, env)
    measurement = Measurement(f"{name} (median of {bench.ccusage_runs})", runs)
    if measurement.ok:
        measurement.detail = totals_check(runs[-1].json(), bench.manifest["expected"])
    return measurement


def run_ccusage(bench: Bench, skip: bool) -> dict[str, Measurement]:
    """ccusage through npx, and its native binary run directly when npx installed one."""
    if skip:
        return {"ccusage_npx": skipped("ccusage via npx", "--skip-ccusage")}
    env = ccusage_env(bench.env, bench.corpus)
    if (error := warm_up_npx(env)) is not None:
        return {"ccusage_npx": Measurement("ccusage via npx", error=error)}
    npx = ["npx", "--yes", CCUSAGE_SPEC, *CCUSAGE_ARGS]
    results = {"ccusage_npx": measure_ccusage(bench, "ccusage via npx", npx, env)}
    native = find_native_ccusage(env.get("npm_config_cache"))
    if native is not None:
        results["ccusage_native"] = measure_ccusage(bench, "ccusage native", [str(native), *CCUSAGE_ARGS], env)
    return results


# -- main -------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    add_corpus_args(parser, keep="keep the corpus and the database in bench/out/")
    parser.add_argument("--report-runs", type=int, default=5, help="runs of `usage daily` (median)")
    parser.add_argument("--ccusage-runs", type=int, default=5, help="runs of ccusage (median)")
    parser.add_argument("--skip-ccdeck", action="store_true", help="measure ccusage only")
    parser.add_argument("--skip-ccusage", action="store_true", help="measure ccdeck only")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    return parser.parse_args(argv)


def cleanup(bench: Bench, keep: bool, generated: bool) -> None:
    if keep:
        return
    remove_db(bench.db)
    if generated:
        shutil.rmtree(bench.corpus, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus, manifest, generated = ensure_corpus(params_of(args))
    bench = Bench(
        corpus=corpus,
        manifest=manifest,
        db=OUT_DIR / f"ccdeck-bench-{corpus.name}.db",
        ccdeck=args.ccdeck,
        env=isolated_env(OUT_DIR / "home"),
        report_runs=args.report_runs,
        ccusage_runs=args.ccusage_runs,
    )
    warm_page_cache(corpus)
    try:
        print("measuring ccusage ...", flush=True)
        results = run_ccusage(bench, args.skip_ccusage)
        results |= run_ccdeck(bench, args.skip_ccdeck)
    finally:
        cleanup(bench, args.keep, generated)
    publish(f"scan-{corpus.name}", render_section(args, results, manifest, generated), not args.no_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
