"""Live states shared between machines (`live_states`) and the notice that tells the others something changed
(PostgreSQL's `NOTIFY` on `CHANNEL`, sent in the writing transaction: it is delivered when that commits).

On SQLite there is one machine and no listener: `is_shared` says so, and the monitor writes nothing here then."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

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


def put_states(conn: Connection, machine: str, rows: Sequence[Mapping[str, Any]], gone: Iterable[str]) -> None:
    """A writer job's body: `rows` (STATE_COLUMNS and `updated_at`) become `machine`'s live states; the sessions
    `gone` (ended) lose theirs."""
    table = schema.live_states
    ids = [*(row["session_id"] for row in rows), *gone]
    if ids:
        conn.execute(delete(table).where(table.c.session_id.in_(ids)))
    if rows:
        conn.execute(table.insert(), [{**row, "machine": machine} for row in rows])


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
