"""The figures of `bench.live_signals`: what each part measured, its targets, and its section of RESULTS.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from bench.common import ccdeck_version
from bench.live_registry_hooks import Signals
from bench.measure import percentile
from bench.table import machine_line, markdown_table, ms, section, verdict

TARGET_REGISTRY_P99_MS = 300.0
AIM_REGISTRY_P99_MS = 100.0
TARGET_HOOK_P99_MS = 100.0
TARGET_APPEND_P99_MS = 250.0

SESSIONS = 40  # small sessions in the config dir: enough for a realistic snapshot, a catch-up of well under 1 s


@dataclass
class AppendFigures:
    first: list[float] = field(default_factory=list)  # the first line after each start, every client
    rest: list[float] = field(default_factory=list)
    lost_first: int = 0
    lost_rest: int = 0
    restarts: int = 0
    lines: int = 0


@dataclass
class Figures:
    registry: Signals | None = None
    hooks: Signals | None = None
    appends: AppendFigures | None = None
    load: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def met(values: list[float], target_ms: float, lost: int) -> str:
    return verdict(bool(values) and lost == 0 and percentile(values, 99) <= target_ms / 1000)


def rows_for(
    label: str, values: list[float], lost: int, target_ms: float, aim_ms: float | None = None
) -> list[list[str]]:
    if not values:
        return [[label, "n/a (no message received)", f"p99 ≤ {target_ms:g} ms", "**no**"]]
    p50, p99 = percentile(values, 50), percentile(values, 99)
    aim = f" (aim ≤ {aim_ms:g})" if aim_ms else ""
    aim_met = "" if not aim_ms else (", aim met" if p99 <= aim_ms / 1000 else ", aim not met")
    return [
        [f"{label}: p50 / p99 / max, ms", f"{ms(p50)} / {ms(p99)} / {ms(max(values))}", f"p99 ≤ {target_ms:g} ms{aim}",
         met(values, target_ms, lost) + aim_met],
        ["… messages lost", f"{lost:,} of {len(values) + lost:,}", "0", verdict(lost == 0)],
    ]  # fmt: skip


def render(args: argparse.Namespace, figures: Figures) -> str:
    rows: list[list[str]] = []
    n = args.clients
    if figures.registry is not None:
        r = figures.registry
        rows += rows_for(f"Registry change (temp + rename) → `session.state`, {n} clients × {r.given}", r.values(),
                         r.lost(), TARGET_REGISTRY_P99_MS, AIM_REGISTRY_P99_MS)  # fmt: skip
    if figures.hooks is not None:
        h = figures.hooks
        rows += rows_for(f"Hook POST → `session.state`, {n} clients × {h.given}", h.values(), h.lost(),
                         TARGET_HOOK_P99_MS)  # fmt: skip
    if figures.appends is not None:
        a = figures.appends
        rows += rows_for(f"First appended line after start → message, {n} clients × {a.restarts} starts", a.first,
                         a.lost_first, TARGET_APPEND_P99_MS)  # fmt: skip
        rows += rows_for(f"Later appended lines → message, {n} clients × {a.restarts * (a.lines - 1)}", a.rest,
                         a.lost_rest, TARGET_APPEND_P99_MS)  # fmt: skip
        rows += rows_for("All appended lines, the first ones included", a.first + a.rest, a.lost_first + a.lost_rest,
                         TARGET_APPEND_P99_MS)  # fmt: skip
    command = (f"python -m bench.live_signals --clients {n} --changes {args.changes} --restarts {args.restarts} "
               f"--lines {args.lines}")  # fmt: skip
    loads = ", ".join(f"{name} {value:.2f}" for name, value in figures.load.items())
    notes = [f"- error: {e}" for e in figures.errors] + [f"- load average (1 min) at the start of each part: {loads}"]
    return section(
        f"## Live signals: registry, hooks, appended lines → {n} WebSocket clients (ccdeck {ccdeck_version()})",
        f"`{command}` — `ccdeck serve` as a child process on 127.0.0.1 over {SESSIONS} small generated sessions, "
        "fresh database, default settings. Each figure is over every (signal, client) pair: from just after the "
        "rename, just before the POST, just after the appended line's flush, to the client's receipt.",
        markdown_table(["Figure", "Value", "Target", "Met"], rows),
        "\n".join(notes),
        machine_line(),
    )
