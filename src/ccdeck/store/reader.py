"""The read side's one interface: run portable SQL text (`:name` parameters) and get rows back.

Every named read query (`session_queries`, `usage_queries`, `run_queries`, `file_queries`, `search`, and the reads
of `session_stats`) takes a `Reader`, so the same SQL runs on either of two connections: the standard library's
`sqlite3`, read-only (`SqliteReader`: the warm command-line reports, which would spend their whole time budget
importing SQLAlchemy), or a SQLAlchemy connection (`store.sqla_reader.SqlaReader`: the server, the command line
after a scan wrote something, and every read of a PostgreSQL store). The SQL is written once for both engines;
where SQLite and PostgreSQL differ, the query's module picks by `Reader.dialect`. Rows unpack as tuples on both;
`records` also name their columns (`row.session_id`), which costs the `sqlite3` reader a little per row; `dicts`
gives plain dicts straight from the driver's cursor.
A list of values goes in as `in_list` expands it (`column IN (:id0, :id1, ...)`).
"""

from __future__ import annotations

import re
import sqlite3
from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol, cast

from ccdeck.store.revision import HEAD_REVISION

Params = Mapping[str, Any]


class Reader(Protocol):
    # "sqlite" or "postgresql": the few queries whose SQL differs between the two pick theirs by it.
    dialect: str

    def rows(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        """Every row of one query (`:name` parameters), as tuples."""
        ...

    def records(self, sql: str, params: Params | None = None) -> Sequence[Any]:
        """Every row of one query, as tuples that also name their columns (`row.session_id`)."""
        ...

    def dicts(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """The rows of one query as plain dicts straight from the driver's cursor, one at a time (the cheapest
        form for many rows: a 10,000-task run reads in milliseconds)."""
        ...


class SqliteReader:
    """A `Reader` on a `sqlite3` connection (open it with `open_current`)."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> list[Any]:
        return self.conn.execute(sql, params or {}).fetchall()

    def records(self, sql: str, params: Params | None = None) -> list[Any]:
        cursor = self.conn.execute(sql, params or {})
        found = cursor.fetchall()
        make = _row_class(tuple(column[0] for column in cursor.description))._make
        return [make(row) for row in found]

    def dicts(self, sql: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        return cursor_dicts(self.conn.execute(sql, params or {}))


def as_mapping(record: Any) -> Mapping[str, Any]:
    """A record of `Reader.records` as a mapping of its columns, whichever reader read it (a SQLAlchemy row, or
    the named tuple `SqliteReader` builds)."""
    mapping = getattr(record, "_mapping", None)
    return cast(Mapping[str, Any], mapping if mapping is not None else record._asdict())


def cursor_dicts(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    """A DB-API cursor's rows as dicts of its own column names."""
    names = [column[0] for column in cursor.description]
    return map(dict, map(zip, repeat(names), cursor))  # all in C: a generator costs a few % on 10,000 rows


@lru_cache(maxsize=64)
def _row_class(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns, rename=True)


def open_current(path: Path) -> sqlite3.Connection | None:
    """A read-only `sqlite3` connection to the database at `path` when it exists and its schema is at this
    version's head; None otherwise (missing, older or newer schema, not a database: the full store deals with it)."""
    if not path.is_file():
        return None
    quoted = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{quoted}?mode=ro", uri=True, timeout=10.0, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = 1")
        found = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        found = []
    if found != [(HEAD_REVISION,)]:
        conn.close()
        return None
    return conn


def in_list(column: str, name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`column IN (:name0, :name1, ...)` and its parameters: portable SQL for a list of values (an empty list
    matches nothing, as SQLAlchemy's expanding parameters do)."""
    if not values:
        return "1 = 0", {}
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return f"{column} IN ({', '.join(':' + key for key in params)})", params


# A quoted string or identifier (kept, but for a `%` in it), a `::` cast (kept), a `:name` parameter, a lone `%`,
# the word LIKE.
_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|::|:([A-Za-z_]\w*)|%|\b(?i:like)\b""")


@lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """`sql` for psycopg (PostgreSQL): `:name` parameters in its `%(name)s` form, every literal `%` doubled (`::`
    casts and quoted text left alone), and `LIKE` as `ILIKE` (SQLite's LIKE ignores the case of ASCII letters)."""

    def token(match: re.Match[str]) -> str:
        found = match.group(0)
        if match.group(1) is not None:
            return f"%({match.group(1)})s"
        if found == "%":
            return "%%"
        if found.lower() == "like":
            return "ILIKE"
        return found.replace("%", "%%") if found[0] in "'\"" else found

    return _TOKENS.sub(token, sql)
