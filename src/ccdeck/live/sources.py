"""Reading Claude Code's live files for the model: the registry (`sessions/<pid>.json`) and background jobs
(`jobs/<id>/state.json`), and knowing the moment a registered process exits (a pidfd, where Linux has one).

The readers are plain functions for a worker thread; `ExitWatch` lives on the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ccdeck.claude.discovery import registry_files
from ccdeck.claude.jobs import BackgroundJob, job_state_path, parse_job_state
from ccdeck.claude.registry import read_live_session
from ccdeck.live.processes import registered_process_lives
from ccdeck.models import LiveSession
from ccdeck.pids import proc_start_ticks

if TYPE_CHECKING:
    import asyncio  # only a type here: `ccdeck sessions` reads the registry without an event loop

log = logging.getLogger(__name__)
JOB_STATE_BYTES = 1 << 20  # a state.json is a few KB; anything larger is not one


def entry_lives(entry: LiveSession) -> bool:
    """The registry entry's process still runs: the same process (`procStart` when given), not a reused pid."""
    if entry.proc_start is not None:
        ticks = proc_start_ticks(entry.pid)
        if ticks is not None or Path("/proc/self/stat").exists():
            return ticks == entry.proc_start
    return registered_process_lives(entry.pid, entry.started_at)


def read_registry(config_dir: Path) -> list[tuple[LiveSession, bool]]:
    """Every entry of one config dir's registry, with whether its process lives."""
    entries = (read_live_session(path, config_dir) for path in registry_files(config_dir))
    return [(entry, entry_lives(entry)) for entry in entries if entry is not None]


def job_files(config_dir: Path) -> list[Path]:
    folder = config_dir / "jobs"
    return sorted(folder.glob("*/state.json")) if folder.is_dir() else []


def read_job(path: Path, config_dir: Path) -> BackgroundJob | None:
    try:
        with path.open("rb") as file:
            raw = file.read(JOB_STATE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > JOB_STATE_BYTES:
        return None
    return parse_job_state(raw, path.parent.name, str(config_dir))


def live_file_kind(path: Path, config_dirs: tuple[Path, ...]) -> tuple[str, Path] | None:
    """("registry" | "job", its config dir) for a live file of one of `config_dirs`, else None."""
    for config_dir in config_dirs:
        if path.parent == config_dir / "sessions" and path.suffix == ".json":
            return "registry", config_dir
        if job_state_path(path) and path.parent.parent.parent == config_dir:
            return "job", config_dir
    return None


class ExitWatch:
    """Calls `on_exit(config_dir, pid)` on the loop the moment a watched process exits (Linux pidfd).

    Where pidfds are missing the watch is a no-op and the monitor's slower checks notice the exit instead.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, on_exit: Callable[[str, int], None]) -> None:
        self._loop = loop
        self._on_exit = on_exit
        self._fds: dict[tuple[str, int], int] = {}

    def watch(self, config_dir: str, pid: int) -> None:
        key = (config_dir, pid)
        if key in self._fds or not hasattr(os, "pidfd_open"):
            return
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            self._loop.call_soon(self._on_exit, config_dir, pid)
            return
        except OSError as exc:
            log.debug("no pidfd for %d: %s", pid, exc)
            return
        self._fds[key] = fd
        self._loop.add_reader(fd, self._exited, key)

    def keep_only(self, config_dir: str, pids: set[int]) -> None:
        for key in [k for k in self._fds if k[0] == config_dir and k[1] not in pids]:
            self._forget(key)

    def close(self) -> None:
        for key in list(self._fds):
            self._forget(key)

    def _exited(self, key: tuple[str, int]) -> None:
        self._forget(key)
        self._on_exit(*key)

    def _forget(self, key: tuple[str, int]) -> None:
        fd = self._fds.pop(key, None)
        if fd is not None:
            self._loop.remove_reader(fd)
            with contextlib.suppress(OSError):
                os.close(fd)
