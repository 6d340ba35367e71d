"""Reports of models with no price: the cost is unknown (null, `—`), never zero, and a priced model beside them
keeps its cost."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from core_fixtures import (
    REPORT_RESPONSES,
    assistant,
    cli_json,
    dir_args,
    report_totals,
    run_cli,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)

Capsys = pytest.CaptureFixture[str]
UNKNOWN_MODEL = "acme-llm-1"


@pytest.fixture
def unpriced_config(tmp_path: Path) -> Path:
    config = tmp_path / "unpriced"
    session = "55555555-0000-4000-8000-000000000005"
    write_jsonl(
        transcript(config, "/x", session),
        [
            user_prompt(session, "2025-07-01T10:00:00.000Z", "hi", cwd="/x"),
            assistant(session, "2025-07-01T10:00:01.000Z", model=UNKNOWN_MODEL, u=usage(10, 20, 30, 40), cwd="/x"),
        ],
    )
    return config


@pytest.mark.parametrize("command", ["session", "daily", "blocks"])
def test_unknown_model_is_unpriced(capsys: Capsys, unpriced_config: Path, tmp_path: Path, command: str) -> None:
    code, out, err = run_cli(capsys, "usage", command, "--json", *dir_args(unpriced_config, tmp_path))
    assert code == 0
    report = orjson.loads(out)
    assert report["unpricedModels"] == [UNKNOWN_MODEL]
    assert report["totals"]["costUSD"] is None
    assert report["totals"]["totalTokens"] == 100
    rows = report[{"session": "sessions", "daily": "daily", "blocks": "blocks"}[command]]
    assert rows[0]["costUSD"] is None
    assert "warning" in err
    assert UNKNOWN_MODEL in err


def test_unknown_model_next_to_a_priced_one(
    capsys: Capsys, unpriced_config: Path, config: Path, tmp_path: Path
) -> None:
    report = cli_json(
        capsys, "usage", "daily", "--timezone", "UTC", "--config-dir", unpriced_config, *dir_args(config, tmp_path)
    )
    assert report["unpricedModels"] == [UNKNOWN_MODEL]
    assert report["totals"]["costUSD"] is None  # never the priced part passed off as the whole
    assert report["totals"]["totalTokens"] == report_totals(REPORT_RESPONSES)["totalTokens"] + 100
    (july,) = [r for r in report["daily"] if r["date"] == "2025-07-01"]
    assert july["costUSD"] is None
    assert july["modelBreakdowns"] == [{"model": UNKNOWN_MODEL, "inputTokens": 10, "outputTokens": 20,
                                        "cacheCreationTokens": 30, "cacheReadTokens": 40, "totalTokens": 100,
                                        "costUSD": None, "priceSource": None}]  # fmt: skip
    priced = [r for r in report["daily"] if r["date"] != "2025-07-01"]
    assert priced and all(r["costUSD"] is not None for r in priced)
    assert {b["priceSource"] for r in priced for b in r["modelBreakdowns"]} == {"anthropic"}


@pytest.fixture
def other_models_config(tmp_path: Path) -> Path:
    """A folder of non-Anthropic sessions: glm-4.6 (Z.AI lists it), MiniMax-M2.1 (only loosely like MiniMax-M2),
    and a session that never got an answer (no tokens)."""
    config = tmp_path / "others"
    glm, minimax, empty = (f"6666666{n}-0000-4000-8000-000000000006" for n in range(3))
    write_jsonl(transcript(config, "/glm", glm), [
        user_prompt(glm, "2025-11-03T10:00:00.000Z", "hi", cwd="/glm"),
        assistant(glm, "2025-11-03T10:00:01.000Z", msg_id="g1", model="glm-4.6", u=usage(1000, 20), cwd="/glm"),
        assistant(glm, "2025-11-03T10:00:02.000Z", msg_id="g2", model="MiniMax-M2.1", u=usage(10, 20), cwd="/glm"),
    ])  # fmt: skip
    write_jsonl(transcript(config, "/glm", minimax), [
        user_prompt(minimax, "2025-11-03T11:00:00.000Z", "hi", cwd="/glm"),
        assistant(minimax, "2025-11-03T11:00:01.000Z", msg_id="m1", model="MiniMax-M2.1", u=usage(10, 20), cwd="/glm"),
    ])  # fmt: skip
    write_jsonl(transcript(config, "/glm", empty), [user_prompt(empty, "2025-11-03T12:00:00.000Z", "hi", cwd="/glm")])
    return config


@pytest.mark.parametrize("command", ["session", "daily", "weekly", "monthly", "blocks"])
def test_a_folder_of_unpriced_sessions_costs_null_not_zero(
    capsys: Capsys, other_models_config: Path, tmp_path: Path, command: str
) -> None:
    report = cli_json(capsys, "usage", command, "--all", *dir_args(other_models_config, tmp_path)) if command == (
        "session") else cli_json(capsys, "usage", command, *dir_args(other_models_config, tmp_path))  # fmt: skip
    assert report["totals"]["costUSD"] is None
    assert report["unpricedModels"] == ["MiniMax-M2.1"]
    rows = report[{"session": "sessions"}.get(command, command)]
    assert all(r["costUSD"] is None for r in rows if r["totalTokens"])


def test_usage_session_lists_sessions_without_tokens_only_with_all(
    capsys: Capsys, other_models_config: Path, tmp_path: Path
) -> None:
    args = dir_args(other_models_config, tmp_path)
    listed = cli_json(capsys, "usage", "session", *args)["sessions"]
    assert len(listed) == 2 and all(s["totalTokens"] for s in listed)
    every = cli_json(capsys, "usage", "session", "--all", "--no-scan", *args)["sessions"]
    assert len(every) == 3
    assert len(cli_json(capsys, "sessions", "--no-scan", *args)["sessions"]) == 3
    code, _, err = run_cli(capsys, "usage", "daily", "--all", *args)
    assert code != 0 and "--all" in err


def test_an_exact_match_elsewhere_is_priced_and_labelled(
    capsys: Capsys, other_models_config: Path, tmp_path: Path
) -> None:
    report = cli_json(capsys, "usage", "daily", "--timezone", "UTC", *dir_args(other_models_config, tmp_path))
    breakdowns = {b["model"]: b for b in report["daily"][0]["modelBreakdowns"]}
    assert breakdowns["glm-4.6"]["priceSource"] == "zai"
    assert breakdowns["glm-4.6"]["costUSD"] > 0
    assert breakdowns["MiniMax-M2.1"]["priceSource"] is None
    assert breakdowns["MiniMax-M2.1"]["costUSD"] is None


@pytest.mark.usefixtures("wide")
def test_unpriced_in_tables(capsys: Capsys, unpriced_config: Path, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "usage", "session", *dir_args(unpriced_config, tmp_path))
    assert code == 0
    assert "—" in out  # an unpriced cost
    assert "$0.00" not in out
    assert UNKNOWN_MODEL in err
