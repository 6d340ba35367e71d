"""A run's options and their defaults, declared once: `RunOptions`.

Its defaults are the only copy: those that are also settings come from `config.py` (`max_parallel`, `timeout_s`,
`model`, `budget_usd`), the others are written here. The CLI's flags (`run_flags`), their help, the README's table
of run options, the checks of a task file or a request (`spec`) and the JSON API (`PUBLIC_OPTIONS`) all read them
from here. Standard library and `config` only, so that `run --detach` (`fast_run`) stays quick.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, cast, get_args

from ccdeck import config
from ccdeck.claude.integration import checked_hook_url, hooks_settings_json
from ccdeck.errors import UsageError
from ccdeck.shapes.common import PermissionMode
from ccdeck.shapes.common import RunOptions as RunOptionsJson

PERMISSION_MODES: tuple[PermissionMode, ...] = get_args(PermissionMode)
DEFAULT_PERMISSION_MODE = "acceptEdits"
# Upper bounds: far beyond any real run, low enough that no value overflows SQLite, asyncio or the OS.
MAX_PARALLEL_LIMIT = 256
MAX_COUNT = 100_000  # turns, retries
MAX_SECONDS = 30 * 86_400.0
MAX_BUDGET_USD = 1_000_000.0


@dataclass(frozen=True)
class RunOptions:
    """A run's settings; each task may override the ones it shares with `TaskSpec`. The class attributes are the
    defaults (`RunOptions.retries`), for every place that needs one."""

    max_parallel: int = config.MAX_PARALLEL.default()
    model: str | None = config.MODEL.default()
    budget_usd: float | None = config.BUDGET.default()
    timeout_s: float = config.TIMEOUT.default()
    max_turns: int | None = None
    permission_mode: str = DEFAULT_PERMISSION_MODE
    worktree: bool = False
    retries: int = 2
    grace_s: float = 5.0  # after SIGINT, before SIGTERM
    stagger_s: float = 0.1  # least time between two starts: the API sees no burst of simultaneous sessions
    retry_base_s: float = 2.0  # first back-off after a 429/529 result; doubles each retry, with jitter
    # Where each task's CLI posts its hook events (`claude --settings`), and whether with the server's token
    # (`Authorization: Bearer $CCDECK_TOKEN`). Set by the CLI's `--hooks-url` or by `ccdeck serve`, never by a
    # request: not among `PUBLIC_OPTIONS`.
    hooks_url: str | None = None
    hooks_token: bool = False

    def __post_init__(self) -> None:
        # Flags and settings reach here unchecked by the task checks (click's FloatRange lets NaN through).
        for name in ("budget_usd", "timeout_s", "grace_s", "stagger_s", "retry_base_s"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise UsageError(f"{name}: must be a finite number, got {value!r}")
        if self.hooks_url is not None:
            checked_hook_url(self.hooks_url)

    def hooks_settings(self) -> str | None:
        """The `--settings` JSON that sends each task's hook events to `hooks_url`; None without one."""
        return hooks_settings_json(self.hooks_url, self.hooks_token) if self.hooks_url else None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def public(self) -> RunOptionsJson:
        """The options as the JSON API shows and takes them (`options_from_request` reads these keys)."""
        # PUBLIC_OPTIONS names the keys of RunOptionsJson (a test holds them equal)
        return cast(RunOptionsJson, {key: getattr(self, name) for key, name in PUBLIC_OPTIONS.items()})


# JSON name -> RunOptions field, for the runs API (camelCase, like every JSON key ccdeck prints); the JSON shape is
# `ccdeck.shapes.common.RunOptions`.
PUBLIC_OPTIONS = {
    "maxParallel": "max_parallel", "model": "model", "budget": "budget_usd", "timeout": "timeout_s",
    "maxTurns": "max_turns", "permissionMode": "permission_mode", "worktree": "worktree", "retries": "retries",
    "grace": "grace_s", "stagger": "stagger_s", "retryDelay": "retry_base_s",
}  # fmt: skip
