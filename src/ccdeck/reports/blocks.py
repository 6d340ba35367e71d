"""5-hour billing blocks, as Claude's subscription limits count them.

A block starts at the hour of its first response and lasts five hours; the next response after the block's end,
or after five idle hours, opens a new one. The active block (now inside it) gets a burn rate and a projection of
where it will end at that rate.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ccdeck.billing_blocks import BLOCK_SECONDS, block_start, opens_block
from ccdeck.claude.timestamps import iso
from ccdeck.models import Totals
from ccdeck.reports.filters import Filters
from ccdeck.shapes.cli import BlocksReport
from ccdeck.shapes.common import Block as BlockJson
from ccdeck.store.reader import Reader
from ccdeck.store.statusline import block_start_at
from ccdeck.store.usage_queries import responses_between, responses_in_order


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
            remaining = max((self.end - now) / 60, 0.0)
            # An unpriced part leaves the block without a cost, so without a cost rate or a projected cost too.
            row["burnRate"] = {
                "tokensPerMinute": round(per_minute, 1),
                "costPerHour": None if cost is None else round(cost / minutes * 60, 4),
            }
            row["projection"] = {
                "totalTokens": round(self.totals.total + per_minute * remaining),
                "totalCost": None if cost is None else round(cost + cost / minutes * remaining, 4),
                "remainingMinutes": round(remaining),
            }
        return row


def _blocks(rows: Iterable[Any]) -> list[Block]:
    """Responses (`RESPONSE_COLUMNS`, oldest first, the first one opening a block) gathered into blocks."""
    blocks: list[Block] = []
    for ts, model, inp, out, cc, cr, cost in rows:
        block = blocks[-1] if blocks else None
        if block is None or opens_block(block.start, block.last, ts):
            block = Block(start=block_start(ts), first=ts, last=ts)
            blocks.append(block)
        block.last = ts
        block.entries += 1
        block.totals.add(inp, out, cc, cr, cost, model)
        block.models[model] = block.models.get(model, 0) + 1
    return blocks


def active_block(reader: Reader, now: float) -> Block | None:
    """The block that holds `now`, or None. Only its own rows are read: its start is found the way the status line
    finds it (from the last response that surely opened a block), and every response from then on is in it."""
    start = block_start_at(reader, now)
    if start is None:
        return None
    blocks = _blocks(responses_between(reader, start, now))
    return blocks[-1] if blocks and blocks[-1].start <= now < blocks[-1].end else None


def blocks_report(reader: Reader, filters: Filters, now: float | None = None) -> BlocksReport:
    blocks = _blocks(responses_in_order(reader, filters.span))
    moment = time.time() if now is None else now
    grand = Totals()
    for block in blocks:
        grand.merge(block.totals)
    return {
        "blocks": [b.as_json(moment) for b in blocks],
        "totals": grand.as_json(),
        "unpricedModels": sorted(grand.unpriced_models),
    }
