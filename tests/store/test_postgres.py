"""The PostgreSQL store: `--db postgresql://…` on the command line (never a file of that name), one-line errors with
the password masked, two processes migrating one fresh database at once, and two writers adding to one session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from ccdeck.db_target import DbTarget, mask
from ccdeck.store import postgres
from ccdeck.store.revision import HEAD_REVISION
from ccdeck.store.sqla_reader import pyformat
from core_fixtures import (
    assistant,
    query,
    response_totals,
    run_cli,
    scan,
    session_row,
    transcript,
    usage,
    write_jsonl,
    write_report_config,
)
from pg_cluster import PgCluster

Capsys = pytest.CaptureFixture[str]
SID = "0c0c0c0c-0000-4000-8000-000000000001"


# -------------------------------------------------------------------------------------------- the target


@pytest.mark.parametrize(
    ("text", "url", "shown"),
    [
        ("postgresql://u:secret@db.example:5433/ccdeck", "postgresql+psycopg://u:secret@db.example:5433/ccdeck",
         "postgresql://u:***@db.example:5433/ccdeck"),
        ("postgres://u@10.0.0.2/ccdeck", "postgresql+psycopg://u@10.0.0.2/ccdeck", "postgresql://u@10.0.0.2/ccdeck"),
        ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d", "postgresql://u:***@h/d"),
    ],
)  # fmt: skip
def test_a_postgresql_url_is_a_url_and_prints_without_its_password(text: str, url: str, shown: str) -> None:
    target = DbTarget.parse(text)
    assert (target.url, target.path, target.is_postgres, str(target)) == (url, None, True, shown)


def test_a_path_is_a_path() -> None:
    target = DbTarget.parse("~/x/postgresql.db")
    assert target.path == Path.home() / "x" / "postgresql.db" and not target.is_postgres
    assert target.local_dir == Path.home() / "x"


@pytest.mark.parametrize(
    "text", ["postgresql://u:secret@h:notaport/d", "postgresql://u:secret@h:5432", "postgresql://"]
)
def test_a_bad_url_is_a_value_error_without_its_password(text: str) -> None:
    with pytest.raises(ValueError, match="not a valid PostgreSQL URL") as raised:
        DbTarget.parse(text)
    assert "secret" not in str(raised.value)


def test_mask_hides_every_password() -> None:
    assert mask("a postgresql://u:pw@h/d and postgres://v:p%40ss@h2:1/e") == (
        "a postgresql://u:***@h/d and postgres://v:***@h2:1/e"
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a FROM t WHERE b = :b AND c IN (:c0, :c1)",
         "SELECT a FROM t WHERE b = %(b)s AND c IN (%(c0)s, %(c1)s)"),
        ("SELECT x::text, ':no' FROM t WHERE y = :y", "SELECT x::text, ':no' FROM t WHERE y = %(y)s"),
        ("SELECT '50%', \"col:x\" FROM t WHERE p LIKE :p ESCAPE '\\'",
         "SELECT '50%%', \"col:x\" FROM t WHERE p ILIKE %(p)s ESCAPE '\\'"),
        ("SELECT 'it''s :x' WHERE a % 2 = :a", "SELECT 'it''s :x' WHERE a %% 2 = %(a)s"),
        ("SELECT unliked FROM likes", "SELECT unliked FROM likes"),
    ],
)  # fmt: skip
def test_sqla_reader_turns_named_parameters_into_psycopgs(sql: str, expected: str) -> None:
    assert pyformat(sql) == expected


# ---------------------------------------------------------------------------------- the command line


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A PostgreSQL URL on a loopback port bound but never listening: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"postgresql://ccdeck:hunter2@127.0.0.1:{sock.getsockname()[1]}/ccdeck"


@pytest.mark.parametrize("command", [["scan"], ["usage", "daily"], ["sessions"], ["search", "x"], ["status"]])
def test_a_server_that_is_down_is_one_line(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused_url: str, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config"
    write_report_config(config)
    dirs = [] if command == ["status"] else ["--config-dir", config]
    code, out, err = run_cli(capsys, *command, *dirs, "--db", refused_url)
    assert code == 2, out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "cannot use the database postgresql://ccdeck:***@127.0.0.1" in err
    assert "hunter2" not in err + out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]  # no file named like the URL


def test_a_bad_url_is_a_usage_error(capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "sessions", "--no-scan", "--db", "postgresql://ccdeck:hunter2@localhost")
    assert code == 2 and err.count("\n") == 1 and "names no database" in err and "hunter2" not in err
    monkeypatch.setenv("CCDECK_DB", "postgresql://ccdeck:hunter2@localhost:99999/x")
    code, _, err = run_cli(capsys, "sessions", "--no-scan")
    assert code == 2 and "CCDECK_DB=" in err and err.count("\n") == 1 and "hunter2" not in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_and_a_refused_login_are_one_line(capsys: Capsys, pg_server: PgCluster) -> None:
    missing = pg_server.url("no_such_database", password="hunter2")
    code, _, err = run_cli(capsys, "sessions", "--no-scan", "--db", missing)
    assert code == 2 and len(err.strip().splitlines()) == 1 and 'database "no_such_database" does not exist' in err
    assert "hunter2" not in err


def test_the_commands_read_and_write_a_postgresql_store(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    """scan, the reports (their fast sqlite3 paths step aside) and status, through the command line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config, sqlite_db = tmp_path / "config", tmp_path / "ccdeck.db"
    write_report_config(config)
    answers = {}
    for db in (pg_url, str(sqlite_db)):
        for command in (["scan"], ["usage", "daily", "--timezone", "UTC"], ["sessions"], ["usage", "session"]):
            code, out, err = run_cli(capsys, *command, "--config-dir", config, "--db", db, "--json")
            assert code == 0, err
            answers.setdefault(" ".join(command), []).append(out)
    for command in ("usage daily --timezone UTC", "sessions", "usage session"):
        on_postgres, on_sqlite = answers[command]
        assert on_postgres == on_sqlite, command
    code, out, _ = run_cli(capsys, "status", "--db", pg_url)
    assert code == 0 and "no runs in postgresql://ccdeck@127.0.0.1" in out
    assert not [p for p in tmp_path.rglob("*") if "postgres" in p.name or "127.0.0.1" in p.name]


