"""`usage session --json` against totals counted without ccdeck: on a generated config (the generator's own
totals), on transcripts the real CLI writes against the fake API, and on the real corpus in ../shared against the
reference figures of SOURCES.md (ccusage 20.0.24), which skip when ../shared is absent."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import synthetic
from core_fixtures import (
    RATE_LIMITED_ENV,
    RATE_LIMITED_PROMPT,
    TOKEN_FIELDS,
    cli_json,
    cli_transcripts,
    dedup_usage,
    sources_table,
)
from fakeapi import ClaudeRunner
from shared_data import require_shared

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


def _usage(capsys: pytest.CaptureFixture[str], config: Path, db: Path | str, *extra: str) -> dict:
    return cli_json(capsys, "usage", "session", *extra, "--config-dir", config, "--db", db)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def _matches_independent_count(report: dict, config: Path) -> None:
    """Each response once by (message.id, requestId) with its largest output, counted here without ccdeck; the
    session rows add up to the totals."""
    totals, independent = report["totals"], dedup_usage(config)
    assert {f: totals[f] for f in TOKEN_FIELDS} == {f: independent[f] for f in TOKEN_FIELDS}
    assert totals["totalTokens"] == sum(totals[f] for f in TOKEN_FIELDS)
    assert sum(s["responses"] for s in report["sessions"]) == independent["responses"]
    for field in TOKEN_FIELDS:
        assert sum(s[field] for s in report["sessions"]) == totals[field]
    assert report["unpricedModels"] == []


@pytest.fixture
def corpus() -> Path:
    return require_shared("corpus")


# ------------------------------------------------------------------------------------------------- self-made data


def test_generated_config_matches_its_declared_totals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_target: Path | str
) -> None:
    config = tmp_path / "config"
    expected = synthetic.generate(config, synthetic.Params(size_mb=3.0, max_file_mb=0.5, seed=6))["expected"]
    before = _snapshot(config)
    report = _usage(capsys, config, db_target)
    declared = {
        "inputTokens": expected["input_tokens"],
        "outputTokens": expected["output_tokens"],
        "cacheCreationTokens": expected["cache_creation_tokens"],
        "cacheReadTokens": expected["cache_read_tokens"],
    }
    assert {f: report["totals"][f] for f in TOKEN_FIELDS} == declared
    assert report["totals"]["costUSD"] is not None
    _matches_independent_count(report, config)
    assert _snapshot(config) == before  # read in place, never written


@pytest.mark.cli
@pytest.mark.slow
def test_real_cli_transcripts_match_an_independent_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, claude: ClaudeRunner, db_target: Path | str
) -> None:
    config = cli_transcripts(claude)
    report = _usage(capsys, config, db_target)
    _matches_independent_count(report, config)
    assert len(report["sessions"]) == 3
    assert report["totals"]["outputTokens"] > 0
    assert report["totals"]["costUSD"] > 0


@pytest.mark.cli
@pytest.mark.slow
def test_rate_limited_real_cli_run_bills_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, claude: ClaudeRunner, db_target: Path | str
) -> None:
    config = cli_transcripts(claude, [RATE_LIMITED_PROMPT], env=RATE_LIMITED_ENV)
    assert _usage(capsys, config, db_target)["sessions"] == []  # no tokens: listed only with --all
    report = _usage(capsys, config, db_target, "--all")
    assert report["totals"]["totalTokens"] == 0
    assert report["totals"]["costUSD"] == 0.0
    assert report["sessions"]
    assert all(s["apiErrors"] > 0 for s in report["sessions"])
    raw = b"".join(p.read_bytes() for p in (config / "projects").rglob("*.jsonl"))
    assert b"<synthetic>" in raw
    assert orjson.loads(orjson.dumps(report))  # JSON-clean


# ------------------------------------------------------------------------------------------------- the reference


def test_sources_table_is_parsed(corpus: Path) -> None:
    table = sources_table()
    assert set(PUBLIC + CLI_RUNS) <= set(table)
    assert table["public/sniffly"]["outputTokens"] == 19_313
    assert table["cli/happy-2.1.330"]["cacheCreationTokens"] == 0


@pytest.mark.parametrize("folder", PUBLIC)
def test_public_corpus_matches_the_reference(
    capsys: pytest.CaptureFixture[str], db_target: Path | str, corpus: Path, folder: str
) -> None:
    before = _snapshot(corpus / folder)
    report = _usage(capsys, corpus / folder, db_target)
    reference = sources_table()[folder]
    totals = report["totals"]
    for field in TOKEN_FIELDS:
        assert _close(totals[field], reference[field]), (field, totals[field], reference[field])
    assert totals["costUSD"] is not None
    _matches_independent_count(report, corpus / folder)
    assert _snapshot(corpus / folder) == before  # read in place, never written


@pytest.mark.parametrize("folder", CLI_RUNS)
def test_cli_corpus_matches_the_reference(
    capsys: pytest.CaptureFixture[str], db_target: Path | str, corpus: Path, folder: str
) -> None:
    report = _usage(capsys, corpus / folder, db_target)
    reference = sources_table()[folder]
    totals = report["totals"]
    for field in ("inputTokens", "outputTokens", "cacheReadTokens"):
        assert _close(totals[field], reference[field]), (field, totals[field], reference[field])
    # The fake API wrote cache_creation_input_tokens with an all-zero 5m/1h split: ccusage sums the split (0),
    # ccdeck bills cache_creation_input_tokens of each deduplicated response.
    independent = dedup_usage(corpus / folder)
    assert reference["cacheCreationTokens"] == 0
    assert independent["cacheCreationTokens"] > 0
    assert totals["cacheCreationTokens"] == independent["cacheCreationTokens"]
    assert {f: totals[f] for f in TOKEN_FIELDS} == {f: independent[f] for f in TOKEN_FIELDS}
    assert sum(s["responses"] for s in report["sessions"]) == independent["responses"]
    assert len(report["sessions"]) == reference["sessions"]


def test_rate_limited_run_bills_nothing(
    capsys: pytest.CaptureFixture[str], db_target: Path | str, corpus: Path
) -> None:
    # No tokens: the session is listed only with --all.
    assert _usage(capsys, corpus / "cli/err429-2.1.330", db_target)["sessions"] == []
    report = _usage(capsys, corpus / "cli/err429-2.1.330", db_target, "--all")
    assert report["totals"]["totalTokens"] == 0
    assert report["totals"]["costUSD"] == 0.0
    assert report["sessions"]
    assert all(s["models"] == [] for s in report["sessions"])  # the <synthetic> stand-ins are no model
    assert all(s["apiErrors"] > 0 for s in report["sessions"])
    raw = b"".join(p.read_bytes() for p in (corpus / "cli/err429-2.1.330").rglob("*.jsonl"))
    assert b"<synthetic>" in raw
    assert orjson.loads(orjson.dumps(report))  # JSON-clean
