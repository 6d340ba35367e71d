"""Every setting declared once: name, type, default, `CCDECK_*` environment variable and help.

The CLI builds its flags' help from these declarations (`Setting.flag_help`: the help, the default and the
environment variable), the README's settings table is generated from them (`settings_markdown`; `python
tests/test_settings_doc.py` rewrites it, and the test fails while it is stale), and `Config` resolves a value as:
flag, else environment, else default.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from ccdeck.db_target import DbTarget, as_target, mask
from ccdeck.errors import UsageError
from ccdeck.paths import default_db

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting. `parse` turns the environment variable's text into the value."""

    name: str
    default: Callable[[], T]
    parse: Callable[[str], T]
    help: str

    @property
    def env(self) -> str:
        return "CCDECK_" + self.name.upper()

    def flag_help(self, *, show_default: bool = True) -> str:
        """The help of the setting's flag: its help, then its default (unless None, a flag's `False`, or not
        `show_default`) and its environment variable."""
        default = self.default() if show_default else None
        return with_default(self.help, None if default is False else default, self.env)

    def from_env(self, environ: Mapping[str, str]) -> T:
        text = environ.get(self.env)
        if text is None or text == "":
            return self.default()
        try:
            return self.parse(text)
        except ValueError as exc:
            raise UsageError(f"{self.env}={mask(text)!r} is not valid: {exc}") from None  # a URL's password: ***


def shown(value: object) -> str:
    """A default as help and the README show it: `3600` for 3600.0, `~` for the home folder, `—` for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    at_home = isinstance(value, Path) or (isinstance(value, DbTarget) and not value.is_postgres)
    return str(value).replace(str(Path.home()), "~", 1) if at_home else str(value)


def with_default(text: str, default: object = None, env: str | None = None) -> str:
    """`text (default D; env E)`, leaving out a None default and a missing environment variable."""
    notes = [*([f"default {shown(default)}"] if default is not None else []), *([f"env {env}"] if env else [])]
    return f"{text} ({'; '.join(notes)})" if notes else text


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be a port number (0 to 65535; 0: any free port)")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise ValueError("must be a positive number")
    return value


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _optional_str(text: str) -> str | None:
    return text or None


def _optional_positive_float(text: str) -> float | None:
    return _positive_float(text) if text else None


DB = Setting[DbTarget](
    "db",
    lambda: DbTarget(path=Path(default_db(os.environ))),
    DbTarget.parse,
    "Database ccdeck keeps history in: a SQLite file, or a PostgreSQL URL "
    "(`postgresql://user:password@host:port/database`) for one store shared by several machines.",
)
IDLE_MINUTES = Setting[float](
    "idle_minutes", lambda: 10.0, _positive_float, "Minutes without activity after which a live session is idle."
)
ALERT_AFTER_MINUTES = Setting[float](
    "alert_after_minutes",
    lambda: 2.0,
    _positive_float,
    "Minutes a session must have worked for the end of its turn to send an alert.",
)
NOTIFY = Setting[str | None](
    "notify",
    lambda: None,
    _optional_str,
    "Comma-separated Apprise URLs alerts are sent to by `serve` and `watch` (ntfy, Slack, Discord, e-mail, "
    "`json://` webhooks…).",
)

HOST = Setting[str]("host", lambda: "127.0.0.1", str, "Address `ccdeck serve` binds to.")
PORT = Setting[int](
    "port", lambda: 8484, _port, "Port `ccdeck serve` listens on (0: any free port; the URL printed names it)."
)
TOKEN = Setting[str | None](
    "token",
    lambda: None,
    _optional_str,
    "Token required on every request when serving on a non-loopback address (generated and printed if unset).",
)
ALLOW_BYPASS = Setting[bool](
    "allow_bypass",
    lambda: False,
    _bool,
    "Let runs started over HTTP (`ccdeck serve`) use the `bypassPermissions` permission mode.",
)
RESCAN_SECONDS = Setting[float](
    "rescan_seconds", lambda: 30.0, _positive_float, "Seconds between safety-net rescans while serving or watching."
)
POLL = Setting[bool]("poll", lambda: False, _bool, "Watch files by polling instead of OS events (network filesystems).")

CLAUDE_BIN = Setting[str | None](
    "claude_bin",
    lambda: None,
    _optional_str,
    "The `claude` executable `ccdeck run` launches (default: `claude` on PATH).",
)
MAX_PARALLEL = Setting[int]("max_parallel", lambda: 4, _positive_int, "Tasks `ccdeck run` runs at the same time.")
TIMEOUT = Setting[float](
    "timeout", lambda: 3600.0, _positive_float, "Seconds one attempt of a task may run before it is stopped."
)
MODEL = Setting[str | None](
    "model", lambda: None, _optional_str, "Model of launched tasks (`--model`; default: the CLI's own choice)."
)
BUDGET = Setting[float | None](
    "budget", lambda: None, _optional_positive_float, "Spending limit per task in USD (`--max-budget-usd`)."
)

HOOKS_URL = Setting[str | None](
    "hooks_url",
    lambda: None,
    _optional_str,
    "`ccdeck serve`'s hooks URL (`http://127.0.0.1:8484/api/hooks`) the sessions `ccdeck run` launches post their "
    "events to, through `claude --settings` (default: none; runs started from the dashboard post to the server "
    "itself).",
)

SETTINGS: tuple[Setting[Any], ...] = (
    DB, IDLE_MINUTES, ALERT_AFTER_MINUTES, NOTIFY, HOST, PORT, TOKEN, ALLOW_BYPASS, RESCAN_SECONDS, POLL,
    CLAUDE_BIN, MAX_PARALLEL, TIMEOUT, MODEL, BUDGET, HOOKS_URL,
)  # fmt: skip


@dataclass(frozen=True)
class Config:
    """Resolved settings for one command. Build with `Config.resolve`; `config_dirs` come resolved
    (see `ccdeck.claude.discovery.config_dirs_from`)."""

    db: DbTarget
    config_dirs: tuple[Path, ...]
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, setting: Setting[T]) -> T:
        value: T = self.values[setting.name]
        return value

    @classmethod
    def resolve(
        cls,
        *,
        db: DbTarget | Path | str | None = None,
        config_dirs: tuple[Path, ...] = (),
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Config:
        env = os.environ if environ is None else environ
        values = {s.name: s.from_env(env) for s in SETTINGS}
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        if db is not None:
            values["db"] = _target(db)
        return cls(db=as_target(values["db"]), config_dirs=config_dirs, values=values)


def _target(db: DbTarget | Path | str) -> DbTarget:
    """`--db` as given: a bad PostgreSQL URL is a usage error (one line, exit 2)."""
    try:
        return as_target(db)
    except ValueError as exc:
        raise UsageError(f"--db: {exc}") from None


def settings_markdown() -> str:
    """The README's settings table."""
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.env}` | `{shown(s.default())}` | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)
