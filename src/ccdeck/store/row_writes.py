"""Writing ingest batches (`rows.Batch`): the rows some chunks of files produced, and their cursors, in ONE
transaction.

Because the cursor commits with its rows, a crash at any moment either keeps both or neither; because every row
is keyed (responses by dedup key, events by line uuid, ...), re-reading a file from the start adds nothing twice.
Several batches may share a transaction (`write_batches`): the result is the same as writing them one after the
other, with the per-session aggregates refreshed once instead of after each.
The search index (`events_fts`, migration 0005) takes the transaction's new events in that same transaction.

The statements are the connection's dialect's (`upserts`); PostgreSQL has no search index to feed.
Every row and cursor written carries the writing scan's machine (migration 0009); a response keeps the machine that
stored it first (its key is global: the same response read on two machines is one row, counted once).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from sqlalchemy import Connection

from ccdeck.store import schema
from ccdeck.store.request_ids import drop_telemetry_copies
from ccdeck.store.rows import (
    RESPONSE_COLUMNS,
    Batch,
    BatchResult,
    Cursor,
    ResponseRow,
    SessionMeta,
    outranks,
)
from ccdeck.store.search import INDEXED_KINDS
from ccdeck.store.session_stats import refresh_sessions
from ccdeck.store.upserts import executemany, statements_of

__all__ = ["transaction_job", "write_batches"]
_IN_CHUNK = 500


def _placeholders(conn: Connection, count: int) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def _stored(conn: Connection, keys: Iterable[str]) -> dict[str, ResponseRow]:
    """Response key -> the stored row, for the keys already stored."""
    found: dict[str, ResponseRow] = {}
    keys = list(keys)
    columns = ", ".join(f'"{c}"' for c in RESPONSE_COLUMNS)
    for start in range(0, len(keys), _IN_CHUNK):
        part = keys[start : start + _IN_CHUNK]
        sql = f'SELECT {columns} FROM {schema.responses.name} WHERE "key" IN ({_placeholders(conn, len(part))})'
        found.update((row[0], ResponseRow(*row)) for row in conn.exec_driver_sql(sql, tuple(part)))
    return found


def write_batches(conn: Connection, batches: Iterable[Batch], machine: str) -> BatchResult:
    """Write `batches` in order, and the last cursor of each file they read, in the caller's one transaction;
    refresh the aggregates of every session they touched. `machine`: the machine whose scan read them."""
    touched: set[str] = set()
    new: list[ResponseRow] = []
    cursors: dict[str, Cursor] = {}
    usage_cursors: dict[str, Cursor] = {}
    last_event = _last_event_rowid(conn)
    for batch in batches:
        new.extend(_write_rows(conn, batch, touched, machine))
        # A file's last cursor is the one that counts.
        (usage_cursors if batch.usage_only else cursors).update((c.path, c) for c in batch.cursors)
    _index_events(conn, last_event)
    refresh_sessions(conn, touched)
    now = time.time()
    executemany(conn, statements_of(conn).upsert_cursor, [
        (machine, c.path, c.config_dir, c.kind, c.device, c.inode, c.size, c.offset, c.lines, c.session_hint, c.cwd,
         c.fingerprint, c.mtime_ns, now)
        for c in cursors.values()
    ])  # fmt: skip
    executemany(conn, statements_of(conn).upsert_usage_cursor, [
        (machine, c.path, c.config_dir, c.device, c.inode, c.size, c.offset, c.lines, c.fingerprint, c.mtime_ns)
        for c in usage_cursors.values()
    ])  # fmt: skip
    return BatchResult(frozenset(touched), tuple(new))


def transaction_job(
    batches: list[Batch], after: Future[BatchResult] | None, machine: str
) -> Callable[[Connection], BatchResult]:
    """A writer job that writes `batches` in one transaction (`write_batches`). It follows `after` (the transaction
    before it, which the writer ran first) and writes nothing if that one failed: a later cursor must never pass
    rows that were not written."""

    def write(conn: Connection) -> BatchResult:
        if after is not None and after.exception() is not None:
            raise RuntimeError("an earlier write transaction failed")
        return write_batches(conn, batches, machine)

    return write


def _last_event_rowid(conn: Connection) -> int:
    if conn.dialect.name != "sqlite":
        return 0  # no search index to feed (`_index_events`)
    return int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {schema.events.name}").scalar() or 0)


_INDEX_EVENTS = f"""INSERT INTO events_fts(rowid, text) SELECT rowid, text FROM {schema.events.name}
    WHERE rowid > ? AND kind IN ({", ".join(f"'{k}'" for k in INDEXED_KINDS)})"""


def _index_events(conn: Connection, after: int) -> None:
    """Add the events stored since rowid `after` to the search index, in one statement: FTS5 flushes its pending
    terms at the end of each statement, so a row at a time (a trigger) writes a segment per row, several times
    slower. Events are only inserted, never updated or deleted, and SQLite gives a new row the largest rowid + 1.
    PostgreSQL has no such index: its search reads the events themselves."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(_INDEX_EVENTS, (after,))


