"""OTLP/HTTP exports as Claude Code sends them (the structure of the recordings in
`../shared/reference/live/otel/`, made here so that tests need no reference data): JSON bodies, and the same export
as protobuf built with the opentelemetry-proto classes."""

from __future__ import annotations

from typing import Any

import orjson
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

Json = dict[str, Any]
VERSION = "2.1.330"
T0 = 1_796_160_408.0  # seconds
REQUEST_IDS = ("req_fake_0001", "req_fake_0002")
SONNET = "claude-sonnet-4-5"


def value(v: Any) -> Json:
    """An OTLP JSON AnyValue: int64 as a string, as the JavaScript exporter sends them."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [value(x) for x in v]}}
    return {"stringValue": v}


def attributes(values: Json) -> list[Json]:
    return [{"key": k, "value": value(v)} for k, v in values.items()]


def nanos(seconds: float) -> str:
    return str(round(seconds * 1e9))


def resource(host: str | None = None) -> Json:
    values = {"host.arch": "amd64", "os.type": "linux", "service.name": "claude-code", "service.version": VERSION}
    if host is not None:
        values["host.name"] = host
    return {"attributes": attributes(values), "droppedAttributesCount": 0}


def common(session: str, sequence: int, user: Json | None = None) -> Json:
    return {"user.id": "0" * 64, "session.id": session, "terminal.type": "xterm", "event.sequence": sequence,
            **(user or {})}  # fmt: skip


def event(name: str, session: str, sequence: int, ts: float, user: Json | None = None, **fields: Any) -> Json:
    values = {**common(session, sequence, user), "event.name": name, **fields}
    body = {"stringValue": f"claude_code.{name}"}
    return {"timeUnixNano": nanos(ts), "observedTimeUnixNano": nanos(ts), "body": body,
            "attributes": attributes(values), "droppedAttributesCount": 0}  # fmt: skip


def api_request(session: str, sequence: int, ts: float, request_id: str, *, tokens: tuple[int, int, int, int],
                cost: float | None = 0.01, model: str = SONNET, user: Json | None = None) -> Json:  # fmt: skip
    inp, out, cache_read, cache_creation = tokens
    fields: Json = {"model": model, "input_tokens": inp, "output_tokens": out, "cache_read_tokens": cache_read,
                    "cache_creation_tokens": cache_creation, "cache_creation_5m_tokens": 0,
                    "cache_creation_1h_tokens": 0, "duration_ms": 30, "ttft_ms": 14, "request_id": request_id,
                    "speed": "normal", "query_source": "sdk", "effort": "medium"}  # fmt: skip
    if cost is not None:
        fields["cost_usd"] = cost
    return event("api_request", session, sequence, ts, user, **fields)


def logs(*records: Json, host: str | None = None) -> Json:
    scope = {"scope": {"name": "com.anthropic.claude_code.events", "version": VERSION}, "logRecords": list(records)}
    return {"resourceLogs": [{"resource": resource(host), "scopeLogs": [scope]}]}


def point(session: str, ts: float, amount: float, **fields: Any) -> Json:
    key = "asDouble" if isinstance(amount, float) else "asInt"
    return {"attributes": attributes({"user.id": "0" * 64, "session.id": session, **fields}),
            "startTimeUnixNano": nanos(ts - 1), "timeUnixNano": nanos(ts), key: amount}  # fmt: skip


def sum_metric(name: str, points: list[Json], temporality: int = 1) -> Json:
    return {"name": f"claude_code.{name}", "unit": "", "sum": {"dataPoints": points, "aggregationTemporality":
            temporality, "isMonotonic": True}}  # fmt: skip


def usage_metrics(session: str, ts: float, tokens: tuple[int, int, int, int], cost: float,
                  model: str = "claude-sonnet-4-5", temporality: int = 1) -> Json:  # fmt: skip
    """`claude_code.token.usage` by type and `claude_code.cost.usage`, for one (session, model)."""
    types = ("input", "output", "cacheRead", "cacheCreation")
    token_points = [point(session, ts, n, model=model, type=t) for t, n in zip(types, tokens, strict=True)]
    return metrics(
        sum_metric("session.count", [point(session, ts, 1, start_type="fresh")], temporality),
        sum_metric("cost.usage", [point(session, ts, cost, model=model)], temporality),
        sum_metric("token.usage", token_points, temporality),
    )


def metrics(*items: Json, host: str | None = None) -> Json:
    scope = {"scope": {"name": "com.anthropic.claude_code", "version": VERSION}, "metrics": list(items)}
    return {"resourceMetrics": [{"resource": resource(host), "scopeMetrics": [scope]}]}


def json_body(export: Json) -> bytes:
    return orjson.dumps(export)


def protobuf_body(export: Json) -> bytes:
    """The same export in the protobuf encoding (OTLP JSON is proto3's JSON mapping, but for trace ids)."""
    message = ExportLogsServiceRequest() if "resourceLogs" in export else ExportMetricsServiceRequest()
    return json_format.ParseDict(export, message).SerializeToString()


def session_export(session: str, *, user: Json | None = None, t0: float = T0) -> Json:
    """One turn: a prompt, a response that uses a tool, its decision and result, and the final response."""
    return logs(
        event("user_prompt", session, 4, t0, user, prompt_length="35", prompt="<REDACTED>"),
        api_request(session, 5, t0 + 1, REQUEST_IDS[0], tokens=(3, 63, 0, 12418), cost=0.063362, user=user),
        event("tool_decision", session, 7, t0 + 2, user, decision="accept", source="config", tool_name="Write",
              tool_use_id="toolu_1", request_id=REQUEST_IDS[0]),
        event("tool_result", session, 8, t0 + 3, user, tool_name="Write", tool_use_id="toolu_1", success="true"),
        api_request(session, 9, t0 + 4, REQUEST_IDS[1], tokens=(1, 20, 12473, 72), cost=0.0032586, user=user),
    )  # fmt: skip


SESSION_TOKENS = (3 + 1, 63 + 20, 0 + 12473, 12418 + 72)  # input, output, cache read, cache creation
SESSION_COST = 0.063362 + 0.0032586
