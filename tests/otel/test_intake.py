"""Telemetry into the store: sessions known only from telemetry, the one-count rule with transcripts (both orders),
metrics for sessions without events, api errors and activity."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck.otel.decode import decode_logs, decode_metrics
from ccdeck.otel.intake import Intake
from ccdeck.store.rows import BatchResult
from ccdeck.store.store import Store
from ccdeck.store.telemetry import write_telemetry
from core_fixtures import assistant, query, scan, transcript, usage, user_prompt, write_jsonl
from otel.otlp import (
    REQUEST_IDS,
    SESSION_COST,
    SESSION_TOKENS,
    T0,
    api_request,
    event,
    json_body,
    logs,
    session_export,
    usage_metrics,
)

SESSION = "5e551011-0000-4000-8000-000000000001"
USER = {"user.email": "dev@example.com", "user.account_uuid": "acc-1"}
TOKENS = "SELECT input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens FROM sessions"
SUMS = """SELECT SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_creation_tokens)
          FROM responses WHERE session_id = ?"""


def post(db: Path | str, export: dict[str, Any], client: str | None = "10.0.0.7") -> BatchResult:
    """What `POST /v1/logs` or `/v1/metrics` does with an export, without the server."""
    intake = Intake(client)
    if "resourceLogs" in export:
        batch = intake.add_logs(decode_logs(json_body(export), "json"))
    else:
        batch = intake.add_metrics(decode_metrics(json_body(export), "json"))
    with Store.open(db) as store:
        return store.write(functools.partial(write_telemetry, batch=batch))


def session_row(db: Path | str, session: str = SESSION) -> dict[str, Any]:
    columns = ("source", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "cost_usd",
               "responses", "api_errors", "user_email", "user_account", "host", "last_kind", "doing", "config_dir",
               "models")  # fmt: skip
    (row,) = query(db, f"SELECT {', '.join(columns)} FROM sessions WHERE session_id = ?", (session,))
    return dict(zip(columns, row, strict=True))


def counters_match_rows(db: Path | str, session: str = SESSION) -> bool:
    return query(db, TOKENS + " WHERE session_id = ?", (session,)) == query(db, SUMS, (session,))


def the_transcript(config: Path, request_ids: tuple[str, ...] = REQUEST_IDS) -> None:
    """The same turn as `session_export`, as the session's transcript says it."""
    write_jsonl(transcript(config, "/home/dev/proj", SESSION), [
        user_prompt(SESSION, "2026-12-01T21:26:48.000Z", "write hello.txt"),
        assistant(SESSION, "2026-12-01T21:26:49.000Z", msg_id="msg_1", request_id=request_ids[0],
                  u=usage(3, 63, 12418, 0)),
        assistant(SESSION, "2026-12-01T21:26:52.000Z", msg_id="msg_2", request_id=request_ids[1],
                  u=usage(1, 20, 72, 12473)),
    ])  # fmt: skip


def test_a_session_known_only_from_telemetry(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    result = post(db, session_export(SESSION, user=USER))
    assert result.touched_sessions == {SESSION}
    assert len(result.new_rows) == 2
    row = session_row(db)
    assert row["source"] == "telemetry"
    assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"], row["cache_creation_tokens"]) == (
        SESSION_TOKENS
    )
    assert row["cost_usd"] == pytest.approx(SESSION_COST)  # the events' cost_usd
    assert row["responses"] == 2
    assert (row["user_email"], row["user_account"], row["host"]) == ("dev@example.com", "acc-1", "10.0.0.7")
    assert row["config_dir"] == ""
    assert orjson.loads(row["models"]) == ["claude-sonnet-4-5"]
    assert counters_match_rows(db)


def test_the_same_export_twice_counts_once(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, session_export(SESSION))
    again = post(db, session_export(SESSION))
    assert again.new_rows == ()
    assert session_row(db)["responses"] == 2
    assert counters_match_rows(db)


def test_telemetry_first_then_the_transcript_counts_each_response_once(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    post(db, session_export(SESSION, user=USER))
    the_transcript(config)
    stats = scan(config, db)
    assert stats.new_responses == 0  # told of already, by telemetry
    row = session_row(db)
    assert row["source"] == "transcript"
    assert row["responses"] == 2
    assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"], row["cache_creation_tokens"]) == (
        SESSION_TOKENS
    )
    assert row["user_email"] == "dev@example.com"  # what telemetry said stays
    assert query(db, "SELECT key FROM responses ORDER BY key") == [(f"msg_1:{REQUEST_IDS[0]}",),
                                                                  (f"msg_2:{REQUEST_IDS[1]}",)]  # fmt: skip
    assert counters_match_rows(db)


