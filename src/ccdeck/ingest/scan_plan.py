"""Which files a scan reads, and from where: the files changed since their cursors (`Work`).

A file unchanged since its cursor and read to the end costs one `stat` (`freshness.unchanged`). Each file has two
cursors: its complete one (`files`) and its usage cursor (`usage_cursors`, the first pass of a big backlog).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ccdeck.claude.discovery import SourceFile, source_files
from ccdeck.claude.safe_open import RefusedFile, check
from ccdeck.ingest.freshness import saved_cursors, unchanged
from ccdeck.ingest.stats import ScanStats
from ccdeck.ingest.tailer import FileState, Resume, SavedCursor, file_state, resume, start_point
from ccdeck.store.file_queries import cursors_of_files, stored_cursors, stored_usage_cursors
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
Refuse = Callable[[SourceFile, RefusedFile, ScanStats], None]


@dataclass(frozen=True, slots=True)
class Work:
    """A file with something to read: its complete cursor (`files`), its usage cursor, its size when planned."""

    source: SourceFile
    full: SavedCursor | None
    usage: SavedCursor | None
    size: int
    usage_done: bool  # a usage pass has nothing to read in it

    def backlog(self, usage_only: bool) -> int:
        if usage_only and self.usage_done:
            return 0
        offsets = [c.offset for c in (self.full, self.usage if usage_only else None) if c is not None]
        return self.size - max(offsets, default=0)

    def start(self, fd: int, state: FileState, usage_only: bool) -> tuple[Resume, int]:
        """Where a pass reads the file from, and from which byte it keeps responses (`FileReader`)."""
        full = resume(fd, state, self.full)
        if full.rewritten:
            log.info("%s was rewritten in place: reading it again from the start", self.source.path)
        if self.usage is None:
            return full, 0
        usage = resume(fd, state, self.usage)
        if not usage_only:
            return full, usage.offset
        return (usage if usage.offset > full.offset else full), 0


def pending(
    store: Store,
    machine: str,
    config_dir: Path,
    stats: ScanStats,
    refuse: Refuse,
    sources: Iterable[SourceFile] | None = None,
) -> list[Work]:
    """Files that changed since `machine`'s cursor or were not read to the end (the others cost one stat)."""
    chosen = None if sources is None else list(sources)
    saved, usage = _saved(store, machine, config_dir, None if chosen is None else [str(s.path) for s in chosen])
    found = []
    for source in source_files(config_dir) if chosen is None else chosen:
        stats.files += 1
        try:
            state = file_state(check(source.config_dir, source.path))
        except RefusedFile as exc:
            refuse(source, exc, stats)
            continue
        except OSError:
            continue  # gone (or unreadable: reading it says why)
        work = _work(source, state, saved.get(str(source.path)), usage.get(str(source.path)))
        if work is not None:
            found.append(work)
    return found


Held = tuple[SavedCursor, int]  # a cursor, and the size it recorded


def _work(source: SourceFile, state: FileState, held: Held | None, used: Held | None) -> Work | None:
    # Unchanged and read to the end. A cursor short of the size it recorded stopped at the end of a write
    # transaction inside the file (a scan killed before the next one committed: the rest is still to read),
    # or before a half-written last line (reading finds nothing new). A new mtime at the same size may be
    # a rewrite in place: reading checks the bytes before the cursor.
    if held and unchanged(*held, state):
        return None
    offset, _ = start_point(state, held[0] if held else None)
    if held and offset == 0 and held[0].offset > 0:
        log.info("%s was truncated or replaced: reading it again from the start", source.path)
    usage_done = source.kind == "history" or (used is not None and unchanged(*used, state))
    usage_cursor = None if used is None or start_point(state, used[0])[0] == 0 else used[0]
    full_cursor = held[0] if held and offset else None
    return Work(source, full_cursor, usage_cursor, state.size, usage_done)


def _saved(
    store: Store, machine: str, config_dir: Path, paths: list[str] | None
) -> tuple[dict[str, Held], dict[str, Held]]:
    """The complete and the usage cursors of a config dir's files, or of the given files only (a file event names
    a few: not the whole config dir's 10,000+ rows)."""
    with store.read() as conn:
        reader = SqlaReader(conn)
        if paths is None:
            full = stored_cursors(reader, machine, str(config_dir))
            usage = stored_usage_cursors(reader, machine, str(config_dir))
        else:
            full = cursors_of_files(reader, machine, paths)
            usage = cursors_of_files(reader, machine, paths, usage=True)
        return saved_cursors(full), saved_cursors(usage)
