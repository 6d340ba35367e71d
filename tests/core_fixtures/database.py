"""A real scan into a real SQLite file, and reads of it with the standard library (independently of ccdeck's store)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.store.store import Store


def scan(config: Path | Sequence[Path], db: Path, **options: Any) -> ScanStats:
    """One real scan into a real SQLite file, with the store closed afterwards; `options` go to the `Ingestor`."""
    dirs = [config] if isinstance(config, Path) else list(config)
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan(dirs)
    finally:
        store.close()


def query(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the database with the standard library, independently of ccdeck's store code."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")


def response_totals(db: Path) -> dict[str, int]:
    (row,) = query(
        db,
        "SELECT COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),"
        " COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0) FROM responses",
    )
    return dict(zip(("responses", *TOKEN_FIELDS), row, strict=True))


def session_row(db: Path, session: str) -> dict[str, Any]:
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
