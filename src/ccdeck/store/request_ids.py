"""The one rule where transcripts and telemetry meet: a response counts once, whichever told of it first.

A transcript's response is keyed `message.id:requestId` (`claude.message.response_key`); telemetry knows only the
request id, and stores its copy under `telemetry_key(request_id)`. Every row keeps its request id (an indexed column),
so that:
- a telemetry response whose request id is already stored adds nothing (`new_from_telemetry`);
- a transcript response whose request id is stored from telemetry replaces that row (`drop_telemetry_copies`):
  the transcript holds more (the agent, the cache split, web searches), and the session's sums are recomputed
  from the rows, never incremented, so nothing is counted twice.
A session that telemetry knows only from its metrics (older CLIs, or the logs exporter off) holds one row per model
built from them (`metrics_key`); its first response of either kind replaces them.
Portable SQL only: SQLAlchemy Core statements.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Connection, and_, delete, select, update

from ccdeck.store import schema
from ccdeck.store.rows import ResponseRow

TELEMETRY_PREFIX = "otel:"
METRICS_PREFIX = "otel-metrics:"
_IN_CHUNK = 500


def telemetry_key(request_id: str) -> str:
    return TELEMETRY_PREFIX + request_id


def metrics_key(session_id: str, model: str) -> str:
    return f"{METRICS_PREFIX}{session_id}:{model}"


def is_from_metrics(key: str) -> bool:
    return key.startswith(METRICS_PREFIX)


def _chunks(items: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def stored_request_ids(conn: Connection, request_ids: Collection[str]) -> set[str]:
    """The request ids among `request_ids` that some stored response holds."""
    table, found = schema.responses, set[str]()
    for part in _chunks(request_ids):
        found.update(conn.execute(select(table.c.request_id).where(table.c.request_id.in_(part))).scalars())
    return found


def new_from_telemetry(conn: Connection, rows: Iterable[ResponseRow]) -> list[ResponseRow]:
    """Telemetry's responses (one per request id) that no stored response holds the request id of."""
    by_id = {row.request_id: row for row in rows if row.request_id}
    known = stored_request_ids(conn, by_id.keys())
    return [row for request_id, row in by_id.items() if request_id not in known]


def holds_telemetry(conn: Connection) -> bool:
    """Whether any response or event came from telemetry: one look along each primary key (transcript keys start
    with a message id, `msg_...`, a line uuid or `uuid:`), so that ingest without telemetry pays nothing more."""
    for table in (schema.responses, schema.events):
        key = table.c.key
        if conn.execute(select(key).where(key >= "otel", key < "otem").limit(1)).first() is not None:
            return True
    return False


def drop_telemetry_copies(conn: Connection, rows: Iterable[ResponseRow]) -> tuple[set[str], set[str]]:
    """Before `rows` (from transcripts) are stored: delete telemetry's copies of the same requests, and the rows
    built from metrics for their sessions. Returns (the request ids whose telemetry copy was replaced, the sessions
    whose rows were deleted)."""
    rows = list(rows)
    if not rows or not holds_telemetry(conn):
        return set(), set()
    keys = {telemetry_key(row.request_id) for row in rows if row.request_id}
    replaced, touched = _delete_keys(conn, keys)
    sessions = {row.session_id for row in rows}
    touched |= drop_metric_rows(conn, sessions)
    touched |= _retire_telemetry_errors(conn, sessions)
    return {key.removeprefix(TELEMETRY_PREFIX) for key in replaced}, touched


def drop_metric_rows(conn: Connection, session_ids: Collection[str]) -> set[str]:
    """Delete the rows built from metrics of `session_ids` (a response of theirs has come); their sessions."""
    table, touched = schema.responses, set[str]()
    for part in _chunks(session_ids):
        where = and_(table.c.session_id.in_(part), table.c.key.startswith(METRICS_PREFIX, autoescape=True))
        touched.update(conn.execute(delete(table).where(where).returning(table.c.session_id)).scalars())
    return touched


def _retire_telemetry_errors(conn: Connection, session_ids: Collection[str]) -> set[str]:
    """The api errors telemetry stored of sessions whose transcript is being read become plain system lines: the
    transcript tells of the same errors. Updated, not deleted: a deleted last row's rowid would be given again, to
    a row the search index (`row_writes._index_events`) then takes for one already indexed."""
    table, touched = schema.events, set[str]()
    for part in _chunks(session_ids):
        where = and_(table.c.session_id.in_(part), table.c.key.startswith(TELEMETRY_PREFIX, autoescape=True),
                     table.c.kind == "api_error")  # fmt: skip
        stmt = update(table).where(where).values(kind="system").returning(table.c.session_id)
        touched.update(conn.execute(stmt).scalars())
    return touched


def _delete_keys(conn: Connection, keys: Collection[str]) -> tuple[set[str], set[str]]:
    """Delete the responses stored under `keys`: (the keys that were there, their sessions)."""
    table, deleted, touched = schema.responses, set[str](), set[str]()
    for part in _chunks(keys):
        for key, session in conn.execute(
            delete(table).where(table.c.key.in_(part)).returning(table.c.key, table.c.session_id)
        ):
            deleted.add(key)
            touched.add(session)
    return deleted, touched
