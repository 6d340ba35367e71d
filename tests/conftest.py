"""Shared pytest setup for all suites."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pytest

# Fixtures for running the real Claude Code CLI against a fake Messages API: claude_bin, fake_api,
# claude_sandbox, claude. (tests/ is not a package: pytest puts this directory on sys.path.)
pytest_plugins = ["fakeapi.fixtures"]


@pytest.fixture(autouse=True)
def _no_inherited_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables laid out the same wherever the tests run: a test that wants a width sets `COLUMNS` itself."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process for a registry entry to point at (its pid and `procStart` are real), killed at the end."""
    child = subprocess.Popen(["sleep", "300"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def utc_local() -> Iterator[None]:
    """The machine's local zone is UTC while the test runs (commands without --timezone use it)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()
