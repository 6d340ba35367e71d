"""A run before it starts: its options (settings and flags), its checked plan, the rows that record it, and the
hand-over to a background supervisor.

Standard library and the light orchestrator modules only (no SQLAlchemy): `ccdeck run --detach` comes through
here before the command line's imports (`fast_run`), and so does `control` for every other way a run starts.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from ccdeck import config
from ccdeck.claude import integration
from ccdeck.config import Config
from ccdeck.errors import LaunchError, UsageError
from ccdeck.orchestrator import worktree
from ccdeck.orchestrator.binary import ClaudeBinary
from ccdeck.orchestrator.spec import PERMISSION_MODES, RunOptions, TaskSpec
from ccdeck.store.run_states import QUEUED

SUPERVISOR_START_SECONDS = 15.0  # a detached supervisor that has not recorded itself by then failed to start
SUPERVISOR_LOG = "supervisor.log"


@dataclass(frozen=True)
class RunPlan:
    """A checked run, ready to be recorded and started."""

    run_id: str
    specs: tuple[TaskSpec, ...]
    options: RunOptions
    claude: ClaudeBinary
    db: Path

    @property
    def log_dir(self) -> Path:
        return runs_dir(self.db) / self.run_id

    @property
    def worktree_dir(self) -> Path:
        return worktrees_dir(self.db) / self.run_id


def runs_dir(db: Path) -> Path:
    return db.parent / "runs"


def worktrees_dir(db: Path) -> Path:
    return db.parent / "worktrees"


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


def plan_run(specs: Sequence[TaskSpec], options: RunOptions, claude: ClaudeBinary, db: Path) -> RunPlan:
    """Check what can be checked before anything starts (worktree tasks need a git repository)."""
    for spec in specs:
        if spec.worktree:
            worktree.repo_root(Path(spec.cwd))
    return RunPlan(new_run_id(), tuple(specs), options, claude, db.resolve())


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


def hand_over(plan: RunPlan, extra_env: Mapping[str, str] | None = None, *, fork: bool = False) -> str:
    """Start the background supervisor of a recorded run (our environment plus `extra_env`); returns the run's
    id once the supervisor has recorded itself. `fork`: for a caller that runs one thread (`fast_run`), the
    double fork is done here, without a Python started only to do it."""
    log_path = plan.log_dir / SUPERVISOR_LOG
    argv = [sys.executable, "-m", "ccdeck", "_supervise", plan.run_id, "--db", str(plan.db)]
    env = {**os.environ, **(extra_env or {})}
    if fork:
        launched = _double_fork([*argv, "--forked"], env, log_path, plan)
    else:
        with log_path.open("ab") as log_file:
            launcher = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, start_new_session=True,
                close_fds=True, env=env,
            )  # fmt: skip
        # The launcher forks the supervisor and exits at once (a double fork: the supervisor belongs to no
        # terminal and is nobody's zombie); waiting for it is immediate. The supervisor records its pid before
        # its imports (`launch`): the run is stored and has a supervisor before its id is printed.
        launched = launcher.wait(SUPERVISOR_START_SECONDS) == 0
    if not launched:
        raise LaunchError(f"the background supervisor did not start; see {log_path}")
    _await_supervisor(plan.db, plan.run_id, log_path)
    return plan.run_id


def _double_fork(argv: list[str], env: Mapping[str, str], log_path: Path, plan: RunPlan) -> bool:
    """What the launcher and `launch.fork_and_record` do, from this process: a child in a new session forks the
    supervisor and exits; the supervisor, its output going to the log, records itself and becomes
    `python -m ccdeck _supervise ... --forked`. Only safe in a process with one thread."""
    from ccdeck.orchestrator.launch import record

    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - ends in exec or _exit, never back here
        try:
            os.setsid()
            if os.fork() > 0:
                os._exit(0)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            record(str(plan.db), plan.run_id)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status = os.waitpid(child, 0)
    return status == 0


def _await_supervisor(db: Path, run_id: str, log_path: Path) -> None:
    deadline = time.monotonic() + SUPERVISOR_START_SECONDS
    conn = sqlite3.connect(db, timeout=10.0)
    try:
        while time.monotonic() < deadline:
            try:
                found = conn.execute("SELECT supervisor_pid FROM runs WHERE id = ?", (run_id,)).fetchone()
            except sqlite3.OperationalError:  # busy past the timeout: look again
                found = None
            if found is not None and found[0] is not None:
                return
            time.sleep(0.01)  # the supervisor records itself right after its fork (`launch`), in tens of ms
    finally:
        conn.close()
    raise LaunchError(f"the background supervisor of run {run_id} did not start; see {log_path}")
