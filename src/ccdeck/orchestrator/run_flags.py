"""The options of `ccdeck run` (and the launch commands that share them), declared once: `cli_runs` builds its
Typer options from these, and `fast_run` parses `run --detach` with them before the command line's imports.
Settings (`config.py`) give the help and environment variable of those that have one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccdeck import config
from ccdeck.orchestrator.spec import PERMISSION_MODES


@dataclass(frozen=True)
class Flag:
    """`kind`: the value's type (`bool`: a flag that takes no value). `minimum`: the least value accepted."""

    name: str
    kind: type
    help: str
    minimum: float | None = None
    show_default: bool = True

    @property
    def param(self) -> str:
        """The command function's parameter: `--max-parallel` is `max_parallel`."""
        return self.name.removeprefix("--").replace("-", "_")


def _setting_help(setting: config.Setting[Any], default: str = "") -> str:
    return f"{setting.help} ({default}env {setting.env})"


FLAGS = {
    flag.name: flag
    for flag in (
        Flag("--max-parallel", int, _setting_help(config.MAX_PARALLEL, "default 4; "), minimum=1),
        Flag("--model", str, _setting_help(config.MODEL)),
        Flag("--budget", float, _setting_help(config.BUDGET), minimum=0.0),
        Flag("--timeout", float, _setting_help(config.TIMEOUT, "default 3600; "), minimum=0.001),
        Flag("--max-turns", int, "Turns per task (`--max-turns`).", minimum=1),
        Flag("--permission-mode", str, f"One of {', '.join(PERMISSION_MODES)} (default acceptEdits)."),
        Flag("--worktree", bool, "Run each task in a git worktree on branch ccdeck/<run>/<task>."),
        Flag("--retries", int, "Attempts after a 429/529 result.", minimum=0),
        Flag("--retry-delay", float, "First back-off in seconds (doubles, with jitter).", minimum=0.0),
        Flag("--grace", float, "Seconds between SIGINT and SIGTERM.", minimum=0.0),
        Flag("--stagger", float, "Least seconds between two starts.", minimum=0.0),
        Flag("--detach", bool, "Run in a background supervisor; print its id."),
        Flag("--claude-bin", str, _setting_help(config.CLAUDE_BIN)),
        Flag("--hooks-url", str, _setting_help(config.HOOKS_URL), show_default=False),
        Flag("--db", str, _setting_help(config.DB), show_default=False),
        Flag("--json", bool, "Print JSON instead of a table."),
    )
}
# `run`'s options, in the order of its function's parameters (its one argument is the task file).
RUN_FLAGS = tuple(FLAGS)
