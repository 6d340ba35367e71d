"""Bad input (a missing or unreadable config dir, a bad date or time zone, a corrupt database): one line on stderr,
exit 2, no traceback, and the database left alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core_fixtures import (
    run_cli,
)

Capsys = pytest.CaptureFixture[str]


def _bad_inputs(tmp_path: Path, config: Path, long: bool) -> dict[str, list[str | Path]]:
    """Each bad input, as the arguments of one command. `long`: values far wider than any terminal."""
    pad = "x" * 150 if long else "x"
    garbage = tmp_path / f"corrupt-{pad}" / f"{pad}.db"
    garbage.parent.mkdir(parents=True, exist_ok=True)
    garbage.write_bytes(os.urandom(4096))
    a_file = tmp_path / f"plain-file-{pad}"
    a_file.write_text("not a folder")
    db = tmp_path / "ok.db"
    return {
        "missing-config-dir": ["usage", "session", "--config-dir", tmp_path / f"missing-{pad}" / pad, "--db", db],
        "config-dir-is-a-file": ["usage", "daily", "--config-dir", a_file, "--db", db],
        "bad-since": ["usage", "daily", "--since", f"2025-13-45{pad}", "--config-dir", config, "--db", db],
        "bad-until": ["usage", "monthly", "--until", f"tomorrow{pad}", "--config-dir", config, "--db", db],
        "sessions-bad-since": ["sessions", "--since", f"31/12/2025{pad}", "--config-dir", config, "--db", db],
        "unknown-timezone": ["usage", "daily", "--timezone", f"Mars/Olympus_{pad}", "--config-dir", config, "--db", db],
        "corrupt-database": ["usage", "session", "--config-dir", config, "--db", garbage],
        "corrupt-database-scan": ["scan", "--config-dir", config, "--db", garbage],
        "machine-too-long": ["scan", "--machine", "m" * 65 + pad, "--config-dir", config, "--db", db],
        "machine-with-comma": ["usage", "daily", "--machine", f"a,{pad}", "--config-dir", config, "--db", db],
        "machine-empty": ["sessions", "--machine", "", "--config-dir", config, "--db", db],
        "machine-padded": ["watch", "--machine", f" {pad} ", "--config-dir", config, "--db", db],
        "machines-empty-list": ["usage", "session", "--machines", ",,", "--config-dir", config, "--db", db],
        "machines-unprintable": ["sessions", "--machines", f"ok,bad\x07{pad}", "--config-dir", config, "--db", db],
    }


BAD = [
    "missing-config-dir",
    "config-dir-is-a-file",
    "bad-since",
    "bad-until",
    "sessions-bad-since",
    "unknown-timezone",
    "corrupt-database",
    "corrupt-database-scan",
    "machine-too-long",
    "machine-with-comma",
    "machine-empty",
    "machine-padded",
    "machines-empty-list",
    "machines-unprintable",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_exits_2_without_traceback(capsys: Capsys, config: Path, tmp_path: Path, case: str) -> None:
    args = _bad_inputs(tmp_path, config, long=False)[case]
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("ccdeck: error: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("case", BAD)
def test_bad_input_error_is_one_line_however_long(capsys: Capsys, config: Path, tmp_path: Path, case: str) -> None:
    args = _bad_inputs(tmp_path, config, long=True)[case]
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_config_dir(capsys: Capsys, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        code, _, err = run_cli(capsys, "usage", "session", "--config-dir", locked, "--db", tmp_path / "db")
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert "not readable" in err
    assert "Traceback" not in err


def test_corrupt_database_is_left_alone(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    db = tmp_path / "garbage.db"
    junk = os.urandom(8192)
    db.write_bytes(junk)
    code, _, err = run_cli(capsys, "scan", "--config-dir", config, "--db", db)
    assert code == 2
    assert "database" in err
    assert db.read_bytes() == junk
