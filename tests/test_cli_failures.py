"""The command line fails as the README says: a usage mistake or a failing database is one line on stderr and exit
2, with a suggestion where one exists; help is clean at 80 columns."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from ccdeck import cli
from core_fixtures import (
    CCDECK,
    run_cli,
    run_env,
)

Capsys = pytest.CaptureFixture[str]


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CCDECK), *map(str, args)], env=env or run_env(), capture_output=True, text=True,
                          timeout=180, check=False)  # fmt: skip


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ccdeck: error: "), err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------------------------------------- usage mistakes

MISTAKES = {
    "unknown-command": (["sesions"], "did you mean 'sessions'?"),
    "unknown-subcommand": (["usage", "daly"], "did you mean 'daily'?"),
    "unknown-option": (["scan", "--jsn"], "did you mean '--json'?"),
    "bad-integer": (["sessions", "--limit", "abc"], "'--limit'"),
    "missing-value": (["sessions", "--limit"], "'--limit' requires an argument"),
    "missing-argument": (["result"], "missing argument 'task'"),
    "extra-argument": (["status", "a", "b"], "unexpected extra argument"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_a_usage_mistake_is_one_line_and_exit_2(capsys: Capsys, tmp_path: Path, case: str) -> None:
    args, expected = MISTAKES[case]
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert expected in _one_line(err).lower()


def test_a_usage_mistake_in_a_real_process() -> None:
    done = _run("usage", "daly")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "did you mean 'daily'?" in _one_line(done.stderr).lower()


@pytest.mark.parametrize("args", [[], ["usage"], ["--help"], ["usage", "daily", "--help"]])
def test_bare_groups_and_help_print_help_and_exit_0(capsys: Capsys, args: list[str]) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 0
    assert "Usage: ccdeck" in out
    assert err == ""


def test_version_exits_0(capsys: Capsys) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert (code, out.startswith("ccdeck ")) == (0, True)


def _command_paths() -> Iterator[list[str]]:
    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        if not getattr(command, "hidden", False):
            yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(cli.app), [])


@pytest.mark.parametrize("path", list(_command_paths()), ids=lambda p: " ".join(p) or "ccdeck")
def test_every_help_is_clean_at_80_columns(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, path: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli(capsys, *path, "--help")
    assert code == 0
    assert "Usage: ccdeck" in out
    for noise in ("<bool>", "<str>", "<path>", "<int", "<float", "<list["):
        assert noise not in out, (noise, out)
    assert max(len(line) for line in out.splitlines()) <= 80, out


def test_help_keeps_the_env_and_default_notes(capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich markup ate "[env CCDECK_DB]" and "[default 127.0.0.1]"
    _, out, _ = run_cli(capsys, "serve", "--help")
    assert "CCDECK_DB" in out
    assert "127.0.0.1" in out
