"""Opening a file in a config dir safely: regular files inside the config dir only.

A config dir is a folder other programs write to, and ccdeck reads whatever ends in `.jsonl` or `.json` there. A
FIFO of that name would block `open` until something writes to it (a scan hangs, the server ignores SIGTERM);
a symlink to `/dev/zero` never ends; a symlink to a file elsewhere is not Claude Code's. So every file ccdeck reads
in a config dir is opened here: by its resolved path, which must lie inside the resolved config dir (a symlink
inside the config dir to a file inside it is fine), with `O_NONBLOCK` (opening a FIFO returns at once) and
`O_NOFOLLOW` (the resolved path ends in no symlink, unless one was put there since), then checked with `fstat` to be
a regular file. `check` does the same with one `lstat` for a regular file, to skip such paths before opening them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class RefusedFile(OSError):
    """A path in a config dir that is not a regular file inside it; its message says what it is instead."""


def check(config_dir: Path, path: Path) -> os.stat_result:
    """The status of `path` (of its target, for a symlink), if it is a regular file inside `config_dir`.

    Raises `RefusedFile` if it is not, or another `OSError` (FileNotFoundError when it is gone).
    """
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        st = Path(_inside(config_dir, path)).stat()
    _regular(st)
    return st


def open_fd(config_dir: Path, path: Path) -> int:
    """A read-only descriptor (close it) of `path`, a regular file inside `config_dir`; raises as `check`."""
    fd = os.open(_inside(config_dir, path), _FLAGS)
    try:
        _regular(os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_small(config_dir: Path, path: Path, limit: int) -> bytes:
    """The whole of a small file (a registry entry, a subagent's meta); raises as `check`, or when over `limit`."""
    fd = open_fd(config_dir, path)
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise RefusedFile(f"is larger than {limit:,} bytes")
    return data


def _inside(config_dir: Path, path: Path) -> str:
    """`path` resolved, if it lies inside the resolved `config_dir`."""
    real = os.path.realpath(path)
    root = os.path.realpath(config_dir)
    if real != root and not real.startswith(root.rstrip("/") + "/"):
        raise RefusedFile(f"leads out of the config dir (to {real})")
    return real


def _regular(st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise RefusedFile(f"is {kind}, not a regular file")
