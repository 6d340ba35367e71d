"""A usage line with impossible token counts or an unusable time is a counted problem, never a stored response."""

from __future__ import annotations

from typing import Any

import pytest

from ccdeck.claude.message import MAX_TOKENS
from ccdeck.claude.parser import parse_record
from ccdeck.models import Malformed
from core_fixtures import assistant, dumps, usage

S = "33333333-4444-4555-8666-777777777777"
TS = "2025-08-01T10:00:00.000Z"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("output_tokens", -5),
        ("input_tokens", 1.5),
        ("input_tokens", 2.0),
        ("cache_read_input_tokens", "100"),
        ("output_tokens", True),
        ("output_tokens", False),
        ("input_tokens", MAX_TOKENS + 1),
        ("cache_creation_input_tokens", 10**18),
    ],
)
def test_impossible_token_counts_make_the_line_malformed(field: str, value: Any) -> None:
    line = parse_record(dumps(assistant(S, TS, u=usage(1, 2, 3, 4) | {field: value})))
    assert isinstance(line, Malformed)
    assert field in line.reason


def test_more_one_hour_tokens_than_written_is_malformed() -> None:
    line = parse_record(dumps(assistant(S, TS, u=usage(1, 2, 10, 4, one_hour=11))))
    assert isinstance(line, Malformed)


def test_the_largest_plausible_count_is_kept() -> None:
    line = parse_record(dumps(assistant(S, TS, u=usage(MAX_TOKENS, 0, 0, 0))))
    assert not isinstance(line, Malformed)
    assert line.response is not None and line.response.usage.input == MAX_TOKENS


@pytest.mark.parametrize("timestamp", ["yesterday", "2025-13-45T00:00:00Z", None, 1e300, -1, [1]])
def test_a_usage_line_without_a_usable_time_is_malformed(timestamp: Any) -> None:
    line = assistant(S, TS)
    if timestamp is None:
        del line["timestamp"]
    else:
        line["timestamp"] = timestamp
    parsed = parse_record(dumps(line))
    assert isinstance(parsed, Malformed)
    assert "timestamp" in parsed.reason


def test_a_line_without_usage_or_model_needs_no_time() -> None:
    bare = {"type": "assistant", "message": {"usage": {"input_tokens": 1, "output_tokens": 2}}}  # no model: no response
    parsed = parse_record(dumps(bare))
    assert not isinstance(parsed, Malformed)
    assert parsed.response is None
