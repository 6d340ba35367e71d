"""`progress` lines are never counted: an `agent_progress` line copies a subagent's response (usage, message.id and
requestId included) into its parent's transcript, and the subagent's own file is what counts it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

import synthetic
from core_fixtures import cli_json

TOKENS = {
    "inputTokens": "input_tokens",
    "outputTokens": "output_tokens",
    "cacheCreationTokens": "cache_creation_tokens",
    "cacheReadTokens": "cache_read_tokens",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("progress") / "config"
    manifest = synthetic.generate(out, synthetic.Params(size_mb=3.0, max_file_mb=1.0, seed=11))
    return out, manifest


def progress_data(config: Path) -> list[dict[str, Any]]:
    lines = (orjson.loads(raw) for path in synthetic.iter_transcripts(config) for raw in path.read_bytes().splitlines())
    return [line["data"] for line in lines if line["type"] == "progress"]


def copied_responses(config: Path) -> int:
    """agent_progress lines holding a subagent's response with its usage."""
    nested = (data["message"] for data in progress_data(config) if data["type"] == "agent_progress")
    return sum(1 for message in nested if message["type"] == "assistant" and message["message"]["usage"])


def report_totals(capsys: pytest.CaptureFixture[str], config: Path, db: Path) -> dict[str, int]:
    report = cli_json(capsys, "usage", "daily", "--config-dir", config, "--db", db)
    return {key: report["totals"][key] for key in TOKENS}


def expected_totals(expected: dict[str, int], minus: dict[str, int] | None = None) -> dict[str, int]:
    return {key: expected[ours] - (minus[ours] if minus else 0) for key, ours in TOKENS.items()}


def test_the_corpus_has_every_kind_of_progress_line(corpus: tuple[Path, dict[str, Any]]) -> None:
    config, manifest = corpus
    kinds = {data["type"] for data in progress_data(config)}
    assert kinds >= {"hook_progress", "bash_progress", "mcp_progress", "agent_progress"}
    assert manifest["expectedSubagents"]["responses"] > 0


def test_usage_counts_exactly_the_expected_totals(
    corpus: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, manifest = corpus
    assert report_totals(capsys, config, tmp_path / "db.sqlite") == expected_totals(manifest["expected"])


def test_agent_progress_copies_count_nothing_without_the_subagent_files(
    corpus: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the subagents' own files gone, their responses are counted nowhere, copies in the parents or not."""
    config = tmp_path / "config"
    shutil.copytree(corpus[0], config)
    agent_files = list((config / "projects").rglob("agent-*.jsonl"))
    assert {"subagents" in path.parts for path in agent_files} == {True, False}  # both layouts
    for path in agent_files:
        path.unlink()
    assert copied_responses(config) > 0
    manifest = corpus[1]
    expected = expected_totals(manifest["expected"], manifest["expectedSubagents"])
    assert report_totals(capsys, config, tmp_path / "db.sqlite") == expected