def test_transcript_first_then_telemetry_adds_nothing(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    the_transcript(config)
    scan(config, db)
    before = session_row(db)
    result = post(db, session_export(SESSION, user=USER))
    assert result.new_rows == ()
    after = session_row(db)
    assert after["source"] == "transcript"
    assert after["responses"] == 2
    assert [after[k] for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")] == [
        before[k] for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
    ]
    assert after["host"] == "10.0.0.7"
    assert counters_match_rows(db)


def test_half_told_each_way_counts_every_response_once(tmp_path: Path, db_target: Path | str) -> None:
    """Telemetry tells of the first response only, the transcript of both: two responses, not three."""
    config, db = tmp_path / "config", db_target
    post(db, logs(api_request(SESSION, 5, T0, REQUEST_IDS[0], tokens=(3, 63, 0, 12418))))
    the_transcript(config)
    scan(config, db)
    post(db, session_export(SESSION))
    assert session_row(db)["responses"] == 2
    assert counters_match_rows(db)


def test_metrics_count_only_for_a_session_without_events(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, usage_metrics(SESSION, T0, (4, 80, 10, 20), 0.25))
    post(db, usage_metrics(SESSION, T0 + 5, (1, 3, 0, 0), 0.05))  # deltas add up
    row = session_row(db)
    assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"], row["cache_creation_tokens"]) == (
        5, 83, 10, 20)  # fmt: skip
    assert row["cost_usd"] == pytest.approx(0.30)
    assert row["source"] == "telemetry"
    # Its events arrive: they count, and the metrics no longer do.
    post(db, session_export(SESSION))
    row = session_row(db)
    assert row["responses"] == 2
    assert row["output_tokens"] == SESSION_TOKENS[1]
    # Later metrics of a session with events add nothing.
    post(db, usage_metrics(SESSION, T0 + 9, (100, 100, 100, 100), 1.0))
    assert session_row(db)["output_tokens"] == SESSION_TOKENS[1]
    assert counters_match_rows(db)


def test_cumulative_metrics_replace_rather_than_add(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, usage_metrics(SESSION, T0, (4, 80, 10, 20), 0.25, temporality=2))
    post(db, usage_metrics(SESSION, T0 + 5, (5, 90, 10, 20), 0.30, temporality=2))
    row = session_row(db)
    assert (row["input_tokens"], row["output_tokens"]) == (5, 90)
    assert row["cost_usd"] == pytest.approx(0.30)


def test_a_transcript_replaces_rows_built_from_metrics(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    post(db, usage_metrics(SESSION, T0, (4, 83, 12473, 12490), 0.07))
    the_transcript(config)
    scan(config, db)
    row = session_row(db)
    assert row["responses"] == 2
    assert (row["input_tokens"], row["output_tokens"], row["cache_read_tokens"], row["cache_creation_tokens"]) == (
        SESSION_TOKENS
    )


def test_api_errors_and_activity(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, logs(
        event("user_prompt", SESSION, 1, T0, prompt="<REDACTED>"),
        event("api_error", SESSION, 2, T0 + 1, error="Overloaded", status_code="529", model="claude-sonnet-4-5"),
        event("tool_decision", SESSION, 3, T0 + 2, decision="accept", tool_name="Bash"),
    ))  # fmt: skip
    row = session_row(db)
    assert row["api_errors"] == 1
    assert (row["last_kind"], row["doing"]) == ("tool_use", "Bash")
    post(db, logs(event("tool_decision", SESSION, 4, T0 + 3, decision="reject", tool_name="Write")))
    row = session_row(db)
    assert (row["last_kind"], row["doing"]) == ("answer", None)  # a refused tool ends the turn
    post(db, logs(event("api_error", SESSION, 2, T0 + 1, error="Overloaded")))  # sent again
    assert session_row(db)["api_errors"] == 1


def test_host_name_from_the_resource_wins_over_the_address(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, logs(api_request(SESSION, 5, T0, "req_x", tokens=(1, 2, 3, 4)), host="build-7"))
    assert session_row(db)["host"] == "build-7"
    # The host is the machine its rows came from: `--machines build-7` takes them.
    assert query(db, "SELECT machine FROM sessions UNION ALL SELECT machine FROM responses") == [("build-7",)] * 2


def test_a_response_without_cost_is_priced_like_ingest_prices_it(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    post(db, logs(api_request(SESSION, 5, T0, "req_x", tokens=(1000, 2000, 0, 0), cost=None)))
    row = session_row(db)
    assert row["cost_usd"] is not None and row["cost_usd"] > 0


def test_records_without_a_session_are_left_out(tmp_path: Path) -> None:
    record = event("api_request", SESSION, 1, T0, request_id="req_y", input_tokens=1)
    record["attributes"] = [a for a in record["attributes"] if a["key"] != "session.id"]
    intake = Intake(None)
    assert not intake.add_logs(decode_logs(json_body(logs(record)), "json")).sessions


def test_outsized_names_are_cut_or_refused(tmp_path: Path, db_target: Path | str) -> None:
    db = db_target
    huge = "x" * 10_000
    post(db, logs(api_request(SESSION, 5, T0, "req_z", tokens=(1, 2, 3, 4),
                              user={"user.email": huge}), host=huge))  # fmt: skip
    row = session_row(db)
    assert len(row["user_email"]) == len(row["host"]) == 200
    post(db, logs(api_request(huge, 5, T0, "req_w", tokens=(1, 2, 3, 4))))
    post(db, logs(api_request(SESSION, 6, T0, huge, tokens=(1, 2, 3, 4))))
    assert query(db, "SELECT COUNT(*) FROM sessions") == [(1,)]
    assert session_row(db)["responses"] == 1
