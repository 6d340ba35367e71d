"""The FastAPI app: its lifespan owns the store, the live monitor and the hub; routes are the API, /ws, /metrics
and the built dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from ccdeck import __version__
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.orchestrator.spec import RunOptions
from ccdeck.store.store import Store
from ccdeck.web import api, metrics, runs_api, ws
from ccdeck.web.runs_feed import RunsFeed
from ccdeck.web.security import TOKEN_COOKIE, Guard

STATIC = Path(__file__).with_name("static")
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>ccdeck</title>
<p>The dashboard is not built. Run <code>make frontend</code> (or <code>make serve</code>); the API is at
<a href="/docs">/docs</a>.</p>"""


@dataclass(frozen=True)
class ServeOptions:
    db: Path
    config_dirs: tuple[Path, ...]
    host: str
    idle_after: float
    rescan_every: float
    poll: bool = False
    token: str | None = None
    catch_up: bool = True
    run_defaults: RunOptions = field(default_factory=RunOptions)
    claude_bin: str | None = None


def create_app(options: ServeOptions) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.open(options.db)
        hub = Hub()
        monitor = Monitor(store, options.config_dirs, hub, idle_after=options.idle_after,
                          rescan_every=options.rescan_every, poll=options.poll)  # fmt: skip
        app.state.monitor = monitor
        app.state.run_defaults = options.run_defaults
        app.state.claude_bin = options.claude_bin
        feed = RunsFeed(store, hub)
        await monitor.start(catch_up=options.catch_up)
        feed.start()
        try:
            yield
        finally:
            hub.close()
            await feed.stop()
            await monitor.stop()
            store.close()

    app = FastAPI(title="ccdeck", version=__version__, lifespan=lifespan)
    app.include_router(api.router)
    app.include_router(runs_api.router)
    app.include_router(ws.router)
    app.include_router(metrics.router)
    _mount_dashboard(app, options.token)
    app.add_middleware(Guard, allowed_hosts=[options.host], token=options.token)
    return app


def _mount_dashboard(app: FastAPI, token: str | None) -> None:
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(request: Request, path: str) -> Response:
        """Every other path is the single-page app (its router reads the URL)."""
        if path.startswith(("api/", "ws")):
            return Response(status_code=404)
        candidate = (STATIC / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(STATIC.resolve()):
            return FileResponse(candidate)
        index = STATIC / "index.html"
        response: Response = FileResponse(index) if index.is_file() else HTMLResponse(NOT_BUILT)
        offered = request.query_params.get("token")
        if token is not None and offered == token:  # the Guard let it through: remember it in a cookie
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response
