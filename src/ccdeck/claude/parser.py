"""One transcript line (bytes) -> one typed record. Pure: no I/O, no state, no store.

Unknown line types pass through as `ParsedLine(known=False)`; a line that is not a JSON object, or whose
fields have impossible types, becomes `Malformed` for the caller to count and log. See the project's
reference on Claude Code's files for the meaning of each field.

`parse_record` is the same parse with plain tuples for the parts (the rows ingest writes): a scan parses
millions of lines, and building a record object per part costs as much as the rest of the parse.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from ccdeck.claude.timestamps import epoch
from ccdeck.claude.tools import tool_summary
from ccdeck.models import (
    SYNTHETIC_MODEL,
    Event,
    EventKind,
    Malformed,
    ParsedLine,
    Response,
    Title,
    TitleSource,
    TokenUsage,
    ToolUse,
)

# An `Event`'s fields in order (the columns of `events`), a `ToolUse`'s (of `tool_uses`), a `Response`'s.
EventTuple = tuple[str, str, float, EventKind, str, str | None, str | None, bool, bool]
ToolTuple = tuple[str, str, float, str, str | None, str | None]
ResponseTuple = tuple[str, str, str | None, float, str, TokenUsage]
# A `ParsedLine`'s fields in order, with tuples for the response, events and tool uses.
Record = tuple[
    str,  # type
    bool,  # known
    str | None,  # session_id
    float | None,  # timestamp
    str | None,  # uuid
    str | None,  # cwd
    str | None,  # git_branch
    str | None,  # version
    str | None,  # entrypoint
    str | None,  # agent_id
    ResponseTuple | None,
    list[EventTuple] | tuple[()],
    list[ToolTuple] | tuple[()],
    Title | None,
    tuple[str, ...],  # snapshot_paths
]

PROMPT_CHARS = 20_000
ANSWER_CHARS = 20_000
TOOL_RESULT_CHARS = 2_000
TOOL_INPUT_CHARS = 500
SIDECHAIN_AGENT = "sidechain"
# More tokens than one response can hold (a context window is ~10^6): a count past this is corrupt, not usage.
MAX_TOKENS = 10**9
LAST_TIME = 253402300800.0  # 10000-01-01: epoch seconds from here on have no ISO-8601 date
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
    record = parse_record(raw, session_hint)
    if isinstance(record, Malformed):
        return record
    response, events, tools = record[10], record[11], record[12]
    return ParsedLine(
        *record[:10],
        None if response is None else Response(*response),
        tuple(Event(*e) for e in events),
        tuple(ToolUse(*t) for t in tools),
        record[13],
        record[14],
    )


def parse_record(raw: bytes, session_hint: str | None = None, detail: bool = True) -> Record | Malformed:
    """`parse_line` with tuples: the record's fields in `ParsedLine`'s order, its parts as tuples of their fields.

    Without `detail`, message lines give no events nor tool uses (a usage pass): the same response, metadata and
    verdict (`Malformed` or not) as with it, at less cost.
    """
    if raw.startswith(_SKIP_PREFIXES):
        return (raw[9 : raw.index(b'"', 9)].decode(), True, None, None, None, None, None, None, None, None, None,
                (), (), None, ())  # fmt: skip
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Malformed(f"not JSON: {exc}")
    if not isinstance(obj, dict):
        return Malformed(f"not a JSON object but {type(obj).__name__}")
    try:
        return _parse_object(obj, session_hint, raw, detail)
    except _Bad as exc:
        return Malformed(str(exc))


def _parse_object(obj: dict[str, Any], session_hint: str | None, raw: bytes, detail: bool = True) -> Record:
    kind = obj.get("type")
    if kind is None and isinstance(obj.get("message"), dict) and "usage" in obj["message"]:
        kind = "assistant"  # the oldest transcripts (and some tools' fixtures) omit the type
    if not isinstance(kind, str):
        raise _Bad(f"type is {type(kind).__name__}, not a string")
    if kind in ("assistant", "user", "system"):
        return _parse_message(kind, obj, session_hint, raw, detail)
    if kind in TITLE_TYPES:
        return _parse_title(kind, obj)
    if kind == "file-history-snapshot":
        return _parse_snapshot(obj)
    return (kind, kind in PASSIVE_TYPES, _session_id(obj), None, None, None, None, None, None, None, None, (), (), None,
            ())  # fmt: skip


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


def _parse_message(kind: str, obj: dict[str, Any], session_hint: str | None, raw: bytes, detail: bool) -> Record:
    get = obj.get
    session_id = get("sessionId")
    if session_id.__class__ is not str or not session_id:
        session_id = _session_id(obj)
    session_id = session_id or session_hint
    timestamp = epoch(get("timestamp"))
    if timestamp is not None and not 0 < timestamp < LAST_TIME:
        timestamp = None  # parsed, but no time a transcript was written at (and past what dates can show)
    uuid, agent_id = get("uuid"), get("agentId")
    cwd, branch, version, entrypoint = get("cwd"), get("gitBranch"), get("version"), get("entrypoint")
    if not (
        (uuid is None or uuid.__class__ is str)
        and (agent_id is None or agent_id.__class__ is str)
        and (cwd is None or cwd.__class__ is str)
        and (branch is None or branch.__class__ is str)
        and (version is None or version.__class__ is str)
        and (entrypoint is None or entrypoint.__class__ is str)
    ):
        for key in ("uuid", "agentId", "cwd", "gitBranch", "version", "entrypoint"):
            _str(obj, key)  # raises for the first that is not a string, as the fields are read in this order
    if timestamp is None and kind == "assistant" and _billable(_message(obj)):
        raise _Bad(f"timestamp {get('timestamp')!r} of a line with usage is not a time")
    if session_id is None or timestamp is None:
        return (kind, True, session_id, timestamp, uuid, cwd, branch, version, entrypoint, agent_id, None, (), (),
                None, ())  # fmt: skip
    if agent_id is None and get("isSidechain") is True:
        agent_id = SIDECHAIN_AGENT  # subagent lines inside the session file (<= 2.0.26) carry no agentId
    # A line without uuid still needs a stable key: its content's digest (identical copies dedupe, as they should).
    key = uuid or "sha1:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    ctx = _Context(session_id, timestamp, key, agent_id)
    response: ResponseTuple | None = None
    events: list[EventTuple] | tuple[()]
    tools: list[ToolTuple] | tuple[()] = ()
    if kind == "assistant":
        response, events, tools = _assistant(ctx, obj, detail)
    elif not detail:
        events = ()
    elif kind == "user":
        events = _user(ctx, obj)
    else:
        events = _system(ctx, obj)
    return (kind, True, session_id, timestamp, uuid, cwd, branch, version, entrypoint, agent_id, response, events,
            tools, None, ())  # fmt: skip


def _billable(message: dict[str, Any]) -> bool:
    """Whether an assistant message has usage and a model (else it is no response, with or without a time)."""
    return isinstance(message.get("usage"), dict) and isinstance(message.get("model"), str)


class _Context:
    """The identity every record of one line shares."""

    __slots__ = ("agent_id", "session_id", "timestamp", "uuid")

    def __init__(self, session_id: str, timestamp: float, uuid: str, agent_id: str | None) -> None:
        self.session_id = session_id
        self.timestamp = timestamp
        self.uuid = uuid
        self.agent_id = agent_id

    def event(
        self, index: int, kind: EventKind, text: str, limit: int, tool_name: str | None = None, is_error: bool = False
    ) -> EventTuple:
        key = self.uuid if index == 0 else f"{self.uuid}#{index}"
        if len(text) <= limit:
            return (key, self.session_id, self.timestamp, kind, text, tool_name, self.agent_id, is_error, False)
        return (key, self.session_id, self.timestamp, kind, text[:limit], tool_name, self.agent_id, is_error, True)


def _message(obj: dict[str, Any]) -> dict[str, Any]:
    message = obj.get("message")
    if message is None:
        return {}
    if not isinstance(message, dict):
        raise _Bad(f"message is {type(message).__name__}, not an object")
    return message


def _assistant(
    ctx: _Context, obj: dict[str, Any], detail: bool = True
) -> tuple[ResponseTuple | None, list[EventTuple], list[ToolTuple] | tuple[()]]:
    message = _message(obj)
    model = message.get("model")
    if obj.get("isApiErrorMessage") or model == SYNTHETIC_MODEL:
        if not detail:
            return None, [], ()
        text = _blocks_text(message.get("content")) or "API error"
        return None, [ctx.event(0, "api_error", text, ANSWER_CHARS, is_error=True)], ()
    if not detail:
        return _response(ctx, obj, message, model), [], ()
    events: list[EventTuple] = []
    tool_uses: list[ToolTuple] = []
    content = message.get("content")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
    for block in blocks:
        if isinstance(block, dict):
            _assistant_block(ctx, block, events, tool_uses)
    return _response(ctx, obj, message, model), events, tool_uses


def _assistant_block(ctx: _Context, block: dict[str, Any], events: list[EventTuple], tools: list[ToolTuple]) -> None:
    btype = block.get("type")
    index = len(events)
    if btype == "text":
        text = block.get("text")
        if isinstance(text, str) and text:
            events.append(ctx.event(index, "answer", text, ANSWER_CHARS))
    elif btype == "thinking":
        thinking = block.get("thinking")
        if isinstance(thinking, str):
            events.append(ctx.event(index, "thinking", thinking, ANSWER_CHARS))
    elif btype == "tool_use":
        name = _text(block, "name") or "tool"
        tool_input = _dict(block, "input")
        events.append(ctx.event(index, "tool_use", tool_summary(name, tool_input), TOOL_INPUT_CHARS, tool_name=name))
        tool_id = _text(block, "id") or f"{ctx.uuid}#{index}"
        path = _text(tool_input, FILE_TOOLS[name]) if name in FILE_TOOLS else None
        tools.append((tool_id, ctx.session_id, ctx.timestamp, name, path, ctx.agent_id))


def _int(usage: dict[str, Any], key: str) -> int:
    """A token count: an integer from 0 to `MAX_TOKENS`, or 0 when absent; anything else makes the line malformed."""
    value = usage.get(key)
    if value.__class__ is int:
        if 0 <= value <= MAX_TOKENS:
            return value
        raise _Bad(f"usage.{key} is {value}, not a count from 0 to {MAX_TOKENS:,}")
    if value is None:
        return 0
    raise _Bad(f"usage.{key} is {type(value).__name__}, not an integer")


def _response(ctx: _Context, obj: dict[str, Any], message: dict[str, Any], model: object) -> ResponseTuple | None:
    usage = message.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise _Bad(f"message.usage is {type(usage).__name__}, not an object")
    if usage is None or not isinstance(model, str):
        return None
    split = _dict(usage, "cache_creation")
    server = _dict(usage, "server_tool_use")
    creation = _int(usage, "cache_creation_input_tokens")
    one_hour = _int(split, "ephemeral_1h_input_tokens")
    if one_hour > creation:
        raise _Bad(f"usage.cache_creation has {one_hour} 1-hour tokens of {creation} written")
    tokens = TokenUsage(
        _int(usage, "input_tokens"),
        _int(usage, "output_tokens"),
        creation,
        _int(usage, "cache_read_input_tokens"),
        creation - one_hour,  # the split exists from 1.0.77; before it, every write was a 5-minute one
        one_hour,
        _int(server, "web_search_requests"),
        usage.get("speed") == "fast",
    )
    return (_response_key(obj, message, ctx.uuid), ctx.session_id, ctx.agent_id, ctx.timestamp, model, tokens)


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


def _user(ctx: _Context, obj: dict[str, Any]) -> list[EventTuple] | tuple[()]:
    content = _message(obj).get("content")
    if isinstance(content, str):
        kind, content = _prompt(obj, content)
        return [ctx.event(0, kind, content, PROMPT_CHARS)]
    if not isinstance(content, list):
        return ()
    events: list[EventTuple] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        btype = block.get("type")
        if btype == "tool_result":
            text = _blocks_text(block.get("content"))
            error = block.get("is_error") is True
            events.append(ctx.event(len(events), "tool_result", text, TOOL_RESULT_CHARS, is_error=error))
        elif btype == "text":
            prompt = block.get("text")
            if isinstance(prompt, str):
                kind, prompt = _prompt(obj, prompt)
                events.append(ctx.event(len(events), kind, prompt, PROMPT_CHARS))
        elif btype == "image":
            events.append(ctx.event(len(events), _prompt_kind(obj, ""), "[image]", PROMPT_CHARS))
    return events


def _prompt(obj: dict[str, Any], text: str) -> tuple[EventKind, str]:
    """A user text's kind and the text to show: a slash command's markup becomes `/name args`."""
    if "<command-name>" in text:
        command = _COMMAND.search(text)
        if command is not None:
            name, args = command.group(1).strip(), _tag(text, "command-args")
            text = f"/{name.lstrip('/')} {args}" if args else f"/{name.lstrip('/')}"
    return _prompt_kind(obj, text), text


_COMMAND = re.compile(r"<command-name>(.*?)</command-name>", re.DOTALL)
# What the CLI writes in the user's name around local commands (`/model`, `/memory`...): never a prompt.
_LOCAL_COMMAND_TAGS = ("<local-command-stdout>", "<local-command-stderr>", "<local-command-caveat>")


def _tag(text: str, tag: str) -> str:
    found = re.search(f"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    return " ".join(found.group(1).split()) if found else ""


def _prompt_kind(obj: dict[str, Any], text: str) -> EventKind:
    """A human prompt, or text the CLI wrote in the user's name (meta, compaction summary, interruption, the
    output of a local command)."""
    if obj.get("isMeta") or text.startswith(("[Request interrupted", *_LOCAL_COMMAND_TAGS)):
        return "system"
    if obj.get("isCompactSummary"):
        return "compaction"
    return "prompt"


def _system(ctx: _Context, obj: dict[str, Any]) -> list[EventTuple] | tuple[()]:
    subtype = obj.get("subtype")
    if subtype == "api_error":
        error = _dict(obj, "error")
        status = error.get("status")
        text = f"API error {status}" if status else "API error"
        attempt, most = obj.get("retryAttempt"), obj.get("maxRetries")
        if attempt is not None:
            text += f" (retry {attempt}/{most})"
        return [ctx.event(0, "api_error", text, ANSWER_CHARS, is_error=True)]
    if subtype == "compact_boundary":
        meta = _dict(obj, "compactMetadata")
        text = f"Conversation compacted ({meta.get('trigger', 'auto')}, {meta.get('preTokens', '?')} tokens before)"
        return [ctx.event(0, "compaction", text, ANSWER_CHARS)]
    content = obj.get("content")
    if isinstance(content, str) and content:
        return [ctx.event(0, "system", content, TOOL_RESULT_CHARS)]
    return ()


def _parse_title(kind: str, obj: dict[str, Any]) -> Record:
    text = _str(obj, TITLE_TYPES[kind])
    session_id = _session_id(obj)
    title = Title(TITLE_SOURCES[kind], text, session_id, _str(obj, "leafUuid")) if text else None
    return (kind, True, session_id, None, None, None, None, None, None, None, None, (), (), title, ())


def _parse_snapshot(obj: dict[str, Any]) -> Record:
    snapshot = obj.get("snapshot")
    backups = snapshot.get("trackedFileBackups") if isinstance(snapshot, dict) else None
    paths = tuple(p for p in backups if isinstance(p, str)) if isinstance(backups, dict) else ()
    return ("file-history-snapshot", True, None, None, None, None, None, None, None, None, None, (), (), None, paths)
