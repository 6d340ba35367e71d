"""Instant targets: ccdeck's quick answers, measured side by side with ccusage on one synthetic corpus in one run.

    .venv/bin/python -m bench.instant [--size-mb 1024] [--max-file-mb 200] [--seed 1] [--keep]

Start-up (`--version`, `--help`), `statusline`, the warm reports with their incremental check, the first report on
an empty store, the complete scan and the peak memory of its process tree; ccusage's `daily`, `session` and `blocks`
on the same files. Writes a Markdown table to stdout and to a section of bench/RESULTS.md (see bench/README.md).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

import synthetic
from bench.ccusage import CCUSAGE_SPEC, ccusage_env, find_native_ccusage, warm_up_npx
from bench.common import (
    OUT_DIR,
    RESULTS_FILE,
    VENV_BIN,
    isolated_env,
    publish,
    remove_db,
    store_mib,
    warm_page_cache,
)
from bench.corpus import add_corpus_args, append_target, ensure_corpus, params_of
from bench.instant_report import CCUSAGE_REPORTS, NO_SCAN_REPORT, WARM_REPORTS, render_section
from bench.measure import Measurement, in_process_seconds, run_child, run_repeated, skipped
from bench.table import load_1min
from bench.totals import check_totals

JsonObj = dict[str, Any]


@dataclass
class Instant:
    """What the measurements share: the corpus, the ccdeck executable, the environment, the run counts."""

    corpus: Path
    manifest: JsonObj
    ccdeck: Path
    env: dict[str, str]
    store: Path  # the database the complete scan fills; the warm figures and statusline use it
    warm_runs: int
    quick_runs: int
    ccusage_runs: int

    def ccdeck_argv(self, *args: str, db: Path | None = None) -> list[str]:
        return [str(self.ccdeck), *args, "--db", str(db or self.store), "--config-dir", str(self.corpus)]


# -- ccusage --------------------------------------------------------------------------------------------------


def ccusage_base(env: dict[str, str]) -> tuple[list[str] | None, str]:
    """The command that runs ccusage: its native binary when npx installed it, else npx; or None and why."""
    if (error := warm_up_npx(env)) is not None:
        return None, error
    native = find_native_ccusage(env.get("npm_config_cache"))
    if native is not None:
        return [str(native)], "native binary, run directly"
    return ["npx", "--yes", CCUSAGE_SPEC], "through `npx --yes` (native binary not found)"


def measure_ccusage(ctx: Instant, skip: bool) -> tuple[dict[str, Measurement], str]:
    if skip:
        return {r: skipped(f"ccusage {r}", "--skip-ccusage") for r in CCUSAGE_REPORTS}, ""
    env = ccusage_env(ctx.env, ctx.corpus)
    base, how = ccusage_base(env)
    results: dict[str, Measurement] = {}
    for report in CCUSAGE_REPORTS:
        name = f"ccusage {report} --json --offline"
        if base is None:
            results[report] = Measurement(name, error=how)
            continue
        print(f"measuring {name} ...", flush=True)
        m = Measurement(name, run_repeated([*base, report, "--json", "--offline"], ctx.ccusage_runs, env))
        m.detail = check_totals(m.runs[-1].json(), ctx.manifest["expected"]) if m.ok else ""
        results[report] = m
    return results, how


# -- ccdeck ---------------------------------------------------------------------------------------------------


def statusline_input(ctx: Instant) -> Path:
    """The JSON Claude Code sends a status-line command, for a mid-size session of the corpus."""
    target = append_target(ctx.manifest)
    status = {
        "session_id": target.session_id,
        "transcript_path": str(ctx.corpus / target.path),
        "cwd": target.cwd,
        "model": {"id": synthetic.MAIN_MODELS[0], "display_name": "Sonnet 4.5"},
        "workspace": {"current_dir": target.cwd, "project_dir": target.cwd, "added_dirs": []},
        "version": target.version,
        "output_style": {"name": "default"},
        "cost": {
            "total_cost_usd": 1.234567,
            "total_duration_ms": 754_000,
            "total_api_duration_ms": 201_000,
            "total_lines_added": 120,
            "total_lines_removed": 31,
        },
        "context_window": {
            "total_input_tokens": 84_210,
            "total_output_tokens": 9_876,
            "context_window_size": 200_000,
            "current_usage": {
                "input_tokens": 4,
                "output_tokens": 321,
                "cache_creation_input_tokens": 1_234,
                "cache_read_input_tokens": 82_972,
            },
            "used_percentage": 42,
            "remaining_percentage": 58,
        },
        "exceeds_200k_tokens": False,
        "fast_mode": False,
    }
    path = OUT_DIR / "statusline-stdin.json"
    path.write_bytes(orjson.dumps(status))
    return path


def measure_quick(ctx: Instant) -> dict[str, Measurement]:
    """`--version`, `--help` and `statusline` (on the complete store), each a median of quick_runs."""
    commands = {
        "version": ([str(ctx.ccdeck), "--version"], None),
        "help": ([str(ctx.ccdeck), "--help"], None),
        "statusline": ([str(ctx.ccdeck), "statusline", "--db", str(ctx.store)], statusline_input(ctx)),
    }
    results = {}
    for key, (argv, stdin) in commands.items():
        print(f"measuring ccdeck {key} ...", flush=True)
        results[key] = Measurement(f"ccdeck {' '.join(argv[1:2])}", run_repeated(argv, ctx.quick_runs, ctx.env, stdin))
    return results


def measure_cold(ctx: Instant) -> dict[str, Measurement]:
    """The first `usage daily --json` on an empty store, then a complete `scan` on another empty store."""
    cold_db = ctx.store.with_name(ctx.store.name + "-cold-usage")
    results = {}
    for key, argv, db in (
        ("cold_usage", ctx.ccdeck_argv("usage", "daily", "--json", db=cold_db), cold_db),
        ("cold_scan", ctx.ccdeck_argv("scan", "--json"), ctx.store),
    ):
        remove_db(db)
        print(f"measuring ccdeck {key.replace('_', ' ')} ...", flush=True)
        name = "first usage daily --json" if key == "cold_usage" else "complete scan --json"
        m = Measurement(name, [run_child(argv, ctx.env)])
        payload = m.runs[-1].json() if m.ok else None
        if key == "cold_usage":
            m.detail = check_totals(payload, ctx.manifest["expected"]) if m.ok else ""
            remove_db(cold_db)
        elif isinstance(payload, dict):
            m.in_process_seconds = in_process_seconds(payload)
            m.detail = f"newResponses={payload.get('newResponses')}, problems={payload.get('problems')}, "
            m.detail += f"store {store_mib(ctx.store):,.1f} MiB"
        results[key] = m
    return results


def measure_warm(ctx: Instant) -> dict[str, Measurement]:
    """Each report on the complete store, a median of warm_runs, its incremental check of the files included;
    then `usage daily` without that check (`--no-scan`), which tells where the warm time goes."""
    results = {}
    commands = {**{key: args for key, (args, _) in WARM_REPORTS.items()}, "daily_no_scan": NO_SCAN_REPORT}
    for key, args in commands.items():
        argv = ctx.ccdeck_argv(*args)
        print(f"measuring ccdeck {' '.join(args)} (warm) ...", flush=True)
        m = Measurement(" ".join(args), run_repeated(argv, ctx.warm_runs, ctx.env))
        m.detail = check_totals(m.runs[-1].json(), ctx.manifest["expected"]) if m.ok else ""
        results[key] = m
    return results


def measure_ccdeck(ctx: Instant) -> dict[str, Measurement]:
    if not ctx.ccdeck.exists():
        return {"cold_scan": Measurement("ccdeck", error=f"{ctx.ccdeck} not found")}
    results = measure_cold(ctx)
    if not results["cold_scan"].ok:
        return results
    return results | measure_warm(ctx) | measure_quick(ctx)


# -- main -------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.instant", description=__doc__.split("\n")[0])
    add_corpus_args(parser, keep="keep the corpus and the store in bench/out/")
    parser.add_argument("--warm-runs", type=int, default=5, help="runs of each warm report (median)")
    parser.add_argument("--quick-runs", type=int, default=20, help="runs of --version, --help, statusline")
    parser.add_argument("--ccusage-runs", type=int, default=5, help="runs of each ccusage report (median)")
    parser.add_argument("--skip-ccusage", action="store_true", help="measure ccdeck only")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = load_1min()
    corpus, manifest, generated = ensure_corpus(params_of(args))
    ctx = Instant(
        corpus=corpus,
        manifest=manifest,
        ccdeck=args.ccdeck,
        env=isolated_env(OUT_DIR / "home"),
        store=OUT_DIR / f"ccdeck-instant-{corpus.name}.db",
        warm_runs=args.warm_runs,
        quick_runs=args.quick_runs,
        ccusage_runs=args.ccusage_runs,
    )
    warm_page_cache(corpus)
    try:
        cc, how = measure_ccusage(ctx, args.skip_ccusage)
        ours = measure_ccdeck(ctx)
    finally:
        if not args.keep:
            remove_db(ctx.store)
            if generated:
                shutil.rmtree(corpus, ignore_errors=True)
    section = render_section(args, manifest, (ours, cc, how), generated, load_start)
    publish(f"instant-{corpus.name}", section, not args.no_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
