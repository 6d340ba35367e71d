"""The WebSocket's server-to-client messages (`/ws`), each with its `type`. `ServerMessage` is their union; it is
in the OpenAPI document's components (`ccdeck.web.openapi`), so the dashboard's types are generated from it."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field
from typing_extensions import TypedDict

from ccdeck.shapes.common import (
    ActiveCounts,
    Alert,
    LiveUsagePoint,
    LiveView,
    Mutes,
    Run,
    ScanProgress,
    SessionRow,
    SessionState,
    Summary,
)


class SnapshotMessage(TypedDict):
    """On connect, and after a batch too big for a message per change: clients replace their state with it."""

    type: Literal["snapshot"]
    sessions: list[SessionRow]  # active sessions plus the 50 most recent
    summary: Summary
    scan: ScanProgress
    mutes: Mutes


class SessionUpdatedMessage(TypedDict):
    type: Literal["session.updated"]
    session: SessionRow


class SessionStateMessage(LiveView):
    type: Literal["session.state"]
    sessionId: str
    previous: SessionState | None
    active: ActiveCounts


class UsagePointMessage(TypedDict):
    type: Literal["usage.point"]
    point: LiveUsagePoint


class SummaryMessage(TypedDict):
    type: Literal["summary"]
    summary: Summary


class ScanProgressMessage(ScanProgress):
    type: Literal["scan.progress"]


class RunUpdatedMessage(TypedDict):
    """A run or one of its tasks changed; prompts are cut to previews, as in `GET /api/runs`."""

    type: Literal["run.updated"]
    run: Run


class AlertMessage(TypedDict):
    type: Literal["alert"]
    alert: Alert


class MutesMessage(TypedDict):
    """A session or project was muted or unmuted."""

    type: Literal["mutes"]
    mutes: Mutes


class PingMessage(TypedDict):
    type: Literal["ping"]


ServerMessage = Annotated[
    Union[  # noqa: UP007 - a runtime alias: pydantic reads it
        SnapshotMessage, SessionUpdatedMessage, SessionStateMessage, UsagePointMessage, SummaryMessage,
        ScanProgressMessage, RunUpdatedMessage, AlertMessage, MutesMessage, PingMessage,
    ],
    Field(discriminator="type"),
]  # fmt: skip
