"""Scan: for every source file, read what is new since its cursor, parse it, and write it in batches.

Each chunk of a file becomes part of one `Batch` written by the store's writer thread in one transaction with the
file's new cursor. Malformed lines are counted and stored with file, line number and byte offset, logged one by one
at debug level and in one summary line per scan; ingestion goes on. A path that is not a regular file inside its
config dir (a FIFO, a device, a symlink out) is skipped, counted, and logged once (`safe_open`).

A big backlog (a first scan, or a long time away: `POOL_BYTES` or more to read) is parsed by worker processes
(`pool`), one batch per job, while this process plans the chunks and writes the batches in file order: the same
batches, hence the same rows, as parsing here. Its batches share bigger write transactions, and WAL checkpoints run
beside the writer (`checkpoint`). Small scans (the live server's per-event ones) never start a worker.

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
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, Table, delete, null, select

from ccdeck.claude.discovery import SourceFile, registry_files, source_file, source_files
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.registry import read_live_session
from ccdeck.claude.safe_open import RefusedFile, check, open_fd
from ccdeck.ingest.batches import Batch, BatchResult
from ccdeck.ingest.checkpoint import Checkpointer
from ccdeck.ingest.freshness import unchanged
from ccdeck.ingest.pool import JobResult, ParsePool, PoolError, Segment
from ccdeck.ingest.reader import FileReader, ParseStats, in_folder, price_responses
from ccdeck.ingest.tailer import (
    CHUNK_BYTES,
    FileState,
    Resume,
    SavedCursor,
    chunk_spans,
    file_state,
    read_chunks,
    resume,
    start_point,
)
from ccdeck.ingest.transaction import Transaction
from ccdeck.shapes.cli import ScanStats as ScanStatsJson
from ccdeck.store import schema
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
# Transcript bytes per batch (a small scan's write transaction; a worker's job): big enough that per-batch costs
# vanish, small enough to bound memory.
BATCH_BYTES = 4 * 1024 * 1024
# Pending bytes from which a scan parses in worker processes (they cost ~0.1 s each to start).
POOL_BYTES = 32 * 1024 * 1024
MAX_WORKERS = 4  # one writer thread takes what more would parse
# Transcript bytes per write transaction in a big scan (a small one commits each batch: the live view sees it at
# once). The writer takes the batches as they come (`_Transaction`). Each commit rewrites the index pages it
# touched (random keys touch most of them), and refreshes the aggregates of the sessions it touched: fewer, bigger
# transactions write much less. A scan killed meanwhile loses nothing but the work of reading it again.
TRANSACTION_BYTES = 64 * 1024 * 1024
Progress = Callable[[int, int], None]
# How far a scan goes. "full": everything (a big backlog in two passes: usage first, then the rest). "usage": what
# usage reports need -- responses and sessions -- at least (a big backlog's first pass only; a small one is read in
# full, as one pass reads both).
Depth = Literal["usage", "full"]


@dataclass
class ScanStats:
    files: int = 0
    bytes: int = 0
    lines: int = 0
    new_responses: int = 0
    problems: int = 0
    skipped: int = 0  # paths that are no regular file inside their config dir
    unknown_types: Counter[str] = field(default_factory=Counter)
    sessions: set[str] = field(default_factory=set)
    seconds: float = 0.0
    first_problem: str | None = None  # "path:line (byte offset): reason" of the first malformed line

    def as_json(self) -> ScanStatsJson:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "lines": self.lines,
            "newResponses": self.new_responses,
            "problems": self.problems,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "unknownTypes": dict(self.unknown_types),
            "sessionsChanged": len(self.sessions),
        }

    def add(self, parsed: ParseStats) -> None:
        self.lines += parsed.lines
        self.problems += parsed.problems
        self.unknown_types.update(parsed.unknown_types)


@dataclass(frozen=True, slots=True)
class _Saved:
    cursor: SavedCursor
    size: int


@dataclass(frozen=True, slots=True)
class _Work:
    """A file with something to read: its complete cursor (`files`), its usage cursor, its size when planned."""

    source: SourceFile
    full: SavedCursor | None
    usage: SavedCursor | None
    size: int
    usage_done: bool  # a usage pass has nothing to read in it

    def backlog(self, usage_only: bool) -> int:
        if usage_only and self.usage_done:
            return 0
        offsets = [c.offset for c in (self.full, self.usage if usage_only else None) if c is not None]
        return self.size - max(offsets, default=0)


class Ingestor:
    """Ingests config dirs into a store. `on_batch` hears about every committed write (the live hub uses it).

    `pool_bytes` and `workers`: a scan with at least `pool_bytes` to read parses in `workers` processes (by default
    one per CPU, at most `MAX_WORKERS`; fewer than two means never), started by `start_pool(workers)`.
    `chunk_bytes`, `batch_bytes` and `transaction_bytes`: the sizes of a read, of a batch handed to the writer and of
    a big scan's write transaction (the module's constants; smaller ones cut files in more places).
    """

    def __init__(
        self,
        store: Store,
        on_batch: Callable[[BatchResult], None] | None = None,
        *,
        pool_bytes: int = POOL_BYTES,
        workers: int | None = None,
        start_pool: Callable[[int], ParsePool] = ParsePool,
        chunk_bytes: int = CHUNK_BYTES,
        batch_bytes: int = BATCH_BYTES,
        transaction_bytes: int = TRANSACTION_BYTES,
    ) -> None:
        self.store = store
        self.pricer = Pricer()
        self.on_batch = on_batch
        self.pool_bytes = pool_bytes
        self.workers = min(_cpus(), MAX_WORKERS) if workers is None else workers
        self.start_pool = start_pool
        self.chunk_bytes, self.batch_bytes, self.transaction_bytes = chunk_bytes, batch_bytes, transaction_bytes
        self._usage_only = False  # the pass running is a usage pass
        self._pool: ParsePool | None = None  # started by the first pass that needs it, kept for the next
        self._open_batch = Batch()
        self._open: Transaction | None = None
        self._closed: deque[Transaction] = deque()  # in commit order
        self._last: Future[BatchResult] | None = None  # the last transaction begun
        self._transaction_bytes = 0
        self._checkpointer: Checkpointer | None = None
        self._refused: set[str] = set()  # paths already logged as refused: the server rescans them every second

    def scan(self, config_dirs: Iterable[Path], progress: Progress | None = None, depth: Depth = "full") -> ScanStats:
        """Read what is new in every file of `config_dirs`, as far as `depth` says (the module docstring)."""
        started = time.perf_counter()
        stats = ScanStats()
        dirs = list(config_dirs)
        work: list[_Work] = []
        for config_dir in dirs:
            work.extend(self._pending(config_dir, stats))
            self.scan_registry(config_dir)
        full_total = sum(w.backlog(False) for w in work)
        big = full_total >= self.pool_bytes
        # A complete scan reads each file once, a usage pass first would read it twice (about a quarter more work);
        # only a scan that stops after usage (the `usage` commands, `serve`'s first answer) takes that pass.
        usage_only = big and depth == "usage"
        total = sum(w.backlog(usage_only) for w in work)
        bar = _Progress(progress, total) if progress is not None else None
        self._transaction_bytes = self.transaction_bytes if big else 0
        self._checkpointer = Checkpointer(self.store) if big else None
        with self._checkpointer or contextlib.nullcontext():
            try:
                self._run_pass(dirs, work, usage_only, stats, bar)
            except BaseException:
                self._close_pool(kill=True)
                raise
            finally:
                self._close_pool()
                self._checkpointer, self._transaction_bytes, self._usage_only = None, 0, False
                self._open_batch = Batch()  # the next scan (a file event's, say) starts complete
        stats.seconds = time.perf_counter() - started
        _log_summary(stats)
        return stats

    def _run_pass(
        self, dirs: list[Path], work: list[_Work], usage_only: bool, stats: ScanStats, progress: _Progress | None
    ) -> None:
        """One pass over `work`: in worker processes when it has much to read, else here."""
        self._usage_only = usage_only
        self._open_batch = Batch(usage_only=usage_only)
        work = [w for w in work if not (usage_only and w.usage_done)]
        total = sum(w.backlog(usage_only) for w in work)
        try:
            if total >= self.pool_bytes and self.workers >= 2:
                self._scan_in_workers(dirs, work, stats, progress)
            else:
                self._scan_here(work, stats, progress)
        finally:
            self._flush(stats)

    def _close_pool(self, kill: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close(kill)

    def _scan_here(self, work: Iterable[_Work], stats: ScanStats, progress: _Progress | None) -> None:
        for w in work:
            read = self._ingest_file(w, stats)
            if progress is not None:
                progress.advance(read)

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
        try:
            for config_dir, sources in by_dir.items():
                for w in self._pending(config_dir, stats, sources):
                    self._ingest_file(w, stats)
        finally:
            self._flush(stats)
        stats.seconds = time.perf_counter() - started
        _log_summary(stats)
        return stats

    def _pending(self, config_dir: Path, stats: ScanStats, sources: Iterable[SourceFile] | None = None) -> list[_Work]:
        """Files that changed since their cursor or were not read to the end (the others cost one stat)."""
        chosen = None if sources is None else list(sources)
        # A file event names a few files: load their cursors only, not the whole config dir's (10,000+ rows).
        paths = None if chosen is None else [str(s.path) for s in chosen]
        saved = self._saved_cursors(config_dir, paths)
        usage = self._saved_cursors(config_dir, paths, schema.usage_cursors)
        pending = []
        for source in source_files(config_dir) if chosen is None else chosen:
            stats.files += 1
            try:
                state = file_state(check(source.config_dir, source.path))
            except RefusedFile as exc:
                self._refuse(source, exc, stats)
                continue
            except OSError:
                continue  # gone (or unreadable: reading it says why)
            held = saved.get(str(source.path))
            # Unchanged and read to the end. A cursor short of the size it recorded stopped at the end of a write
            # transaction inside the file (a scan killed before the next one committed: the rest is still to read),
            # or before a half-written last line (reading finds nothing new). A new mtime at the same size may be
            # a rewrite in place: reading checks the bytes before the cursor.
            if held and unchanged(held.cursor, held.size, state):
                continue
            offset, _ = start_point(state, held.cursor if held else None)
            if held and offset == 0 and held.cursor.offset > 0:
                log.info("%s was truncated or replaced: reading it again from the start", source.path)
            used = usage.get(str(source.path))
            usage_done = source.kind == "history" or (used is not None and unchanged(used.cursor, used.size, state))
            usage_cursor = None if used is None or start_point(state, used.cursor)[0] == 0 else used.cursor
            full_cursor = held.cursor if held and offset else None
            pending.append(_Work(source, full_cursor, usage_cursor, state.size, usage_done))
        return pending

    def _saved_cursors(
        self, config_dir: Path, paths: list[str] | None = None, table: Table = schema.files
    ) -> dict[str, _Saved]:
        """The cursors of a config dir's files (or of the given files only) in `table` (or the usage cursors)."""
        f = table.c
        cwd = f.cwd if table is schema.files else null()
        query = select(f.path, f.device, f.inode, f.offset, f.lines, cwd, f.fingerprint, f.mtime_ns, f.size)
        if paths is None:
            queries = [query.where(f.config_dir == str(config_dir))]
        else:
            queries = [query.where(f.path.in_(paths[i : i + 500])) for i in range(0, len(paths), 500)]
        with self.store.read() as conn:
            return {
                path: _Saved(SavedCursor(*cursor), size) for one in queries for path, *cursor, size in conn.execute(one)
            }

    def _refuse(self, source: SourceFile, exc: RefusedFile, stats: ScanStats) -> None:
        stats.skipped += 1
        if str(source.path) not in self._refused:
            self._refused.add(str(source.path))
            log.warning("skipping %s: %s", source.path, exc)

    def _open_source(self, source: SourceFile, stats: ScanStats) -> int | None:
        """A descriptor of the file (close it), or None (it is gone, refused or unreadable: logged)."""
        try:
            return open_fd(source.config_dir, source.path)
        except RefusedFile as exc:
            self._refuse(source, exc, stats)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        return None

    def _start(self, fd: int, w: _Work, state: FileState) -> tuple[Resume, int]:
        """Where this pass reads a file from, and from which byte it keeps responses (`FileReader`)."""
        full = _resume(fd, w.source, state, w.full)
        if w.usage is None:
            return full, 0
        usage = resume(fd, state, w.usage)
        if not self._usage_only:
            return full, usage.offset
        return (usage if usage.offset > full.offset else full), 0

    def _ingest_file(self, w: _Work, stats: ScanStats) -> int:
        """Parse what is new in one file into the open batch (committed when big enough); returns bytes read."""
        source = w.source
        saved = w.usage if self._usage_only else w.full
        fd = self._open_source(source, stats)
        if fd is None:
            return 0
        parsed = ParseStats()
        read = 0
        try:
            state = file_state(os.fstat(fd))
            start, responses_from = self._start(fd, w, state)
            reader = FileReader(source, self.pricer, parsed, self._usage_only, responses_from)
            reader.cwd, reader.tail = start.cwd, start.tail
            for chunk in read_chunks(fd, start.offset, start.lines, self.chunk_bytes):
                logged = len(self._open_batch.problems)
                reader.fill(self._open_batch, chunk, state)
                _log_problems(self._open_batch.problems[logged:], stats)
                read += chunk.end - chunk.start
                if self._open_batch.bytes >= self.batch_bytes:
                    self._commit(stats)
            if not read and saved is not None and start.offset and state.mtime_ns != saved.mtime_ns:
                # Touched, or rewritten with the same bytes before the cursor: the next scan skips it again.
                self._open_batch.cursors.append(reader.cursor(state, start.offset, start.lines))
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        finally:
            os.close(fd)
        stats.bytes += read
        stats.add(parsed)
        return read

    def _commit(self, stats: ScanStats) -> None:
        """Hand the open batch to the writer and start a new one; parsing goes on while it is written."""
        batch, self._open_batch = self._open_batch, Batch(usage_only=self._usage_only)
        self._write(batch, stats)

    def _write(self, batch: Batch, stats: ScanStats) -> None:
        """Add a batch to the open write transaction (a few batches wait at most: this waits for the writer)."""
        if not batch.cursors:
            return
        if self._open is None:
            self._open = Transaction(self.store, self._last)
            self._last = self._open.result
        self._open.add(batch)
        if self._open.bytes >= self._transaction_bytes:
            self._end_transaction()
        self._settle(stats)

    def _end_transaction(self) -> None:
        if self._open is not None:
            self._open.end()
            self._closed.append(self._open)
            self._open = None

    def _settle(self, stats: ScanStats, wait: bool = False) -> None:
        """Account for the committed transactions (with `wait`, for all, once committed)."""
        while self._closed and (wait or self._closed[0].result.done()):
            result = self._closed.popleft().result.result()
            if self._checkpointer is not None:
                self._checkpointer.poke()
            stats.new_responses += len(result.new_rows)
            stats.sessions.update(result.touched_sessions)
            if self.on_batch is not None:
                self.on_batch(result)

    def _flush(self, stats: ScanStats) -> None:
        """Write what is parsed and wait until it is committed. The next scan starts afresh, even after a failure."""
        try:
            self._commit(stats)
            self._end_transaction()
            self._settle(stats, wait=True)
        finally:
            if self._open is not None:  # it could not be ended (it failed, or this was interrupted): roll it back
                self._open.abandon()
            self._open, self._last = None, None
            self._closed.clear()

    # worker processes --------------------------------------------------------------------------------------------
    def _scan_in_workers(
        self, config_dirs: list[Path], work: list[_Work], stats: ScanStats, progress: _Progress | None
    ) -> None:
        """Plan the chunks here, parse them in workers (a few jobs ahead), write the batches in file order.

        If a worker fails, what was parsed before is written and the rest is scanned here from the cursors.
        """
        jobs: deque[tuple[_Job, Future[JobResult]]] = deque()
        try:
            if self._pool is None:
                self._pool = self.start_pool(self.workers)
            for job in self._plan(work):
                while len(jobs) >= 2 * self.workers:
                    self._finish(*jobs.popleft(), stats, progress)
                jobs.append((job, self._pool.submit(job.segments, self._usage_only)))
            while jobs:
                self._finish(*jobs.popleft(), stats, progress)
        except PoolError as exc:
            log.warning("parse workers failed, scanning on in this process: %s", exc)
            self._close_pool(kill=True)
            jobs.clear()  # parsed after the failed job: their cursors must not pass it
            self._flush(stats)
            scratch = ScanStats()  # the files were counted already
            rest = [w for config_dir in config_dirs for w in self._pending(config_dir, scratch)]
            self._scan_here([w for w in rest if w.backlog(self._usage_only)], stats, progress)

    def _plan(self, work: list[_Work]) -> Iterator[_Job]:
        """Jobs of whole chunks, cut where the scan here would commit its batches (so the batches are the same)."""
        job, size = _Job(), 0
        scratch = ScanStats()  # files refused now were counted when they were planned: only logged
        for w in work:
            source = w.source
            fd = self._open_source(source, scratch)
            if fd is None:
                continue
            spans: list[tuple[int, int]] | None = None
            try:
                state = file_state(os.fstat(fd))
                resumed, responses_from = self._start(fd, w, state)
                track = _Track(source, resumed.lines, resumed.cwd)
                for start, end in chunk_spans(fd, resumed.offset, state.size, self.chunk_bytes):
                    if spans is None:
                        spans = []
                        s = source
                        job.segments.append((str(s.path), str(s.config_dir), s.kind, s.session_hint, state.device,
                                             state.inode, state.size, state.mtime_ns, spans,
                                             responses_from))  # fmt: skip
                        job.tracks.append(track)
                    spans.append((start, end))
                    size += end - start
                    if size >= self.batch_bytes:
                        yield job
                        job, size, spans = _Job(), 0, None
            except OSError as exc:
                log.warning("cannot read %s: %s", source.path, exc.strerror)
            finally:
                os.close(fd)
        if job.segments:
            yield job

    def _finish(self, job: _Job, future: Future[JobResult], stats: ScanStats, progress: _Progress | None) -> None:
        """Take a job's result (in job order), number its lines, resolve its paths, queue it for the writer."""
        result = future.result()
        batch = result.batch
        cursors = problems = read = 0
        for track, segment in zip(job.tracks, result.segments, strict=True):
            base, cwd = track.lines, track.cwd
            for i in range(cursors, segment.cursors):
                c = batch.cursors[i]
                batch.cursors[i] = dataclasses.replace(c, lines=base + c.lines, cwd=cwd or c.cwd)
            for i in range(problems, segment.problems):
                path, offset, line_no, reason = batch.problems[i]
                batch.problems[i] = (path, offset, base + line_no, reason)
            _log_problems(batch.problems[problems : segment.problems], stats)
            if cwd:  # the file's first cwd came before this span: it wins over the first this span saw
                for i, relative in segment.relative:
                    batch.snapshot_files[i] = (batch.snapshot_files[i][0], in_folder(cwd, relative))
            if segment.cursors > cursors:
                track.cwd = batch.cursors[segment.cursors - 1].cwd
            track.lines += segment.lines
            read += segment.bytes
            if segment.unreadable:
                log.warning("cannot read %s: %s", track.source.path, segment.stopped)
            elif segment.stopped:
                log.info("%s %s: the next scan reads the rest", track.source.path, segment.stopped)
            cursors, problems = segment.cursors, segment.problems
        stats.bytes += read
        stats.add(result.stats)
        self.pricer.unpriced |= result.unpriced
        price_responses(batch, self.pricer)
        self._write(batch, stats)
        if progress is not None:
            progress.advance(read)

    def scan_registry(self, config_dir: Path) -> None:
        """Replace this config dir's rows of the live registry with what `sessions/*.json` says now."""
        entries = [e for e in (read_live_session(p, config_dir) for p in registry_files(config_dir)) if e]
        rows = [dataclasses.asdict(e) for e in entries]
        table = schema.live_sessions

        def replace(conn: Connection) -> None:
            conn.execute(delete(table).where(table.c.config_dir == str(config_dir)))
            if rows:
                conn.execute(table.insert(), rows)

        self.store.write(replace)


