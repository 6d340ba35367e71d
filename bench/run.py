"""Scan and report benchmark: ccdeck against ccusage on one synthetic corpus.

    .venv/bin/python -m bench.run [--size-mb 1024] [--max-file-mb 200] [--seed 1] [--keep]

Generates the corpus into bench/out/ (unless a complete one with the same parameters is there), warms the page
cache, then measures each command as a child process (wall time, peak RSS from os.wait4) and writes a Markdown
table to stdout and to a section of bench/RESULTS.md. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

import synthetic
from bench.common import (
    MIB,
    OUT_DIR,
    RESULTS_FILE,
    VENV_BIN,
    ChildResult,
    fmt_number,
    fmt_ratio,
    fmt_seconds,
    isolated_env,
    machine_line,
    markdown_table,
    median_seconds,
    run_child,
    run_repeated,
    update_results_section,
    warm_page_cache,
)

CCUSAGE_VERSION = "20.0.24"
CCUSAGE_SPEC = f"ccusage@{CCUSAGE_VERSION}"
CCUSAGE_ARGS = ("session", "--json", "--offline")

TARGET_COLD_RATIO = 2.0  # cold scan no slower than 2x ccusage
TARGET_RESCAN_SECONDS = 0.2
TARGET_REPORT_SECONDS = 0.1
TARGET_RSS_MIB = 200.0

JsonObj = dict[str, Any]


@dataclass
class Measurement:
    """The figures of one benchmarked command (one run, or the median of several)."""

    name: str
    runs: list[ChildResult] = field(default_factory=list)
    in_process_seconds: float | None = None
    detail: str = ""
    error: str | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float | None:
        return median_seconds(self.runs) if self.ok else None

    @property
    def cpu_seconds(self) -> float | None:
        return statistics.median(r.cpu_seconds for r in self.runs) if self.ok else None

    @property
    def rss_mib(self) -> float | None:
        return max(r.max_rss_mib for r in self.runs) if self.ok else None

    @property
    def tree_rss_mib(self) -> float | None:
        return max(r.tree_peak_rss_kib for r in self.runs) / 1024 if self.ok else None

    def mib_per_second(self, corpus_bytes: int) -> float | None:
        seconds = self.seconds
        return corpus_bytes / MIB / seconds if seconds else None

    def failure(self) -> str:
        if self.error is not None:
            return self.error
        failed = next((r for r in self.runs if not r.ok), None)
        return failed.failure() if failed else "no run"


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


# -- corpus -------------------------------------------------------------------------------------------------


def corpus_dir(params: synthetic.Params) -> Path:
    return OUT_DIR / f"corpus-{params.size_mb:g}mb-max{params.max_file_mb:g}-seed{params.seed}"


def ensure_corpus(params: synthetic.Params) -> tuple[Path, JsonObj, bool]:
    """Return (corpus, manifest, generated_now); regenerate unless a complete matching corpus is there."""
    out = corpus_dir(params)
    manifest = synthetic.read_manifest(out)
    if synthetic.manifest_matches(manifest, params) and manifest is not None:
        return out, manifest, False
    if out.exists():
        shutil.rmtree(out)
    print(f"generating {params.size_mb:g} MiB corpus into {out} ...", flush=True)
    return out, synthetic.generate(out, params), True


def append_target(bench: Bench) -> synthetic.AppendTarget:
    return synthetic.AppendTarget(**bench.manifest["appendTarget"])


# -- ccdeck ---------------------------------------------------------------------------------------------------


def scan_argv(bench: Bench) -> list[str]:
    return [str(bench.ccdeck), "scan", "--json", "--db", str(bench.db), "--config-dir", str(bench.corpus)]


def report_argv(bench: Bench) -> list[str]:
    return [
        str(bench.ccdeck),
        "usage",
        "daily",
        "--json",
        "--no-scan",
        "--db",
        str(bench.db),
        "--config-dir",
        str(bench.corpus),
    ]


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def measure_scan(bench: Bench, name: str) -> Measurement:
    """One `ccdeck scan --json`; its JSON gives the in-process seconds and the count of new responses."""
    result = run_child(scan_argv(bench), bench.env)
    payload = result.json() if result.ok else None
    measurement = Measurement(name, [result])
    if isinstance(payload, dict):
        measurement.in_process_seconds = _float_or_none(payload.get("seconds"))
        measurement.detail = f"newResponses={payload.get('newResponses')}, problems={payload.get('problems')}"
    return measurement


def measure_cold_scan(bench: Bench) -> Measurement:
    remove_db(bench.db)
    return measure_scan(bench, "cold scan")


def measure_rescan_unchanged(bench: Bench) -> Measurement:
    return measure_scan(bench, "re-scan, nothing new")


def measure_rescan_after_append(bench: Bench) -> Measurement:
    """Append one assistant line to one transcript, re-scan, then put the file back exactly as it was."""
    target = append_target(bench)
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
    runs = run_repeated(report_argv(bench), bench.report_runs, bench.env)
    measurement = Measurement(f"usage daily (median of {bench.report_runs})", runs)
    if measurement.ok:
        payload = runs[-1].json()
        measurement.in_process_seconds = in_process_seconds(payload)
        expected = expected_with(bench.manifest["expected"], bench.appended_usage)
        measurement.detail = totals_check(payload, expected)
        if bench.appended_usage is not None:
            measurement.detail += " (counting the appended line)"
    return measurement


def expected_with(expected: JsonObj, usage: JsonObj | None) -> JsonObj:
    """The generator's expected totals plus one extra response's usage (the appended line)."""
    if usage is None:
        return expected
    keys = {
        "input_tokens": "input_tokens",
        "output_tokens": "output_tokens",
        "cache_creation_tokens": "cache_creation_input_tokens",
        "cache_read_tokens": "cache_read_input_tokens",
    }
    return {**expected, **{ours: expected[ours] + usage[theirs] for ours, theirs in keys.items()}}


def in_process_seconds(payload: Any) -> float | None:
    """The query time if the report printed one (its JSON shape is not fixed yet: try the likely keys)."""
    if not isinstance(payload, dict):
        return None
    for key in ("querySeconds", "seconds", "elapsedSeconds"):
        if (value := _float_or_none(payload.get(key))) is not None:
            return value
    for key in ("queryMs", "elapsedMs"):
        if (value := _float_or_none(payload.get(key))) is not None:
            return value / 1000
    return None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# -- ccusage --------------------------------------------------------------------------------------------------


def npm_settings() -> dict[str, str]:
    """npm's cache and user config from the real environment, passed on explicitly under the isolated HOME."""
    settings: dict[str, str] = {}
    for key in ("cache", "userconfig"):
        try:
            done = subprocess.run(["npm", "config", "get", key], capture_output=True, text=True, check=False)
        except OSError:
            return settings  # no npm: the npx warm-up reports the failure
        if done.returncode == 0 and done.stdout.strip():
            settings[f"npm_config_{key}"] = done.stdout.strip()
    return settings


