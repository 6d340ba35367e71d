"""Opening the database: engine, pragmas, migrations, on SQLite (the embedded default) or PostgreSQL (a store
shared by several machines: `postgresql+psycopg`, see `store.postgres`).

SQLite runs in WAL mode so readers never block the writer and the writer never blocks readers, with
`synchronous=NORMAL`: in WAL that is still safe against a crash of the process (kill -9 loses nothing committed),
and only a power loss can drop the last transactions, which the next scan re-reads from Claude Code's files anyway.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from ccdeck.db_target import DbTarget, as_target, mask
from ccdeck.errors import StoreError
from ccdeck.store import pg_driver, postgres
from ccdeck.store.revision import HEAD_REVISION

MIGRATIONS = Path(__file__).with_name("migrations")

# SQLite's primary result codes that mean the file or its disk failed, not the query: what the user can act on.
_STORAGE_FAILURES = {
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_READONLY: "it is read-only",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_CANTOPEN: "it cannot be opened",
    sqlite3.SQLITE_IOERR: "disk I/O error",
    sqlite3.SQLITE_CORRUPT: "it is corrupt",
    sqlite3.SQLITE_NOTADB: "it is not a database",
    sqlite3.SQLITE_BUSY: "another process holds it locked",
}


def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # For a new database only (it must come before anything is written): transcripts' long texts fill fewer pages,
    # and the bulk writes of a first scan cost a fifth less. An existing database keeps its page size.
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # 8 MB of page cache per connection: the server holds several read connections, and its RSS matters more
    # than the last few percent of read speed.
    cursor.execute("PRAGMA cache_size=-8000")
    cursor.close()


def open_engine(db: DbTarget | Path) -> Engine:
    """An engine on the database (a SQLite file is created with its folder when missing), migrated to the newest
    schema. A database that cannot be used is a one-line `StoreError` (with a URL's password masked)."""
    target = as_target(db)
    engine = postgres.engine(target) if target.is_postgres else _sqlite_engine(target)
    try:
        migrate(engine)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise StoreError(f"cannot use the database {target}: {reason(exc)}") from None
    return engine


def _sqlite_engine(target: DbTarget) -> Engine:
    path = target.sqlite_path
    assert path is not None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the database folder {path.parent}: {exc.strerror}") from None
    engine = create_engine(target.sqlalchemy_url())
    event.listen(engine, "connect", _pragmas)
    return engine


def reason(exc: BaseException) -> str:
    """The driver's own words for a database error, on one line, with any password masked."""
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return pg_driver.reason(orig) if postgres.is_driver_error(orig) else mask(str(orig).strip())


def storage_error(path: DbTarget | Path | str, exc: BaseException) -> StoreError | None:
    """The one-line `StoreError` for a failure of the database file or its disk, or of the connection to a
    PostgreSQL server; None for any other error."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if orig is not None and postgres.is_connection_error(orig):
        return StoreError(f"cannot use the database {path}: {pg_driver.reason(orig)}")
    code = getattr(orig, "sqlite_errorcode", None)
    if not isinstance(code, int) or code & 0xFF not in _STORAGE_FAILURES:
        return None
    return StoreError(f"database {path} is not writable: {_STORAGE_FAILURES[code & 0xFF]} ({orig})")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    found: str | None = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return found


def migrate(engine: Engine) -> None:
    """Apply pending migrations. Alembic is loaded only when the schema is behind (it costs ~100 ms). Several
    processes may start on a fresh database at once (machines on PostgreSQL, commands on one SQLite file): the
    migration holds a lock (one migrates, the others wait and then find the schema at its head) -- PostgreSQL's
    advisory lock, or SQLite's write lock taken at once with BEGIN IMMEDIATE (the driver would otherwise run the
    DDL outside any transaction, and two processes would both create the tables)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        postgres.lock_migrations(conn)
        revision = _revision(conn)
        if revision != HEAD_REVISION:
            _upgrade(conn, revision)


def _upgrade(conn: Connection, revision: str | None) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    known = {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}
    if revision is not None and revision not in known:
        raise StoreError(f"the database was written by a newer ccdeck (schema {revision}); upgrade ccdeck")
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
