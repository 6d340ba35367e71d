"""WAL checkpoints beside the writer during a big scan.

In WAL mode a commit appends pages to the write-ahead log, and every so often the committing connection copies them
into the database file and syncs both ("checkpoint"): on a big scan that is a third of the writer's time, mostly
waiting for the disk. While a big scan runs, the writer connection leaves checkpoints to this thread, which runs
them on a connection of its own after each commit (PASSIVE: it never blocks the writer or readers). Nothing else
changes: same data, same durability (`synchronous=NORMAL` syncs at checkpoints either way), and the writer's
automatic checkpoints come back when the scan ends -- or with the next connection, if the process is killed.
A PostgreSQL store has no WAL file of ours to checkpoint: there the checkpointer does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ccdeck.store.store import Store

log = logging.getLogger(__name__)


class Checkpointer:
    """Use as a context manager around a big scan; `poke` after each commit."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._due = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ccdeck-checkpoint", daemon=True)
        self._pages = 0

    def __enter__(self) -> Checkpointer:
        if self._store.is_postgres:
            return self
        self._pages = self._store.write(_set_autocheckpoint(0))
        self._thread.start()
        return self

    def poke(self) -> None:
        self._due.set()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._store.is_postgres:
            return
        self._stopping = True
        self._due.set()
        self._thread.join()
        self._store.write(_set_autocheckpoint(self._pages))

    def _run(self) -> None:
        try:
            with self._store.engine.connect() as conn:
                while True:
                    self._due.wait()
                    self._due.clear()
                    if self._stopping:
                        return
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").close()
                    conn.rollback()
        except DBAPIError as exc:
            log.warning("WAL checkpoints beside the writer failed: %s", exc.orig)
            self._store.writer.submit(_set_autocheckpoint(self._pages))  # the writer checkpoints again


def _set_autocheckpoint(pages: int) -> Callable[[Connection], int]:
    """A writer job: set the writer connection's automatic checkpoint threshold, return the previous one."""

    def job(conn: Connection) -> int:
        previous = int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(pages)}").close()
        return previous

    return job
