"""The options of `ccdeck run` (and the launch commands that share them), declared once: `cli_runs` builds its
Typer options from these, `fast_run` parses `run --detach` with them before the command line's imports, and the
README's table of them is generated from them (`flags_markdown`).

No default is written here: a flag that sets a run option shows `RunOptions`' default (`options.py`), a flag that
is a setting shows the setting's default and environment variable (`config.py`). A flag left out is None, and the
run takes the default from the same place (`plan.run_options`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccdeck import config
from ccdeck.orchestrator.options import PERMISSION_MODES, RunOptions


@dataclass(frozen=True)
class Flag:
    """`kind`: the value's type (`bool`: a flag that takes no value). `minimum`: the least value accepted.
    `setting`: the setting it overrides (its environment variable and default); `option`: the `RunOptions` field it
    sets, whose default it shows. `show_default`: whether help shows the default."""

    name: str
    kind: type
    text: str
    metavar: str = ""
    minimum: float | None = None
    setting: config.Setting[Any] | None = None
    option: str | None = None
    show_default: bool = True

    @property
    def param(self) -> str:
        """The command function's parameter: `--max-parallel` is `max_parallel`."""
        return self.name.removeprefix("--").replace("-", "_")

    @property
    def default(self) -> Any:
        """The value a run gets without the flag (None: none, or not shown)."""
        if not self.show_default or self.kind is bool:
            return None
        if self.setting is not None:
            return self.setting.default()
        return getattr(RunOptions, self.option) if self.option is not None else None

    @property
    def env(self) -> str | None:
        return self.setting.env if self.setting is not None else None

    @property
    def help(self) -> str:
        return config.with_default(self.text, self.default, self.env)


FLAGS = {
    flag.name: flag
    for flag in (
        Flag("--max-parallel", int, config.MAX_PARALLEL.help, "N", minimum=1, setting=config.MAX_PARALLEL),
        Flag("--model", str, config.MODEL.help, "MODEL", setting=config.MODEL),
        Flag("--budget", float, config.BUDGET.help, "USD", minimum=0.0, setting=config.BUDGET),
        Flag("--timeout", float, config.TIMEOUT.help, "S", minimum=0.001, setting=config.TIMEOUT),
        Flag("--max-turns", int, "Turns per task (`--max-turns`).", "N", minimum=1, option="max_turns"),
        Flag("--permission-mode", str, f"One of {', '.join(PERMISSION_MODES)}.", "MODE", option="permission_mode"),
        Flag("--worktree", bool, "Run each task in its own git worktree, on branch `ccdeck/<run>/<task>`."),
        Flag("--retries", int, "Further attempts of a task whose result is a 429 or 529 API error.", "N", minimum=0,
             option="retries"),
        Flag("--retry-delay", float, "First back-off in seconds before a retry (doubles each time up to 120 s, "
             "±50 % jitter).", "S", minimum=0.0, option="retry_base_s"),
        Flag("--grace", float, "Seconds between SIGINT and SIGTERM when a task is stopped.", "S", minimum=0.0,
             option="grace_s"),
        Flag("--stagger", float, "Least seconds between two task starts, so the API never sees a burst (a stop does "
             "not wait for it).", "S", minimum=0.0, option="stagger_s"),
        Flag("--detach", bool, "Hand the run to a background supervisor and print its id at once."),
        Flag("--claude-bin", str, config.CLAUDE_BIN.help, "PATH", setting=config.CLAUDE_BIN),
        Flag("--hooks-url", str, config.HOOKS_URL.help, "URL", setting=config.HOOKS_URL, show_default=False),
        Flag("--db", str, config.DB.help, "PATH", setting=config.DB, show_default=False),
        Flag("--json", bool, "Print JSON instead of a table."),
    )
}  # fmt: skip
# `run`'s options, in the order of its function's parameters (its one argument is the task file).
RUN_FLAGS = tuple(FLAGS)


def flags_markdown() -> str:
    """The README's table of `ccdeck run`'s options."""
    rows = ["| option | environment variable | default | meaning |", "|---|---|---|---|"]
    for flag in FLAGS.values():
        name = f"{flag.name} {flag.metavar}".strip()
        env = f"`{flag.env}`" if flag.env else "—"
        default = f"`{config.shown(flag.default)}`"
        rows.append(f"| `{name}` | {env} | {default} | {flag.text} |")
    return "\n".join(rows)
