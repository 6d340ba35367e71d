"""The commands that read and act on runs from any terminal: `status`, `result`, `logs`, `stop`, `stop-all`,
`clean`. Registered by `cli_runs.register`."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import orjson
import typer

from ccdeck.cli_runs import NoWait, _open
from ccdeck.cli_shared import Db, Json, emit_json, out
from ccdeck.errors import UsageError
from ccdeck.shapes.cli import CleanReport, ResultTask, RunsReport, StoppedReport, TaskReport, TaskSession
from ccdeck.store.run_states import FINAL_STATES

if TYPE_CHECKING:
    from ccdeck.shapes.common import RunTask
    from ccdeck.store.store import Store


def status(
    run_id: Annotated[str | None, typer.Argument(metavar="[RUN]", help="One run (default: every run).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N runs.")] = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Runs and their tasks, from any terminal: state, time, turns, cost."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        runs = control.status(store, run_id, limit=limit)
    if json:
        emit_json(RunsReport(runs=runs))
    else:
        from ccdeck.render.run_tables import print_status

        print_status(out(), runs, run_id, store.target)


def result(
    task: Annotated[str, typer.Argument(metavar="TASK", help="TASK, RUN/TASK or a session id.")],
    config_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--config-dir", help="Where the task's transcript is (default: the one it ran with).", show_default=False
        ),
    ] = None,
    no_scan: Annotated[bool, typer.Option("--no-scan", help="Do not read the task's transcript.")] = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """A task's result: its state, figures and answer; with the files changed from its transcript."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        found = control.task_status(store, task)
        session = None if no_scan else _session_facts(store, found, config_dir)
    # a RunTask is a ResultTask without its optional `session`
    shown = ResultTask(**found, session=session) if session is not None else cast(ResultTask, found)
    if json:
        emit_json(TaskReport(task=shown))
        return
    _print_result(found)


def _session_facts(store: Store, task: RunTask, flags: list[Path] | None) -> TaskSession | None:
    """The monitored session the task's session id links to: files changed and timeline size, from the
    transcript Claude Code wrote (ingested first, incrementally)."""
    if not task["sessionId"]:
        return None
    recorded = task["configDir"]
    if not flags and recorded and not Path(recorded).is_dir():
        return None  # the config dir it ran with is gone: nothing to read
    given = tuple(flags or ()) or ((Path(recorded),) if recorded else ())
    from ccdeck.claude.discovery import config_dirs_from
    from ccdeck.ingest.pipeline import Ingestor
    from ccdeck.store import file_queries, session_queries
    from ccdeck.store.sqla_reader import SqlaReader

    Ingestor(store).scan(config_dirs_from(given, os.environ), None)
    with store.read() as conn:
        reader = SqlaReader(conn)
        files = [row.path for row in file_queries.files_changed(reader, task["sessionId"])]
        _, events = session_queries.timeline(reader, task["sessionId"], 0, 0)
        known = bool(session_queries.sessions_by_id(reader, [task["sessionId"]]))
    return TaskSession(sessionId=task["sessionId"], ingested=known, filesChanged=files, events=events)


def _print_result(task: Mapping[str, Any]) -> None:
    from ccdeck.render.run_tables import result_table

    out().print(result_table(task))
    if task["result"]:
        out().print(task["result"], markup=False, highlight=False)


