"""The writer thread never leaves a caller waiting: a connect failure and a closed store both answer at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from ccdeck.errors import StoreClosedError, StoreError
from ccdeck.store.store import Store
from ccdeck.store.writer import Writer

WAIT = 30.0  # far above any answer; only a hang reaches it


def _one(conn: Connection) -> int:
    return int(conn.execute(text("SELECT 1")).scalar_one())


def test_a_connect_failure_reaches_every_queued_and_later_write(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    gate = threading.Event()
    # The first job is queued before the thread could possibly have failed; the gate keeps the engine's connect
    # waiting until the jobs are in the queue.
    real_connect = engine.connect

    def slow_connect() -> Connection:
        gate.wait(WAIT)
        return real_connect()

    engine.connect = slow_connect  # type: ignore[method-assign]
    writer = Writer(engine)
    queued = [writer.submit(_one) for _ in range(3)]
    gate.set()
    for future in queued:
        with pytest.raises(StoreError, match="not writable"):
            future.result(timeout=WAIT)
    with pytest.raises(StoreError, match="not writable"):
        writer.submit(_one).result(timeout=WAIT)
    writer.close()
    engine.dispose()


def test_a_write_after_close_raises_at_once(db_target: Path | str) -> None:
    store = Store.open(db_target)
    assert store.write(_one) == 1
    store.close()
    with pytest.raises(StoreClosedError, match="closed"):
        store.write(_one)
    with pytest.raises(StoreClosedError):
        store.writer.submit(_one)
    store.writer.close()  # closing twice is harmless
