"""`status` is a read: it writes nothing while the run's supervisor is alive (or the run is over), and a run of
10,000 tasks comes back whole and right; a supervisor that is gone is still noticed (the one write)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck import cli, entry
from ccdeck.orchestrator import control, fast_run, fast_status
from ccdeck.orchestrator.report import run_json, task_json
from ccdeck.pids import start_time
from ccdeck.store import run_queries
from ccdeck.store import runs as q
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import CCDECK

MODEL = "claude-sonnet-4-5"
TASKS = 10_000


def make_run(store: Store, run_id: str, n: int, **run: Any) -> None:
    now = time.time()
    row = {"id": run_id, "created_at": now - 60, "started_at": now - 50, "finished_at": now - 5,
           "status": "finished",
           "options": orjson.dumps({"max_parallel": 8}).decode(), "claude_bin": "/bin/claude",
           "claude_version": "2.1.330", "log_dir": f"/logs/{run_id}", "detached": True, **run}  # fmt: skip
    tasks = []
    for i in range(n):
        usage = {"inputTokens": i, "outputTokens": 2, "cacheCreationTokens": 3, "cacheReadTokens": 1000,
                 "totalTokens": i + 1005, "costUSD": 0.001}  # fmt: skip
        done = i % 3 != 2
        tasks.append({
            "run_id": run_id, "task_id": f"t{i:05d}", "position": i, "cwd": "/w", "attempt": 1,
            "spec": orjson.dumps({"id": f"t{i:05d}", "prompt": f"task {i} " + "p" * 300, "model": MODEL}).decode(),
            "status": "succeeded" if done else "queued", "session_id": f"s{i}" if done else None,
            "started_at": now - 40 if done else None, "finished_at": now - 30 if done else None,
            "seconds": 10.0 if done else None, "num_turns": 2 if done else None, "cost_usd": 0.001 if done else None,
            "total_tokens": i + 1005 if done else 0,
            "model_usage": orjson.dumps({MODEL: usage} if done else {}).decode(),
            "attempts": orjson.dumps([{"attempt": 1, "pid": 100 + i}] if done else []).decode(),
            "result": f"done {i}" if done else None, "files_changed": '["out.txt"]' if done else "[]",
        })  # fmt: skip
    store.write(lambda c: q.insert_run(c, row, tasks))


def db_state(path: Path) -> tuple[int, list[tuple[str, int, int]]]:
    """What another connection sees change when anything commits, and the files' sizes and times."""
    files = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(path.parent.glob(path.name + "*"))]
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        return version, files
    finally:
        conn.close()


def test_status_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ccdeck.db"
    me = os.getpid()
    with Store.open(db) as store:
        make_run(store, "over", 5)
        make_run(store, "live", 5, status="running", finished_at=None, supervisor_pid=me,
                 supervisor_started=start_time(me))  # fmt: skip
    watcher = sqlite3.connect(db)
    before_version = watcher.execute("PRAGMA data_version").fetchone()[0]
    before_files = db_state(db)[1]
    with Store.open(db) as store:
        for run_id in ("over", "live", None):
            control.status(store, run_id)
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == before_version
    assert db_state(db)[1] == before_files
    watcher.close()


def test_a_gone_supervisor_is_still_recorded(tmp_path: Path) -> None:
    with Store.open(tmp_path / "ccdeck.db") as store:
        make_run(store, "orphan", 3, status="running", finished_at=None, supervisor_pid=me_plus_dead(),
                 supervisor_started=1.0)  # fmt: skip
        (run,) = control.status(store, "orphan")
        assert run["status"] == "interrupted"
        assert [t["status"] for t in run["tasks"]] == ["succeeded", "succeeded", "failed"]
        assert run["tasks"][2]["error"] == "the supervisor ended before this task did"
        assert control.status(store, active_only=True) == []
        with store.read() as conn:
            found = run_queries.get_run(SqlaReader(conn), "orphan")
        assert found is not None and found.status == "running"  # shown interrupted, recorded by a command that acts
        assert control.stop(store, ["orphan"]) == []
        with store.read() as conn:
            found = run_queries.get_run(SqlaReader(conn), "orphan")
            tasks = run_queries.tasks_of(SqlaReader(conn), "orphan")
        assert found is not None and found.status == "interrupted"
        assert tasks[2].status == "failed" and tasks[2].error == "the supervisor ended before this task did"
        (recorded,) = control.status(store, "orphan")
        assert recorded["status"] == "interrupted" and recorded["tasks"][2]["status"] == "failed"


def me_plus_dead() -> int:
    """A pid no process has (or one whose start time cannot match the recorded 1.0)."""
    return 2**22 - 7


@pytest.mark.parametrize("run_id", ["big", None])
def test_status_of_a_10000_task_run_is_whole_and_right(tmp_path: Path, run_id: str | None) -> None:
    with Store.open(tmp_path / "ccdeck.db") as store:
        make_run(store, "big", TASKS)
        make_run(store, "small", 2)
        found = control.status(store, run_id)
        with store.read() as conn:
            run_row = run_queries.get_run(SqlaReader(conn), "big")
            rows = run_queries.tasks_of(SqlaReader(conn), "big")
    run = found[0] if run_id else next(r for r in found if r["id"] == "big")
    assert run_row is not None
    # The same as the run's JSON made from the store's rows one by one (`now` aside: the run is over).
    expected = run_json(run_row._mapping, [r._mapping for r in rows], time.time())
    assert orjson.loads(orjson.dumps(run)) == orjson.loads(orjson.dumps(expected))
    assert [t["id"] for t in run["tasks"]] == [f"t{i:05d}" for i in range(TASKS)]
    done = sum(i % 3 != 2 for i in range(TASKS))
    assert run["counts"] == {"succeeded": done, "queued": TASKS - done}
    assert run["tokens"]["cacheReadTokens"] == 1000 * done
    assert run["tokens"]["inputTokens"] == sum(i for i in range(TASKS) if i % 3 != 2)
    assert run["costUSD"] == pytest.approx(0.001 * done)
    assert run["cacheSavingUSD"] is not None and run["cacheSavingUSD"] > 0
    t = run["tasks"][4]
    assert t == task_json(rows[4]._mapping, "/logs/big")
    assert t["prompt"].startswith("task 4 ") and t["logs"]["stream"] == "/logs/big/t00004.jsonl"


