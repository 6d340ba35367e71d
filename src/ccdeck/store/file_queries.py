"""Named read queries of files: the ingest cursors (`files`, and the usage pass's `usage_cursors`) and the files a
session changed, as portable SQL text run through a `Reader`. Cursors are one machine's (migration 0009): each
machine sharing a database reads its own files from its own cursors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccdeck.store.reader import Reader

# A cursor's fields in `ingest.tailer.SavedCursor`'s order.
CURSOR_COLUMNS = 'device, inode, "offset", lines, cwd, fingerprint, mtime_ns'
_USAGE_COLUMNS = CURSOR_COLUMNS.replace("cwd", "NULL")  # usage cursors keep no cwd
_IN_CHUNK = 500  # paths per query: SQLite's limit of bound parameters was 999 before 3.32


def stored_cursors(reader: Reader, machine: str, config_dir: str) -> Sequence[Any]:
    """`path, CURSOR_COLUMNS..., size` (the size the cursor recorded) of every file of a machine's config dir."""
    sql = f"SELECT path, {CURSOR_COLUMNS}, size FROM files WHERE machine = :machine AND config_dir = :config_dir"
    return reader.rows(sql, {"machine": machine, "config_dir": config_dir})


def stored_usage_cursors(reader: Reader, machine: str, config_dir: str) -> Sequence[Any]:
    """The same fields of the usage pass's cursors of a machine's config dir (they keep no cwd: NULL)."""
    sql = (
        f"SELECT path, {_USAGE_COLUMNS}, size FROM usage_cursors WHERE machine = :machine AND config_dir = :config_dir"
    )
    return reader.rows(sql, {"machine": machine, "config_dir": config_dir})


def cursors_of_files(reader: Reader, machine: str, paths: Sequence[str], usage: bool = False) -> list[Any]:
    """The fields of `stored_cursors` (with `usage`, of `stored_usage_cursors`) for the given files only: a file
    event names a few, and a config dir may hold 10,000+."""
    table, columns = ("usage_cursors", _USAGE_COLUMNS) if usage else ("files", CURSOR_COLUMNS)
    rows: list[Any] = []
    for start in range(0, len(paths), _IN_CHUNK):
        names = {f"p{i}": path for i, path in enumerate(paths[start : start + _IN_CHUNK])}
        marks = ", ".join(f":{name}" for name in names)
        sql = f"SELECT path, {columns}, size FROM {table} WHERE machine = :machine AND path IN ({marks})"
        rows.extend(reader.rows(sql, {**names, "machine": machine}))
    return rows


def files_changed(reader: Reader, session_id: str) -> Sequence[Any]:
    """`path, tool, uses` of every file the session edited (a snapshot only: tool 'snapshot'), by path."""
    return reader.records(
        """SELECT path, name AS tool, COUNT(*) AS uses FROM tool_uses
           WHERE session_id = :id AND path IS NOT NULL GROUP BY path, name
           UNION ALL
           SELECT path, 'snapshot' AS tool, 1 AS uses FROM snapshot_files
           WHERE session_id = :id AND path NOT IN
               (SELECT path FROM tool_uses WHERE session_id = :id AND path IS NOT NULL)
           ORDER BY path""",
        {"id": session_id},
    )
