"""Claude Code's timestamps as epoch seconds: ISO-8601 strings in transcripts, milliseconds elsewhere."""

from __future__ import annotations

from datetime import datetime


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
