"""Task specs: a task list (JSON, YAML or TOML file, inline JSON, or stdin) checked into typed records.

A task list is a list of tables, or a table whose only key is `tasks` (TOML has no top-level list):

    [{"id": "docs", "prompt": "Fix the typos in README.md", "timeout_s": 600}]

Everything is checked before anything starts: an unknown key, a duplicate or missing id, a wrong type, a number
that is not finite or out of range, text that is not valid Unicode or a missing folder is a `UsageError` naming the
task and the key. Per-task values override the run's options. A task list that comes over HTTP is checked with
`Trust.remote` (see there): a stricter environment rule, and no `bypassPermissions` unless the server allows it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from ccdeck.errors import UsageError
from ccdeck.orchestrator.options import (
    MAX_BUDGET_USD,
    MAX_PARALLEL_LIMIT,
    PERMISSION_MODES,
    PUBLIC_OPTIONS,
    RunOptions,
)
from ccdeck.orchestrator.task_checks import LOCAL, Checker, Trust, kind
from ccdeck.orchestrator.worktree import branch_name, branch_problem

# What the callers of `spec` read with the task specs, declared in `options` and `task_checks`.
__all__ = [
    "LOCAL", "PERMISSION_MODES", "PUBLIC_OPTIONS", "RunOptions", "TaskSpec", "Trust", "load_tasks",
    "options_from_request", "read_source", "resolve_tasks", "task_tables",
]  # fmt: skip

TASK_KEYS = frozenset(
    {"id", "prompt", "cwd", "model", "budget_usd", "timeout_s", "max_turns", "permission_mode", "allowed_tools",
     "worktree", "env"}
)  # fmt: skip
# Task ids name log files and git branches (`ccdeck/<run>/<task>`): keep them to characters safe in both.
TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def options_from_request(data: object, defaults: RunOptions, trust: Trust = LOCAL) -> RunOptions:
    """Run options from a JSON body (`PUBLIC_OPTIONS` keys), each checked like a task's values."""
    if data is None:
        return defaults
    if not isinstance(data, Mapping):
        raise UsageError(f"options: expected a table, got {kind(data)}")
    unknown = sorted(str(k) for k in data if k not in PUBLIC_OPTIONS)
    if unknown:
        raise UsageError(f"options: unknown key {', '.join(map(repr, unknown))} (known: {', '.join(PUBLIC_OPTIONS)})")
    check = Checker(data, "options", trust)
    values: dict[str, Any] = {
        "max_parallel": check.count("maxParallel", defaults.max_parallel, maximum=MAX_PARALLEL_LIMIT),
        "model": check.text("model") or defaults.model,
        "budget_usd": check.positive("budget", defaults.budget_usd, maximum=MAX_BUDGET_USD),
        "timeout_s": check.positive("timeout", defaults.timeout_s),
        "max_turns": check.count("maxTurns", defaults.max_turns),
        "permission_mode": check.permission_mode("permissionMode", defaults.permission_mode),
        "worktree": check.flag("worktree", defaults.worktree),
        "retries": check.count("retries", defaults.retries, minimum=0),
        "grace_s": check.positive("grace", defaults.grace_s, zero=True),
        "stagger_s": check.positive("stagger", defaults.stagger_s, zero=True),
        "retry_base_s": check.positive("retryDelay", defaults.retry_base_s, zero=True),
    }
    return replace(defaults, **values)


@dataclass(frozen=True)
class TaskSpec:
    """One task, with the run's options applied: everything needed to launch it."""

    id: str
    prompt: str
    cwd: str
    timeout_s: float
    permission_mode: str
    model: str | None = None
    budget_usd: float | None = None
    max_turns: int | None = None
    allowed_tools: tuple[str, ...] = ()
    worktree: bool = False
    env: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["allowed_tools"] = list(self.allowed_tools)
        data["env"] = dict(self.env)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskSpec:
        spec = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        return replace(spec, allowed_tools=tuple(spec.allowed_tools), env=dict(spec.env))


def load_tasks(source: str, options: RunOptions, base_cwd: Path, stdin: IO[str] | None = None) -> list[TaskSpec]:
    """Read, parse and check a task list: a file path, `-` for stdin, or inline JSON."""
    data, where = read_source(source, stdin)
    return resolve_tasks(task_tables(data, where), options, base_cwd, where)


