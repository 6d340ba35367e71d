"""Every error ccdeck raises on purpose, in one tree.

    CcdeckError                  base; the CLI prints its message as one line and exits with `exit_code`
    ├── UsageError               bad input from the user: a date, a timezone, a task file (exit 2)
    ├── ConfigDirError           a config dir that cannot be read (exit 2)
    ├── StoreError               the database cannot be opened or written (disk full, read-only, corrupt), or is
    │   │                        newer than this ccdeck (exit 2)
    │   └── StoreClosedError     a write reached a store that was already closed
    ├── LaunchError              a run cannot start: no `claude` binary, a CLI too old (exit 2)
    └── NotifyError              an alert could not be sent: no or a bad Apprise URL, a refused delivery (exit 2)

Anything else that escapes is a bug: the CLI logs it with its traceback at debug level and exits 1.
"""

from __future__ import annotations


class CcdeckError(Exception):
    """Base of every error ccdeck raises on purpose."""

    exit_code: int = 2


class UsageError(CcdeckError):
    """The user's input is not valid (a flag value, a date, a timezone, a task file)."""


class ConfigDirError(CcdeckError):
    """A Claude Code config dir cannot be read."""


class StoreError(CcdeckError):
    """The database cannot be opened or used."""


class StoreClosedError(StoreError):
    """A write was queued after the store closed; it would never run."""


class LaunchError(CcdeckError):
    """A run of headless Claude Code sessions cannot start."""


class NotifyError(CcdeckError):
    """An alert could not be sent (`notify` URLs missing or malformed, the service refused it)."""
