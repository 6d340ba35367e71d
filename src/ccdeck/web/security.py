"""Refuse what the server must refuse: foreign Host headers (DNS rebinding), foreign Origins, missing tokens.

A pure ASGI middleware, so it guards WebSocket upgrades exactly like HTTP requests.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_COOKIE = "ccdeck_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_only(value: str) -> str:
    """`example.org:8484` -> `example.org`; `[::1]:8484` -> `[::1]`."""
    if value.startswith("["):
        return value[: value.index("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware. `allowed_hosts` are the names a browser may use for this server."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str], token: str | None) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts} | LOOPBACK_NAMES
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": message})
            return
        body = orjson.dumps({"detail": message})
        reply = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": reply})
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = _host_only(headers.get("host", "")).lower()
        if host not in self.allowed:
            return 400, "unknown Host header"
        origin = headers.get("origin")
        state_changing = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if origin is not None and state_changing and _host_only(urlsplit(origin).netloc).lower() not in self.allowed:
            return 403, "cross-origin request refused"
        if self.token is not None and not self._has_token(scope, headers):
            return 401, "a valid token is required"
        return None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        offered: list[str] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        if "cookie" in headers:
            cookie = SimpleCookie(headers["cookie"]).get(TOKEN_COOKIE)
            if cookie is not None:
                offered.append(cookie.value)
        offered.extend(parse_qs(scope.get("query_string", b"").decode()).get("token", []))
        return any(hmac.compare_digest(t.encode(), self.token.encode()) for t in offered)
