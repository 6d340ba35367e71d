"""The 5-hour billing block rule, with the standard library only (the status line uses it on every message): the
reports and the store both apply it.

A block starts at the hour of its first response and lasts five hours; the next response after the block's end, or
after five idle hours, opens a new one.
"""

from __future__ import annotations

BLOCK_SECONDS = 5 * 3600
HOUR = 3600


def block_start(ts: float) -> float:
    """The start of the block a response at `ts` opens: its hour (UTC)."""
    return ts - ts % HOUR


def opens_block(start: float | None, last: float | None, ts: float) -> bool:
    """Whether a response at `ts` opens a new block, after a block that started at `start` and last saw `last`."""
    if start is None or last is None:
        return True
    return ts >= start + BLOCK_SECONDS or ts - last > BLOCK_SECONDS


def current_block(times: list[float], now: float) -> tuple[float, float] | None:
    """(start, first response) of the block that holds `now`, given response times in order that begin with a
    response known to open a block; None when `now` is in no block."""
    start: float | None = None
    first = last = None
    for ts in times:
        if opens_block(start, last, ts):
            start, first = block_start(ts), ts
        last = ts
    if start is None or first is None or not start <= now < start + BLOCK_SECONDS:
        return None
    return start, first
