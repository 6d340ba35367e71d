"""Fixtures of the ingest tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core_fixtures.database import is_postgres


@pytest.fixture
def another_db(
    request: pytest.FixtureRequest, tmp_path: Path, db_target: Path | str
) -> Iterator[Callable[[str], Path | str]]:
    """Makes more databases of `db_target`'s engine, for a test that compares two stores: `another_db("name")` is a
    SQLite file in `tmp_path`, or the URL of a fresh PostgreSQL database (dropped at the end)."""
    if not is_postgres(db_target):
        yield lambda name: tmp_path / f"{name}.db"
        return
    server = request.getfixturevalue("pg_server")
    made: list[str] = []

    def make(name: str) -> str:
        made.append(server.create_database())
        url: str = server.url(made[-1])
        return url

    try:
        yield make
    finally:
        for database in made:
            server.drop_database(database)
