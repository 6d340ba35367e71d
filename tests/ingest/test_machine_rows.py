"""Many machines, one database: rows carry their machine, cursors are per machine, a response counts once."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from ccdeck.store.database import HEAD_REVISION, MIGRATIONS
from ccdeck.store.store import Store
from core_fixtures import assistant, query, scan, transcript, usage, write_jsonl

ALPHA_SESSION = "aaaaaaaa-0000-4000-8000-000000000001"
BETA_SESSION = "bbbbbbbb-0000-4000-8000-000000000002"
BETA_RESUMED = "bbbbbbbb-0000-4000-8000-000000000003"


ZOO, FARM = "/home/dev/zoo", "/home/dev/farm"


def _answer(session: str, ts: str, msg: str, inp: int, out: int, cwd: str) -> dict:  # type: ignore[type-arg]
    return assistant(session, ts, msg_id=msg, request_id=f"req_{msg}", u=usage(inp, out), cwd=cwd)


def _two_machines(tmp_path: Path) -> tuple[Path, Path]:
    """Two config dirs, one per machine: alpha's session has two responses; beta's has one of its own, and a
    resumed session on beta starts with a copy of alpha's first response (same message and request ids)."""
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    write_jsonl(transcript(alpha, ZOO, ALPHA_SESSION), [
        _answer(ALPHA_SESSION, "2025-08-01T10:00:00Z", "m1", 100, 10, ZOO),
        _answer(ALPHA_SESSION, "2025-08-01T10:05:00Z", "m2", 200, 20, ZOO),
    ])  # fmt: skip
    write_jsonl(
        transcript(beta, FARM, BETA_SESSION), [_answer(BETA_SESSION, "2025-08-02T09:00:00Z", "m3", 1000, 100, FARM)]
    )
    write_jsonl(
        transcript(beta, ZOO, BETA_RESUMED), [_answer(BETA_RESUMED, "2025-08-01T10:00:00Z", "m1", 100, 10, ZOO)]
    )
    return alpha, beta


def _by_machine(db: Path | str) -> dict[str, tuple[int, int, int]]:
    rows = query(db, "SELECT machine, COUNT(*), SUM(input_tokens), SUM(output_tokens) FROM responses GROUP BY machine")
    return {machine: (n, i, o) for machine, n, i, o in rows}


def test_each_row_carries_its_machine_and_a_shared_response_counts_once(tmp_path: Path, db_target: Path | str) -> None:
    alpha, beta = _two_machines(tmp_path)
    db = db_target
    scan(alpha, db, machine="alpha")
    scan(beta, db, machine="beta")
    assert _by_machine(db) == {"alpha": (2, 300, 30), "beta": (1, 1000, 100)}  # m1 stays alpha's, once
    sessions = dict(query(db, "SELECT session_id, machine FROM sessions"))
    assert sessions[ALPHA_SESSION] == "alpha" and sessions[BETA_SESSION] == "beta"
    # The session counters come from the deduplicated responses: beta's copy of m1 adds nothing to alpha's session.
    assert query(db, "SELECT responses, input_tokens FROM sessions WHERE session_id = ?", (ALPHA_SESSION,)) == [
        (2, 300)
    ]
    assert query(db, "SELECT DISTINCT machine FROM files ORDER BY machine") == [("alpha",), ("beta",)]


def test_the_same_config_dir_on_two_machines_keeps_two_cursors(tmp_path: Path, db_target: Path | str) -> None:
    alpha, _ = _two_machines(tmp_path)
    db = db_target
    first = scan(alpha, db, machine="alpha")
    again = scan(alpha, db, machine="alpha")
    other = scan(alpha, db, machine="beta")
    assert first.bytes > 0 and again.bytes == 0  # alpha's own cursor: nothing new
    assert other.bytes == first.bytes  # beta has no cursor of its own yet: it reads the file
    paths = query(db, "SELECT path, machine FROM files WHERE kind = 'transcript' ORDER BY machine")
    assert [m for _, m in paths] == ["alpha", "beta"] and paths[0][0] == paths[1][0]
    assert _by_machine(db) == {"alpha": (2, 300, 30)}  # read twice, stored once
    assert query(db, "SELECT responses, machine FROM sessions") == [(2, "alpha")]  # the same lines: still alpha's


def test_cursors_are_read_per_machine(tmp_path: Path, db_target: Path | str) -> None:
    """A file that grows is read on from each machine's own cursor."""
    alpha, _ = _two_machines(tmp_path)
    db = db_target
    scan(alpha, db, machine="alpha")
    scan(alpha, db, machine="beta")
    path = transcript(alpha, ZOO, ALPHA_SESSION)
    write_jsonl(path, [assistant(ALPHA_SESSION, "2025-08-01T11:00:00Z", msg_id="m9", request_id="r9",
                                 u=usage(5, 5), cwd=ZOO)], mode="ab")  # fmt: skip
    scan(alpha, db, machine="beta")
    offsets = dict(query(db, 'SELECT machine, "offset" FROM files WHERE path = ?', (str(path),)))
    assert offsets["beta"] == path.stat().st_size > offsets["alpha"]
    assert _by_machine(db) == {"alpha": (2, 300, 30), "beta": (1, 5, 5)}
    # Newer lines than any stored: the session goes with the machine that wrote them.
    assert query(db, "SELECT machine, responses FROM sessions WHERE session_id = ?", (ALPHA_SESSION,)) == [("beta", 3)]


def _downgrade(db: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    alembic = Config()
    alembic.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        alembic.attributes["connection"] = conn
        command.downgrade(alembic, revision)
    engine.dispose()


# About an old SQLite file downgraded and migrated in place: SQLite only.
def test_migration_0009_keeps_the_rows_of_a_0008_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alpha, _ = _two_machines(tmp_path)
    db = tmp_path / "db.sqlite"
    scan(alpha, db, machine="old-host")
    before = query(db, "SELECT key, input_tokens FROM responses ORDER BY key")
    cursors = query(db, 'SELECT path, "offset" FROM files ORDER BY path')
    monkeypatch.setenv("CCDECK_MACHINE", "old-host")  # a downgrade keeps the cursors of the machine running it
    _downgrade(db, "0008")
    columns = {row[1] for row in query(db, "PRAGMA table_info(files)")}
    assert "machine" not in columns and query(db, "SELECT version_num FROM alembic_version") == [("0008",)]
    assert query(db, 'SELECT path, "offset" FROM files ORDER BY path') == cursors
    monkeypatch.setenv("CCDECK_MACHINE", "laptop")  # the machine running the migration names the rows it finds
    Store.open(db).close()
    assert query(db, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    assert query(db, "SELECT key, input_tokens FROM responses ORDER BY key") == before
    assert query(db, "SELECT DISTINCT machine FROM responses") == [("laptop",)]
    assert query(db, "SELECT DISTINCT machine FROM sessions") == [("laptop",)]
    assert query(db, "SELECT path, \"offset\" FROM files WHERE machine = 'laptop' ORDER BY path") == cursors
    # Its cursors are laptop's: a scan as laptop finds nothing new.
    assert scan(alpha, db, machine="laptop").bytes == 0
