"""Which Claude Code processes run on this machine (psutil), and whether a registry pid is still the same one."""

from __future__ import annotations

from dataclasses import dataclass

import psutil

from ccdeck.pids import same_process, start_time

# A registry's `startedAt` is the CLI's own clock reading during its start-up, not the process's start time; a
# reused pid differs by far more.
REGISTRY_START_TOLERANCE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ClaudeProcess:
    pid: int
    cwd: str | None


def registered_process_lives(pid: int, started_at: float | None) -> bool:
    """A registry entry's process still runs (when `startedAt` is known: the same process, not a reused pid)."""
    if started_at is None:
        return start_time(pid) is not None
    return same_process(pid, started_at, REGISTRY_START_TOLERANCE_SECONDS)


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
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        info = process.info
        if not _is_claude(info.get("name") or "", info.get("cmdline") or []):
            continue
        try:
            cwd: str | None = process.cwd()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            cwd = None
        found.append(ClaudeProcess(info["pid"], cwd))
    return found