class _Progress:
    """Bytes read of the bytes a scan has to read, over all its passes."""

    def __init__(self, report: Progress, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def advance(self, read: int) -> None:
        self.done += read
        self.report(min(self.done, self.total), self.total)  # a file may grow between the passes


@dataclass(slots=True)
class _Track:
    """A file being parsed in workers: what its next span continues from."""

    source: SourceFile
    lines: int  # lines before the next span
    cwd: str | None = None  # the first cwd its lines gave (the session's start folder)


@dataclass(slots=True)
class _Job:
    segments: list[Segment] = field(default_factory=list)
    tracks: list[_Track] = field(default_factory=list)  # one per segment


def _resume(fd: int, source: SourceFile, state: FileState, saved: SavedCursor | None) -> Resume:
    start = resume(fd, state, saved)
    if start.rewritten:
        log.info("%s was rewritten in place: reading it again from the start", source.path)
    return start


def _log_problems(problems: Iterable[tuple[str, int, int, str]], stats: ScanStats) -> None:
    """Each malformed line at debug level (`--verbose`); the scan's summary names the first one."""
    for path, offset, line_no, reason in problems:
        where = f"{path}:{line_no} (byte {offset}): {reason}"
        if stats.first_problem is None:
            stats.first_problem = where
        log.debug("malformed line %s", where)


def _log_summary(stats: ScanStats) -> None:
    """One line per scan, however many lines were malformed (they are stored in `problems`, each logged at debug)."""
    if stats.problems:
        noun = "line" if stats.problems == 1 else "lines"
        log.warning("%s malformed %s skipped (first: %s); see --verbose", f"{stats.problems:,}", noun,
                    stats.first_problem)  # fmt: skip


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
