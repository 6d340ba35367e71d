"""`ccdeck status [RUN] [--limit N] [--db PATH] [--json]` without the command line's imports (Typer,
SQLAlchemy: most of a second before any work), dispatched by `ccdeck.entry`. It only reads: the standard
library's sqlite3 on a `query_only` connection, and the same `report.run_json` as `control.status`; the entry point
hands it the same printer of tables as the full command's (`render.run_tables.print_status`, on the same console).

Anything it is not sure of goes back to the full command (`main` returns None): another form of the command
(`--help`, an unknown option), a database that is missing or of another schema, a run that is not there (the
full command prints the error), and a run whose supervisor is gone (the full command records it `interrupted`,
the one write a status may cause).
"""

from __future__ import annotations

import gc
import io
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import orjson

from ccdeck.orchestrator.liveness import any_gone
from ccdeck.store import run_queries
from ccdeck.store.reader import SqliteReader

if TYPE_CHECKING:
    from ccdeck.db_target import DbTarget
    from ccdeck.shapes.common import Run

ShowStatus = Callable[[list["Run"], str | None, "DbTarget"], None]  # the runs, the run asked for, the database


class Request(NamedTuple):
    run_id: str | None
    limit: int | None
    db: str | None
    json: bool


def parse(args: list[str]) -> Request | None:
    """`[RUN] [--limit N] [--db PATH] [--json]`, in any order; None for any other form."""
    run_id: str | None = None
    limit: int | None = None
    db: str | None = None
    json = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json":
            json = True
        elif arg in ("--db", "--limit") and rest:
            value = rest.pop(0)
            if arg == "--db":
                db = value
            elif value.isdigit() and int(value) >= 1:
                limit = int(value)
            else:
                return None
        elif arg.startswith(("--db=", "--limit=")):
            name, _, value = arg.partition("=")
            return parse([*args[: len(args) - len(rest) - 1], name, value, *rest])
        elif not arg.startswith("-") and run_id is None:
            run_id = arg
        else:
            return None
    return Request(run_id, limit, db, json)


def read_runs(db: sqlite3.Connection, run_id: str | None, limit: int | None, now: float) -> list[dict[str, Any]] | None:
    """The runs' rows `control.status` would show; None when the full command must answer."""
    if not run_queries.at_head(db):
        return None
    if any_gone(run_queries.unfinished_supervisors(SqliteReader(db)), now):
        return None  # shown `interrupted` (`interrupted.as_seen`): the full command's job
    runs = run_queries.run_dicts(SqliteReader(db), run_id, limit)
    return None if run_id is not None and not runs else runs


def read_status(
    db: sqlite3.Connection, run_id: str | None, limit: int | None, now: float, *, with_tasks: bool = True
) -> list[Run] | None:
    """The runs' JSON, as `control.status` gives it (without `with_tasks`: the runs' figures, `tasks` empty);
    None when the full command must answer."""
    from ccdeck.orchestrator.report import SUMMED_COLUMNS, run_json

    runs = read_runs(db, run_id, limit, now)
    if runs is None:
        return None
    columns = () if with_tasks else SUMMED_COLUMNS
    return [run_json(run, run_queries.task_dicts(SqliteReader(db), run["id"], columns), now, with_tasks=with_tasks)
            for run in runs]  # fmt: skip


def write_status(db: sqlite3.Connection, runs: list[dict[str, Any]], now: float, out: BinaryIO) -> None:
    """`{"runs": [...]}` as `orjson.dumps(..., OPT_INDENT_2)` writes it, written task by task as the rows are
    read: a 10,000-task run is never held whole (its rows, its JSON and 36 MiB of text at once), which costs
    more than making it. The run's figures come first, from a lighter read of its tasks."""
    from ccdeck.orchestrator.report import SUMMED_COLUMNS, run_json, task_json

    if not runs:
        out.write(orjson.dumps({"runs": []}, option=INDENT | orjson.OPT_APPEND_NEWLINE))
        return
    out.write(b'{\n  "runs": [')
    for n, run in enumerate(runs):
        summed = run_queries.task_dicts(SqliteReader(db), run["id"], SUMMED_COLUMNS)
        head = orjson.dumps(run_json(run, summed, now, with_tasks=False), option=INDENT)
        assert head.endswith(EMPTY_TASKS), "`tasks` is the run's last key"
        out.write((b",\n    " if n else b"\n    ") + head[: -len(EMPTY_TASKS)].replace(b"\n", b"\n    "))
        chunk: list[bytes] = []  # written a mebibyte at a time: a pipe's reader is woken up 36 times, not 4,500
        size = 0
        for row in run_queries.iter_task_dicts(SqliteReader(db), run["id"]):
            task = orjson.dumps(task_json(row, run["log_dir"]), option=INDENT)
            lead = b",\n        " if chunk or size else b'"tasks": [\n        '
            chunk.append(lead + task.replace(b"\n", b"\n        "))
            size += len(task)
            if size >= CHUNK_BYTES:
                out.write(b"".join(chunk))
                chunk, size = [], 1  # 1: tasks were written
        out.write(b"".join(chunk) + (b"\n      ]\n    }" if chunk or size else b'"tasks": []\n    }'))
    out.write(b"\n  ]\n}\n")


INDENT = orjson.OPT_INDENT_2
CHUNK_BYTES = 1 << 20
EMPTY_TASKS = b'"tasks": []\n}'


def main(args: list[str], show: ShowStatus) -> int | None:
    """`status` with `args`; its tables printed by `show`. None: the full command must answer."""
    request = parse(args)
    if request is None:
        return None
    try:
        from ccdeck.config import Config

        target = Config.resolve(db=request.db).db
        path = target.sqlite_path  # a PostgreSQL store: the full command reads it
        if path is None or not path.is_file():
            return None
        db = sqlite3.connect(path, timeout=10.0)
    except Exception:  # a bad setting, an unreadable file: the full command says what is wrong
        return None
    # Nothing here makes cycles: the collector would only walk the 10,000 tasks' dicts and cells again and
    # again as they are built (a tenth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            run_queries.begin_snapshot(db)
            if request.json:
                return _json(db, request, time.time())
            # The list of runs shows their figures only: their tasks' prompts and results are not read.
            runs = read_status(db, request.run_id, request.limit, time.time(), with_tasks=request.run_id is not None)
        except (sqlite3.Error, KeyError):
            return None
        finally:
            db.close()
        if runs is None:
            return None
        if not request.json:
            show(runs, request.run_id, target)
        return 0
    finally:
        if collecting:
            gc.enable()


def _json(db: sqlite3.Connection, request: Request, now: float) -> int | None:
    runs = read_runs(db, request.run_id, request.limit, now)
    if runs is None:
        return None
    out = getattr(sys.stdout, "buffer", None)
    sink = io.BytesIO() if out is None else out  # a text-only stream (a test's capture) gets it at the end
    sys.stdout.flush()
    try:
        write_status(db, runs, now, sink)
    except sqlite3.Error as exc:  # half written: too late to hand the command back
        sys.stderr.write(f"ccdeck: error: the database failed while being read: {exc}\n")
        return 2
    if out is None:
        sys.stdout.write(sink.getvalue().decode())
    else:
        out.flush()
    return 0
