"""Waiting for processes to be gone without polling them: a pidfd per process (Linux 5.3+) becomes readable when
the process exits, so a wait wakes up on an exit, or at its deadline. Where pidfds are missing (not Linux, an old
kernel) the processes are looked at again every `POLL_SECONDS`.

Each wait takes `left`, which lists the pids still to go (a process group's live members, a task's strays): it is
asked again after every wake-up, since processes can join a group or leave it while it is being stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import time
from collections.abc import Callable, Sequence

POLL_SECONDS = 0.05  # without pidfds only
RESCAN_SECONDS = 0.5  # with pidfds, `left` is asked again at least this often (a process that joined meanwhile)


GONE: list[int] = []  # `_open_pidfds`: one of the processes is gone already, `left` is to be asked again at once


def _open_pidfds(pids: Sequence[int]) -> list[int] | None:
    """A pidfd per pid; `GONE` when one of the processes exited meanwhile; None without pidfds (not Linux, a kernel
    before 5.3)."""
    fds: list[int] = []
    try:
        for pid in pids:
            fds.append(os.pidfd_open(pid))
    except ProcessLookupError:
        _close(fds)
        return GONE
    except (AttributeError, OSError):
        _close(fds)
        return None
    return fds


def _close(fds: Sequence[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def wait_gone(left: Callable[[], Sequence[int]], seconds: float) -> bool:
    """Block until `left()` is empty (True) or `seconds` have passed (False)."""
    deadline = time.monotonic() + seconds
    while True:
        pids = left()
        if not pids:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        fds = _open_pidfds(pids)
        if fds is GONE:
            continue
        if fds is None:
            time.sleep(min(POLL_SECONDS, remaining))
            continue
        try:
            select.select(fds, [], [], min(RESCAN_SECONDS, remaining))
        finally:
            _close(fds)


async def wait_gone_async(left: Callable[[], Sequence[int]], seconds: float) -> bool:
    """`wait_gone` for the event loop: `left` runs in a thread (it may scan /proc), the pidfds are watched by the
    loop itself."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + seconds
    while True:
        pids = await asyncio.to_thread(left)
        if not pids:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        fds = _open_pidfds(pids)
        if fds is GONE:
            continue
        if fds is None:
            await asyncio.sleep(min(POLL_SECONDS, remaining))
            continue
        woke = loop.create_future()

        def wake(fut: asyncio.Future[None] = woke) -> None:
            if not fut.done():
                fut.set_result(None)

        try:
            for fd in fds:
                loop.add_reader(fd, wake)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woke, min(RESCAN_SECONDS, remaining))
        finally:
            for fd in fds:
                loop.remove_reader(fd)
            _close(fds)
