"""ccdeck's entries in Claude Code's settings: the `statusLine` command and the `http` hooks that post each event to
`ccdeck serve`. Pure functions on the settings dict; `settings_file` writes them.

Hooks are `{"type": "http", "url": …, "timeout": 2}` (Claude Code POSTs the hook's JSON payload; a `{}` reply is
harmless) under each event, in a matcher group of their own. ccdeck's hooks are the `http` hooks whose URL path is
`/api/hooks`: uninstall removes those and nothing else. SessionStart is left out: Claude Code 2.1.330 refuses
`http` hooks for that event.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccdeck import config
from ccdeck.errors import UsageError

Settings = dict[str, Any]

HOOK_EVENTS = (
    "UserPromptSubmit",
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "PostToolUseFailure",
    "Notification",
    "Stop",
    "StopFailure",
    "SubagentStart",
    "SubagentStop",
    "SessionEnd",
)
HOOK_PATH = "/api/hooks"
# Claude Code waits on a hook up to its timeout: a server that is down must cost a session almost nothing.
HOOK_TIMEOUT_SECONDS = 2
TOKEN_ENV = config.TOKEN.env


def hook_url(host: str, port: int) -> str:
    """The hooks endpoint of a server bound to `host:port` (a wildcard bind is reached on loopback)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{HOOK_PATH}"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def hook_entry(url: str, token: bool) -> Settings:
    """One http hook; with `token`, Claude Code sends `Authorization: Bearer $CCDECK_TOKEN` from its environment."""
    entry: Settings = {"type": "http", "url": url, "timeout": HOOK_TIMEOUT_SECONDS}
    if token:
        entry["headers"] = {"Authorization": f"Bearer ${TOKEN_ENV}"}
        entry["allowedEnvVars"] = [TOKEN_ENV]
    return entry


def hooks_settings(url: str, token: bool = False) -> Settings:
    """The settings that send every hook event to `url`: for `claude --settings` (sessions `ccdeck run` starts)."""
    return {"hooks": {event: [{"hooks": [hook_entry(url, token)]}] for event in HOOK_EVENTS}}


def hooks_settings_json(url: str, token: bool = False) -> str:
    """`hooks_settings` as the JSON text `claude --settings <json>` takes."""
    return json.dumps(hooks_settings(url, token), separators=(",", ":"))


def checked_hook_url(url: str) -> str:
    """`url` when it can take Claude Code's hook POSTs (an http or https URL with a host), else a `UsageError`."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not url.isprintable():
        raise UsageError(f"hooks URL {url!r}: expected http://HOST:PORT{HOOK_PATH}")
    return url


def is_our_hook(hook: Any) -> bool:
    if not isinstance(hook, dict) or hook.get("type") != "http" or not isinstance(hook.get("url"), str):
        return False
    return urlsplit(hook["url"]).path.rstrip("/") == HOOK_PATH


def with_hooks(settings: Settings, url: str, token: bool) -> Settings:
    """`settings` with ccdeck's hook on every event of HOOK_EVENTS (kept in place when already there as wanted)."""
    wanted = hook_entry(url, token)
    hooks = settings.get("hooks")
    if hooks is not None and not isinstance(hooks, dict):
        raise UsageError("the settings' `hooks` is not an object; left unchanged")
    events = _strip_ours(hooks or {}, lambda event, groups: event in HOOK_EVENTS and _has_exactly(groups, wanted))
    for event in HOOK_EVENTS:
        groups = events.get(event) or []
        if not _has_exactly(groups, wanted):
            events[event] = [*groups, {"hooks": [wanted]}]
    return {**settings, "hooks": events}


def without_hooks(settings: Settings) -> Settings:
    """`settings` without ccdeck's hooks; every other hook, group and key stays."""
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        return settings
    events = _strip_ours(hooks, lambda _event, _groups: False)
    if events or not hooks:
        return {**settings, "hooks": events}
    return {key: value for key, value in settings.items() if key != "hooks"}


def installed_hooks(settings: Settings) -> dict[str, str]:
    """Event → URL of ccdeck's hook, for each event that has one."""
    hooks = settings.get("hooks")
    found: dict[str, str] = {}
    for event, groups in hooks.items() if isinstance(hooks, dict) else ():
        for hook in _hooks_in(groups):
            if is_our_hook(hook):
                found[event] = hook["url"]
    return found


def _hooks_in(groups: Any) -> Iterable[Any]:
    for group in groups if isinstance(groups, list) else ():
        if isinstance(group, dict) and isinstance(group.get("hooks"), list):
            yield from group["hooks"]


def _has_exactly(groups: Any, wanted: Settings) -> bool:
    ours = [hook for hook in _hooks_in(groups) if is_our_hook(hook)]
    return ours == [wanted]


def _without_ours(groups: Any) -> Any:
    """The groups minus ccdeck's hooks; a group left empty by that goes too."""
    if not isinstance(groups, list):
        return groups
    kept = []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
            kept.append(group)
            continue
        hooks = [hook for hook in group["hooks"] if not is_our_hook(hook)]
        if hooks or not group["hooks"]:
            kept.append({**group, "hooks": hooks})
    return kept


def _strip_ours(events: Settings, keep: Callable[[str, Any], bool]) -> Settings:
    """Events without ccdeck's hooks (except where `keep` says so); an event left empty by that goes too."""
    result: Settings = {}
    for event, groups in events.items():
        stripped = groups if keep(event, groups) else _without_ours(groups)
        if stripped != [] or groups == []:
            result[event] = stripped
    return result


# ------------------------------------------------------------------------------------------------- status line


def ccdeck_command(format: str | None = None) -> str:
    """The shell command that runs `ccdeck statusline` with this very installation of ccdeck."""
    argv0 = Path(sys.argv[0])
    beside_python = Path(sys.executable).with_name("ccdeck")
    if argv0.name == "ccdeck" and argv0.is_file():
        words = [str(argv0.resolve())]
    elif beside_python.is_file() and os.access(beside_python, os.X_OK):
        words = [str(beside_python)]
    else:
        words = [sys.executable, "-m", "ccdeck"]
    words.append("statusline")
    if format is not None:
        words += ["--format", format]
    return shlex.join(words)


def statusline_entry(command: str) -> Settings:
    return {"type": "command", "command": command, "padding": 0}


def is_our_statusline(entry: Any) -> bool:
    """A status line that runs some ccdeck's `statusline` (any path, any options)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        return False
    try:
        words = shlex.split(entry["command"])
    except ValueError:
        return False
    if len(words) >= 2 and Path(words[0]).name == "ccdeck":
        return words[1] == "statusline"
    return words[1:4] == ["-m", "ccdeck", "statusline"]


def with_statusline(settings: Settings, command: str, force: bool) -> Settings:
    """`settings` with ccdeck's status line; another program's status line is replaced only with `force`."""
    current = settings.get("statusLine")
    if current is not None and not force and not is_our_statusline(current):
        shown = current.get("command") if isinstance(current, dict) else current
        raise UsageError(f"a status line is already set: {json.dumps(shown)}; pass --force to replace it")
    entry = statusline_entry(command)
    if isinstance(current, dict) and is_our_statusline(current):  # keep its other keys (refreshInterval…)
        entry = {**current, **entry}
    return {**settings, "statusLine": entry}


def without_statusline(settings: Settings) -> Settings:
    """`settings` without ccdeck's status line (another program's stays)."""
    if not is_our_statusline(settings.get("statusLine")):
        return settings
    return {key: value for key, value in settings.items() if key != "statusLine"}
