"""Named read queries of the ingest cursors (`files`, and the usage pass's `usage_cursors`), as portable SQL text
run through a `Reader`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccdeck.store.reader import Reader

# A cursor's fields in `ingest.tailer.SavedCursor`'s order.
CURSOR_COLUMNS = 'device, inode, "offset", lines, cwd, fingerprint, mtime_ns'


def stored_cursors(reader: Reader, config_dir: str) -> Sequence[Any]:
    """`path, CURSOR_COLUMNS..., size` (the size the cursor recorded) of every file of a config dir."""
    return reader.rows(
        f"SELECT path, {CURSOR_COLUMNS}, size FROM files WHERE config_dir = :config_dir", {"config_dir": config_dir}
    )


def stored_usage_cursors(reader: Reader, config_dir: str) -> Sequence[Any]:
    """The same fields of the usage pass's cursors of a config dir (they keep no cwd: NULL)."""
    columns = CURSOR_COLUMNS.replace("cwd", "NULL")
    return reader.rows(
        f"SELECT path, {columns}, size FROM usage_cursors WHERE config_dir = :config_dir", {"config_dir": config_dir}
    )
