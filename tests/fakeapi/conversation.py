"""Reading a `POST /v1/messages` body the way the scripts need it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from .scripts import MARKER_RE, Marker, find_marker

SESSION_HEADER = "x-claude-code-session-id"
CWD_RE = re.compile(r"Primary working directory: ([^\n]+)")


def _texts(content: Any) -> Iterator[str]:
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "text":
                yield str(block.get("text", ""))


def _tool_result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    return "".join(_texts(content))


@dataclass(frozen=True)
class Conversation:
    model: str | None
    stream: bool
    n_messages: int
    prompt: str  # the last text block of the prompt's message: the CLI puts system reminders first
    marker: Marker
    turn: int  # assistant messages since the prompt
    cwd: str | None
    last_tool_result: str | None
    last_tool_error: bool


def read_conversation(body: Mapping[str, Any]) -> Conversation:
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    # The prompt is the newest user message with a marker (a resumed session's new prompt), else the
    # first user message. Tool results are not text blocks, so a command echoing a marker cannot count.
    prompts = [(i, list(_texts(m.get("content")))) for i, m in enumerate(messages) if m.get("role") == "user"]
    marked = [p for p in prompts if MARKER_RE.search("\n".join(p[1]))]
    prompt_index, prompt_texts = marked[-1] if marked else prompts[0] if prompts else (0, [])
    last_result: str | None = None
    last_error = False
    if messages and isinstance(messages[-1].get("content"), list):
        for block in messages[-1]["content"]:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                last_result = _tool_result_text(block)
                last_error = bool(block.get("is_error"))
    # 2.1.330 puts the environment (cwd included) in a `system`-role message; older versions in `system`.
    texts = [*_texts(body.get("system")), *(t for m in messages for t in _texts(m.get("content")))]
    cwd_match = next((found for found in map(CWD_RE.search, texts) if found), None)
    return Conversation(
        model=body.get("model"),
        stream=body.get("stream") is True,
        n_messages=len(messages),
        prompt=prompt_texts[-1] if prompt_texts else "",
        marker=find_marker("\n".join(prompt_texts)),
        turn=sum(1 for m in messages[prompt_index:] if m.get("role") == "assistant"),
        cwd=cwd_match.group(1).strip() if cwd_match else None,
        last_tool_result=last_result,
        last_tool_error=last_error,
    )


def session_id_of(headers: Mapping[str, str], body: Mapping[str, Any]) -> str | None:
    """The CLI sends its session id as a header and again inside `metadata.user_id` (a JSON string)."""
    if headers.get(SESSION_HEADER):
        return headers[SESSION_HEADER]
    user_id = (body.get("metadata") or {}).get("user_id")
    if isinstance(user_id, str) and user_id.startswith("{"):
        try:
            session = orjson.loads(user_id).get("session_id")
        except orjson.JSONDecodeError:
            return None
        return str(session) if session else None
    return None
