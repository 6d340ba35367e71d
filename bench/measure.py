"""The measuring loops every benchmark shares: a child process timed with its CPU time and peak memory, repeated
runs and their medians, the summed RSS of a process tree, percentiles."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psutil

MIB = 1 << 20


@dataclass(frozen=True)
class ChildResult:
    """One finished child process: exit code, wall time and peak memory."""

    argv: tuple[str, ...]
    returncode: int
    seconds: float
    # ru_maxrss from wait4: the largest RSS of the child or of any descendant it waited for (not a sum).
    max_rss_kib: int
    # User + system CPU time of the child and its waited-for descendants: steadier than wall time on a busy machine.
    cpu_seconds: float
    # Largest sum of RSS over the whole process tree, sampled; catches workers that run side by side.
    tree_peak_rss_kib: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024

    def json(self) -> Any:
        """stdout parsed as JSON, or None when it is not JSON."""
        try:
            return orjson.loads(self.stdout)
        except orjson.JSONDecodeError:
            return None

    def failure(self) -> str:
        """A one-line reason for a failed run, for the results table."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        last = self.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no stderr"]
        return f"exit {self.returncode}: {last[0][:160]}"


class TreeSampler:
    """Samples the summed RSS of a process and its descendants every few milliseconds, in a thread."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.peak_kib = 0
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            root = psutil.Process(self._pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(root))
            self._stop.wait(self._interval)


def _tree_rss_kib(root: psutil.Process) -> int:
    total = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue  # exited between the listing and the read
    return total // 1024


def resolve_executable(name: str, env: Mapping[str, str]) -> str:
    if os.sep in name:
        return name
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    if found is None:
        raise FileNotFoundError(f"{name} not found on PATH")
    return found


def run_child(
    argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 1800.0, stdin: Path | None = None
) -> ChildResult:
    """Run argv to completion; wall time, peak RSS (os.wait4 rusage) and output captured in temporary files.

    stdin is read from the file ``stdin`` (default: /dev/null).

    The child gets its own session so a timeout can kill its whole process group (and nothing else).
    Output goes to files rather than pipes: no reader thread, no deadlock on large output.
    """
    child_env = dict(os.environ if env is None else env)
    executable = resolve_executable(argv[0], child_env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        file_actions = [
            (os.POSIX_SPAWN_OPEN, 0, str(stdin or os.devnull), os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        started = time.perf_counter()
        pid = os.posix_spawn(executable, list(argv), child_env, file_actions=file_actions, setsid=True)
        timed_out = threading.Event()
        timer = threading.Timer(timeout, _kill_group, (pid, timed_out))
        timer.start()
        with TreeSampler(pid) as sampler:
            _, status, rusage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
        out.seek(0)
        err.seek(0)
        return ChildResult(
            argv=tuple(argv),
            returncode=os.waitstatus_to_exitcode(status),
            seconds=seconds,
            max_rss_kib=rusage.ru_maxrss,
            cpu_seconds=rusage.ru_utime + rusage.ru_stime,
            tree_peak_rss_kib=sampler.peak_kib,
            stdout=out.read(),
            stderr=err.read(),
            timed_out=timed_out.is_set(),
        )


def _kill_group(pid: int, flag: threading.Event) -> None:
    flag.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # the group of the child we started (setsid made pid its id)


def run_repeated(
    argv: Sequence[str], runs: int, env: Mapping[str, str] | None = None, stdin: Path | None = None
) -> list[ChildResult]:
    """Run argv ``runs`` times in a row, stopping at the first failure."""
    results: list[ChildResult] = []
    for _ in range(runs):
        result = run_child(argv, env, stdin=stdin)
        results.append(result)
        if not result.ok:
            break
    return results


def median_seconds(results: Sequence[ChildResult]) -> float:
    return statistics.median(r.seconds for r in results)


@dataclass
class Measurement:
    """The figures of one benchmarked command (one run, or the median of several)."""

    name: str
    runs: list[ChildResult] = field(default_factory=list)
    in_process_seconds: float | None = None
    detail: str = ""
    error: str | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float | None:
        return median_seconds(self.runs) if self.ok else None

    @property
    def cpu_seconds(self) -> float | None:
        return statistics.median(r.cpu_seconds for r in self.runs) if self.ok else None

    @property
    def rss_mib(self) -> float | None:
        return max(r.max_rss_mib for r in self.runs) if self.ok else None

    @property
    def tree_rss_mib(self) -> float | None:
        return max(r.tree_peak_rss_kib for r in self.runs) / 1024 if self.ok else None

    def mib_per_second(self, corpus_bytes: int) -> float | None:
        seconds = self.seconds
        return corpus_bytes / MIB / seconds if seconds else None

    def failure(self) -> str:
        if self.error is not None:
            return self.error
        failed = next((r for r in self.runs if not r.ok), None)
        return failed.failure() if failed else "no run"

    def status(self) -> str:
        """`skipped` or `failed`, for a measurement that is not ok."""
        return "skipped" if self.skipped else "failed"


def skipped(name: str, reason: str) -> Measurement:
    return Measurement(name, error=reason, skipped=True)


def in_process_seconds(payload: Any) -> float | None:
    """The time the command printed (`seconds` of a scan; the likely keys of a report that would print one)."""
    if not isinstance(payload, dict):
        return None
    for key in ("querySeconds", "seconds", "elapsedSeconds"):
        if (value := float_or_none(payload.get(key))) is not None:
            return value
    for key in ("queryMs", "elapsedMs"):
        if (value := float_or_none(payload.get(key))) is not None:
            return value / 1000
    return None


def float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
