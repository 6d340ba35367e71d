"""Whether a recorded pid is still the process it was: a pid is reused once its process is gone, so every pid
ccdeck keeps (its own children, Claude Code's live registry) comes with a start time to compare."""

from __future__ import annotations

import psutil

# psutil derives start times from boot time and clock ticks: the same process reads the same to well under this.
START_TOLERANCE_SECONDS = 1.0


def start_time(pid: int) -> float | None:
    """The process's start time (epoch seconds), or None when it is gone or not ours to see."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def same_process(pid: int | None, started: float | None, tolerance: float = START_TOLERANCE_SECONDS) -> bool:
    """True when `pid` is alive (not a zombie) and started within `tolerance` seconds of `started`."""
    if pid is None or started is None:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return abs(process.create_time() - started) <= tolerance
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


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
