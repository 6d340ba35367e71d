"""OTLP/HTTP bodies -> `LogEvent`s and `MetricPoint`s.

Both encodings of the OTLP/HTTP protocol: JSON (camelCase fields, int64 as strings, `AnyValue` objects such as
`{"stringValue": ...}`), parsed with orjson; and protobuf (`application/x-protobuf`), parsed with the
opentelemetry-proto classes. A gzip or deflate body is inflated first, never past `MAX_BODY_BYTES` (a small bomb
inflating to gigabytes is refused, not held in memory).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from ccdeck.otel.records import Attributes, LogEvent, MetricPoint

Encoding = Literal["json", "protobuf"]
M = TypeVar("M", ExportLogsServiceRequest, ExportMetricsServiceRequest)
MAX_BODY_BYTES = 16 * 1024 * 1024  # a body, sent or inflated: Claude Code's exports are a few kB each
JSON_TYPES = frozenset({"application/json"})
PROTOBUF_TYPES = frozenset({"application/x-protobuf", "application/protobuf"})
_NUMBER_KINDS = ("sum", "gauge")  # the metrics with number data points; histograms and summaries are left out


class BadBody(ValueError):
    """A body that is not a valid OTLP export (400)."""


class TooLarge(ValueError):
    """A body, or what it inflates to, past MAX_BODY_BYTES (413)."""


class UnsupportedMedia(ValueError):
    """A content type or content encoding other than OTLP's (415)."""


def encoding_of(content_type: str | None) -> Encoding:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in JSON_TYPES:
        return "json"
    if media in PROTOBUF_TYPES:
        return "protobuf"
    raise UnsupportedMedia(f"unsupported content type {media or '(none)'!r}: OTLP/HTTP is JSON or protobuf")


