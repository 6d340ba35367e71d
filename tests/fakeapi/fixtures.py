"""pytest fixtures for tests that run the real Claude Code CLI against the fake API.

Load them from tests/conftest.py with `pytest_plugins = ["fakeapi.fixtures"]`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cli import CLAUDE_BIN_ENV, DEFAULT_CLAUDE_BIN, ClaudeRunner, ClaudeSandbox, find_claude_bin
from .server import FakeApi


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def claude_bin() -> Path:
    """The pinned CLI. Missing: the test is skipped, except in CI, where a missing CLI is a failure."""
    path = find_claude_bin()
    if path is None:
        where = os.environ.get(CLAUDE_BIN_ENV) or str(DEFAULT_CLAUDE_BIN)
        reason = f"Claude Code CLI not found at {where} (${CLAUDE_BIN_ENV}); install it with `make claude-cli`"
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    """A fresh fake Messages API on 127.0.0.1 (random port), stopped when the test ends."""
    with FakeApi() as api:
        yield api


@pytest.fixture
def claude_sandbox(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClaudeSandbox]:
    """Own CLAUDE_CONFIG_DIR, HOME, TMPDIR and working directory for the CLI."""
    # TMPDIR goes straight under pytest's base temp dir when that is short enough: pytest prunes old
    # base dirs, so even a killed run leaves nothing behind for long.
    base = tmp_path_factory.getbasetemp()
    sandbox = ClaudeSandbox.create(tmp_path / "claude", base if len(str(base)) <= 60 else None)
    yield sandbox
    sandbox.cleanup()


@pytest.fixture
def claude(claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi) -> Iterator[ClaudeRunner]:
    """The CLI wired to the sandbox and the fake API: `claude.run(prompt, *flags)`. Whatever it
    started and is still running at teardown is stopped, process group and all."""
    runner = ClaudeRunner(claude_bin, claude_sandbox, fake_api.base_url)
    yield runner
    runner.close()
