"""A safe writer for a Claude Code config dir's `settings.json`, the one file ccdeck ever writes there (and only on
`ccdeck statusline install|uninstall` and `ccdeck hooks install|uninstall`).

The user's file is worth more than our change: a file that does not parse is refused, never overwritten; every other
key is kept; the new content replaces the old atomically (temp file in the same folder, fsync, `os.replace`) with the
old permissions; the previous content is kept as `settings.json.ccdeck-backup` on each change; a change that changes
nothing writes nothing; a file changed by someone else while we worked is refused rather than overwritten.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdeck.errors import ConfigDirError

SETTINGS_NAME = "settings.json"
BACKUP_SUFFIX = ".ccdeck-backup"
NEW_FILE_MODE = 0o600

Settings = dict[str, Any]


@dataclass(frozen=True)
class Written:
    """What `update_settings` did: `changed` is False when the new content equals the old one."""

    path: Path
    changed: bool
    backup: Path | None


def settings_path(config_dir: Path) -> Path:
    return config_dir / SETTINGS_NAME


def read_settings(path: Path) -> tuple[Settings, str | None]:
    """The settings (an empty object when the file is missing) and the file's text as read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigDirError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ConfigDirError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}; left unchanged"
        ) from None
    if not isinstance(data, dict):
        raise ConfigDirError(f"{path} does not hold a JSON object; left unchanged")
    return data, text


def update_settings(path: Path, change: Callable[[Settings], Settings]) -> Written:
    """Apply `change` (which returns a new dict and leaves its argument alone) and write the result safely."""
    target = Path(os.path.realpath(path))  # a symlinked settings.json (dotfiles) stays a symlink
    before, text = read_settings(target)
    after = change(json.loads(json.dumps(before)))
    if after == before:
        return Written(path, False, None)
    if not target.parent.is_dir():
        raise ConfigDirError(f"config dir {target.parent} does not exist or is not a directory")
    mode = _mode(target)
    backup = _backup(target, text, mode) if text is not None else None
    _replace(target, _dumps(after), text, mode)
    return Written(path, True, backup)


def _dumps(settings: Settings) -> str:
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return NEW_FILE_MODE


def _backup(target: Path, text: str, mode: int) -> Path:
    backup = target.with_name(target.name + BACKUP_SUFFIX)
    _atomic_write(backup, text, mode)
    return backup


def _replace(target: Path, content: str, expected: str | None, mode: int) -> None:
    current = read_settings(target)[1]
    if current != expected:
        raise ConfigDirError(f"{target} changed while ccdeck was updating it; left unchanged, try again")
    _atomic_write(target, content, mode)


def _atomic_write(target: Path, content: str, mode: int) -> None:
    """Write a temp file next to `target`, fsync it, rename it over `target` (os.replace), fsync the folder."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ConfigDirError(f"cannot write in {target.parent}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        Path(tmp).replace(target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigDirError(f"cannot write {target}: {exc.strerror}") from None
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
