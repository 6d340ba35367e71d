"""What an OTLP body says, once decoded from either encoding: log records and metric data points, each with the
attributes of its resource and its own attributes merged (its own win). Attribute values are plain Python values:
str, int, float, bool, a list, a dict."""

from __future__ import annotations

from typing import Any, NamedTuple

Attributes = dict[str, Any]
DELTA, CUMULATIVE = 1, 2  # OTLP's AggregationTemporality


class LogEvent(NamedTuple):
    """A log record: its body (Claude Code's event name, `claude_code.api_request`), time (seconds) and attributes."""

    name: str
    ts: float
    attributes: Attributes


class MetricPoint(NamedTuple):
    """One number data point of a sum or gauge metric."""

    name: str
    ts: float
    value: float
    temporality: int  # DELTA, CUMULATIVE, or 0 (a gauge, unspecified)
    attributes: Attributes


def text(attributes: Attributes, key: str) -> str | None:
    """A non-empty string attribute (a number is given as its text), else None."""
    value = attributes.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) and value else None


def count(attributes: Attributes, key: str) -> int:
    """A token count attribute: an int, or an int's text (OTLP JSON sends int64 as strings); 0 when absent or bad."""
    value = attributes.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and 0 <= value <= 10**9 else 0


def number(attributes: Attributes, key: str) -> float | None:
    """A non-negative finite number attribute, else None."""
    value = attributes.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and 0 <= value < float("inf"):
        return float(value)
    return None
