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
    """The run's row and its tasks' rows, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")  # a failure leaves it open: closing the connection rolls it back
    for sql, rows in run_inserts(run, tasks):
        conn.executemany(sql, rows)
    conn.execute("COMMIT")


def run_inserts(run: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The statements that record a run, with their rows (`?` parameters): its row, then its tasks' (every task
    row has the same columns). The one form of these inserts, for this module's connection and the store's."""
    inserts = [(_insert("runs", list(run)), [tuple(run.values())])]
    if tasks:
        inserts.append((_insert("run_tasks", list(tasks[0])), [tuple(t.values()) for t in tasks]))
    return inserts


def record_supervisor(conn: sqlite3.Connection, run_id: str, pid: int, started: float | None) -> None:
    """The run's supervisor: its pid and the process's start time (to tell a reused pid)."""
    conn.execute("UPDATE runs SET supervisor_pid = ?, supervisor_started = ? WHERE id = ?", (pid, started, run_id))


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
