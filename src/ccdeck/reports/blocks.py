"""5-hour billing blocks, as Claude's subscription limits count them.

A block starts at the hour of its first response and lasts five hours; the next response after the block's end,
or after five idle hours, opens a new one. The active block (now inside it) gets a burn rate and a projection of
where it will end at that rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from ccdeck.claude.timestamps import iso
from ccdeck.reports.block_rule import BLOCK_SECONDS, block_start, opens_block
from ccdeck.reports.filters import Filters
from ccdeck.reports.periods import range_clause
from ccdeck.reports.totals import Totals
from ccdeck.shapes.cli import Block as BlockJson
from ccdeck.shapes.cli import BlocksReport


@dataclass
class Block:
    start: float
    first: float
    last: float
    entries: int = 0
    totals: Totals = field(default_factory=Totals)
    models: dict[str, int] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.start + BLOCK_SECONDS

    def as_json(self, now: float) -> BlockJson:
        active = self.start <= now < self.end
        row: BlockJson = {
            "id": iso(self.start),
            "startTime": iso(self.start),
            "endTime": iso(self.end),
            "actualEndTime": iso(self.last),
            "isActive": active,
            "entries": self.entries,
            **self.totals.as_json(),
            "models": sorted(self.models, key=lambda m: -self.models[m]),
            "burnRate": None,
            "projection": None,
        }
        minutes = max((self.last - self.first) / 60, 1.0)
        if active:
            cost = self.totals.cost_usd
            per_minute = self.totals.total / minutes
            cost_per_minute = (cost or 0.0) / minutes
            remaining = max((self.end - now) / 60, 0.0)
            row["burnRate"] = {"tokensPerMinute": round(per_minute, 1), "costPerHour": round(cost_per_minute * 60, 4)}
            row["projection"] = {
                "totalTokens": round(self.totals.total + per_minute * remaining),
                "totalCost": None if cost is None else round(cost + cost_per_minute * remaining, 4),
                "remainingMinutes": round(remaining),
            }
        return row


def blocks_report(conn: Connection, filters: Filters, now: float | None = None) -> BlocksReport:
    where, params = range_clause(filters)
    query = text(
        f"""SELECT r.ts, r.model, r.input_tokens, r.output_tokens, r.cache_creation_tokens, r.cache_read_tokens,
                   r.cost_usd FROM responses r WHERE 1 = 1 {where} ORDER BY r.ts"""
    )
    blocks: list[Block] = []
    for ts, model, inp, out, cc, cr, cost in conn.execute(query, params):
        block = blocks[-1] if blocks else None
        if block is None or opens_block(block.start, block.last, ts):
            block = Block(start=block_start(ts), first=ts, last=ts)
            blocks.append(block)
        block.last = ts
        block.entries += 1
        block.totals.add(inp, out, cc, cr, cost, model)
        block.models[model] = block.models.get(model, 0) + 1
    moment = time.time() if now is None else now
    grand = Totals()
    for block in blocks:
        grand.merge(block.totals)
    return {
        "blocks": [b.as_json(moment) for b in blocks],
        "totals": grand.as_json(),
        "unpricedModels": sorted(grand.unpriced_models),
    }
