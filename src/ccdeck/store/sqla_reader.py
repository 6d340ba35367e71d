"""The `Reader` on a SQLAlchemy connection: the same SQL text, through `text()`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from ccdeck.store.reader import Params


class SqlaReader:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return list(self.conn.execute(text(sql), dict(params or {})))

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return self.rows(sql, params)  # SQLAlchemy's rows name their columns already
