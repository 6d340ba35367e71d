"""One transcript line (bytes) -> one typed record. Pure: no I/O, no state, no store.

Unknown line types pass through as `ParsedLine(known=False)`; a line that is not a JSON object, or whose
fields have impossible types, becomes `Malformed` for the caller to count and log. See the project's
reference on Claude Code's files for the meaning of each field.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ccdeck.claude.timestamps import epoch
from ccdeck.models import Event, EventKind, Malformed, ParsedLine, Response, Title, TitleSource, TokenUsage, ToolUse

PROMPT_CHARS = 20_000
ANSWER_CHARS = 20_000
TOOL_RESULT_CHARS = 2_000
TOOL_INPUT_CHARS = 500
SIDECHAIN_AGENT = "sidechain"
FILE_TOOLS = {
    "Edit": "file_path",
    "Write": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}

# Line types we understand but that add nothing to usage, sessions or the timeline.
PASSIVE_TYPES = frozenset(
    {
        "attachment", "progress", "queue-operation", "last-prompt", "permission-mode", "tools-used",
        "cost-state", "api-request-shape", "api-request", "api-request-blob", "worktree-state", "pr-link",
        "atis-latch", "agent-name", "tag", "mode",
    }
)  # fmt: skip
TITLE_TYPES: dict[str, str] = {"custom-title": "customTitle", "ai-title": "aiTitle", "summary": "summary"}
TITLE_SOURCES: dict[str, TitleSource] = {"custom-title": "custom-title", "ai-title": "ai-title", "summary": "summary"}

# Bytes that open a line the fast path can classify without decoding it whole (several are 100 KB+).
_SKIP_PREFIXES = tuple(f'{{"type":"{t}"'.encode() for t in PASSIVE_TYPES)


class _Bad(Exception):
    """Raised inside the parser for a field with an impossible type; becomes `Malformed`."""


def parse_line(raw: bytes, session_hint: str | None = None) -> ParsedLine | Malformed:
    """Parse one line (without or with its trailing newline).

    `session_hint` is the session the file's name implies, for the rare message lines without a `sessionId`.
    """
    if raw.startswith(_SKIP_PREFIXES):
        return ParsedLine(type=raw[9 : raw.index(b'"', 9)].decode(), known=True)
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Malformed(f"not JSON: {exc}")
    if not isinstance(obj, dict):
        return Malformed(f"not a JSON object but {type(obj).__name__}")
    try:
        return _parse_object(obj, session_hint, raw)
    except _Bad as exc:
        return Malformed(str(exc))


def _parse_object(obj: dict[str, Any], session_hint: str | None, raw: bytes) -> ParsedLine:
    kind = obj.get("type")
    if kind is None and isinstance(obj.get("message"), dict) and "usage" in obj["message"]:
        kind = "assistant"  # the oldest transcripts (and some tools' fixtures) omit the type
    if not isinstance(kind, str):
        raise _Bad(f"type is {type(kind).__name__}, not a string")
    if kind in ("assistant", "user", "system"):
        return _parse_message(kind, obj, session_hint, raw)
    if kind in TITLE_TYPES:
        return _parse_title(kind, obj)
    if kind == "file-history-snapshot":
        return _parse_snapshot(obj)
    return ParsedLine(type=kind, known=kind in PASSIVE_TYPES, session_id=_session_id(obj))


def _str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Bad(f"{key} is {type(value).__name__}, not a string")


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object, or {} when absent or of another type (tolerated: never fatal)."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _session_id(obj: dict[str, Any]) -> str | None:
    return _str(obj, "sessionId") or _str(obj, "session_id")


def _clip(text: str, limit: int) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _parse_message(kind: str, obj: dict[str, Any], session_hint: str | None, raw: bytes) -> ParsedLine:
    session_id = _session_id(obj) or session_hint
    timestamp = epoch(obj.get("timestamp"))
    uuid = _str(obj, "uuid")
    agent_id = _str(obj, "agentId")
    common: dict[str, Any] = {
        "type": kind,
        "known": True,
        "session_id": session_id,
        "timestamp": timestamp,
        "uuid": uuid,
        "cwd": _str(obj, "cwd"),
        "git_branch": _str(obj, "gitBranch"),
        "version": _str(obj, "version"),
        "entrypoint": _str(obj, "entrypoint"),
        "agent_id": agent_id,
    }
    if session_id is None or timestamp is None:
        return ParsedLine(**common)
    if agent_id is None and obj.get("isSidechain") is True:
        agent_id = SIDECHAIN_AGENT  # subagent lines inside the session file (<= 2.0.26) carry no agentId
        common["agent_id"] = agent_id
    # A line without uuid still needs a stable key: its content's digest (identical copies dedupe, as they should).
    key = uuid or "sha1:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    ctx = _Context(session_id, timestamp, key, agent_id)
    if kind == "assistant":
        return ParsedLine(**common, **_assistant(ctx, obj))
    if kind == "user":
        return ParsedLine(**common, events=_user(ctx, obj))
    return ParsedLine(**common, events=_system(ctx, obj))


class _Context:
    """The identity every record of one line shares."""

    __slots__ = ("agent_id", "session_id", "timestamp", "uuid")

    def __init__(self, session_id: str, timestamp: float, uuid: str, agent_id: str | None) -> None:
        self.session_id = session_id
        self.timestamp = timestamp
        self.uuid = uuid
        self.agent_id = agent_id

    def event(self, index: int, kind: EventKind, text: str, limit: int, **extra: Any) -> Event:
        clipped, truncated = _clip(text, limit)
        key = self.uuid if index == 0 else f"{self.uuid}#{index}"
        return Event(
            key,
            self.session_id,
            self.timestamp,
            kind,
            clipped,
            agent_id=self.agent_id,
            truncated=truncated,
            **extra,
        )


def _message(obj: dict[str, Any]) -> dict[str, Any]:
    message = obj.get("message")
    if message is None:
        return {}
    if not isinstance(message, dict):
        raise _Bad(f"message is {type(message).__name__}, not an object")
    return message


def _assistant(ctx: _Context, obj: dict[str, Any]) -> dict[str, Any]:
    message = _message(obj)
    model = message.get("model")
    if obj.get("isApiErrorMessage") or model == "<synthetic>":
        text = _blocks_text(message.get("content")) or "API error"
        return {"events": (ctx.event(0, "api_error", text, ANSWER_CHARS, is_error=True),)}
    events: list[Event] = []
    tool_uses: list[ToolUse] = []
    content = message.get("content")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
    for block in blocks:
        if isinstance(block, dict):
            _assistant_block(ctx, block, events, tool_uses)
    response = _response(ctx, obj, message, model)
    return {"response": response, "events": tuple(events), "tool_uses": tuple(tool_uses)}


def _assistant_block(ctx: _Context, block: dict[str, Any], events: list[Event], tools: list[ToolUse]) -> None:
    btype = block.get("type")
    index = len(events)
    if btype == "text" and isinstance(block.get("text"), str) and block["text"]:
        events.append(ctx.event(index, "answer", block["text"], ANSWER_CHARS))
    elif btype == "thinking" and isinstance(block.get("thinking"), str):
        events.append(ctx.event(index, "thinking", block["thinking"], ANSWER_CHARS))
    elif btype == "tool_use":
        name = _text(block, "name") or "tool"
        tool_input = _dict(block, "input")
        events.append(ctx.event(index, "tool_use", _tool_summary(name, tool_input), TOOL_INPUT_CHARS, tool_name=name))
        tool_id = _text(block, "id") or f"{ctx.uuid}#{index}"
        path = _text(tool_input, FILE_TOOLS[name]) if name in FILE_TOOLS else None
        tools.append(ToolUse(tool_id, ctx.session_id, ctx.timestamp, name, path, ctx.agent_id))


def _tool_summary(name: str, tool_input: dict[str, Any]) -> str:
    """A one-line description of a tool call: its path, command, pattern or description."""
    for key in ("file_path", "notebook_path", "command", "pattern", "description", "url", "query", "prompt"):
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return f"{name}: {value}"
    return name


def _int(usage: dict[str, Any], key: str) -> int:
    value = usage.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None:
        return 0
    raise _Bad(f"usage.{key} is {type(value).__name__}, not an integer")


def _response(ctx: _Context, obj: dict[str, Any], message: dict[str, Any], model: object) -> Response | None:
    usage = message.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise _Bad(f"message.usage is {type(usage).__name__}, not an object")
    if usage is None or not isinstance(model, str):
        return None
    split = _dict(usage, "cache_creation")
    server = _dict(usage, "server_tool_use")
    creation = _int(usage, "cache_creation_input_tokens")
    one_hour = _int(split, "ephemeral_1h_input_tokens")
    tokens = TokenUsage(
        input=_int(usage, "input_tokens"),
        output=_int(usage, "output_tokens"),
        cache_creation=creation,
        cache_read=_int(usage, "cache_read_input_tokens"),
        cache_5m=creation - one_hour,  # the split exists from 1.0.77; before it, every write was a 5-minute one
        cache_1h=one_hour,
        web_search=_int(server, "web_search_requests"),
        fast=usage.get("speed") == "fast",
    )
    return Response(_response_key(obj, message, ctx.uuid), ctx.session_id, ctx.agent_id, ctx.timestamp, model, tokens)


def _response_key(obj: dict[str, Any], message: dict[str, Any], uuid: str) -> str:
    """(message.id, requestId), else message.id (gateways drop requestId), else the line's uuid."""
    message_id = message.get("id")
    request_id = obj.get("requestId")
    if isinstance(message_id, str) and message_id:
        return f"{message_id}:{request_id}" if isinstance(request_id, str) and request_id else message_id
    return f"uuid:{uuid}"


