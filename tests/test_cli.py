"""The `ccdeck` command line in-process (through `ccdeck.cli.main`): scan, sessions and the usage reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_fixtures import (
    OPUS_4,
    P1,
    P2,
    P3,
    REPORT_RESPONSES,
    SONNET_4,
    TOKEN_FIELDS,
    assistant,
    cli_json,
    dir_args,
    report_totals,
    run_cli,
    transcript,
    usage,
    write_jsonl,
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


# ------------------------------------------------------------------------------------------------- scan


def test_scan_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    stats = cli_json(capsys, "scan", *dir_args(config, tmp_path))
    assert {"files", "bytes", "lines", "newResponses", "problems", "seconds"} <= set(stats)
    size = sum(p.stat().st_size for p in config.rglob("*.jsonl"))
    assert (stats["files"], stats["bytes"], stats["newResponses"], stats["problems"]) == (3, size, 5, 0)
    assert stats["lines"] == len(REPORT_RESPONSES) + 3
    assert isinstance(stats["seconds"], float)
    again = cli_json(capsys, "scan", *dir_args(config, tmp_path))
    assert (again["files"], again["bytes"], again["lines"], again["newResponses"]) == (3, 0, 0, 0)


def test_scan_table(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "scan", *dir_args(config, tmp_path))
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
    args = dir_args(config, tmp_path)
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
    code, out, _ = run_cli(capsys, "sessions", *dir_args(config, tmp_path))
    assert code == 0
    for session in (P1, P2, P3):
        assert session[:8] in out
    assert "…/dev/beta" in out
    assert f"{sum(r.total for r in REPORT_RESPONSES[2:4]):,}" in out


# ------------------------------------------------------------------------------------------------- usage


def test_usage_session_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    report = cli_json(capsys, "usage", "session", *dir_args(config, tmp_path))
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
    report = cli_json(capsys, "usage", period, "--timezone", "UTC", *dir_args(config, tmp_path))
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
    args = dir_args(config, tmp_path)
    utc = cli_json(capsys, "usage", "daily", "--timezone", "UTC", *args)["daily"]
    tokyo = cli_json(capsys, "usage", "daily", "--timezone", "Asia/Tokyo", "--no-scan", *args)["daily"]
    assert {r["date"]: r["outputTokens"] for r in utc}["2025-03-10"] == 1_500
    by_day = {r["date"]: r["outputTokens"] for r in tokyo}
    assert (by_day["2025-03-10"], by_day["2025-03-11"]) == (1_000, 500)
    since = cli_json(capsys, "usage", "daily", "--timezone", "Asia/Tokyo", "--since", "2025-03-11", "--until",
                     "2025-03-11", "--no-scan", *args)  # fmt: skip
    assert [(r["date"], r["outputTokens"]) for r in since["daily"]] == [("2025-03-11", 500)]


def test_usage_blocks_json(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    report = cli_json(capsys, "usage", "blocks", *dir_args(config, tmp_path))
    blocks = report["blocks"]
    assert len(blocks) == 4
    for block in blocks:
        assert {"startTime", "endTime", "isActive", "entries", "models", *TOTALS_KEYS} <= set(block)
    assert [b["entries"] for b in blocks] == [1, 1, 2, 1]
    assert report["totals"] == report_totals(REPORT_RESPONSES)


@pytest.mark.usefixtures("wide")
def test_breakdown_table_shows_each_model(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = dir_args(config, tmp_path)
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
    code, out, _ = run_cli(capsys, "usage", command, "--timezone", "UTC", *dir_args(config, tmp_path))
    assert code == 0
    totals = report_totals(REPORT_RESPONSES)
    total_line = next(line for line in out.splitlines() if "Total" in line and "│" in line)
    for field in (*TOKEN_FIELDS, "totalTokens"):
        assert f"{totals[field]:,}" in total_line, field
    assert f"${totals['costUSD'].expected:,.2f}" in total_line
    assert "API-equivalent" in out


def test_no_scan(capsys: Capsys, config: Path, tmp_path: Path) -> None:
    args = dir_args(config, tmp_path)
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
