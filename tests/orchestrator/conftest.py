"""`launcher`: the `ccdeck` command as a real child process, wired to the real Claude Code CLI, the fake API,
the sandbox's config dir and a database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_launcher import Launcher

from fakeapi import ClaudeSandbox, FakeApi


@pytest.fixture
def launcher(claude_bin: Path, claude_sandbox: ClaudeSandbox, fake_api: FakeApi, tmp_path: Path) -> Iterator[Launcher]:
    env = claude_sandbox.env(fake_api.base_url, {"COLUMNS": None})
    env.update(CCDECK_CLAUDE_BIN=str(claude_bin), CCDECK_DB=str(tmp_path / "data" / "ccdeck.db"))
    launcher = Launcher(env, tmp_path / "data" / "ccdeck.db", claude_sandbox.cwd)
    yield launcher
    launcher.close()
