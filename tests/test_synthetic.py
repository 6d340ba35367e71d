"""The synthetic config dir generator (tests/synthetic/) the tests and the benchmarks make their data with."""

from __future__ import annotations

import subprocess
from pathlib import Path

import synthetic
import synthetic_check
from core_fixtures import PYTHON, REPO, response_totals, scan


def test_self_check_finds_no_problem(tmp_path: Path) -> None:
    assert synthetic_check.self_check(tmp_path) == []


def test_a_generated_config_ingests_to_the_totals_it_declares(tmp_path: Path) -> None:
    config = tmp_path / "config"
    manifest = synthetic.generate(config, synthetic.Params(size_mb=2.0, max_file_mb=0.5, seed=3))
    db = tmp_path / "db.sqlite"
    stats = scan(config, db)
    expected = manifest["expected"]
    assert stats.problems == 0
    assert response_totals(db) == {
        "responses": expected["responses"],
        "inputTokens": expected["input_tokens"],
        "outputTokens": expected["output_tokens"],
        "cacheCreationTokens": expected["cache_creation_tokens"],
        "cacheReadTokens": expected["cache_read_tokens"],
    }


def test_the_benchmarks_command_line_writes_the_same_corpus(child_env: dict[str, str], tmp_path: Path) -> None:
    params = synthetic.Params(size_mb=0.5, max_file_mb=0.2, seed=4)
    synthetic.generate(tmp_path / "here", params)
    argv = [str(PYTHON), "-m", "bench.generate", str(tmp_path / "bench"), "--size-mb", "0.5", "--max-file-mb", "0.2",
            "--seed", "4"]  # fmt: skip
    subprocess.run(argv, cwd=REPO, env=dict(child_env), check=True, capture_output=True)
    assert synthetic.tree_digest(tmp_path / "bench") == synthetic.tree_digest(tmp_path / "here")
