"""Writing the live registry (`live_sessions`): what `sessions/*.json` of a config dir says now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete

from ccdeck.store import schema


def replace_live_sessions(conn: Connection, config_dir: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """A writer job's body: replace the config dir's rows of the live registry with `rows` (column -> value)."""
    table = schema.live_sessions
    conn.execute(delete(table).where(table.c.config_dir == config_dir))
    if rows:
        conn.execute(table.insert(), list(rows))