def read_source(source: str, stdin: IO[str] | None) -> tuple[object, str]:
    """The parsed document and a name for it in error messages."""
    if source == "-":
        if stdin is None:
            raise UsageError("tasks: no standard input to read")
        return _parse_any(stdin.read(), "stdin"), "stdin"
    stripped = source.lstrip()
    if stripped.startswith(("[", "{")):
        return _parse_json(source, "inline tasks"), "inline tasks"
    path = Path(source).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"tasks: no such file {source} (give a JSON, YAML or TOML file, inline JSON or -)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"tasks: cannot read {source}: {exc}") from None
    parsers = {".json": _parse_json, ".yaml": _parse_yaml, ".yml": _parse_yaml, ".toml": _parse_toml}
    return parsers.get(path.suffix.lower(), _parse_any)(text, path.name), path.name


def _parse_json(text: str, where: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def _parse_yaml(text: str, where: str) -> object:
    import yaml  # here: `ccdeck status` reads run options through this module and never needs it

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{where}: invalid YAML{at}: {reason}") from None


def _parse_toml(text: str, where: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: invalid TOML: {exc}") from None


def _parse_any(text: str, where: str) -> object:
    """Stdin or a file without a telling suffix: JSON, else TOML, else YAML; JSON's error if it looked like JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pass
    if text.lstrip().startswith(("[", "{")):
        return _parse_json(text, where)
    return _parse_yaml(text, where)


def task_tables(data: object, where: str) -> list[Mapping[str, Any]]:
    """The list of task tables in a parsed document."""
    if isinstance(data, Mapping):
        extra = sorted(str(k) for k in data if k != "tasks")
        if extra or "tasks" not in data:
            raise UsageError(
                f'{where}: expected a list of tasks or a table with only "tasks" (found {extra or "none"})'
            )
        data = data["tasks"]
    if not isinstance(data, list):
        raise UsageError(f"{where}: expected a list of tasks, got {kind(data)}")
    if not data:
        raise UsageError(f"{where}: the task list is empty")
    for number, item in enumerate(data, 1):
        if not isinstance(item, Mapping):
            raise UsageError(f"{where}: task {number} is {kind(item)}, not a table")
    return list(data)


def resolve_tasks(
    tables: Sequence[Mapping[str, Any]],
    options: RunOptions,
    base_cwd: Path,
    where: str = "tasks",
    trust: Trust = LOCAL,
) -> list[TaskSpec]:
    """Check each table and apply the run's options."""
    specs: list[TaskSpec] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, 1):
        spec = _task(table, options, base_cwd, f"{where}: task {number}", trust)
        if spec.id in seen:
            raise UsageError(f'{where}: task {number}: duplicate id "{spec.id}"')
        seen.add(spec.id)
        specs.append(spec)
    return specs


def _task(table: Mapping[str, Any], options: RunOptions, base_cwd: Path, where: str, trust: Trust) -> TaskSpec:
    unknown = sorted(str(k) for k in table if k not in TASK_KEYS)
    if unknown:
        raise UsageError(
            f"{where}: unknown key {', '.join(repr(k) for k in unknown)} (known: {', '.join(sorted(TASK_KEYS))})"
        )
    task_id = _task_id(table.get("id"), where)
    where = f'{where} ("{task_id}")'
    check = Checker(table, where, trust)
    spec = TaskSpec(
        id=task_id,
        prompt=check.text("prompt", required=True) or "",
        cwd=_cwd(check.text("cwd"), base_cwd, where),
        model=check.text("model") or options.model,
        budget_usd=check.positive("budget_usd", options.budget_usd, maximum=MAX_BUDGET_USD),
        timeout_s=check.positive("timeout_s", options.timeout_s),
        max_turns=check.count("max_turns", options.max_turns),
        permission_mode=check.permission_mode("permission_mode", options.permission_mode),
        allowed_tools=check.tools("allowed_tools"),
        worktree=check.flag("worktree", options.worktree),
        env=check.env("env"),
    )
    if spec.worktree:
        _branch_safe(task_id, where)
    return spec


def _branch_safe(task_id: str, where: str) -> None:
    """A worktree task's id ends its branch name: refuse, before anything starts, an id git would refuse."""
    branch = branch_name("RUN", task_id)
    reason = branch_problem(branch)
    if reason is not None:
        raise UsageError(f"{where}: id {task_id!r} cannot end the git branch name {branch} (worktree): {reason}")


def _task_id(value: object, where: str) -> str:
    if value is None:
        raise UsageError(f'{where}: missing "id"')
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not TASK_ID.fullmatch(value):
        raise UsageError(
            f"{where}: id {value!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


def _cwd(value: str | None, base: Path, where: str) -> str:
    """An existing folder, resolved; `~user` that names no user, a NUL or an over-long name is no folder either."""
    try:
        path = (base / Path(value).expanduser()) if value else base
        if path.is_dir():
            return str(path.resolve())
    except (OSError, ValueError, RuntimeError):
        pass
    raise UsageError(f"{where}: cwd {value!r} is not a folder")
