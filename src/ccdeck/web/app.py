"""The FastAPI app: its lifespan owns the store, the live monitor, the hub and the runs feed (yielded as the typed
lifespan state of `ccdeck.web.state`); routes are the API, /ws, /metrics, /docs and the built dashboard; the
middlewares of `ccdeck.web.security` guard them all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ccdeck import __version__
from ccdeck.db_target import DbTarget
from ccdeck.live.alerts import Alerts
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.live.mutes import load_mutes, mutes_path
from ccdeck.live.notifier import Notifier
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.store.store import Store
from ccdeck.web import api, docs, metrics, mutes_api, openapi, otel_api, runs_api, ws
from ccdeck.web.runs_feed import RunsFeed
from ccdeck.web.security import SECURITY_HEADERS, Guard, SecurityHeaders
from ccdeck.web.state import LifespanState, Resources

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>ccdeck</title>
<p>The dashboard is not built. Run <code>make frontend</code> (or <code>make serve</code>); the API is at
<a href="/docs">/docs</a>.</p>"""


@dataclass(frozen=True)
class ServeOptions:
    db: DbTarget
    config_dirs: tuple[Path, ...]
    host: str
    idle_after: float
    rescan_every: float
    poll: bool = False
    token: str | None = None
    catch_up: bool = True
    run_defaults: RunOptions = field(default_factory=RunOptions)
    claude_bin: str | None = None
    allow_bypass: bool = False  # runs over HTTP may use bypassPermissions (`ccdeck serve --allow-bypass`)
    public_url: str | None = None  # http://host:port, for the links in alerts
    notify: tuple[str, ...] = ()  # Apprise URLs alerts are sent to
    alert_after: float = 120.0  # seconds of work after which the end of a turn is an alert


def create_app(options: ServeOptions) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[LifespanState]:
        store = await asyncio.to_thread(Store.open, options.db)  # it runs the migrations: off the event loop
        try:
            resources = await _started(options, store)
        except BaseException:
            await asyncio.to_thread(store.close)
            raise
        try:
            yield {"resources": resources}
        finally:
            await _stopped(resources)

    # FastAPI's own /docs and /redoc load their scripts from a CDN: `docs` serves Swagger UI from this server.
    # FastAPI's own /docs and /redoc load their scripts from a CDN: `docs` serves Swagger UI from this server.
    app = FastAPI(title="ccdeck", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_exception_handler(Exception, _internal_error)
    app.include_router(api.router)
    app.include_router(runs_api.router)
    app.include_router(mutes_api.router)
    app.include_router(otel_api.router)
    app.include_router(ws.router)
    app.include_router(metrics.router)
    app.include_router(docs.router)
    _mount_dashboard(app)
    openapi.install(app)
    app.add_middleware(Guard, allowed_hosts=[options.host], token=options.token)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: its headers reach the Guard's refusals too
    return app


async def _started(options: ServeOptions, store: Store) -> Resources:
    """The hub, the live monitor (caught up in the background) and the runs feed, started over `store`."""
    hub = Hub()
    path = mutes_path(options.db)
    mutes = await asyncio.to_thread(load_mutes, path)
    alerts = Alerts(finish_after=options.alert_after, base_url=options.public_url, mutes=mutes)
    notifier = Notifier(options.notify) if options.notify else None
    monitor = Monitor(store, options.config_dirs, hub, idle_after=options.idle_after,
                      rescan_every=options.rescan_every, poll=options.poll, alerts=alerts,
                      notifier=notifier)  # fmt: skip
    feed = RunsFeed(store, hub, on_run=monitor.observe_run, always=notifier is not None)
    await monitor.start(catch_up=options.catch_up)
    feed.start()
    return Resources(store=store, hub=hub, monitor=monitor, feed=feed, mutes_path=path,
                     run_defaults=options.run_defaults, claude_bin=options.claude_bin,
                     allow_bypass=options.allow_bypass, token=options.token)  # fmt: skip


async def _stopped(resources: Resources) -> None:
    """Stop what `_started` started, in reverse, then close the store (its writer commits what is queued)."""
    resources.hub.close()
    await resources.feed.stop()
    await resources.monitor.stop()
    if resources.monitor.notifier is not None:
        await asyncio.to_thread(resources.monitor.notifier.close)
    await asyncio.to_thread(resources.store.close)


async def _internal_error(request: Request, exc: Exception) -> Response:
    """The last resort: a bug is logged with its traceback and answered as a JSON 500 without one. Starlette sends
    this from outside the middlewares, hence the security headers here."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    headers = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
    return JSONResponse({"detail": "internal error"}, status_code=500, headers=headers)


def _mount_dashboard(app: FastAPI) -> None:
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(path: str) -> Response:
        """Every other path is the single-page app (its router reads the URL)."""
        if path.startswith(("api/", "ws", "docs/")) or not path.isprintable():  # a NUL, a control character
            return Response(status_code=404)
        if path and (candidate := _static_file(path)) is not None:
            return FileResponse(candidate)
        index = STATIC / "index.html"
        return FileResponse(index) if index.is_file() else HTMLResponse(NOT_BUILT)


def _static_file(path: str) -> Path | None:
    """A file of the built dashboard; None for anything outside it or no file name at all (a NUL, too long)."""
    try:
        candidate = (STATIC / path).resolve()
        if candidate.is_relative_to(STATIC.resolve()) and candidate.is_file():
            return candidate
    except (OSError, ValueError):
        pass
    return None
