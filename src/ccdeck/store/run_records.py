"""Writes of the launch tables on a standard library `sqlite3` connection, for the moments before the command
line's imports: `ccdeck run --detach` recording a run (the same rows as `store.runs.insert_run`), and a detached
supervisor recording its pid the moment it is forked. Each is one short transaction of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_SECONDS = 10.0


def connect(db: Path | str) -> sqlite3.Connection:
    """A connection for one of these writes (autocommit: each function opens its own transaction)."""
    conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")  # as the store's connections (`store.database`): no fsync in WAL
    return conn


def insert_run(conn: sqlite3.Connection, run: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> None:
    """The run's row and its tasks' rows, in one transaction (every task row has the same columns)."""
    conn.execute("BEGIN IMMEDIATE")  # a failure leaves it open: closing the connection rolls it back
    conn.execute(_insert("runs", list(run)), list(run.values()))
    if tasks:
        conn.executemany(_insert("run_tasks", list(tasks[0])), [list(t.values()) for t in tasks])
    conn.execute("COMMIT")


def record_supervisor(conn: sqlite3.Connection, run_id: str, pid: int, started: float | None) -> None:
    """The run's supervisor: its pid and the process's start time (to tell a reused pid)."""
    conn.execute("UPDATE runs SET supervisor_pid = ?, supervisor_started = ? WHERE id = ?", (pid, started, run_id))


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
