"""Two machines scanning into one database at the same time, as real processes, on SQLite and on PostgreSQL: each
machine's totals are exactly its own corpus's, the whole is their sum, and a response present on both machines (a
transcript copied from one to the other) counts once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson

import synthetic
from core_fixtures import CCDECK

TOKENS = {  # the report's totals key: the generator's expected key
    "inputTokens": "input_tokens",
    "outputTokens": "output_tokens",
    "cacheCreationTokens": "cache_creation_tokens",
    "cacheReadTokens": "cache_read_tokens",
}


def _scan(db: Path | str, machine: str, config: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [str(CCDECK), "scan", "--db", str(db), "--machine", machine, "--config-dir", str(config)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _totals(db: Path | str, env: dict[str, str], empty: Path, *machines: str) -> dict[str, int]:
    only = ["--machines", ",".join(machines)] if machines else []
    argv = [str(CCDECK), "usage", "daily", "--json", "--no-scan", "--db", str(db), "--config-dir", str(empty), *only]
    done = subprocess.run(argv, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    totals: dict[str, Any] = orjson.loads(done.stdout)["totals"]
    return {key: int(totals[key]) for key in TOKENS}


def _expected(*manifests: dict[str, Any]) -> dict[str, int]:
    return {key: sum(int(m["expected"][theirs]) for m in manifests) for key, theirs in TOKENS.items()}


def test_two_machines_scanning_at_once_keep_exact_totals_and_count_a_shared_response_once(
    db_target: Path | str, child_env: dict[str, str], tmp_path: Path
) -> None:
    config_a, config_b, empty = tmp_path / "a", tmp_path / "b", tmp_path / "empty"
    manifest_a = synthetic.generate(config_a, synthetic.Params(size_mb=1.5, max_file_mb=0.3, seed=21))
    manifest_b = synthetic.generate(config_b, synthetic.Params(size_mb=1.5, max_file_mb=0.3, seed=22))
    (empty / "projects").mkdir(parents=True)

    scans = [_scan(db_target, "a", config_a, child_env), _scan(db_target, "b", config_b, child_env)]
    for scan in scans:
        _, stderr = scan.communicate(timeout=300)
        assert scan.returncode == 0, stderr.decode()

    assert _totals(db_target, child_env, empty, "a") == _expected(manifest_a)
    assert _totals(db_target, child_env, empty, "b") == _expected(manifest_b)
    assert _totals(db_target, child_env, empty) == _expected(manifest_a, manifest_b)

    # One of a's transcripts turns up on b too (the same responses, the same keys): b's scan adds nothing.
    shared = max(synthetic.iter_transcripts(config_a), key=lambda p: p.stat().st_size)
    copy = config_b / shared.relative_to(config_a)
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shared, copy)
    rescan = _scan(db_target, "b", config_b, child_env)
    _, stderr = rescan.communicate(timeout=300)
    assert rescan.returncode == 0, stderr.decode()
    assert _totals(db_target, child_env, empty) == _expected(manifest_a, manifest_b)
    assert _totals(db_target, child_env, empty, "a") == _expected(manifest_a)
    assert _totals(db_target, child_env, empty, "b") == _expected(manifest_b)
