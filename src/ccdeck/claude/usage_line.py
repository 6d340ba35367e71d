"""The usage pass's parse of a line that may carry a response: `parse_record(raw, hint, detail=False)`, faster.

msgspec decodes only the fields a response and the session's metadata use into typed structs, skipping the content
blocks (most of an assistant line) without building them. A line this path cannot take as a well-formed assistant
line with a time -- another type, a field of another type, a count out of range, a null count -- goes to
`parse_record`, which decides as always: the result is the same record, or the same `Malformed`, either way.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from ccdeck.claude.message import BadMessage, is_error_stand_in, response_key, split_usage
from ccdeck.claude.parser import LAST_TIME, SIDECHAIN_AGENT, parse_record
from ccdeck.claude.records import Record, Response
from ccdeck.claude.timestamps import epoch
from ccdeck.models import Malformed, TokenUsage


class _Split(msgspec.Struct):
    ephemeral_1h_input_tokens: int = 0


class _Server(msgspec.Struct):
    web_search_requests: int = 0


class _Usage(msgspec.Struct):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation: _Split | None = None
    server_tool_use: _Server | None = None
    speed: Any = None


class _Message(msgspec.Struct):
    id: Any = None
    model: Any = None
    usage: _Usage | None = None


class _Line(msgspec.Struct):
    type: Any = None
    sessionId: str | None = None
    session_id: str | None = None
    timestamp: Any = None
    uuid: str | None = None
    agentId: str | None = None
    cwd: str | None = None
    gitBranch: str | None = None
    version: str | None = None
    entrypoint: str | None = None
    requestId: Any = None
    isSidechain: Any = None
    isApiErrorMessage: Any = None
    message: _Message | None = None


_decode = msgspec.json.Decoder(_Line).decode


def parse_usage_record(raw: bytes, session_hint: str | None = None) -> Record | Malformed:
    """`parse_record(raw, session_hint, detail=False)`: a message line's response and metadata, no events."""
    try:
        line = _decode(raw)
    except msgspec.DecodeError:  # not JSON, or a field of another type (ValidationError is a DecodeError)
        return parse_record(raw, session_hint, detail=False)
    record = _assistant(line, raw, session_hint)
    return parse_record(raw, session_hint, detail=False) if record is None else record


def _assistant(line: _Line, raw: bytes, session_hint: str | None) -> Record | None:
    """The record of a well-formed assistant line with a session and a time, else None (`parse_record` decides)."""
    session = line.sessionId or line.session_id or session_hint
    if line.type != "assistant" or session is None:
        return None
    ts = epoch(line.timestamp)
    if ts is None or not 0 < ts < LAST_TIME:
        return None
    agent = line.agentId
    if agent is None and line.isSidechain is True:
        agent = SIDECHAIN_AGENT
    uuid = line.uuid
    key = uuid or "sha1:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    response: Response | None = None
    message = line.message
    if message is not None and not is_error_stand_in(line.isApiErrorMessage, message.model):
        usage, model = message.usage, message.model
        if usage is not None and isinstance(model, str):
            tokens = _tokens(usage)
            if tokens is None:
                return None
            response = Response(response_key(message.id, line.requestId, key), session, agent, ts, model, tokens)
    return Record("assistant", True, session, ts, uuid, line.cwd, line.gitBranch, line.version, line.entrypoint,
                  agent, response)  # fmt: skip


def _tokens(u: _Usage) -> TokenUsage | None:
    """The counts, or None when one is out of range (`parse_record` says which, as a malformed line)."""
    one_hour = u.cache_creation.ephemeral_1h_input_tokens if u.cache_creation is not None else 0
    web = u.server_tool_use.web_search_requests if u.server_tool_use is not None else 0
    try:
        return split_usage(u.input_tokens, u.output_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens,
                           one_hour, web, u.speed == "fast")  # fmt: skip
    except BadMessage:
        return None