def _write_rows(conn: Connection, batch: Batch, touched: set[str], machine: str) -> list[ResponseRow]:
    """Everything of one batch but its cursors; adds the sessions it touched to `touched`, returns new responses."""
    touched.update(batch.sessions)
    new, changed = _write_responses(conn, batch.responses, machine)
    touched.update(changed)
    ignore = statements_of(conn).ignore
    executemany(conn, ignore[schema.events.name], batch.events)
    executemany(conn, ignore[schema.tool_uses.name], batch.tool_uses)
    executemany(conn, ignore[schema.snapshot_files.name], batch.snapshot_files)
    executemany(conn, ignore[schema.history.name], batch.history)
    if batch.problems:
        now = time.time()
        executemany(conn, ignore[schema.problems.name], [(*p, now) for p in batch.problems])
    touched.update(_write_titles(conn, batch))
    executemany(conn, statements_of(conn).upsert_agent, batch.agents)
    _write_sessions(conn, batch.sessions, batch.usage_only, machine)
    return new


def _write_responses(
    conn: Connection, best: dict[str, ResponseRow], machine: str
) -> tuple[list[ResponseRow], set[str]]:
    """Store each copy of `best` (a batch's best copy of each response) that outranks the stored one, if any.

    Returns the responses not seen before, and the sessions whose responses changed: a copy that replaces a row
    may move it from one session to another (both need their aggregates refreshed).
    """
    if not best:
        return [], set()
    stored = _stored(conn, best)
    width = len(RESPONSE_COLUMNS)
    winners = [row for key, row in best.items() if key not in stored or outranks(row, stored[key])]
    # Telemetry told of some of these first: its copies go, and they are not new (`store.request_ids`).
    replaced, changed = drop_telemetry_copies(conn, winners)
    executemany(conn, statements_of(conn).upsert_response, [(*row[:width], machine) for row in winners])
    changed.update(row.session_id for row in winners)
    changed.update(stored[row.key].session_id for row in winners if row.key in stored)
    return [row for row in winners if row.key not in stored and row.request_id not in replaced], changed


def _write_titles(conn: Connection, batch: Batch) -> set[str]:
    """Titles and summaries; returns the sessions whose title may have changed."""
    touched = {session for session, _ in batch.titles}
    executemany(conn, statements_of(conn).upsert_title, [(s, src, t) for (s, src), t in batch.titles.items()])
    if batch.summaries:
        executemany(conn, statements_of(conn).upsert_summary, list(batch.summaries.items()))
        # A summary names a line uuid, usually in ANOTHER file: find the sessions that hold those lines.
        leaves = list(batch.summaries)
        for start in range(0, len(leaves), _IN_CHUNK):
            part = leaves[start : start + _IN_CHUNK]
            sql = f'SELECT session_id FROM {schema.events.name} WHERE "key" IN ({_placeholders(conn, len(part))})'
            touched.update(conn.exec_driver_sql(sql, tuple(part)).scalars())
    return touched


def _write_sessions(conn: Connection, metas: dict[str, SessionMeta], usage_only: bool, machine: str) -> None:
    """Upsert session metadata: first/last activity widen; the newest line's cwd, branch and state win."""
    executemany(conn, statements_of(conn).upsert_session[usage_only], [
        (sid, m.config_dir, m.cwd, m.git_branch, m.version, m.entrypoint, m.first, m.last, m.last_kind, m.doing,
         None if usage_only else m.last, machine)
        for sid, m in metas.items()
    ])  # fmt: skip
