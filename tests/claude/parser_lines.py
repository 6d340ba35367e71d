"""What the parser tests (tests/claude/test_parser_*.py) share: a session id, a start time, and one line parsed."""

from __future__ import annotations

from ccdeck.claude.parser import parse_record
from ccdeck.claude.records import Record
from core_fixtures import dumps

S = "11111111-2222-4333-8444-555555555555"
T0 = "2025-08-01T10:00:00.000Z"


def parsed(obj: dict | bytes) -> Record:
    record = parse_record(obj if isinstance(obj, bytes) else dumps(obj))
    assert isinstance(record, Record), record
    return record
