"""`ccdeck statusline`: recorded status-line inputs (tests/fixtures/statusline), real SQLite files built by a real
scan, a database locked by another connection, and the real console script as a child process."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck import config, paths, statusline
from ccdeck.reports.blocks import blocks_report
from ccdeck.reports.filters import Filters
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import (
    CCDECK,
    PYTHON,
    SONNET_4,
    Billed,
    assistant,
    epoch,
    query,
    report_cost,
    run_env,
    scan,
    transcript,
    usage,
    write_jsonl,
)

FIXTURES = Path(__file__).parent / "fixtures" / "statusline"
SESSION = "92710321-1be7-40d4-8e9c-3ea951ff8c4a"  # the recorded session
NOW = epoch("2025-03-12T13:40:00+00:00")
OTHER = "55555555-0000-4000-8000-000000000005"
YESTERDAY = Billed(OTHER, "2025-03-11T20:00:00.000Z", SONNET_4, 1_000, 10_000, 0, 0)
# Blocks as `usage blocks` draws them: 02:00-07:00 (02:10, 04:00, 06:30), 08:00-13:00 (08:00, 10:00, 12:30) and
# 13:00-18:00 (13:10), with no five idle hours between 02:10 and now: finding the current block must look back
# past the first window to the gap after yesterday's response.
TODAY = tuple(
    Billed(OTHER, f"2025-03-12T{hhmm}:00.000Z", SONNET_4, 2_000 * (i + 1), 20_000 * (i + 1), 0, 0)
    for i, hhmm in enumerate(("02:10", "04:00", "06:30", "08:00", "10:00", "12:30", "13:10"))
)
ALL_FIELDS = "{model} | {session_cost} | {context_pct} | {block_left} | {block_cost} | {today_cost} | {five_hour} | " \
    "{seven_day} | {lines} | {dir}"  # fmt: skip


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def subscriber(resets_in: float) -> bytes:
    data = orjson.loads(fixture("subscriber.json"))
    data["rate_limits"]["five_hour"]["resets_at"] = NOW + resets_in
    return orjson.dumps(data)


def usd(value: float) -> str:
    return f"${value:,.2f}"


def run(raw: bytes, db: Path, fmt: str | None = None, now: float = NOW) -> str:
    """The command in-process with a fixed clock; returns what it printed."""
    out = io.StringIO()
    options = {"--db": str(db)} | ({"--format": fmt} if fmt else {})
    assert statusline.run(options, io.BytesIO(raw), out, {}, now=now) == 0
    return out.getvalue()


@pytest.fixture
def store_db(tmp_path: Path) -> Path:
    """A real store holding yesterday's response and today's seven, ingested from transcripts."""
    config_dir, db = tmp_path / "config", tmp_path / "ccdeck.db"
    lines = [
        assistant(r.session, r.ts, msg_id=f"msg_{i}", request_id=f"req_{i}", u=usage(r.inp, r.out), model=r.model)
        for i, r in enumerate((YESTERDAY, *TODAY))
    ]
    write_jsonl(transcript(config_dir, "/home/dev/proj", OTHER), lines)
    assert scan(config_dir, db).new_responses == 8
    return db


def statusline_rows(db: Path) -> list[tuple[Any, ...]]:
    return query(
        db,
        "SELECT session_id, updated_at, model, version, cwd, cost_usd, lines_added, lines_removed, context_used_pct,"
        " context_window_size, five_hour_used_pct, five_hour_resets_at, seven_day_used_pct, seven_day_resets_at"
        " FROM statusline",
    )


# ------------------------------------------------------------------------------------------------- from stdin alone


def test_recorded_inputs_without_a_database(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    assert run(fixture("after_turn.json"), db) == "Opus 5.5 · $0.65 session · ctx 2%\n"
    assert run(fixture("first_call.json"), db) == "Opus 5.5 · $0.00 session\n"
    assert run(fixture("after_turn.json"), db, ALL_FIELDS) == "Opus 5.5 | $0.65 session | ctx 2% | +2 -0 | work\n"
    assert not db.exists()


def test_rate_limits_from_a_subscribers_input(tmp_path: Path) -> None:
    line = run(subscriber(3600 + 125), tmp_path / "missing.db", ALL_FIELDS)
    assert line == "Opus 5.5 | $0.65 session | ctx 2% | 1h02m left | 5h 24% | 7d 41% | +2 -0 | work\n"


def test_malformed_input_prints_a_minimal_line(tmp_path: Path) -> None:
    for raw in (b"", b"not json", b"[1, 2]", b'{"model": 3, "cost": {"total_cost_usd": "x"}}', b"\xff\xfe"):
        assert run(raw, tmp_path / "missing.db") == "ccdeck\n"


def test_format_rules() -> None:
    texts = {"model": "Opus", "session_cost": "", "today_cost": "$1.00 today"}
    assert statusline.render("{model} · {session_cost} · {today_cost}", texts) == "Opus · $1.00 today"
    assert statusline.render("{session_cost} · {model}", texts) == "Opus"
    assert statusline.render("[{model}] {typo}", texts) == "[Opus] {typo}"
    assert statusline.render("{session_cost}", texts) == "ccdeck"
    assert statusline.render("cost {model", texts) == "cost {model"


def test_fast_options() -> None:
    assert statusline.fast_options([]) == {}
    assert statusline.fast_options(["--format", "{model}", "--db=x.db"]) == {"--format": "{model}", "--db": "x.db"}
    for args in (["install"], ["--help"], ["--format"], ["--verbose"]):
        assert statusline.fast_options(args) is None


def test_database_path_matches_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config.DB.env == paths.DB_ENV
    for env in ({}, {"XDG_DATA_HOME": str(tmp_path / "xdg")}, {"CCDECK_DB": str(tmp_path / "c.db")}):
        for key in ("XDG_DATA_HOME", "CCDECK_DB"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert paths.db_path(os.environ) == str(config.Config.resolve().db)
    assert paths.db_path({"CCDECK_DB": "/a.db"}, "/b.db") == "/b.db"


# ------------------------------------------------------------------------------------------------- with a store


@pytest.mark.usefixtures("utc_local")
def test_today_and_block_from_the_store(store_db: Path) -> None:
    line = run(fixture("after_turn.json"), store_db)
    block_cost, today_cost = report_cost(TODAY[-1:]), report_cost(TODAY)
    assert (
        line == f"Opus 5.5 · $0.65 session · ctx 2% · 4h20m left · {usd(block_cost)} block · {usd(today_cost)} today\n"
    )
    store = Store.open(store_db)
    try:
        with store.read() as conn:
            report = blocks_report(SqlaReader(conn), Filters.from_cli(None, None, "UTC"), now=NOW)
    finally:
        store.close()
    active = [b for b in report["blocks"] if b["isActive"]]  # type: ignore[attr-defined]
    assert [(b["startTime"], b["costUSD"]) for b in active] == [("2025-03-12T13:00:00.000Z", round(block_cost, 6))]


@pytest.mark.usefixtures("utc_local")
def test_block_after_five_idle_hours_and_outside_any_block(store_db: Path) -> None:
    later = NOW + 3 * 3600  # 16:40: still in the 13:00 block
    assert "1h20m left" in run(fixture("after_turn.json"), store_db, now=later)
    after = epoch("2025-03-12T18:30:00+00:00")  # the 13:00 block is over, nothing opened the next
    assert run(fixture("after_turn.json"), store_db, "{block_left} {block_cost} {today_cost}", now=after) == (
        f"{usd(report_cost(TODAY))} today\n"
    )


@pytest.mark.usefixtures("utc_local")
def test_rate_limit_window_sets_the_block(store_db: Path) -> None:
    """Claude Code's own 5-hour window (resets 14:40, so it began 09:40) wins over the computed block."""
    line = run(subscriber(3600), store_db, "{block_left} {block_cost} {five_hour}")
    assert line == f"1h00m left {usd(report_cost(TODAY[4:]))} block 5h 24%\n"


