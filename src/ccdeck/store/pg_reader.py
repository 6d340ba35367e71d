"""The command line's fast path on a PostgreSQL store: psycopg straight, without SQLAlchemy (whose import alone
costs more than a warm report takes), as `reader.open_current` is for a SQLite file.

`open_current_pg` gives a read-only connection in one REPEATABLE READ transaction (a report's queries see one
state, as on a SQLite snapshot) when the schema is at this version's head; None otherwise, or on an error of a
query: the full store then opens, migrates and reports errors as every command does. A server it cannot reach is
the same one-line error the full store would give, at once (not after a second connection timeout).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ccdeck.db_target import DbTarget
from ccdeck.errors import StoreError
from ccdeck.store.pg_driver import CONNECT_ARGS, libpq_url, numbers_as_sqlite_gives_them, reason
from ccdeck.store.reader import Params, pyformat
from ccdeck.store.revision import HEAD_REVISION

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)


class PgReader:
    """A `Reader` on a psycopg connection (open it with `open_current_pg`)."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        return self.conn.execute(pyformat(sql).encode(), dict(params or {})).fetchall()

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        from psycopg.rows import namedtuple_row

        with self.conn.cursor(row_factory=namedtuple_row) as cursor:
            return cursor.execute(pyformat(sql).encode(), dict(params or {})).fetchall()

    def dicts(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self.conn.cursor(row_factory=dict_row) as cursor:
            return iter(cursor.execute(pyformat(sql).encode(), dict(params or {})).fetchall())


def open_current_pg(target: DbTarget) -> psycopg.Connection[Any] | None:
    """A read-only connection to the PostgreSQL database of `target` when its schema is at this version's head;
    None otherwise (unreachable, missing, behind or ahead: the full store deals with it)."""
    assert target.url is not None
    import psycopg

    try:
        conn = psycopg.connect(libpq_url(target.url), **CONNECT_ARGS)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise StoreError(f"cannot use the database {target}: {reason(exc)}") from None
    try:
        numbers_as_sqlite_gives_them(conn)
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        found = conn.execute(b"SELECT version_num FROM alembic_version").fetchall()
    except psycopg.Error as exc:
        log.debug("no fast read of %s: %s", target, exc)
        conn.close()
        return None
    if found != [(HEAD_REVISION,)]:
        conn.close()
        return None
    return conn