def _blocks_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b.get("text") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def _user(ctx: _Context, obj: dict[str, Any]) -> tuple[Event, ...]:
    content = _message(obj).get("content")
    if isinstance(content, str):
        return (ctx.event(0, _prompt_kind(obj, content), content, PROMPT_CHARS),)
    if not isinstance(content, list):
        return ()
    events: list[Event] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "tool_result":
            text = _blocks_text(block.get("content"))
            error = block.get("is_error") is True
            events.append(ctx.event(len(events), "tool_result", text, TOOL_RESULT_CHARS, is_error=error))
        elif block.get("type") == "text" and isinstance(block.get("text"), str):
            events.append(ctx.event(len(events), _prompt_kind(obj, block["text"]), block["text"], PROMPT_CHARS))
        elif block.get("type") == "image":
            events.append(ctx.event(len(events), _prompt_kind(obj, ""), "[image]", PROMPT_CHARS))
    return tuple(events)


def _prompt_kind(obj: dict[str, Any], text: str) -> EventKind:
    """A human prompt, or text the CLI wrote in the user's name (meta, compaction summary, interruption)."""
    if obj.get("isMeta") or text.startswith("[Request interrupted"):
        return "system"
    if obj.get("isCompactSummary"):
        return "compaction"
    return "prompt"


