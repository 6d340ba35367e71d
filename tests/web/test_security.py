"""DNS rebinding, cross-origin and token refusals, on HTTP and WebSocket alike, and the headers on every response.

Each server reads an empty config dir of its own: these checks need no transcripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from ccdeck.web.security import parse_origin
from web.server_fixture import LiveServer, Serve, empty_config


@pytest.fixture
def server(empty_server: LiveServer) -> LiveServer:
    return empty_server


@pytest.fixture
def token_server(serve: Serve, tmp_path: Path, db_target: Path | str) -> Iterator[LiveServer]:
    # A server that believes it is bound to a LAN address: every request needs the token.
    with serve(empty_config(tmp_path, "lan"), db_target, host="192.0.2.10", token="s3cret") as live:
        yield live


def _ws_refused(url: str, path: str = "/ws", **kwargs: object) -> None:
    with (
        pytest.raises((InvalidStatus, WebSocketException)),
        connect(url.replace("http", "ws", 1) + path, open_timeout=5, **kwargs) as ws,  # type: ignore[arg-type]
    ):
        ws.recv(timeout=5)


def test_foreign_host_is_refused(server: LiveServer) -> None:
    assert server.get("/api/health", headers={"Host": "attacker.example"}).status_code == 400
    assert server.get("/api/health", headers={"Host": f"attacker.example:{server.port}"}).status_code == 400
    assert server.get("/api/health", headers={"Host": f"localhost:{server.port}"}).status_code == 200


def test_origin_must_be_this_servers_scheme_host_and_port(server: LiveServer) -> None:
    stop = server.url + "/api/runs/no-such-run/stop"
    other_port = server.port + 1 if server.port < 65535 else server.port - 1
    foreign = [
        "http://attacker.example",
        f"http://127.0.0.1:{other_port}",  # a dev server or a notebook on the same machine
        f"http://localhost:{other_port}",
        f"https://127.0.0.1:{server.port}",  # another scheme is another origin
        "null",  # sandboxed frames, file: pages
        "http://[::1",  # malformed
        f"http://127.0.0.1:{server.port}/path",
        f"http://user@127.0.0.1:{server.port}",
        "http://127.0.0.1:99999",
        "",
    ]
    for origin in foreign:
        response = httpx.post(stop, headers={"Origin": origin})
        assert response.status_code == 403, origin
        _ws_refused(server.url, origin=origin)  # closed with 1008 before the upgrade: a 403 to the client
    own = httpx.post(stop, headers={"Origin": server.url})
    assert own.status_code == 404  # through the Guard, to the handler: no such run
    with connect(server.url.replace("http", "ws") + "/ws", origin=server.url, open_timeout=5) as ws:  # type: ignore[arg-type]
        assert '"snapshot"' in str(ws.recv(timeout=10))
    # A read is not refused for its Origin (the browser keeps a cross-origin page from reading the answer).
    assert server.get("/api/health", headers={"Origin": "null"}).status_code == 200


def test_parse_origin() -> None:
    assert parse_origin("http://LocalHost:8484") == ("http", "localhost", 8484)
    assert parse_origin("https://example.org") == ("https", "example.org", 443)
    assert parse_origin("http://[::1]:80") == ("http", "::1", 80)
    for bad in ("null", "", "ftp://x", "http://", "http://[::1", "http://x:0x1", "http://x/", " http://x", "x"):
        assert parse_origin(bad) is None, bad


def test_token_mode_accepts_any_host_and_needs_the_token(token_server: LiveServer) -> None:
    bearer = {"Authorization": "Bearer s3cret"}
    for host in ("192.0.2.10:8484", "ccdeck.lan", f"127.0.0.1:{token_server.port}", "203.0.113.7"):
        assert token_server.get("/api/health", headers={**bearer, "Host": host}).status_code == 200, host
        assert token_server.get("/api/health", headers={"Host": host}).status_code == 401, host
    assert token_server.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert token_server.get("/api/health", cookies={"ccdeck_token": "wrong"}).status_code == 401
    _ws_refused(token_server.url)
    # Cross-origin writes are refused in token mode too, even with the token.
    response = httpx.post(token_server.url + "/api/runs/x/stop", headers={**bearer, "Origin": "http://evil.example"})
    assert response.status_code == 403


def test_token_in_the_url_only_sets_the_cookie_and_redirects(token_server: LiveServer) -> None:
    opened = token_server.get("/sessions", params={"token": "s3cret", "q": "a b"})
    assert opened.status_code == 303
    assert opened.headers["location"] == "/sessions?q=a+b"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("ccdeck_token=s3cret") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert token_server.get("/", params={"token": "s3cret"}).headers["location"] == "/"
    # `//evil.example` would leave the server: the redirect keeps one leading slash.
    sneaky = httpx.get(token_server.url + "//evil.example/?token=s3cret")
    assert sneaky.status_code == 303 and sneaky.headers["location"].startswith("/evil.example")
    # The query string alone authenticates nothing else: a wrong one is a 401, a POST with it too.
    assert token_server.get("/", params={"token": "wrong"}).status_code == 401
    assert httpx.post(token_server.url + "/api/runs/x/stop?token=s3cret").status_code == 401
    _ws_refused(token_server.url, "/ws?token=s3cret")  # the query string is no way in for a WebSocket
    jar = {"ccdeck_token": opened.cookies["ccdeck_token"]}
    assert token_server.get("/api/summary", cookies=jar).status_code == 200
    page = token_server.get("/sessions", cookies=jar)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    with connect(token_server.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": "ccdeck_token=s3cret"},
                 origin=token_server.url, open_timeout=5) as ws:  # type: ignore[arg-type]  # fmt: skip
        assert '"snapshot"' in str(ws.recv(timeout=10))


def _assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, response.url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers.get("x-content-type-options") == "nosniff", response.url
    assert response.headers.get("referrer-policy") == "no-referrer", response.url


def test_every_response_carries_the_security_headers(server: LiveServer, token_server: LiveServer) -> None:
    assets = sorted((Path(__file__).resolve().parents[2] / "src/ccdeck/web/static/assets").glob("*.js"))
    paths = ["/", "/sessions/x", "/api/health", "/api/nope", "/api/sessions?page=0", "/docs", "/openapi.json",
             "/docs/swagger-ui-bundle.js", "/docs/init.js", "/metrics", "/%00"]  # fmt: skip
    paths += [f"/assets/{a.name}" for a in assets[:1]] + ["/assets/missing.js"]
    for path in paths:
        _assert_security_headers(server.get(path))
    _assert_security_headers(server.get("/api/health", headers={"Host": "attacker.example"}))  # a refusal
    _assert_security_headers(httpx.post(server.url + "/api/runs", headers={"Origin": "null"}))
    _assert_security_headers(token_server.get("/api/health"))  # 401
    _assert_security_headers(token_server.get("/", params={"token": "s3cret"}))  # 303


def test_docs_load_nothing_from_elsewhere(server: LiveServer) -> None:
    page = server.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # every URL is this server's
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    for path in ("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/init.js"):
        assert server.get(path).status_code == 200, path
    assert server.get("/docs/index.html").status_code == 404
    assert server.get("/openapi.json").json()["info"]["title"] == "ccdeck"
    assert server.get("/redoc").headers["content-type"].startswith("text/html")  # the dashboard's page, no redoc


def test_no_client_path_reaches_the_filesystem(server: LiveServer) -> None:
    secret = server.config_dir.parent / "secret.txt"
    secret.write_text("do not serve me")
    for path in ("/../secret.txt", "/..%2fsecret.txt", "/assets/..%2f..%2f..%2fsecret.txt", "/%2e%2e/%2e%2e/etc/passwd",
                 "/static/../../secret.txt", "/docs/..%2f..%2fsecret.txt"):  # fmt: skip
        response = httpx.get(server.url + path)
        assert "do not serve me" not in response.text and "root:" not in response.text, path
