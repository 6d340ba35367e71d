"""The `ccdeck` command line, in-process through `ccdeck.cli.main` and as a real child process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import orjson
import pytest

from core_fixtures import (
    CCDECK,
    OPUS_4,
    P1,
    P2,
    P3,
    PYTHON,
    REPORT_RESPONSES,
    SONNET_4,
    TOKEN_FIELDS,
    assistant,
    cli_json,
    report_totals,
    run_cli,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
    write_report_config,
)

Capsys = pytest.CaptureFixture[str]
SESSION_ROW_KEYS = {
    "sessionId",
    "projectPath",
    "inputTokens",
    "outputTokens",
    "cacheCreationTokens",
    "cacheReadTokens",
    "totalTokens",
    "costUSD",
    "models",
    "firstActivity",
    "lastActivity",
    "filesChanged",
}
TOTALS_KEYS = {*TOKEN_FIELDS, "totalTokens", "costUSD"}
UNKNOWN_MODEL = "acme-llm-1"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    write_report_config(path)
    return path


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables printed 250 columns wide, whatever terminal runs the tests."""
    monkeypatch.setenv("COLUMNS", "250")


def _args(config: Path, tmp_path: Path) -> list[str | Path]:
    return ["--config-dir", config, "--db", tmp_path / "db.sqlite"]


# ------------------------------------------------------------------------------------------------- scan


def test_scan_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    stats = cli_json(capsys, "scan", *_args(config, tmp_path))
    assert {"files", "bytes", "lines", "newResponses", "problems", "seconds"} <= set(stats)
    size = sum(p.stat().st_size for p in config.rglob("*.jsonl"))
    assert (stats["files"], stats["bytes"], stats["newResponses"], stats["problems"]) == (3, size, 5, 0)
    assert stats["lines"] == len(REPORT_RESPONSES) + 3
    assert isinstance(stats["seconds"], float)
    again = cli_json(capsys, "scan", *_args(config, tmp_path))
    assert (again["files"], again["bytes"], again["lines"], again["newResponses"]) == (3, 0, 0, 0)


def test_scan_table(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "scan", *_args(config, tmp_path))
    assert code == 0
    assert "Scanned 3 files" in out
    assert "5 new responses" in out


