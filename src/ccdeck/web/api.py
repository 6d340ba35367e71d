"""The JSON API (see docs/API.md). Handlers read through the store's read connections in a worker thread."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy import Connection

from ccdeck.claude.hooks import BadHook, parse_hook
from ccdeck.claude.pricing import price_source
from ccdeck.claude.timestamps import epoch, iso
from ccdeck.errors import UsageError
from ccdeck.live.state import STATES
from ccdeck.models import cost_of_sums
from ccdeck.reports.buckets import usage_points
from ccdeck.reports.filters import Filters
from ccdeck.reports.search_report import search_report
from ccdeck.reports.totals import Totals
from ccdeck.shapes import api as shapes
from ccdeck.shapes.common import ModelTotals, Summary
from ccdeck.store import queries
from ccdeck.store.search import MAX_QUERY_CHARS, fts_query
from ccdeck.web.state import monitor_of, store_of

router = APIRouter(prefix="/api")
HOOK_BYTES = 8 << 20  # PostToolUse carries the tool's whole response: a big file read is a few MB
T = TypeVar("T")
# Pages past this are empty anyway; the bound keeps `(page - 1) * pageSize` inside SQLite's 64-bit integers.
MAX_PAGE = 1_000_000


async def read(request: Request, fn: Callable[[Connection], T]) -> T:
    store = store_of(request)

    def work() -> T:
        with store.read() as conn:
            return fn(conn)

    return await asyncio.to_thread(work)


def _filters(since: str | None, until: str | None, tz: str | None) -> Filters:
    """The CLI's date rules (`YYYY-MM-DD`, `--until` included); a bad value is a 422, not a 500."""
    try:
        return Filters.from_cli(since, until, tz)
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/health")
async def health(request: Request) -> shapes.Health:
    return monitor_of(request).health()


@router.post("/hooks")
async def hooks(request: Request) -> shapes.HookAnswer:
    """Claude Code's `http` hooks POST every event here (`ccdeck hooks install`); the answer is always `{}`."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > HOOK_BYTES:
            raise HTTPException(413, f"a hook payload is at most {HOOK_BYTES} bytes")
    try:
        signal = parse_hook(orjson.loads(body))
    except orjson.JSONDecodeError:
        raise HTTPException(400, "a hook payload is JSON") from None
    except BadHook as exc:
        raise HTTPException(422, str(exc)) from None
    monitor_of(request).apply_hook(signal)
    return shapes.HookAnswer()


@router.get("/summary")
async def summary(request: Request) -> Summary:
    return await monitor_of(request).summary()


@router.get("/sessions")
async def sessions(
    request: Request,
    project: str | None = None,
    state: Annotated[list[str] | None, Query()] = None,
    model: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
    sort: shapes.SessionSort = "lastActivity",
    order: shapes.SortOrder = "desc",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=500)] = 50,
) -> shapes.SessionsPage:
    monitor = monitor_of(request)
    wanted = {s for part in state or [] for s in part.split(",") if s}
    if unknown := wanted - set(STATES):
        raise HTTPException(422, f"unknown state(s): {', '.join(sorted(unknown))}")
    ids = None
    if wanted:
        tracked = {sid for sid, t in monitor.model.sessions.items() if t.view.state in wanted}
        ids = sorted(tracked) if "ended" not in wanted else None
    dates = _filters(since, until, None)
    query = queries.SessionQuery(
        project=project, model=model, since=dates.since, until=dates.until, q=q, ids=ids, sort=sort,
        descending=order == "desc", limit=page_size, offset=(page - 1) * page_size,
    )  # fmt: skip
    if wanted and "ended" in wanted:  # ended = everything not in another wanted state: filter after reading
        query = queries.SessionQuery(**{**query.__dict__, "limit": None, "offset": 0})
    rows, total = await read(request, lambda conn: queries.list_sessions(conn, query))
    items = [monitor.row_json(row) for row in rows]
    if wanted and "ended" in wanted:
        items = [i for i in items if i["state"] in wanted]
        total = len(items)
        items = items[(page - 1) * page_size : page * page_size]
    return shapes.SessionsPage(sessions=items, total=total, page=page, pageSize=page_size)


@router.get("/search")
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)],
    project: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
) -> shapes.SearchPage:
    """Prompts, answers, tool calls and session titles holding every word of `q`, newest first (docs/API.md)."""
    try:
        fts_query(q)
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    offset = (page - 1) * page_size
    report = await read(request, lambda conn: search_report(conn, q, project, page_size, offset))
    return shapes.SearchPage(results=report["results"], total=report["total"], page=page, pageSize=page_size)


@router.get("/sessions/{session_id}")
async def session_detail(request: Request, session_id: str) -> shapes.SessionDetail:
    monitor = monitor_of(request)

    def gather(conn: Connection) -> shapes.SessionDetail | None:
        rows = queries.sessions_by_id(conn, [session_id])
        if not rows:
            return None
        span = queries.session_span(conn, session_id)
        bucket = _bucket_for(span)
        return {
            "session": monitor.row_json(rows[0]),
            "cwd": rows[0].project_path,
            "entrypoint": rows[0].entrypoint,
            "costByModel": [_model_totals(r) for r in queries.cost_by_model(conn, session_id)],
            "tokensOverTime": [
                {
                    "t": r.bucket,
                    "inputTokens": r.i,
                    "outputTokens": r.o,
                    "cacheCreationTokens": r.cc,
                    "cacheReadTokens": r.cr,
                    "costUSD": cost_of_sums(r.cost, r.unpriced),
                }
                for r in queries.tokens_over_time(conn, session_id, bucket)
            ],
            "bucketSeconds": bucket,
            "filesChanged": [
                {"path": r.path, "tool": r.tool, "count": r.uses} for r in queries.files_changed(conn, session_id)
            ],
            "subagents": [
                {
                    "agentId": r.agent_id,
                    "agentType": r.agent_type,
                    "description": r.description,
                    "responses": r.responses,
                    "totalTokens": r.tokens,
                    "costUSD": cost_of_sums(r.cost, r.unpriced),
                }
                for r in queries.subagents(conn, session_id)
            ],
            "toolUses": queries.tool_counts(conn, session_id),
        }

    detail = await read(request, gather)
    if detail is None:
        raise HTTPException(404, f"no session {session_id}")
    return detail


def _bucket_for(span: tuple[float, float] | None) -> int:
    """A bucket width giving at most ~300 points over the session's span, at least a minute."""
    if span is None:
        return 60
    width = max(60, int((span[1] - span[0]) / 300))
    return next(b for b in (60, 300, 900, 3600, 21600, 86400, 10**9) if b >= width)


