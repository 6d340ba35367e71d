"""The `ccdeck` command line as a real child process: JSON, bad input, tables wide or piped, version and help."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from core_fixtures import (
    CCDECK,
    PYTHON,
    REPORT_RESPONSES,
    TOKEN_FIELDS,
    dir_args,
    report_totals,
    run_cli,
)

Capsys = pytest.CaptureFixture[str]


def _run(env: dict[str, str], *args: str | Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [str(CCDECK), *map(str, args)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_real_process_json(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "session", "--json", *dir_args(config, tmp_path))
    assert done.returncode == 0, done.stderr
    report = orjson.loads(done.stdout)
    assert report["totals"] == report_totals(REPORT_RESPONSES)
    assert done.stderr == ""


def test_real_process_bad_input(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "Nowhere/Atlantis", *dir_args(config, tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("ccdeck: error: --timezone")
    assert "Traceback" not in done.stderr


def test_real_process_wide_table(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "UTC", *dir_args(config, tmp_path), columns=200)
    assert done.returncode == 0, done.stderr
    totals = report_totals(REPORT_RESPONSES)
    for field in (*TOKEN_FIELDS, "totalTokens"):
        assert f"{totals[field]:,}" in done.stdout, field


def test_real_process_table_through_a_pipe_keeps_the_numbers(
    child_env: dict[str, str], config: Path, tmp_path: Path
) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "UTC", *dir_args(config, tmp_path))
    assert done.returncode == 0, done.stderr
    totals = report_totals(REPORT_RESPONSES)
    for field in (*TOKEN_FIELDS, "totalTokens"):
        assert f"{totals[field]:,}" in done.stdout, field


def test_version_and_help(child_env: dict[str, str]) -> None:
    done = _run(child_env, "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("ccdeck ")
    assert "usage" in _run(child_env, "--help").stdout


def test_version_answers_before_the_command_line_loads(capsys: Capsys) -> None:
    # The same line as the full command line's `--version`, printed without importing Typer, Rich or SQLAlchemy.
    code, full, _ = run_cli(capsys, "--version")
    assert code == 0
    probe = "import sys; from ccdeck import entry; entry.main(['--version']); print(sorted(m for m in sys.modules " \
            "if m.split('.')[0] in ('typer', 'rich', 'sqlalchemy', 'click')))"  # fmt: skip
    done = subprocess.run([str(PYTHON), "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    version, loaded = done.stdout.splitlines()
    assert version == full.strip()
    assert loaded == "[]"
