"""The exports Claude Code 2.1.330 sent (recorded against the fake API, `../shared/reference/live/otel/`), replayed
in order: each session's tokens and cost are the sums of its api_request events, and its metrics add nothing."""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from ccdeck.otel.decode import decode_logs, decode_metrics
from ccdeck.otel.intake import Intake
from ccdeck.store.store import Store
from ccdeck.store.telemetry import write_telemetry
from core_fixtures import query
from shared_data import shared_params

RECORDINGS = ("otlp_http_json_posts.jsonl", "otlp_interactive_posts.jsonl", "otlp_no_beta_flag_posts.jsonl")
PARTS = ("reference", "live", "otel")


def _posts(path: Path) -> list[dict[str, Any]]:
    return [post for line in path.read_bytes().splitlines() if "path" in (post := orjson.loads(line))]


def _expected(posts: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Session -> [input, output, cache read, cache creation, cost] summed over its api_request events."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    for post in posts:
        if post["path"] != "/v1/logs":
            continue
        for event in decode_logs(orjson.dumps(post["body"]), "json"):
            if event.name == "claude_code.api_request":
                a, total = event.attributes, sums[event.attributes["session.id"]]
                for i, key in enumerate(("input_tokens", "output_tokens", "cache_read_tokens",
                                         "cache_creation_tokens", "cost_usd")):  # fmt: skip
                    total[i] += a[key]
    return sums


@pytest.mark.parametrize("recording", shared_params(lambda folder: [folder / name for name in RECORDINGS], *PARTS))
def test_replayed_exports_count_each_response_once(recording: Path, db_target: Path | str) -> None:
    posts = _posts(recording)
    db = db_target
    with Store.open(db) as store:
        for post in posts:
            body, intake = orjson.dumps(post["body"]), Intake("127.0.0.1")
            if post["path"] == "/v1/logs":
                batch = intake.add_logs(decode_logs(body, "json"))
            elif post["path"] == "/v1/metrics":
                batch = intake.add_metrics(decode_metrics(body, "json"))
            else:
                continue
            store.write(functools.partial(write_telemetry, batch=batch))
    expected = _expected(posts)
    assert expected
    stored = query(db, """SELECT session_id, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
                                 cost_usd, source FROM sessions""")  # fmt: skip
    assert {row[0] for row in stored} == set(expected)
    for sid, inp, out, cache_read, cache_creation, cost, source in stored:
        assert [inp, out, cache_read, cache_creation] == expected[sid][:4]
        assert cost == pytest.approx(expected[sid][4])
        assert source == "telemetry"
