"""What the store does differently on PostgreSQL (`postgresql+psycopg`, psycopg 3): the engine, its errors as one
line, the migration lock, the retry of a transaction that lost a deadlock, and the column types.

The driver is imported only when a PostgreSQL target is opened: the SQLite store never loads it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Integer, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles

from ccdeck.db_target import DbTarget
from ccdeck.store.pg_driver import CONNECT_ARGS, numbers_as_sqlite_gives_them

log = logging.getLogger(__name__)
T = TypeVar("T")

# Any constant: the key of the advisory lock every ccdeck holds while it migrates a PostgreSQL database.
MIGRATION_LOCK = 0x63636465636B  # "ccdeck"
RETRIES = 5
# SQLSTATEs after which the whole transaction may simply run again: serialization failure, deadlock detected.
_RETRYABLE = frozenset({"40001", "40P01"})


# SQLite's INTEGER holds 64 bits; PostgreSQL's holds 32, too few for byte offsets, inodes, nanosecond mtimes and
# token totals. Every `Integer` column of the schema (and its migrations) is a BIGINT on PostgreSQL. Only columns:
# a parameter's cast (`%(x)s::INTEGER`, as in SQLAlchemy's own catalogue queries) keeps its type.
@compiles(Integer, "postgresql")
def _bigint(type_: Integer, compiler: Any, **kw: Any) -> str:
    return "BIGINT" if kw.get("type_expression") is not None else str(compiler.visit_INTEGER(type_, **kw))


def engine(target: DbTarget) -> Engine:
    """An engine on the PostgreSQL database (nothing is connected yet). `pool_pre_ping`: a server restarted
    while `serve` runs costs a reconnect, not a failed request."""
    created = create_engine(
        target.sqlalchemy_url(),
        pool_pre_ping=True,
        connect_args=dict(CONNECT_ARGS),
    )
    event.listen(created, "connect", lambda conn, _record: numbers_as_sqlite_gives_them(conn))
    return created


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def is_driver_error(exc: BaseException | None) -> bool:
    return exc is not None and type(exc).__module__.split(".")[0] == "psycopg"


def is_connection_error(exc: BaseException | None) -> bool:
    """A failure to reach or keep the server (down, refused, authentication, missing database): the driver's
    OperationalError, which has no SQLSTATE of a statement."""
    return is_driver_error(exc) and type(exc).__name__ == "OperationalError"


def lock_migrations(conn: Connection) -> None:
    """On PostgreSQL, wait for the migration lock (held to the end of `conn`'s transaction); nothing on SQLite,
    where the file's write lock already does it."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def is_retryable(exc: BaseException) -> bool:
    """A transaction PostgreSQL aborted only because another one ran at the same time."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in _RETRYABLE


def with_retries(run: Callable[[], T], retries: int = RETRIES) -> T:
    """`run()` (one whole transaction), again when PostgreSQL aborted it for a deadlock or a serialization
    failure, at most `retries` more times."""
    for attempt in range(retries):
        try:
            return run()
        except DBAPIError as exc:
            if not is_retryable(exc):
                raise
            log.debug("transaction aborted by a concurrent one (attempt %d): %s", attempt + 1, exc.orig)
    return run()
