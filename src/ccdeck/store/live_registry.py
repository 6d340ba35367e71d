"""Writing the live registry (`live_sessions`): what `sessions/*.json` of a config dir says now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete

from ccdeck.store import schema


def replace_live_sessions(conn: Connection, machine: str, config_dir: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """A writer job's body: replace the machine's rows of the config dir's live registry with `rows` (column ->
    value): another machine's registry of the same path is another set of processes."""
    table = schema.live_sessions
    conn.execute(delete(table).where(table.c.machine == machine, table.c.config_dir == config_dir))
    if rows:
        conn.execute(table.insert(), [{**row, "machine": machine} for row in rows])
