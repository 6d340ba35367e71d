"""Claude Code's timestamps as epoch seconds: ISO-8601 strings in transcripts, milliseconds elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def epoch(value: object) -> float | None:
    """Epoch seconds from an ISO-8601 string or a number of (milli)seconds; None when unusable."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Registry and history files use milliseconds; anything past year 33658 in seconds is surely ms.
        return value / 1000.0 if value > 1e12 else float(value)
    return None


@overload
def iso(ts: float) -> str: ...
@overload
def iso(ts: float | None) -> str | None: ...


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO-8601 UTC with milliseconds, the way Claude Code writes them."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
