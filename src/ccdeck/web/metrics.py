"""`/metrics` in the Prometheus text format: sessions by state, token and cost totals by model, ingest lag."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from ccdeck.live.monitor import Monitor
from ccdeck.live.state import STATES
from ccdeck.shapes.common import ActiveCounts

router = APIRouter()
_BY_MODEL = text(
    """SELECT model, SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_read_tokens),
              SUM(cost_usd) FROM responses GROUP BY model"""
)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(monitor: Monitor, active: ActiveCounts) -> str:
    lines = ["# HELP ccdeck_sessions Sessions by live state.", "# TYPE ccdeck_sessions gauge"]
    counts: dict[str, int] = dict.fromkeys(STATES, 0)
    counts.update(working=active["working"], blocked=active["blocked"], waiting=active["waiting"], idle=active["idle"])
    lines += ["# HELP ccdeck_tokens_total Tokens by model and type.", "# TYPE ccdeck_tokens_total counter"]
    costs = ["# HELP ccdeck_cost_usd_total API-equivalent cost by model.", "# TYPE ccdeck_cost_usd_total counter"]
    with monitor.store.read() as conn:
        every = conn.execute(text("SELECT COUNT(*) FROM sessions")).scalar() or 0
        counts["ended"] = every - sum(n for state, n in counts.items() if state != "ended")
        for model, inp, out, cc, cr, cost in conn.execute(_BY_MODEL):
            m = _label(model)
            for kind, value in (("input", inp), ("output", out), ("cache_creation", cc), ("cache_read", cr)):
                lines.append(f'ccdeck_tokens_total{{model="{m}",type="{kind}"}} {value}')
            if cost is not None:
                costs.append(f'ccdeck_cost_usd_total{{model="{m}"}} {cost:.6f}')
    lines[2:2] = [f'ccdeck_sessions{{state="{s}"}} {n}' for s, n in counts.items()]
    lag = 0.0 if monitor.pending_since is None else time.time() - monitor.pending_since
    lines += costs
    lines += ["# HELP ccdeck_ingest_lag_seconds Age of the oldest file change not yet ingested.",
              "# TYPE ccdeck_ingest_lag_seconds gauge", f"ccdeck_ingest_lag_seconds {lag:.3f}"]  # fmt: skip
    return "\n".join(lines) + "\n"


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> PlainTextResponse:
    monitor: Monitor = request.app.state.monitor
    body = await asyncio.to_thread(render, monitor, monitor.model.counts())
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4")
