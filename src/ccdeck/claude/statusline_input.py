"""What Claude Code sends a status-line command on stdin, parsed into one record.

Claude Code 2.1.330 sends `session_id`, `cwd`, `model{id, display_name}`, `version`, `cost{total_cost_usd,
total_lines_added, total_lines_removed, …}`, `context_window{used_percentage, context_window_size, …}` and, to
claude.ai subscribers only, `rate_limits{five_hour, seven_day}` with `used_percentage` and `resets_at` (epoch
seconds). Every field may be missing or null; a wrong type counts as missing. Standard library only: this runs on
every message of every session.
"""

from __future__ import annotations

import json
from datetime import datetime

MAX_INPUT_BYTES = 1 << 20


class StatusInput:
    """One status-line input; every figure is None when Claude Code did not send it."""

    __slots__ = (
        "context_pct",
        "context_size",
        "cost_usd",
        "cwd",
        "five_hour_pct",
        "five_hour_resets",
        "lines_added",
        "lines_removed",
        "model_id",
        "model_name",
        "session_id",
        "seven_day_pct",
        "seven_day_resets",
        "version",
    )  # fmt: skip

    def __init__(self, data: dict[str, object]) -> None:
        model, cost = _obj(data, "model"), _obj(data, "cost")
        context, limits = _obj(data, "context_window"), _obj(data, "rate_limits")
        five_hour, seven_day = _obj(limits, "five_hour"), _obj(limits, "seven_day")
        self.session_id = _str(data, "session_id")
        self.cwd = _str(data, "cwd")
        self.version = _str(data, "version")
        self.model_id = _str(model, "id")
        self.model_name = _str(model, "display_name")
        self.cost_usd = _num(cost, "total_cost_usd")
        self.lines_added = _int(cost, "total_lines_added")
        self.lines_removed = _int(cost, "total_lines_removed")
        self.context_pct = _num(context, "used_percentage")
        self.context_size = _int(context, "context_window_size")
        self.five_hour_pct = _num(five_hour, "used_percentage")
        self.five_hour_resets = _epoch(five_hour.get("resets_at"))
        self.seven_day_pct = _num(seven_day, "used_percentage")
        self.seven_day_resets = _epoch(seven_day.get("resets_at"))


def parse_status(raw: bytes) -> StatusInput:
    """The input; anything that is not a JSON object gives a record with every field missing."""
    try:
        data = json.loads(raw[:MAX_INPUT_BYTES])
    except (ValueError, UnicodeDecodeError):
        data = None
    return StatusInput(data if isinstance(data, dict) else {})


def _obj(data: dict[str, object], key: str) -> dict[str, object]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _str(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _num(data: dict[str, object], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _int(data: dict[str, object], key: str) -> int | None:
    value = _num(data, key)
    return None if value is None else int(value)


def _epoch(value: object) -> float | None:
    """Epoch seconds from seconds, milliseconds or an ISO-8601 text."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    number = _num({"v": value}, "v")
    if number is None:
        return None
    return number / 1000 if number > 1e11 else number
