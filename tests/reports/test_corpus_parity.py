"""`usage session --json` on the real corpus against the reference figures of SOURCES.md (ccusage 20.0.24)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from core_fixtures import CORPUS, TOKEN_FIELDS, cli_json, dedup_usage, sources_table

PUBLIC = [
    "public/sniffly",
    "public/claude-code-viewer",
    "public/jeedavey-poc",
    "public/claude-sovereign",
    "public/lushanoperera",
]
CLI_RUNS = ["cli/happy-2.1.330", "cli/parallel-8-2.1.330"]
TOLERANCE = 0.005


def _close(got: int, want: float) -> bool:
    return abs(got - want) <= TOLERANCE * want


def _usage(capsys: pytest.CaptureFixture[str], folder: str, tmp_path: Path, *extra: str) -> dict:
    db = tmp_path / "db.sqlite"
    return cli_json(capsys, "usage", "session", *extra, "--config-dir", CORPUS / folder, "--db", db)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_sources_table_is_parsed() -> None:
    table = sources_table()
    assert set(PUBLIC + CLI_RUNS) <= set(table)
    assert table["public/sniffly"]["outputTokens"] == 19_313
    assert table["cli/happy-2.1.330"]["cacheCreationTokens"] == 0


@pytest.mark.parametrize("folder", PUBLIC)
def test_public_corpus_matches_the_reference(capsys: pytest.CaptureFixture[str], tmp_path: Path, folder: str) -> None:
    before = _snapshot(CORPUS / folder)
    report = _usage(capsys, folder, tmp_path)
    reference = sources_table()[folder]
    totals = report["totals"]
    for field in TOKEN_FIELDS:
        assert _close(totals[field], reference[field]), (field, totals[field], reference[field])
    assert totals["totalTokens"] == sum(totals[f] for f in TOKEN_FIELDS)
    assert totals["costUSD"] is not None
    assert report["unpricedModels"] == []
    # Each response once by (message.id, requestId) with its largest output, counted here without ccdeck.
    independent = dedup_usage(CORPUS / folder)
    assert {f: totals[f] for f in TOKEN_FIELDS} == {f: independent[f] for f in TOKEN_FIELDS}
    assert sum(s["responses"] for s in report["sessions"]) == independent["responses"]
    # The session rows add up to the totals.
    for field in TOKEN_FIELDS:
        assert sum(s[field] for s in report["sessions"]) == totals[field]
    assert _snapshot(CORPUS / folder) == before  # read in place, never written


@pytest.mark.parametrize("folder", CLI_RUNS)
def test_cli_corpus_matches_the_reference(capsys: pytest.CaptureFixture[str], tmp_path: Path, folder: str) -> None:
    report = _usage(capsys, folder, tmp_path)
    reference = sources_table()[folder]
    totals = report["totals"]
    for field in ("inputTokens", "outputTokens", "cacheReadTokens"):
        assert _close(totals[field], reference[field]), (field, totals[field], reference[field])
    # The fake API wrote cache_creation_input_tokens with an all-zero 5m/1h split: ccusage sums the split (0),
    # ccdeck bills cache_creation_input_tokens of each deduplicated response.
    independent = dedup_usage(CORPUS / folder)
    assert reference["cacheCreationTokens"] == 0
    assert independent["cacheCreationTokens"] > 0
    assert totals["cacheCreationTokens"] == independent["cacheCreationTokens"]
    assert {f: totals[f] for f in TOKEN_FIELDS} == {f: independent[f] for f in TOKEN_FIELDS}
    assert sum(s["responses"] for s in report["sessions"]) == independent["responses"]
    assert len(report["sessions"]) == reference["sessions"]


def test_rate_limited_run_bills_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _usage(capsys, "cli/err429-2.1.330", tmp_path)["sessions"] == []  # no tokens: listed only with --all
    report = _usage(capsys, "cli/err429-2.1.330", tmp_path, "--all")
    assert report["totals"]["totalTokens"] == 0
    assert report["totals"]["costUSD"] == 0.0
    assert report["sessions"]
    assert all(s["models"] == [] for s in report["sessions"])  # the <synthetic> stand-ins are no model
    assert all(s["apiErrors"] > 0 for s in report["sessions"])
    raw = b"".join(p.read_bytes() for p in (CORPUS / "cli/err429-2.1.330").rglob("*.jsonl"))
    assert b"<synthetic>" in raw
    assert orjson.loads(orjson.dumps(report))  # JSON-clean