def test_several_config_dirs(capsys: Capsys, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    write_jsonl(
        transcript(other, "/w", "44444444-0000-4000-8000-000000000004"),
        [assistant("44444444-0000-4000-8000-000000000004", "2025-03-11T10:00:00.000Z", msg_id="mw", u=usage(1, 9))],
    )
    flags = cli_json(
        capsys, "usage", "session", "--config-dir", config, "--config-dir", other, "--db", tmp_path / "a.db"
    )
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{config},{other}")
    env = cli_json(capsys, "usage", "session", "--db", tmp_path / "b.db")
    assert flags["totals"] == env["totals"]
    assert flags["totals"]["outputTokens"] == sum(r.out for r in REPORT_RESPONSES) + 9
    assert len(env["sessions"]) == 4


# ------------------------------------------------------------------------------------------------- sessions


@pytest.mark.usefixtures("utc_local")
def test_sessions_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = _args(config, tmp_path)
    rows = cli_json(capsys, "sessions", *args)["sessions"]
    assert [r["sessionId"] for r in rows] == [P3, P2, P1]
    assert all(r["state"] == "ended" for r in rows)
    assert rows[2]["title"] == "work on /home/dev/alpha-b"
    assert [r["sessionId"] for r in cli_json(capsys, "sessions", "--limit", "2", *args)["sessions"]] == [P3, P2]
    assert [r["sessionId"] for r in cli_json(capsys, "sessions", "--project", "alpha", *args)["sessions"]] == [P3, P1]
    assert [r["sessionId"] for r in cli_json(capsys, "sessions", "--project", "alpha_b", *args)["sessions"]] == [P3]
    since = cli_json(capsys, "sessions", "--since", "2025-03-11", *args)["sessions"]
    assert [r["sessionId"] for r in since] == [P3, P2]
    assert cli_json(capsys, "sessions", "--since", "2025-05-01", *args)["sessions"] == []


@pytest.mark.usefixtures("utc_local", "wide")
def test_sessions_table(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "sessions", *_args(config, tmp_path))
    assert code == 0
    for session in (P1, P2, P3):
        assert session[:8] in out
    assert "…/dev/beta" in out
    assert f"{sum(r.total for r in REPORT_RESPONSES[2:4]):,}" in out


# ------------------------------------------------------------------------------------------------- usage


def test_usage_session_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    report = cli_json(capsys, "usage", "session", *_args(config, tmp_path))
    rows = report["sessions"]
    assert [r["sessionId"] for r in rows] == [P3, P2, P1]
    for row in rows:
        assert set(row) >= SESSION_ROW_KEYS
    assert set(report["totals"]) == TOTALS_KEYS
    assert report["totals"] == report_totals(REPORT_RESPONSES)
    p1 = rows[2]
    assert {k: p1[k] for k in TOTALS_KEYS} == report_totals(REPORT_RESPONSES[:2])
    assert (p1["models"], p1["filesChanged"], p1["projectPath"]) == ([SONNET_4], 2, "/home/dev/alpha-b")
    assert (p1["firstActivity"], p1["lastActivity"]) == ("2025-03-10T09:00:00.000Z", "2025-03-10T23:30:00.000Z")
    assert set(rows[1]["models"]) == {OPUS_4, SONNET_4}


@pytest.mark.parametrize(("period", "key"), [("daily", "date"), ("weekly", "week"), ("monthly", "month")])
def test_usage_period_json(capsys: Capsys, config: Path, tmp_path: Path, period: str, key: str) -> None:
    report = cli_json(capsys, "usage", period, "--timezone", "UTC", *_args(config, tmp_path))
    rows = report[period]
    assert rows
    labels = {"daily": ["2025-03-10", "2025-03-12", "2025-04-02"], "weekly": ["2025-03-10", "2025-03-31"],
              "monthly": ["2025-03", "2025-04"]}  # fmt: skip
    assert [r[key] for r in rows] == labels[period]
    for row in rows:
        assert {key, *TOTALS_KEYS, "models", "modelBreakdowns"} <= set(row)
    assert set(report["totals"]) == TOTALS_KEYS
    assert report["totals"] == report_totals(REPORT_RESPONSES)


def test_timezone_moves_a_response_near_midnight(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = _args(config, tmp_path)
    utc = cli_json(capsys, "usage", "daily", "--timezone", "UTC", *args)["daily"]
    tokyo = cli_json(capsys, "usage", "daily", "--timezone", "Asia/Tokyo", "--no-scan", *args)["daily"]
    assert {r["date"]: r["outputTokens"] for r in utc}["2025-03-10"] == 1_500
    by_day = {r["date"]: r["outputTokens"] for r in tokyo}
    assert (by_day["2025-03-10"], by_day["2025-03-11"]) == (1_000, 500)
    since = cli_json(capsys, "usage", "daily", "--timezone", "Asia/Tokyo", "--since", "2025-03-11", "--until",
                     "2025-03-11", "--no-scan", *args)  # fmt: skip
    assert [(r["date"], r["outputTokens"]) for r in since["daily"]] == [("2025-03-11", 500)]


def test_usage_blocks_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    report = cli_json(capsys, "usage", "blocks", *_args(config, tmp_path))
    blocks = report["blocks"]
    assert len(blocks) == 4
    for block in blocks:
        assert {"startTime", "endTime", "isActive", "entries", "models", *TOTALS_KEYS} <= set(block)
    assert [b["entries"] for b in blocks] == [1, 1, 2, 1]
    assert report["totals"] == report_totals(REPORT_RESPONSES)


@pytest.mark.usefixtures("wide")
def test_breakdown_table_shows_each_model(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = _args(config, tmp_path)
    code, plain, _ = run_cli(capsys, "usage", "daily", "--timezone", "UTC", *args)
    assert code == 0
    code, broken, _ = run_cli(capsys, "usage", "daily", "--timezone", "UTC", "--breakdown", "--no-scan", *args)
    assert code == 0
    assert "└ sonnet-4" not in plain
    assert "└ opus-4 " in broken  # claude-opus-4-20250514, shortened
    assert broken.count("└ sonnet-4 ") == 3
    opus = REPORT_RESPONSES[2]
    line = next(line for line in broken.splitlines() if "└ opus-4 " in line)
    assert f"{opus.cache_read:,}" in line
    assert f"{opus.total:,}" in line


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("command", ["session", "daily", "weekly", "monthly", "blocks"])
def test_usage_tables_show_the_numbers(capsys: Capsys, config: Path, tmp_path: Path, command: str) -> None:
    code, out, _ = run_cli(capsys, "usage", command, "--timezone", "UTC", *_args(config, tmp_path))
    assert code == 0
    totals = report_totals(REPORT_RESPONSES)
    total_line = next(line for line in out.splitlines() if "Total" in line and "│" in line)
    for field in (*TOKEN_FIELDS, "totalTokens"):
        assert f"{totals[field]:,}" in total_line, field
    assert f"${totals['costUSD'].expected:,.2f}" in total_line
    assert "API-equivalent" in out


def test_no_scan(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = _args(config, tmp_path)
    assert cli_json(capsys, "usage", "session", "--no-scan", *args)["sessions"] == []
    assert len(cli_json(capsys, "usage", "session", *args)["sessions"]) == 3
    write_jsonl(
        transcript(config, "/home/dev/beta", P2),
        [assistant(P2, "2025-03-12T13:00:00.000Z", msg_id="msg_late", u=usage(1, 1_000_000))],
        mode="ab",
    )
    stale = cli_json(capsys, "usage", "session", "--no-scan", *args)
    assert stale["totals"]["outputTokens"] == sum(r.out for r in REPORT_RESPONSES)
    fresh = cli_json(capsys, "usage", "session", *args)
    assert fresh["totals"]["outputTokens"] == sum(r.out for r in REPORT_RESPONSES) + 1_000_000


# ------------------------------------------------------------------------------------------------- unpriced


@pytest.fixture
def unpriced_config(tmp_path: Path) -> Path:
    config = tmp_path / "unpriced"
    session = "55555555-0000-4000-8000-000000000005"
    write_jsonl(
        transcript(config, "/x", session),
        [
            user_prompt(session, "2025-07-01T10:00:00.000Z", "hi", cwd="/x"),
            assistant(session, "2025-07-01T10:00:01.000Z", model=UNKNOWN_MODEL, u=usage(10, 20, 30, 40), cwd="/x"),
        ],
    )
    return config


@pytest.mark.parametrize("command", ["session", "daily", "blocks"])
def test_unknown_model_is_unpriced(capsys: Capsys, unpriced_config: Path, tmp_path: Path, command: str) -> None:
    code, out, err = run_cli(capsys, "usage", command, "--json", *_args(unpriced_config, tmp_path))
    assert code == 0
    report = orjson.loads(out)
    assert report["unpricedModels"] == [UNKNOWN_MODEL]
    assert report["totals"]["costUSD"] is None
    assert report["totals"]["totalTokens"] == 100
    rows = report[{"session": "sessions", "daily": "daily", "blocks": "blocks"}[command]]
    assert rows[0]["costUSD"] is None
    assert "warning" in err
    assert UNKNOWN_MODEL in err


def test_unknown_model_next_to_a_priced_one(
    capsys: Capsys, unpriced_config: Path, config: Path, tmp_path: Path
) -> None:
    report = cli_json(
        capsys, "usage", "daily", "--timezone", "UTC", "--config-dir", unpriced_config, *_args(config, tmp_path)
    )
    assert report["unpricedModels"] == [UNKNOWN_MODEL]
    assert report["totals"]["costUSD"] is None  # never the priced part passed off as the whole
    assert report["totals"]["totalTokens"] == report_totals(REPORT_RESPONSES)["totalTokens"] + 100
    (july,) = [r for r in report["daily"] if r["date"] == "2025-07-01"]
    assert july["costUSD"] is None
    assert july["modelBreakdowns"] == [{"model": UNKNOWN_MODEL, "inputTokens": 10, "outputTokens": 20,
                                        "cacheCreationTokens": 30, "cacheReadTokens": 40, "totalTokens": 100,
                                        "costUSD": None, "priceSource": None}]  # fmt: skip
    priced = [r for r in report["daily"] if r["date"] != "2025-07-01"]
    assert priced and all(r["costUSD"] is not None for r in priced)
    assert {b["priceSource"] for r in priced for b in r["modelBreakdowns"]} == {"anthropic"}


@pytest.fixture
def other_models_config(tmp_path: Path) -> Path:
    """A folder of non-Anthropic sessions: glm-4.6 (Z.AI lists it), MiniMax-M2.1 (only loosely like MiniMax-M2),
    and a session that never got an answer (no tokens)."""
    config = tmp_path / "others"
    glm, minimax, empty = (f"6666666{n}-0000-4000-8000-000000000006" for n in range(3))
    write_jsonl(transcript(config, "/glm", glm), [
        user_prompt(glm, "2025-11-03T10:00:00.000Z", "hi", cwd="/glm"),
        assistant(glm, "2025-11-03T10:00:01.000Z", msg_id="g1", model="glm-4.6", u=usage(1000, 20), cwd="/glm"),
        assistant(glm, "2025-11-03T10:00:02.000Z", msg_id="g2", model="MiniMax-M2.1", u=usage(10, 20), cwd="/glm"),
    ])  # fmt: skip
    write_jsonl(transcript(config, "/glm", minimax), [
        user_prompt(minimax, "2025-11-03T11:00:00.000Z", "hi", cwd="/glm"),
        assistant(minimax, "2025-11-03T11:00:01.000Z", msg_id="m1", model="MiniMax-M2.1", u=usage(10, 20), cwd="/glm"),
    ])  # fmt: skip
    write_jsonl(transcript(config, "/glm", empty), [user_prompt(empty, "2025-11-03T12:00:00.000Z", "hi", cwd="/glm")])
    return config


@pytest.mark.parametrize("command", ["session", "daily", "weekly", "monthly", "blocks"])
def test_a_folder_of_unpriced_sessions_costs_null_not_zero(
    capsys: Capsys, other_models_config: Path, tmp_path: Path, command: str
) -> None:
    report = cli_json(capsys, "usage", command, "--all", *_args(other_models_config, tmp_path)) if command == (
        "session") else cli_json(capsys, "usage", command, *_args(other_models_config, tmp_path))  # fmt: skip
    assert report["totals"]["costUSD"] is None
    assert report["unpricedModels"] == ["MiniMax-M2.1"]
    rows = report[{"session": "sessions"}.get(command, command)]
    assert all(r["costUSD"] is None for r in rows if r["totalTokens"])


def test_usage_session_lists_sessions_without_tokens_only_with_all(
    capsys: Capsys, other_models_config: Path, tmp_path: Path
) -> None:
    args = _args(other_models_config, tmp_path)
    listed = cli_json(capsys, "usage", "session", *args)["sessions"]
    assert len(listed) == 2 and all(s["totalTokens"] for s in listed)
    every = cli_json(capsys, "usage", "session", "--all", "--no-scan", *args)["sessions"]
    assert len(every) == 3
    assert len(cli_json(capsys, "sessions", "--no-scan", *args)["sessions"]) == 3
    code, _, err = run_cli(capsys, "usage", "daily", "--all", *args)
    assert code != 0 and "--all" in err


def test_an_exact_match_elsewhere_is_priced_and_labelled(
    capsys: Capsys, other_models_config: Path, tmp_path: Path
) -> None:
    report = cli_json(capsys, "usage", "daily", "--timezone", "UTC", *_args(other_models_config, tmp_path))
    breakdowns = {b["model"]: b for b in report["daily"][0]["modelBreakdowns"]}
    assert breakdowns["glm-4.6"]["priceSource"] == "zai"
    assert breakdowns["glm-4.6"]["costUSD"] > 0
    assert breakdowns["MiniMax-M2.1"]["priceSource"] is None
    assert breakdowns["MiniMax-M2.1"]["costUSD"] is None


@pytest.mark.usefixtures("wide")
def test_unpriced_in_tables(capsys: Capsys, unpriced_config: Path, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "usage", "session", *_args(unpriced_config, tmp_path))
    assert code == 0
    assert "—" in out  # an unpriced cost
    assert "$0.00" not in out
    assert UNKNOWN_MODEL in err


# ------------------------------------------------------------------------------------------------- bad input


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


# ------------------------------------------------------------------------------------------------- real processes


def _run(env: dict[str, str], *args: str | Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [str(CCDECK), *map(str, args)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_real_process_json(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "session", "--json", *_args(config, tmp_path))
    assert done.returncode == 0, done.stderr
    report = orjson.loads(done.stdout)
    assert report["totals"] == report_totals(REPORT_RESPONSES)
    assert done.stderr == ""


def test_real_process_bad_input(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "Nowhere/Atlantis", *_args(config, tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("ccdeck: error: --timezone")
    assert "Traceback" not in done.stderr


def test_real_process_wide_table(child_env: dict[str, str], config: Path, tmp_path: Path) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "UTC", *_args(config, tmp_path), columns=200)
    assert done.returncode == 0, done.stderr
    totals = report_totals(REPORT_RESPONSES)
    for field in (*TOKEN_FIELDS, "totalTokens"):
        assert f"{totals[field]:,}" in done.stdout, field


def test_real_process_table_through_a_pipe_keeps_the_numbers(
    child_env: dict[str, str], config: Path, tmp_path: Path
) -> None:
    done = _run(child_env, "usage", "daily", "--timezone", "UTC", *_args(config, tmp_path))
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
