"""Anthropic Messages API payloads: the answer a script chose, as SSE events or as one JSON message."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

# A dated id the CLI and the pricing tables know, so both can compute a cost.
DEFAULT_MODEL = "claude-sonnet-4-5-20250929"


def new_id(prefix: str) -> str:
    return f"{prefix}_fake_{uuid.uuid4().hex[:20]}"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: dict[str, Any]
    id: str = field(default_factory=lambda: new_id("toolu"))


Block = Text | ToolUse


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def as_dict(self, *, output_tokens: int | None = None) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "output_tokens": self.output_tokens if output_tokens is None else output_tokens,
            "service_tier": "standard",
        }


@dataclass(frozen=True)
class Reply:
    """One assistant message. Without `usage` the server derives realistic figures from the request.
    Between the start of the answer and the rest, the server waits for `gate` to open (see gates.py),
    then `delay` seconds (a model taking its time)."""

    blocks: tuple[Block, ...]
    stop_reason: str = "end_turn"
    usage: Usage | None = None
    delay: float = 0.0
    gate: str | None = None


def block_json(block: Block) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"type": "text", "text": block.text}
    return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}


def output_tokens_for(blocks: tuple[Block, ...]) -> int:
    """About four characters per token, as the real tokenizer averages on English and JSON."""
    chars = sum(len(b.text) if isinstance(b, Text) else len(orjson.dumps(b.input)) + 40 for b in blocks)
    return max(1, chars // 4 + 5)


def message_json(msg_id: str, model: str, reply: Reply, usage: Usage) -> dict[str, Any]:
    """The non-streaming answer (`stream` false): the whole message with its final usage."""
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [block_json(b) for b in reply.blocks],
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": usage.as_dict(),
    }


def sse(event: str, data: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def message_start(msg_id: str, model: str, usage: Usage) -> bytes:
    # Like the real API: message_start carries the input figures and a placeholder output count;
    # the final output count only comes with message_delta.
    message: dict[str, Any] = {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage.as_dict(output_tokens=1),
    }
    return sse("message_start", {"type": "message_start", "message": message})


def ping() -> bytes:
    return sse("ping", {"type": "ping"})


def _chunks(text: str, parts: int) -> list[str]:
    """Split into a few pieces so the client really reassembles deltas."""
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def block_events(index: int, block: Block) -> Iterator[bytes]:
    if isinstance(block, Text):
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": part} for part in _chunks(block.text, 2)]
    else:
        start = {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}
        raw = orjson.dumps(block.input).decode()
        deltas = [{"type": "input_json_delta", "partial_json": part} for part in _chunks(raw, 3)]
    yield sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
    for delta in deltas:
        yield sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
    yield sse("content_block_stop", {"type": "content_block_stop", "index": index})


def message_end(reply: Reply, usage: Usage) -> Iterator[bytes]:
    delta = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    final_usage = usage.as_dict()
    del final_usage["service_tier"]
    yield sse("message_delta", {"type": "message_delta", "delta": delta, "usage": final_usage})
    yield sse("message_stop", {"type": "message_stop"})


def stream_head(msg_id: str, model: str, usage: Usage) -> Iterator[bytes]:
    yield message_start(msg_id, model, usage)
    yield ping()


def stream_body(reply: Reply, usage: Usage) -> Iterator[bytes]:
    """Everything after the head, in the order the real API sends it."""
    for index, block in enumerate(reply.blocks):
        yield from block_events(index, block)
    yield from message_end(reply, usage)


ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def error_json(status: int, message: str | None = None) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message or f"fake {status} {kind}"}}
