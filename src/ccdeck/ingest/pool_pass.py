"""A scan's pass in parse workers (`pool`): plan the chunks here, parse them there, seal the batches here in order.

The jobs are cut where reading here would seal its batches, so the batches, hence the rows, are the same. Each job's
result comes back with line numbers counted from its spans' starts and snapshot paths maybe relative: taking it
(`_take`) numbers its lines, resolves its paths against the file's first cwd and prices its responses.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from ccdeck.claude.discovery import SourceFile
from ccdeck.ingest.chunks import in_folder, price_responses
from ccdeck.ingest.pool import JobResult, PoolError, Segment
from ccdeck.ingest.scan import Scan
from ccdeck.ingest.scan_plan import Work, pending
from ccdeck.ingest.stats import ScanStats, log_problems
from ccdeck.ingest.tailer import chunk_spans, file_state
from ccdeck.store.rows import Problem

log = logging.getLogger(__name__)


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


def read_in_workers(
    scan: Scan, config_dirs: list[Path], work: list[Work], advance: Callable[[int], None] | None
) -> None:
    """Parse `work` in the scan's pool (a few jobs ahead), sealing the batches in file order.

    If a worker fails, what was parsed before is written and the rest is read here from the cursors.
    """
    owner = scan.ingestor
    jobs: deque[tuple[_Job, Future[JobResult]]] = deque()
    try:
        if scan.pool is None:
            scan.pool = owner.start_pool(owner.workers)
        for job in _plan(scan, work):
            while len(jobs) >= 2 * owner.workers:
                _take(scan, *jobs.popleft(), advance)
            jobs.append((job, scan.pool.submit(job.segments, scan.usage_only)))
        while jobs:
            _take(scan, *jobs.popleft(), advance)
    except PoolError as exc:
        log.warning("parse workers failed, scanning on in this process: %s", exc)
        scan.close_pool(kill=True)
        jobs.clear()  # parsed after the failed job: their cursors must not pass it
        scan.finish()
        scratch = ScanStats()  # the files were counted already
        rest = [w for d in config_dirs for w in pending(owner.store, owner.machine, d, scratch, owner.refuse)]
        scan.read_here([w for w in rest if w.backlog(scan.usage_only)], advance)


def _plan(scan: Scan, work: list[Work]) -> Iterator[_Job]:
    """Jobs of whole chunks, cut where reading here would seal its batches (so the batches are the same)."""
    job, size = _Job(), 0
    scratch = ScanStats()  # files refused now were counted when they were planned: only logged
    for w in work:
        source = w.source
        fd = scan.open_source(source, scratch)
        if fd is None:
            continue
        spans: list[tuple[int, int]] | None = None
        try:
            state = file_state(os.fstat(fd))
            resumed, responses_from = w.start(fd, state, scan.usage_only)
            track = _Track(source, resumed.lines, resumed.cwd)
            for start, end in chunk_spans(fd, resumed.offset, state.size, scan.ingestor.chunk_bytes):
                if spans is None:
                    spans = []
                    s = source
                    job.segments.append((str(s.path), str(s.config_dir), s.kind, s.session_hint, state.device,
                                         state.inode, state.size, state.mtime_ns, spans, responses_from))  # fmt: skip
                    job.tracks.append(track)
                spans.append((start, end))
                size += end - start
                if size >= scan.ingestor.batch_bytes:
                    yield job
                    job, size, spans = _Job(), 0, None
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        finally:
            os.close(fd)
    if job.segments:
        yield job


def _take(scan: Scan, job: _Job, future: Future[JobResult], advance: Callable[[int], None] | None) -> None:
    """Take a job's result (in job order), number its lines, resolve its paths, seal its batch."""
    result = future.result()
    batch, stats = result.batch, scan.stats
    cursors = problems = read = 0
    for track, segment in zip(job.tracks, result.segments, strict=True):
        base, cwd = track.lines, track.cwd
        for i in range(cursors, segment.cursors):
            c = batch.cursors[i]
            batch.cursors[i] = dataclasses.replace(c, lines=base + c.lines, cwd=cwd or c.cwd)
        for i in range(problems, segment.problems):
            p = batch.problems[i]
            batch.problems[i] = Problem(p.path, p.offset, base + p.line_no, p.reason)
        log_problems(batch.problems[problems : segment.problems], stats)
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
    scan.ingestor.pricer.unpriced |= result.unpriced
    price_responses(batch, scan.ingestor.pricer)
    scan.seal(batch)
    if advance is not None:
        advance(read)
