"""The usage pass's fast parse gives exactly what `parse_record(..., detail=False)` gives, line for line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import synthetic
from ccdeck.claude.parser import parse_record
from ccdeck.claude.usage_line import parse_usage_record
from core_fixtures import assistant, dumps, usage

S = "66666666-7777-4888-9999-aaaaaaaaaaaa"
T = "2025-08-04T10:00:00.000Z"


def _line(**changes: Any) -> bytes:
    line = assistant(S, T, msg_id="msg_x", request_id="req_x", u=usage(1, 2, 30, 4, one_hour=10))
    for key, value in changes.items():
        if value is _DROP:
            line.pop(key, None)
        else:
            line[key] = value
    return dumps(line)


def _usage_line(**changes: Any) -> bytes:
    line = assistant(S, T, msg_id="msg_y", u=usage(1, 2, 30, 4, one_hour=10))
    line["message"]["usage"].update(changes)
    return dumps(line)


_DROP = object()
EDGES = [
    _line(),
    _line(type=_DROP),  # the oldest transcripts: no type, but usage
    _line(sessionId=_DROP, session_id=S),
    _line(sessionId=""),
    _line(sessionId=7),
    _line(timestamp=None),
    _line(timestamp="not a time"),
    _line(timestamp="9999-12-31T23:59:59Z"),
    _line(timestamp=1754301600),
    _line(uuid=_DROP),
    _line(uuid=5),
    _line(cwd=["x"]),
    _line(isSidechain=True),
    _line(isSidechain=True, agentId="a1"),
    _line(isApiErrorMessage=True),
    _line(requestId=3),
    _line(message="text"),
    _line(message=None),
    _line(message={"model": "<synthetic>", "usage": {"output_tokens": 1}}),
    _line(message={"model": 5, "usage": {"output_tokens": 1}}),
    _line(message={"model": "claude-sonnet-4-20250514", "usage": "many"}),
    _line(message={"model": "claude-sonnet-4-20250514", "id": "", "usage": {}}),
    _usage_line(input_tokens=-1),
    _usage_line(output_tokens=10**10),
    _usage_line(output_tokens=True),
    _usage_line(output_tokens=2.0),
    _usage_line(output_tokens=None),
    _usage_line(output_tokens="3"),
    _usage_line(cache_creation={"ephemeral_1h_input_tokens": 31}),
    _usage_line(cache_creation="split"),
    _usage_line(cache_creation={"ephemeral_1h_input_tokens": None}),
    _usage_line(server_tool_use={"web_search_requests": 2}),
    _usage_line(server_tool_use=[]),
    _usage_line(speed="fast"),
    dumps({"type": "progress", "data": {"message": {"usage": {"output_tokens": 1}}}, "sessionId": S}),
    dumps({"type": "user", "sessionId": S, "timestamp": T, "toolUseResult": {"usage": {"input_tokens": 1}}}),
    dumps({"type": "system", "sessionId": S, "timestamp": T, "usage": 1}),
    dumps([{"usage": 1}]),
    b'{"type":"assistant","usage":',
]


@pytest.mark.parametrize("raw", EDGES, ids=range(len(EDGES)))
def test_edge_lines_parse_as_parse_record_does(raw: bytes) -> None:
    assert parse_usage_record(raw, S) == parse_record(raw, S, detail=False)


def test_a_generated_corpus_parses_as_parse_record_does(tmp_path: Path) -> None:
    config = tmp_path / "config"
    synthetic.generate(config, synthetic.Params(size_mb=1.0, max_file_mb=0.3, seed=31))
    checked = 0
    for path in sorted(config.rglob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            if b'"usage"' in raw:
                assert parse_usage_record(raw, S) == parse_record(raw, S, detail=False), raw[:200]
                checked += 1
    assert checked > 100
