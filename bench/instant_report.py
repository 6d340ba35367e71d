"""The figures of `bench.instant`: its targets, its table and its section of RESULTS.md."""

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
from bench.totals import tokens_of

JsonObj = dict[str, Any]

TARGET_STARTUP_S = 0.100
TARGET_STATUSLINE_S = 0.050
TARGET_WARM_RATIO, AIM_WARM_RATIO, TARGET_WARM_S = 0.2, 0.1, 0.250
TARGET_COLD_RATIO, AIM_COLD_RATIO = 2.0, 1.0
TARGET_SCAN_RATIO = 4.0
TARGET_TREE_RSS_MIB = 250.0

CCUSAGE_REPORTS = ("daily", "session", "blocks")
# Each warm report and the ccusage report it is compared with.
WARM_REPORTS = {
    "daily": (("usage", "daily", "--json"), "daily"),
    "session": (("usage", "session", "--json"), "session"),
    "blocks": (("usage", "blocks", "--json"), "blocks"),
    "sessions": (("sessions", "--json"), "session"),
}
NO_SCAN_REPORT = ("usage", "daily", "--json", "--no-scan")  # the warm daily report without the incremental check


# -- the section -----------------------------------------------------------------------------------------------------


def limit_of(ratio: float, reference: Measurement | None, cap: float | None = None) -> float | None:
    """The allowed seconds: ratio times the reference's, at most cap; None when the reference is missing."""
    if reference is None or reference.seconds is None:
        return cap if cap is not None and reference is None else None
    return min(ratio * reference.seconds, cap) if cap is not None else ratio * reference.seconds


HEADERS = ["Figure", "ccdeck, s", "ccusage, s", "ratio", "ccdeck CPU, s", "ccusage CPU, s", "CPU ratio", "Target",
           "Met"]  # fmt: skip


def row(label: str, m: Measurement | None, ref: Measurement | None, target: str, limit: float | None) -> list[str]:
    """Wall-time medians (what the target is about), then CPU-time medians (steadier on a busy machine)."""
    seconds = m.seconds if m is not None else None
    cpu = m.cpu_seconds if m is not None else None
    cells = [label, seconds_cell(m) if m is not None else "—"]
    if ref is None:
        cells += ["—", "—", fmt_seconds(cpu), "—", "—"]
    else:
        cells += [fmt_seconds(ref.seconds), fmt_ratio(seconds, ref.seconds), fmt_seconds(cpu)]
        cells += [fmt_seconds(ref.cpu_seconds), fmt_ratio(cpu, ref.cpu_seconds)]
    return [*cells, target, verdict(within(seconds, limit))]


def table_rows(args: argparse.Namespace, ours: dict[str, Measurement], cc: dict[str, Measurement]) -> list[list[str]]:
    quick = f"median of {args.quick_runs}"
    warm_target = f"≤ {TARGET_WARM_RATIO:g}× ccusage (aim {AIM_WARM_RATIO:g}×) and ≤ {TARGET_WARM_S:g} s"
    rows = [
        row(f"`--version` ({quick})", ours.get("version"), None, f"≤ {TARGET_STARTUP_S:g} s", TARGET_STARTUP_S),
        row(f"`--help` ({quick})", ours.get("help"), None, f"≤ {TARGET_STARTUP_S:g} s", TARGET_STARTUP_S),
        row(
            f"`statusline` ({quick})", ours.get("statusline"), None, f"≤ {TARGET_STATUSLINE_S:g} s", TARGET_STATUSLINE_S
        ),
    ]
    for key, (command, theirs) in WARM_REPORTS.items():
        ref = cc.get(theirs)
        label = f"warm `{' '.join(command)}` (median of {args.warm_runs}) vs ccusage `{theirs}`"
        rows.append(row(label, ours.get(key), ref, warm_target, limit_of(TARGET_WARM_RATIO, ref, TARGET_WARM_S)))
    daily = cc.get("daily")
    cold_target = f"≤ {TARGET_COLD_RATIO:g}× ccusage (aim {AIM_COLD_RATIO:g}×)"
    rows.append(
        row(
            "cold `usage daily --json`, empty store, vs ccusage `daily`",
            ours.get("cold_usage"),
            daily,
            cold_target,
            limit_of(TARGET_COLD_RATIO, daily),
        )
    )
    rows.append(
        row(
            "complete `scan`, empty store, vs ccusage `daily`",
            ours.get("cold_scan"),
            daily,
            f"≤ {TARGET_SCAN_RATIO:g}× ccusage",
            limit_of(TARGET_SCAN_RATIO, daily),
        )
    )
    scan = ours.get("cold_scan")
    peak = scan.tree_rss_mib if scan is not None else None
    rows.append(
        [
            "peak RSS of the process tree during the complete scan, MiB (sampled every 20 ms)",
            fmt_number(peak),
            *[""] * 5,
            f"≤ {TARGET_TREE_RSS_MIB:g} MiB",
            verdict(within(peak, TARGET_TREE_RSS_MIB)),
        ]
    )
    return rows


