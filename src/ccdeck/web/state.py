"""What the app's lifespan owns and its routes use: one frozen `Resources`, yielded by the lifespan as Starlette's
lifespan state (each request sees it as `request.state.resources`), and a small function per resource for the
routes to ask for it by name (`store_of(request)`) rather than dig through `app.state`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, TypeVar

from sqlalchemy import Connection
from starlette.requests import HTTPConnection

from ccdeck.live.alerts import Alerts
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.store.store import Store
from ccdeck.web.runs_feed import RunsFeed

T = TypeVar("T")


@dataclass(frozen=True)
class Resources:
    """The long-lived parts of a running server (the lifespan starts and stops them) and its settings that routes
    read. Runs need only the store and the hub: the live monitor is one of the store's readers, not their way in."""

    store: Store
    hub: Hub
    monitor: Monitor
    feed: RunsFeed
    mutes_path: Path
    run_defaults: RunOptions
    claude_bin: str | None
    allow_bypass: bool
    token: str | None


class LifespanState(TypedDict):
    resources: Resources


def resources_of(conn: HTTPConnection) -> Resources:
    """The server's resources, for a request or a WebSocket (both are an `HTTPConnection`)."""
    resources: Resources = conn.state.resources
    return resources


def store_of(conn: HTTPConnection) -> Store:
    return resources_of(conn).store


async def read(conn: HTTPConnection, fn: Callable[[Connection], T]) -> T:
    """`fn` (a named query or a report) on one of the store's read connections, in a worker thread."""
    store = store_of(conn)

    def work() -> T:
        with store.read() as db:
            return fn(db)

    return await asyncio.to_thread(work)


def monitor_of(conn: HTTPConnection) -> Monitor:
    return resources_of(conn).monitor


def hub_of(conn: HTTPConnection) -> Hub:
    return resources_of(conn).hub


def alerts_of(conn: HTTPConnection) -> Alerts:
    return resources_of(conn).monitor.alerts