def ccusage_env(bench: Bench, npm: dict[str, str]) -> dict[str, str]:
    return {**bench.env, **npm, "CLAUDE_CONFIG_DIR": str(bench.corpus)}


def npx_argv() -> list[str]:
    return ["npx", "--yes", CCUSAGE_SPEC, *CCUSAGE_ARGS]


def warm_up_npx(env: dict[str, str]) -> ChildResult:
    """Untimed first call: npx downloads and installs the package into its cache."""
    return run_child(["npx", "--yes", CCUSAGE_SPEC, "--help"], env, timeout=600)


def find_native_ccusage(npm_cache: str | None) -> Path | None:
    """The native binary npx installed: the npm package is only a node wrapper that spawns it."""
    if not npm_cache:
        return None
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    system = platform.system().lower()
    for package_json in sorted(Path(npm_cache).glob("_npx/*/node_modules/ccusage/package.json")):
        if orjson.loads(package_json.read_bytes()).get("version") != CCUSAGE_VERSION:
            continue
        binary = package_json.parent.parent / "@ccusage" / f"ccusage-{system}-{arch}" / "bin" / "ccusage"
        if binary.is_file():
            return binary
    return None


def measure_ccusage(bench: Bench, name: str, argv: Sequence[str], env: dict[str, str]) -> Measurement:
    runs = run_repeated(argv, bench.ccusage_runs, env)
    measurement = Measurement(f"{name} (median of {bench.ccusage_runs})", runs)
    if measurement.ok:
        measurement.detail = totals_check(runs[-1].json(), bench.manifest["expected"])
    return measurement


def totals_check(payload: Any, expected: JsonObj) -> str:
    """Compare a report's token totals with the generator's (each response once, with its largest output).

    ccusage and ccdeck both print ``totals`` with camelCase token keys.
    """
    totals = payload.get("totals") if isinstance(payload, dict) else None
    if not isinstance(totals, dict):
        return "no totals in the output"
    pairs = {
        "input": ("inputTokens", "input_tokens"),
        "output": ("outputTokens", "output_tokens"),
        "cache write": ("cacheCreationTokens", "cache_creation_tokens"),
        "cache read": ("cacheReadTokens", "cache_read_tokens"),
    }
    diffs = [
        f"{label} {totals.get(theirs)} vs {expected[ours]}"
        for label, (theirs, ours) in pairs.items()
        if totals.get(theirs) != expected[ours]
    ]
    if not diffs:
        return "token totals equal the generator's expected totals"
    if totals.get("outputTokens") == expected["output_tokens_first_copy"]:
        diffs.append("(output equals the FIRST copy of each response)")
    return "token totals differ from the generator's: " + ", ".join(diffs)


