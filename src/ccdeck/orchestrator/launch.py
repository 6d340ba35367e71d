"""The hand-over of a recorded run to a background supervisor, both sides of it, before the command line's imports.

`hand_over` (called by `control.start_detached`, or by `fast_run` with `fork`) starts `python -m ccdeck
_supervise RUN --db DB`. `ccdeck.entry` sends that command here first (`fork_and_record`): the launcher forks and
exits at once (a double fork: the supervisor belongs to no terminal and is nobody's zombie), and the supervisor
records its pid and start time with the standard library's sqlite3 straight away, then writes a byte on a pipe
the caller holds. The caller wakes up on it (or on the pipe's end of file, should the supervisor die first; no
polling of the store), so `ccdeck run --detach` prints the run's id without waiting for the supervisor's
imports, store and price table (the same pid and time are written again when the run starts). Then the full
command runs the supervisor.
"""

from __future__ import annotations

import contextlib
import os
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ccdeck.db_target import DbTarget, is_url
from ccdeck.errors import LaunchError, StoreError
from ccdeck.orchestrator.liveness import SUPERVISOR_START_SECONDS
from ccdeck.pids import start_time
from ccdeck.store import run_queries, run_records
from ccdeck.store.reader import Reader, SqliteReader

if TYPE_CHECKING:
    from ccdeck.orchestrator.plan import RunPlan

SUPERVISOR_LOG = "supervisor.log"
READY_FD = "--ready-fd"  # `_supervise`'s argument naming the pipe end the supervisor closes once recorded
LATE_RECORD_POLL_SECONDS = 0.05  # only when the early record failed (see `_await_supervisor`)


def hand_over(plan: RunPlan, extra_env: Mapping[str, str] | None = None, *, fork: bool = False) -> str:
    """Start the background supervisor of a recorded run (our environment plus `extra_env`); returns the run's
    id once the supervisor has recorded itself. `fork`: for a caller that runs one thread (`fast_run`), the
    double fork is done here, without a Python started only to do it."""
    log_path = plan.log_dir / SUPERVISOR_LOG
    argv = [sys.executable, "-m", "ccdeck", "_supervise", plan.run_id, "--db", plan.db.argument()]
    env = {**os.environ, **(extra_env or {})}
    ready, done = os.pipe()  # both ends close on exec: only the launcher is handed `done` (`pass_fds`)
    try:
        if fork:
            launched = _double_fork([*argv, "--forked"], env, log_path, plan, done)
        else:
            with log_path.open("ab") as log_file:
                launcher = subprocess.Popen(
                    [*argv, READY_FD, str(done)], stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                    start_new_session=True, close_fds=True, pass_fds=(done,), env=env,
                )  # fmt: skip
            os.close(done)
            done = -1
            # The launcher forks the supervisor and exits at once; waiting for it is immediate.
            launched = launcher.wait(SUPERVISOR_START_SECONDS) == 0
        if done >= 0:
            os.close(done)
            done = -1
        if not launched:
            raise LaunchError(f"the background supervisor did not start; see {log_path}")
        _await_supervisor(plan.db, plan.run_id, log_path, ready)
    finally:
        os.close(ready)
        if done >= 0:
            os.close(done)
    return plan.run_id


def _double_fork(argv: list[str], env: Mapping[str, str], log_path: Path, plan: RunPlan, done: int) -> bool:
    """What the launcher and `fork_and_record` do, from this process: a child in a new session forks the
    supervisor and exits; the supervisor, its output going to the log, records itself and becomes
    `python -m ccdeck _supervise ... --forked` (it writes on `done` first; the exec closes it). Only safe in a
    process with one thread."""
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - ends in exec or _exit, never back here
        try:
            os.setsid()
            if os.fork() > 0:
                os._exit(0)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            record(plan.db.argument(), plan.run_id, done)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status = os.waitpid(child, 0)
    return status == 0


def _await_supervisor(db: DbTarget, run_id: str, log_path: Path, ready: int) -> None:
    """Wait for the supervisor's word on the pipe (recorded, or gone), then read what it recorded."""
    deadline = time.monotonic() + SUPERVISOR_START_SECONDS
    select.select([ready], [], [], SUPERVISOR_START_SECONDS)  # a byte once recorded; end of file if it died first
    with _reader(db) as (reader, busy):
        while True:
            try:
                if run_queries.supervisor_pid(reader, run_id) is not None:
                    return
            except busy:  # busy past the timeout: look again
                pass
            if time.monotonic() >= deadline:
                break
            # The early record failed (its error is in the log): the supervisor records itself again once its
            # store is open, a second or so later, with nothing to wake us up.
            time.sleep(LATE_RECORD_POLL_SECONDS)
    raise LaunchError(f"the background supervisor of run {run_id} did not start; see {log_path}")


@contextlib.contextmanager
def _reader(db: DbTarget) -> Iterator[tuple[Reader, type[Exception]]]:
    """A reader of the run tables, and the error that means "look again": `sqlite3` on a SQLite file, the
    store's engine on PostgreSQL (each read a transaction of its own, so it sees the supervisor's commit)."""
    if db.sqlite_path is not None:
        conn = sqlite3.connect(db.sqlite_path, timeout=10.0)
        try:
            yield SqliteReader(conn), sqlite3.OperationalError
        finally:
            conn.close()
        return
    from ccdeck.store.sqla_reader import autocommit_reader

    with autocommit_reader(db) as reader:
        yield reader, StoreError


def fork_and_record(args: list[str]) -> list[str]:
    """In the launcher: fork; the launcher exits, the supervisor records itself, says so on the pipe end named by
    `--ready-fd`, closes it and returns its arguments without it."""
    ready_fd = None
    if READY_FD in args[:-1]:
        at = args.index(READY_FD)
        ready_fd = int(args[at + 1])
        args = args[:at] + args[at + 2 :]
    if os.fork() > 0:
        os._exit(0)
    if len(args) >= 3 and args[1] == "--db":
        record(args[2], args[0], ready_fd)
    if ready_fd is not None:
        os.close(ready_fd)
    return args


def record(db: str, run_id: str, ready_fd: int | None = None) -> None:
    """Record this process as the run's supervisor, then say so on `ready_fd` (whether it worked or not)."""
    pid = os.getpid()
    try:
        _record(db, run_id, pid)
    finally:
        if ready_fd is not None:
            with contextlib.suppress(OSError):
                os.write(ready_fd, b"\n")


def _record(db: str, run_id: str, pid: int) -> None:
    if is_url(db):
        return  # a PostgreSQL store: the supervisor records itself once its store is open
    try:
        conn = run_records.connect(db)
        try:
            run_records.record_supervisor(conn, run_id, pid, start_time(pid))
        finally:
            conn.close()
    except sqlite3.Error as exc:  # the supervisor records itself again once its store is open
        print(f"supervisor {pid} of run {run_id}: not recorded early: {exc}", file=sys.stderr)