def ccusage_notes(cc: dict[str, Measurement], how: str) -> list[str]:
    lines = []
    for report, m in cc.items():
        if not m.ok:
            lines.append(f"- ccusage `{report}`: {m.status()} ({m.failure()})")
            continue
        lines.append(
            f"- ccusage `{report} --json --offline` ({how}, median of {len(m.runs)}): "
            f"{fmt_seconds(m.seconds)} s, CPU {fmt_seconds(m.cpu_seconds)} s, "
            f"peak RSS {fmt_number(m.rss_mib)} MiB (tree {fmt_number(m.tree_rss_mib)} MiB); {m.detail}"
        )
    return lines


def ccdeck_notes(ours: dict[str, Measurement], cc: dict[str, Measurement]) -> list[str]:
    lines = []
    for key, m in ours.items():
        if not m.ok:
            lines.append(f"- ccdeck `{m.name}`: {m.status()} ({m.failure()})")
        elif m.detail:
            lines.append(f"- ccdeck `{m.name}`: {m.detail}")
        theirs = WARM_REPORTS.get(key, (None, "daily" if key == "cold_usage" else None))[1]
        if m.ok and theirs in cc and cc[theirs].ok and key != "cold_scan":
            same = tokens_of(m) == tokens_of(cc[theirs])
            lines.append(f"  - token totals {'equal' if same else '**differ from**'} ccusage `{theirs}`'s")
    scan = ours.get("cold_scan")
    if scan is not None and scan.ok:
        lines.append(
            f"- complete scan: peak RSS of one process {fmt_number(scan.rss_mib)} MiB (wait4), "
            f"of the whole tree {fmt_number(scan.tree_rss_mib)} MiB (sampled)"
        )
    return lines + where_warm_time_goes(ours)


def where_warm_time_goes(ours: dict[str, Measurement]) -> list[str]:
    """Start-up (`--help`: imports, no work), the report alone (`--no-scan`), and what the incremental check adds."""
    parts = [ours.get(key) for key in ("help", "daily_no_scan", "daily")]
    if not all(m is not None and m.ok for m in parts):
        return []
    wall = [m.seconds or 0.0 for m in parts if m is not None]
    cpu = [m.cpu_seconds or 0.0 for m in parts if m is not None]
    figures = [f"{fmt_seconds(w)} s ({fmt_seconds(c)} s)" for w, c in zip(wall, cpu, strict=True)]
    return [
        f"- where warm `usage daily` goes, wall (CPU): start-up and imports (`--help`) {figures[0]}; the report "
        f"without the incremental check (`--no-scan`) {figures[1]}; with it {figures[2]}: the check of the unchanged "
        f"files adds {fmt_seconds(cpu[2] - cpu[1])} s of CPU ({fmt_seconds(wall[2] - wall[1])} s of wall time)"
    ]


def render_section(
    args: argparse.Namespace,
    manifest: JsonObj,
    results: tuple[dict[str, Measurement], dict[str, Measurement], str],
    generated: bool,
    load_start: float,
) -> str:
    ours, cc, how = results
    size = f"--size-mb {args.size_mb:g} --max-file-mb {args.max_file_mb:g} --seed {args.seed}"
    table = markdown_table(HEADERS, table_rows(args, ours, cc))
    return section(
        f"## Instant targets, {args.size_mb:g} MiB corpus",
        f"`python -m bench.instant {size}` — ccdeck {ccdeck_version()} against ccusage {CCUSAGE_VERSION} "
        f"({how or 'not run'}). Medians of the wall time of the whole process (start-up included), which the targets "
        "are about, and of its CPU time (user + system, children included), steadier when the machine is busy.",
        corpus_line(manifest, generated),
        table,
        "\n".join(ccusage_notes(cc, how) + ccdeck_notes(ours, cc)),
        f"Load average (1 min) at the start: {load_start:.2f}.",
        machine_line(),
    )
