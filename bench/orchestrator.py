"""Orchestrator benchmark: what `ccdeck run` itself costs while it runs many headless Claude Code sessions.

    .venv/bin/python -m bench.orchestrator [--tasks 50] [--max-parallel 8] [--stagger 0.1] [--no-results]

N tasks, each writing one file with the Write tool (two model calls), run by the real pinned Claude Code CLI
(`make claude-cli`) against the test suite's fake Messages API on 127.0.0.1, by one foreground
`ccdeck run --json` child process. Measured:

- the supervisor's own overhead per task, in wall time: how long a freed slot waits for the next task's process
  (hand-off), plus ccdeck's time inside each task before its process started (spawn) and after its exit was seen
  (drain: rest of stdout, group check, the row written); also the idle slot time per task,
  (max-parallel x wall - sum of task times) / tasks, an upper bound that includes the ramp-up and the tail;
- the supervisor process's own CPU time (user + system, its children excluded) and its peak RSS, sampled every
  20 ms; the CLIs' CPU time for comparison. A one-task run first gives the fixed part (interpreter, imports,
  store, price table), so the CPU per task is the marginal one: (CPU of N tasks - CPU of 1) / (N - 1);
- the most CLI processes and model calls at once (never above max-parallel).
"""

from __future__ import annotations

import argparse
import heapq
import json
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from bench.common import MIB, OUT_DIR, VENV_BIN, publish
from bench.table import fmt_number, fmt_seconds, machine_line, markdown_table
from fakeapi import ClaudeSandbox, FakeApi, find_claude_bin

SAMPLE_SECONDS = 0.02


@dataclass
class Sample:
    """What sampling the `ccdeck run` process saw."""

    own_cpu: float = 0.0  # user + system of the supervisor process itself (its threads included)
    children_cpu: float = 0.0  # of its children it has waited for: the CLIs
    peak_rss: int = 0
    most_children: int = 0


