"""`/metrics` in the Prometheus text format: sessions by state, token and cost totals by model, ingest lag."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import Connection

from ccdeck.live.state import STATES
from ccdeck.shapes.common import ActiveCounts
from ccdeck.store import session_queries, usage_queries
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.web.state import monitor_of, read

router = APIRouter()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class Stored:
    """What `/metrics` reads of the store: the number of sessions and the sums per model."""

    sessions: int
    by_model: list[Any]

    @classmethod
    def read(cls, conn: Connection) -> Stored:
        reader = SqlaReader(conn)
        return cls(session_queries.session_count(reader), list(usage_queries.usage_by_model(reader)))


def render(stored: Stored, active: ActiveCounts, pending_since: float | None) -> str:
    lines = ["# HELP ccdeck_sessions Sessions by live state.", "# TYPE ccdeck_sessions gauge"]
    counts: dict[str, int] = dict.fromkeys(STATES, 0)
    counts.update(working=active["working"], blocked=active["blocked"], waiting=active["waiting"], idle=active["idle"])
    lines += ["# HELP ccdeck_tokens_total Tokens by model and type.", "# TYPE ccdeck_tokens_total counter"]
    costs = ["# HELP ccdeck_cost_usd_total API-equivalent cost by model.", "# TYPE ccdeck_cost_usd_total counter"]
    counts["ended"] = stored.sessions - sum(n for state, n in counts.items() if state != "ended")
    for model, inp, out, cc, cr, cost in stored.by_model:
        m = _label(model)
        for kind, value in (("input", inp), ("output", out), ("cache_creation", cc), ("cache_read", cr)):
            lines.append(f'ccdeck_tokens_total{{model="{m}",type="{kind}"}} {value}')
        if cost is not None:
            costs.append(f'ccdeck_cost_usd_total{{model="{m}"}} {cost:.6f}')
    lines[2:2] = [f'ccdeck_sessions{{state="{s}"}} {n}' for s, n in counts.items()]
    lag = 0.0 if pending_since is None else time.time() - pending_since
    lines += costs
    lines += ["# HELP ccdeck_ingest_lag_seconds Age of the oldest file change not yet ingested.",
              "# TYPE ccdeck_ingest_lag_seconds gauge", f"ccdeck_ingest_lag_seconds {lag:.3f}"]  # fmt: skip
    return "\n".join(lines) + "\n"


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> PlainTextResponse:
    monitor = monitor_of(request)
    active = monitor.model.counts()  # on the loop, which owns the live model
    stored = await read(request, Stored.read)
    body = render(stored, active, monitor.pending_since)
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4")
