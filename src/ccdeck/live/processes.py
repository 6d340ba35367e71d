"""Which Claude Code processes run on this machine (psutil), and whether a registry pid is still the same one."""

from __future__ import annotations

from dataclasses import dataclass

import psutil

# A registry's `startedAt` and the process's own start time differ by the CLI's start-up; a reused pid differs
# by far more.
START_TOLERANCE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ClaudeProcess:
    pid: int
    cwd: str | None
    started_at: float


def pid_is(pid: int, started_at: float | None) -> bool:
    """True when `pid` runs and (when known) started near `started_at`: a reused pid is not the same process."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    return started_at is None or abs(created - started_at) <= START_TOLERANCE_SECONDS


def _is_claude(name: str, cmdline: list[str]) -> bool:
    if name == "claude":
        return True
    # npm installs run as `node …/@anthropic-ai/claude-code/cli.js`
    return name.startswith("node") and any(
        arg.endswith("claude-code/cli.js") or arg.endswith("/claude") for arg in cmdline
    )


def claude_processes() -> list[ClaudeProcess]:
    """Every running Claude Code CLI (native binary or node), with its working directory when readable."""
    found = []
    for process in psutil.process_iter(["pid", "name", "cmdline", "create_time"]):
        info = process.info
        if not _is_claude(info.get("name") or "", info.get("cmdline") or []):
            continue
        try:
            cwd: str | None = process.cwd()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            cwd = None
        found.append(ClaudeProcess(info["pid"], cwd, info.get("create_time") or 0.0))
    return found
