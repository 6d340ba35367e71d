"""Where Claude Code keeps its files: config dirs, transcripts, prompt history and the live registry.

Read-only, always: ccdeck never writes into a config dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ccdeck.errors import ConfigDirError

FileKind = Literal["transcript", "history"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to tail: a transcript or `history.jsonl`, with the session its name implies (if any)."""

    path: Path
    config_dir: Path
    kind: FileKind
    session_hint: str | None


def default_config_dirs(home: Path) -> tuple[Path, ...]:
    return tuple(p.resolve() for p in (home / ".claude", home / ".config" / "claude") if p.is_dir())


def config_dirs_from(explicit: tuple[Path, ...], environ: Mapping[str, str]) -> tuple[Path, ...]:
    """`--config-dir` flags, else `CLAUDE_CONFIG_DIR` (comma-separated), else the default dirs that exist."""
    if explicit:
        chosen = explicit
    elif environ.get("CLAUDE_CONFIG_DIR"):
        chosen = tuple(Path(p.strip()) for p in environ["CLAUDE_CONFIG_DIR"].split(",") if p.strip())
    else:
        return default_config_dirs(Path(environ.get("HOME") or Path.home()))
    resolved = tuple(dict.fromkeys(p.expanduser().resolve() for p in chosen))
    for path in resolved:
        check_readable(path)
    return resolved


def check_readable(path: Path) -> None:
    if not path.is_dir():
        raise ConfigDirError(f"config dir {path} does not exist or is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ConfigDirError(f"config dir {path} is not readable")


def session_hint(path: Path) -> str | None:
    """The session a transcript's name implies: `<id>.jsonl`, or `<id>/subagents/agent-*.jsonl`.

    Flat `agent-*.jsonl` files (2.0.28-2.0.77) imply nothing: their lines carry the parent `sessionId`.
    """
    if path.parent.name == "subagents":
        return path.parent.parent.name
    if path.name.startswith("agent-"):
        return None
    return path.stem


def source_file(config_dir: Path, path: Path) -> SourceFile | None:
    """The source a changed path is, if it is one: a transcript under `projects/` or `history.jsonl`."""
    if path == config_dir / "history.jsonl":
        return SourceFile(path, config_dir, "history", None)
    if path.suffix == ".jsonl" and path.is_relative_to(config_dir / "projects"):
        return SourceFile(path, config_dir, "transcript", session_hint(path))
    return None


def source_files(config_dir: Path) -> Iterator[SourceFile]:
    """Every transcript under `projects/` (recursively) and `history.jsonl`, in a stable order."""
    projects = config_dir / "projects"
    if projects.is_dir():
        # Symlinked folders are not followed: a link loop would never end, and a link out leaves the config dir.
        for root, dirs, files in os.walk(projects, followlinks=False):
            dirs.sort()
            folder = Path(root)  # joined to each name: cheaper than parsing the whole path again per file
            for name in sorted(files):
                if name.endswith(".jsonl"):
                    path = folder / name
                    yield SourceFile(path, config_dir, "transcript", session_hint(path))
    history = config_dir / "history.jsonl"
    if history.exists():  # whatever it is: reading skips (and counts) a history.jsonl that is no regular file
        yield SourceFile(history, config_dir, "history", None)


def registry_files(config_dir: Path) -> list[Path]:
    """The live registry, `sessions/<pid>.json` (recent 2.1.x)."""
    folder = config_dir / "sessions"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []
