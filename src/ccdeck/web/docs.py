"""`/docs`: Swagger UI over `/openapi.json`, every file served by this server (from the `swagger-ui-py` package,
not a CDN), so the page works offline and loads no third-party script. The initialiser is a file, not an inline
script, so the Content-Security-Policy needs no `'unsafe-inline'`."""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)
SWAGGER_UI = Path(swagger_ui.__file__).with_name("static")
FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ccdeck API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>"""
INIT = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
"""


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/init.js")
async def init() -> Response:
    return Response(INIT, media_type="text/javascript")


@router.get("/docs/{name}")
async def asset(name: str) -> Response:
    if name not in FILES:
        return Response(status_code=404)
    return FileResponse(SWAGGER_UI / name, media_type=FILES[name])
