"""Daily, weekly and monthly usage in any time zone.

SQLite knows no time zones, so the database sums per 15-minute slot and model (every zone's offset is a multiple
of 15 minutes), and Python puts each slot in its local day, week (starting Monday) or month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Literal

from ccdeck.claude.price_sources import price_sources
from ccdeck.models import Totals, cost_of_sums
from ccdeck.reports.filters import Filters
from ccdeck.shapes.cli import DailyReport, DailyRow, MonthlyReport, MonthlyRow, PeriodRow, WeeklyReport, WeeklyRow
from ccdeck.store import usage_queries
from ccdeck.store.reader import Reader

Period = Literal["daily", "weekly", "monthly"]
PERIOD_KEYS: dict[Period, str] = {"daily": "date", "weekly": "week", "monthly": "month"}
SLOT_SECONDS = 900


def slot_rows(
    reader: Reader, filters: Filters, group: str = "model"
) -> list[tuple[int, str, int, int, int, int, float | None, int]]:
    """Sums per 15-minute slot and group key (a model, or a project path)."""
    return [tuple(row) for row in usage_queries.slot_sums(reader, filters.span, SLOT_SECONDS, group)]


def bucket_label(moment: datetime, period: Period) -> str:
    if period == "daily":
        return moment.date().isoformat()
    if period == "weekly":
        return (moment.date() - timedelta(days=moment.weekday())).isoformat()
    return f"{moment.year:04d}-{moment.month:02d}"


def period_report(reader: Reader, filters: Filters, period: Period) -> DailyReport | WeeklyReport | MonthlyReport:
    """`{"daily"|"weekly"|"monthly": [row, ...], "totals": {...}}`, oldest period first."""
    buckets: dict[str, dict[str, Totals]] = defaultdict(dict)
    for slot, model, inp, out, cc, cr, cost, unpriced in slot_rows(reader, filters):
        label = bucket_label(datetime.fromtimestamp(slot * SLOT_SECONDS, filters.tz), period)
        totals = buckets[label].setdefault(model, Totals())
        totals.add(inp, out, cc, cr, cost_of_sums(cost, unpriced), model)
    rows = sorted(buckets.items())
    grand = Totals()
    for by_model in buckets.values():
        for totals in by_model.values():
            grand.merge(totals)
    grand_json, grand_unpriced = grand.as_json(), sorted(grand.unpriced_models)
    sources = price_sources(model for by_model in buckets.values() for model in by_model)
    if period == "daily":
        daily: list[DailyRow] = [{"date": label, **model_row(by_model, sources)} for label, by_model in rows]
        return DailyReport(daily=daily, totals=grand_json, unpricedModels=grand_unpriced)
    if period == "weekly":
        weekly: list[WeeklyRow] = [{"week": label, **model_row(by_model, sources)} for label, by_model in rows]
        return WeeklyReport(weekly=weekly, totals=grand_json, unpricedModels=grand_unpriced)
    monthly: list[MonthlyRow] = [{"month": label, **model_row(by_model, sources)} for label, by_model in rows]
    return MonthlyReport(monthly=monthly, totals=grand_json, unpricedModels=grand_unpriced)


def model_row(by_model: dict[str, Totals], sources: dict[str, str | None]) -> PeriodRow:
    """A period's row without its label: totals, models most expensive first, and each model's share (with whose
    list price it is: `sources`)."""
    total = Totals()
    for totals in by_model.values():
        total.merge(totals)
    ordered = sorted(by_model.items(), key=lambda item: -(item[1].cost or 0) - item[1].total * 1e-12)
    return {
        **total.as_json(),
        "models": [model for model, _ in ordered],
        "modelBreakdowns": [{"model": model, **t.as_json(), "priceSource": sources[model]} for model, t in ordered],
        "unpricedModels": sorted(total.unpriced_models),
    }
