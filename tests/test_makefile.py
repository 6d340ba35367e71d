"""The Makefile's installs: serving gets no dev tools, every install compiles its bytecode (read with `make -n`)."""

from __future__ import annotations

import shlex
import subprocess

from core_fixtures import REPO


def _planned(target: str) -> list[list[str]]:
    """The commands `make` would run for `target` with everything out of date, split into words."""
    out = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [shlex.split(line) for line in out.splitlines() if line.strip()]


def _syncs(commands: list[list[str]]) -> list[list[str]]:
    return [c for c in commands if c[1:3] == ["sync", "--frozen"]]


def _compiles_src(commands: list[list[str]]) -> bool:
    return any(c[1:] == ["-m", "compileall", "-q", "src"] for c in commands)


def test_install_syncs_the_dev_group_and_compiles_bytecode() -> None:
    commands = _planned("install")
    (sync,) = _syncs(commands)
    assert "--compile-bytecode" in sync and "--no-dev" not in sync
    assert _compiles_src(commands)


def test_serve_installs_no_dev_tools_and_keeps_those_installed() -> None:
    commands = _planned("serve")
    (sync,) = _syncs(commands)
    # --inexact: run after `make install`, it leaves the dev tools in place (uv sync removes what it does not list).
    assert {"--no-dev", "--inexact", "--compile-bytecode"} <= set(sync)
    assert _compiles_src(commands)


def test_checks_install_the_dev_group() -> None:
    for target in ("lint", "typecheck", "pytest", "check"):
        (sync,) = _syncs(_planned(target))
        assert "--no-dev" not in sync, target


def test_check_is_lint_types_and_the_unit_tests_only() -> None:
    commands = _planned("check")
    assert any(c[1:3] == ["check", "src"] for c in commands) and any(c[1:3] == ["format", "--check"] for c in commands)
    assert any(c[0].endswith("/mypy") for c in commands)
    (pytest,) = [c for c in commands if any(word.endswith("/pytest") for word in c)]
    assert pytest[pytest.index("-m") + 1] == "not slow"
    # Nothing a unit test does not need: no node packages, frontend build, browser or Claude Code CLI.
    assert not [c for c in commands if c[0] in ("npm", "apt-get") or "npm" in c or "claude-code" in " ".join(c)]
