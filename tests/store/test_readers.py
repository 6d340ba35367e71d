"""The same reports through both readers: the command line's warm path (the standard library's read-only `sqlite3`
on a SQLite file, psycopg alone on PostgreSQL) and SQLAlchemy (the server, and the command line after a scan wrote
something) give byte-identical JSON, on either engine. Also: when the warm path may be taken
(`freshness.nothing_new`, `reader.open_current`, `pg_reader.open_current_pg`)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from sqlalchemy import create_engine

import synthetic
from ccdeck.config import MACHINE
from ccdeck.db_target import as_target
from ccdeck.ingest.freshness import nothing_new
from ccdeck.ingest.pipeline import Ingestor
from ccdeck.reports.blocks import blocks_report
from ccdeck.reports.filters import Filters
from ccdeck.reports.periods import period_report
from ccdeck.reports.search_report import search_report
from ccdeck.reports.session_detail import projects_json, session_detail, timeline
from ccdeck.reports.session_report import session_json, session_report
from ccdeck.reports.summary import stored_summary
from ccdeck.store import session_queries, usage_queries
from ccdeck.store.pg_reader import PgReader, open_current_pg
from ccdeck.store.reader import Reader, SqliteReader, as_mapping, open_current
from ccdeck.store.session_queries import SessionQuery
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import scan
from store.engines import ENGINES, module_database

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
Report = Callable[[Reader], Any]


def _sessions(query: SessionQuery) -> Report:
    return lambda r: [session_json(row) for row in session_queries.list_sessions(r, query)[0]]


def _page(r: Reader, query: SessionQuery) -> tuple[list[Any], int]:
    rows, total = session_queries.list_sessions(r, query)
    return [session_json(row) for row in rows], total


def _busiest(r: Reader) -> str:
    """The session with the most events (a subagent, files changed and a long timeline, most likely)."""
    found: str = r.rows("SELECT session_id FROM events GROUP BY session_id ORDER BY COUNT(*) DESC, 1 LIMIT 1")[0][0]
    return found


def _a_word(r: Reader) -> str:
    """A word of the first prompt stored: one the search finds."""
    prompt: str = r.rows("SELECT text FROM events WHERE kind = 'prompt' ORDER BY ts, key LIMIT 1")[0][0]
    return max(prompt.split(), key=len)


REPORTS: dict[str, Report] = {
    "daily": lambda r: period_report(r, Filters.from_cli(None, None, "UTC"), "daily"),
    "daily in Kolkata": lambda r: period_report(r, Filters.from_cli(None, None, "Asia/Kolkata"), "daily"),
    "weekly": lambda r: period_report(r, Filters.from_cli(None, None, "America/New_York"), "weekly"),
    "monthly since": lambda r: period_report(r, Filters.from_cli("2025-06-01", None, "UTC"), "monthly"),
    "daily of a project": lambda r: period_report(r, Filters.from_cli(None, None, "UTC", "a"), "daily"),
    "session": lambda r: session_report(r, Filters.from_cli(None, None, "UTC"), with_empty=False),
    "session --all": lambda r: session_report(r, Filters.from_cli(None, None, "UTC")),
    "session until": lambda r: session_report(r, Filters.from_cli(None, "2025-09-30", "UTC"), limit=5),
    "blocks": lambda r: blocks_report(r, Filters.from_cli(None, None, "UTC"), now=NOW),
    "blocks of a project": lambda r: blocks_report(r, Filters.from_cli(None, None, "UTC", "e"), now=NOW),
    "registry": session_queries.live_registry,
    "session facts": lambda r: [tuple(row) for row in session_queries.session_facts(r)],
    "sessions list": _sessions(SessionQuery()),
    "sessions page by cost": _sessions(SessionQuery(sort="cost", descending=False, limit=7, offset=3)),
    "sessions of a project": _sessions(SessionQuery(project="a", since=NOW - 400 * 86400, sort="tokens")),
    "sessions by id": lambda r: [session_json(row) for row in session_queries.sessions_by_id(r, [_busiest(r), "no"])],
    "sessions page and count": lambda r: _page(r, SessionQuery(q="a", limit=2)),
    "recent sessions": lambda r: sorted(session_queries.recent_session_ids(r, NOW - 200 * 86400, ["x"])),
    "projects": lambda r: projects_json(session_queries.projects(r), lambda _: "ended"),
    "detail": lambda r: session_detail(r, _busiest(r), session_json),
    "timeline": lambda r: timeline(r, _busiest(r), 50, 10, None, True),
    "overview": lambda r: stored_summary(r, datetime.fromtimestamp(NOW, UTC)),
    "usage by model": lambda r: [tuple(row) for row in usage_queries.usage_by_model(r)],
    "search": lambda r: search_report(r, _a_word(r), None, 20),
}


def _registry_entry(config: Path, pid: int, status: str) -> None:
    folder = config / "sessions"
    folder.mkdir(exist_ok=True)
    entry = {"pid": pid, "sessionId": "0000-live", "cwd": "/w", "startedAt": 1_767_000_000_000, "status": status}
    (folder / f"{pid}.json").write_bytes(orjson.dumps(entry))


@contextmanager
def fast_reader(db: Path | str) -> Iterator[Reader]:
    """The command line's warm path on the database: `sqlite3` on a file, psycopg alone on a URL."""
    raw: Any = open_current(db) if isinstance(db, Path) else open_current_pg(as_target(db))
    assert raw is not None
    try:
        yield SqliteReader(raw) if isinstance(db, Path) else PgReader(raw)
    finally:
        raw.close()


