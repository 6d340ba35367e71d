"""Claude Code's telemetry -> a `TelemetryBatch` for the store.

- `claude_code.api_request` is a billed response, keyed by its `request_id` (`store.request_ids`), priced by its
  `cost_usd` when given, else like ingest prices a transcript's;
- `claude_code.api_error` is an API error of the session's; `user_prompt`, `tool_decision`, `tool_result` and
  `api_request` move its last activity, what it is doing and so its state;
- `claude_code.token.usage` and `claude_code.cost.usage` give tokens and cost by (session, model), which count only
  for a session without api_request events (see `store.telemetry`).
A session is `session.id`; its user is `user.email` / `user.account_uuid`; its host is the resource's `host.name`,
else the address the export came from. Records without a session id are left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from ccdeck.claude.pricing import Pricer
from ccdeck.claude.records import EventRow
from ccdeck.models import TokenUsage
from ccdeck.otel.records import CUMULATIVE, Attributes, LogEvent, MetricPoint, count, number, text
from ccdeck.store.request_ids import telemetry_key
from ccdeck.store.rows import ResponseRow
from ccdeck.store.telemetry import MetricUsage, TelemetryBatch, TelemetrySession

EVENT_PREFIX = "claude_code."
DOING_CHARS = 200
MAX_ID_CHARS = 200  # a session id, request id, user, host or version longer than this is no such thing
REDACTED = "<REDACTED>"
_TOKEN_TYPES = {"input": "input", "output": "output", "cacheRead": "cache_read", "cacheCreation": "cache_creation"}
UNKNOWN_MODEL = "unknown"


class Intake:
    """Builds one export's batch: `add_logs` / `add_metrics`, then `batch`."""

    def __init__(self, client_host: str | None, pricer: Pricer | None = None) -> None:
        self.client_host = client_host
        self.pricer = pricer or Pricer()
        self.batch = TelemetryBatch()

    def add_logs(self, events: Iterable[LogEvent]) -> TelemetryBatch:
        for event in events:
            self._log(event)
        return self.batch

    def add_metrics(self, points: Iterable[MetricPoint]) -> TelemetryBatch:
        for point in points:
            self._metric(point)
        return self.batch

    def _session(self, attributes: Attributes, ts: float) -> tuple[str, TelemetrySession] | None:
        sid = text(attributes, "session.id")
        if sid is None or len(sid) > MAX_ID_CHARS:
            return None
        session = self.batch.sessions.get(sid)
        if session is None:
            session = self.batch.sessions[sid] = TelemetrySession(first=ts, last=ts)
        session.first, session.last = min(session.first, ts), max(session.last, ts)
        session.user_email = _short(attributes, "user.email") or session.user_email
        session.user_account = _short(attributes, "user.account_uuid") or session.user_account
        session.host = _short(attributes, "host.name") or session.host or self.client_host
        session.version = _short(attributes, "service.version") or session.version
        return sid, session

    def _log(self, event: LogEvent) -> None:
        found = self._session(event.attributes, event.ts)
        if found is None or not event.name.startswith(EVENT_PREFIX):
            return
        sid, session = found
        name, attrs = event.name.removeprefix(EVENT_PREFIX), event.attributes
        if name == "api_request":
            self._response(sid, event)
            _activity(session, event.ts, "answer", None)
        elif name == "api_error":
            self._error(sid, event)
            _activity(session, event.ts, "api_error", None)
        elif name == "user_prompt":
            prompt = text(attrs, "prompt")
            _activity(session, event.ts, "prompt", None if prompt in (None, REDACTED) else prompt)
        elif name == "tool_decision":
            rejected = text(attrs, "decision") == "reject"
            # A refused tool ends the turn: the session waits for its user again.
            _activity(session, event.ts, "answer" if rejected else "tool_use", None if rejected else _tool(attrs))
        elif name == "tool_result":
            _activity(session, event.ts, "tool_result", _tool(attrs))

    def _response(self, sid: str, event: LogEvent) -> None:
        attrs = event.attributes
        request_id = text(attrs, "request_id")
        if request_id is None or len(request_id) > MAX_ID_CHARS:  # nothing to tell its transcript copy by
            return
        model = _short(attrs, "model") or UNKNOWN_MODEL
        usage = TokenUsage(
            input=count(attrs, "input_tokens"), output=count(attrs, "output_tokens"),
            cache_creation=count(attrs, "cache_creation_tokens"), cache_read=count(attrs, "cache_read_tokens"),
            cache_5m=count(attrs, "cache_creation_5m_tokens"), cache_1h=count(attrs, "cache_creation_1h_tokens"),
            fast=text(attrs, "speed") == "fast",
        )  # fmt: skip
        cost = number(attrs, "cost_usd")
        if cost is None:
            cost = self.pricer.cost(model, usage, event.ts)
        self.batch.responses.append(ResponseRow(
            telemetry_key(request_id), sid, None, event.ts, model, usage.input, usage.output, usage.cache_creation,
            usage.cache_read, usage.cache_5m, usage.cache_1h, 0, cost, request_id, usage.fast,
        ))  # fmt: skip

    def _error(self, sid: str, event: LogEvent) -> None:
        attrs = event.attributes
        sequence = text(attrs, "event.sequence") or repr(event.ts)
        message = text(attrs, "error") or "API error"
        status = text(attrs, "status_code")
        label = f"{message} ({status})" if status else message
        self.batch.events.append(EventRow(f"otel:{sid}:{sequence}", sid, event.ts, "api_error", label[:DOING_CHARS],
                                          None, None, True, len(label) > DOING_CHARS))  # fmt: skip

    def _metric(self, point: MetricPoint) -> None:
        kind = point.name.removeprefix(EVENT_PREFIX)
        if kind not in ("token.usage", "cost.usage"):
            self._session(point.attributes, point.ts)
            return
        found = self._session(point.attributes, point.ts)
        if found is None:
            return
        model = _short(point.attributes, "model") or UNKNOWN_MODEL
        cumulative = point.temporality == CUMULATIVE
        usage = self.batch.metrics.setdefault((found[0], model), MetricUsage(point.ts, cumulative=cumulative))
        if kind == "cost.usage":
            usage.cost = _combine(usage.cost, point.value, cumulative)
        elif (field := _TOKEN_TYPES.get(text(point.attributes, "type") or "")) is not None:
            setattr(usage, field, int(_combine(getattr(usage, field), point.value, cumulative) or 0))


def _combine(held: float | None, value: float, cumulative: bool) -> float:
    if held is None:
        return value
    return max(held, value) if cumulative else held + value


def _short(attributes: Attributes, key: str) -> str | None:
    """A string attribute cut to MAX_ID_CHARS: a name, an address or a version, never a text."""
    found = text(attributes, key)
    return found[:MAX_ID_CHARS] if found else None


def _tool(attributes: Attributes) -> str | None:
    name = text(attributes, "tool_name")
    return name[:DOING_CHARS] if name else None


def _activity(session: TelemetrySession, ts: float, kind: str, doing: str | None) -> None:
    """The newest event decides what the session is doing (a tie goes to the later one: exports come in order)."""
    if ts >= session.last or session.last_kind is None:
        session.last_kind, session.doing = kind, (doing[:DOING_CHARS] if doing else None)