def test_the_fast_status_command_says_what_the_full_one_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ccdeck.db"
    with Store.open(db) as store:
        make_run(store, "a", 3)
        make_run(store, "b", 4, created_at=time.time() - 30)
        full = {key: control.status(store, run_id, limit=limit) for key, run_id, limit in
                (("a", "a", None), ("all", None, None), ("one", None, 1))}  # fmt: skip
    for key, args in (("a", ["a", "--json"]), ("all", ["--json"]), ("one", ["--limit=1", "--json"])):
        assert fast_status.main([*args, "--db", str(db)], entry.show_status) == 0
        assert orjson.loads(capsys.readouterr().out) == orjson.loads(orjson.dumps({"runs": full[key]}))
    # The tables too, as the full command prints them.
    for args in (["a"], [], ["--limit", "1"]):
        assert cli.main(["status", *args, "--db", str(db)]) == 0
        full_table = capsys.readouterr().out
        assert fast_status.main([*args, "--db", str(db)], entry.show_status) == 0
        assert capsys.readouterr().out == full_table
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    assert fast_status.main(["--db", str(empty)], entry.show_status) == 0  # no runs: one line naming the database
    assert capsys.readouterr().out == f"no runs in {empty}; start one with `ccdeck run TASKS`\n"
    # Forms and cases left to the full command: an unknown option, no such run, no database.
    assert fast_status.main(["a", "--json", "--db", str(db), "--wide"], entry.show_status) is None
    assert fast_status.main(["nope", "--json", "--db", str(db)], entry.show_status) is None
    assert fast_status.main(["--json", "--db", str(tmp_path / "missing.db")], entry.show_status) is None
    assert not (tmp_path / "missing.db").exists()
    with Store.open(db) as store:  # a supervisor that is gone: the full command records it
        make_run(store, "orphan", 1, status="running", finished_at=None, supervisor_pid=me_plus_dead(),
                 supervisor_started=1.0)  # fmt: skip
    assert fast_status.main(["a", "--json", "--db", str(db)], entry.show_status) is None
    assert capsys.readouterr().out == ""


def test_the_json_written_task_by_task_is_byte_for_byte_the_full_commands(
    child_env: dict[str, str], tmp_path: Path
) -> None:
    """`status --json` writes each task as it reads it: the same bytes as the whole report encoded at once, for
    one run, every run (one without tasks among them), and none."""
    db = tmp_path / "ccdeck.db"
    empty = tmp_path / "empty.db"
    with Store.open(db) as store:
        make_run(store, "a", 3)
        make_run(store, "b", 4, created_at=time.time() - 30)
        make_run(store, "none", 1, created_at=time.time() - 90)
        store.write(lambda c: q.delete_run(c, "none", ["t00000"]))  # a run left without tasks
        full = {key: control.status(store, run_id) for key, run_id in (("a", "a"), ("all", None))}
    Store.open(empty).close()
    env = {**dict(child_env), "CCDECK_DB": str(db)}
    for key, args in (("a", ["a"]), ("all", [])):
        done = subprocess.run([str(CCDECK), "status", *args, "--json"], env=env, capture_output=True, check=True)
        assert done.stdout == orjson.dumps({"runs": full[key]}, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    done = subprocess.run([str(CCDECK), "status", "--json"], env={**env, "CCDECK_DB": str(empty)},
                          capture_output=True, check=True)  # fmt: skip
    assert done.stdout == b'{\n  "runs": []\n}\n'


def test_the_fast_paths_leave_a_gone_supervisor_to_the_full_commands(tmp_path: Path) -> None:
    db = tmp_path / "ccdeck.db"
    with Store.open(db) as store:
        make_run(store, "orphan", 2, status="running", finished_at=None, supervisor_pid=me_plus_dead(),
                 supervisor_started=1.0)  # fmt: skip
    assert not fast_run.at_head(db)  # `run --detach`: the full command records the run `interrupted` first
    with Store.open(db) as store:
        control.reconcile(store)
    assert fast_run.at_head(db)


def test_the_runs_feed_pushes_a_run_once_when_its_supervisor_is_gone(tmp_path: Path) -> None:
    from ccdeck.live.hub import Hub
    from ccdeck.web.runs_feed import RunsFeed

    with Store.open(tmp_path / "ccdeck.db") as store:
        make_run(store, "orphan", 2, status="running", finished_at=None, supervisor_pid=me_plus_dead(),
                 supervisor_started=1.0)  # fmt: skip
        feed = RunsFeed(store, Hub())
        later = time.time() + 60  # nothing written since: only the supervisor check finds it
        assert [(run["id"], run["status"]) for run in feed._changed(later)] == [("orphan", "interrupted")]
        assert feed._changed(later) == []
