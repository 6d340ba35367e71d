"""Live states shared between machines (`live_states`) and the notice that tells the others something changed
(PostgreSQL's `NOTIFY` on `CHANNEL`, sent in the writing transaction: it is delivered when that commits).

On SQLite there is one machine and no listener: `is_shared` says so, and the monitor writes nothing here then."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ccdeck.store import schema

CHANNEL = "ccdeck_changes"
STATE_COLUMNS = ("session_id", "state", "since", "blocked_on", "kind", "doing", "name", "prompt")


def is_shared(engine: Engine) -> bool:
    """Whether other machines may share this database (and listen to its notices): PostgreSQL."""
    return engine.dialect.name == "postgresql"


def notify(conn: Connection, payload: str) -> None:
    """A writer job's body (or part of one): tell every listener; nothing where no one can listen."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_notify(CHANNEL, payload)))


def put_states(conn: Connection, machine: str, rows: Sequence[Mapping[str, Any]], gone: Sequence[str]) -> None:
    """A writer job's body: `rows` (STATE_COLUMNS and `updated_at`) become `machine`'s live states; the sessions
    `gone` (ended) lose theirs."""
    table = schema.live_states
    if gone:
        conn.execute(delete(table).where(table.c.session_id.in_(list(gone))))
    if rows:
        # An upsert, not delete + insert: two machines' writers may store one session at once (it moved).
        insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
        fresh = {name: insert.excluded[name] for name in (*STATE_COLUMNS[1:], "machine", "updated_at")}
        conn.execute(insert.on_conflict_do_update(index_elements=["session_id"], set_=fresh),
                     [{**row, "machine": machine} for row in rows])  # fmt: skip


def clear_machine(conn: Connection, machine: str) -> list[str]:
    """A writer job's body: forget every live state of `machine` (its monitor starts or stops); their sessions."""
    table = schema.live_states
    ids = [row[0] for row in conn.execute(select(table.c.session_id).where(table.c.machine == machine))]
    conn.execute(delete(table).where(table.c.machine == machine))
    return ids


def other_states(conn: Connection, machine: str, ids: Sequence[str] | None = None) -> list[Any]:
    """Live states stored by machines other than `machine` (of `ids` only, when given): rows of STATE_COLUMNS."""
    table = schema.live_states
    query = select(*(table.c[name] for name in STATE_COLUMNS)).where(table.c.machine != machine)
    if ids is not None:
        query = query.where(table.c.session_id.in_(list(ids)))
    return list(conn.execute(query))
