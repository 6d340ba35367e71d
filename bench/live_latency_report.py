"""The figures of `bench.live_latency`: what each part measured, its targets, and its section of RESULTS.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from bench.common import MIB, ccdeck_version
from bench.live_api import ApiFigures, api_variants
from bench.live_push import PushFigures
from bench.measure import percentile
from bench.table import fmt_number, machine_line, markdown_table, ms, section, verdict

TARGET_PUSH_P99_MS = 250.0
AIM_PUSH_P99_MS = 100.0
TARGET_API_P95_MS = 50.0
TARGET_RSS_MIB = 150.0


@dataclass
class StoreFigures:
    """The many-sessions server: its catch-up, memory, API and push figures."""

    sessions: int
    corpus_bytes: int = 0
    generated: bool = False
    catch_up_seconds: float | None = None
    rss_mib: float | None = None
    api: ApiFigures = field(default_factory=ApiFigures)
    push: PushFigures = field(default_factory=PushFigures)
    load: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RssFigures:
    corpus_line: str = ""
    catch_up_seconds: float | None = None
    rss_mib: float | None = None
    uss_mib: float | None = None
    peak_mib: float | None = None
    load: float | None = None
    error: str | None = None
    skipped: bool = False


def push_rows(push: PushFigures, error: str | None) -> list[list[str]]:
    label = f"Push latency, {push.clients} clients × {push.appends} lines = {push.pairs:,} pairs, ms"
    if not push.latencies:
        reason = error or "no message received"
        return [[label, f"n/a ({reason})", f"p99 ≤ {TARGET_PUSH_P99_MS:g} ms", "n/a"]]
    p50, p95, p99 = (percentile(push.latencies, p) for p in (50, 95, 99))
    worst = max(push.latencies) if not push.lost else None
    aim = "aim met" if p99 <= AIM_PUSH_P99_MS / 1000 else f"aim ≤ {AIM_PUSH_P99_MS:g} ms not met"
    p99_met = p99 <= TARGET_PUSH_P99_MS / 1000
    return [
        [f"{label}: p50", ms(p50), "—", ""],
        ["Push latency p95, ms", ms(p95), "—", ""],
        [
            "Push latency p99, ms",
            ms(p99),
            f"≤ {TARGET_PUSH_P99_MS:g} ms (aim ≤ {AIM_PUSH_P99_MS:g})",
            f"{verdict(p99_met)} ({aim})",
        ],
        ["Push latency max, ms", ms(worst) if worst is not None else "∞ (lost messages)", "—", ""],
        ["Messages lost (pairs with no message)", f"{push.lost:,} of {push.pairs:,}", "0", verdict(push.lost == 0)],
    ]


def api_rows(store: StoreFigures) -> list[list[str]]:
    rows = []
    target = f"p95 ≤ {TARGET_API_P95_MS:g} ms"
    for name in api_variants():
        samples = store.api.samples.get(name)
        label = f"{name}, {store.sessions:,} sessions, p50 / p95, ms"
        if not samples:
            rows.append([label, f"n/a ({store.error or 'not measured'})", target, "n/a"])
            continue
        p95 = percentile(samples, 95)
        rows.append(
            [label, f"{ms(percentile(samples, 50))} / {ms(p95)}", target, verdict(p95 <= TARGET_API_P95_MS / 1000)]
        )
    return rows


def rss_rows(rss: RssFigures, size_mb: float) -> list[list[str]]:
    if rss.skipped:
        return []
    label = f"Server RSS after the catch-up scan of the {size_mb:g} MiB corpus, MiB"
    target = f"≤ {TARGET_RSS_MIB:g} MiB"
    if rss.rss_mib is None:
        return [[label, f"n/a ({rss.error or 'not measured'})", target, "n/a"]]
    return [
        [label, fmt_number(rss.rss_mib), target, verdict(rss.rss_mib <= TARGET_RSS_MIB)],
        ["Server peak RSS during that catch-up (sampled), MiB", fmt_number(rss.peak_mib), "—", ""],
        ["Catch-up scan of that corpus by `serve`, s", fmt_number(rss.catch_up_seconds), "—", ""],
    ]


def store_rows(store: StoreFigures) -> list[list[str]]:
    return [
        [
            f"Catch-up scan of {store.sessions:,} small sessions by `serve`, s",
            fmt_number(store.catch_up_seconds),
            "—",
            "",
        ],
        [f"Server RSS with {store.sessions:,} sessions, MiB", fmt_number(store.rss_mib), "—", ""],
    ]


def notes(store: StoreFigures, rss: RssFigures) -> list[str]:
    push = store.push
    errors = [store.error, None if rss.skipped else rss.error]
    lines = [f"- error: {e}" for e in errors if e]
    if push.pairs:
        kinds = ", ".join(f"{k} {n:,}" for k, n in push.first_kind.most_common())
        lines.append(f"- push: {push.messages:,} WebSocket messages received in all; first message per pair: {kinds}")
        lines.append(
            f"- push: pairs without a `usage.point` {push.without_point:,}; duplicate `usage.point` {push.duplicates:,}"
        )
        lines.append(
            f"- push: clients closed by the server during the run: {len(push.closed)}"
            + (f" ({next(iter(push.closed.values()))})" if push.closed else "")
        )
    for name, total in store.api.matched.items():
        lines.append(f"- {name}: {total:,} matching sessions, {len(store.api.samples[name])} timed requests")
    loads = [f"{k} {v:.2f}" for k, v in store.load.items()] + ([f"rss {rss.load:.2f}"] if rss.load is not None else [])
    lines.append("- load average (1 min) at the start of each part: " + ", ".join(loads))
    if rss.uss_mib is not None:
        lines.append(f"- server USS (memory it alone holds) after the catch-up: {rss.uss_mib:,.1f} MiB")
    return lines


def render_section(args: argparse.Namespace, store: StoreFigures, rss: RssFigures) -> str:
    command = (
        f"python -m bench.live_latency --clients {args.clients} --appends {args.appends} "
        f"--sessions {args.sessions} --size-mb {args.size_mb:g}"
    )
    small = "generated" if store.generated else "reused"
    rows = push_rows(store.push, store.error) + api_rows(store) + store_rows(store) + rss_rows(rss, args.size_mb)
    return section(
        f"## Live server: push latency, `/api/sessions` latency, RSS (ccdeck {ccdeck_version()})",
        f"`{command}` — `ccdeck serve` as a child process on 127.0.0.1, fresh database, default settings.",
        f"Store: {store.sessions:,} small sessions ({store.corpus_bytes / MIB:,.1f} MiB, {small}); lines appended "
        f"to {store.push.transcripts} of them. {rss.corpus_line}",
        markdown_table(["Figure", "Value", "Target", "Met"], rows),
        "\n".join(notes(store, rss)),
        machine_line(),
    )
