"""The first moments of a detached run's supervisor, before the command line's imports.

`control.start_detached` records the run, spawns `python -m ccdeck _supervise RUN --db DB` and waits until the
run names its supervisor. `ccdeck.entry` sends that command here first: the launcher forks and exits at once (a
double fork: the supervisor belongs to no terminal and is nobody's zombie), and the supervisor records its pid
and start time with the standard library's sqlite3 straight away, so `ccdeck run --detach` can print the run's id
without waiting for the supervisor's imports, store and price table (the same pid and time are written again
when the run starts). Then the full command runs the supervisor.
"""

from __future__ import annotations

import os
import sqlite3
import sys

from ccdeck.pids import start_time


def fork_and_record(args: list[str]) -> None:
    """In the launcher: fork; the launcher exits, the supervisor records itself and returns."""
    if os.fork() > 0:
        os._exit(0)
    if len(args) >= 3 and args[1] == "--db":
        record(args[2], args[0])


def record(db: str, run_id: str) -> None:
    pid = os.getpid()
    try:
        conn = sqlite3.connect(db, timeout=10.0)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")  # as the store's connections: no fsync in WAL
            with conn:
                conn.execute(
                    "UPDATE runs SET supervisor_pid = ?, supervisor_started = ? WHERE id = ?",
                    (pid, start_time(pid), run_id),
                )
        finally:
            conn.close()
    except sqlite3.Error as exc:  # the supervisor records itself again once its store is open
        print(f"supervisor {pid} of run {run_id}: not recorded early: {exc}", file=sys.stderr)
