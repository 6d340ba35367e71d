"""The store facade: an engine, its one writer thread, and read connections."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError

from ccdeck.db_target import DbTarget, as_target
from ccdeck.errors import StoreError
from ccdeck.store.database import open_engine, reason
from ccdeck.store.writer import Writer

T = TypeVar("T")


def _trim_heap() -> None:
    """glibc's malloc_trim(0); nothing elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


class Store:
    """Open with `Store.open(target)` (a SQLite path or a PostgreSQL target); close when done (or use as a
    context manager)."""

    def __init__(self, engine: Engine, target: DbTarget) -> None:
        self.engine = engine
        self.target = target
        self.is_postgres = target.is_postgres
        self.writer = Writer(engine, target)

    @classmethod
    def open(cls, db: DbTarget | Path | str) -> Store:
        target = as_target(db)
        return cls(open_engine(target), target)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in one transaction on the writer thread and wait for it."""
        return self.writer.call(fn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read connection of its own (WAL: it sees the last committed state, never blocks the writer)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except DatabaseError as exc:
            raise StoreError(f"cannot read the database {self.target}: {reason(exc)}") from None

    def release_memory(self) -> None:
        """After a big ingest: drop the page caches of the write and read connections, and hand the freed heap
        back to the OS (a long-running server otherwise keeps the catch-up's peak for good). PostgreSQL's caches
        are the server's: only the pool and the heap here."""
        if not self.is_postgres:
            self.write(lambda conn: conn.exec_driver_sql("PRAGMA shrink_memory"))
        self.engine.dispose()  # read connections reopen on demand with empty caches
        _trim_heap()

    def close(self) -> None:
        self.writer.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