def sample(proc: psutil.Popen, into: Sample, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            times = proc.cpu_times()
            into.own_cpu = times.user + times.system
            into.children_cpu = times.children_user + times.children_system
            into.peak_rss = max(into.peak_rss, proc.memory_info().rss)
            into.most_children = max(into.most_children, len(proc.children()))
        except psutil.Error:
            return  # exited between two samples: the last sample stands
        stop.wait(SAMPLE_SECONDS)


def run_ccdeck(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[dict[str, Any], float, float, Sample]:
    """(run JSON, seconds from spawn to exit, spawn time, what sampling saw)."""
    seen, stop = Sample(), threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_wall, started = time.time(), time.perf_counter()
        proc = psutil.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err)
        sampler = threading.Thread(target=sample, args=(proc, seen, stop), daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        if code not in (0, 1):
            raise SystemExit(f"ccdeck run failed with {code}: {err.read().decode(errors='replace')[-2000:]}")
        return json.loads(out.read())["run"], seconds, started_wall, seen


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def hand_offs(tasks: list[dict[str, Any]], slots: int) -> list[float]:
    """For each task that waited for a slot: seconds from the slot being freed to the task's start."""
    finishing: list[float] = []
    gaps = []
    for task in sorted(tasks, key=lambda t: ts(t["startedAt"])):
        start = ts(task["startedAt"])
        if len(finishing) == slots:
            freed = heapq.heappop(finishing)
            gaps.append(max(0.0, start - freed))
        heapq.heappush(finishing, ts(task["finishedAt"]))
    return gaps


def figures(
    run: dict[str, Any], seconds: float, spawned: float, seen: Sample, slots: int, api: FakeApi, baseline: Sample
) -> list[tuple[str, str]]:
    tasks = run["tasks"]
    n = len(tasks)
    attempts = [a for t in tasks for a in t["attempts"]]
    spawn = [a["spawnSeconds"] for a in attempts if a.get("spawnSeconds") is not None]
    drain = [a["drainSeconds"] for a in attempts if a.get("drainSeconds") is not None]
    gaps = hand_offs(tasks, slots)
    per_task = (sum(gaps) + sum(spawn) + sum(drain)) / n
    idle = (slots * run["wallSeconds"] - run["sumTaskSeconds"]) / n
    succeeded = sum(t["status"] == "succeeded" for t in tasks)
    return [
        ("Tasks succeeded", f"{succeeded} / {n}"),
        ("`ccdeck run` from spawn to exit, s", fmt_seconds(seconds)),
        ("… of which start-up (imports, store, `claude --version`) before the run starts, s",
         fmt_seconds(ts(run["startedAt"]) - spawned)),
        ("Run wall time, s", fmt_seconds(run["wallSeconds"])),
        ("Sum of task times, s", fmt_seconds(run["sumTaskSeconds"])),
        ("Speed-up (sum / wall)", f"{run['speedup']:.2f}×"),
        ("**Supervisor overhead per task (hand-off + spawn + drain), ms**", f"**{per_task * 1000:.1f}**"),
        ("… hand-off: slot freed → next task started, mean / max, ms",
         f"{statistics.fmean(gaps) * 1000:.1f} / {max(gaps) * 1000:.1f}" if gaps else "—"),
        ("… spawn: task started → its process forked and exec'd, mean, ms", f"{statistics.fmean(spawn) * 1000:.1f}"),
        ("… drain: exit seen → task recorded, mean, ms", f"{statistics.fmean(drain) * 1000:.1f}"),
        ("Idle slot time per task, (slots × wall − sum) / tasks, s (upper bound: ramp-up and tail included)",
         fmt_seconds(idle)),
        ("**Supervisor CPU (user + system, children excluded), s**", f"**{seen.own_cpu:.2f}**"),
        ("… fixed: the same command with one task, s", f"{baseline.own_cpu:.2f}"),
        ("**… per task, (CPU − fixed) / (tasks − 1), ms**",
         f"**{(seen.own_cpu - baseline.own_cpu) / max(1, n - 1) * 1000:.1f}**"),
        ("CPU of the Claude Code CLIs it ran, s", fmt_number(seen.children_cpu, 1)),
        ("**Supervisor peak RSS, MiB**", f"**{seen.peak_rss / MIB:.1f}**"),
        ("Most CLI processes at once (sampled) / model calls at once (fake API)",
         f"{seen.most_children} / {api.max_in_flight}"),
        ("Cost reported by the CLIs, USD (fake API, list prices)", f"{run['costUSD']:.4f}"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--max-parallel", type=int, default=8)
    parser.add_argument("--stagger", type=float, default=0.1)
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    claude = find_claude_bin()
    if claude is None:
        raise SystemExit("the pinned Claude Code CLI is missing: run `make claude-cli`")
    work = OUT_DIR / "orchestrator"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tasks = [
        {"id": f"t{i:03d}", "prompt": f"Write it. [[fake:write_file:out/t{i:03d}.txt]]"} for i in range(args.tasks)
    ]
    (work / "tasks.json").write_text(json.dumps(tasks))
    (work / "one.json").write_text(json.dumps(tasks[:1]))
    with FakeApi() as api:
        sandbox = ClaudeSandbox.create(work / "sandbox")
        try:
            env = sandbox.env(api.base_url, {"COLUMNS": None})
            env.update(CCDECK_CLAUDE_BIN=str(claude), CCDECK_DB=str(work / "data" / "ccdeck.db"))
            command = [str(VENV_BIN / "ccdeck"), "run", "TASKS", "--max-parallel", str(args.max_parallel),
                       "--stagger", str(args.stagger), "--json"]  # fmt: skip
            *_, baseline = run_ccdeck(
                [str(work / "one.json") if a == "TASKS" else a for a in command], env, sandbox.cwd
            )
            api.reset()
            run, seconds, spawned, seen = run_ccdeck(
                [str(work / "tasks.json") if a == "TASKS" else a for a in command], env, sandbox.cwd
            )
            rows = figures(run, seconds, spawned, seen, args.max_parallel, api, baseline)
        finally:
            sandbox.cleanup()
    body = "\n\n".join([
        f"## Orchestrator, {args.tasks} tasks at max-parallel {args.max_parallel}",
        f"`python -m bench.orchestrator --tasks {args.tasks} --max-parallel {args.max_parallel} --stagger "
        f"{args.stagger}` — one foreground `ccdeck run --json`; each task writes one file with the Write tool "
        f"(two model calls) through Claude Code {run['claudeVersion']} against the fake Messages API on 127.0.0.1.",
        markdown_table(("Figure", "Value"), rows),
        "Hand-off, spawn and drain are the supervisor's share of the wall time; everything else is the CLIs' own "
        "work (on a small machine, mostly their start-up). The CPU and RSS figures are of the `ccdeck run` process "
        "alone, sampled every 20 ms.",
        machine_line(),
    ])  # fmt: skip
    publish(f"orchestrator-{args.tasks}tasks-p{args.max_parallel}", body, not args.no_results)


if __name__ == "__main__":
    main()
