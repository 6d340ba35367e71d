"""The checks of a task table or a request's options: typed getters that name the task and the key, and how far
the author is trusted (`Trust`: a task list from the CLI's user, or one that came over HTTP).

Every bound comes from `options` (the limits and permission modes, declared once with the run's defaults).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ccdeck.errors import UsageError
from ccdeck.orchestrator.options import MAX_COUNT, MAX_SECONDS, PERMISSION_MODES

T = TypeVar("T")
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


class Checker:
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
        if not is_clean(value):
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
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and is_clean(v) for v in value):
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
            isinstance(k, str) and ENV_NAME.fullmatch(k) and isinstance(v, str) and is_clean(v)
            for k, v in value.items()
        ):
            raise self._fail(key, "a table of variable names (A-Z, 0-9, _) to string values")
        denied = sorted(k for k in value if self.trust.deny_env and env_name_denied(k))
        if denied:
            raise UsageError(f'{self.where}: "{key}" may not set {", ".join(denied)} over HTTP (see README, Security)')
        return dict(value)


def is_clean(text: str) -> bool:
    """Text that can go into an argument, an environment variable and UTF-8 storage: no lone surrogate, no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def kind(value: object) -> str:
    return "nothing" if value is None else f"a {type(value).__name__}"
