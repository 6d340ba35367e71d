"""The status line's few reads and its one write, with the standard library's `sqlite3`.

`ccdeck statusline` runs after every message of every session, so it cannot pay for SQLAlchemy or a migration
check: it opens an existing database read-write (never creating one), waits at most BUSY_SECONDS for a lock,
reads today's cost and the current 5-hour block's cost, and upserts one `statusline` row. It is a short-lived
process of its own, like the supervisor of a detached run, so it does not go through the store's writer thread;
WAL lets it read while `ccdeck serve` writes. Any SQLite error (no table at an older schema, a lock held too long,
a damaged file) only leaves the figures it concerns out.
"""

from __future__ import annotations

import os
import sqlite3
import time

from ccdeck.billing_blocks import BLOCK_SECONDS, current_block
from ccdeck.claude.statusline_input import StatusInput
from ccdeck.store.reader import Reader, SqliteReader

# A status line must answer in tens of milliseconds; a write that waits longer is dropped (the next message
# brings a newer one anyway).
BUSY_SECONDS = 0.05
# How far back the first search for the start of the current block looks; it widens fourfold until it finds one.
FIRST_LOOKBACK = 2 * BLOCK_SECONDS

UPSERT = """INSERT OR REPLACE INTO statusline (session_id, updated_at, model, version, cwd, cost_usd, lines_added,
    lines_removed, context_used_pct, context_window_size, five_hour_used_pct, five_hour_resets_at, seven_day_used_pct,
    seven_day_resets_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


class Figures:
    """What the database says about now: today's cost and the current block (None when unknown)."""

    __slots__ = ("block_cost", "block_end", "today_cost")

    def __init__(self) -> None:
        self.today_cost: float | None = None
        self.block_end: float | None = None
        self.block_cost: float | None = None


def connect(path: str) -> sqlite3.Connection | None:
    """A connection to an existing database, or None (no file, not a database)."""
    if not os.path.isfile(path):
        return None
    quoted = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{quoted}?mode=rw", uri=True, timeout=BUSY_SECONDS, isolation_level=None)
        # As the store's own connections (`store.database`): in WAL, a commit then waits for no fsync, and a crash
        # of this process still loses nothing committed; the row is rewritten on the next message anyway.
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        return None
    return conn


def record(conn: sqlite3.Connection, status: StatusInput, now: float) -> bool:
    """Upsert the session's row; False when the input has no session or the write failed."""
    if status.session_id is None:
        return False
    row = (
        status.session_id, now, status.model_id, status.version, status.cwd, status.cost_usd, status.lines_added,
        status.lines_removed, status.context_pct, status.context_size, status.five_hour_pct, status.five_hour_resets,
        status.seven_day_pct, status.seven_day_resets,
    )  # fmt: skip
    try:
        conn.execute(UPSERT, row)
    except sqlite3.Error:
        return False
    return True


def read_figures(conn: sqlite3.Connection, now: float, five_hour_resets: float | None) -> Figures:
    """Today's cost (local day) and the current block: Claude Code's own 5-hour window when it sent one, else the
    block the responses make (the rule of `ccdeck usage blocks`)."""
    figures = Figures()
    try:
        figures.today_cost = cost_between(conn, local_midnight(now), now + 1)
        window = _window(conn, now, five_hour_resets)
        if window is not None:
            figures.block_end = window[1]
            figures.block_cost = cost_between(conn, window[0], window[1])
    except sqlite3.Error:
        pass
    return figures


def local_midnight(now: float) -> float:
    day = time.localtime(now)
    return time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))


def cost_between(conn: sqlite3.Connection, start: float, end: float) -> float | None:
    """Sum of the priced responses in [start, end); None when none is priced."""
    value = conn.execute("SELECT SUM(cost_usd) FROM responses WHERE ts >= ? AND ts < ?", (start, end)).fetchone()[0]
    return None if value is None else float(value)


def _window(conn: sqlite3.Connection, now: float, five_hour_resets: float | None) -> tuple[float, float] | None:
    if five_hour_resets is not None and five_hour_resets > now:
        return five_hour_resets - BLOCK_SECONDS, five_hour_resets
    start = block_start_at(SqliteReader(conn), now)
    return None if start is None else (start, start + BLOCK_SECONDS)


def block_start_at(reader: Reader, now: float) -> float | None:
    """The start of the block that holds `now`, found from the last response that surely opened a block (one after
    at least five idle hours, or the very first), so only recent rows are read. On either reader: the status line's
    `sqlite3` connection, or the server's."""
    last = _max_ts(reader, now)
    if last is None or last <= now - BLOCK_SECONDS:
        return None
    lookback = FIRST_LOOKBACK
    while True:
        since = now - lookback
        rows = reader.rows("SELECT ts FROM responses WHERE ts > :since AND ts <= :now ORDER BY ts",
                           {"since": since, "now": now})  # fmt: skip
        times = [ts for (ts,) in rows]
        if not times:
            return None
        opening = _last_opening(times, _max_ts(reader, since))
        if opening is not None:
            block = current_block(times[opening:], now)
            return None if block is None else block[0]
        lookback *= 4


def _max_ts(reader: Reader, until: float) -> float | None:
    value = reader.rows("SELECT MAX(ts) FROM responses WHERE ts <= :until", {"until": until})[0][0]
    return None if value is None else float(value)


def _last_opening(times: list[float], before: float | None) -> int | None:
    """Index of the last response that opens a block whatever came before it: one after BLOCK_SECONDS of
    silence (any block ends by then), or the first response ever."""
    for i in range(len(times) - 1, -1, -1):
        previous = times[i - 1] if i else before
        if previous is None or times[i] - previous >= BLOCK_SECONDS:
            return i
    return None
