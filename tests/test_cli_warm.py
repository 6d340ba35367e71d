"""Warm reports: with the database at this schema and nothing new in Claude Code's files, the report commands read
with the standard library's `sqlite3` (psycopg alone on PostgreSQL: `ccdeck.cli_read`), print what the full way
prints, and load neither SQLAlchemy, Alembic, Rich, pydantic nor genai-prices. On both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccdeck import cli_read
from core_fixtures import run_cli, write_report_config

Capsys = pytest.CaptureFixture[str]
COMMANDS = [
    ["usage", "daily"],
    ["usage", "weekly", "--timezone", "Asia/Tokyo"],
    ["usage", "monthly", "--since", "2025-01-01"],
    ["usage", "session"],
    ["usage", "session", "--all"],
    ["usage", "blocks"],
    ["sessions"],
    ["sessions", "--limit", "2"],
]
HEAVY = ("sqlalchemy", "alembic", "rich", "pydantic", "genai_prices", "ccdeck.ingest.pipeline", "typer._adapters")


@pytest.fixture
def world(tmp_path: Path, db_target: Path | str) -> list[str]:
    config = tmp_path / "config"
    write_report_config(config)
    return ["--config-dir", str(config), "--db", str(db_target)]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_warm_output_is_the_full_ways(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch, world: list[str], command: list[str]
) -> None:
    code, first, _ = run_cli(capsys, *command, *world, "--json")  # creates the database and scans
    assert code == 0
    taken: list[bool] = []
    real = cli_read.read_as_is

    def spy(*args: object) -> object:
        answer = real(*args)  # type: ignore[arg-type]
        taken.append(answer is not None)
        return answer

    monkeypatch.setattr(cli_read, "read_as_is", spy)
    code, warm, err = run_cli(capsys, *command, *world, "--json")
    assert (code, err, taken) == (0, "", [True])
    monkeypatch.setattr(cli_read, "read_as_is", lambda *_: None)
    code, full, _ = run_cli(capsys, *command, *world, "--json")
    assert code == 0
    assert _steady(warm) == _steady(full) == _steady(first)


def _steady(text: str) -> str:
    """The output without `stateSince` (when a session's state began, for `sessions`: it moves with time)."""
    return "\n".join(line for line in text.splitlines() if '"stateSince"' not in line)


def test_a_changed_file_goes_the_full_way(capsys: Capsys, world: list[str], tmp_path: Path) -> None:
    run_cli(capsys, "usage", "daily", *world, "--json")
    transcript = next((tmp_path / "config" / "projects").rglob("*.jsonl"))
    with transcript.open("ab") as file:
        file.write(b'{"type":"user","message":{"role":"user","content":"more"}}\n')
    assert cli_read.read_as_is(_cfg(world), True, lambda _: 1) is None
    run_cli(capsys, "usage", "daily", *world, "--json")
    assert cli_read.read_as_is(_cfg(world), True, lambda _: 1) == (1,)


def _cfg(world: list[str]) -> object:
    from ccdeck.cli_shared import resolve

    return resolve([Path(world[1])], world[3])


def test_a_warm_report_loads_nothing_heavy(capsys: Capsys, world: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = (
        "import sys, io; from ccdeck import entry; sys.stdout = io.StringIO(); "
        f"rc = entry.main(['usage', 'daily', '--json', *{world!r}]); sys.stdout = sys.__stdout__; "
        f"print(rc, sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.startswith("0 ")  # scanned, and remembered the models' price sources
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert again.stdout.strip() == "0 []", again.stderr
