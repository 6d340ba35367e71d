"""Launch commands' own latency: `ccdeck status RUN` on a 10,000-task run, and `ccdeck run --detach` until it
prints the run's id.

    .venv/bin/python -m bench.run_status [--tasks 10000] [--runs 7] [--table-runs 3] [--detach-runs 7]
                                         [--ccdeck PATH] [--no-results]

The run is written straight into a fresh store (finished tasks with a 2 KB prompt, tokens, a result and the cache
saving a supervisor records each; a third of them still queued), so no Claude Code runs. `status RUN --json` and
`status RUN` (the table) run as child processes, median of `--runs` / `--table-runs`. `run --detach` gets a
two-task file and a stand-in `claude` (a shell script that prints a version, and fails any task at once): the
figure is the command's wall time, which ends just after the id is printed; each supervisor is waited for before
the next start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from bench.common import OUT_DIR, VENV_BIN, isolated_env, publish
from bench.measure import ChildResult, Measurement, run_child, run_repeated
from bench.table import load_1min, machine_line, markdown_table

TARGET_SECONDS = 0.5
FAKE_CLAUDE = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "2.1.330 (Claude Code)"; exit 0; fi
echo "stand-in claude: no model here" >&2
exit 1
"""


def make_run(db: Path, tasks: int) -> str:
    from ccdeck.orchestrator.report import task_cache_saving_json
    from ccdeck.store import runs as q
    from ccdeck.store.store import Store

    now = time.time()
    run = {"id": "bench-10k", "created_at": now - 3600, "started_at": now - 3500, "finished_at": now - 10,
           "status": "finished", "options": json.dumps({"max_parallel": 8}), "claude_bin": "/bin/claude",
           "claude_version": "2.1.330", "log_dir": str(db.parent / "runs" / "bench-10k"), "detached": True}  # fmt: skip
    rows = []
    for i in range(tasks):
        done = i % 3 != 2
        usage = {"claude-sonnet-4-5-20250929": {"inputTokens": 100 + i, "outputTokens": 200, "cacheReadTokens": 4000,
                 "cacheCreationTokens": 300, "totalTokens": 4600 + i, "costUSD": 0.0123}}  # fmt: skip
        rows.append({
            "run_id": run["id"], "task_id": f"t{i:05d}", "position": i, "cwd": "/w", "attempt": 1 if done else 0,
            "spec": json.dumps({"id": f"t{i:05d}", "prompt": f"Task {i}. " + "x" * 2000, "cwd": "/w"}),
            "status": "succeeded" if done else "queued", "session_id": f"s-{i}" if done else None,
            "attempts": json.dumps([{"attempt": 1, "pid": 1000 + i, "spawnSeconds": 0.01}] if done else []),
            "exit_code": 0 if done else None, "started_at": now - 3000 + i * 0.1 if done else None,
            "finished_at": now - 2990 + i * 0.1 if done else None, "seconds": 10.0 if done else None,
            "num_turns": 3 if done else None, "cost_usd": 0.0123 if done else None,
            "model_usage": json.dumps(usage if done else {}), "result": "Done: wrote the file." if done else None,
            "cache_saving": task_cache_saving_json(usage, now - 2990 + i * 0.1) if done else None,
            "files_changed": '["out/a.txt"]' if done else "[]", "last_tool": "Write: out/a.txt" if done else None,
        })  # fmt: skip
    with Store.open(db) as store:
        store.write(lambda c: q.insert_run(c, run, rows))
    return str(run["id"])


def timed(argv: list[str], env: dict[str, str], runs: int) -> list[ChildResult]:
    """``runs`` runs of argv; the benchmark stops at the first failure."""
    results = run_repeated(argv, runs, env)
    if results and not results[-1].ok:
        raise SystemExit(f"{' '.join(argv[:4])}: {results[-1].failure()}")
    return results


def wait_finished(ccdeck: str, env: dict[str, str], run_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = run_child([ccdeck, "status", run_id, "--json"], env).json()["runs"][0]
        if run["status"] in ("finished", "stopped", "interrupted"):
            return
        time.sleep(0.2)
    raise SystemExit(f"run {run_id} did not end")


def load() -> str:
    return f"{load_1min():.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--table-runs", type=int, default=3)
    parser.add_argument("--detach-runs", type=int, default=7)
    parser.add_argument("--ccdeck", default=str(VENV_BIN / "ccdeck"))
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    work = OUT_DIR / "run-status"
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    db = work / "data" / "ccdeck.db"
    fake = work / "claude"
    fake.write_text(FAKE_CLAUDE)
    fake.chmod(0o755)
    env = isolated_env(OUT_DIR / "home", {"CCDECK_DB": str(db), "CCDECK_CLAUDE_BIN": str(fake)})
    run_id = make_run(db, args.tasks)
    loads = {"start": load()}

    status_json = timed([args.ccdeck, "status", run_id, "--json"], env, args.runs)
    shown = status_json[0].json()["runs"][0]
    assert len(shown["tasks"]) == args.tasks, "status did not list every task"
    loads["status --json"] = load()
    table = timed([args.ccdeck, "status", run_id], env, args.table_runs) if args.table_runs else []
    loads["status table"] = load()

    tasks_file = work / "tasks.json"
    tasks_file.write_text(json.dumps([{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y"}]))
    detach: list[ChildResult] = []
    for _ in range(args.detach_runs):
        result = run_child([args.ccdeck, "run", str(tasks_file), "--detach", "--stagger", "0"], env)
        if not result.ok:
            raise SystemExit(f"run --detach: {result.failure()}")
        detach.append(result)
        wait_finished(args.ccdeck, env, result.stdout.decode().strip())
    loads["run --detach"] = load()

    def row(name: str, results: list[ChildResult], target: bool) -> list[str]:
        if not results:
            return [name, "—", "—", "—", "—", ""]
        measured = Measurement(name, results)
        wall, cpu = measured.seconds or 0.0, measured.cpu_seconds or 0.0
        spread = f"{min(r.seconds for r in results):.3f}–{max(r.seconds for r in results):.3f}"
        met = ("yes" if wall <= TARGET_SECONDS else "**no**") if target else ""
        return [name, f"{wall:.3f}", spread, f"{cpu:.3f}", f"≤ {TARGET_SECONDS} s" if target else "—", met]

    rows = [
        row(f"`status RUN --json`, {args.tasks:,} tasks (median of {len(status_json)})", status_json, True),
        row(f"`status RUN` table, {args.tasks:,} tasks (median of {len(table)})", table, False),
        row(f"`run --detach` until the id is printed (median of {len(detach)})", detach, True),
    ]
    body = "\n\n".join([
        f"## Launch commands: `status` of a {args.tasks:,}-task run, `run --detach` time to id",
        f"`python -m bench.run_status --tasks {args.tasks} --runs {args.runs} --table-runs {args.table_runs} "
        f"--detach-runs {args.detach_runs}` — each command a child process; wall time from spawn to exit, "
        "Python start-up and imports included; CPU is user + system of the process and its children.",
        markdown_table(("Command", "Wall median, s", "Wall min–max, s", "CPU median, s", "Target", "Met"), rows),
        f"`status --json` output: {len(status_json[0].stdout) / (1 << 20):.1f} MiB. Load average (1 min) at the "
        "start and after each part: " + ", ".join(f"{k} {v}" for k, v in loads.items())
        + f"; `nproc` {os.cpu_count()}.",
        machine_line(),
    ])  # fmt: skip
    publish(f"run-status-{args.tasks}tasks", body, not args.no_results)


if __name__ == "__main__":
    main()
