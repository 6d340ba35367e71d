"""One transcript line (bytes) -> one `Record`. Pure: no I/O, no state, no store.

Unknown line types pass through as `Record(known=False)`; a line that is not a JSON object, or whose fields have
impossible types, becomes `Malformed` for the caller to count and log. See the project's reference on Claude
Code's files for the meaning of each field. The rules of a message's usage and tool calls are `claude.message`'s,
the timeline items a message line holds `claude.timeline`'s. Records and their parts are named tuples
(`claude.records`): a scan parses millions of lines, and an object per part would cost as much as the parse.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ccdeck.claude.message import BadMessage, is_error_stand_in, response_key, usage_tokens
from ccdeck.claude.records import EventRow, Record, Response, ToolRow
from ccdeck.claude.timeline import Context, assistant_events, error_event, system_events, user_events
from ccdeck.claude.timestamps import epoch
from ccdeck.models import Malformed, Title, TitleSource

SIDECHAIN_AGENT = "sidechain"
LAST_TIME = 253402300800.0  # 10000-01-01: epoch seconds from here on have no ISO-8601 date

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

# Bytes that open a line the fast path can classify without decoding it whole (several are 100 KB+), and the
# record of each such type: one shared record (a tuple: immutable), not one built per line.
_SKIP_PREFIXES = tuple(f'{{"type":"{t}"'.encode() for t in PASSIVE_TYPES)
_PASSIVE_RECORDS = {t.encode(): Record(t, True) for t in PASSIVE_TYPES}


def parse_record(raw: bytes, session_hint: str | None = None, detail: bool = True) -> Record | Malformed:
    """Parse one line (without or with its trailing newline).

    `session_hint` is the session the file's name implies, for the rare message lines without a `sessionId`.
    Without `detail`, message lines give no events nor tool uses (a usage pass): the same response, metadata and
    verdict (`Malformed` or not) as with it, at less cost.
    """
    if raw.startswith(_SKIP_PREFIXES):
        return _PASSIVE_RECORDS[raw[9 : raw.index(b'"', 9)]]
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Malformed(f"not JSON: {exc}")
    if not isinstance(obj, dict):
        return Malformed(f"not a JSON object but {type(obj).__name__}")
    try:
        return _parse_object(obj, session_hint, raw, detail)
    except BadMessage as exc:
        return Malformed(str(exc))


def _parse_object(obj: dict[str, Any], session_hint: str | None, raw: bytes, detail: bool = True) -> Record:
    kind = obj.get("type")
    if kind is None and isinstance(obj.get("message"), dict) and "usage" in obj["message"]:
        kind = "assistant"  # the oldest transcripts (and some tools' fixtures) omit the type
    if not isinstance(kind, str):
        raise BadMessage(f"type is {type(kind).__name__}, not a string")
    if kind in ("assistant", "user", "system"):
        return _parse_message(kind, obj, session_hint, raw, detail)
    if kind in TITLE_TYPES:
        return _parse_title(kind, obj)
    if kind == "file-history-snapshot":
        return _parse_snapshot(obj)
    return Record(kind, kind in PASSIVE_TYPES, _session_id(obj))


def _str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadMessage(f"{key} is {type(value).__name__}, not a string")


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
        raise BadMessage(f"timestamp {get('timestamp')!r} of a line with usage is not a time")
    if session_id is None or timestamp is None:
        return Record(kind, True, session_id, timestamp, uuid, cwd, branch, version, entrypoint, agent_id)
    if agent_id is None and get("isSidechain") is True:
        agent_id = SIDECHAIN_AGENT  # subagent lines inside the session file (<= 2.0.26) carry no agentId
    # A line without uuid still needs a stable key: its content's digest (identical copies dedupe, as they should).
    key = uuid or "sha1:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    ctx = Context(session_id, timestamp, key, agent_id)
    response: Response | None = None
    events: list[EventRow] | tuple[()] = ()
    tools: list[ToolRow] | tuple[()] = ()
    if kind == "assistant":
        message = _message(obj)
        if is_error_stand_in(get("isApiErrorMessage"), message.get("model")):
            events = [error_event(ctx, message)] if detail else ()
        else:
            response = _response(ctx, obj, message)
            if detail:
                events, tools = assistant_events(ctx, message)
    elif detail:
        events = user_events(ctx, obj, _message(obj)) if kind == "user" else system_events(ctx, obj)
    return Record(kind, True, session_id, timestamp, uuid, cwd, branch, version, entrypoint, agent_id, response,
                  events, tools)  # fmt: skip


def _billable(message: dict[str, Any]) -> bool:
    """Whether an assistant message has usage and a model (else it is no response, with or without a time)."""
    return isinstance(message.get("usage"), dict) and isinstance(message.get("model"), str)


def _message(obj: dict[str, Any]) -> dict[str, Any]:
    message = obj.get("message")
    if message is None:
        return {}
    if not isinstance(message, dict):
        raise BadMessage(f"message is {type(message).__name__}, not an object")
    return message


def _response(ctx: Context, obj: dict[str, Any], message: dict[str, Any]) -> Response | None:
    usage, model = message.get("usage"), message.get("model")
    if usage is not None and not isinstance(usage, dict):
        raise BadMessage(f"message.usage is {type(usage).__name__}, not an object")
    if usage is None or not isinstance(model, str):
        return None
    key = response_key(message.get("id"), obj.get("requestId"), ctx.uuid)
    return Response(key, ctx.session_id, ctx.agent_id, ctx.timestamp, model, usage_tokens(usage))


def _parse_title(kind: str, obj: dict[str, Any]) -> Record:
    text = _str(obj, TITLE_TYPES[kind])
    session_id = _session_id(obj)
    title = Title(TITLE_SOURCES[kind], text, session_id, _str(obj, "leafUuid")) if text else None
    return Record(kind, True, session_id, title=title)


def _parse_snapshot(obj: dict[str, Any]) -> Record:
    snapshot = obj.get("snapshot")
    backups = snapshot.get("trackedFileBackups") if isinstance(snapshot, dict) else None
    paths = tuple(p for p in backups if isinstance(p, str)) if isinstance(backups, dict) else ()
    return Record("file-history-snapshot", True, snapshot_paths=paths)
