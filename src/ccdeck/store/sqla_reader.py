"""The `Reader` on a SQLAlchemy connection: the same SQL text, handed to the driver as it is (`:name` parameters are
sqlite3's own), which spares each query the compilation of a `text()` construct."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from ccdeck.store.reader import Params


class SqlaReader:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return list(self.conn.exec_driver_sql(sql, dict(params or {})))

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return self.rows(sql, params)  # SQLAlchemy's rows name their columns already
