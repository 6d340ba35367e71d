"""The fake Messages API as a bare ASGI app.

Bare ASGI rather than a framework: the fake must control exactly when a stream stops, notice a client
that hangs up in the middle of a stall, and cut a connection on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson

from . import messages as m
from .conversation import Conversation, read_conversation, session_id_of
from .gates import Gates
from .messages import Reply
from .recording import RecordedRequest, Recorder
from .scripts import DEFAULT_SCRIPTS, Action, Call, Drop, Fail, Script, Stall

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("fakeapi")

# A gate nobody opens gives way after this long, so a forgetful test fails instead of hanging.
GATE_TIMEOUT = 60.0


class DroppedStream(Exception):
    """Raised inside a started response: the ASGI server then closes the socket mid-stream."""


class _QuietDrops(logging.Filter):
    # The server logs every exception escaping the app; a drop is the point of the `drop` script.
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedStream))


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _raw_headers(content_type: str, extra: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    pairs = [("content-type", content_type), *extra.items()]
    return [(k.encode(), v.encode()) for k, v in pairs]


async def _send_json(send: Send, status: int, payload: object, headers: Mapping[str, str]) -> None:
    body = orjson.dumps(payload)
    extra = {**headers, "content-length": str(len(body))}
    await send({"type": "http.response.start", "status": status, "headers": _raw_headers("application/json", extra)})
    await send({"type": "http.response.body", "body": body})


async def _stream(receive: Receive, send: Send, chunks: AsyncIterator[bytes], headers: Mapping[str, str]) -> bool:
    """Send an SSE body while watching for the client leaving; returns True when it left first."""

    async def pump() -> None:
        start_headers = _raw_headers("text/event-stream; charset=utf-8", {**headers, "cache-control": "no-cache"})
        await send({"type": "http.response.start", "status": 200, "headers": start_headers})
        async for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def hang_up() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    pumping = asyncio.ensure_future(pump())
    watching = asyncio.ensure_future(hang_up())
    try:
        await asyncio.wait({pumping, watching}, return_when=asyncio.FIRST_COMPLETED)
        if pumping.done():
            pumping.result()  # re-raises DroppedStream, so the server cuts the connection
            return False
        return True
    finally:
        for task in (pumping, watching):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, DroppedStream):
                await task


class FakeApiApp:
    def __init__(self, recorder: Recorder, model: str, scripts: Mapping[str, Script] | None = None) -> None:
        self.recorder = recorder
        self.model = model
        self.scripts: dict[str, Script] = {**DEFAULT_SCRIPTS, **(scripts or {})}
        self._lock = threading.Lock()  # scripts may be added from the test thread
        self._cached_prefix: dict[str, int] = {}  # per session: prompt tokens of its previous call
        # Set at shutdown: stalls and gates end at once instead of holding the server open.
        self.closing: asyncio.Event | None = None
        self.gates = Gates()

    def add_script(self, name: str, script: Script) -> None:
        with self._lock:
            self.scripts[name] = script

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan is off; websockets are not part of the API
        method, path = scope["method"], scope["path"]
        body = await _read_body(receive)
        headers = _headers(scope)
        query = scope.get("query_string", b"").decode("latin-1")
        if method == "POST" and path == "/v1/messages":
            await self._messages(receive, send, headers, query, body)
            return
        await self._other(send, method, path, query, headers, body)

    # Everything that is not a model call ----------------------------------------------------------

    async def _other(
        self, send: Send, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> None:
        payload, known = self._minimal_answer(method, path, body)
        record, _ = self.recorder.begin(
            method=method,
            path=path,
            query=query,
            headers=headers,
            session_id=headers.get("x-claude-code-session-id"),
            is_messages=False,
            known=known,
        )
        if not known:
            log.warning("fake API: unknown request %s %s?%s (%d bytes)", method, path, query, len(body))
        self.recorder.update(record, outcome="other", status=200, body_summary={"bytes": len(body)})
        await _send_json(send, 200, payload, {"request-id": m.new_id("req")})
        self.recorder.finish(record)

    def _minimal_answer(self, method: str, path: str, body: bytes) -> tuple[object, bool]:
        """Just enough for the CLI to carry on; anything unexpected gets `{}` and is flagged unknown."""
        if path == "/":
            return {}, True  # `HEAD /`: a connectivity probe of some versions
        if method == "POST" and path == "/v1/messages/count_tokens":
            return {"input_tokens": max(1, len(body) // 4)}, True
        if method == "GET" and path == "/v1/models":
            model = {"type": "model", "id": self.model, "display_name": self.model, "created_at": "2025-09-29"}
            return {"data": [model], "has_more": False, "first_id": self.model, "last_id": self.model}, True
        if method == "GET" and path.startswith("/v1/models/"):
            return {"type": "model", "id": path.rsplit("/", 1)[1], "display_name": self.model}, True
        return {}, False

    # Model calls -----------------------------------------------------------------------------------

    async def _messages(self, receive: Receive, send: Send, headers: dict[str, str], query: str, raw: bytes) -> None:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = {}
        session = session_id_of(headers, body)
        record, session_call = self.recorder.begin(
            method="POST",
            path="/v1/messages",
            query=query,
            headers=headers,
            session_id=session,
            is_messages=True,
            known=True,
        )
        disconnected = False
        try:
            conv = read_conversation(body)
            self._describe(record, conv, body, len(raw))
            action = self._act(conv, session_call)
            disconnected = await self._answer(receive, send, record, session, conv, action, len(raw))
        finally:
            self.recorder.finish(record, disconnected=disconnected)

    def _describe(self, record: RecordedRequest, conv: Conversation, body: dict[str, Any], size: int) -> None:
        summary = {
            "bytes": size,
            "max_tokens": body.get("max_tokens"),
            "tools": [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)],
            "cwd": conv.cwd,
            "last_tool_result": conv.last_tool_result,
            "last_tool_error": conv.last_tool_error,
        }
        self.recorder.update(
            record,
            model=conv.model,
            stream=conv.stream,
            n_messages=conv.n_messages,
            prompt=conv.prompt,
            script=conv.marker.name,
            script_arg=conv.marker.arg,
            turn=conv.turn,
            body_summary=summary,
        )

    def _act(self, conv: Conversation, session_call: int) -> Action:
        with self._lock:
            script = self.scripts.get(conv.marker.name)
        if script is None:
            return Fail(400, f"fake API: no script named {conv.marker.name!r}")
        call = Call(
            marker=conv.marker,
            turn=conv.turn,
            session_call=session_call,
            stream=conv.stream,
            cwd=conv.cwd,
            last_tool_result=conv.last_tool_result,
            last_tool_error=conv.last_tool_error,
        )
        return script(call)

    def _usage(self, session: str | None, body_bytes: int, reply: Reply) -> m.Usage:
        """Figures shaped like Claude Code's real traffic: the first call writes the prompt to the cache,
        later calls of the same session read that prefix back and write only what is new."""
        if reply.usage is not None:
            return reply.usage
        prompt_tokens = max(50, body_bytes // 4)
        with self._lock:
            cached = min(self._cached_prefix.get(session or "", 0), prompt_tokens - 10)
            self._cached_prefix[session or ""] = prompt_tokens
        fresh = 3 if cached == 0 else 1
        return m.Usage(
            input_tokens=fresh,
            output_tokens=m.output_tokens_for(reply.blocks),
            cache_creation_input_tokens=prompt_tokens - cached - fresh,
            cache_read_input_tokens=cached,
        )

    async def _answer(
        self,
        receive: Receive,
        send: Send,
        record: RecordedRequest,
        session: str | None,
        conv: Conversation,
        action: Action,
        body_bytes: int,
    ) -> bool:
        headers = {"request-id": m.new_id("req")}
        msg_id = m.new_id("msg")
        if isinstance(action, Fail):
            self.recorder.update(record, outcome="error", status=action.status)
            extra = dict(headers)
            if action.should_retry is not None:
                extra["x-should-retry"] = "true" if action.should_retry else "false"
            if action.retry_after is not None:
                extra["retry-after"] = action.retry_after
            await _send_json(send, action.status, m.error_json(action.status, action.message), extra)
            return False
        if isinstance(action, Drop) and not conv.stream:
            action = action.reply  # the non-streaming fallback is exactly what `drop` waits for
        if isinstance(action, Reply):
            usage = self._usage(session, body_bytes, action)
            self.recorder.update(record, outcome="reply", status=200, usage=_figures(usage))
            if not conv.stream:
                await self._hold(action)
                await _send_json(send, 200, m.message_json(msg_id, self.model, action, usage), headers)
                return False
            return await _stream(receive, send, self._reply_events(msg_id, usage, action), headers)
        # A stall or a drop never finishes its answer: the usage of message_start is all the CLI gets.
        usage = self._usage(session, body_bytes, Reply((m.Text("x"),)))
        started = _figures(usage, output_tokens=1)
        if isinstance(action, Drop):
            self.recorder.update(record, outcome="drop", status=200, usage=started)
            return await _stream(receive, send, _dropped_events(msg_id, self.model, usage), headers)
        self.recorder.update(record, outcome="stall", status=200, usage=started)
        if not conv.stream:
            await self._idle(action.seconds)
            raise DroppedStream("stall ended")  # never answered: the server sends a bare 500
        return await _stream(receive, send, self._stall_events(msg_id, usage, action), headers)

    async def _idle(self, seconds: float) -> None:
        if self.closing is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), timeout=seconds)

    async def _hold(self, reply: Reply) -> None:
        if reply.gate is not None:
            await self.gates.wait(reply.gate, GATE_TIMEOUT, self.closing)
        if reply.delay:
            await self._idle(reply.delay)

    async def _reply_events(self, msg_id: str, usage: m.Usage, reply: Reply) -> AsyncIterator[bytes]:
        for chunk in m.stream_head(msg_id, self.model, usage):
            yield chunk
        await self._hold(reply)
        for chunk in m.stream_body(reply, usage):
            yield chunk

    async def _stall_events(self, msg_id: str, usage: m.Usage, stall: Stall) -> AsyncIterator[bytes]:
        yield m.message_start(msg_id, self.model, usage)
        for chunk in m.block_events(0, m.Text(stall.text)):
            if b"content_block_stop" in chunk:
                break  # the block stays open: the model "is still writing"
            yield chunk
        await self._idle(stall.seconds)
        raise DroppedStream("stall ended")


def _figures(usage: m.Usage, *, output_tokens: int | None = None) -> dict[str, int]:
    return {k: v for k, v in usage.as_dict(output_tokens=output_tokens).items() if isinstance(v, int)}


async def _dropped_events(msg_id: str, model: str, usage: m.Usage) -> AsyncIterator[bytes]:
    yield m.message_start(msg_id, model, usage)
    yield m.ping()
    # Let the client read the start before the socket goes, as with a proxy dying mid-answer.
    await asyncio.sleep(0.05)
    raise DroppedStream("dropped on purpose")
