"""A real scan into a real database, and reads of it with the driver alone (independently of ccdeck's store): the
standard library's `sqlite3` for a SQLite file, psycopg for a PostgreSQL URL (`db_target`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.store.store import Store


def scan(config: Path | Sequence[Path], db: Path | str, **options: Any) -> ScanStats:
    """One real scan into a real database (a SQLite file or a PostgreSQL URL), with the store closed afterwards;
    `options` go to the `Ingestor`."""
    dirs = [config] if isinstance(config, Path) else list(config)
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan(dirs)
    finally:
        store.close()


def is_postgres(db: Path | str) -> bool:
    return isinstance(db, str) and db.startswith("postgresql://")


def query(db: Path | str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the database with its driver alone, independently of ccdeck's store code (`?` parameters)."""
    if is_postgres(db):
        import psycopg  # only the PostgreSQL variants load it

        with psycopg.connect(str(db)) as pg:
            return [tuple(row) for row in pg.execute(sql.replace("?", "%s").encode(), params).fetchall()]
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")


def response_totals(db: Path | str) -> dict[str, int]:
    (row,) = query(
        db,
        "SELECT COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),"
        " COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0) FROM responses",
    )
    return dict(zip(("responses", *TOKEN_FIELDS), row, strict=True))


def session_row(db: Path | str, session: str) -> dict[str, Any]:
    if is_postgres(db):
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(str(db), row_factory=dict_row) as pg:
            found = pg.execute("SELECT * FROM sessions WHERE session_id = %s", (session,)).fetchone()
        assert found is not None, f"no session {session}"
        return dict(found)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM sessions WHERE session_id = ?", (session,)).fetchone()
    finally:
        conn.close()
    assert row is not None, f"no session {session}"
    return dict(row)


def committed_files(db: Path) -> int:
    """Committed cursors of either pass (usage, complete), read without ccdeck (read-only); 0 while the database
    does not exist yet."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            sql = "SELECT (SELECT COUNT(*) FROM files) + (SELECT COUNT(*) FROM usage_cursors)"
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
