"""`ccdeck search` in-process: JSON shape, table, exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ccdeck.store.search import MARK_END, MARK_START, MAX_QUERY_CHARS
from core_fixtures import assistant, cli_json, run_cli, transcript, user_prompt, write_jsonl

SID = "5e55a000-0000-4000-8000-0000000000c1"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    root = tmp_path / "config"
    write_jsonl(transcript(root, "/home/dev/zoo", SID), [
        user_prompt(SID, "2025-03-10T10:00:00Z", "rename the [bold]wombat[/bold] <b>module</b>", cwd="/home/dev/zoo"),
        assistant(SID, "2025-03-10T10:00:05Z", msg_id="m1", cwd="/home/dev/zoo",
                  content=[{"type": "text", "text": "Renamed the wombat module."}]),
    ])  # fmt: skip
    return root


def _args(config: Path, tmp_path: Path) -> list[Any]:
    return ["--config-dir", config, "--db", tmp_path / "c.db"]


def test_search_json(config: Path, tmp_path: Path, capsys: Any) -> None:
    report = cli_json(capsys, "search", "wombat", *_args(config, tmp_path))
    assert report["total"] == 2
    first, second = report["results"]
    assert set(first) == {"sessionId", "projectPath", "title", "kind", "snippet", "timestamp"}
    assert (first["kind"], first["timestamp"], first["sessionId"]) == ("answer", "2025-03-10T10:00:05.000Z", SID)
    assert first["snippet"] == f"Renamed the {MARK_START}wombat{MARK_END} module."
    assert second["kind"] == "prompt" and first["projectPath"] == "/home/dev/zoo"
    limited = cli_json(capsys, "search", "wombat", "--limit", "1", "--no-scan", *_args(config, tmp_path))
    assert limited["total"] == 2 and len(limited["results"]) == 1
    other = cli_json(capsys, "search", "wombat", "--project", "elsewhere", "--no-scan", *_args(config, tmp_path))
    assert other == {"results": [], "total": 0}


def test_search_table_shows_text_literally(config: Path, tmp_path: Path, capsys: Any) -> None:
    code, out, err = run_cli(capsys, "search", "module", *_args(config, tmp_path))
    assert code == 0, err
    assert "2 matches" in out and "[bold]wombat[/bold]" in out and "<b>module</b>" in out


@pytest.mark.parametrize("text", ['"', "NEAR(", "AND OR", "*", "日本語 🦘", "x" * 500])
def test_hostile_queries_exit_0(config: Path, tmp_path: Path, capsys: Any, text: str) -> None:
    code, _out, err = run_cli(capsys, "search", text, "--json", *_args(config, tmp_path))
    assert code == 0 and err == ""


def test_bad_queries_exit_2_with_one_line(config: Path, tmp_path: Path, capsys: Any) -> None:
    code, out, err = run_cli(capsys, "search", "x" * (MAX_QUERY_CHARS + 1), *_args(config, tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "c.db").exists()  # refused before the scan
    code, _, err = run_cli(capsys, "search", "wombat", "--limit", "0", *_args(config, tmp_path))
    assert code == 2 and "Traceback" not in err
