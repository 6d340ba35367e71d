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
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any, TypeVar, cast, get_args

from ccdeck.claude.integration import checked_hook_url, hooks_settings_json
from ccdeck.errors import UsageError
from ccdeck.orchestrator.worktree import branch_name, branch_problem
from ccdeck.shapes.common import PermissionMode
from ccdeck.shapes.common import RunOptions as RunOptionsJson

PERMISSION_MODES: tuple[PermissionMode, ...] = get_args(PermissionMode)
DEFAULT_PERMISSION_MODE = "acceptEdits"
TASK_KEYS = frozenset(
    {"id", "prompt", "cwd", "model", "budget_usd", "timeout_s", "max_turns", "permission_mode", "allowed_tools",
     "worktree", "env"}
)  # fmt: skip
# Task ids name log files and git branches (`ccdeck/<run>/<task>`): keep them to characters safe in both.
TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
BYPASS = "bypassPermissions"
# Environment variable names: the portable POSIX shape (upper case letters, digits, `_`; no leading digit). This
# also keeps out lower-case twins that some programs read (`http_proxy`, `npm_config_*`) and anything a shell
# would parse (`BASH_FUNC_x%%`).
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# Names a task that came over HTTP may not set. The server's user chose the environment `ccdeck serve` runs in; a
# request may add project variables, not change what runs or where secrets go. Each group, and why:
# - run code before any model turn: the dynamic loader (LD_*, DYLD_*), Node, which runs `claude` itself
#   (NODE_OPTIONS=--require…), shells Claude Code starts (BASH_ENV, ENV, SHELL, IFS, PS4, PROMPT_COMMAND,
#   SHELLOPTS), git, which Claude Code runs at start (GIT_* incl. GIT_CONFIG_*, GIT_SSH_COMMAND), interpreters
#   tools call (PYTHON*, PERL*, RUBY*, JAVA_TOOL_OPTIONS…), pagers and editors (LESSOPEN, PAGER, EDITOR…);
# - choose which program or which configuration is used: PATH, HOME, XDG_* (git and others read config there),
#   CLAUDE_* (CLAUDE_CONFIG_DIR holds settings with hooks; CLAUDE_CODE_SHELL_PREFIX wraps every command;
#   CLAUDE_ENV_FILE is sourced by every command) — a prefix, as Claude Code adds variables with each release;
# - send the session, its API key or its traffic elsewhere: ANTHROPIC_* (base URL, keys, headers), cloud
#   credentials (AWS_*, GOOGLE_*, CLOUDSDK_*, AZURE_*), proxies and CA bundles (HTTPS_PROXY, SSL_CERT_FILE…).
# A task file run from the CLI is not checked against this list: its author is the user at the terminal, who can
# set all of these in the environment `ccdeck run` inherits anyway (ANTHROPIC_BASE_URL for a gateway,
# CLAUDE_CODE_MAX_RETRIES, …), so refusing them there would protect nothing and break real uses.
ENV_DENIED = frozenset(
    {"PATH", "HOME", "SHELL", "ENV", "IFS", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "CDPATH", "GLOBIGNORE", "TMPDIR",
     "EDITOR", "VISUAL", "PAGER", "MANPAGER", "BROWSER", "LESSOPEN", "LESSCLOSE", "SSH_ASKPASS", "SUDO_ASKPASS",
     "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
     "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GNUPGHOME", "KUBECONFIG"}
)  # fmt: skip
ENV_DENIED_PREFIXES = (
    "LD_", "DYLD_", "NODE_", "NPM_CONFIG_", "BASH_", "PYTHON", "PERL", "RUBY", "GEM_", "BUNDLE_", "DOTNET_",
    "CORECLR_", "GIT_", "XDG_", "CLAUDE_", "ANTHROPIC_", "AWS_", "GOOGLE_", "CLOUDSDK_", "AZURE_", "SSH_",
)  # fmt: skip
# Upper bounds: far beyond any real run, low enough that no value overflows SQLite, asyncio or the OS.
MAX_PARALLEL_LIMIT = 256
MAX_COUNT = 100_000  # turns, retries
MAX_SECONDS = 30 * 86_400.0
MAX_BUDGET_USD = 1_000_000.0
T = TypeVar("T")


def env_name_denied(name: str) -> bool:
    """True when a request over HTTP may not set the environment variable `name` (see `ENV_DENIED`)."""
    return name in ENV_DENIED or name.startswith(ENV_DENIED_PREFIXES)


def _any_shell_command(rule: str) -> bool:
    """`Bash`, `Bash(*)`, `Bash(:*)`: a rule that lets the model run every shell command without asking."""
    name, _, pattern = rule.strip().partition("(")
    return name.strip() == "Bash" and pattern.rstrip(")").strip() in ("", "*", ":*")


