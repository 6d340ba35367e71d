"""The launch tables: a database of the first schema upgrades in place, stop requests reach only unfinished
tasks, task lookups prefer the newest run; and the terminal views of a run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from rich.console import Console
from sqlalchemy import Engine, create_engine

from ccdeck.db_target import as_target
from ccdeck.orchestrator.report import run_json
from ccdeck.render import run_tables
from ccdeck.store import postgres, run_queries
from ccdeck.store import runs as q
from ccdeck.store.database import HEAD_REVISION, MIGRATIONS
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store


def run_row(run_id: str, created: float) -> dict[str, Any]:
    return {"id": run_id, "created_at": created, "status": "running", "options": "{}", "claude_bin": "/bin/claude",
            "log_dir": f"/logs/{run_id}", "detached": False}  # fmt: skip


def task_rows(run_id: str, *ids: str) -> list[dict[str, Any]]:
    return [{"run_id": run_id, "task_id": t, "position": n, "spec": '{"prompt": "p"}', "cwd": "/w", "status": "queued"}
            for n, t in enumerate(ids)]  # fmt: skip


def _bare_engine(db: Path | str) -> Engine:
    """An engine on the database that migrates nothing by itself."""
    target = as_target(db)
    return postgres.engine(target) if target.is_postgres else create_engine(f"sqlite:///{db}")


def test_a_first_schema_database_upgrades_in_place(db_target: Path | str) -> None:
    db = db_target
    engine = _bare_engine(db)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO history (ts, display) VALUES (1.0, 'kept')")
    engine.dispose()

    with Store.open(db) as store:
        store.write(lambda c: q.insert_run(c, run_row("r1", 1.0), task_rows("r1", "a")))
        with store.read() as c:
            assert [t.task_id for t in run_queries.tasks_of(SqlaReader(c), "r1")] == ["a"]
            assert c.exec_driver_sql("SELECT display FROM history").scalar() == "kept"
            assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD_REVISION


def test_stop_requests_reach_unfinished_tasks_only(db_target: Path | str) -> None:
    with Store.open(db_target) as store:
        store.write(lambda c: q.insert_run(c, run_row("r1", 1.0), task_rows("r1", "a", "b", "c")))
        store.write(lambda c: q.update_task(c, "r1", "c", status="succeeded"))

        assert store.write(lambda c: q.request_stop(c, "r1", ["a"], 5.0)) == 1
        assert store.write(lambda c: q.request_stop(c, "r1", ["a"], 6.0)) == 0  # asked already: the first time holds
        assert store.write(lambda c: q.request_stop(c, "r1", None, 7.0)) == 1  # b; c is done
        with store.read() as c:
            assert run_queries.stop_requests(SqlaReader(c), "r1") == (7.0, {"a": 5.0, "b": 7.0})
            run = run_queries.get_run(SqlaReader(c), "r1")
            assert run is not None and run.stop_requested == 7.0


def test_a_task_name_means_the_newest_run(db_target: Path | str) -> None:
    with Store.open(db_target) as store:
        store.write(lambda c: q.insert_run(c, run_row("old", 1.0), task_rows("old", "t1", "t2")))
        store.write(lambda c: q.insert_run(c, run_row("new", 2.0), task_rows("new", "t1")))
        store.write(lambda c: q.update_task(c, "old", "t2", session_id="sess-2"))
        with store.read() as c:
            assert [t.run_id for t in run_queries.tasks_named(SqlaReader(c), "t1")] == ["new", "old"]
            assert [(t.run_id, t.task_id) for t in run_queries.tasks_named(SqlaReader(c), "sess-2")] == [("old", "t2")]
            assert [r.id for r in run_queries.list_runs(SqlaReader(c))] == ["new", "old"]
        store.write(lambda c: q.delete_run(c, "old", ["t1"]))
        store.write(lambda c: q.delete_run(c, "new"))
        with store.read() as c:
            assert [r.id for r in run_queries.list_runs(SqlaReader(c))] == ["old"]
            assert [t.task_id for t in run_queries.tasks_of(SqlaReader(c), "old")] == ["t2"]


def test_terminal_views_show_what_the_json_says() -> None:
    now = time.time()
    run = {**run_row("r1", now - 30), "started_at": now - 20, "finished_at": None, "claude_version": "2.1.330",
           "supervisor_pid": 1, "stop_requested": None}  # fmt: skip
    tasks = [
        {**task_rows("r1", "build")[0], "status": "running", "session_id": "s1", "exit_code": None, "cost_usd": 0.0123,
         "cost_estimated": True, "seconds": 12.5, "api_seconds": None, "started_at": now - 12.5, "finished_at": None,
         "num_turns": 3, "result": None, "permission_denials": "[]", "error": None, "subtype": None,
         "terminal_reason": None, "api_error_status": None, "attempt": 1, "attempts": "[]",
         "model_usage": '{"m": {"totalTokens": 4321, "costUSD": null}}', "files_changed": "[]",
         "last_tool": "Bash: npm test", "worktree": None, "pid": 42},
        {**task_rows("r1", "docs")[0], "status": "succeeded", "session_id": "s2", "exit_code": 0, "cost_usd": 0.5,
         "cost_estimated": False, "seconds": 8.0, "api_seconds": 5.0, "started_at": now - 20, "finished_at": now - 12,
         "num_turns": 2, "result": "Fixed the typos.", "permission_denials": '[{"tool_name": "Bash"}]',
         "error": None, "subtype": "success", "terminal_reason": "completed", "api_error_status": None,
         "attempt": 1, "attempts": "[]", "model_usage": "{}", "files_changed": "[]", "last_tool": None,
         "worktree": None, "pid": None},
    ]  # fmt: skip
    shown = run_json(run, tasks, now)
    console = Console(record=True, width=160, color_system=None)
    console.print(run_tables.live_table(shown["tasks"], now))
    console.print(run_tables.summary(shown, now))
    text = console.export_text()

    assert "build" in text and "running" in text and "12.5s" in text and "4,321" in text
    assert "~$0.01" in text and "Bash: npm test" in text
    assert "Fixed the typos." in text and "1 permission denial(s): Bash" in text
    assert "2 task(s): 1 running, 1 succeeded." in text
    assert "Cost $0.51 (part estimated)" in text
