"""The rules of Claude's message format, once for the transcript parser and the `claude -p` stream.

An assistant message's `usage` becomes a `TokenUsage` (cache split, web searches, fast mode); a token count is an
integer from 0 to `MAX_TOKENS` (a bool, a float, a string or a negative number is no count: `BadMessage`); a
`tool_use` block gives a tool name, its input and the file it edits. A transcript line with a bad count is
malformed (counted and skipped); the stream leaves that message's usage out. Pure: no I/O, nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ccdeck.models import SYNTHETIC_MODEL, TokenUsage

# More tokens than one response can hold (a context window is ~10^6): a count past this is corrupt, not usage.
MAX_TOKENS = 10**9
# The tools that edit a file, and the input field naming it.
FILE_TOOLS = {
    "Edit": "file_path",
    "Write": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
UNNAMED_TOOL = "tool"
_EMPTY: Mapping[str, Any] = {}


class BadMessage(ValueError):
    """A field of a message with an impossible type or value; a transcript line holding it is malformed."""


def token_count(obj: Mapping[str, Any], key: str) -> int:
    """`obj[key]` as an integer, 0 when absent (`split_usage` checks its range). Not a bool, a float nor a string."""
    value = obj.get(key)
    if value.__class__ is int:  # not `isinstance`: a bool is an int, and no count
        return value
    if value is None:
        return 0
    raise BadMessage(f"usage.{key} is {type(value).__name__}, not an integer")


def usage_tokens(usage: Mapping[str, Any]) -> TokenUsage:
    """A message's `usage` object as token counts; `BadMessage` when a count is impossible."""
    split, server = usage.get("cache_creation"), usage.get("server_tool_use")
    split = split if split.__class__ is dict else _EMPTY  # tolerated: another type is no split, never fatal
    server = server if server.__class__ is dict else _EMPTY
    return split_usage(
        token_count(usage, "input_tokens"),
        token_count(usage, "output_tokens"),
        token_count(usage, "cache_creation_input_tokens"),
        token_count(usage, "cache_read_input_tokens"),
        token_count(split, "ephemeral_1h_input_tokens"),
        token_count(server, "web_search_requests"),
        usage.get("speed") == "fast",
    )


_COUNTS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
           "ephemeral_1h_input_tokens", "web_search_requests")  # fmt: skip


def split_usage(inp: int, out: int, creation: int, read: int, one_hour: int, web: int, fast: bool) -> TokenUsage:
    """The one range rule: each count from 0 to `MAX_TOKENS`, at most as many 1-hour tokens as were written.

    Returns the counts as a `TokenUsage` (its 5-minute writes are the rest); `BadMessage` names the first count
    out of range.
    """
    top = MAX_TOKENS
    if not (0 <= inp <= top and 0 <= out <= top and 0 <= creation <= top and 0 <= read <= top
            and 0 <= one_hour <= top and 0 <= web <= top):  # fmt: skip
        counts = (inp, out, creation, read, one_hour, web)
        key, value = next((k, n) for k, n in zip(_COUNTS, counts, strict=True) if not 0 <= n <= top)
        raise BadMessage(f"usage.{key} is {value}, not a count from 0 to {MAX_TOKENS:,}")
    if one_hour > creation:
        raise BadMessage(f"usage.cache_creation has {one_hour} 1-hour tokens of {creation} written")
    # The split exists from 1.0.77; before it, every write was a 5-minute one.
    return TokenUsage(inp, out, creation, read, creation - one_hour, one_hour, web, fast)


def is_error_stand_in(is_api_error: object, model: object) -> bool:
    """Whether an assistant message is an error Claude Code wrote itself (never billed, whatever its usage says)."""
    return bool(is_api_error) or model == SYNTHETIC_MODEL


def response_key(message_id: object, request_id: object, uuid: str) -> str:
    """(message.id, requestId), else message.id (gateways drop requestId), else the line's uuid."""
    if isinstance(message_id, str) and message_id:
        return f"{message_id}:{request_id}" if isinstance(request_id, str) and request_id else message_id
    return f"uuid:{uuid}"


def request_id_of(key: str) -> str | None:
    """The request id a `response_key` holds (None for a key without one): message ids and request ids hold no
    colon, so the key's first colon separates them."""
    if key.startswith("uuid:"):
        return None
    _, colon, request_id = key.partition(":")
    return request_id if colon and request_id else None


class ToolCall(NamedTuple):
    """A `tool_use` block: the tool's name, its input, and the file it edits (for the file-editing tools)."""

    name: str
    input: dict[str, Any]
    path: str | None


def tool_call(block: Mapping[str, Any]) -> ToolCall:
    name = block.get("name")
    if not isinstance(name, str) or not name:
        name = UNNAMED_TOOL
    tool_input = _dict(block, "input")
    key = FILE_TOOLS.get(name)
    path = tool_input.get(key) if key is not None else None
    return ToolCall(name, tool_input, path if isinstance(path, str) and path else None)


def _dict(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A nested object, or {} when absent or of another type (tolerated: never fatal)."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}
