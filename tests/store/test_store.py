"""The SQLite store: migrations, schema, WAL, errors, the writer thread, batches."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from ccdeck.errors import StoreError
from ccdeck.store import schema
from ccdeck.store.database import HEAD_REVISION, MIGRATIONS
from ccdeck.store.store import Store
from core_fixtures import assistant, query, scan, transcript, usage, write_jsonl

VERSIONS = Path(__file__).resolve().parents[2] / "src" / "ccdeck" / "store" / "migrations" / "versions"


def _script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_fresh_database_is_at_head(db_target: Path | str) -> None:
    Store.open(db_target).close()
    assert query(db_target, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_a_sqlite_file_is_created_with_its_folders(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "dir" / "ccdeck.db"
    Store.open(db).close()
    assert query(db, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def test_head_revision_is_the_newest_migration_script() -> None:
    assert _script_directory().get_current_head() == HEAD_REVISION
    # Independently of alembic: the revision no other script names as its down_revision.
    revisions, downs = set(), set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text()
        revisions.add(re.search(r'^revision = "([^"]+)"', source, re.M).group(1))  # type: ignore[union-attr]
        down = re.search(r"^down_revision = (None|\"[^\"]+\")", source, re.M).group(1)  # type: ignore[union-attr]
        if down != "None":
            downs.add(down.strip('"'))
    assert revisions - downs == {HEAD_REVISION}


def test_migrations_create_the_declared_schema(tmp_path: Path) -> None:  # SQLite's PRAGMAs
    db = tmp_path / "ccdeck.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    try:
        for table in schema.metadata.sorted_tables:
            info = conn.execute(f"PRAGMA table_info({table.name})").fetchall()
            columns = {row[1]: (bool(row[3]), row[5] > 0) for row in info}
            declared = {c.name: (not c.nullable, c.primary_key) for c in table.columns}
            assert columns == declared, table.name
            indexes = {row[1] for row in conn.execute(f"PRAGMA index_list({table.name})") if row[3] == "c"}
            assert indexes == {ix.name for ix in table.indexes}, table.name
    finally:
        conn.close()


def test_migrations_create_the_declared_columns_and_indexes(db_target: Path | str) -> None:
    """The same check through SQLAlchemy's inspector, on either engine."""
    with Store.open(db_target) as store:
        inspector = inspect(store.engine)
        for table in schema.metadata.sorted_tables:
            primary = set(inspector.get_pk_constraint(table.name)["constrained_columns"])
            columns = {c["name"]: (not c["nullable"], c["name"] in primary) for c in inspector.get_columns(table.name)}
            declared = {c.name: (not c.nullable, c.primary_key) for c in table.columns}
            assert columns == declared, table.name
            indexes = {ix["name"] for ix in inspector.get_indexes(table.name)}
            assert indexes == {ix.name for ix in table.indexes}, table.name


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "ccdeck.db"
    Store.open(db).close()
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


def test_newer_schema_is_refused(db_target: Path | str) -> None:
    db = db_target
    with Store.open(db) as store:
        future = "UPDATE alembic_version SET version_num = '9999_from_the_future'"
        store.write(lambda conn: conn.exec_driver_sql(future))
    with pytest.raises(StoreError, match="newer"):
        Store.open(db)


def test_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    db = tmp_path / "ccdeck.db"
    db.write_bytes(b"this is not a database, just some garbage bytes " * 200)
    with pytest.raises(StoreError, match="cannot use the database"):
        Store.open(db)
    # The file is left as it was.
    assert db.read_bytes().startswith(b"this is not a database")


def test_database_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        Store.open(blocker / "ccdeck.db")


def test_reopening_keeps_the_data(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, "/p", "s1"), [assistant("s1", "2025-08-01T10:00:00.000Z", u=usage(1, 2, 3, 4))])
    scan(config, db)
    with Store.open(db) as store, store.read() as conn:
        assert conn.execute(select(schema.responses.c.output_tokens)).scalars().all() == [2]
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION


def test_writer_runs_each_call_in_one_transaction(db_target: Path | str) -> None:
    db = db_target
    with Store.open(db) as store:
        row = {"leaf_uuid": "leaf", "text": "t"}

        def insert_then_fail(conn):  # type: ignore[no-untyped-def]
            conn.execute(schema.summaries.insert(), row)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            store.write(insert_then_fail)
        with store.read() as conn:
            assert conn.execute(select(schema.summaries)).all() == []
        # The writer thread survives a failed job.
        store.write(lambda conn: conn.execute(schema.summaries.insert(), row))
        with store.read() as conn:
            assert conn.execute(select(schema.summaries.c.text)).scalars().all() == ["t"]


def test_scan_commits_the_cursor_with_the_rows(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", "s1")
    size = write_jsonl(path, [assistant("s1", "2025-08-01T10:00:00.000Z", u=usage(1, 2, 3, 4))])
    scan(config, db)
    st = path.stat()
    assert query(
        db, 'SELECT path, config_dir, kind, device, inode, size, "offset", lines, session_hint FROM files'
    ) == [(str(path), str(config), "transcript", st.st_dev, st.st_ino, size, size, 1, "s1")]
