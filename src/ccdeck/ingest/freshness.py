"""Whether a scan would find anything to do, and the rule it decides that by, file by file.

`unchanged` is the one copy of the rule the scan (`pipeline`) skips a file by. `nothing_new` applies it to every
file a scan would look at, and compares the live registry with what the last scan stored: when it holds, a report
can read the database as it is (read-only, with the standard library's `sqlite3`) and answer what a scan followed
by the same report would. It only reads: a file it cannot decide about (refused, which the scan logs) counts as new.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from ccdeck.claude.discovery import registry_files, source_files
from ccdeck.claude.registry import read_live_session
from ccdeck.claude.safe_open import RefusedFile, check
from ccdeck.ingest.tailer import FileState, SavedCursor, file_state
from ccdeck.store import session_queries
from ccdeck.store.file_queries import stored_cursors, stored_usage_cursors
from ccdeck.store.reader import Reader

# How far a scan goes. "full": everything (a big backlog in two passes: usage first, then the rest). "usage": what
# usage reports need -- responses and sessions -- at least (a big backlog's first pass only; a small one is read in
# full, as one pass reads both).
Depth = Literal["usage", "full"]


def unchanged(cursor: SavedCursor, size: int, state: FileState) -> bool:
    """Read to the end, and the same file, size and (if known: old cursors lack it) mtime as then. `size` is the
    size the cursor recorded."""
    same = (cursor.device, cursor.inode, size, cursor.offset) == (state.device, state.inode, state.size, state.size)
    return same and cursor.mtime_ns in (None, state.mtime_ns)


def nothing_new(reader: Reader, machine: str, config_dirs: Iterable[Path], depth: Depth = "full") -> bool:
    """Whether a scan of `config_dirs` on `machine` as far as `depth` would leave the database as it is: every file
    unchanged since its cursor (for a usage scan, its complete or its usage cursor; prompt history is not read by
    one), and the live registry as stored."""
    return all(
        _files_unchanged(reader, machine, d, depth) and _registry_unchanged(reader, machine, d) for d in config_dirs
    )


def saved_cursors(rows: Iterable[Any]) -> dict[str, tuple[SavedCursor, int]]:
    """Path -> (cursor, the size it recorded), from rows of the store's cursor queries (`file_queries`)."""
    return {path: (SavedCursor(*cursor), size) for path, *cursor, size in rows}


def _files_unchanged(reader: Reader, machine: str, config_dir: Path, depth: Depth) -> bool:
    saved = saved_cursors(stored_cursors(reader, machine, str(config_dir)))
    usage = saved_cursors(stored_usage_cursors(reader, machine, str(config_dir))) if depth == "usage" else {}
    for source in source_files(config_dir):
        if depth == "usage" and source.kind == "history":
            continue
        try:
            state = file_state(check(source.config_dir, source.path))
        except RefusedFile:
            return False  # the scan logs it
        except OSError:
            continue  # gone (or unreadable): the scan skips it too
        if not any(
            held is not None and unchanged(held[0], held[1], state)
            for held in (saved.get(str(source.path)), usage.get(str(source.path)))
        ):
            return False
    return True


def _registry_unchanged(reader: Reader, machine: str, config_dir: Path) -> bool:
    now = [e for e in (read_live_session(p, config_dir) for p in registry_files(config_dir)) if e]
    return now == session_queries.live_registry(reader, str(config_dir), machine)
