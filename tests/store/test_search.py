"""Full-text search on a real store: incremental indexing, no duplicates on re-reads, titles, hostile queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from ccdeck.errors import UsageError
from ccdeck.store.database import MIGRATIONS
from ccdeck.store.search import MARK_END, MARK_START, MAX_QUERY_CHARS, MAX_QUERY_WORDS, Hit, fts_query, search
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import assistant, query, scan, tool_use, transcript, user_prompt, write_jsonl
from store.engines import ENGINES, module_database

SID = "5e55a000-0000-4000-8000-000000000001"
OTHER = "5e55a000-0000-4000-8000-000000000002"


def _find(
    db: Path | str, text: str, project: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[Hit], int]:
    store = Store.open(db)
    try:
        with store.read() as conn:
            return search(SqlaReader(conn), text, project, limit, offset)
    finally:
        store.close()


def _indexed(db: Path | str) -> tuple[int, int]:
    """(rows in the events index, events of the indexed kinds). PostgreSQL searches without an index: there, the
    first figure counts the events too."""
    events = query(db, "SELECT COUNT(*) FROM events WHERE kind IN ('prompt', 'answer', 'tool_use')")[0][0]
    if not isinstance(db, Path):
        return events, events
    index = query(db, "SELECT COUNT(*) FROM events_fts_docsize")[0][0]
    return index, events


def _first_lines(path: Path) -> None:
    write_jsonl(path, [
        user_prompt(SID, "2025-03-10T10:00:00Z", "Please refactor the wombat parser"),
        assistant(SID, "2025-03-10T10:00:05Z", msg_id="m1",
                  content=[{"type": "text", "text": "The wombat parser is refactored."}]),
    ])  # fmt: skip


def test_scan_indexes_new_lines_once(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/home/dev/zoo", SID)
    _first_lines(path)
    scan(config, db)
    hits, total = _find(db, "wombat")
    assert total == 2 and [h.kind for h in hits] == ["answer", "prompt"]  # newest first
    assert hits[0].snippet == f"The {MARK_START}wombat{MARK_END} parser is refactored."
    assert hits[0].session_id == SID and hits[0].project_path == "/home/dev/proj"
    assert _find(db, "quokka")[1] == 0

    write_jsonl(path, [
        user_prompt(SID, "2025-03-10T11:00:00Z", "now the quokka"),
        assistant(SID, "2025-03-10T11:00:05Z", msg_id="m2",
                  content=[tool_use("Bash", {"command": "grep -r quokka src/"})]),
    ], mode="ab")  # fmt: skip
    scan(config, db)
    hits, total = _find(db, "quokka")
    assert total == 2 and [h.kind for h in hits] == ["tool", "prompt"]
    assert MARK_START + "quokka" + MARK_END in hits[0].snippet

    before = _indexed(db)
    scan(config, db)  # nothing new
    _forget_cursors(db)
    scan(config, db)  # every file read again from the start
    assert _indexed(db) == before and before[0] == before[1] == 4
    assert _find(db, "wombat")[1] == 2 and _find(db, "quokka")[1] == 2


def _forget_cursors(db: Path | str) -> None:
    """As if no file had been read: the next scan reads every file from its first byte."""
    with Store.open(db) as store:
        store.write(lambda conn: conn.exec_driver_sql("DELETE FROM files"))


def test_titles_follow_renames(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/home/dev/zoo", SID)
    _first_lines(path)
    write_jsonl(path, [{"type": "custom-title", "customTitle": "Marsupial cleanup", "sessionId": SID}], mode="ab")
    scan(config, db)
    hits, _ = _find(db, "marsupial")
    assert [(h.kind, h.title) for h in hits] == [("title", "Marsupial cleanup")]
    write_jsonl(path, [{"type": "custom-title", "customTitle": "Platypus work", "sessionId": SID}], mode="ab")
    scan(config, db)
    assert _find(db, "marsupial")[1] == 0
    assert [h.kind for h in _find(db, "platypus")[0]] == ["title"]


def test_project_filter_and_pages(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    _first_lines(transcript(config, "/home/dev/zoo", SID))
    write_jsonl(transcript(config, "/home/dev/farm", OTHER), [
        user_prompt(OTHER, "2025-03-11T09:00:00Z", "a wombat on the farm", cwd="/home/dev/farm"),
    ])  # fmt: skip
    scan(config, db)
    assert _find(db, "wombat")[1] == 3
    assert [h.session_id for h in _find(db, "wombat", project="farm")[0]] == [OTHER]
    page, total = _find(db, "wombat", limit=1, offset=1)
    assert total == 3 and [h.kind for h in page] == ["answer"]


def test_migration_backfills_existing_rows(tmp_path: Path) -> None:  # SQLite's FTS5 index
    config, db = tmp_path / "config", tmp_path / "c.db"
    _first_lines(transcript(config, "/home/dev/zoo", SID))
    scan(config, db)
    engine = create_engine(f"sqlite:///{db}")
    alembic = Config()
    alembic.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        alembic.attributes["connection"] = conn
        command.downgrade(alembic, "0004")
    assert not query(db, "SELECT name FROM sqlite_master WHERE name LIKE '%fts%'")
    engine.dispose()
    assert _find(db, "wombat")[1] == 2  # opening the store upgrades, and 0005 indexes what is there
    assert _indexed(db) == (2, 2)


HOSTILE = ['"', '""', "*", "wombat*", "NEAR(", "NEAR(wombat", "AND OR", "OR", "NOT wombat", "wombat -parser",
           "^wombat", "col:wombat", "text:wombat", "(", ")", "{text}: x", "'", "\\", "\x00", "\u200b", "🦘",
           "日本語", "café", "x" * MAX_QUERY_CHARS, " ".join(["wombat"] * MAX_QUERY_WORDS)]  # fmt: skip


@pytest.fixture(scope="module", params=ENGINES)
def hostile_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """One store per engine for every hostile query (they only read)."""
    root = tmp_path_factory.mktemp("hostile")
    write_jsonl(transcript(root / "config", "/home/dev/zoo", SID), [
        user_prompt(SID, "2025-03-10T10:00:00Z", 'wombat NEAR( "quoted" AND OR café 日本語 🦘 text:wombat'),
    ])  # fmt: skip
    with module_database(request, root) as db:
        scan(root / "config", db)
        yield db


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_are_words(hostile_store: Path | str, text: str) -> None:
    hits, total = _find(hostile_store, text)
    assert total == len(hits)


def test_hostile_queries_find_their_words(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, "/home/dev/zoo", SID), [
        user_prompt(SID, "2025-03-10T10:00:00Z", 'wombat NEAR( "quoted" AND OR café 日本語 🦘'),
    ])  # fmt: skip
    scan(config, db)
    # FTS5 folds accents (`cafe` finds `café`); PostgreSQL's search without an index does not.
    folded = ("cafe",) if isinstance(db, Path) else ()
    for text in ("NEAR(", "AND OR", *folded, "CAFÉ", "日本語", '"quoted"', "wombat*"):
        assert _find(db, text)[1] == 1, text
    for text in ('"', "*", "()", "", "   "):
        assert _find(db, text) == ([], 0), text
    assert _find(db, "wombat missing")[1] == 0  # every word must be there


def test_queries_too_long_are_usage_errors() -> None:
    assert fts_query('a "b"') == '"a" """b"""'
    with pytest.raises(UsageError):
        fts_query("x" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(UsageError):
        fts_query(" ".join(["w"] * (MAX_QUERY_WORDS + 1)))
