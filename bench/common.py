"""Helpers shared by the benchmarks: child-process measurement, machine description, results file sections."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psutil

MIB = 1 << 20
REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
OUT_DIR = BENCH_DIR / "out"  # gitignored scratch space: corpora, databases, isolated HOME
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
VENV_BIN = REPO_ROOT / ".venv" / "bin"

RESULTS_HEADER = """# Benchmark results

Written by the scripts in `bench/` (see `bench/README.md`). Each section is replaced when its benchmark runs
again with the same parameters; figures are only comparable on the same machine.
"""


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


def isolated_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment with its own empty HOME.

    Tools that look in HOME for data (ccusage reads every agent CLI it knows: ~/.codex, ~/.gemini, ...) then
    see only the benchmark corpus, and nothing the benchmark runs can read or write the user's real files.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "NO_COLOR": "1",
    }
    env.update(extra or {})
    return env


def warm_page_cache(root: Path) -> int:
    """Read every file under root once, so no measured tool pays for the first read from disk.

    Returns the bytes read. Uses one reusable buffer: constant memory whatever the corpus size.
    """
    buffer = bytearray(MIB)
    total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        with path.open("rb", buffering=0) as fh:
            while count := fh.readinto(buffer):
                total += count
    return total


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores": f"{psutil.cpu_count(logical=True)} logical / {psutil.cpu_count(logical=False)} physical",
        "ram": f"{psutil.virtual_memory().total / (1 << 30):.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        # Other work on the machine skews every figure: record how busy it was.
        "load average (1 min)": f"{os.getloadavg()[0]:.2f}",
    }


def machine_line(info: Mapping[str, str] | None = None) -> str:
    info = machine_info() if info is None else info
    return "Machine: " + "; ".join(f"{key} {value}" for key, value in info.items())


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"


def update_results_section(key: str, body: str, path: Path = RESULTS_FILE) -> None:
    """Replace the section ``key`` of the results file with ``body``, or append it; other sections stay."""
    begin, end = _markers(key)
    section = f"{begin}\n{body.strip()}\n{end}\n"
    text = path.read_text() if path.exists() else RESULTS_HEADER
    start = text.find(begin)
    stop = text.find(end, start)
    if start >= 0 and stop >= 0:
        rest = text[stop + len(end) :].lstrip("\n")
        text = text[:start] + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "—"
    return f"{numerator / denominator:.2f}×"
