"""A run before it starts: its options (settings and flags), its checked plan and the rows that record it (the
hand-over to a background supervisor is `launch`'s).

Standard library and the light orchestrator modules only (no SQLAlchemy): `ccdeck run --detach` comes through
here before the command line's imports (`fast_run`), and so does `control` for every other way a run starts.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from ccdeck import config
from ccdeck.claude import integration
from ccdeck.config import Config
from ccdeck.db_target import DbTarget
from ccdeck.errors import UsageError
from ccdeck.orchestrator import worktree
from ccdeck.orchestrator.binary import ClaudeBinary
from ccdeck.orchestrator.launch import SUPERVISOR_LOG
from ccdeck.orchestrator.liveness import SUPERVISOR_START_SECONDS
from ccdeck.orchestrator.spec import PERMISSION_MODES, RunOptions, TaskSpec
from ccdeck.store.run_states import QUEUED

__all__ = [  # the launch constants are reached from here too
    "SUPERVISOR_LOG", "SUPERVISOR_START_SECONDS", "RunPlan", "defaults_from", "hooks_need_token", "new_run_id",
    "plan_run", "run_options", "run_rows", "runs_dir", "worktrees_dir",
]  # fmt: skip


@dataclass(frozen=True)
class RunPlan:
    """A checked run, ready to be recorded and started."""

    run_id: str
    specs: tuple[TaskSpec, ...]
    options: RunOptions
    claude: ClaudeBinary
    db: DbTarget

    @property
    def log_dir(self) -> Path:
        return runs_dir(self.db) / self.run_id

    @property
    def worktree_dir(self) -> Path:
        return worktrees_dir(self.db) / self.run_id


def runs_dir(db: DbTarget) -> Path:
    return db.local_dir / "runs"


def worktrees_dir(db: DbTarget) -> Path:
    return db.local_dir / "worktrees"


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def defaults_from(cfg: Config) -> RunOptions:
    """The run options the settings give (`CCDECK_MAX_PARALLEL`, `CCDECK_MODEL`, `CCDECK_HOOKS_URL`, …)."""
    hooks_url = cfg.get(config.HOOKS_URL)
    token = hooks_url is not None and hooks_need_token(hooks_url, cfg.get(config.TOKEN))
    return RunOptions(max_parallel=cfg.get(config.MAX_PARALLEL), model=cfg.get(config.MODEL),
                      budget_usd=cfg.get(config.BUDGET), timeout_s=cfg.get(config.TIMEOUT), hooks_url=hooks_url,
                      hooks_token=token)  # fmt: skip


def hooks_need_token(url: str, token: str | None) -> bool:
    """Whether hooks posted to `url` carry `Authorization: Bearer $CCDECK_TOKEN`: when there is a token, and always
    off loopback (where `ccdeck serve` requires one)."""
    return token is not None or not integration.is_loopback_url(url)


def run_options(cfg: Config, max_turns: int | None, permission_mode: str | None, worktree: bool,
                retries: int | None = None, grace: float | None = None, retry_delay: float | None = None,
                stagger: float | None = None) -> RunOptions:  # fmt: skip
    """The options of a run started from the command line: the settings, then its flags (a flag left out, None,
    keeps the default `RunOptions` declares)."""
    if permission_mode is not None and permission_mode not in PERMISSION_MODES:
        raise UsageError(f"--permission-mode must be one of {', '.join(PERMISSION_MODES)}, not {permission_mode!r}")
    defaults = defaults_from(cfg)
    if defaults.hooks_url is not None and defaults.hooks_token and cfg.get(config.TOKEN) is None:
        raise UsageError(f"--hooks-url {defaults.hooks_url}: a server off loopback takes hooks only with its token; "
                         f"set {config.TOKEN.env}")  # fmt: skip
    flags: dict[str, Any] = {"max_turns": max_turns, "permission_mode": permission_mode or None,
                             "worktree": worktree, "retries": retries, "grace_s": grace, "retry_base_s": retry_delay,
                             "stagger_s": stagger}  # fmt: skip
    return replace(defaults, **{name: value for name, value in flags.items() if value is not None})


def plan_run(specs: Sequence[TaskSpec], options: RunOptions, claude: ClaudeBinary, db: DbTarget) -> RunPlan:
    """Check what can be checked before anything starts (worktree tasks need a git repository)."""
    for spec in specs:
        if spec.worktree:
            worktree.repo_root(Path(spec.cwd))
    return RunPlan(new_run_id(), tuple(specs), options, claude, db.resolved())


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def run_rows(
    plan: RunPlan, *, detached: bool, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `runs` row and the queued `run_tasks` rows that record the run (with the config dir each task's
    transcript will be written in); makes the run's log folder."""
    env = os.environ if environ is None else environ
    plan.log_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    run = {
        "id": plan.run_id,
        "created_at": now,
        "status": QUEUED,
        "options": _dumps(plan.options.as_json()),
        "claude_bin": plan.claude.path,
        "claude_version": plan.claude.version,
        "log_dir": str(plan.log_dir),
        "detached": detached,
    }
    tasks = [
        {"run_id": plan.run_id, "task_id": s.id, "position": n, "spec": _dumps(s.as_json()), "cwd": s.cwd,
         "status": QUEUED, "config_dir": s.env.get("CLAUDE_CONFIG_DIR") or env.get("CLAUDE_CONFIG_DIR"),
         "updated_at": now}
        for n, s in enumerate(plan.specs)
    ]  # fmt: skip
    return run, tasks
