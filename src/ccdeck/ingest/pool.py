"""Parse workers for big backlogs: separate processes turn spans of files into batches, in parallel.

Each worker is a fresh interpreter (`python -c`, never a fork: the server scans from a thread while its event loop
runs) that imports only the parsing modules. The scanning process sends it a job -- spans of files, in file order,
that make one batch -- and gets back the batch and what the scanning process needs to finish it: line counts
(absolute line numbers depend on the spans before), and the snapshot paths written relative, to resolve against
the first cwd of the whole file, which the file's earlier spans may give. Worker and scanner talk over the
worker's stdin and stdout in length-prefixed pickles; a worker exits when its stdin closes, so it never outlives
the scan (not even a `kill -9` of it).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import traceback
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ccdeck.claude.discovery import FileKind, SourceFile
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.safe_open import open_fd
from ccdeck.ingest.chunks import FileReader, ParseStats
from ccdeck.ingest.tailer import TAIL_BYTES, Chunk, FileState, read_span
from ccdeck.store.rows import Batch

_HEADER = struct.Struct("<Q")
WORKER_CODE = "from ccdeck.ingest.pool import serve; serve()"

# (path, config_dir, kind, session_hint, device, inode, size, mtime_ns, [(start, end), ...], responses_from): one
# file's spans in a job (`FileReader` says what `responses_from` is).
Segment = tuple[str, str, FileKind, str | None, int, int, int, int, list[tuple[int, int]], int]


@dataclass(slots=True)
class SegmentResult:
    """How one segment of a job went. Line numbers in the batch count from the segment's first line."""

    lines: int = 0
    bytes: int = 0
    cursors: int = 0  # the batch's cursors up to here belong to this segment or earlier ones
    problems: int = 0  # likewise for the batch's problems
    relative: list[tuple[int, str]] = field(default_factory=list)  # snapshot_files entries from relative paths
    stopped: str | None = None  # why the file's remaining spans were not read
    unreadable: bool = False  # `stopped` is an OS error


@dataclass(slots=True)
class JobResult:
    batch: Batch
    segments: list[SegmentResult]
    stats: ParseStats
    unpriced: set[str]


class PoolError(Exception):
    """A parse worker died, could not start, or failed on a job."""


def parse_job(segments: list[Segment], pricer: Pricer | None, usage_only: bool = False) -> JobResult:
    """Parse one job into one batch, as the scanning process would have with the same chunks (without `pricer`,
    its responses unpriced: `chunks.price_responses`)."""
    batch, stats, results = Batch(usage_only=usage_only), ParseStats(), []
    for path, config_dir, kind, hint, device, inode, size, mtime_ns, spans, responses_from in segments:
        source = SourceFile(Path(path), Path(config_dir), kind, hint)
        state = FileState(device, inode, size, mtime_ns)
        reader = FileReader(source, pricer, stats, usage_only, responses_from)
        result = SegmentResult()
        try:
            fd = open_fd(source.config_dir, source.path)
        except OSError as exc:
            result.stopped, result.unreadable = exc.strerror or str(exc), True
        else:
            try:
                _read_spans(fd, spans, batch, reader, state, result)
            except OSError as exc:
                result.stopped, result.unreadable = exc.strerror or str(exc), True
            finally:
                os.close(fd)
        result.cursors, result.problems, result.relative = len(batch.cursors), len(batch.problems), reader.relative
        results.append(result)
    return JobResult(batch, results, stats, set(pricer.unpriced) if pricer is not None else set())


def _read_spans(
    fd: int, spans: list[tuple[int, int]], batch: Batch, reader: FileReader, state: FileState, result: SegmentResult
) -> None:
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != (state.device, state.inode):
        result.stopped = "replaced while being read"
        return
    if spans:  # the bytes before the first span, which the first cursor's fingerprint covers
        reader.tail = read_span(fd, max(0, spans[0][0] - TAIL_BYTES), spans[0][0])
    for start, end in spans:
        data = read_span(fd, start, end)
        if len(data) != end - start or not data.endswith(b"\n"):
            result.stopped = "changed while being read"
            return
        result.lines += reader.fill(batch, Chunk(start, end, result.lines, data), state)
        result.bytes += len(data)


# ---------------------------------------------------------------------------------------------------- worker side


