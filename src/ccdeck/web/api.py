"""The JSON API (see docs/API.md). Handlers read through the store's read connections in a worker thread."""

from __future__ import annotations

import math
from typing import Annotated

import orjson
from fastapi import APIRouter, HTTPException, Query, Request

from ccdeck.claude.hooks import BadHook, parse_hook
from ccdeck.claude.timestamps import epoch
from ccdeck.errors import UsageError
from ccdeck.live.state import STATES
from ccdeck.reports import session_detail as session_report
from ccdeck.reports.buckets import usage_points
from ccdeck.reports.filters import Filters
from ccdeck.reports.search_report import search_report
from ccdeck.shapes import api as shapes
from ccdeck.shapes.common import Summary
from ccdeck.store import session_queries
from ccdeck.store.search import MAX_QUERY_CHARS, fts_query
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.web.state import monitor_of, read

router = APIRouter(prefix="/api")
HOOK_BYTES = 8 << 20  # PostToolUse carries the tool's whole response: a big file read is a few MB
# Pages past this are empty anyway; the bound keeps `(page - 1) * pageSize` inside SQLite's 64-bit integers.
MAX_PAGE = 1_000_000


def _filters(since: str | None, until: str | None, tz: str | None, machines: str | None = None) -> Filters:
    """The CLI's date rules (`YYYY-MM-DD`, `--until` included) and machine names (`NAME,NAME`); a bad value is a
    422, not a 500."""
    try:
        return Filters.from_cli(since, until, tz, None, machines or None)  # `machines=`: every machine
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
async def summary(request: Request, machines: str | None = None) -> Summary:
    """The overview; `machines` (`NAME,NAME`) counts those machines' responses only."""
    names = _filters(None, None, None, machines).machines
    return await monitor_of(request).summary(names)


@router.get("/sessions")
async def sessions(
    request: Request,
    project: str | None = None,
    state: Annotated[list[str] | None, Query()] = None,
    model: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: str | None = None,
    machines: str | None = None,
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
    dates = _filters(since, until, None, machines)
    query = session_queries.SessionQuery(
        project=project, model=model, since=dates.since, until=dates.until, q=q, ids=ids, machines=dates.machines,
        sort=sort,
        descending=order == "desc", limit=page_size, offset=(page - 1) * page_size,
    )  # fmt: skip
    if wanted and "ended" in wanted:  # ended = everything not in another wanted state: filter after reading
        query = session_queries.SessionQuery(**{**query.__dict__, "limit": None, "offset": 0})
    rows, total = await read(request, lambda conn: session_queries.list_sessions(SqlaReader(conn), query))
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
    report = await read(request, lambda conn: search_report(SqlaReader(conn), q, project, page_size, offset))
    return shapes.SearchPage(results=report["results"], total=report["total"], page=page, pageSize=page_size)


@router.get("/sessions/{session_id}")
async def session_detail(request: Request, session_id: str) -> shapes.SessionDetail:
    row_json = monitor_of(request).row_json
    detail = await read(request, lambda conn: session_report.session_detail(SqlaReader(conn), session_id, row_json))
    if detail is None:
        raise HTTPException(404, f"no session {session_id}")
    return detail


@router.get("/sessions/{session_id}/timeline")
async def session_timeline(
    request: Request,
    session_id: str,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 200,
    after: str | None = None,
    order: shapes.SortOrder = "asc",
) -> shapes.TimelinePage:
    since, offset, newest_first = _instant(after), (page - 1) * page_size, order == "desc"
    items, total = await read(
        request,
        lambda conn: session_report.timeline(SqlaReader(conn), session_id, page_size, offset, since, newest_first),
    )
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
    machines: str | None = None,
) -> shapes.Usage:
    filters = _filters(since, until, tz, machines)
    points = await read(request, lambda conn: usage_points(conn, filters, bucket, group))
    return shapes.Usage(bucket=bucket, group=group, points=points)


@router.get("/machines")
async def machines(request: Request) -> shapes.Machines:
    """The machines of the stored sessions (the dashboard's machine filter)."""
    return shapes.Machines(machines=await read(request, lambda conn: session_queries.machines(SqlaReader(conn))))


@router.get("/projects")
async def projects(request: Request) -> shapes.Projects:
    rows = await read(request, lambda conn: session_queries.projects(SqlaReader(conn)))
    return session_report.projects_json(rows, monitor_of(request).model.state)  # on the loop, which owns the model
