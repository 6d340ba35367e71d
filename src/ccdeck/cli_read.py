"""How a report command reads: straight from the database with the standard library's `sqlite3` (or psycopg
alone, for a PostgreSQL store) when nothing needs writing, else through the full store (`cli_ingest`).

Importing SQLAlchemy alone costs more than a warm report may take, so when the database exists at this version's
schema and a scan would find nothing new (`ingest.freshness`), the report runs on a read-only `sqlite3` connection
(`store.pg_reader` on PostgreSQL): the same SQL, the same rows, the same output. Anything else (no database, an
older or newer schema, a changed transcript, a refused file the scan would log, a database error) goes the full
way, which creates, migrates, ingests and reports errors as every command does.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ccdeck.config import MACHINE, Config
from ccdeck.ingest.freshness import nothing_new
from ccdeck.store.reader import Reader, SqliteReader, open_current

if TYPE_CHECKING:
    from rich.console import Console

    from ccdeck.ingest.pipeline import Depth

log = logging.getLogger(__name__)
T = TypeVar("T")


def read_after_scan(
    cfg: Config, scan: bool, read: Callable[[Reader], T], stderr: Callable[[], Console], depth: Depth = "full"
) -> T:
    """Ingest what is new (unless `--no-scan`: `scan` False) as far as `depth`, then `read`; `stderr` makes the
    console a progress bar would use."""
    answer = read_as_is(cfg, scan, read, depth)
    if answer is not None:
        return answer[0]
    from ccdeck import cli_ingest

    return cli_ingest.read_after_scan(cfg, scan, read, stderr(), depth)


def read_as_is(cfg: Config, scan: bool, read: Callable[[Reader], T], depth: Depth = "full") -> tuple[T] | None:
    """`(read's answer,)` from the database as it is, when it is at this schema and (with `scan`) a scan as far as
    `depth` would change nothing; None when the full store must do it."""
    path = cfg.db.sqlite_path
    if path is None:
        return _read_postgresql_as_is(cfg, scan, read, depth)
    conn = open_current(path)
    if conn is None:
        return None
    try:
        return _read_as_is(cfg, scan, read, depth, SqliteReader(conn))
    except sqlite3.Error as exc:
        log.debug("reading %s with sqlite3 failed, opening the store: %s", cfg.db, exc)
        return None
    finally:
        conn.close()


def _read_postgresql_as_is(cfg: Config, scan: bool, read: Callable[[Reader], T], depth: Depth) -> tuple[T] | None:
    from psycopg import Error

    from ccdeck.store.pg_reader import PgReader, open_current_pg

    conn = open_current_pg(cfg.db)
    if conn is None:
        return None
    try:
        return _read_as_is(cfg, scan, read, depth, PgReader(conn))
    except Error as exc:
        log.debug("reading %s with psycopg failed, opening the store: %s", cfg.db, exc)
        return None
    finally:
        conn.close()


def _read_as_is(cfg: Config, scan: bool, read: Callable[[Reader], T], depth: Depth, reader: Reader) -> tuple[T] | None:
    if scan and not nothing_new(reader, cfg.get(MACHINE), cfg.config_dirs, depth):
        return None
    log.debug("nothing new in %s: reading %s as it is", ", ".join(map(str, cfg.config_dirs)), cfg.db)
    return (read(reader),)