def _system(ctx: _Context, obj: dict[str, Any]) -> tuple[Event, ...]:
    subtype = obj.get("subtype")
    if subtype == "api_error":
        error = _dict(obj, "error")
        status = error.get("status")
        text = f"API error {status}" if status else "API error"
        attempt, most = obj.get("retryAttempt"), obj.get("maxRetries")
        if attempt is not None:
            text += f" (retry {attempt}/{most})"
        return (ctx.event(0, "api_error", text, ANSWER_CHARS, is_error=True),)
    if subtype == "compact_boundary":
        meta = _dict(obj, "compactMetadata")
        text = f"Conversation compacted ({meta.get('trigger', 'auto')}, {meta.get('preTokens', '?')} tokens before)"
        return (ctx.event(0, "compaction", text, ANSWER_CHARS),)
    content = obj.get("content")
    if isinstance(content, str) and content:
        return (ctx.event(0, "system", content, TOOL_RESULT_CHARS),)
    return ()


def _parse_title(kind: str, obj: dict[str, Any]) -> ParsedLine:
    text = _str(obj, TITLE_TYPES[kind])
    session_id = _session_id(obj)
    if not text:
        return ParsedLine(type=kind, known=True, session_id=session_id)
    title = Title(TITLE_SOURCES[kind], text, session_id, _str(obj, "leafUuid"))
    return ParsedLine(type=kind, known=True, session_id=session_id, title=title)


def _parse_snapshot(obj: dict[str, Any]) -> ParsedLine:
    snapshot = obj.get("snapshot")
    backups = snapshot.get("trackedFileBackups") if isinstance(snapshot, dict) else None
    paths = tuple(p for p in backups if isinstance(p, str)) if isinstance(backups, dict) else ()
    return ParsedLine(type="file-history-snapshot", known=True, snapshot_paths=paths)
