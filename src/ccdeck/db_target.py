"""Where the store lives: a SQLite file (the embedded default) or a PostgreSQL database (the shared store).

Parsed once, at the edge (`config.DB`, `--db`, `CCDECK_DB`): a text starting with `postgres://`, `postgresql://` or
`postgresql+psycopg://` is a URL and never a file name; anything else is a path. A target prints as its path, or as
its URL with the password masked, so no message ever shows a password. Standard library only: the fast paths
(`statusline`, `fast_status`) look at it before the heavy imports.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ccdeck.paths import default_db

_SCHEMES = ("postgres://", "postgresql://", "postgresql+psycopg://")
_DRIVER_SCHEME = "postgresql+psycopg"
_PASSWORD = re.compile(r"(//[^:/@]*:)[^@/]*@")


def is_url(text: str) -> bool:
    """Whether `text` names a PostgreSQL database rather than a file."""
    return text.lower().startswith(_SCHEMES)


def mask(text: str) -> str:
    """`text` with the password of any URL in it replaced by `***`."""
    return _PASSWORD.sub(r"\1***@", text)


@dataclass(frozen=True)
class DbTarget:
    """A SQLite file (`path`) or a PostgreSQL database (`url`, in SQLAlchemy's `postgresql+psycopg://` form)."""

    path: Path | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str | os.PathLike[str]) -> DbTarget:
        """A path or a URL; a malformed URL raises ValueError (with the password masked)."""
        if isinstance(text, os.PathLike):
            return cls(path=Path(text).expanduser())
        if not is_url(text):
            if not text:
                raise ValueError("the database path is empty")
            return cls(path=Path(text).expanduser())
        return cls(url=_checked_url(text))

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for a PostgreSQL target (the fast paths step aside then)."""
        return self.path

    @property
    def local_dir(self) -> Path:
        """The folder of what ccdeck keeps beside its database on this machine (runs' logs, worktrees, mutes):
        the SQLite file's folder, or ccdeck's data folder when the database is a server."""
        if self.path is not None:
            return self.path.parent
        return Path(default_db(os.environ)).parent

    def resolved(self) -> DbTarget:
        """The same target with an absolute path (a URL as it is)."""
        return DbTarget(path=self.path.resolve()) if self.path is not None else self

    def sqlalchemy_url(self) -> str:
        if self.url is not None:
            return self.url
        return f"sqlite:///{self.path}"

    def argument(self) -> str:
        """The `--db` argument that names this target for a child process (the password included)."""
        return self.url if self.url is not None else str(self.path)

    def __str__(self) -> str:
        if self.url is None:
            return str(self.path)
        return mask(self.url).replace(_DRIVER_SCHEME + "://", "postgresql://", 1)


def as_target(db: DbTarget | Path | str) -> DbTarget:
    """A target from what a caller holds: a target already, a path, or the text of `--db`."""
    return db if isinstance(db, DbTarget) else DbTarget.parse(db)


def _checked_url(text: str) -> str:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{mask(text)} is not a valid PostgreSQL URL: {exc}") from None
    problem = None
    if not parts.hostname and "host=" not in parts.query:
        problem = "it names no host (postgresql://user:password@host:port/database)"
    elif not parts.path.strip("/"):
        problem = "it names no database (postgresql://user:password@host:port/database)"
    elif port == 0:
        problem = "its port is 0"
    if problem:
        raise ValueError(f"{mask(text)} is not a valid PostgreSQL URL: {problem}")
    return urlunsplit((_DRIVER_SCHEME, parts.netloc, parts.path, parts.query, parts.fragment))
