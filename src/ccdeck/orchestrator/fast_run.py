"""`ccdeck run TASKS --detach [options]` without the command line's imports (Typer, Rich, SQLAlchemy: most of a
second before any work), dispatched by `ccdeck.entry`: the same options (`run_flags`, the declarations the Typer
command is built from), the same checks (`spec`, `binary`, `plan`), the same rows, written with the standard
library's sqlite3, and the same hand-over to a background supervisor (`launch.hand_over`). It prints the run's id.

Anything it is not sure of goes back to the full command (`main` returns None) before anything is written: an
option it does not know or a value it would not take (the full command prints Typer's usage error), `--json`,
`--help`, tasks on stdin (`-`), a database that is missing or of another schema (the full command creates
or upgrades it) or that holds a run whose supervisor is gone (the full command records it `interrupted`). Errors
in the tasks, the settings or the `claude` binary are ccdeck's own one line and exit 2.
"""

from __future__ import annotations

import math
import sqlite3
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ccdeck import config
from ccdeck.config import Config
from ccdeck.db_target import DbTarget, as_target
from ccdeck.errors import CcdeckError
from ccdeck.orchestrator.liveness import any_gone
from ccdeck.orchestrator.run_flags import FLAGS, RUN_FLAGS
from ccdeck.store import run_queries, run_records
from ccdeck.store.reader import SqliteReader

HANDED_BACK = frozenset({"--json", "--help"})


def parse(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(the tasks argument, {parameter: value}) of `TASKS --detach [options]`; None for any other form."""
    tasks: str | None = None
    values: dict[str, Any] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, equals, given = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        flag = FLAGS.get(name) if name in RUN_FLAGS and name not in HANDED_BACK else None
        if flag is not None and flag.kind is bool:
            if equals:
                return None
            values[flag.param] = True
        elif flag is not None:
            if not equals:
                if not rest:
                    return None
                given = rest.pop(0)
            value = _value(flag.kind, given, flag.minimum)
            if value is None:
                return None
            values[flag.param] = value
        elif not arg.startswith("-") and tasks is None:
            tasks = arg
        else:
            return None
    if tasks is None or not values.get("detach"):
        return None
    return tasks, values


def _value(kind: type, text: str, minimum: float | None) -> Any:
    """The value as Typer would take it, or None when Typer could say otherwise."""
    if kind is str:
        return text
    try:
        value = int(text) if kind is int else float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        return None
    return value


def at_head(target: DbTarget | Path) -> bool:
    """Whether the database is a SQLite file at the newest schema (so plain INSERTs fit it), and holds no run
    whose supervisor is gone (a new run records those `interrupted` first: the full command's job). A PostgreSQL
    store always goes the full way."""
    db = as_target(target).sqlite_path
    if db is None or not db.is_file():
        return False
    try:
        conn = sqlite3.connect(db, timeout=10.0)
        try:
            return run_queries.at_head(conn) and not any_gone(
                run_queries.unfinished_supervisors(SqliteReader(conn)), time.time()
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def record(db: Path, run: Mapping[str, Any], tasks: list[dict[str, Any]]) -> None:
    """The run's rows, in one transaction (as `store.runs.insert_run`)."""
    conn = run_records.connect(db)
    try:
        run_records.insert_run(conn, run, tasks)
    finally:
        conn.close()


def start(tasks_arg: str, values: dict[str, Any]) -> str | None:
    """Check, record and hand over the run; its id, or None when the full command must do it."""
    from ccdeck.orchestrator import launch, plan
    from ccdeck.orchestrator.binary import find_claude
    from ccdeck.orchestrator.spec import load_tasks

    overrides = {name: values.get(name) for name in ("max_parallel", "model", "budget", "timeout", "claude_bin",
                                                      "hooks_url")}  # fmt: skip
    cfg = Config.resolve(db=values.get("db"), overrides=overrides)
    db_path = cfg.db.sqlite_path
    if db_path is None or not at_head(cfg.db):
        return None
    options = plan.run_options(cfg, values.get("max_turns"), values.get("permission_mode"),
                               values.get("worktree", False), values.get("retries"), values.get("grace"),
                               values.get("retry_delay"), values.get("stagger"))  # fmt: skip
    specs = load_tasks(tasks_arg, options, Path.cwd(), None)
    claude = find_claude(cfg.get(config.CLAUDE_BIN))
    checked = plan.plan_run(specs, options, claude, cfg.db)
    run, rows = plan.run_rows(checked, detached=True)
    try:
        record(db_path, run, rows)
    except sqlite3.Error:  # nothing written (one transaction): the full command tries, and says what is wrong
        return None
    return launch.hand_over(checked, fork=True)


def main(args: list[str]) -> int | None:
    parsed = parse(args)
    if parsed is None or parsed[0] == "-":
        return None
    try:
        run_id = start(*parsed)
    except CcdeckError as exc:
        sys.stderr.write(f"ccdeck: error: {' '.join(str(exc).split())}\n")  # as `cli._fail`
        return exc.exit_code
    if run_id is None:
        return None
    sys.stdout.write(run_id + "\n")
    return 0
