"""The launch tables through the standard library's sqlite3 (`run_queries`, `run_records`): the rows they write are
the ones the full store reads, and their reads agree with its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ccdeck.store import run_queries, run_records
from ccdeck.store.reader import SqliteReader
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store


def run_row(run_id: str, created: float, status: str = "queued") -> dict[str, Any]:
    return {"id": run_id, "created_at": created, "status": status, "options": "{}", "claude_bin": "/bin/claude",
            "log_dir": f"/logs/{run_id}", "detached": True}  # fmt: skip


def task_rows(run_id: str, *ids: str) -> list[dict[str, Any]]:
    return [{"run_id": run_id, "task_id": t, "position": n, "spec": '{"prompt": "p"}', "cwd": "/w", "status": "queued",
             "updated_at": 1.0} for n, t in enumerate(ids)]  # fmt: skip


def fresh(tmp_path: Path) -> Path:
    db = tmp_path / "ccdeck.db"
    with Store.open(db):
        pass
    return db


def test_rows_written_with_sqlite3_read_back_alike(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    conn = run_records.connect(db)
    run_records.insert_run(conn, run_row("r1", 1.0), task_rows("r1", "b", "a"))
    run_records.insert_run(conn, run_row("r2", 2.0, "finished"), task_rows("r2", "c"))
    run_records.record_supervisor(conn, "r1", 4242, 123.5)
    conn.close()

    conn = sqlite3.connect(db)
    run_queries.begin_snapshot(conn)
    assert run_queries.at_head(conn)
    assert [r["id"] for r in run_queries.run_dicts(SqliteReader(conn))] == ["r2", "r1"]  # newest first
    assert [r["id"] for r in run_queries.run_dicts(SqliteReader(conn), limit=1)] == ["r2"]
    assert run_queries.run_dicts(SqliteReader(conn), "nope") == []
    assert run_queries.supervisor_pid(SqliteReader(conn), "r1") == 4242
    assert run_queries.supervisor_pid(SqliteReader(conn), "r2") is None
    assert run_queries.unfinished_supervisors(SqliteReader(conn)) == [run_queries.SupervisorRecord(4242, 123.5, 1.0)]
    assert run_queries.task_dicts(SqliteReader(conn), "r1", ("task_id", "status")) == [
        {"task_id": "b", "status": "queued"},
        {"task_id": "a", "status": "queued"},
    ]
    every = run_queries.task_dicts(SqliteReader(conn), "r1")
    assert list(run_queries.iter_task_dicts(SqliteReader(conn), "r1")) == every
    conn.close()

    with Store.open(db) as store, store.read() as c:
        assert run_queries.task_dicts(SqlaReader(c), "r1") == every
        assert [t.task_id for t in run_queries.tasks_of(SqlaReader(c), "r1")] == ["b", "a"]
        run = run_queries.get_run(SqlaReader(c), "r1")
        assert run is not None and (run.supervisor_pid, run.supervisor_started) == (4242, 123.5)


def test_a_failed_insert_writes_nothing(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    conn = run_records.connect(db)
    run_records.insert_run(conn, run_row("r1", 1.0), task_rows("r1", "a"))
    with pytest.raises(sqlite3.IntegrityError):
        run_records.insert_run(conn, run_row("r2", 2.0), task_rows("r1", "a"))  # the task's key is taken
    conn.close()

    conn = sqlite3.connect(db)
    assert [r["id"] for r in run_queries.run_dicts(SqliteReader(conn))] == ["r1"]  # r2's row went with its transaction
    conn.close()
