"""Whether a scan would find anything to do, and the rule it decides that by, file by file.

`unchanged` is the one copy of the rule the scan (`pipeline`) skips a file by. `nothing_new` applies it to every
file a scan would look at, and compares the live registry with what the last scan stored: when it holds, a report
can read the database as it is (read-only, with the standard library's `sqlite3`) and answer what a scan followed
by the same report would. It only reads: a file it cannot decide about (refused, which the scan logs) counts as new.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ccdeck.claude.discovery import registry_files, source_files
from ccdeck.claude.registry import read_live_session
from ccdeck.claude.safe_open import RefusedFile, check
from ccdeck.ingest.tailer import FileState, SavedCursor, file_state
from ccdeck.store import session_queries
from ccdeck.store.file_queries import stored_cursors
from ccdeck.store.reader import Reader


def unchanged(cursor: SavedCursor, size: int, state: FileState) -> bool:
    """Read to the end, and the same file, size and (if known: old cursors lack it) mtime as then. `size` is the
    size the cursor recorded."""
    same = (cursor.device, cursor.inode, size, cursor.offset) == (state.device, state.inode, state.size, state.size)
    return same and cursor.mtime_ns in (None, state.mtime_ns)


def nothing_new(reader: Reader, config_dirs: Iterable[Path]) -> bool:
    """Whether a scan of `config_dirs` would leave the database as it is: every file unchanged since its cursor,
    and the live registry as stored."""
    return all(_files_unchanged(reader, d) and _registry_unchanged(reader, d) for d in config_dirs)


def _files_unchanged(reader: Reader, config_dir: Path) -> bool:
    saved = {path: (SavedCursor(*cursor), size) for path, *cursor, size in stored_cursors(reader, str(config_dir))}
    for source in source_files(config_dir):
        try:
            state = file_state(check(source.config_dir, source.path))
        except RefusedFile:
            return False  # the scan logs it
        except OSError:
            continue  # gone (or unreadable): the scan skips it too
        held = saved.get(str(source.path))
        if held is None or not unchanged(held[0], held[1], state):
            return False
    return True


def _registry_unchanged(reader: Reader, config_dir: Path) -> bool:
    now = [e for e in (read_live_session(p, config_dir) for p in registry_files(config_dir)) if e]
    return now == session_queries.live_registry(reader, str(config_dir))
