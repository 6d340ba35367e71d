"""Malformed lines: each is a recorded, counted problem, and ingestion goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck.claude.parser import parse_record
from ccdeck.models import Malformed
from claude.parser_lines import T0, S
from core_fixtures import (
    assistant,
    dumps,
    query,
    response_totals,
    scan,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)

GOOD_ASSISTANT = assistant(S, T0, msg_id="msg_good", u=usage(1, 2, 3, 4))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json at all", id="not-json"),
        pytest.param(b'{"type":"assistant","message":', id="cut-json"),
        pytest.param(b"[1, 2, 3]", id="json-array"),
        pytest.param(b'"a string"', id="json-string"),
        pytest.param(b"42", id="json-number"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage(1, "2", 3, 4)}}),
            id="usage-output-string",
        ),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage("1", 2, 3, 4)}}),
            id="usage-input-string",
        ),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage(1, 2, 3, 4.5)}}),
            id="usage-cache-read-float",
        ),
        pytest.param(dumps({**GOOD_ASSISTANT, "message": "hello"}), id="message-string"),
        pytest.param(dumps({**GOOD_ASSISTANT, "type": 7}), id="type-number"),
        pytest.param(dumps({**GOOD_ASSISTANT, "sessionId": 12}), id="session-number"),
    ],
)
def test_malformed_lines(raw: bytes) -> None:
    record = parse_record(raw)
    assert isinstance(record, Malformed)
    assert record.reason


def test_usage_that_is_a_string_is_malformed() -> None:
    line = {**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": "1200 tokens"}}
    assert isinstance(parse_record(dumps(line)), Malformed)


def test_malformed_lines_are_recorded_and_ingestion_goes_on(tmp_path: Path) -> None:
    config = tmp_path / "config"
    path = transcript(config, "/home/dev/proj", S)
    bad_usage = {**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "id": "msg_bad", "usage": usage(1, "x")}}
    lines = [
        dumps(user_prompt(S, T0, "first")),
        b"{this is not json",
        dumps(assistant(S, T0, msg_id="msg_a", request_id="req_a", u=usage(1, 10, 0, 0))),
        b"[1, 2]",
        dumps(bad_usage),
        dumps(assistant(S, T0, msg_id="msg_b", request_id="req_b", u=usage(2, 20, 0, 0))),
    ]
    write_jsonl(path, lines)
    db = tmp_path / "db.sqlite"
    stats = scan(config, db)
    assert stats.problems == 3
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    rows = query(db, "SELECT path, line_no, offset, reason FROM problems ORDER BY line_no")
    assert [(p, n, o) for p, n, o, _ in rows] == [
        (str(path), 2, offsets[1]),
        (str(path), 4, offsets[3]),
        (str(path), 5, offsets[4]),
    ]
    assert all(reason for *_, reason in rows)
    # The lines after each bad one were ingested.
    totals = response_totals(db)
    assert totals["responses"] == 2
    assert totals["outputTokens"] == 30
    # Appending more lines and rescanning does not record the old problems twice.
    write_jsonl(path, [b"also bad"], mode="ab")
    stats = scan(config, db)
    assert stats.problems == 1
    assert len(query(db, "SELECT * FROM problems")) == 4