# -- report -----------------------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def within(value: float | None, limit: float | None) -> bool | None:
    return None if value is None or limit is None else value <= limit


def seconds_cell(m: Measurement) -> str:
    if not m.ok:
        return "skipped" if m.skipped else "failed"
    cell = fmt_seconds(m.seconds)
    return cell + (f" (in-process {fmt_seconds(m.in_process_seconds)})" if m.in_process_seconds is not None else "")


def reference_ccusage(results: dict[str, Measurement]) -> Measurement:
    """The native binary when it could be run directly, else the npx call (which adds npm's start-up)."""
    native = results.get("ccusage_native")
    return native if native is not None and native.ok else results["ccusage_npx"]


def table_rows(results: dict[str, Measurement], corpus_bytes: int) -> list[list[str]]:
    cold, ref = results["cold"], reference_ccusage(results)
    rescan, append, report = results["rescan"], results["append"], results["report"]
    ccdeck_all = [m for key, m in results.items() if not key.startswith("ccusage") and m.ok]
    peak = max((m.rss_mib or 0.0 for m in ccdeck_all), default=None)
    cold_limit = ref.seconds * TARGET_COLD_RATIO if ref.seconds is not None else None
    return [
        [
            "Cold scan (fresh DB), s",
            seconds_cell(cold),
            fmt_seconds(ref.seconds),
            fmt_ratio(cold.seconds, ref.seconds),
            f"≤ {TARGET_COLD_RATIO:g}× ccusage",
            verdict(within(cold.seconds, cold_limit)),
        ],
        [
            "Cold scan CPU time (user + system), s",
            fmt_seconds(cold.cpu_seconds),
            fmt_seconds(ref.cpu_seconds),
            fmt_ratio(cold.cpu_seconds, ref.cpu_seconds),
            "—",
            "",
        ],
        [
            "Cold scan throughput, MiB/s",
            fmt_number(cold.mib_per_second(corpus_bytes)),
            fmt_number(ref.mib_per_second(corpus_bytes)),
            fmt_ratio(cold.mib_per_second(corpus_bytes), ref.mib_per_second(corpus_bytes)),
            "—",
            "",
        ],
        [
            "Cold scan peak RSS, MiB",
            fmt_number(cold.rss_mib),
            fmt_number(ref.rss_mib),
            fmt_ratio(cold.rss_mib, ref.rss_mib),
            f"≤ {TARGET_RSS_MIB:g} MiB",
            verdict(within(cold.rss_mib, TARGET_RSS_MIB)),
        ],
        [
            "Re-scan, nothing new, s",
            seconds_cell(rescan),
            "—",
            "—",
            f"≤ {TARGET_RESCAN_SECONDS:g} s",
            verdict(within(rescan.seconds, TARGET_RESCAN_SECONDS)),
        ],
        ["Re-scan after appending 1 assistant line, s", seconds_cell(append), "—", "—", "—", ""],
        [
            "`usage daily --json --no-scan` (median), s",
            seconds_cell(report),
            "—",
            "—",
            f"≤ {TARGET_REPORT_SECONDS:g} s",
            verdict(within(report.seconds, TARGET_REPORT_SECONDS)),
        ],
        [
            "Peak RSS over all ccdeck runs, MiB",
            fmt_number(peak),
            "—",
            "—",
            f"≤ {TARGET_RSS_MIB:g} MiB",
            verdict(within(peak, TARGET_RSS_MIB)),
        ],
    ]


def ccusage_lines(results: dict[str, Measurement], corpus_bytes: int) -> list[str]:
    lines = []
    for key, label in (("ccusage_native", "native binary, run directly"), ("ccusage_npx", "through `npx --yes`")):
        m = results.get(key)
        if m is None:
            continue
        if not m.ok:
            lines.append(f"- ccusage {label}: {'skipped' if m.skipped else 'failed'} ({m.failure()})")
            continue
        lines.append(
            f"- ccusage {label}: {fmt_seconds(m.seconds)} s (CPU {fmt_seconds(m.cpu_seconds)} s), "
            f"{fmt_number(m.mib_per_second(corpus_bytes))} MiB/s, "
            f"peak RSS {fmt_number(m.rss_mib)} MiB (process tree, sampled: {fmt_number(m.tree_rss_mib)} MiB); "
            f"{m.detail}"
        )
    return lines


