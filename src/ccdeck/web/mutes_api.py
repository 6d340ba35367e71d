"""Mutes from the dashboard (docs/API.md, "Alerts"): a muted session, or every session of a muted project, still
shows everywhere but sends no alert. Changes are POST / DELETE, so the Guard's same-origin and token rules apply;
each is saved to `mutes.json` beside the database and pushed to every client as a `mutes` message."""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, HTTPException, Request

from ccdeck.live.mutes import save_mutes
from ccdeck.shapes.api import MutesAnswer
from ccdeck.shapes.common import MuteKind
from ccdeck.shapes.messages import MutesMessage
from ccdeck.web.openapi import REF
from ccdeck.web.runs_api import _json_body
from ccdeck.web.state import alerts_of, hub_of, resources_of

router = APIRouter(prefix="/api/mutes")
MAX_VALUE = 4096
MUTE_BODY = {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model="NewMute")}}}}


@router.get("")
async def list_mutes(request: Request) -> MutesAnswer:
    return MutesAnswer(mutes=alerts_of(request).mutes.as_json())


@router.post("", openapi_extra={"requestBody": MUTE_BODY})
async def mute(request: Request) -> MutesAnswer:
    body = await _json_body(request)
    kind, value = _checked(body.get("kind"), body.get("value"))
    if not alerts_of(request).mutes.add(kind, value):
        raise HTTPException(422, "too many mutes; remove some first")
    return await _saved(request)


@router.delete("")
async def unmute(request: Request, kind: MuteKind, value: str) -> MutesAnswer:
    alerts_of(request).mutes.remove(*_checked(kind, value))
    return await _saved(request)


def _checked(kind: object, value: object) -> tuple[MuteKind, str]:
    if kind not in ("session", "project"):
        raise HTTPException(422, "kind is 'session' or 'project'")
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE or not value.isprintable():
        raise HTTPException(422, f"value is a session id or a project path of at most {MAX_VALUE} characters")
    return ("session" if kind == "session" else "project"), value


async def _saved(request: Request) -> MutesAnswer:
    mutes = alerts_of(request).mutes.as_json()
    await asyncio.to_thread(save_mutes, resources_of(request).mutes_path, orjson.dumps(mutes))
    hub_of(request).publish(MutesMessage(type="mutes", mutes=mutes))
    return MutesAnswer(mutes=mutes)
