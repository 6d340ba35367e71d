"""DNS rebinding, cross-origin and token refusals, on HTTP and WebSocket alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from web.server_fixture import LiveServer, generated_config, run_server


def test_foreign_host_is_refused(live_server: LiveServer) -> None:
    assert live_server.get("/api/health", headers={"Host": "attacker.example"}).status_code == 400
    assert live_server.get("/api/health", headers={"Host": f"localhost:{live_server.port}"}).status_code == 200


def test_foreign_origin_is_refused_for_websocket_and_writes(live_server: LiveServer) -> None:
    ws_url = live_server.url.replace("http", "ws") + "/ws"
    with (
        pytest.raises((InvalidStatus, WebSocketException)),
        connect(ws_url, origin="http://attacker.example", open_timeout=5) as ws,  # type: ignore[arg-type]
    ):
        ws.recv(timeout=5)
    response = httpx.post(live_server.url + "/api/sessions", headers={"Origin": "http://attacker.example"})
    assert response.status_code == 403
    with connect(ws_url, origin=live_server.url, open_timeout=5) as ws:  # type: ignore[arg-type]
        assert '"snapshot"' in str(ws.recv(timeout=10))


@pytest.fixture
def token_server(tmp_path: Path) -> Iterator[LiveServer]:
    # A server that believes it is bound to a LAN address: every request needs the token.
    yield from run_server(generated_config(tmp_path), tmp_path / "db.sqlite", host="192.0.2.10", token="s3cret")


def test_token_required_off_loopback(token_server: LiveServer) -> None:
    assert token_server.get("/api/health").status_code == 401
    assert token_server.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert token_server.get("/api/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    opened = token_server.get("/", params={"token": "s3cret"})
    assert opened.status_code == 200
    cookie = opened.cookies.get("ccdeck_token")
    assert cookie == "s3cret"
    assert token_server.get("/api/summary", cookies={"ccdeck_token": cookie}).status_code == 200
    with (
        pytest.raises((InvalidStatus, WebSocketException)),
        connect(token_server.url.replace("http", "ws") + "/ws", open_timeout=5) as ws,
    ):
        ws.recv(timeout=5)


def test_no_client_path_reaches_the_filesystem(live_server: LiveServer) -> None:
    secret = live_server.config_dir.parent / "secret.txt"
    secret.write_text("do not serve me")
    for path in ("/../secret.txt", "/..%2fsecret.txt", "/assets/..%2f..%2f..%2fsecret.txt", "/%2e%2e/%2e%2e/etc/passwd",
                 "/static/../../secret.txt"):  # fmt: skip
        response = httpx.get(live_server.url + path)
        assert "do not serve me" not in response.text and "root:" not in response.text, path
