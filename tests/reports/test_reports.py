"""Report functions on a real store: periods in time zones, blocks, session rows, filters, totals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ccdeck.claude.timestamps import iso
from ccdeck.errors import UsageError
from ccdeck.models import Totals, cost_of_sums, sum_costs
from ccdeck.reports.blocks import blocks_report
from ccdeck.reports.filters import Filters, parse_date, parse_timezone
from ccdeck.reports.periods import period_report
from ccdeck.reports.session_report import session_report
from ccdeck.store.sqla_reader import SqlaReader
from ccdeck.store.store import Store
from core_fixtures import (
    OPUS_4,
    P1,
    P1_CWD,
    P2,
    P3,
    REPORT_RESPONSES,
    SONNET_4,
    assistant,
    epoch,
    report_totals,
    scan,
    transcript,
    usage,
    write_jsonl,
    write_report_config,
)


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    """The report config scanned into a store, on SQLite and on PostgreSQL."""
    config = tmp_path / "config"
    write_report_config(config)
    scan(config, db_target)
    with Store.open(db_target) as opened:
        yield opened


def _utc(**kw: object) -> Filters:
    return Filters(tz=UTC, **kw)  # type: ignore[arg-type]


def _period(store: Store, period: str, filters: Filters) -> dict:
    with store.read() as conn:
        return period_report(SqlaReader(conn), filters, period)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------- periods


def test_daily_in_utc(store: Store) -> None:
    report = _period(store, "daily", _utc())
    rows = report["daily"]
    assert [r["date"] for r in rows] == ["2025-03-10", "2025-03-12", "2025-04-02"]
    by_day = {
        "2025-03-10": REPORT_RESPONSES[0:2],
        "2025-03-12": REPORT_RESPONSES[2:4],
        "2025-04-02": REPORT_RESPONSES[4:5],
    }
    for row in rows:
        expected = report_totals(by_day[row["date"]])
        assert {k: row[k] for k in expected} == expected
    assert rows[1]["models"] == [OPUS_4, SONNET_4]  # the costlier model first
    assert [b["model"] for b in rows[1]["modelBreakdowns"]] == [OPUS_4, SONNET_4]
    assert rows[1]["modelBreakdowns"][0]["outputTokens"] == 2_000
    assert report["totals"] == report_totals(REPORT_RESPONSES)
    assert report["unpricedModels"] == []


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("UTC", ["2025-03-10", "2025-03-10", "2025-03-12", "2025-03-12", "2025-04-02"]),
        ("Asia/Tokyo", ["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-12", "2025-04-02"]),
        ("America/New_York", ["2025-03-10", "2025-03-10", "2025-03-12", "2025-03-12", "2025-04-01"]),
        ("Asia/Kathmandu", ["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-12", "2025-04-02"]),
    ],
)
def test_daily_follows_the_time_zone(store: Store, zone: str, days: list[str]) -> None:
    rows = _period(store, "daily", Filters(tz=ZoneInfo(zone)))["daily"]
    expected: dict[str, int] = {}
    for day, r in zip(days, REPORT_RESPONSES, strict=True):
        expected[day] = expected.get(day, 0) + r.out
    assert {row["date"]: row["outputTokens"] for row in rows} == expected


def test_quarter_hour_zone_boundary(tmp_path: Path, db_target: Path | str) -> None:
    """Asia/Kathmandu is UTC+5:45: 18:10Z is 23:55 local, 18:20Z is 00:05 the next day."""
    config = tmp_path / "config"
    write_jsonl(
        transcript(config, "/p", P1),
        [
            assistant(P1, "2025-05-01T18:10:00.000Z", msg_id="m1", u=usage(1, 1, 0, 0)),
            assistant(P1, "2025-05-01T18:20:00.000Z", msg_id="m2", u=usage(1, 2, 0, 0)),
        ],
    )
    scan(config, db_target)
    with Store.open(db_target) as store:
        rows = _period(store, "daily", Filters(tz=ZoneInfo("Asia/Kathmandu")))["daily"]
    assert [(r["date"], r["outputTokens"]) for r in rows] == [("2025-05-01", 1), ("2025-05-02", 2)]


def test_weekly_starts_on_monday_and_monthly(store: Store) -> None:
    weekly = _period(store, "weekly", _utc())["weekly"]
    assert [(r["week"], r["outputTokens"]) for r in weekly] == [("2025-03-10", 3_570), ("2025-03-31", 10)]
    monthly = _period(store, "monthly", _utc())["monthly"]
    assert [(r["month"], r["outputTokens"]) for r in monthly] == [("2025-03", 3_570), ("2025-04", 10)]


def test_period_range_and_project_filters(store: Store) -> None:
    tz = UTC
    march_12 = Filters.from_cli("2025-03-11", "2025-03-12", "UTC")
    assert [r["date"] for r in _period(store, "daily", march_12)["daily"]] == ["2025-03-12"]
    assert march_12.since == datetime(2025, 3, 11, tzinfo=tz).timestamp()
    assert march_12.until == datetime(2025, 3, 13, tzinfo=tz).timestamp()  # --until names the last day included
    alpha = _period(store, "daily", _utc(project="alpha"))
    assert alpha["totals"]["outputTokens"] == 1_000 + 500 + 10
    # `_` and `%` are literal characters, not LIKE wildcards.
    assert _period(store, "daily", _utc(project="alpha_b"))["totals"]["outputTokens"] == 10
    assert _period(store, "daily", _utc(project="%"))["totals"]["outputTokens"] == 0


# ------------------------------------------------------------------------------------------------- sessions


def test_session_report_rows(store: Store) -> None:
    with store.read() as conn:
        report = session_report(SqlaReader(conn), _utc())
    rows = report["sessions"]
    assert [r["sessionId"] for r in rows] == [P3, P2, P1]  # newest activity first
    p1 = rows[2]
    assert p1["projectPath"] == P1_CWD
    assert {k: p1[k] for k in report_totals(REPORT_RESPONSES[:2])} == report_totals(REPORT_RESPONSES[:2])
    assert p1["models"] == [SONNET_4]
    assert p1["firstActivity"] == "2025-03-10T09:00:00.000Z"  # the prompt, 5 s before the first response
    assert p1["lastActivity"] == "2025-03-10T23:30:00.000Z"
    assert p1["filesChanged"] == 2
    assert rows[1]["models"] == [OPUS_4, SONNET_4] or rows[1]["models"] == [SONNET_4, OPUS_4]
    assert report["totals"] == report_totals(REPORT_RESPONSES)
    with store.read() as conn:
        assert [r["sessionId"] for r in session_report(SqlaReader(conn), _utc(), limit=2)["sessions"]] == [P3, P2]
        since = Filters.from_cli("2025-03-11", None, "UTC")
        assert [r["sessionId"] for r in session_report(SqlaReader(conn), since)["sessions"]] == [P3, P2]
        assert [r["sessionId"] for r in session_report(SqlaReader(conn), _utc(project="beta"))["sessions"]] == [P2]


# ------------------------------------------------------------------------------------------------- blocks


def test_blocks(store: Store) -> None:
    with store.read() as conn:
        report = blocks_report(SqlaReader(conn), _utc(), now=epoch("2026-01-01T00:00:00+00:00"))
    blocks = report["blocks"]
    assert [b["startTime"] for b in blocks] == [
        "2025-03-10T09:00:00.000Z",
        "2025-03-10T23:00:00.000Z",
        "2025-03-12T12:00:00.000Z",
        "2025-04-02T01:00:00.000Z",
    ]
    assert blocks[0]["endTime"] == "2025-03-10T14:00:00.000Z"
    assert [b["entries"] for b in blocks] == [1, 1, 2, 1]
    assert blocks[2]["actualEndTime"] == "2025-03-12T12:05:00.000Z"
    assert blocks[2]["models"] in ([OPUS_4, SONNET_4], [SONNET_4, OPUS_4])
    assert not any(b["isActive"] for b in blocks)
    assert all(b["burnRate"] is None and b["projection"] is None for b in blocks)
    assert report["totals"] == report_totals(REPORT_RESPONSES)


def test_block_boundaries(tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    times = [
        "2025-06-01T10:20:00.000Z",  # opens a block at 10:00
        "2025-06-01T14:59:00.000Z",  # still inside (ends 15:00)
        "2025-06-01T15:00:00.000Z",  # the block's end: a new block at 15:00
        "2025-06-01T20:30:00.000Z",  # 5.5 h idle: a new block at 20:00
    ]
    write_jsonl(
        transcript(config, "/p", P1),
        [assistant(P1, t, msg_id=f"m{i}", u=usage(1, 100, 0, 0)) for i, t in enumerate(times)],
    )
    scan(config, db_target)
    now = epoch("2025-06-01T21:30:00+00:00")
    with Store.open(db_target) as store, store.read() as conn:
        blocks = blocks_report(SqlaReader(conn), _utc(), now=now)["blocks"]
    assert [(b["startTime"][11:16], b["entries"]) for b in blocks] == [("10:00", 2), ("15:00", 1), ("20:00", 1)]
    active = blocks[-1]
    assert [b["isActive"] for b in blocks] == [False, False, True]
    assert active["burnRate"]["tokensPerMinute"] == 101.0  # one response of 101 tokens: counted over a minute
    assert active["projection"]["remainingMinutes"] == 210
    assert active["projection"]["totalTokens"] == 101 + 101 * 210


# ------------------------------------------------------------------------------------------------- filters, totals


@pytest.mark.parametrize(("text", "day"), [("2025-03-10", date(2025, 3, 10)), ("20250310", date(2025, 3, 10))])
def test_parse_date(text: str, day: date) -> None:
    assert parse_date(text, "--since") == day


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "yesterday", "2025/03/10", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(UsageError, match="--since"):
        parse_date(text, "--since")


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe/", "../etc/passwd", "UTC "])
def test_bad_time_zones(name: str) -> None:
    with pytest.raises(UsageError, match="--timezone"):
        parse_timezone(name)


def test_until_before_since() -> None:
    with pytest.raises(UsageError, match="--until"):
        Filters.from_cli("2025-03-10", "2025-03-09", "UTC")


def test_totals_cost_is_null_once_any_part_is_unpriced() -> None:
    empty = Totals()
    assert empty.cost_usd == 0.0
    unpriced = Totals()
    unpriced.add(1, 2, 3, 4, None, "acme-llm-1")
    assert unpriced.cost_usd is None
    assert unpriced.as_json()["totalTokens"] == 10
    mixed = Totals()
    mixed.add(1, 1, 1, 1, 0.5, SONNET_4)
    mixed.merge(unpriced)
    mixed.add(1, 1, 1, 1, 0.5, SONNET_4)
    assert mixed.cost_usd is None
    assert mixed.unpriced_models == {"acme-llm-1"}
    assert Totals.from_sums(1, 1, 1, 1, 0.5, 1, "glm-9").cost_usd is None
    assert Totals.from_sums(1, 1, 1, 1, None, 0).cost_usd == 0.0


def test_sum_costs_is_the_one_rule() -> None:
    assert sum_costs([]) == 0.0
    assert sum_costs([0.25, 0.5]) == 0.75
    assert sum_costs([0.25, None, 0.5]) is None
    assert cost_of_sums(None, 0) == 0.0
    assert cost_of_sums(1.5, 2) is None


def test_iso() -> None:
    assert iso(epoch("2025-03-10T23:30:00.123+00:00")) == "2025-03-10T23:30:00.123Z"
    assert iso(None) is None
