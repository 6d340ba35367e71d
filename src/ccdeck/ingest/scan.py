"""One scan: the state of one call of `Ingestor.scan` or `Ingestor.scan_paths`, from its first read to its last commit.

Its lifecycle has one verb per step:

- **fill**: parse a chunk of a file into the open batch (here, or in a parse worker, which fills a batch of its own);
- **seal**: a batch of `batch_bytes` (or a worker's) joins the open transaction, and a new batch opens;
- **submit**: a transaction of `transaction_bytes` goes to the store's writer thread as one write job whose rows are
  all parsed already (the writer never waits for parsing), with the cursors of the files it read;
- **collect**: take the outcome of the committed transactions, in order (counts, the live hub, WAL checkpoints);
- **finish**: seal the open batch, submit the open transaction, collect everything; a scan ends with it, even when
  interrupted (what was parsed is written; a failed write stops the next ones, which it would leave unwritten).

Memory stays bounded: rows of at most `transaction_bytes` (or two batches, for a small scan) are sealed or wait for
the writer; sealing more waits for the oldest transaction to commit. A big scan thus holds one transaction's rows
while the writer writes it (parse workers meanwhile fill a few jobs ahead), not two.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Protocol

from ccdeck.claude.discovery import SourceFile
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.safe_open import RefusedFile, open_fd
from ccdeck.ingest.chunks import FileReader, ParseStats
from ccdeck.ingest.pool import ParsePool
from ccdeck.ingest.scan_plan import Work
from ccdeck.ingest.stats import ScanStats, log_problems
from ccdeck.ingest.tailer import file_state, read_chunks
from ccdeck.store import row_writes
from ccdeck.store.checkpoint import Checkpointer
from ccdeck.store.rows import Batch, BatchResult
from ccdeck.store.store import Store

log = logging.getLogger(__name__)


class Owner(Protocol):
    """What a scan uses of the long-lived `pipeline.Ingestor` that makes it."""

    store: Store
    machine: str
    pricer: Pricer
    on_batch: Callable[[BatchResult], None] | None
    pool_bytes: int
    workers: int
    start_pool: Callable[[int], ParsePool]
    chunk_bytes: int
    batch_bytes: int
    transaction_bytes: int

    def refuse(self, source: SourceFile, exc: RefusedFile, stats: ScanStats) -> None: ...


class Scan:
    """One call's scan (or one pass of it) over the files of an `Ingestor`. `usage_only`: a usage pass; `big`: its
    transactions take `transaction_bytes` (else each batch commits at once: the live view sees it)."""

    def __init__(
        self,
        ingestor: Owner,
        stats: ScanStats,
        *,
        usage_only: bool = False,
        big: bool = False,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        self.ingestor = ingestor
        self.stats = stats
        self.usage_only = usage_only
        self.transaction_bytes = ingestor.transaction_bytes if big else 0
        self.checkpointer = checkpointer
        self.pool: ParsePool | None = None  # started by the first pass that needs it
        self._batch = Batch(usage_only=usage_only)  # the open batch
        self._transaction: list[Batch] = []  # the open transaction's sealed batches
        self._transaction_size = 0
        self._submitted: deque[tuple[Future[BatchResult], int]] = deque()  # in commit order, with their bytes
        self._held = 0  # transcript bytes behind the rows sealed or submitted and not yet committed
        self._hold_bytes = max(self.transaction_bytes, 2 * ingestor.batch_bytes)
        self._last: Future[BatchResult] | None = None  # the last transaction submitted
        self._failed = False  # a transaction failed: the scan writes nothing more (its error is on its way up)

    # -- reading here ---------------------------------------------------------------------------------------------
    def read_here(self, work: Iterable[Work], advance: Callable[[int], None] | None = None) -> None:
        for w in work:
            read = self.read_file(w)
            if advance is not None:
                advance(read)

    def read_file(self, w: Work) -> int:
        """Fill the open batch with what is new in one file (sealed when big enough); returns bytes read."""
        source, ingestor = w.source, self.ingestor
        saved = w.usage if self.usage_only else w.full
        fd = self.open_source(source)
        if fd is None:
            return 0
        parsed, read = ParseStats(), 0
        try:
            state = file_state(os.fstat(fd))
            start, responses_from = w.start(fd, state, self.usage_only)
            reader = FileReader(source, ingestor.pricer, parsed, self.usage_only, responses_from)
            reader.cwd, reader.tail = start.cwd, start.tail
            for chunk in read_chunks(fd, start.offset, start.lines, ingestor.chunk_bytes):
                logged = len(self._batch.problems)
                reader.fill(self._batch, chunk, state)
                log_problems(self._batch.problems[logged:], self.stats)
                read += chunk.end - chunk.start
                if self._batch.bytes >= ingestor.batch_bytes:
                    self.seal()
            if not read and saved is not None and start.offset and state.mtime_ns != saved.mtime_ns:
                # Touched, or rewritten with the same bytes before the cursor: the next scan skips it again.
                self._batch.cursors.append(reader.cursor(state, start.offset, start.lines))
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        finally:
            os.close(fd)
        self.stats.bytes += read
        self.stats.add(parsed)
        return read

    def open_source(self, source: SourceFile, stats: ScanStats | None = None) -> int | None:
        """A descriptor of the file (close it), or None (it is gone, refused or unreadable: logged)."""
        try:
            return open_fd(source.config_dir, source.path)
        except RefusedFile as exc:
            self.ingestor.refuse(source, exc, self.stats if stats is None else stats)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        return None

    # -- the lifecycle --------------------------------------------------------------------------------------------
    def seal(self, batch: Batch | None = None) -> None:
        """Add `batch` (by default the open batch, replaced by a new one) to the open transaction; submit that
        once it is big enough."""
        if batch is None:
            batch, self._batch = self._batch, Batch(usage_only=self.usage_only)
        if batch.cursors:
            while self._submitted and self._held + batch.bytes > self._hold_bytes:
                self._account(*self._submitted.popleft())
            self._held += batch.bytes
            self._transaction.append(batch)
            self._transaction_size += batch.bytes
        if self._transaction_size >= self.transaction_bytes:
            self.submit()
        self.collect()

    def submit(self) -> None:
        """Queue the open transaction's rows to the writer as one write job, after the one before it."""
        if not self._transaction or self._failed:
            return
        batches, size = self._transaction, self._transaction_size
        self._transaction, self._transaction_size = [], 0
        self._last = self.ingestor.store.writer.submit(
            row_writes.transaction_job(batches, self._last, self.ingestor.machine)
        )
        self._submitted.append((self._last, size))

    def collect(self, wait: bool = False) -> None:
        """Account for the committed transactions (with `wait`, for all, once committed)."""
        while self._submitted and (wait or self._submitted[0][0].done()):
            self._account(*self._submitted.popleft())

    def finish(self) -> None:
        """Write what is parsed and wait until it is committed (after a failed write, nothing more)."""
        try:
            if not self._failed:
                self.seal()
                self.submit()
                self.collect(wait=True)
        finally:  # after a failure, the next pass (or the next scan) starts afresh
            self._batch, self._transaction, self._transaction_size = Batch(usage_only=self.usage_only), [], 0
            self._submitted.clear()
            self._held = 0

    def close_pool(self, kill: bool = False) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close(kill)

    def _account(self, committed: Future[BatchResult], size: int) -> None:
        self._held -= size
        try:
            result = committed.result()
        except BaseException:
            self._failed = True
            raise
        if self.checkpointer is not None:
            self.checkpointer.poke()
        self.stats.new_responses += len(result.new_rows)
        self.stats.sessions.update(result.touched_sessions)
        if self.ingestor.on_batch is not None:
            self.ingestor.on_batch(result)
