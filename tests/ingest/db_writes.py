"""Writes to a test's database with its driver alone (`?` parameters), on either engine of `db_target`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core_fixtures.database import is_postgres


def execute(db: Path | str, sql: str, params: Sequence[Any] = ()) -> None:
    """Run one statement that returns no rows (an UPDATE, a DELETE), committed at once."""
    if is_postgres(db):
        import psycopg  # only the PostgreSQL variants load it

        with psycopg.connect(str(db)) as pg:
            pg.execute(sql.replace("?", "%s").encode(), params)
        return
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()
