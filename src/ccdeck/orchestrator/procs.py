"""Process groups: who is in one, whether a recorded pid is still the process we started, and signalling.

Every task runs in its own process group (its own session, in fact), so one signal reaches the CLI and every
tool process it started. A pid alone can be reused once its process is gone; ccdeck records each pid with its
start time and signals only a process whose start time still matches.

A tool can leave its group (`setsid`, a daemon's double fork). Such strays are still the task's: every task's
environment carries `CCDECK_TASK=<run>/<task>`, which its descendants inherit whatever group or parent they end
up with, and a supervisor is a child subreaper (Linux), so strays whose parent exits become its children rather
than init's: they stay among its descendants, and it reaps them.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import NamedTuple

import psutil

from ccdeck.orchestrator import ladder, waits
from ccdeck.pids import START_TOLERANCE_SECONDS, same_process, start_time

log = logging.getLogger(__name__)

PROC = Path("/proc")
MARKER_VARIABLE = "CCDECK_TASK"
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def task_marker(run_id: str, task_id: str) -> str:
    """The value of `CCDECK_TASK` in a task's environment: which run and task a process belongs to."""
    return f"{run_id}/{task_id}"


def become_subreaper() -> bool:
    """Make this process the one orphaned descendants are re-parented to (instead of init), so a task's
    `setsid` daemon stays among our descendants. Linux only: elsewhere (or if refused) a logged no-op, and strays
    are looked for among all of the user's processes instead."""
    if not sys.platform.startswith("linux"):
        log.info("not Linux: no child subreaper; a task's detached processes are found by their environment")
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
    except (OSError, AttributeError) as exc:
        log.info("cannot become a child subreaper (%s): a task's detached processes are found by their environment",
                 exc)  # fmt: skip
        return False
    return True


def strays(pgid: int, marker: str, since: float, *, descendants_only: bool) -> list[psutil.Process]:
    """The task's live processes outside its process group: those whose environment says `CCDECK_TASK=marker`
    and that started after the task did. Looked for among our descendants (a subreaper's orphans included), or,
    `descendants_only` False, among all of this user's processes (when the task's supervisor is gone)."""
    found = []
    for process in _descendants() if descendants_only else _users_processes():
        with contextlib.suppress(psutil.Error, OSError):
            if (
                process.environ().get(MARKER_VARIABLE) == marker
                and process.create_time() >= since - START_TOLERANCE_SECONDS
                and process.status() != psutil.STATUS_ZOMBIE
                and os.getpgid(process.pid) != pgid
            ):
                found.append(process)
    return found


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _users_processes() -> Iterable[psutil.Process]:
    uid = os.getuid()
    for process in psutil.process_iter(["uids"]):
        uids = process.info.get("uids")
        if uids is not None and uids.real == uid and process.pid != os.getpid():
            yield process


def signal_strays(processes: Sequence[psutil.Process], sig: signal.Signals) -> bool:
    """Send `sig` to each process still running (psutil checks it is the same process); False if none was."""
    reached = False
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.send_signal(sig)
            reached = True
    if reached:
        log.info("%s to %d process(es) that left the task's group: %s", sig.name, len(processes),
                 [p.pid for p in processes])  # fmt: skip
    return reached


def strays_alive(processes: Sequence[psutil.Process]) -> bool:
    """Whether any of them still runs; the dead ones that are our children (re-parented orphans) are reaped."""
    alive = False
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive = True
                continue
        except psutil.Error:
            pass
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process.pid, os.WNOHANG)  # ECHILD when it is not ours: then init reaps it
    return alive


def reap_orphans(keep: Iterable[int]) -> None:
    """Reap exited children that a subreaper inherited (orphans from a task's session): never one of `keep`
    (the tasks' own processes, which their `Child` waits for), nor one in our own session (our own helpers,
    such as git, which their callers wait for)."""
    kept, own_session = set(keep), os.getsid(0)
    for process in _descendants_direct():
        with contextlib.suppress(psutil.Error, OSError, ChildProcessError):
            if process.pid in kept or process.status() != psutil.STATUS_ZOMBIE or os.getsid(process.pid) == own_session:
                continue
            os.waitpid(process.pid, os.WNOHANG)


def _descendants_direct() -> list[psutil.Process]:
    try:
        return psutil.Process().children()
    except psutil.Error:
        return []


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


def group_left_by(leader: int) -> bool:
    """Whether the group a leader we reaped led still has live members. Its pid stays taken while they live; once
    that pid is in use again (pids wrap, at 32768 on some machines), the group is gone and the pid leads somebody
    else's: never ours to signal."""
    return not (PROC / str(leader)).exists() and group_alive(leader)


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
    if same_process(pgid, started):
        return True
    leader_started = start_time(pgid)  # a zombie's too
    if leader_started is not None and abs(leader_started - started) > START_TOLERANCE_SECONDS:
        return False  # the pid is another process's now
    members = group_members(pgid)
    times = [start_time(pid) for pid in members]
    return bool(members) and all(t is not None and t >= started - START_TOLERANCE_SECONDS for t in times)


def still_there(group: int | None, processes: Sequence[psutil.Process]) -> list[int]:
    """The live members of `group` (None: no group) and those of `processes` still running (the dead ones that are
    our children are reaped): what a step of the ladder waits to see gone."""
    members = group_members(group) if group is not None else []
    return members + [p.pid for p in processes if strays_alive([p])]


def stop_task_blocking(pgid: int, started: float, grace: float, marker: str | None = None) -> bool:
    """Stop a task this process did not start (its supervisor is gone): its group, if still the one we started,
    and its strays anywhere, climbing `ladder.stop_steps`; each wait ends as soon as they are gone (`waits`).
    Returns False when there was nothing of ours to signal, or something was left after SIGKILL."""
    group = pgid if group_of_ours(pgid, started) else None

    def stray_list() -> list[psutil.Process]:
        return strays(pgid, marker, started, descendants_only=False) if marker else []

    left = stray_list()
    if group is None and not left:
        return False
    for step in ladder.stop_steps(grace):
        if group is not None:
            log.info("process group %d: %s", group, step.signal.name)
            signal_group(group, step.signal)
        signal_strays(left, step.signal)
        waits.wait_gone(partial(still_there, group, left), step.wait)
        left = [p for p in left if strays_alive([p])] + [p for p in stray_list() if p not in left]
        if not (group is not None and group_alive(group)) and not left:
            return True
    return False


class TaskGroup(NamedTuple):
    """A task's process group as recorded: its leader's pid (the group id), its start time, the task's marker."""

    pgid: int
    started: float
    marker: str | None


def stop_tasks_blocking(targets: Sequence[TaskGroup], grace: float) -> None:
    """`stop_task_blocking` for many tasks at once: one grace period, not one each."""
    if not targets:
        return
    with ThreadPoolExecutor(max_workers=min(8, len(targets)), thread_name_prefix="ccdeck-stop") as pool:
        list(pool.map(lambda t: stop_task_blocking(t.pgid, t.started, grace, t.marker), targets))
