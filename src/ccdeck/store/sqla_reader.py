"""The `Reader` on a SQLAlchemy connection: the same SQL text, handed to the driver as it is (`:name` parameters are
sqlite3's own), which spares each query the compilation of a `text()` construct."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Connection

from ccdeck.store.reader import Params, cursor_dicts


class SqlaReader:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return list(self.conn.exec_driver_sql(sql, dict(params or {})))

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return self.rows(sql, params)  # SQLAlchemy's rows name their columns already

    def dicts(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        # Straight from the driver's cursor: building SQLAlchemy rows first costs most of the time on many rows.
        driver = cast(sqlite3.Connection, self.conn.connection.driver_connection)
        return cursor_dicts(driver.execute(sql, dict(params or {})))
