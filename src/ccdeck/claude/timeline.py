"""The timeline items of one message line: prompts, answers, thinking, tool calls and results, API errors,
compactions. Texts are cut to a length per kind (`truncated` says so). Pure: no I/O."""

from __future__ import annotations

import re
from typing import Any

from ccdeck.claude.message import tool_call
from ccdeck.claude.records import EventRow, ToolRow
from ccdeck.claude.tools import tool_summary
from ccdeck.models import EventKind

PROMPT_CHARS = 20_000
ANSWER_CHARS = 20_000
TOOL_RESULT_CHARS = 2_000
TOOL_INPUT_CHARS = 500


class Context:
    """The identity every record of one line shares."""

    __slots__ = ("agent_id", "session_id", "timestamp", "uuid")

    def __init__(self, session_id: str, timestamp: float, uuid: str, agent_id: str | None) -> None:
        self.session_id = session_id
        self.timestamp = timestamp
        self.uuid = uuid
        self.agent_id = agent_id

    def event(
        self, index: int, kind: EventKind, text: str, limit: int, tool_name: str | None = None, is_error: bool = False
    ) -> EventRow:
        key = self.uuid if index == 0 else f"{self.uuid}#{index}"
        if len(text) <= limit:
            return EventRow(key, self.session_id, self.timestamp, kind, text, tool_name, self.agent_id, is_error, False)
        return EventRow(key, self.session_id, self.timestamp, kind, text[:limit], tool_name, self.agent_id, is_error,
                        True)  # fmt: skip


def error_event(ctx: Context, message: dict[str, Any]) -> EventRow:
    """The item of an error Claude Code wrote as an assistant message (`message.is_error_stand_in`)."""
    return ctx.event(0, "api_error", _blocks_text(message.get("content")) or "API error", ANSWER_CHARS, is_error=True)


def assistant_events(ctx: Context, message: dict[str, Any]) -> tuple[list[EventRow], list[ToolRow]]:
    """An assistant message's items, and its tool calls."""
    events: list[EventRow] = []
    tool_uses: list[ToolRow] = []
    content = message.get("content")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
    for block in blocks:
        if isinstance(block, dict):
            _assistant_block(ctx, block, events, tool_uses)
    return events, tool_uses


def _assistant_block(ctx: Context, block: dict[str, Any], events: list[EventRow], tools: list[ToolRow]) -> None:
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
        call = tool_call(block)
        summary = tool_summary(call.name, call.input)
        events.append(ctx.event(index, "tool_use", summary, TOOL_INPUT_CHARS, tool_name=call.name))
        tool_id = block.get("id")
        if not isinstance(tool_id, str) or not tool_id:
            tool_id = f"{ctx.uuid}#{index}"
        tools.append(ToolRow(tool_id, ctx.session_id, ctx.timestamp, call.name, call.path, ctx.agent_id))


def _blocks_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b.get("text") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def user_events(ctx: Context, obj: dict[str, Any], message: dict[str, Any]) -> list[EventRow] | tuple[()]:
    content = message.get("content")
    if isinstance(content, str):
        kind, content = _prompt(obj, content)
        return [ctx.event(0, kind, content, PROMPT_CHARS)]
    if not isinstance(content, list):
        return ()
    events: list[EventRow] = []
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


def system_events(ctx: Context, obj: dict[str, Any]) -> list[EventRow] | tuple[()]:
    subtype = obj.get("subtype")
    if subtype == "api_error":
        error = obj.get("error")
        status = error.get("status") if isinstance(error, dict) else None
        text = f"API error {status}" if status else "API error"
        attempt, most = obj.get("retryAttempt"), obj.get("maxRetries")
        if attempt is not None:
            text += f" (retry {attempt}/{most})"
        return [ctx.event(0, "api_error", text, ANSWER_CHARS, is_error=True)]
    if subtype == "compact_boundary":
        meta = obj.get("compactMetadata")
        meta = meta if isinstance(meta, dict) else {}
        text = f"Conversation compacted ({meta.get('trigger', 'auto')}, {meta.get('preTokens', '?')} tokens before)"
        return [ctx.event(0, "compaction", text, ANSWER_CHARS)]
    content = obj.get("content")
    if isinstance(content, str) and content:
        return [ctx.event(0, "system", content, TOOL_RESULT_CHARS)]
    return ()
