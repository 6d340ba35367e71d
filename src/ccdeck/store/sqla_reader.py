"""The `Reader` on a SQLAlchemy connection: the same SQL text, handed to the driver as it is, which spares each query
the compilation of a `text()` construct. `:name` parameters are sqlite3's own; for psycopg (PostgreSQL) the text
is rewritten once per query text (`%(name)s`, a literal `%` doubled; `::` casts and quoted text left alone), and
`LIKE` becomes `ILIKE`: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ccdeck.db_target import DbTarget
from ccdeck.errors import StoreError
from ccdeck.store.database import open_engine, reason
from ccdeck.store.reader import Params, cursor_dicts, pyformat


class SqlaReader:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self._sqlite = self.dialect == "sqlite"

    def _sql(self, sql: str) -> str:
        return sql if self._sqlite else pyformat(sql)

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return list(self.conn.exec_driver_sql(self._sql(sql), dict(params or {})))

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return self.rows(sql, params)  # SQLAlchemy's rows name their columns already

    def dicts(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        if not self._sqlite:
            result = self.conn.exec_driver_sql(self._sql(sql), dict(params or {}))
            return iter([dict(row) for row in result.mappings()])
        # Straight from the driver's cursor: building SQLAlchemy rows first costs most of the time on many rows.
        driver = cast(sqlite3.Connection, self.conn.connection.driver_connection)
        return cursor_dicts(driver.execute(sql, dict(params or {})))


@contextmanager
def autocommit_reader(target: DbTarget) -> Iterator[SqlaReader]:
    """A reader of its own on the database, each query a transaction of its own (it sees every commit made
    meanwhile): for a process that waits for another one's write. Its errors are `StoreError`s."""
    engine = open_engine(target)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            yield _Raising(conn)
    except DBAPIError as exc:
        raise StoreError(f"cannot read the database {target}: {reason(exc)}") from None
    finally:
        engine.dispose()


class _Raising(SqlaReader):
    """A `SqlaReader` whose queries raise `StoreError` rather than a driver's error."""

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        try:
            return super().rows(sql, params)
        except DBAPIError as exc:
            self.conn.rollback()
            raise StoreError(str(exc.orig)) from None
