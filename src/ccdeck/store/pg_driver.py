"""What every PostgreSQL connection of ccdeck shares, with psycopg alone (no SQLAlchemy: the command line's fast
path reads through it): how to connect, numbers as SQLite gives them, and the driver's words for an error."""

from __future__ import annotations

import re
from typing import Any

from ccdeck.db_target import mask

CONNECT_TIMEOUT_SECONDS = 10
CONNECT_ARGS = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "application_name": "ccdeck"}


def libpq_url(url: str) -> str:
    """A target's URL (SQLAlchemy's `postgresql+psycopg://` form) as psycopg takes it."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


def numbers_as_sqlite_gives_them(conn: Any) -> None:
    """PostgreSQL's `numeric` (what SUM and AVG of BIGINTs give) as an int when whole, else a float, as SQLite
    returns them: the reports add them to floats and orjson writes them, neither of which takes a Decimal."""
    from psycopg.adapt import Loader  # the driver is loaded with the first PostgreSQL connection

    class NumberLoader(Loader):
        def load(self, data: Any) -> int | float:
            raw = bytes(data)
            return float(raw) if b"." in raw or b"e" in raw.lower() or b"N" in raw else int(raw)

    conn.adapters.register_loader("numeric", NumberLoader)


def reason(exc: BaseException) -> str:
    """psycopg's message on one line: its lines joined, PostgreSQL's `FATAL:` dropped, any password masked."""
    words = re.sub(r"\s+", " ", str(exc)).strip()
    words = words.removeprefix("connection failed: ").replace("FATAL: ", "")
    return mask(words) or type(exc).__name__
