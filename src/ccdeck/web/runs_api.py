"""Runs from the dashboard: list, inspect, start and stop parallel headless sessions (docs/API.md, "Runs").

Starting and stopping are POSTs, so the Guard's same-origin (and, off loopback, token) rules apply to them. A run
started here is checked with `Trust.remote`: no variable of `task_checks.ENV_DENIED`, and `bypassPermissions`
only when `ccdeck serve --allow-bypass`. Its tasks' CLIs post their hook events back to this server (`claude
--settings`), so their sessions show live on the dashboard like any other.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Request

from ccdeck.claude.integration import TOKEN_ENV, hook_url
from ccdeck.config import MACHINE
from ccdeck.errors import CcdeckError, UsageError
from ccdeck.orchestrator import control
from ccdeck.orchestrator.report import with_prompt_previews
from ccdeck.orchestrator.spec import RunOptions, Trust
from ccdeck.shapes import api as shapes
from ccdeck.shapes.common import Run
from ccdeck.web.openapi import NEW_RUN_BODY
from ccdeck.web.state import resources_of, store_of

router = APIRouter(prefix="/api/runs")
MAX_BODY = 1 << 20  # bytes; a thousand long prompts fit


async def _one(request: Request, run_id: str) -> Run:
    try:
        runs = await asyncio.to_thread(control.status, store_of(request), run_id)
    except UsageError:
        raise HTTPException(404, f"no run {run_id}") from None
    return runs[0]


@router.get("")
async def list_runs(
    request: Request, active: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> shapes.RunList:
    runs = await asyncio.to_thread(control.status, store_of(request), limit=limit, active_only=active)
    return shapes.RunList(runs=[with_prompt_previews(run) for run in runs])  # whole prompts: GET /api/runs/{id}


@router.get("/{run_id}")
async def get_run(request: Request, run_id: str) -> shapes.OneRun:
    return shapes.OneRun(run=await _one(request, run_id))


async def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read strictly: `application/json`, at most `MAX_BODY` bytes, no NaN or Infinity,
    no lone surrogate, at most 1024 levels deep (orjson's rules); anything else is a 4xx, never a 500."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, "the body must be application/json")
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY:
        raise HTTPException(413, f"the body must be at most {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"the body must be at most {MAX_BODY} bytes")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HTTPException(422, "the body must be a JSON object")
    return data


def _with_hooks(request: Request, defaults: RunOptions) -> tuple[RunOptions, dict[str, str]]:
    """The run's options with its tasks' hooks posting to this server (unless `hooks_url` names another), and the
    environment their CLIs need for it: the server's token, which the hooks send as `$CCDECK_TOKEN`."""
    token = resources_of(request).token
    env = {TOKEN_ENV: token} if token is not None else {}
    if defaults.hooks_url is not None:
        return replace(defaults, hooks_token=defaults.hooks_token or token is not None), env
    server = request.scope.get("server")  # the address of the socket this request reached: ours, and reachable
    if not server or server[1] is None:
        return defaults, env
    return replace(defaults, hooks_url=hook_url(server[0], server[1]), hooks_token=token is not None), env


@router.post("", status_code=201, openapi_extra={"requestBody": NEW_RUN_BODY})
async def start_run(request: Request) -> shapes.OneRun:
    body = await _json_body(request)
    resources = resources_of(request)
    defaults, env = _with_hooks(request, resources.run_defaults)
    env[MACHINE.env] = resources.monitor.ingestor.machine  # the run is this server's machine's, as it ingests it
    trust = Trust.remote(allow_bypass=resources.allow_bypass)
    try:
        run_id = await asyncio.to_thread(
            control.submit, store_of(request), body.get("tasks"), body.get("options"),
            defaults=defaults, claude_bin=resources.claude_bin, trust=trust, extra_env=env,
        )  # fmt: skip
    except CcdeckError as exc:
        raise HTTPException(422, " ".join(str(exc).split())) from None
    return shapes.OneRun(run=await _one(request, run_id))


@router.post("/{run_id}/stop")
async def stop_run(request: Request, run_id: str) -> shapes.Stopped:
    await _one(request, run_id)
    stopped = await asyncio.to_thread(control.stop, store_of(request), [run_id], wait=False)
    return shapes.Stopped(stopped=len(stopped))


@router.post("/{run_id}/tasks/{task_id}/stop")
async def stop_task(request: Request, run_id: str, task_id: str) -> shapes.Stopped:
    try:
        stopped = await asyncio.to_thread(control.stop, store_of(request), [f"{run_id}/{task_id}"], wait=False)
    except UsageError:
        raise HTTPException(404, f"no task {run_id}/{task_id}") from None
    return shapes.Stopped(stopped=len(stopped))


@router.get("/{run_id}/tasks/{task_id}/log")
async def task_log(
    request: Request,
    run_id: str,
    task_id: str,
    stream: shapes.LogStream = "stderr",
    tail: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> shapes.LogLines:
    try:
        lines = await asyncio.to_thread(control.task_log, store_of(request), run_id, task_id, stream, tail)
    except UsageError:
        raise HTTPException(404, f"no log for {run_id}/{task_id}") from None
    return shapes.LogLines(lines=lines)
