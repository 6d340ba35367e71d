"""The overview's summary on a real store: cost by model and project, the current 5-hour block (responses written
minutes ago, so the block is active now), unpriced parts, and the rate limits `ccdeck statusline` recorded."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck import statusline
from ccdeck.billing_blocks import block_start
from ccdeck.claude.timestamps import iso
from ccdeck.live.hub import Hub
from ccdeck.live.monitor import Monitor
from ccdeck.store.store import Store
from core_fixtures import OPUS_4, SONNET_4, Billed, assistant, report_cost, scan, transcript, usage, write_jsonl
from core_fixtures.database import is_postgres

ALPHA, BETA, GAMMA = "/home/dev/alpha", "/home/dev/beta", "/home/dev/gamma"
A, B, C = ("5a000000-0000-4000-8000-00000000000" + str(i) for i in (1, 2, 3))
UNKNOWN = "claude-mystery-9"
STATUSLINE = Path(__file__).parents[1] / "fixtures" / "statusline"


def _at(minutes_ago: float) -> str:
    return iso((datetime.now(UTC) - timedelta(minutes=minutes_ago)).timestamp()) or ""


def _write(config: Path, cwd: str, responses: list[Billed]) -> None:
    lines = [
        assistant(r.session, r.ts, msg_id=f"m-{r.session[-1]}-{i}", request_id=f"q-{i}", model=r.model, cwd=cwd,
                  u=usage(r.inp, r.out, r.cache_write, r.cache_read, split=False))
        for i, r in enumerate(responses)
    ]  # fmt: skip
    write_jsonl(transcript(config, cwd, responses[0].session), lines)


@pytest.fixture
def world(tmp_path: Path, db_target: Path | str) -> dict[str, Any]:
    """Session A (alpha) answered 10 and 4 minutes ago, with two models; session B (beta) three days ago."""
    a = [Billed(A, _at(10), SONNET_4, 1_000, 2_000, 0, 10_000), Billed(A, _at(4), OPUS_4, 500, 1_500, 2_000, 0)]
    b = [Billed(B, _at(3 * 24 * 60), SONNET_4, 3_000, 4_000, 0, 0)]
    config = tmp_path / "config"
    _write(config, ALPHA, a)
    _write(config, BETA, b)
    return {"config": config, "db": db_target, "a": a, "b": b}


def _summary(world: dict[str, Any]) -> dict[str, Any]:
    scan(world["config"], world["db"])
    store = Store.open(world["db"])
    try:
        monitor = Monitor(store, [world["config"]], Hub(), idle_after=600, rescan_every=30)
        return asyncio.run(monitor.summary())
    finally:
        store.close()


def _shares(rows: list[dict[str, Any]], key: str) -> dict[str, tuple[int, float | None]]:
    return {r[key]: (r["totalTokens"], r["costUSD"]) for r in rows}


def test_cost_by_model_and_project_over_30_days(world: dict[str, Any]) -> None:
    summary = _summary(world)
    a, b = world["a"], world["b"]
    assert [r["model"] for r in summary["costByModel"]] == sorted(
        [SONNET_4, OPUS_4], key=lambda m: -report_cost(r for r in a + b if r.model == m)
    )  # most expensive first
    by_model = _shares(summary["costByModel"], "model")
    assert by_model[SONNET_4] == (a[0].total + b[0].total, pytest.approx(report_cost([a[0], b[0]]), abs=1e-6))
    assert by_model[OPUS_4] == (a[1].total, pytest.approx(report_cost([a[1]]), abs=1e-6))
    assert {r["priceSource"] for r in summary["costByModel"]} == {"anthropic"}
    assert _shares(summary["costByProject"], "projectPath") == {
        ALPHA: (a[0].total + a[1].total, pytest.approx(report_cost(a), abs=1e-6)),
        BETA: (b[0].total, pytest.approx(report_cost(b), abs=1e-6)),
    }
    month = summary["month"]["costUSD"]
    assert sum(r["costUSD"] for r in summary["costByModel"]) == pytest.approx(month, abs=1e-5)
    assert sum(r["costUSD"] for r in summary["costByProject"]) == pytest.approx(month, abs=1e-5)


def test_the_active_block(world: dict[str, Any]) -> None:
    summary = _summary(world)
    block, a = summary["block"], world["a"]
    first = datetime.fromisoformat(a[0].ts).timestamp()
    assert block["startTime"] == iso(block_start(first))
    assert block["isActive"] is True and block["entries"] == 2
    assert block["totalTokens"] == a[0].total + a[1].total  # B, three days ago, is in an older block
    assert block["costUSD"] == pytest.approx(report_cost(a), abs=1e-6)
    minutes = 6.0  # from the first response to the last
    assert block["burnRate"]["tokensPerMinute"] == pytest.approx(block["totalTokens"] / minutes, abs=0.1)
    assert block["burnRate"]["costPerHour"] == pytest.approx(report_cost(a) / minutes * 60, abs=1e-3)
    left = (datetime.fromisoformat(block["endTime"]) - datetime.now(UTC)).total_seconds() / 60
    assert abs(block["projection"]["remainingMinutes"] - left) <= 1
    expected = report_cost(a) + report_cost(a) / minutes * block["projection"]["remainingMinutes"]
    assert block["projection"]["totalCost"] == pytest.approx(expected, rel=1e-2)


def test_no_block_after_five_quiet_hours(tmp_path: Path, db_target: Path | str) -> None:
    config = tmp_path / "config"
    _write(config, ALPHA, [Billed(A, _at(6 * 60), SONNET_4, 1, 1, 0, 0)])
    summary = _summary({"config": config, "db": db_target})
    assert summary["block"] is None
    assert summary["rateLimits"] is None


def test_an_unpriced_model_makes_every_cost_it_is_part_of_null(world: dict[str, Any]) -> None:
    written = datetime.now(UTC) - timedelta(minutes=2)
    _write(world["config"], GAMMA, [Billed(C, _at(2), UNKNOWN, 100, 200, 0, 0)])
    summary = _summary(world)
    by_model = {r["model"]: r for r in summary["costByModel"]}
    assert by_model[UNKNOWN]["costUSD"] is None and by_model[UNKNOWN]["priceSource"] is None
    assert summary["costByModel"][-1]["model"] == UNKNOWN  # unpriced last
    assert by_model[SONNET_4]["costUSD"] is not None
    by_project = _shares(summary["costByProject"], "projectPath")
    assert by_project[GAMMA] == (300, None)
    assert by_project[ALPHA][1] is not None
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    totals = ("today", "week", "month") if written >= midnight else ("week", "month")  # run just after midnight
    for total in totals:
        assert summary[total]["costUSD"] is None
    block = summary["block"]
    assert block["costUSD"] is None
    assert block["burnRate"]["costPerHour"] is None and block["projection"]["totalCost"] is None
    assert block["burnRate"]["tokensPerMinute"] > 0


@pytest.fixture
def recorded(world: dict[str, Any]) -> Iterator[float]:
    """Two status-line records, as `ccdeck statusline` writes them: a subscriber's (rate limits), then a newer one
    of another session without them (an API-key account)."""
    if is_postgres(world["db"]):
        pytest.skip("`ccdeck statusline` records into a SQLite file only (its sqlite3 fast path)")
    scan(world["config"], world["db"])
    now = datetime.now(UTC).timestamp()
    subscriber = orjson.loads((STATUSLINE / "subscriber.json").read_bytes())
    subscriber["rate_limits"]["five_hour"]["resets_at"] = now + 3600
    other = orjson.loads((STATUSLINE / "after_turn.json").read_bytes())
    other["session_id"] = B
    for data, when in ((subscriber, now - 30), (other, now - 10)):
        out = io.StringIO()
        assert statusline.run({"--db": str(world["db"])}, io.BytesIO(orjson.dumps(data)), out, {}, now=when) == 0
    yield now


def test_rate_limits_from_the_newest_record_that_has_them(world: dict[str, Any], recorded: float) -> None:
    subscriber = orjson.loads((STATUSLINE / "subscriber.json").read_bytes())
    limits = subscriber["rate_limits"]
    assert _summary(world)["rateLimits"] == {
        "fiveHour": {"usedPercent": limits["five_hour"]["used_percentage"], "resetsAt": iso(recorded + 3600)},
        "sevenDay": {"usedPercent": limits["seven_day"]["used_percentage"],
                     "resetsAt": iso(limits["seven_day"]["resets_at"])},
        "recordedAt": iso(recorded - 30),
        "sessionId": subscriber["session_id"],
    }  # fmt: skip
