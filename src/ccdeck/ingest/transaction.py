"""One write transaction of a scan, fed batch by batch on the store's writer thread (`Transaction`)."""

from __future__ import annotations

import queue
from concurrent.futures import Future

from sqlalchemy import Connection

from ccdeck.ingest.batches import Batch, BatchResult
from ccdeck.store.batch import apply_stream
from ccdeck.store.store import Store


class Transaction:
    """One write transaction on the writer thread, fed batch by batch until `end`; `result` is its outcome.

    It follows `after` (the transaction before it, which the writer runs first) and writes nothing if that one
    failed: a later cursor must never pass rows that were not written.
    """

    def __init__(self, store: Store, after: Future[BatchResult] | None) -> None:
        self._feed: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
        self._abandoned = False
        self.bytes = 0

        def write(conn: Connection) -> BatchResult:
            if after is not None and after.exception() is not None:
                raise RuntimeError("an earlier write transaction failed")
            return apply_stream(conn, self._take)

        self.result: Future[BatchResult] = store.writer.submit(write)

    def abandon(self) -> None:
        """No more batches will come, nor `end`: the writer rolls back what it has."""
        self._abandoned = True

    def add(self, batch: Batch) -> None:
        self._put(batch)
        self.bytes += batch.bytes

    def end(self) -> None:
        self._put(None)

    def _take(self) -> Batch | None:
        while True:
            try:
                return self._feed.get(timeout=0.1)
            except queue.Empty:
                if self._abandoned:
                    raise RuntimeError("write transaction abandoned") from None

    def _put(self, item: Batch | None) -> None:
        while True:
            if self.result.done():  # it failed (it cannot end before `end`): say why
                self.result.result()
                raise RuntimeError("the write transaction ended early")
            try:
                self._feed.put(item, timeout=0.05)
                return
            except queue.Full:
                pass  # the writer is behind (or failed: checked above)
