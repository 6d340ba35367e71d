"""Writing what one OpenTelemetry export told (`TelemetryBatch`, built by `ccdeck.otel.intake`), in one transaction.

A session telemetry tells of first is stored with `source = 'telemetry'` and an empty config dir; its transcript,
when ingested, makes it a transcript session (`row_writes`). Responses follow the rule of `store.request_ids`;
sessions' sums are recomputed from the rows (`refresh_sessions`), as ingest does. Portable: SQLAlchemy Core reads,
inserts and updates, no dialect's upsert.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from ccdeck.claude.records import EventRow
from ccdeck.store import schema
from ccdeck.store.request_ids import (
    METRICS_PREFIX,
    drop_metric_rows,
    is_from_metrics,
    metrics_key,
    new_from_telemetry,
)
from ccdeck.store.rows import RESPONSE_COLUMNS, BatchResult, ResponseRow
from ccdeck.store.session_stats import refresh_sessions

__all__ = ["MetricUsage", "TelemetryBatch", "TelemetrySession", "write_telemetry"]
TELEMETRY_SOURCE = "telemetry"
_IN_CHUNK = 500


@dataclass(slots=True)
class TelemetrySession:
    """What an export said of a session: its span, its newest activity, and who ran it where."""

    first: float
    last: float
    last_kind: str | None = None
    doing: str | None = None
    user_email: str | None = None
    user_account: str | None = None
    host: str | None = None
    version: str | None = None


@dataclass(slots=True)
class MetricUsage:
    """Tokens and cost of one (session, model) from `claude_code.token.usage` / `claude_code.cost.usage`: deltas
    to add, or (`cumulative`) running totals that replace what is stored when larger."""

    ts: float
    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cost: float | None = None
    cumulative: bool = False


@dataclass(slots=True)
class TelemetryBatch:
    sessions: dict[str, TelemetrySession] = field(default_factory=dict)
    responses: list[ResponseRow] = field(default_factory=list)  # keyed `request_ids.telemetry_key`
    events: list[EventRow] = field(default_factory=list)  # api errors
    metrics: dict[tuple[str, str], MetricUsage] = field(default_factory=dict)  # (session, model) ->


def write_telemetry(conn: Connection, batch: TelemetryBatch) -> BatchResult:
    """Write `batch` in the caller's transaction; returns the sessions it changed and the responses it added."""
    touched = set(batch.sessions)
    _write_sessions(conn, batch.sessions)
    new = new_from_telemetry(conn, batch.responses)
    touched |= drop_metric_rows(conn, {row.session_id for row in new})
    width = len(RESPONSE_COLUMNS)
    if new:
        conn.execute(insert(schema.responses), [dict(zip(RESPONSE_COLUMNS, row[:width], strict=True)) for row in new])
    _write_events(conn, batch.events)
    touched |= _write_metrics(conn, batch.metrics)
    refresh_sessions(conn, touched)
    return BatchResult(frozenset(touched), tuple(new))


def _chunks(items: Collection[str]) -> list[list[str]]:
    ordered = sorted(items)
    return [ordered[start : start + _IN_CHUNK] for start in range(0, len(ordered), _IN_CHUNK)]


def _write_sessions(conn: Connection, sessions: dict[str, TelemetrySession]) -> None:
    """Insert the sessions not stored; widen the span of the others, and take the newest activity and what telemetry
    says of who and where."""
    table = schema.sessions
    held: dict[str, Any] = {}
    for part in _chunks(sessions):
        columns = (table.c.session_id, table.c.first_activity, table.c.last_activity)
        held.update((row.session_id, row) for row in conn.execute(select(*columns).where(table.c.session_id.in_(part))))
    fresh = [
        {"session_id": sid, "config_dir": "", "source": TELEMETRY_SOURCE, "first_activity": s.first,
         "last_activity": s.last, "last_kind": s.last_kind, "doing": s.doing, "user_email": s.user_email,
         "user_account": s.user_account, "host": s.host, "version": s.version}
        for sid, s in sessions.items() if sid not in held
    ]  # fmt: skip
    if fresh:
        conn.execute(insert(table), fresh)
    for sid, row in held.items():
        conn.execute(update(table).where(table.c.session_id == sid).values(**_update(sessions[sid], row)))


def _update(s: TelemetrySession, row: Any) -> dict[str, Any]:
    first = s.first if row.first_activity is None else min(s.first, row.first_activity)
    values: dict[str, Any] = {"first_activity": first}
    if row.last_activity is None or s.last >= row.last_activity:
        values.update(last_activity=s.last)
        if s.last_kind is not None:
            values.update(last_kind=s.last_kind, doing=s.doing)
    named = {"user_email": s.user_email, "user_account": s.user_account, "host": s.host}
    values.update({column: value for column, value in named.items() if value is not None})
    return values


def _write_events(conn: Connection, events: list[EventRow]) -> None:
    """Insert the events not stored yet (an export sent again adds nothing)."""
    if not events:
        return
    table = schema.events
    stored: set[str] = set()
    for part in _chunks({e.key for e in events}):
        stored.update(conn.execute(select(table.c.key).where(table.c.key.in_(part))).scalars())
    rows = {e.key: e._asdict() for e in events if e.key not in stored}
    if rows:
        conn.execute(insert(table), list(rows.values()))


def _write_metrics(conn: Connection, metrics: dict[tuple[str, str], MetricUsage]) -> set[str]:
    """Tokens and cost from metrics, for the sessions with no response of their own: one row per (session, model)
    (`request_ids.metrics_key`). A session with responses already counts them: its metrics add nothing."""
    table = schema.responses
    answered: set[str] = set()
    for part in _chunks({sid for sid, _ in metrics}):
        own = and_(table.c.session_id.in_(part), ~table.c.key.startswith(METRICS_PREFIX, autoescape=True))
        answered.update(conn.execute(select(table.c.session_id).where(own).distinct()).scalars())
    wanted = {key: usage for key, usage in metrics.items() if key[0] not in answered}
    keys = {metrics_key(sid, model): (sid, model) for sid, model in wanted}
    held: dict[str, Any] = {}
    for part in _chunks(keys):
        held.update((row.key, row) for row in conn.execute(select(table).where(table.c.key.in_(part))))
    for key, (sid, model) in keys.items():
        row = _metric_row(key, sid, model, wanted[sid, model], held.get(key))
        conn.execute(delete(table).where(table.c.key == key))
        conn.execute(insert(table), [row])
    return {sid for sid, _ in wanted}


def _metric_row(key: str, sid: str, model: str, usage: MetricUsage, held: Any) -> dict[str, Any]:
    def total(column: str, value: int | float | None) -> Any:
        before = None if held is None else getattr(held, column)
        if value is None or before is None:
            return before if value is None else value
        return max(before, value) if usage.cumulative else before + value

    assert held is None or is_from_metrics(held.key)
    return {
        "key": key, "session_id": sid, "agent_id": None, "ts": usage.ts if held is None else held.ts, "model": model,
        "input_tokens": total("input_tokens", usage.input), "output_tokens": total("output_tokens", usage.output),
        "cache_creation_tokens": total("cache_creation_tokens", usage.cache_creation),
        "cache_read_tokens": total("cache_read_tokens", usage.cache_read), "cache_5m_tokens": 0,
        "cache_1h_tokens": 0, "web_search_requests": 0, "cost_usd": total("cost_usd", usage.cost), "request_id": None,
    }  # fmt: skip