def logs(
    task: Annotated[str, typer.Argument(metavar="TASK", help="TASK, RUN/TASK or a session id.")],
    raw: Annotated[bool, typer.Option("--raw", help="The stream-json lines as the CLI wrote them.")] = False,
    errors: Annotated[bool, typer.Option("--stderr", help="Only the task's stderr.")] = False,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing until the task ends.")] = False,
    db: Db = None,
) -> None:
    """A task's output: its stream (readable, or --raw) and its stderr."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        found = control.task_status(store, task)
        logs_ = found["logs"]
        assert logs_ is not None  # task_status gives the run's log dir
        stream, err = Path(logs_["stream"]), Path(logs_["stderr"])
        if errors:
            sys.stdout.write(_read(err))
            return
        offset = 0
        while True:
            offset = _print_stream(stream, offset, raw)
            if not follow or control.task_status(store, task)["status"] in FINAL_STATES:
                break
            time.sleep(0.25)
        _print_stream(stream, offset, raw)
    text = _read(err)
    if text.strip() and not raw:
        out().print("--- stderr ---", markup=False)
        sys.stdout.write(text)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _print_stream(path: Path, offset: int, raw: bool) -> int:
    """Print the complete lines after `offset`; returns the offset after them."""
    from ccdeck.orchestrator.events import describe

    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return offset
    end = data.rfind(b"\n") + 1
    for line in data[:end].splitlines():
        if raw:
            sys.stdout.write(line.decode(errors="replace") + "\n")
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        for text in describe(event) if isinstance(event, dict) else ():
            sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return offset + end


def stop(
    tasks: Annotated[list[str], typer.Argument(metavar="TASK...", help="TASK, RUN/TASK, or a run id (all its tasks).")],
    no_wait: NoWait = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """Stop tasks from any terminal: SIGINT, a grace period, SIGTERM, then SIGKILL to each task's process group."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        stopped = control.stop(store, tasks, wait=not no_wait)
    _print_stopped(stopped, json)


def stop_all(no_wait: NoWait = False, db: Db = None, json: Json = False) -> None:
    """Stop every unfinished task of every run (queued ones never start)."""
    from ccdeck.orchestrator import control

    with _open(db) as store:
        stopped = control.stop(store, None, wait=not no_wait)
    _print_stopped(stopped, json)


def _print_stopped(tasks: list[RunTask], json: bool) -> None:
    if json:
        emit_json(StoppedReport(tasks=tasks))
        return
    from ccdeck.render.run_tables import state

    if not tasks:
        out().print("nothing to stop")
    for task in tasks:
        out().print(f"{task['runId']}/{task['id']}: {state(task['status'])}")


def clean(
    force: Annotated[bool, typer.Option("--force", help="Also remove worktrees that hold commits or changes.")] = False,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="DURATION",
            help="Only runs that ended this long ago (7d, 12h, 30m).",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: Db = None,
    json: Json = False,
) -> None:
    """Forget finished runs: their records, logs, and worktrees that hold no commits or changes. Asks first on a
    terminal."""
    from ccdeck.orchestrator import control

    age = parse_duration(older_than, "--older-than") if older_than is not None else None
    with _open(db) as store:
        declined = not yes and sys.stdin.isatty() and not _confirm_clean(store, age, older_than, force)
        if declined:
            report = CleanReport(removedRuns=[], removedWorktrees=[], keptWorktrees=[])
        else:
            report = control.clean(store, force=force, older_than=age)
    if json:
        emit_json(report)
        return
    if declined:
        out().print("nothing removed")
        return
    out().print(f"removed {len(report['removedRuns'])} run(s) and {len(report['removedWorktrees'])} worktree(s)")
    for kept in report["keptWorktrees"]:
        out().print(f"kept {kept['path']} ({kept['branch']}): {kept['reason']}", markup=False)


def _confirm_clean(store: Store, age: float | None, older_than: str | None, force: bool) -> bool:
    """Name what `clean` would forget and ask; nothing to forget needs no answer."""
    from ccdeck.orchestrator import control

    runs = control.cleanable(store, older_than=age)
    if not runs:
        return True
    which = f"{len(runs)} finished run(s)" + (f" that ended over {older_than} ago" if older_than else "")
    worktrees = "all their worktrees, even those with commits or changes" if force else "worktrees without changes"
    return typer.confirm(f"Forget {which}, their logs and {worktrees}?", default=False, err=True)


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str, flag: str) -> float:
    """`7d`, `12h`, `30m`, `90s`, `2w`, `1.5h` as seconds."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text.lower())
    if found is None:
        raise UsageError(f"{flag} takes a number and a unit (s, m, h, d, w), like 7d or 12h; not {text!r}")
    return float(found[1]) * DURATION_UNITS[found[2]]
