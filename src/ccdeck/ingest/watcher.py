"""File events only trigger work: which Claude Code files changed. A periodic rescan (the monitor's) catches misses.

Uses watchfiles (inotify on Linux) with a short debounce. Filesystems that deliver no events (network mounts, some
containers) use the monitor's polling instead: frequent rescans, not this module.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import anyio
from watchfiles import Change, awatch

log = logging.getLogger(__name__)
DEBOUNCE_MS = 30
FILE_SUFFIXES = (".jsonl", ".json")
STEP_MS = 10


def _wanted(change: Change, path: str) -> bool:
    # A folder that appears (a copy, a restore, a new project) may fill before inotify watches it, and its files'
    # own events are then lost: the folder itself is yielded, and the monitor rescans.
    return path.endswith(FILE_SUFFIXES) or (change == Change.added and Path(path).is_dir())


async def changed_files(dirs: Sequence[Path], stop: anyio.Event) -> AsyncIterator[set[Path]]:
    """Yield sets of changed transcript / registry files, and of new folders, until `stop` is set."""
    watched = [str(d) for d in dirs if d.is_dir()]
    if not watched:  # nothing to watch: the periodic rescans alone look for new files
        await stop.wait()
        return
    async for changes in awatch(
        *watched,
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop,
        recursive=True,
        ignore_permission_denied=True,
    ):
        paths = {Path(p) for change, p in changes if _wanted(change, p)}
        if paths:
            yield paths
