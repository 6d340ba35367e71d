"""`--machine` (the machine a command ingests as) and `--machines` (the machines a report shows), in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_fixtures import assistant, cli_json, run_cli, transcript, usage, write_jsonl

Capsys = pytest.CaptureFixture[str]
ZOO = "aaaaaaaa-0000-4000-8000-00000000000a"
FARM = "bbbbbbbb-0000-4000-8000-00000000000b"


def _config(root: Path, session: str, cwd: str, msg: str, tokens: int) -> Path:
    write_jsonl(transcript(root, cwd, session), [
        assistant(session, "2025-08-01T10:00:00Z", msg_id=msg, request_id=f"req_{msg}", u=usage(tokens, 1), cwd=cwd),
    ])  # fmt: skip
    return root


@pytest.fixture
def two_machines(capsys: Capsys, tmp_path: Path) -> Path:
    """One database holding what `alpha` ingested of one config dir and `beta` of another."""
    db = tmp_path / "db.sqlite"
    alpha = _config(tmp_path / "alpha", ZOO, "/home/dev/zoo", "m_zoo", 100)
    beta = _config(tmp_path / "beta", FARM, "/home/dev/farm", "m_farm", 1000)
    for name, config in (("alpha", alpha), ("beta", beta)):
        code, _, err = run_cli(capsys, "scan", "--machine", name, "--config-dir", config, "--db", db)
        assert code == 0, err
    return db


def _read(capsys: Capsys, db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    return cli_json(capsys, *args, "--no-scan", "--config-dir", db.parent / "alpha", "--db", db)


def test_sessions_carry_their_machine_and_filter_by_it(capsys: Capsys, two_machines: Path) -> None:
    every = _read(capsys, two_machines, "sessions")["sessions"]
    assert {s["sessionId"]: s["machine"] for s in every} == {ZOO: "alpha", FARM: "beta"}
    only = _read(capsys, two_machines, "sessions", "--machines", "beta")["sessions"]
    assert [s["sessionId"] for s in only] == [FARM]
    both = _read(capsys, two_machines, "sessions", "--machines", "beta,alpha")["sessions"]
    assert len(both) == 2
    assert _read(capsys, two_machines, "sessions", "--machines", "gamma")["sessions"] == []


def test_usage_reports_filter_by_machine(capsys: Capsys, two_machines: Path) -> None:
    def inputs(*args: str) -> int:
        return int(_read(capsys, two_machines, "usage", *args)["totals"]["inputTokens"])

    assert inputs("daily") == 1100
    assert inputs("daily", "--machines", "alpha") == 100
    assert inputs("monthly", "--machines", "beta") == 1000
    assert inputs("blocks", "--machines", "beta") == 1000
    assert inputs("session", "--machines", "alpha") == 100
    rows = _read(capsys, two_machines, "usage", "session")["sessions"]
    assert {r["machine"] for r in rows} == {"alpha", "beta"}


def test_the_session_table_shows_machines_when_there_are_several(capsys: Capsys, two_machines: Path) -> None:
    args = ("--no-scan", "--config-dir", two_machines.parent / "alpha", "--db", two_machines)
    code, out, _ = run_cli(capsys, "usage", "session", *args)
    assert code == 0 and "Machine" in out and "beta" in out
    code, out, _ = run_cli(capsys, "usage", "session", "--machines", "alpha", *args)
    assert code == 0 and "Machine" not in out


def test_usage_per_machine(capsys: Capsys, two_machines: Path) -> None:
    report = _read(capsys, two_machines, "usage", "machines")
    assert [(r["machine"], r["inputTokens"]) for r in report["machines"]] == [("alpha", 100), ("beta", 1000)]
    assert report["totals"]["inputTokens"] == 1100
    only = _read(capsys, two_machines, "usage", "machines", "--machines", "beta")
    assert [r["machine"] for r in only["machines"]] == ["beta"]
    args = ("--no-scan", "--config-dir", two_machines.parent / "alpha", "--db", two_machines)
    code, out, _ = run_cli(capsys, "usage", "machines", "--breakdown", *args)
    assert code == 0 and "Usage by machine" in out and "alpha" in out and "└" in out


def test_the_machine_setting_from_the_environment(
    capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path / "alpha", ZOO, "/home/dev/zoo", "m_zoo", 100)
    db = tmp_path / "db.sqlite"
    monkeypatch.setenv("CCDECK_MACHINE", "ci-runner")
    rows = cli_json(capsys, "sessions", "--config-dir", config, "--db", db)["sessions"]
    assert [r["machine"] for r in rows] == ["ci-runner"]
    monkeypatch.setenv("CCDECK_MACHINE", "a,b")
    code, out, err = run_cli(capsys, "scan", "--config-dir", config, "--db", db)
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1 and "CCDECK_MACHINE" in err
