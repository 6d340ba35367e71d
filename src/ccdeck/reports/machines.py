"""Usage per machine: the responses each machine stored first (a response seen on two machines counts once)."""

from __future__ import annotations

from collections import defaultdict

from ccdeck.claude.price_sources import price_sources
from ccdeck.models import Totals, cost_of_sums
from ccdeck.reports.filters import Filters
from ccdeck.reports.periods import model_row
from ccdeck.shapes.cli import MachineRow, MachinesReport
from ccdeck.store import usage_queries
from ccdeck.store.reader import Reader


def machines_report(reader: Reader, filters: Filters) -> MachinesReport:
    """`{"machines": [row, ...], "totals": {...}}`, by machine name; rows as the period reports' (models most
    expensive first, each model's share)."""
    by_machine: dict[str, dict[str, Totals]] = defaultdict(dict)
    for machine, model, inp, out, cc, cr, cost, unpriced in usage_queries.machine_sums(reader, filters.span):
        by_machine[machine].setdefault(model, Totals()).add(inp, out, cc, cr, cost_of_sums(cost, unpriced), model)
    grand = Totals()
    for by_model in by_machine.values():
        for totals in by_model.values():
            grand.merge(totals)
    sources = price_sources(model for by_model in by_machine.values() for model in by_model)
    rows: list[MachineRow] = [
        {"machine": machine, **model_row(by_model, sources)} for machine, by_model in sorted(by_machine.items())
    ]
    return MachinesReport(machines=rows, totals=grand.as_json(), unpricedModels=sorted(grand.unpriced_models))
