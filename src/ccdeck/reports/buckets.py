"""Usage points for charts: per hour, day, week or month (in a time zone), by model, project or token type."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Connection

from ccdeck.models import Totals, cost_of_sums
from ccdeck.reports.filters import Filters
from ccdeck.reports.periods import SLOT_SECONDS, slot_rows
from ccdeck.shapes.api import UsagePoint
from ccdeck.store.sqla_reader import SqlaReader

TYPE_FIELDS = {"input": 0, "output": 1, "cacheCreation": 2, "cacheRead": 3}


def bucket_start(moment: datetime, bucket: str) -> datetime:
    day = moment.replace(minute=0, second=0, microsecond=0)
    if bucket == "hour":
        return day
    day = day.replace(hour=0)
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def usage_points(conn: Connection, filters: Filters, bucket: str, group: str) -> list[UsagePoint]:
    """`[{"t": bucket start (ISO, local to the zone), "key", ...Totals}]`, oldest first."""
    by_key: dict[tuple[str, str], Totals] = defaultdict(Totals)
    for slot, key, inp, out, cc, cr, cost, unpriced in slot_rows(
        SqlaReader(conn), filters, group if group in ("project", "machine") else "model"
    ):
        start = bucket_start(datetime.fromtimestamp(slot * SLOT_SECONDS, filters.tz), bucket).isoformat()
        if group == "type":
            tokens = (inp, out, cc, cr)
            for name, index in TYPE_FIELDS.items():
                only = [0, 0, 0, 0]
                only[index] = tokens[index]
                by_key[(start, name)].add(only[0], only[1], only[2], only[3], None)
            continue
        by_key[(start, key)].add(inp, out, cc, cr, cost_of_sums(cost, unpriced), key)
    return [{"t": t, "key": k, **totals.as_json()} for (t, k), totals in sorted(by_key.items())]
