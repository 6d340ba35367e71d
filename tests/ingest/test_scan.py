"""A scan is an object made for one call: the writer runs its transactions ready-made, never waits for parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck.ingest.pipeline import Ingestor
from ccdeck.store.store import Store
from core_fixtures import query, write_big_config

# Many batches per transaction: the transaction stays open across several jobs of parsing.
SMALL: dict[str, int] = {"chunk_bytes": 4096, "batch_bytes": 10_000, "transaction_bytes": 200_000}


@pytest.mark.parametrize("workers", [0, 2], ids=["here", "in-workers"])
def test_other_writes_run_while_a_scan_parses_its_next_batches(
    tmp_path: Path, workers: int, db_target: Path | str
) -> None:
    """A write queued while a big scan has parsed part of a transaction runs at once: no write job of the scan
    holds the writer while the rest of that transaction is parsed (else this write would wait for the scan, which
    waits for it here, and time out)."""
    config = tmp_path / "config"
    write_big_config(config, 300_000, seed=21)
    store = Store.open(db_target)
    answers: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        if not answers:
            future = store.writer.submit(lambda conn: int(conn.exec_driver_sql("SELECT 42").scalar_one()))
            answers.append(future.result(timeout=60))

    try:
        stats = Ingestor(store, pool_bytes=0, workers=workers, **SMALL).scan([config], write_meanwhile)
    finally:
        store.close()
    assert answers == [42]
    assert stats.bytes > SMALL["transaction_bytes"]
    assert query(db_target, 'SELECT COUNT(*) FROM files WHERE "offset" < size') == [(0,)]
