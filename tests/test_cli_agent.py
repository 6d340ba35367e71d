"""`ccdeck agent`: the monitor with no web server, as a real child process (its start line, what it ingests, a clean
exit on SIGTERM, no web server imported), and `--print-service`'s systemd user unit."""

from __future__ import annotations

import configparser
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ccdeck.cli_agent import service_unit
from ccdeck.config import Config
from ccdeck.db_target import DbTarget
from core_fixtures import PYTHON, assistant, dumps, query, run_cli, transcript, user_prompt

Capsys = pytest.CaptureFixture[str]
DEADLINE = 60.0


def _unit(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def _environment(text: str) -> dict[str, str]:
    """The unit's `Environment=` lines (configparser keeps only the last of a repeated key)."""
    lines = [line.removeprefix("Environment=") for line in text.splitlines() if line.startswith("Environment=")]
    return dict(shlex.split(line)[0].split("=", 1) for line in lines)


def test_print_service_is_a_user_unit_running_this_agent(capsys: Capsys, tmp_path: Path) -> None:
    config = tmp_path / "my config"
    (config / "projects").mkdir(parents=True)
    code, out, _ = run_cli(capsys, "agent", "--print-service", "--config-dir", config, "--db", tmp_path / "d.db")
    assert code == 0
    unit = _unit(out)
    assert unit.sections() == ["Unit", "Service", "Install"]
    assert unit.get("Unit", "After") == "network-online.target"
    assert unit.get("Service", "Restart") == "on-failure"
    assert unit.get("Service", "RestartSec") == "5"
    assert unit.get("Install", "WantedBy") == "default.target"
    argv = shlex.split(unit.get("Service", "ExecStart"))
    assert Path(argv[0]).is_absolute()
    assert argv[argv.index("agent") :] == ["agent", "--db", str(tmp_path / "d.db"), "--config-dir", str(config)]
    assert "systemctl --user daemon-reload && systemctl --user enable --now ccdeck-agent" in out


def test_a_password_goes_to_the_environment_not_the_command_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://ccdeck:s3cr%25t$@db.example:5432/ccdeck"
    cfg = Config(db=DbTarget.parse(url), config_dirs=(tmp_path,))
    text = service_unit(cfg, ["/opt/ccdeck/bin/ccdeck"], {"CCDECK_MACHINE": "lab 2"})
    unit = _unit(text)
    assert "s3cr" not in unit.get("Service", "ExecStart")
    assert "s3cr" not in unit.get("Unit", "Description")
    assert _environment(text) == {"CCDECK_DB": url.replace("%", "%%"), "CCDECK_MACHINE": "lab 2"}
    assert "chmod 600" in text


def test_the_units_exec_start_runs(capsys: Capsys, child_env: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "agent", "--print-service", "--config-dir", tmp_path, "--db", tmp_path / "d.db")
    assert code == 0
    argv = shlex.split(_unit(out).get("Service", "ExecStart"))
    done = subprocess.run([*argv, "--help"], env=child_env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Usage: ccdeck agent" in done.stdout


def _wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        time.sleep(0.1)


def _sessions(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        return {row[0] for row in query(db, "SELECT session_id FROM sessions")}
    except Exception:  # the agent is still creating the schema
        return set()


def test_agent_ingests_follows_and_stops_on_sigterm(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    db = tmp_path / "agent.db"
    env = {**child_env, "CCDECK_MACHINE": "box-b"}
    argv = [str(PYTHON), "-X", "importtime", "-m", "ccdeck", "agent", "--config-dir", str(config), "--db", str(db)]
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        start = child.stdout.readline()
        assert start.startswith("ccdeck agent: database "), start
        assert str(db) in start and str(config) in start and "machine box-b" in start
        _wait_for(lambda: len(_sessions(db)) > 0, "catch-up")
        session = "0f0f0f0f-0000-4000-8000-0000000a6e47"
        path = transcript(config, "/work/agent-test", session)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dumps(user_prompt(session, "2026-01-02T10:00:00Z", "Hi.", cwd="/work/agent-test")) + b"\n")
        with path.open("ab") as file:
            file.write(dumps(assistant(session, "2026-01-02T10:00:05Z", cwd="/work/agent-test")) + b"\n")
        _wait_for(lambda: session in _sessions(db), "new session from a file event")
    finally:
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert "catch-up scan" in err
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in err.splitlines() if "import time:" in line}
    assert "ccdeck" in imported
    assert not imported & {"fastapi", "uvicorn", "starlette"}


def test_an_unusable_database_is_one_line_and_exit_2(capsys: Capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    code, out, err = run_cli(capsys, "agent", "--config-dir", tmp_path, "--db", bad)
    assert code == 2
    assert out == ""
    assert err.startswith("ccdeck: error: ") and err.count("\n") == 1