# ------------------------------------------------------------------------------------- two processes


def _backends_waiting_for_a_lock(cluster: PgCluster, database: str) -> int:
    sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
    with psycopg.connect(cluster.url()) as conn:
        found = conn.execute(sql, (database,)).fetchone()
    return int(found[0]) if found else 0


def _wait_for_waiters(cluster: PgCluster, database: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while _backends_waiting_for_a_lock(cluster, database) < count:
        assert time.monotonic() < deadline, f"{count} writers never waited for the lock"
        time.sleep(0.05)


def test_two_processes_migrating_one_fresh_database_at_once(pg_server: PgCluster) -> None:
    """Both wait for the migration lock (held here), then one migrates and the other finds the schema at head."""
    name = pg_server.create_database()
    url = pg_server.url(name)
    opener = "import sys; from ccdeck.store.store import Store; Store.open(sys.argv[1]).close()"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with psycopg.connect(pg_server.url(name)) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (0x63636465636B,))
        children = [subprocess.Popen([sys.executable, "-c", opener, url], env=env, stderr=subprocess.PIPE)
                    for _ in range(2)]  # fmt: skip
        try:
            _wait_for_waiters(pg_server, name, 2)
        finally:
            holder.commit()  # lets them go
        results = [(child.wait(120), child.stderr.read().decode() if child.stderr else "") for child in children]
    assert [code for code, _ in results] == [0, 0], results
    assert query(url, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_the_session_list_index_orders_nulls_as_the_list_does(pg_url: str) -> None:
    """Newest first with NULLs last (and oldest first with NULLs first) can walk the index instead of sorting every
    session: PostgreSQL's index must hold NULLs first, as SQLite's does (migration 0012)."""
    from ccdeck.store.store import Store

    Store.open(pg_url).close()
    (definition,) = query(pg_url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sessions_last_activity'")
    assert definition[0].endswith("(last_activity NULLS FIRST)")


def test_two_writers_adding_to_one_session_both_count(tmp_path: Path, pg_server: PgCluster) -> None:
    """Two scans (two machines) add a response each to one session at the same moment: the session's sums hold
    both. Both are made to wait on the session's row (locked here) and then race for it."""
    name = pg_server.create_database()
    url = pg_server.url(name)
    configs = [tmp_path / f"machine{i}" for i in range(3)]
    for i, config in enumerate(configs):
        line = assistant(SID, f"2025-06-01T10:0{i}:00Z", msg_id=f"m{i}", u=usage(10, 100 * (i + 1), 0, 0))
        write_jsonl(transcript(config, "/work/app", SID), [line])
    scan(configs[0], url)
    errors: list[BaseException] = []

    def scan_in_thread(config: Path) -> None:
        try:
            scan(config, url)
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    with psycopg.connect(url) as holder:
        holder.execute("SELECT 1 FROM sessions WHERE session_id = %s FOR UPDATE", (SID,))
        threads = [threading.Thread(target=scan_in_thread, args=(c,)) for c in configs[1:]]
        for thread in threads:
            thread.start()
        try:
            _wait_for_waiters(pg_server, name, 2)
        finally:
            holder.commit()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert response_totals(url)["responses"] == 3
    row = session_row(url, SID)
    assert (row["responses"], row["output_tokens"], row["input_tokens"]) == (3, 600, 30)


class _Aborted(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"aborted ({sqlstate})")
        self.sqlstate = sqlstate


def test_a_transaction_lost_to_a_deadlock_runs_again_a_bounded_number_of_times() -> None:
    attempts: list[int] = []

    def deadlocked_twice() -> str:
        attempts.append(1)
        if len(attempts) <= 2:
            raise DBAPIError("UPDATE sessions …", None, _Aborted("40P01"))
        return "done"

    assert postgres.with_retries(deadlocked_twice, retries=5) == "done" and len(attempts) == 3

    def always_deadlocked() -> str:
        attempts.append(1)
        raise DBAPIError("UPDATE sessions …", None, _Aborted("40001"))

    attempts.clear()
    with pytest.raises(DBAPIError):
        postgres.with_retries(always_deadlocked, retries=3)
    assert len(attempts) == 4  # the first try and three more

    def a_real_error() -> str:
        attempts.append(1)
        raise DBAPIError("INSERT …", None, _Aborted("23505"))

    attempts.clear()
    with pytest.raises(DBAPIError):
        postgres.with_retries(a_real_error, retries=3)
    assert len(attempts) == 1
