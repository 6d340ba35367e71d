"""Runs from the dashboard: list, inspect, start and stop parallel headless sessions (docs/API.md, "Runs").

Starting and stopping are POSTs, so the Guard's same-origin (and, off loopback, token) rules apply to them.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request

from ccdeck.errors import CcdeckError, UsageError
from ccdeck.orchestrator import control
from ccdeck.orchestrator.report import with_prompt_previews
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.store.store import Store

router = APIRouter(prefix="/api/runs")


def _store(request: Request) -> Store:
    store: Store = request.app.state.monitor.store
    return store


async def _one(request: Request, run_id: str) -> dict[str, Any]:
    try:
        runs = await asyncio.to_thread(control.status, _store(request), run_id)
    except UsageError:
        raise HTTPException(404, f"no run {run_id}") from None
    return runs[0]


@router.get("")
async def list_runs(
    request: Request, active: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    runs = await asyncio.to_thread(control.status, _store(request), limit=limit, active_only=active)
    return {"runs": [with_prompt_previews(run) for run in runs]}  # whole prompts: GET /api/runs/{id}


@router.get("/{run_id}")
async def get_run(request: Request, run_id: str) -> dict[str, Any]:
    return {"run": await _one(request, run_id)}


@router.post("", status_code=201)
async def start_run(request: Request, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    defaults: RunOptions = request.app.state.run_defaults
    claude_bin: str | None = request.app.state.claude_bin
    try:
        run_id = await asyncio.to_thread(
            control.submit, _store(request), body.get("tasks"), body.get("options"),
            defaults=defaults, claude_bin=claude_bin,
        )  # fmt: skip
    except CcdeckError as exc:
        raise HTTPException(422, " ".join(str(exc).split())) from None
    return {"run": await _one(request, run_id)}


@router.post("/{run_id}/stop")
async def stop_run(request: Request, run_id: str) -> dict[str, int]:
    await _one(request, run_id)
    stopped = await asyncio.to_thread(control.stop, _store(request), [run_id], wait=False)
    return {"stopped": len(stopped)}


@router.post("/{run_id}/tasks/{task_id}/stop")
async def stop_task(request: Request, run_id: str, task_id: str) -> dict[str, int]:
    try:
        stopped = await asyncio.to_thread(control.stop, _store(request), [f"{run_id}/{task_id}"], wait=False)
    except UsageError:
        raise HTTPException(404, f"no task {run_id}/{task_id}") from None
    return {"stopped": len(stopped)}


@router.get("/{run_id}/tasks/{task_id}/log")
async def task_log(
    request: Request,
    run_id: str,
    task_id: str,
    stream: Literal["stderr", "events"] = "stderr",
    tail: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> dict[str, list[str]]:
    try:
        lines = await asyncio.to_thread(control.task_log, _store(request), run_id, task_id, stream, tail)
    except UsageError:
        raise HTTPException(404, f"no log for {run_id}/{task_id}") from None
    return {"lines": lines}
