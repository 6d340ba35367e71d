"""Finding the `claude` executable and checking it is new enough, before anything starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ccdeck.errors import LaunchError

# 2.0.28 brought --max-budget-usd; older CLIs would reject the command line ccdeck builds.
MIN_VERSION = (2, 0, 28)
VERSION_TIMEOUT_SECONDS = 30.0
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class ClaudeBinary:
    path: str
    version: str


def parse_version(text: str) -> tuple[int, int, int] | None:
    """`2.1.330 (Claude Code)` -> (2, 1, 330)."""
    match = _VERSION.search(text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def find_claude(configured: str | None, environ: Mapping[str, str] | None = None) -> ClaudeBinary:
    """The executable (`--claude-bin`, `CCDECK_CLAUDE_BIN`, else `claude` on PATH) and its checked version."""
    env = dict(os.environ if environ is None else environ)
    name = configured or "claude"
    if os.sep in name:
        given = Path(name).expanduser().absolute()
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise LaunchError(f"the claude binary {name} does not exist or is not executable")
        path = str(given)
    else:
        found = shutil.which(name, path=env.get("PATH", os.defpath))
        if found is None:
            raise LaunchError(f"no `{name}` on PATH: install Claude Code or give --claude-bin / CCDECK_CLAUDE_BIN")
        path = found
    version = _version_of(path, env)
    return ClaudeBinary(path, version)


def _version_of(path: str, env: Mapping[str, str]) -> str:
    clean = {k: v for k, v in env.items() if k != "CLAUDECODE"}
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, env=clean, timeout=VERSION_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LaunchError(f"cannot run {path} --version: {exc}") from None
    parsed = parse_version(done.stdout)
    if done.returncode != 0 or parsed is None:
        said = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()[-1]
        raise LaunchError(f"{path} --version did not print a Claude Code version: {said}")
    if parsed < MIN_VERSION:
        need = ".".join(map(str, MIN_VERSION))
        raise LaunchError(f"{path} is Claude Code {'.'.join(map(str, parsed))}; ccdeck run needs {need} or newer")
    return ".".join(map(str, parsed))
