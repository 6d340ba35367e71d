"""The figures of `bench.run`: its targets, its table and its section of RESULTS.md."""

from __future__ import annotations

import argparse
from typing import Any

from bench.ccusage import CCUSAGE_VERSION
from bench.common import ccdeck_version
from bench.corpus import corpus_line
from bench.measure import Measurement
from bench.table import (
    fmt_number,
    fmt_ratio,
    fmt_seconds,
    machine_line,
    markdown_table,
    seconds_cell,
    section,
    verdict,
    within,
)

JsonObj = dict[str, Any]

CCUSAGE_ARGS = ("session", "--json", "--offline")

TARGET_COLD_RATIO = 2.0  # cold scan no slower than 2x ccusage
TARGET_RESCAN_SECONDS = 0.2
TARGET_REPORT_SECONDS = 0.1
TARGET_RSS_MIB = 200.0


def reference_ccusage(results: dict[str, Measurement]) -> Measurement:
    """The native binary when it could be run directly, else the npx call (which adds npm's start-up)."""
    native = results.get("ccusage_native")
    return native if native is not None and native.ok else results["ccusage_npx"]


def target_row(label: str, m: Measurement, target: str, limit: float) -> list[str]:
    """A ccdeck figure with no ccusage counterpart, against its limit."""
    return [label, seconds_cell(m), "—", "—", target, verdict(within(m.seconds, limit))]


def table_rows(results: dict[str, Measurement], corpus_bytes: int) -> list[list[str]]:
    cold, ref = results["cold"], reference_ccusage(results)
    ccdeck_all = [m for key, m in results.items() if not key.startswith("ccusage") and m.ok]
    peak = max((m.rss_mib or 0.0 for m in ccdeck_all), default=None)
    cold_limit = ref.seconds * TARGET_COLD_RATIO if ref.seconds is not None else None
    rss_target = f"≤ {TARGET_RSS_MIB:g} MiB"
    ours, theirs = cold.mib_per_second(corpus_bytes), ref.mib_per_second(corpus_bytes)
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
        ["Cold scan throughput, MiB/s", fmt_number(ours), fmt_number(theirs), fmt_ratio(ours, theirs), "—", ""],
        [
            "Cold scan peak RSS, MiB",
            fmt_number(cold.rss_mib),
            fmt_number(ref.rss_mib),
            fmt_ratio(cold.rss_mib, ref.rss_mib),
            rss_target,
            verdict(within(cold.rss_mib, TARGET_RSS_MIB)),
        ],
        target_row(
            "Re-scan, nothing new, s", results["rescan"], f"≤ {TARGET_RESCAN_SECONDS:g} s", TARGET_RESCAN_SECONDS
        ),
        ["Re-scan after appending 1 assistant line, s", seconds_cell(results["append"]), "—", "—", "—", ""],
        target_row(
            "`usage daily --json --no-scan` (median), s",
            results["report"],
            f"≤ {TARGET_REPORT_SECONDS:g} s",
            TARGET_REPORT_SECONDS,
        ),
        [
            "Peak RSS over all ccdeck runs, MiB",
            fmt_number(peak),
            "—",
            "—",
            rss_target,
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
            lines.append(f"- ccusage {label}: {m.status()} ({m.failure()})")
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
            lines.append(f"- {m.name}: {m.status()} ({m.failure()})")
        elif m.detail:
            lines.append(f"- {m.name}: {m.detail}")
        if m.ok and m.tree_rss_mib is not None and m.rss_mib and m.tree_rss_mib > 1.1 * m.rss_mib:
            lines.append(f"- {m.name}: the process tree peaked at {fmt_number(m.tree_rss_mib)} MiB (sampled)")
    return lines


def render_section(
    args: argparse.Namespace, results: dict[str, Measurement], manifest: JsonObj, generated: bool
) -> str:
    command = f"python -m bench.run --size-mb {args.size_mb:g} --max-file-mb {args.max_file_mb:g} --seed {args.seed}"
    table = markdown_table(
        ["Figure", "ccdeck", "ccusage", "ccdeck/ccusage", "Target", "Met"],
        table_rows(results, manifest["stats"]["jsonl_bytes"]),
    )
    return section(
        f"## Scan and report, {args.size_mb:g} MiB corpus",
        f"`{command}` — ccdeck {ccdeck_version()} against ccusage {CCUSAGE_VERSION} (`{' '.join(CCUSAGE_ARGS)}`).",
        corpus_line(manifest, generated),
        table,
        "\n".join(ccusage_lines(results, manifest["stats"]["jsonl_bytes"]) + notes(results)),
        machine_line(),
    )
