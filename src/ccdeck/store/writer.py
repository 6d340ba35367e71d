"""The one thread that writes. Every write is a function queued to it and run inside one transaction.

No caller ever waits forever: when the thread cannot connect, every queued and every later write gets that error;
a write after `close()` raises `StoreClosedError` at once; a failure of the file or its disk reaches the caller as
a one-line `StoreError`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from ccdeck.db_target import DbTarget
from ccdeck.errors import StoreClosedError
from ccdeck.store import postgres
from ccdeck.store.database import storage_error

log = logging.getLogger(__name__)
T = TypeVar("T")
_Job = tuple[Callable[[Connection], Any], "Future[Any]"]


class Writer:
    """Owns the write connection. `submit` queues a function; `call` waits for its result."""

    def __init__(self, engine: Engine, target: DbTarget | None = None) -> None:
        self._engine = engine
        self._path: DbTarget | str = target if target is not None else engine.url.database or "(memory)"
        self._retries = postgres.RETRIES if target is not None and target.is_postgres else 0
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        # Guards `_closed` and `_broken` against the queue: a job is either queued before either is set (and
        # the thread answers it) or refused by `submit` itself.
        self._lock = threading.Lock()
        self._closed = False
        self._broken: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ccdeck-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Connection], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise StoreClosedError(f"the database {self._path} is closed: the write was not done")
            if self._broken is not None:
                future.set_exception(self._broken)
            else:
                self._queue.put((fn, future))
        return future

    def call(self, fn: Callable[[Connection], T]) -> T:
        return self.submit(fn).result()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = self._engine.connect()
        except Exception as exc:  # the thread's top boundary: hand it to every caller instead
            log.debug("the writer cannot connect", exc_info=True)
            self._fail_all(storage_error(self._path, exc) or exc)
            return
        with conn:
            while self._execute_next(conn):
                pass

    def _execute_next(self, conn: Connection) -> bool:
        """Run the next job; False when closing. The job (and what its function holds: a scan's rows) is dropped
        once done, not kept while the thread waits for the next one."""
        job = self._queue.get()
        if job is None:
            return False
        self._execute(conn, *job)
        return True

    def _execute(self, conn: Connection, fn: Callable[[Connection], Any], future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return

        def transaction() -> Any:
            with conn.begin():
                return fn(conn)

        try:
            # On PostgreSQL, several machines write at once: a transaction aborted for a deadlock runs again.
            result = postgres.with_retries(transaction, self._retries)
        except BaseException as exc:  # handed to the caller, who decides
            future.set_exception(storage_error(self._path, exc) or exc)
        else:
            future.set_result(result)

    def _fail_all(self, exc: BaseException) -> None:
        with self._lock:
            self._broken = exc
        while (job := self._queue.get()) is not None:
            _fn, future = job
            if future.set_running_or_notify_cancel():
                future.set_exception(exc)
