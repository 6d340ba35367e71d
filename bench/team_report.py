"""The figures of `bench.team`: what each part measured, its targets, and its section of RESULTS.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from bench.common import MIB, ccdeck_version
from bench.measure import percentile
from bench.table import fmt_number, fmt_ratio, machine_line, markdown_table, ms, section, verdict

EXACT = "token totals equal the generator's expected totals"


@dataclass
class MachineRun:
    """One machine's `ccdeck scan` into the shared database."""

    machine: str
    returncode: int
    corpus_bytes: int
    errors: list[str] = field(default_factory=list)
    totals: str = ""


@dataclass
class IngestFigures:
    machines: int
    mb_per_machine: float
    seconds: float | None = None
    load: float | None = None
    runs: list[MachineRun] = field(default_factory=list)


@dataclass
class ApiRow:
    """One engine's server over the many-sessions store."""

    engine: str
    sessions: int
    catch_up_seconds: float | None = None
    samples: dict[str, list[float]] = field(default_factory=dict)
    load: float | None = None
    error: str | None = None


def ingest_rows(ingest: IngestFigures | None) -> list[list[str]]:
    if ingest is None:
        return []
    total_mib = sum(run.corpus_bytes for run in ingest.runs) / MIB
    failed = [run for run in ingest.runs if run.returncode != 0]
    errors = [run for run in ingest.runs if run.errors]
    exact = [run for run in ingest.runs if run.totals == EXACT]
    label = f"{ingest.machines} machines × {ingest.mb_per_machine:g} MiB ({total_mib:,.0f} MiB) scanned at once"
    return [
        [f"{label}: total time, s", fmt_number(ingest.seconds), "—", ""],
        ["Scans that failed", f"{len(failed)} of {len(ingest.runs)}", "0", verdict(not failed)],
        ["Scans that printed a lock, deadlock or serialisation error", str(len(errors)), "0", verdict(not errors)],
        ["Machines whose token totals are exact", f"{len(exact)} of {len(ingest.runs)}", "all",
         verdict(len(exact) == len(ingest.runs))],
    ]  # fmt: skip


def api_rows(api: list[ApiRow]) -> list[list[str]]:
    rows: list[list[str]] = []
    p95s: dict[tuple[str, str], float] = {}
    for row in api:
        for path in ("/api/sessions", "/api/summary"):
            label = f"`{path}`, {row.sessions:,} sessions, {row.engine}: p50 / p95, ms"
            samples = row.samples.get(path)
            if not samples:
                rows.append([label, f"n/a ({row.error or 'not measured'})", "—", ""])
                continue
            p95s[(row.engine, path)] = percentile(samples, 95)
            rows.append([label, f"{ms(percentile(samples, 50))} / {ms(p95s[(row.engine, path)])}", "—", ""])
    for path in ("/api/sessions", "/api/summary"):
        pg, lite = p95s.get(("PostgreSQL", path)), p95s.get(("SQLite", path))
        if pg is not None and lite is not None:
            rows.append([f"`{path}` p95, PostgreSQL ÷ SQLite", fmt_ratio(pg, lite), "—", ""])
    for row in api:
        rows.append([f"Catch-up scan of the {row.sessions:,} sessions by `serve` on {row.engine}, s",
                     fmt_number(row.catch_up_seconds), "—", ""])  # fmt: skip
    return rows


def notes(ingest: IngestFigures | None, api: list[ApiRow]) -> list[str]:
    lines: list[str] = []
    for run in ingest.runs if ingest else []:
        if run.returncode != 0 or run.errors or run.totals != EXACT:
            lines.append(f"- {run.machine}: exit {run.returncode}; {run.totals}; " + " / ".join(run.errors))
    lines += [f"- {row.engine}: {row.error}" for row in api if row.error]
    loads = [f"ingest {ingest.load:.2f}"] if ingest and ingest.load is not None else []
    loads += [f"api {row.engine} {row.load:.2f}" for row in api if row.load is not None]
    lines.append("- load average (1 min) at the start of each part: " + ", ".join(loads))
    return lines


def render_section(args: argparse.Namespace, ingest: IngestFigures | None, api: list[ApiRow]) -> str:
    command = (
        f"python -m bench.team --machines {args.machines} --mb-per-machine {args.mb_per_machine:g} "
        f"--sessions {args.sessions} --requests {args.requests}"
    )
    rows = ingest_rows(ingest) + api_rows(api)
    return section(
        f"## Team: many machines into one PostgreSQL (ccdeck {ccdeck_version()})",
        f"`{command}` — a throwaway PostgreSQL 15 cluster on 127.0.0.1 (the tests' `pg_cluster`, with "
        "PostgreSQL's default durability: fsync on); "
        "every `ccdeck` a child process. A line crossing machines is measured by `bench.many_machines`.",
        markdown_table(["Figure", "Value", "Target", "Met"], rows),
        "\n".join(notes(ingest, api)),
        machine_line(),
    )
