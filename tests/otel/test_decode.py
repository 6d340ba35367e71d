"""Decoding OTLP/HTTP bodies: JSON and protobuf give the same records; gzip and deflate; bad bodies and bombs."""

from __future__ import annotations

import gzip
import zlib

import pytest

from ccdeck.otel.decode import (
    MAX_BODY_BYTES,
    BadBody,
    TooLarge,
    UnsupportedMedia,
    decode_logs,
    decode_metrics,
    encoding_of,
    inflate,
)
from ccdeck.otel.records import DELTA
from otel.otlp import REQUEST_IDS, event, json_body, logs, protobuf_body, session_export, usage_metrics

SESSION = "de2c4220-6564-481b-9c72-c9fbb2f5b72c"


def test_json_logs_become_events_with_typed_attributes() -> None:
    events = decode_logs(json_body(session_export(SESSION)), "json")
    names = ("user_prompt", "api_request", "tool_decision", "tool_result", "api_request")
    assert [e.name for e in events] == ["claude_code." + n for n in names]
    request = events[1]
    assert request.attributes["request_id"] == REQUEST_IDS[0]
    assert request.attributes["cache_creation_tokens"] == 12418  # an int64 sent as a string
    assert request.attributes["cost_usd"] == 0.063362
    assert request.attributes["service.name"] == "claude-code"  # the resource's attributes are merged in
    assert request.ts == pytest.approx(1_796_160_409.0)


@pytest.mark.parametrize("kind", ["logs", "metrics"])
def test_protobuf_decodes_to_the_same_records_as_json(kind: str) -> None:
    export = session_export(SESSION) if kind == "logs" else usage_metrics(SESSION, 1_796_160_410.0, (4, 83, 5, 6), 0.5)
    decode = decode_logs if kind == "logs" else decode_metrics
    from_json = decode(json_body(export), "json")
    from_protobuf = decode(protobuf_body(export), "protobuf")
    assert from_json and from_protobuf == from_json


def test_metric_points_carry_value_and_temporality() -> None:
    points = decode_metrics(json_body(usage_metrics(SESSION, 1_796_160_410.0, (4, 83, 5, 6), 0.5)), "json")
    tokens = {p.attributes["type"]: p.value for p in points if p.name == "claude_code.token.usage"}
    assert tokens == {"input": 4, "output": 83, "cacheRead": 5, "cacheCreation": 6}
    cost = [p for p in points if p.name == "claude_code.cost.usage"]
    assert [(c.value, c.temporality) for c in cost] == [(0.5, DELTA)]


@pytest.mark.parametrize(("encoding", "pack"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_compressed_bodies_inflate(encoding: str, pack: object) -> None:
    body = json_body(session_export(SESSION))
    assert callable(pack)
    assert inflate(pack(body), encoding) == body
    assert inflate(body, None) == body


def test_a_gzip_bomb_is_refused_without_inflating_it_all() -> None:
    bomb = gzip.compress(b"\0" * (MAX_BODY_BYTES + 1))
    assert len(bomb) < MAX_BODY_BYTES // 100
    with pytest.raises(TooLarge):
        inflate(bomb, "gzip")
    with pytest.raises(TooLarge):
        inflate(gzip.compress(b"x" * 2000), "gzip", limit=1000)


@pytest.mark.parametrize(
    ("body", "encoding", "content_encoding"),
    [
        (b"{not json", "json", None),
        (b"[1, 2]", "json", None),
        (b'{"resourceLogs": {"no": "list"}}', "json", None),
        (b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [1]}]}]}', "json", None),
        (b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "soon"}]}]}]}', "json", None),
        (b"\xff\xff\xff\xff not protobuf", "protobuf", None),
        (gzip.compress(b"{}", mtime=0)[:-6], "json", "gzip"),  # mtime 0: the same test id in every xdist worker
        (b"not gzip at all", "json", "gzip"),
    ],
)
def test_bad_bodies_are_bad_requests(body: bytes, encoding: str, content_encoding: str | None) -> None:
    with pytest.raises(BadBody):
        decode_logs(inflate(body, content_encoding), "json" if encoding == "json" else "protobuf")


def test_other_media_are_unsupported() -> None:
    assert encoding_of("application/json; charset=utf-8") == "json"
    assert encoding_of("application/x-protobuf") == "protobuf"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        with pytest.raises(UnsupportedMedia):
            encoding_of(content_type)
    with pytest.raises(UnsupportedMedia):
        inflate(b"", "br")


def test_unknown_values_and_missing_fields_are_tolerated() -> None:
    record = event("plugin_loaded", SESSION, 1, 1_796_160_408.0, sources=[], nested=["a", 1])
    record["attributes"].append({"key": "odd", "value": {"somethingNew": 1}})
    (decoded,) = decode_logs(json_body(logs(record)), "json")
    assert decoded.attributes["sources"] == []
    assert decoded.attributes["nested"] == ["a", 1]
    assert decoded.attributes["odd"] is None
    assert decode_logs(b"{}", "json") == []
