"""Copies of one response: the same copy wins wherever they meet (in a batch, across batches, across parse workers,
across scans)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from ccdeck.claude.pricing import Pricer
from ccdeck.ingest import pipeline, tailer
from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.models import TokenUsage
from ccdeck.store.store import Store
from core_fixtures import (
    OPUS_4,
    SONNET_4,
    Json,
    assistant,
    epoch,
    query,
    session_row,
    transcript,
    usage,
    write_jsonl,
)

A = "aaaaaaaa-0000-4000-8000-00000000000a"
B = "bbbbbbbb-0000-4000-8000-00000000000b"
CWD = "/home/dev/gateway"

_RESPONSE_ROWS = "SELECT * FROM responses ORDER BY key"
_SESSION_ROWS = "SELECT * FROM sessions ORDER BY session_id"
_PLACES = ("one batch", "two batches", "two scans", "parse workers")


def _scan(config: Path, db: Path, **options: Any) -> ScanStats:
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan([config])
    finally:
        store.close()


def _small_batches(monkeypatch: pytest.MonkeyPatch, chunk_bytes: int = 1024, batch_bytes: int = 1) -> None:
    """Each chunk of `chunk_bytes` (whole lines) its own batch: copies in different chunks meet in the store."""
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(pipeline, "read_chunks", functools.partial(tailer.read_chunks, chunk_bytes=chunk_bytes))
    monkeypatch.setattr(pipeline, "BATCH_BYTES", batch_bytes)


def _cost(model: str, u: Json, ts: str) -> float | None:
    tokens = TokenUsage(u["input_tokens"], u["output_tokens"], u["cache_creation_input_tokens"],
                        u["cache_read_input_tokens"], u["cache_creation_input_tokens"], 0)  # fmt: skip
    return Pricer().cost(model, tokens, epoch(ts))


# ------------------------------------------------------------------------------------------------- the rule


def _gateway_copies() -> list[Json]:
    """A response through a gateway: `output_tokens: 1` on every copy, a placeholder input on the first only."""
    placeholder = usage(4, 1, 0, 0, split=False)
    real = usage(1_500, 1, 2_000, 40_000, split=False)
    return [
        assistant(A, f"2025-09-01T10:00:0{i}.000Z", msg_id="msg_gw", request_id=None, u=u,
                  content=[{"type": "text", "text": f"block {i} " + "x" * 1500}])
        for i, u in enumerate((placeholder, real, real))
    ]  # fmt: skip


@pytest.mark.parametrize("place", _PLACES)
def test_on_equal_output_the_copy_with_the_most_input_and_cache_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: str
) -> None:
    config, db = tmp_path / "config", tmp_path / "db.sqlite"
    path = transcript(config, CWD, A)
    first, *rest = _gateway_copies()
    options: dict[str, Any] = {}
    if place != "one batch":
        _small_batches(monkeypatch)  # each line (1.5 kB) is a chunk of its own, hence a batch of its own
    if place == "parse workers":
        options = {"pool_bytes": 0, "workers": 2}
    if place == "two scans":
        write_jsonl(path, [first])
        _scan(config, db)
        write_jsonl(path, rest, mode="ab")
    else:
        write_jsonl(path, [first, *rest])
    _scan(config, db, **options)
    ((key, session, ts, inp, out, cc, cr, cost),) = query(
        db, "SELECT key, session_id, ts, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
        " cost_usd FROM responses"
    )  # fmt: skip
    assert (key, session, inp, out, cc, cr) == ("msg_gw", A, 1_500, 1, 2_000, 40_000)
    assert ts == epoch(rest[0]["timestamp"])  # the first of the equal copies
    assert cost == pytest.approx(_cost(SONNET_4, rest[0]["message"]["usage"], rest[0]["timestamp"]))
    assert session_row(db, A)["input_tokens"] == 1_500


def test_a_bigger_copy_read_later_replaces_the_whole_row(tmp_path: Path) -> None:
    """What one scan of both files would store: the bigger copy's row in full (tokens, cost, time, session), and
    both sessions' aggregates follow."""
    config, db = tmp_path / "config", tmp_path / "db.sqlite"
    early = assistant(A, "2025-09-01T10:00:05.000Z", msg_id="msg_1", request_id="req_1", u=usage(3, 10, 0, 500))
    late_ts = "2025-09-02T23:59:00.000Z"
    big = usage(30, 400, 6_000, 90_000, one_hour=1_000)
    late = assistant(B, late_ts, msg_id="msg_1", request_id="req_1", model=OPUS_4, u=big)
    write_jsonl(transcript(config, CWD, A), [early])
    _scan(config, db)
    write_jsonl(transcript(config, CWD, B), [late])
    _scan(config, db)
    one_pass = tmp_path / "one-pass.sqlite"
    _scan(config, one_pass)
    assert query(db, _RESPONSE_ROWS) == query(one_pass, _RESPONSE_ROWS)
    ((session, ts, model, *tokens, cost),) = query(
        db, "SELECT session_id, ts, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
        " cache_5m_tokens, cache_1h_tokens, cost_usd FROM responses"
    )  # fmt: skip
    assert (session, ts, model, tokens) == (B, epoch(late_ts), OPUS_4, [30, 400, 6_000, 90_000, 5_000, 1_000])
    assert cost is not None and cost > 0
    assert (session_row(db, A)["responses"], session_row(db, A)["output_tokens"]) == (0, 0)
    assert (session_row(db, B)["responses"], session_row(db, B)["input_tokens"]) == (1, 30)
    assert session_row(db, B)["cost_usd"] == pytest.approx(cost)