@dataclass(frozen=True)
class Trust:
    """How far the author of a task list is trusted. `LOCAL` (the CLI's user, the default) may set any well-formed
    environment variable and any permission mode; `remote` (a request over HTTP) may not set `ENV_DENIED` names,
    and asks for `bypassPermissions`, or allows every shell command (`allowed_tools: ["Bash"]`), only where the server
    was started with `--allow-bypass`."""

    deny_env: bool = False
    allow_bypass: bool = True

    @classmethod
    def remote(cls, *, allow_bypass: bool) -> Trust:
        return cls(deny_env=True, allow_bypass=allow_bypass)


LOCAL = Trust()


@dataclass(frozen=True)
class RunOptions:
    """A run's settings; each task may override the ones it shares with `TaskSpec`."""

    max_parallel: int = 4
    model: str | None = None
    budget_usd: float | None = None
    timeout_s: float = 3600.0
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
        # Flags and settings reach here unchecked by `_Checker` (click's FloatRange lets NaN through).
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


def options_from_request(data: object, defaults: RunOptions, trust: Trust = LOCAL) -> RunOptions:
    """Run options from a JSON body (`PUBLIC_OPTIONS` keys), each checked like a task's values."""
    if data is None:
        return defaults
    if not isinstance(data, Mapping):
        raise UsageError(f"options: expected a table, got {_kind(data)}")
    unknown = sorted(str(k) for k in data if k not in PUBLIC_OPTIONS)
    if unknown:
        raise UsageError(f"options: unknown key {', '.join(map(repr, unknown))} (known: {', '.join(PUBLIC_OPTIONS)})")
    check = _Checker(data, "options", trust)
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
        raise UsageError(f"{where}: expected a list of tasks, got {_kind(data)}")
    if not data:
        raise UsageError(f"{where}: the task list is empty")
    for number, item in enumerate(data, 1):
        if not isinstance(item, Mapping):
            raise UsageError(f"{where}: task {number} is {_kind(item)}, not a table")
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
    check = _Checker(table, where, trust)
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


class _Checker:
    """Typed getters for one task table; each raises a `UsageError` naming the task and the key."""

    def __init__(self, table: Mapping[str, Any], where: str, trust: Trust = LOCAL) -> None:
        self.table, self.where, self.trust = table, where, trust

    def _fail(self, key: str, expected: str) -> UsageError:
        shown = repr(self.table[key])
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        return UsageError(f'{self.where}: "{key}" must be {expected}, got {shown}')

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise UsageError(f'{self.where}: missing "{key}"')
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string")
        if not _is_clean(value):
            raise self._fail(key, "valid Unicode text without NUL characters")
        return value

    def positive(self, key: str, default: T, *, zero: bool = False, maximum: float = MAX_SECONDS) -> float | T:
        value = self.table.get(key)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)  # NaN and Infinity: JSON (as Python reads it), YAML and TOML all allow them
            or not (0 <= value <= maximum)
            or (value == 0 and not zero)
        ):
            raise self._fail(key, f"{'a number of 0 or more' if zero else 'a positive number'} (at most {maximum:g})")
        return float(value)

    def count(self, key: str, default: T, *, minimum: int = 1, maximum: int = MAX_COUNT) -> int | T:
        value = self.table.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            expected = "a whole number of 0 or more" if minimum == 0 else "a positive whole number"
            raise self._fail(key, f"{expected} (at most {maximum})")
        return value

    def permission_mode(self, key: str, default: str) -> str:
        value = self.choice(key, PERMISSION_MODES, default)
        if key in self.table and value == BYPASS and not self.trust.allow_bypass:
            raise UsageError(
                f'{self.where}: "{key}": {BYPASS} is refused over HTTP unless `ccdeck serve` runs with --allow-bypass'
            )
        return value

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.table.get(key)
        if value is None:
            return default
        if value not in choices:
            raise self._fail(key, "one of " + ", ".join(choices))
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def tools(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and _is_clean(v) for v in value):
            raise self._fail(key, "a list of tool names")
        if not self.trust.allow_bypass and (shell := next((v for v in value if _any_shell_command(v)), None)):
            raise UsageError(
                f'{self.where}: "{key}": {shell!r} allows any shell command, which is refused over HTTP unless '
                '`ccdeck serve` runs with --allow-bypass; allow commands by prefix, e.g. "Bash(git diff:*)"'
            )
        return tuple(value)

    def env(self, key: str) -> dict[str, str]:
        value = self.table.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and ENV_NAME.fullmatch(k) and isinstance(v, str) and _is_clean(v)
            for k, v in value.items()
        ):
            raise self._fail(key, "a table of variable names (A-Z, 0-9, _) to string values")
        denied = sorted(k for k in value if self.trust.deny_env and env_name_denied(k))
        if denied:
            raise UsageError(f'{self.where}: "{key}" may not set {", ".join(denied)} over HTTP (see README, Security)')
        return dict(value)


def _is_clean(text: str) -> bool:
    """Text that can go into an argument, an environment variable and UTF-8 storage: no lone surrogate, no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _kind(value: object) -> str:
    return "nothing" if value is None else f"a {type(value).__name__}"
