"""A database per engine for a module's worth of tests (`db_target` is made per test): a SQLite file in `root`, or a
fresh database of the session's PostgreSQL cluster (`pg_server`; skipped with its reason when PostgreSQL is
missing), dropped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pg_cluster import PgCluster

ENGINES = ["sqlite", "postgresql"]


@contextmanager
def module_database(request: pytest.FixtureRequest, root: Path) -> Iterator[Path | str]:
    """For a fixture parametrised with `ENGINES`."""
    if request.param == "sqlite":
        yield root / "db.sqlite"
        return
    server: PgCluster = request.getfixturevalue("pg_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)
