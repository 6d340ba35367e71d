"""The line parser on every line of whole files: generated configs, the transcripts the real CLI writes and the
reference corpus (when ../shared is there); line types it knows, passes through and counts."""

from __future__ import annotations

from pathlib import Path

import pytest

import synthetic
from ccdeck.claude.parser import parse_record
from ccdeck.claude.records import Record
from ccdeck.models import Malformed
from claude.parser_lines import T0, S, parsed
from core_fixtures import (
    assistant,
    cli_transcripts,
    response_totals,
    scan,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)
from fakeapi import ClaudeRunner
from shared_data import require_shared, shared_params


def malformed_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, reason) of each line of `path` the parser finds malformed; every line must parse to a record."""
    lines = path.read_bytes().split(b"\n")
    assert lines, path
    malformed = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        record = parse_record(raw, path.stem)
        assert isinstance(record, Record | Malformed)
        if isinstance(record, Malformed):
            malformed.append((number, record.reason))
    return malformed


def test_every_generated_line_parses(tmp_path: Path) -> None:
    config = tmp_path / "config"
    synthetic.generate(config, synthetic.Params(size_mb=3.0, max_file_mb=0.5, seed=2))
    paths = list(synthetic.iter_transcripts(config))
    assert any("subagents" in p.parts for p in paths) and any(p.name.startswith("agent-") for p in paths)
    assert {p.name: malformed_lines(p) for p in paths} == {p.name: [] for p in paths}


@pytest.mark.cli
@pytest.mark.slow
def test_every_line_the_real_cli_writes_parses(claude: ClaudeRunner) -> None:
    paths = sorted((cli_transcripts(claude) / "projects").rglob("*.jsonl"))
    assert len(paths) == 3
    assert {p.name: malformed_lines(p) for p in paths} == {p.name: [] for p in paths}
    records = [parse_record(raw, p.stem) for p in paths for raw in p.read_bytes().splitlines()]
    assert sum(1 for r in records if isinstance(r, Record) and r.response is not None) >= 5


def _corpus_params(corpus: Path) -> list[object]:
    return [pytest.param(p, id=str(p.relative_to(corpus))) for p in sorted(corpus.rglob("*.jsonl"))]


@pytest.mark.parametrize("path", shared_params(_corpus_params, "corpus"))
def test_every_corpus_line_parses(path: Path) -> None:
    # Real Claude Code output: nothing in it is malformed.
    assert malformed_lines(path) == []


def test_corpus_is_present() -> None:
    assert len(list(require_shared("corpus").rglob("*.jsonl"))) > 50


# ------------------------------------------------------------------------------------------------- line types


def test_unknown_type_passes_through() -> None:
    record = parsed({"type": "brand-new-kind", "sessionId": S, "payload": [1, 2, 3]})
    assert record.type == "brand-new-kind"
    assert record.known is False
    assert record.session_id == S
    assert record.response is None


@pytest.mark.parametrize("kind", ["attachment", "progress", "queue-operation", "cost-state", "api-request-shape"])
def test_passive_types_are_known(kind: str) -> None:
    record = parsed({"type": kind, "sessionId": S, "data": {"x": 1}})
    assert record.type == kind
    assert record.known is True


def test_unknown_types_are_counted_by_the_scan(tmp_path: Path) -> None:
    config = tmp_path / "config"
    write_jsonl(
        transcript(config, "/home/dev/proj", S),
        [
            user_prompt(S, T0, "hello"),
            {"type": "brand-new-kind", "sessionId": S},
            assistant(S, T0, u=usage(5, 6, 7, 8)),
            {"type": "brand-new-kind", "sessionId": S},
            {"type": "other-new-kind"},
            {"type": "progress", "data": {}},
        ],
    )
    stats = scan(config, tmp_path / "db.sqlite")
    assert dict(stats.unknown_types) == {"brand-new-kind": 2, "other-new-kind": 1}
    assert stats.problems == 0
    assert response_totals(tmp_path / "db.sqlite")["outputTokens"] == 6