def _model_totals(row: Any) -> ModelTotals:
    totals = Totals.from_sums(row.i, row.o, row.cc, row.cr, row.cost, row.unpriced, row.model)
    return {"model": row.model, **totals.as_json(), "priceSource": price_source(row.model)}


def _rounded(cost: float | None) -> float | None:
    return None if cost is None else round(cost, 6)


@router.get("/sessions/{session_id}/timeline")
async def session_timeline(
    request: Request,
    session_id: str,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 200,
    after: str | None = None,
    order: shapes.SortOrder = "asc",
) -> shapes.TimelinePage:
    since = _instant(after)
    rows, total = await read(
        request,
        lambda c: queries.timeline(
            c, session_id, page_size, (page - 1) * page_size, after=since, newest_first=order == "desc"
        ),
    )
    items: list[shapes.TimelineItem] = [
        {"uuid": r.key, "timestamp": iso(r.ts), "kind": r.kind, "text": r.text, "toolName": r.tool_name,
         "agentId": r.agent_id, "isError": bool(r.is_error), "truncated": bool(r.truncated)}
        for r in rows
    ]  # fmt: skip
    return shapes.TimelinePage(items=items, total=total, page=page, pageSize=page_size)


def _instant(value: str | None) -> float | None:
    """An `after` cursor: epoch seconds or an ISO-8601 time with a zone; anything else is a 422."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is None and "T" in value and (value.endswith("Z") or "+" in value[10:] or "-" in value[10:]):
        seconds = epoch(value)
    if seconds is None or not math.isfinite(seconds):
        raise HTTPException(422, "after is epoch seconds or an ISO-8601 time with a zone")
    return seconds


@router.get("/usage")
async def usage(
    request: Request,
    bucket: shapes.UsageBucket = "day",
    group: shapes.UsageGroup = "model",
    since: str | None = None,
    until: str | None = None,
    tz: str | None = None,
) -> shapes.Usage:
    filters = _filters(since, until, tz)
    points = await read(request, lambda conn: usage_points(conn, filters, bucket, group))
    return shapes.Usage(bucket=bucket, group=group, points=points)


def _merged_models(model_lists: str | None) -> list[str]:
    """The distinct models of a project's sessions, from their JSON lists joined by the unit separator."""
    seen: dict[str, None] = {}
    for chunk in (model_lists or "").split("\x1f"):
        if chunk:
            seen.update(dict.fromkeys(orjson.loads(chunk)))
    return list(seen)


@router.get("/projects")
async def projects(request: Request) -> shapes.Projects:
    monitor = monitor_of(request)
    rows = await read(request, queries.projects)
    return {
        "projects": [
            {"projectPath": r.project_path, "sessions": r.sessions, "totalTokens": r.tokens,
             "costUSD": _rounded(cost_of_sums(r.cost, r.unpriced)), "lastActivity": iso(r.last_activity),
             "activeSessions": sum(1 for sid in r.ids.split(",") if monitor.model.state(sid) != "ended"),
             "models": _merged_models(r.model_lists)}
            for r in rows
        ]
    }  # fmt: skip
