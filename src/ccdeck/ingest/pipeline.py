"""Ingest: for every source file, read what is new since its cursor, parse it, and write it in batches.

Each chunk of a file becomes part of one batch (`store.rows.Batch`) written by the store's writer thread in one
transaction with the file's new cursor; each call makes a `scan.Scan`, which says how. Malformed lines are counted
and stored with file, line number and byte offset, logged one by one at debug level and in one summary line per
scan; ingestion goes on. A path that is not a regular file inside its config dir (a FIFO, a device, a symlink out)
is skipped, counted, and logged once (`safe_open`).

A big backlog (a first scan, or a long time away: `POOL_BYTES` or more to read) is parsed by worker processes
(`pool`, `pool_pass`), one batch per job, while this process plans the chunks and seals the batches in file order:
the same batches, hence the same rows, as parsing here. Its batches share bigger write transactions, and WAL
checkpoints run beside the writer (`store.checkpoint`). Small scans (the live server's per-event ones) never start a
worker.

A big backlog can be read in two passes, each with its own cursors committed with its rows: a usage pass
(`depth="usage"`) decodes only the lines that can carry a response and stores responses and session metadata (what
usage reports need: it takes a fraction of the time); a later complete pass stores everything else (timeline, tool
uses, files, titles, search index) and leaves out the responses the usage pass stored. A complete scan of a backlog
no usage pass has read reads it once, completely.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ccdeck.claude.discovery import SourceFile, registry_files, source_file
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.registry import read_live_session
from ccdeck.claude.safe_open import RefusedFile
from ccdeck.config import MACHINE
from ccdeck.ingest.freshness import Depth
from ccdeck.ingest.pool import ParsePool
from ccdeck.ingest.pool_pass import read_in_workers
from ccdeck.ingest.scan import Scan
from ccdeck.ingest.scan_plan import Work, pending
from ccdeck.ingest.stats import Progress, ProgressBar, ScanStats, log_summary
from ccdeck.ingest.tailer import CHUNK_BYTES
from ccdeck.store.checkpoint import Checkpointer
from ccdeck.store.live_registry import replace_live_sessions
from ccdeck.store.rows import BatchResult
from ccdeck.store.store import Store

__all__ = ["Depth", "Ingestor", "Progress", "ScanStats"]
log = logging.getLogger(__name__)
# Transcript bytes per batch (a small scan's write transaction; a worker's job): big enough that per-batch costs
# vanish, small enough to bound memory.
BATCH_BYTES = 4 * 1024 * 1024
# Pending bytes from which a scan parses in worker processes (they cost ~0.1 s each to start).
POOL_BYTES = 32 * 1024 * 1024
MAX_WORKERS = 4  # one writer thread takes what more would parse
# Transcript bytes per write transaction in a big scan (a small one commits each batch: the live view sees it at
# once). Each commit rewrites the index pages it touched (random keys touch most of them), and refreshes the
# aggregates of the sessions it touched: fewer, bigger transactions write much less. A scan killed meanwhile loses
# nothing but the work of reading it again. A transaction's rows are held until it is submitted whole (the writer
# never waits on a parse), so this also bounds memory: 40 MiB scanned 1 GiB in the same CPU time as 64 MiB, with
# 8 MiB less peak RSS. It must stay above POOL_BYTES.
TRANSACTION_BYTES = 40 * 1024 * 1024


class Ingestor:
    """Ingests config dirs into a store. `on_batch` hears about every committed write (the live hub uses it).

    It keeps what outlives a scan: the store, the price tables, the settings below and the paths already logged as
    refused. Each call makes a `Scan` of its own.

    `pool_bytes` and `workers`: a scan with at least `pool_bytes` to read parses in `workers` processes (by default
    one per CPU, at most `MAX_WORKERS`; fewer than two means never), started by `start_pool(workers)`.
    `machine`: the name stamped on every row and cursor it writes (the `machine` setting; default the host name).
    `chunk_bytes`, `batch_bytes` and `transaction_bytes`: the sizes of a read, of a batch handed to the writer and of
    a big scan's write transaction (the module's constants; smaller ones cut files in more places).
    """

    def __init__(
        self,
        store: Store,
        on_batch: Callable[[BatchResult], None] | None = None,
        *,
        machine: str | None = None,
        pool_bytes: int = POOL_BYTES,
        workers: int | None = None,
        start_pool: Callable[[int], ParsePool] = ParsePool,
        chunk_bytes: int = CHUNK_BYTES,
        batch_bytes: int = BATCH_BYTES,
        transaction_bytes: int = TRANSACTION_BYTES,
    ) -> None:
        self.store = store
        self.machine = MACHINE.default() if machine is None else machine
        self.pricer = Pricer()
        self.on_batch = on_batch
        self.pool_bytes = pool_bytes
        self.workers = min(_cpus(), MAX_WORKERS) if workers is None else workers
        self.start_pool = start_pool
        self.chunk_bytes, self.batch_bytes, self.transaction_bytes = chunk_bytes, batch_bytes, transaction_bytes
        self._refused: set[str] = set()  # paths already logged as refused: the server rescans them every second

    def scan(self, config_dirs: Iterable[Path], progress: Progress | None = None, depth: Depth = "full") -> ScanStats:
        """Read what is new in every file of `config_dirs`, as far as `depth` says (the module docstring)."""
        started = time.perf_counter()
        stats = ScanStats()
        dirs = list(config_dirs)
        work: list[Work] = []
        for config_dir in dirs:
            work.extend(pending(self.store, self.machine, config_dir, stats, self.refuse))
            self.scan_registry(config_dir)
        big = sum(w.backlog(False) for w in work) >= self.pool_bytes
        # A complete scan reads each file once, a usage pass first would read it twice (about a quarter more work);
        # only a scan that stops after usage (the `usage` commands, `serve`'s first answer) takes that pass.
        usage_only = big and depth == "usage"
        work = [w for w in work if not (usage_only and w.usage_done)]
        total = sum(w.backlog(usage_only) for w in work)
        advance = ProgressBar(progress, total).advance if progress is not None else None
        with Checkpointer(self.store) if big else contextlib.nullcontext() as checkpointer:
            scan = Scan(self, stats, usage_only=usage_only, big=big, checkpointer=checkpointer)
            try:
                try:
                    if total >= self.pool_bytes and self.workers >= 2:
                        read_in_workers(scan, dirs, work, advance)
                    else:
                        scan.read_here(work, advance)
                finally:
                    scan.finish()
            except BaseException:
                scan.close_pool(kill=True)
                raise
            finally:
                scan.close_pool()
        stats.seconds = time.perf_counter() - started
        log_summary(stats)
        return stats

    def scan_paths(self, config_dirs: Iterable[Path], paths: Iterable[Path]) -> ScanStats:
        """Ingest only the given files (from file events): no walk of the config dirs."""
        started = time.perf_counter()
        stats = ScanStats()
        dirs = list(config_dirs)
        by_dir: dict[Path, list[SourceFile]] = {}
        registry_dirs: set[Path] = set()
        for path in paths:
            config_dir = next((d for d in dirs if path.is_relative_to(d)), None)
            if config_dir is None:
                continue
            if path.parent.name == "sessions" and path.suffix == ".json":
                registry_dirs.add(config_dir)
            elif source := source_file(config_dir, path):
                by_dir.setdefault(config_dir, []).append(source)
        for config_dir in registry_dirs:
            self.scan_registry(config_dir)
        scan = Scan(self, stats)
        try:
            for config_dir, sources in by_dir.items():
                scan.read_here(pending(self.store, self.machine, config_dir, stats, self.refuse, sources))
        finally:
            scan.finish()
        stats.seconds = time.perf_counter() - started
        log_summary(stats)
        return stats

    def scan_registry(self, config_dir: Path) -> None:
        """Replace this machine's rows of the config dir's live registry with what `sessions/*.json` says now."""
        entries = [e for e in (read_live_session(p, config_dir) for p in registry_files(config_dir)) if e]
        rows = [dataclasses.asdict(e) for e in entries]
        machine = self.machine
        self.store.write(lambda conn: replace_live_sessions(conn, machine, str(config_dir), rows))

    def refuse(self, source: SourceFile, exc: RefusedFile, stats: ScanStats) -> None:
        """Count a path that is no regular file inside its config dir; log it the first time only."""
        stats.skipped += 1
        if str(source.path) not in self._refused:
            self._refused.add(str(source.path))
            log.warning("skipping %s: %s", source.path, exc)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