def notes(results: dict[str, Measurement]) -> list[str]:
    lines = []
    for m in results.values():
        if m.name.startswith("ccusage"):
            continue
        if not m.ok:
            lines.append(f"- {m.name}: {'skipped' if m.skipped else 'failed'} ({m.failure()})")
        elif m.detail:
            lines.append(f"- {m.name}: {m.detail}")
        if m.ok and m.tree_rss_mib is not None and m.rss_mib and m.tree_rss_mib > 1.1 * m.rss_mib:
            lines.append(f"- {m.name}: the process tree peaked at {fmt_number(m.tree_rss_mib)} MiB (sampled)")
    return lines


def corpus_line(manifest: JsonObj, generated: bool) -> str:
    stats, expected = manifest["stats"], manifest["expected"]
    agents = stats["nested_agent_files"] + stats["flat_agent_files"]
    made = (
        f"generated in {manifest['generationSeconds']} s ({manifest['generationMBps']} MiB/s)"
        if generated
        else f"reused (generation took {manifest['generationSeconds']} s)"
    )
    return (
        f"Corpus: {stats['files']} transcripts ({agents} subagent files), "
        f"{stats['jsonl_bytes'] / MIB:,.1f} MiB, {stats['lines']:,} lines, {expected['responses']:,} responses, "
        f"largest file {stats['largest_file_bytes'] / MIB:,.1f} MiB; {made}."
    )


def ccdeck_version() -> str:
    try:
        return importlib.metadata.version("ccdeck")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def render_section(
    args: argparse.Namespace, results: dict[str, Measurement], manifest: JsonObj, generated: bool
) -> str:
    command = f"python -m bench.run --size-mb {args.size_mb:g} --max-file-mb {args.max_file_mb:g} --seed {args.seed}"
    table = markdown_table(
        ["Figure", "ccdeck", "ccusage", "ccdeck/ccusage", "Target", "Met"],
        table_rows(results, manifest["stats"]["jsonl_bytes"]),
    )
    parts = [
        f"## Scan and report, {args.size_mb:g} MiB corpus",
        f"`{command}` — ccdeck {ccdeck_version()} against ccusage {CCUSAGE_VERSION} (`{' '.join(CCUSAGE_ARGS)}`).",
        corpus_line(manifest, generated),
        table,
        "\n".join(ccusage_lines(results, manifest["stats"]["jsonl_bytes"]) + notes(results)),
        machine_line(),
    ]
    return "\n\n".join(part for part in parts if part)


# -- main -------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=float, default=1024.0, help="corpus size in MiB (default 1024)")
    parser.add_argument("--max-file-mb", type=float, default=200.0, help="largest transcript, MiB (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the corpus and the database in bench/out/")
    parser.add_argument("--report-runs", type=int, default=5, help="runs of `usage daily` (median)")
    parser.add_argument("--ccusage-runs", type=int, default=5, help="runs of ccusage (median)")
    parser.add_argument("--skip-ccdeck", action="store_true", help="measure ccusage only")
    parser.add_argument("--skip-ccusage", action="store_true", help="measure ccdeck only")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS_FILE.name}")
    parser.add_argument("--ccdeck", type=Path, default=VENV_BIN / "ccdeck", help="ccdeck executable")
    return parser.parse_args(argv)


def skipped(name: str, reason: str) -> Measurement:
    return Measurement(name, error=reason, skipped=True)


def run_ccusage(bench: Bench, skip: bool) -> dict[str, Measurement]:
    if skip:
        return {"ccusage_npx": skipped("ccusage via npx", "--skip-ccusage")}
    npm = npm_settings()
    env = ccusage_env(bench, npm)
    try:
        warm = warm_up_npx(env)
    except FileNotFoundError as error:
        return {"ccusage_npx": Measurement("ccusage via npx", error=str(error))}
    if not warm.ok:
        return {"ccusage_npx": Measurement("ccusage via npx", error=f"npx warm-up failed: {warm.failure()}")}
    results = {"ccusage_npx": measure_ccusage(bench, "ccusage via npx", npx_argv(), env)}
    native = find_native_ccusage(npm.get("npm_config_cache"))
    if native is not None:
        results["ccusage_native"] = measure_ccusage(bench, "ccusage native", [str(native), *CCUSAGE_ARGS], env)
    return results


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


def cleanup(bench: Bench, keep: bool, generated: bool) -> None:
    if keep:
        return
    remove_db(bench.db)
    if generated:
        shutil.rmtree(bench.corpus, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    params = synthetic.Params(args.size_mb, args.max_file_mb, args.seed)
    corpus, manifest, generated = ensure_corpus(params)
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
    section = render_section(args, results, manifest, generated)
    print(section)
    if not args.no_results:
        update_results_section(f"scan-{corpus.name}", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