def serve() -> None:
    """A worker's main loop: read a job from stdin, write its result to stdout, until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the scanner decides
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the stream of results
    jobs = sys.stdin.buffer
    while True:
        try:
            usage_only, segments = _receive(jobs)
        except EOFError:
            os._exit(0)  # nothing to flush or clean up: skip the interpreter's teardown
        try:
            # Unpriced: the scanning process prices the rows (it loads the price tables once, not once per worker).
            reply: tuple[bool, Any] = (True, parse_job(segments, None, usage_only))
        except Exception:  # reported to the scanner, which decides
            reply = (False, traceback.format_exc())
        try:
            _send(out, reply)
        except OSError:  # the scanner is gone (killed): so is the reason to go on
            os._exit(0)


def _widen_pipe(fd: int) -> None:
    """Results are megabytes, jobs may be hundreds of kilobytes: fewer, bigger pipe transfers (Linux only)."""
    with contextlib.suppress(AttributeError, OSError):
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)


def _send(stream: IO[bytes], obj: object) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """One message, or EOFError when the stream ends."""
    size = _HEADER.unpack(_read_exactly(stream, _HEADER.size))[0]
    return pickle.loads(_read_exactly(stream, size))


def _read_exactly(stream: IO[bytes], size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = stream.readinto(view[got:])  # type: ignore[attr-defined]
        if not n:
            raise EOFError
        got += n
    return buffer


# --------------------------------------------------------------------------------------------------- scanner side


class _Worker:
    def __init__(self, index: int, code: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        _widen_pipe(self.process.stdin.fileno())
        _widen_pipe(self.process.stdout.fileno())
        self.pending: deque[Future[JobResult]] = deque()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, name=f"ccdeck-parse-{index}", daemon=True)
        self.thread.start()

    def send(self, job: tuple[bool, list[Segment]], future: Future[JobResult]) -> None:
        assert self.process.stdin is not None
        with self.lock:
            self.pending.append(future)
        try:
            _send(self.process.stdin, job)
        except OSError as exc:
            self._fail(PoolError(f"parse worker {self.process.pid} is gone: {exc}"))

    def _read(self) -> None:
        assert self.process.stdout is not None
        stream = self.process.stdout
        while True:
            try:
                ok, value = _receive(stream)
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                code = self.process.wait()
                self._fail(PoolError(f"parse worker {self.process.pid} ended (exit status {code}): {exc!r}"))
                return
            with self.lock:
                future = self.pending.popleft()
            if ok:
                future.set_result(value)
            else:
                future.set_exception(PoolError(f"parse worker failed:\n{value}"))

    def _fail(self, error: PoolError) -> None:
        with self.lock:
            futures, self.pending = list(self.pending), deque()
        for future in futures:
            if not future.done():
                future.set_exception(error)

    def stop(self, kill: bool) -> None:
        """Close the worker's stdin (it exits once its job is done), or kill it."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.closed:
            with contextlib.suppress(OSError):
                stdin.close()
        if kill:
            self.process.kill()

    def wait(self) -> None:
        self.thread.join(timeout=10)  # the reader ends with the worker's stdout, when it exits
        if self.thread.is_alive():
            self.process.kill()
            self.thread.join()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class ParsePool:
    """`workers` parse processes; `submit` hands a job to the least busy one. Close it (or use `with`).

    `worker_code`: the Python each worker runs (`python -c`); the default serves jobs.
    """

    def __init__(self, workers: int, *, worker_code: str = WORKER_CODE) -> None:
        if not sys.executable:
            raise PoolError("no Python executable to start parse workers with")
        self._workers: list[_Worker] = []
        try:
            for index in range(workers):
                self._workers.append(_Worker(index, worker_code))
        except OSError as exc:
            self.close(kill=True)
            raise PoolError(f"cannot start parse workers: {exc}") from None

    def submit(self, segments: list[Segment], usage_only: bool = False) -> Future[JobResult]:
        future: Future[JobResult] = Future()
        worker = min(self._workers, key=lambda w: len(w.pending))
        worker.send((usage_only, segments), future)
        return future

    def close(self, kill: bool = False) -> None:
        for worker in self._workers:
            worker.stop(kill)
        for worker in self._workers:
            worker.wait()
        self._workers = []

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        self.close(kill=exc_type is not None)
