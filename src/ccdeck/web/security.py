"""Refuse what the server must refuse: foreign Host headers (DNS rebinding), foreign Origins, missing tokens; and
give every response the headers that keep a browser from running, framing or sniffing what it should not.

Pure ASGI middlewares, so they guard WebSocket upgrades exactly like HTTP requests, and their headers reach every
response (API, static files, errors, refusals).

Two modes, chosen by `ccdeck serve`:
- loopback, no token: the Host header must name this machine (a DNS-rebinding page names its own domain);
- any other address, a token: any Host is accepted (the server is reached by IP or by name from other machines),
  and the token is the guard. `/?token=…` only sets an HttpOnly, SameSite=Strict cookie and redirects (303) to
  the same URL without it, so the token leaves the address bar and the history.
In both modes a request that can change state (any method but GET/HEAD/OPTIONS, and every WebSocket) carrying an
`Origin` is refused unless that Origin is exactly this server's (scheme, host and port): a page on another port of
the same machine is another origin. `Origin: null` (sandboxed frames, `file:` pages) and malformed Origins are
refused too.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "ccdeck_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# The dashboard's bundle is one script and one stylesheet from /assets; React and uPlot set styles through the
# CSSOM (element.style), which `style-src 'self'` allows. The favicon is `data:,`. `connect-src 'self'` covers the
# same-origin WebSocket (CSP Level 3). /docs is Swagger UI served from this server with the same rules.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
)


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


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int


def parse_origin(value: str) -> Origin | None:
    """An `Origin` header (`scheme://host[:port]`, nothing else) as a triple; None when it is `null` or malformed."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # a bad IPv6 literal or port
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    if parts.path or parts.query or parts.fragment or value != value.strip():
        return None
    return Origin(scheme, parts.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme])


def request_origin(scope: Scope, host_header: str) -> Origin | None:
    """The origin the client reached this server by: the request's scheme and its Host header."""
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return parse_origin(f"{scheme}://{host_header}") if host_header else None


def _token_cookie(token: str) -> bytes:
    cookie: SimpleCookie = SimpleCookie()
    cookie[TOKEN_COOKIE] = token
    morsel = cookie[TOKEN_COOKIE]
    morsel["httponly"], morsel["samesite"], morsel["path"] = True, "Strict", "/"
    return morsel.OutputString().encode("latin-1")


class Guard:
    """ASGI middleware. `allowed_hosts` are the names a browser may use for this server when it has no token."""

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
            if not await self._token_redirect(scope, send):
                await self.app(scope, receive, send)
            return
        status, message = refusal
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": message})
            return
        await _send_json(send, status, {"detail": message})

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host_header = headers.get("host", "")
        if self.token is None and _host_only(host_header).lower() not in self.allowed:
            return 400, "unknown Host header"
        origin = headers.get("origin")
        state_changing = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if origin is not None and state_changing:
            theirs, ours = parse_origin(origin), request_origin(scope, host_header)
            if theirs is None or ours is None or theirs != ours:
                return 403, "cross-origin request refused"
        if self.token is not None and not self._has_token(headers) and not self._offers_token(scope):
            return 401, "a valid token is required"
        return None

    def _matches(self, offered: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(offered.encode("utf-8", "replace"), self.token.encode("utf-8", "replace"))

    def _has_token(self, headers: dict[str, str]) -> bool:
        """A bearer token or the cookie; the query string is only the way in (see `_token_redirect`)."""
        offered: list[str] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        if "cookie" in headers:
            try:
                cookie = SimpleCookie(headers["cookie"]).get(TOKEN_COOKIE)
            except CookieError:
                cookie = None
            if cookie is not None:
                offered.append(cookie.value)
        return any(self._matches(t) for t in offered)

    def _offers_token(self, scope: Scope) -> bool:
        """A right `?token=` on a page load (GET or HEAD), which `_token_redirect` answers."""
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return False
        return any(self._matches(v) for k, v in _query(scope) if k == "token")

    async def _token_redirect(self, scope: Scope, send: Send) -> bool:
        """Answer a right `?token=` with the cookie and a 303 to the same URL without it; False if none."""
        if self.token is None or not self._offers_token(scope):
            return False
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        rest = urlencode([(k, v) for k, v in _query(scope) if k != "token"])
        # One leading slash: `//evil.example` would be a protocol-relative redirect off this server.
        location = b"/" + raw_path.split(b"?", 1)[0].lstrip(b"/") + (b"?" + rest.encode() if rest else b"")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location), (b"set-cookie", _token_cookie(self.token)),
                                (b"content-length", b"0"), (b"cache-control", b"no-store")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})
        return True


def _query(scope: Scope) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


async def _send_json(send: Send, status: int, data: object) -> None:
    body = orjson.dumps(data)
    reply = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": reply})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware, outermost: adds `SECURITY_HEADERS` to every HTTP response that does not set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
