"""How a tool call is described in one line, the same wherever it is shown (timeline, "doing", alerts)."""

from __future__ import annotations

from typing import Any

_DESCRIBING_KEYS = ("file_path", "notebook_path", "command", "pattern", "description", "url", "query", "prompt")


def tool_summary(name: str, tool_input: dict[str, Any]) -> str:
    """A one-line description of a tool call: its path, command, pattern or description."""
    for key in _DESCRIBING_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return f"{name}: {value}"
    if name == "AskUserQuestion":
        question = _first_question(tool_input)
        if question:
            return f"{name}: {question}"
    return name


def _first_question(tool_input: dict[str, Any]) -> str | None:
    questions = tool_input.get("questions")
    if isinstance(questions, list) and questions and isinstance(questions[0], dict):
        text = questions[0].get("question")
        return text if isinstance(text, str) else None
    return None
