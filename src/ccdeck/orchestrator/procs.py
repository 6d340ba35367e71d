"""Process groups: who is in one, whether a recorded pid is still the process we started, and signalling.

Every task runs in its own process group (its own session, in fact), so one signal reaches the CLI and every
tool process it started. A pid alone can be reused once its process is gone; ccdeck records each pid with its
start time and signals only a process whose start time still matches.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from pathlib import Path

import psutil

from ccdeck.pids import START_TOLERANCE_SECONDS, start_time

log = logging.getLogger(__name__)

PROC = Path("/proc")


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    try:
        os.killpg(pgid, 0)  # the kernel's answer is cheap: scan /proc only when it says someone is left
    except ProcessLookupError:
        return []
    except PermissionError:
        pass  # someone is left, but not ours to signal
    if not PROC.is_dir():  # not Linux: no way to tell zombies apart
        return [pgid]
    members = []
    for stat in PROC.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # After the parenthesised command name: state, ppid, pgrp, …
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


def signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send `sig` to the group; False when nobody is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        log.warning("not allowed to signal process group %d", pgid)
        return False
    return True


def group_of_ours(pgid: int, started: float) -> bool:
    """Whether the group still holds what we started: its leader with the recorded start time; or, the leader
    gone (or a zombie), members that started after it (a group id cannot be reused while it has members)."""
    try:
        leader = psutil.Process(pgid)
        if abs(leader.create_time() - started) > START_TOLERANCE_SECONDS:
            return False  # the pid is another process's now
        if leader.status() != psutil.STATUS_ZOMBIE:
            return True
    except psutil.NoSuchProcess:
        pass
    except psutil.AccessDenied:
        return False
    members = group_members(pgid)
    times = [start_time(pid) for pid in members]
    return bool(members) and all(t is not None and t >= started - START_TOLERANCE_SECONDS for t in times)


def stop_group_blocking(pgid: int, started: float, grace: float, term_wait: float = 3.0) -> bool:
    """Stop a group this process did not start (its supervisor is gone): SIGINT, SIGTERM, then SIGKILL, each
    followed by a wait. Returns False when the group was not ours any more (nothing was signalled)."""
    if not group_of_ours(pgid, started):
        return False
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, term_wait), (signal.SIGKILL, 5.0)):
        log.info("process group %d: %s", pgid, sig.name)
        if not signal_group(pgid, sig):
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                return True
            time.sleep(0.05)
    return not group_alive(pgid)
