"""The OpenAPI document: FastAPI's, from the routes' response models (`ccdeck.shapes.api`), plus the shapes no route
returns: the WebSocket's messages (`ServerMessage`) and the bodies of `POST /api/runs` (`NewRun`) and `POST
/api/mutes` (`NewMute`), so the dashboard's TypeScript types are generated for them too (`make contract`).

`python -m ccdeck.web.openapi_dump` prints the document, as `/openapi.json` serves it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from ccdeck.shapes.api import NewMute
from ccdeck.shapes.common import NewRun
from ccdeck.shapes.messages import ServerMessage

REF = "#/components/schemas/{model}"
EXTRA_SHAPES: dict[str, Any] = {"ServerMessage": ServerMessage, "NewRun": NewRun, "NewMute": NewMute}
NEW_RUN_BODY = {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model="NewRun")}}}}


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with `EXTRA_SHAPES` among its component schemas (made once, then cached)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, shape in EXTRA_SHAPES.items():
            extra = TypeAdapter(shape).json_schema(ref_template=REF, mode="serialization")
            for def_name, definition in {**extra.pop("$defs", {}), name: extra}.items():
                if components.setdefault(def_name, definition) != definition:
                    raise RuntimeError(f"two different shapes are named {def_name}")
        app.openapi_schema = schema
    return app.openapi_schema


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
