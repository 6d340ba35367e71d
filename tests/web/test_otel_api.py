"""OTLP/HTTP on a real server: both encodings, gzip, the answers OTLP expects, the token off loopback, the Origin
rule, and the change pushed to dashboard clients."""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from websockets.sync.client import connect

from otel.otlp import SESSION_TOKENS, json_body, protobuf_body, session_export, usage_metrics
from web.server_fixture import LiveServer, Serve, empty_config

SESSION = "0f0f0f0f-1111-4000-8000-000000000001"
JSON = {"Content-Type": "application/json"}
PROTOBUF = {"Content-Type": "application/x-protobuf"}


@pytest.fixture
def server(empty_server: LiveServer) -> LiveServer:
    return empty_server


def _post(live: LiveServer, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(live.url + path, content=body, headers=headers, timeout=10)


def _session(live: LiveServer, session: str = SESSION, **kwargs: Any) -> dict[str, Any] | None:
    rows = live.get("/api/sessions", **kwargs).json()["sessions"]
    return next((row for row in rows if row["sessionId"] == session), None)


def _tokens(row: dict[str, Any]) -> tuple[int, int, int, int]:
    return row["inputTokens"], row["outputTokens"], row["cacheReadTokens"], row["cacheCreationTokens"]


@pytest.mark.parametrize("encoding", ["json", "protobuf", "json+gzip", "protobuf+gzip"])
def test_an_export_becomes_a_telemetry_session(server: LiveServer, encoding: str) -> None:
    export = session_export(SESSION, user={"user.email": "dev@example.com"})
    body, headers = (protobuf_body(export), dict(PROTOBUF)) if encoding.startswith("protobuf") else (
        json_body(export), dict(JSON))  # fmt: skip
    if encoding.endswith("gzip"):
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    answer = _post(server, "/v1/logs", body, headers)
    assert answer.status_code == 200
    if encoding.startswith("protobuf"):
        assert answer.headers["content-type"] == "application/x-protobuf"
        ExportLogsServiceResponse().ParseFromString(answer.content)  # an empty, valid answer
    else:
        assert answer.json() == {}
    row = _session(server)
    assert row is not None
    assert row["source"] == "telemetry"
    assert _tokens(row) == SESSION_TOKENS
    assert (row["userEmail"], row["host"]) == ("dev@example.com", "127.0.0.1")
    # Metrics of a session with events add nothing.
    assert _post(server, "/v1/metrics", json_body(usage_metrics(SESSION, 1.8e9, (9, 9, 9, 9), 1.0)), JSON).is_success
    assert _tokens(_session(server) or {}) == SESSION_TOKENS


def test_bad_requests_get_the_status_otlp_expects(server: LiveServer) -> None:
    assert _post(server, "/v1/logs", b"{oops", JSON).status_code == 400
    assert _post(server, "/v1/logs", b"\xff\xfe garbage", PROTOBUF).status_code == 400
    assert _post(server, "/v1/metrics", b"{}", {"Content-Type": "text/plain"}).status_code == 415
    assert _post(server, "/v1/logs", b"{}", {**JSON, "Content-Encoding": "br"}).status_code == 415
    bomb = gzip.compress(b" " * (17 << 20))
    refused = _post(server, "/v1/logs", bomb, {**JSON, "Content-Encoding": "gzip"})
    assert refused.status_code == 413
    assert "\n" not in refused.json()["detail"]
    assert _post(server, "/v1/traces", b"{}", JSON).status_code == 200  # accepted and dropped
    assert server.get("/api/health").json()["status"] == "ok"


def test_a_browser_page_cannot_post_telemetry_cross_origin(server: LiveServer) -> None:
    body = json_body(session_export(SESSION))
    refused = _post(server, "/v1/logs", body, {**JSON, "Origin": "http://evil.example"})
    assert refused.status_code == 403
    rebinding = _post(server, "/v1/logs", body, {**JSON, "Host": "evil.example"})
    assert rebinding.status_code == 400
    assert _session(server) is None


def test_off_loopback_the_token_is_required(serve: Serve, tmp_path: Path, db_target: Path | str) -> None:
    config = empty_config(tmp_path, "lan")
    with serve(config, db_target, host="192.0.2.10", token="s3cret") as live:
        body = json_body(session_export(SESSION))
        assert _post(live, "/v1/logs", body, JSON).status_code == 401
        assert _post(live, "/v1/logs", body, {**JSON, "Authorization": "Bearer wrong"}).status_code == 401
        assert _post(live, "/v1/logs", body, {**JSON, "Authorization": "Bearer s3cret"}).status_code == 200
        row = _session(live, headers={"Authorization": "Bearer s3cret"})
        assert row is not None and _tokens(row) == SESSION_TOKENS


def test_dashboard_clients_hear_of_the_session(server: LiveServer) -> None:
    with connect(server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws:
        assert orjson.loads(ws.recv(timeout=15))["type"] == "snapshot"
        assert _post(server, "/v1/logs", json_body(session_export(SESSION)), JSON).status_code == 200
        deadline, updated, points = time.monotonic() + 10, None, 0
        while updated is None or points < 2:
            assert time.monotonic() < deadline, "no session.updated and usage points within 10 s"
            message = orjson.loads(ws.recv(timeout=10))
            if message["type"] == "session.updated" and message["session"]["sessionId"] == SESSION:
                updated = message["session"]
            points += message["type"] == "usage.point" and message["point"]["sessionId"] == SESSION
    assert updated["source"] == "telemetry"
    assert _tokens(updated) == SESSION_TOKENS
