"""The command line fails as the README says: a usage mistake or a failing database is one line on stderr and exit
2, with a suggestion where one exists; help is clean at 80 columns."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccdeck import cli
from core_fixtures import (
    CCDECK,
    assistant,
    cli_json,
    run_cli,
    transcript,
    usage,
    write_jsonl,
    write_report_config,
)

Capsys = pytest.CaptureFixture[str]


def _run(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CCDECK), *map(str, args)], env=env, capture_output=True, text=True,
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


def test_a_usage_mistake_in_a_real_process(child_env: dict[str, str]) -> None:
    done = _run(child_env, "usage", "daly")
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

    yield from walk(cli.command_tree(), [])


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


# ------------------------------------------------------------------------------------------------- a failing database

BIG = "99999999-0000-4000-8000-000000000009"


def _write_big_transcript(config: Path, responses: int = 1500) -> None:
    """About 4 MB of new lines: more than a nearly full disk can take."""
    text = [{"type": "text", "text": "x" * 2000}]
    lines = [
        assistant(BIG, f"2025-05-01T10:{i // 60:02d}:{i % 60:02d}.000Z", msg_id=f"m{i}", request_id=f"r{i}",
                  u=usage(1, 2), content=text)
        for i in range(responses)
    ]  # fmt: skip
    write_jsonl(transcript(config, "/big", BIG), lines)


def _totals(capsys: Capsys, config: Path, db: Path) -> dict[str, object]:
    report = cli_json(capsys, "usage", "session", "--no-scan", "--config-dir", config, "--db", db)
    totals: dict[str, object] = report["totals"]
    return totals


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB filesystem (tmpfs), for a real full disk and a real read-only mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_keeps_what_was_stored(
    child_env: dict[str, str], capsys: Capsys, tmp_path: Path, small_disk: Path
) -> None:
    config, db = tmp_path / "config", small_disk / "ccdeck.db"
    write_report_config(config)
    assert run_cli(capsys, "scan", "--config-dir", config, "--db", db)[0] == 0
    before = _totals(capsys, config, db)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * (free - 256 * 1024))
    _write_big_transcript(config)
    done = _run(child_env, "scan", "--config-dir", config, "--db", db)
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert f"database {db} is not writable: disk full" in line
    filler.unlink()
    assert _totals(capsys, config, db) == before


def test_an_immutable_database_is_one_line(child_env: dict[str, str], capsys: Capsys, tmp_path: Path) -> None:
    config, db = tmp_path / "config", tmp_path / "ccdeck.db"
    write_report_config(config)
    assert run_cli(capsys, "scan", "--config-dir", config, "--db", db)[0] == 0
    before = _totals(capsys, config, db)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(db)], check=False).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a filesystem that supports it)")
    try:
        _write_big_transcript(config, responses=10)
        done = _run(child_env, "scan", "--config-dir", config, "--db", db)
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert done.returncode == 2, done.stderr
    assert f"database {db} is not writable: it is read-only" in _one_line(done.stderr)
    assert _totals(capsys, config, db) == before


def test_a_read_only_filesystem_is_one_line(
    child_env: dict[str, str], capsys: Capsys, tmp_path: Path, small_disk: Path
) -> None:
    config, db = tmp_path / "config", small_disk / "ccdeck.db"
    write_report_config(config)
    assert run_cli(capsys, "scan", "--config-dir", config, "--db", db)[0] == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    _write_big_transcript(config, responses=10)
    done = _run(child_env, "scan", "--config-dir", config, "--db", db)
    assert done.returncode == 2, done.stderr
    assert str(db) in _one_line(done.stderr)


def test_serve_on_a_corrupt_database_is_one_line(child_env: dict[str, str], tmp_path: Path) -> None:
    config, db = tmp_path / "config", tmp_path / "junk.db"
    write_report_config(config)
    junk = os.urandom(65536)
    db.write_bytes(junk)
    done = _run(child_env, "serve", "--port", "1", "--config-dir", config, "--db", db)
    assert done.returncode == 2, done.stderr
    assert f"database {db}" in _one_line(done.stderr)
    assert db.read_bytes() == junk
