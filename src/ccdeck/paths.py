"""Default locations, with the standard library only: `ccdeck statusline` runs after every message of every Claude
Code session and resolves the database path without importing `config` (whose dataclasses and pathlib cost more
than the whole status line may take).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DB_ENV = "CCDECK_DB"


def default_db(environ: Mapping[str, str]) -> str:
    """`$XDG_DATA_HOME/ccdeck/ccdeck.db`, else `~/.local/share/ccdeck/ccdeck.db`."""
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "ccdeck", "ccdeck.db")


def db_path(environ: Mapping[str, str], flag: str | None = None) -> str:
    """The database a command uses: `--db`, else `$CCDECK_DB`, else the default (as `config.DB` resolves it)."""
    chosen = flag or environ.get(DB_ENV) or default_db(environ)
    return os.path.expanduser(chosen)
