"""Whether a recorded pid is still the process it was: a pid is reused once its process is gone, so every pid
ccdeck keeps (its own children, Claude Code's live registry) comes with a start time to compare."""

from __future__ import annotations

import os
import sys
from functools import cache

# psutil derives start times from boot time and clock ticks: the same process reads the same to well under this.
START_TOLERANCE_SECONDS = 1.0
LINUX = sys.platform.startswith("linux")


def start_time(pid: int) -> float | None:
    """The process's start time (epoch seconds), or None when it is gone or not ours to see."""
    if LINUX:
        found = _proc_stat(pid)
        return None if found is None else found[1]
    import psutil  # elsewhere; on Linux its import alone (a tenth of a second) would be most of the work

    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def same_process(pid: int | None, started: float | None, tolerance: float = START_TOLERANCE_SECONDS) -> bool:
    """True when `pid` is alive (not a zombie) and started within `tolerance` seconds of `started`."""
    if pid is None or started is None:
        return False
    if LINUX:
        found = _proc_stat(pid)
        return found is not None and found[0] != b"Z" and abs(found[1] - started) <= tolerance
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return abs(process.create_time() - started) <= tolerance
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _proc_stat(pid: int) -> tuple[bytes, float] | None:
    """(state, start time) from `/proc/<pid>/stat`, computed as psutil computes it on Linux (boot time plus the
    start in clock ticks); None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:  # noqa: PTH123 - a /proc path, not a project file
            raw = stat.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime field 22
    if len(fields) < 20:
        return None
    return fields[0], int(fields[19]) / os.sysconf("SC_CLK_TCK") + _boot_time()


@cache
def _boot_time() -> float:
    with open("/proc/stat", "rb") as stat:  # noqa: PTH123 - as above
        for line in stat:
            if line.startswith(b"btime"):
                return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def proc_start_ticks(pid: int) -> str | None:
    """Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), as Claude Code's registry records it
    in `procStart`; None when the process is gone, a zombie, or there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:  # noqa: PTH123 - a /proc path, not a project file
            raw = stat.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime field 22
    if len(fields) < 20 or fields[0] == b"Z":
        return None
    return fields[19].decode()