@pytest.fixture(scope="module", params=ENGINES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path | str]]:
    """One scanned store per engine for the whole module."""
    root = tmp_path_factory.mktemp("readers")
    config = root / "config"
    synthetic.generate(config, synthetic.Params(size_mb=1.0, max_file_mb=0.25, seed=5))
    _registry_entry(config, os.getpid(), "busy")
    with module_database(request, root) as db:
        scan(config, db)
        yield config, db


@pytest.mark.parametrize("name", list(REPORTS))
def test_both_readers_give_the_same_bytes(world: tuple[Path, Path | str], name: str) -> None:
    _, db = world
    with fast_reader(db) as reader:
        fast = orjson.dumps(REPORTS[name](reader), default=repr)
    with Store.open(db) as store, store.read() as conn:
        full = orjson.dumps(REPORTS[name](SqlaReader(conn)), default=repr)
    assert fast == full
    assert len(fast) > 20  # the generated store has rows for every report


def test_a_list_of_ids_goes_in_whole_and_an_empty_one_matches_nothing(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    synthetic.generate(tmp_path / "config", synthetic.Params(size_mb=0.2, max_file_mb=0.1, seed=2))
    scan(tmp_path / "config", db)
    with Store.open(db) as store, store.read() as conn:
        reader = SqlaReader(conn)
        stored = sorted(row.session_id for row in session_queries.sessions_by_id(reader, [_busiest(reader)]))
        many = [f"absent-{i}" for i in range(1200)] + stored  # past SQLite's old 999 bound parameters
        assert sorted(row.session_id for row in session_queries.sessions_by_id(reader, many)) == stored
        assert session_queries.sessions_by_id(reader, []) == []
        assert session_queries.list_sessions(reader, SessionQuery(ids=[])) == ([], 0)
        assert session_queries.list_sessions(reader, SessionQuery(ids=stored))[1] == 1
        assert session_queries.recent_session_ids(reader, float("inf"), []) == []


def _fresh(config: Path, db: Path | str) -> bool:
    with fast_reader(db) as reader:
        return nothing_new(reader, MACHINE.default(), [config])


@pytest.fixture
def scanned(tmp_path: Path, db_target: Path | str) -> tuple[Path, Path | str]:
    config = tmp_path / "config"
    synthetic.generate(config, synthetic.Params(size_mb=0.2, max_file_mb=0.1, seed=2))
    _registry_entry(config, os.getpid(), "busy")
    scan(config, db_target)
    return config, db_target


def _a_transcript(config: Path) -> Path:
    return next(iter(sorted((config / "projects").rglob("*.jsonl"))))


def test_nothing_new_after_a_scan(scanned: tuple[Path, Path | str]) -> None:
    assert _fresh(*scanned)


def test_an_appended_line_is_new(scanned: tuple[Path, Path | str]) -> None:
    config, db = scanned
    with _a_transcript(config).open("ab") as file:
        file.write(b'{"type":"user"}\n')
    assert not _fresh(config, db)
    scan(config, db)
    assert _fresh(config, db)


def test_a_touched_file_is_new(scanned: tuple[Path, Path | str]) -> None:
    config, db = scanned
    path = _a_transcript(config)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert not _fresh(config, db)


def test_a_new_transcript_is_new(scanned: tuple[Path, Path | str]) -> None:
    config, db = scanned
    path = _a_transcript(config)
    (path.parent / "ffffffff-0000-0000-0000-000000000000.jsonl").write_bytes(path.read_bytes())
    assert not _fresh(config, db)


def test_a_registry_change_is_new(scanned: tuple[Path, Path | str]) -> None:
    config, db = scanned
    _registry_entry(config, os.getpid(), "idle")
    assert not _fresh(config, db)
    scan(config, db)
    assert _fresh(config, db)
    (config / "sessions" / f"{os.getpid()}.json").unlink()
    assert not _fresh(config, db)


def test_a_refused_file_goes_the_full_way(scanned: tuple[Path, Path | str]) -> None:
    config, db = scanned
    os.mkfifo(_a_transcript(config).parent / "eeeeeeee-0000-0000-0000-000000000000.jsonl")
    assert not _fresh(config, db)  # the scan logs it: the full path does


def test_open_current_wants_a_sqlite_file(tmp_path: Path) -> None:
    assert open_current(tmp_path / "missing.db") is None
    (tmp_path / "not.db").write_bytes(b"not a database, not at all" * 100)
    assert open_current(tmp_path / "not.db") is None


def test_the_warm_path_wants_the_head_schema(scanned: tuple[Path, Path | str]) -> None:
    _, db = scanned
    with Store.open(db) as store:
        store.write(lambda conn: conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0005'"))
    if isinstance(db, Path):
        assert open_current(db) is None
    else:
        assert open_current_pg(as_target(db)) is None


def test_the_warm_reader_cannot_write(scanned: tuple[Path, Path | str]) -> None:
    _, db = scanned
    with fast_reader(db) as reader, pytest.raises((sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)):
        reader.rows("DELETE FROM sessions")


def test_after_a_usage_only_scan_usage_reports_may_read_as_is(tmp_path: Path, db_target: Path | str) -> None:
    """A first `usage` command on a big backlog stops after the usage pass: the next one needs no scan, while a
    command that needs the rest (a complete scan) still goes the full way."""
    config, db = tmp_path / "config", db_target
    synthetic.generate(config, synthetic.Params(size_mb=0.2, max_file_mb=0.1, seed=2))
    with Store.open(db) as store:
        Ingestor(store, pool_bytes=0, workers=0).scan([config], None, "usage")
    with fast_reader(db) as reader:
        assert nothing_new(reader, MACHINE.default(), [config], "usage")
        assert not nothing_new(reader, MACHINE.default(), [config], "full")
        with _a_transcript(config).open("ab") as file:
            file.write(b'{"type":"user"}\n')
        assert not nothing_new(reader, MACHINE.default(), [config], "usage")


def test_a_record_reads_as_a_mapping_whichever_reader_read_it(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id TEXT, n INTEGER)")
        conn.execute("INSERT INTO t VALUES ('a', 1)")
    sql = "SELECT id, n FROM t WHERE id = :id"
    raw = sqlite3.connect(db)
    engine = create_engine(f"sqlite:///{db}")
    try:
        (plain,) = SqliteReader(raw).records(sql, {"id": "a"})
        with engine.connect() as conn:
            (sqla,) = SqlaReader(conn).records(sql, {"id": "a"})
            assert dict(as_mapping(plain)) == dict(as_mapping(sqla)) == {"id": "a", "n": 1}
    finally:
        raw.close()
        engine.dispose()
