"""How a tool call is described in one line, the same wherever it is shown (timeline, "doing", alerts, a run's
last tool, its logs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_DESCRIBING_KEYS = ("file_path", "notebook_path", "command", "pattern", "description", "url", "query", "prompt")


def tool_summary(name: str, tool_input: Mapping[str, Any], limit: int | None = None) -> str:
    """A one-line description of a tool call: its path, command, pattern or description.

    With a `limit`, the argument is put on one line (runs of white space become one space) and cut to `limit`
    characters, the last of them `…`: for a table cell or a log line. Without, it is as written (the timeline
    keeps it whole, up to its own length).
    """
    value = _describing_value(name, tool_input)
    if value is None:
        return name
    if limit is not None:
        value = " ".join(value.split())
        value = value if len(value) <= limit else value[: limit - 1] + "…"
    return f"{name}: {value}"


def _describing_value(name: str, tool_input: Mapping[str, Any]) -> str | None:
    for key in _DESCRIBING_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return value
    return _first_question(tool_input) if name == "AskUserQuestion" else None


def _first_question(tool_input: Mapping[str, Any]) -> str | None:
    questions = tool_input.get("questions")
    if isinstance(questions, list) and questions and isinstance(questions[0], dict):
        text = questions[0].get("question")
        return text if isinstance(text, str) and text else None
    return None
