"""The stored half of the overview's live model (`/api/summary`, the `summary` message): totals for today, 7 and 30
days, cost by model and by project over the 30 days, the current 5-hour block and Claude Code's own rate limits.

The live monitor adds the live half (`active`) and publishes the whole shortly after every change, so a client that
keeps the latest one holds what a fresh fetch would answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ccdeck.claude.pricing import price_source
from ccdeck.claude.timestamps import iso
from ccdeck.models import Totals
from ccdeck.reports.blocks import active_block
from ccdeck.shapes.common import RateLimits, RateWindow, StoredSummary
from ccdeck.store import usage_queries
from ccdeck.store.reader import Reader

# The overview's ranges, in days back from today's local midnight: today, the last 7 days, the last 30 days.
RANGES = {"today": 0, "week": 6, "month": 29}
# The cost panels show the last 30 days.
COST_RANGE = "month"


def stored_summary(reader: Reader, now: datetime, machines: Sequence[str] = ()) -> StoredSummary:
    """With `machines`, the totals and the cost panels count those machines' responses only; the block and the rate
    limits stay the account's (every machine bills the same 5-hour window)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {name: (midnight - timedelta(days=days)).timestamp() for name, days in RANGES.items()}
    ranges = {}
    for name, start in starts.items():
        inp, out, cc, cr, cost, unpriced = usage_queries.totals_between(reader, start, None, machines)
        ranges[name] = Totals.from_sums(inp, out, cc, cr, cost, unpriced).as_json()
    since = starts[COST_RANGE]
    block = active_block(reader, now.timestamp())
    return {
        "today": ranges["today"],
        "week": ranges["week"],
        "month": ranges["month"],
        "costByModel": [
            {"model": key, **totals.as_json(), "priceSource": price_source(key)}
            for key, totals in _by_key(reader, since, "model", machines)
        ],
        "costByProject": [
            {"projectPath": key, **totals.as_json()} for key, totals in _by_key(reader, since, "project", machines)
        ],
        "block": None if block is None else block.as_json(now.timestamp()),
        "rateLimits": rate_limits(reader),
        "generatedAt": now.isoformat(),
    }


def _by_key(reader: Reader, since: float, group: str, machines: Sequence[str]) -> list[tuple[str, Totals]]:
    """Totals per model or project, the most expensive first, unpriced ones (cost null) last, then by tokens."""
    rows = [
        (r.k, Totals.from_sums(r.i, r.o, r.cc, r.cr, r.cost, r.unpriced, r.k))
        for r in usage_queries.totals_by_key_since(reader, since, group, machines)
    ]
    return sorted(rows, key=lambda kv: (kv[1].cost is None, -(kv[1].cost or 0.0), -kv[1].total, kv[0]))


def rate_limits(reader: Reader) -> RateLimits | None:
    """Claude Code's official plan limits from the newest status-line record that has them; None when none has."""
    row = usage_queries.latest_rate_limits(reader)
    if row is None:
        return None
    return {
        "fiveHour": _window(row.five_hour_used_pct, row.five_hour_resets_at),
        "sevenDay": _window(row.seven_day_used_pct, row.seven_day_resets_at),
        "recordedAt": iso(row.updated_at),
        "sessionId": row.session_id,
    }


def _window(used: float | None, resets_at: float | None) -> RateWindow | None:
    return None if used is None else {"usedPercent": used, "resetsAt": iso(resets_at)}
