"""Claude Code's hook payloads (`POST /api/hooks`): what each event says of its session's state.

Every payload names `session_id`, `cwd` and `hook_event_name`; the rest depends on the event (see the README's
hooks section). A payload is untrusted input: anything of the wrong shape is refused, long texts are cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ccdeck.claude.tools import tool_summary

HookState = Literal["working", "blocked", "waiting", "ended"]
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
TEXT_CHARS = 300

# Events that mean the model or a tool is at work.
_WORKING = frozenset(
    {"UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "SubagentStart",
     "SubagentStop", "MessageDisplay", "PreCompact", "PostCompact"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HookSignal:
    session_id: str
    event: str
    state: HookState | None  # None: the event says nothing of the state (an idle reminder, an unknown event)
    blocked_on: str | None = None
    doing: str | None = None
    cwd: str | None = None
    failure: str | None = None  # StopFailure's error: `rate_limit`, `server_error`, ...
    last_answer: str | None = None


class BadHook(ValueError):
    """A payload that is not a Claude Code hook event."""


def parse_hook(payload: object) -> HookSignal:
    if not isinstance(payload, dict):
        raise BadHook("a hook payload is a JSON object")
    session_id, event = payload.get("session_id"), payload.get("hook_event_name")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadHook("session_id is missing or malformed")
    if not isinstance(event, str) or not event.isalnum() or len(event) > 64:
        raise BadHook("hook_event_name is missing or malformed")
    cwd = _text(payload, "cwd")
    base = HookSignal(session_id, event, None, cwd=cwd)
    return _interpret(base, payload, cwd)


def _interpret(base: HookSignal, payload: dict[str, Any], cwd: str | None) -> HookSignal:
    event = base.event
    if event == "PermissionRequest":
        return _replace(base, state="blocked", blocked_on=_approval(payload, cwd))
    if event == "Notification" and payload.get("notification_type") == "permission_prompt":
        return _replace(base, state="blocked", blocked_on="permission prompt")
    if event in ("Stop", "SessionStart"):
        return _replace(base, state="waiting", last_answer=_text(payload, "last_assistant_message"))
    if event == "StopFailure":
        return _replace(base, state="waiting", failure=_text(payload, "error") or "error",
                        last_answer=_text(payload, "last_assistant_message"))  # fmt: skip
    if event == "SessionEnd":
        return _replace(base, state="ended")
    if event == "PreToolUse":
        return _replace(base, state="working", doing=_tool(payload, cwd))
    if event in _WORKING:
        return _replace(base, state="working")
    return base


def _replace(base: HookSignal, **changes: Any) -> HookSignal:
    fields = {name: getattr(base, name) for name in HookSignal.__slots__}
    return HookSignal(**{**fields, **changes})


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return _cut(value) if isinstance(value, str) else None


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _tool(payload: dict[str, Any], cwd: str | None) -> str | None:
    name, tool_input = payload.get("tool_name"), payload.get("tool_input")
    if not isinstance(name, str):
        return None
    summary = tool_summary(name, tool_input if isinstance(tool_input, dict) else {})
    if cwd and f" {cwd}/" in summary:
        summary = summary.replace(f" {cwd}/", " ", 1)  # paths in the session's folder, as the user thinks of them
    return _cut(summary)


def _approval(payload: dict[str, Any], cwd: str | None) -> str:
    """What the user is asked: "approve Write: src/app.py", "input needed: Pick a colour?"."""
    summary = _tool(payload, cwd)
    if summary is None:
        return "permission prompt"
    if payload.get("tool_name") == "AskUserQuestion":
        _, _, question = summary.partition(": ")
        return f"input needed: {question}" if question else "input needed"
    return f"approve {summary}"