def inflate(body: bytes, content_encoding: str | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body as sent before `Content-Encoding` (gzip, deflate or none); TooLarge past `limit` bytes."""
    name = (content_encoding or "identity").strip().lower()
    if name in ("", "identity"):
        return body
    if name not in ("gzip", "x-gzip", "deflate"):
        raise UnsupportedMedia(f"unsupported content encoding {name!r}")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if "gzip" in name else zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadBody(f"the {name} body does not inflate: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"the body inflates past {limit} bytes")
    if not inflater.eof:
        raise BadBody(f"the {name} body is truncated")
    return out


def decode_logs(body: bytes, encoding: Encoding) -> list[LogEvent]:
    if encoding == "protobuf":
        request = _parse(ExportLogsServiceRequest, body)
        return list(_proto_logs(request))
    return list(_json_logs(_json(body), "resourceLogs"))


def decode_metrics(body: bytes, encoding: Encoding) -> list[MetricPoint]:
    if encoding == "protobuf":
        request = _parse(ExportMetricsServiceRequest, body)
        return list(_proto_metrics(request))
    return list(_json_metrics(_json(body)))


def empty_answer(encoding: Encoding) -> bytes:
    """The export's answer with nothing rejected: an empty Export*ServiceResponse (the same bytes for both)."""
    return b"{}" if encoding == "json" else b""


# JSON -----------------------------------------------------------------------------------------------------------
def _json(body: bytes) -> dict[str, Any]:
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadBody(f"the body is not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BadBody("the body is not a JSON object")
    return obj


def _items(obj: Any, key: str) -> list[Any]:
    """`obj[key]`, a list ([] when absent); BadBody when it is anything else."""
    if not isinstance(obj, dict):
        raise BadBody(f"an object was expected around {key!r}")
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadBody(f"{key!r} is not a list")
    return value


def _json_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    for kind, item in value.items():
        if kind == "intValue":
            try:
                return int(item)
            except (TypeError, ValueError):
                raise BadBody(f"bad intValue {item!r}") from None
        if kind == "arrayValue":
            return [_json_value(v) for v in _items(item, "values")]
        if kind == "kvlistValue":
            return _json_attributes(_items(item, "values"))
        if kind in ("stringValue", "boolValue", "doubleValue", "bytesValue"):
            return item
    return None


def _json_attributes(items: list[Any]) -> Attributes:
    return {kv["key"]: _json_value(kv.get("value")) for kv in items if isinstance(kv, dict) and "key" in kv}


def _seconds(nanos: Any) -> float:
    try:
        return int(nanos or 0) / 1e9
    except (TypeError, ValueError):
        raise BadBody(f"bad time {nanos!r}") from None


def _json_resources(obj: dict[str, Any], key: str) -> Iterator[tuple[Attributes, dict[str, Any]]]:
    for resource in _items(obj, key):
        if not isinstance(resource, dict):
            raise BadBody(f"{key!r} holds a non-object")
        attributes = _json_attributes(_items(resource.get("resource") or {}, "attributes"))
        yield attributes, resource


def _json_logs(obj: dict[str, Any], key: str) -> Iterator[LogEvent]:
    for common, resource in _json_resources(obj, key):
        for scope in _items(resource, "scopeLogs"):
            for record in _items(scope, "logRecords"):
                if not isinstance(record, dict):
                    raise BadBody("'logRecords' holds a non-object")
                name = _json_value(record.get("body"))
                own = _json_attributes(_items(record, "attributes"))
                ts = _seconds(record.get("timeUnixNano") or record.get("observedTimeUnixNano"))
                yield LogEvent(name if isinstance(name, str) else "", ts, {**common, **own})


def _json_metrics(obj: dict[str, Any]) -> Iterator[MetricPoint]:
    for common, resource in _json_resources(obj, "resourceMetrics"):
        for scope in _items(resource, "scopeMetrics"):
            for metric in _items(scope, "metrics"):
                if not isinstance(metric, dict):
                    raise BadBody("'metrics' holds a non-object")
                for kind in _NUMBER_KINDS:
                    if isinstance(data := metric.get(kind), dict):
                        temporality = data.get("aggregationTemporality", 0)
                        for point in _items(data, "dataPoints"):
                            value = point.get("asDouble", point.get("asInt"))
                            try:
                                number = float(value)
                            except (TypeError, ValueError):
                                raise BadBody(f"bad data point value {value!r}") from None
                            own = _json_attributes(_items(point, "attributes"))
                            yield MetricPoint(str(metric.get("name", "")), _seconds(point.get("timeUnixNano")),
                                              number, _temporality(temporality), {**common, **own})  # fmt: skip


def _temporality(value: Any) -> int:
    names = {"AGGREGATION_TEMPORALITY_DELTA": 1, "AGGREGATION_TEMPORALITY_CUMULATIVE": 2}
    if isinstance(value, str):
        return names.get(value, 0)
    return value if isinstance(value, int) else 0


# protobuf -------------------------------------------------------------------------------------------------------
def _parse(cls: Callable[[], M], body: bytes) -> M:
    message = cls()
    try:
        message.ParseFromString(body)
    except DecodeError as exc:
        raise BadBody(f"the body is not an OTLP protobuf message: {exc}") from None
    return message


def _proto_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_proto_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return _proto_attributes(value.kvlist_value.values)
    return None if kind is None else getattr(value, kind)


def _proto_attributes(items: Any) -> Attributes:
    pairs: list[KeyValue] = list(items)
    return {kv.key: _proto_value(kv.value) for kv in pairs}


def _proto_logs(request: ExportLogsServiceRequest) -> Iterator[LogEvent]:
    for resource in request.resource_logs:
        common = _proto_attributes(resource.resource.attributes)
        for scope in resource.scope_logs:
            for record in scope.log_records:
                name = _proto_value(record.body)
                ts = (record.time_unix_nano or record.observed_time_unix_nano) / 1e9
                yield LogEvent(name if isinstance(name, str) else "", ts,
                               {**common, **_proto_attributes(record.attributes)})  # fmt: skip


def _proto_metrics(request: ExportMetricsServiceRequest) -> Iterator[MetricPoint]:
    for resource in request.resource_metrics:
        common = _proto_attributes(resource.resource.attributes)
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                kind = metric.WhichOneof("data")
                if kind not in _NUMBER_KINDS:
                    continue
                data = getattr(metric, kind)
                temporality = int(getattr(data, "aggregation_temporality", 0))
                for point in data.data_points:
                    value = point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
                    yield MetricPoint(metric.name, point.time_unix_nano / 1e9, float(value), temporality,
                                      {**common, **_proto_attributes(point.attributes)})  # fmt: skip