@pytest.mark.usefixtures("utc_local")
def test_the_record_written(store_db: Path) -> None:
    run(subscriber(3600), store_db)
    cwd = "/home/dev/runs/t134/work"
    expected = (SESSION, NOW, "claude-opus-5-5", "2.1.330", cwd, 0.6491132, 2, 0, 2.0, 1_000_000, 23.5, NOW + 3600,
                41.0, 1796590000.0)  # fmt: skip
    assert statusline_rows(store_db) == [expected]
    run(fixture("after_turn.json"), store_db, now=NOW + 60)  # one row per session, the newest input
    assert statusline_rows(store_db) == [(*expected[:1], NOW + 60, *expected[2:10], None, None, None, None)]
    run(b"not json", store_db)  # no session: nothing recorded
    assert len(statusline_rows(store_db)) == 1


@pytest.mark.usefixtures("utc_local")
def test_older_schema_prints_and_records_nothing(store_db: Path) -> None:
    conn = sqlite3.connect(store_db)
    conn.executescript("DROP TABLE statusline; UPDATE alembic_version SET version_num = '0002';")
    conn.close()
    line = run(fixture("after_turn.json"), store_db, "{model} {today_cost}")
    assert line == f"Opus 5.5 {usd(report_cost(TODAY))} today\n"
    assert query(store_db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'statusline'") == [(0,)]


def test_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not SQLite" * 100)
    assert run(fixture("after_turn.json"), db) == "Opus 5.5 · $0.65 session · ctx 2%\n"
    assert db.read_bytes() == b"this is not SQLite" * 100


# ------------------------------------------------------------------------------------------------- the real command


def ccdeck_statusline(env: dict[str, str], raw: bytes, db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = env | {"CCDECK_DB": str(db), "TZ": "UTC"}
    return subprocess.run(
        [CCDECK, "statusline", *args], check=False, input=raw, env=env, capture_output=True, timeout=60
    )


def test_console_script(child_env: dict[str, str], tmp_path: Path) -> None:
    done = ccdeck_statusline(child_env, fixture("after_turn.json"), tmp_path / "missing.db")
    assert (done.returncode, done.stdout, done.stderr) == (0, "Opus 5.5 · $0.65 session · ctx 2%\n".encode(), b"")
    done = ccdeck_statusline(child_env, b"{oops", tmp_path / "missing.db", "--format", "{model} {dir}")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"ccdeck\n", b"")


def test_locked_database(child_env: dict[str, str], store_db: Path) -> None:
    """Another connection holds the write lock: the line still comes (WAL readers go on), the record is dropped
    after the short busy timeout, and the next call records."""
    holder = sqlite3.connect(store_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = ccdeck_statusline(child_env, fixture("after_turn.json"), store_db, "--format", "{model} {session_cost}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (done.returncode, done.stdout, done.stderr) == (0, b"Opus 5.5 $0.65 session\n", b"")
    assert statusline_rows(store_db) == []
    assert ccdeck_statusline(child_env, fixture("after_turn.json"), store_db).returncode == 0
    assert [row[0] for row in statusline_rows(store_db)] == [SESSION]


def test_no_heavy_imports() -> None:
    """The status line never loads the command line's stack (Typer, Rich, SQLAlchemy, the web server)."""
    code = (
        "import io, sys; from ccdeck import entry; sys.stdin = io.TextIOWrapper(io.BytesIO(b'{}'));"
        "entry.main(['statusline']);"
        "print(sorted(m for m in ('typer', 'click', 'rich', 'sqlalchemy', 'fastapi', 'alembic', 'ccdeck.cli',"
        " 'ccdeck.config') if m in sys.modules))"
    )
    env = run_env() | {"CCDECK_DB": "/nonexistent/ccdeck.db"}
    done = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, timeout=60, check=True)
    assert done.stdout == b"ccdeck\n[]\n"


def test_python_m_and_the_full_command_line(child_env: dict[str, str], tmp_path: Path) -> None:
    env = child_env | {"CCDECK_DB": str(tmp_path / "missing.db")}
    raw = fixture("after_turn.json")
    runs = {
        (sys.executable, "-m", "ccdeck", "statusline"): "Opus 5.5 · $0.65 session · ctx 2%\n",
        (str(CCDECK), "-v", "statusline", "--format", "{model}"): "Opus 5.5\n",  # through Typer
    }
    for argv, expected in runs.items():
        done = subprocess.run(argv, check=False, input=raw, env=env, capture_output=True, timeout=120)
        assert (done.returncode, done.stdout.decode()) == (0, expected), done.stderr
