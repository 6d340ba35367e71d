"""Print the OpenAPI document, as `/openapi.json` serves it, with sorted keys: `make contract` generates the
dashboard's TypeScript types from it (frontend/src/api/schema.ts)."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from ccdeck.db_target import DbTarget
from ccdeck.web.app import ServeOptions, create_app
from ccdeck.web.openapi import document


def main() -> None:
    # Only the routes matter: the app is never started, so its store and config dirs are never opened.
    app = create_app(
        ServeOptions(
            db=DbTarget(path=Path("unused.db")), config_dirs=(), host="127.0.0.1", idle_after=0, rescan_every=0
        )
    )
    sys.stdout.write(orjson.dumps(document(app), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")


if __name__ == "__main__":
    main()
