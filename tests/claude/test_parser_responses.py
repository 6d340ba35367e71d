"""Responses: their fields and usage, one response in several lines counted once, what is not billed, tool uses
and the files they change."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck.claude.parser import parse_record
from ccdeck.claude.records import Record
from claude.parser_lines import T0, S, parsed
from core_fixtures import (
    OPUS_4,
    SONNET_4,
    assistant,
    dumps,
    query,
    response_totals,
    scan,
    session_row,
    tool_result,
    tool_use,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)


def test_response_fields() -> None:
    line = assistant(
        S, T0, msg_id="msg_x", request_id="req_x", model=OPUS_4,
        u=usage(3, 400, 5000, 60000, one_hour=1000, server_tool_use={"web_search_requests": 2}),
        agentId="a1b2c3",
    )  # fmt: skip
    record = parsed(line)
    r = record.response
    assert r is not None
    assert r.key == "msg_x:req_x"
    assert r.session_id == S
    assert r.agent_id == "a1b2c3"
    assert r.model == OPUS_4
    assert r.timestamp == 1754042400.0
    u = r.usage
    assert (u.input, u.output, u.cache_creation, u.cache_read) == (3, 400, 5000, 60000)
    assert (u.cache_5m, u.cache_1h, u.web_search) == (4000, 1000, 2)
    assert u.total == 3 + 400 + 5000 + 60000


def test_usage_without_split_is_all_five_minute() -> None:
    r = parsed(assistant(S, T0, u=usage(1, 2, 3000, 4, split=False))).response
    assert r is not None
    assert (r.usage.cache_5m, r.usage.cache_1h) == (3000, 0)


def test_session_hint_fills_a_missing_session_id() -> None:
    line = assistant(None, T0, u=usage(1, 2, 3, 4))
    record = parse_record(dumps(line), "hinted-session")
    assert isinstance(record, Record)
    assert record.response is not None
    assert record.response.session_id == "hinted-session"


def test_session_id_snake_case() -> None:
    line = assistant(None, T0, u=usage(1, 2, 3, 4), session_id=S)
    assert parsed(line).response.session_id == S  # type: ignore[union-attr]


def _blocks_of_one_response(outputs: list[int]) -> list[dict]:
    blocks = [
        {"type": "thinking", "thinking": "Let me look.", "signature": "sig"},
        {"type": "text", "text": "I will edit the file."},
        tool_use("Edit", {"file_path": "/home/dev/proj/a.py", "old_string": "a", "new_string": "b"}),
    ]
    return [
        assistant(S, T0, msg_id="msg_multi", request_id="req_multi", u=usage(7, out, 100, 2000), content=[block])
        for block, out in zip(blocks, outputs, strict=True)
    ]


@pytest.mark.parametrize("outputs", [[1, 1, 57], [57, 1, 1], [3, 57, 12]])
def test_one_response_in_several_lines_counts_once_with_the_largest_output(tmp_path: Path, outputs: list[int]) -> None:
    lines = _blocks_of_one_response(outputs)
    keys = {parsed(line).response.key for line in lines}  # type: ignore[union-attr]
    assert keys == {"msg_multi:req_multi"}
    config = tmp_path / "config"
    write_jsonl(transcript(config, "/home/dev/proj", S), [user_prompt(S, T0, "go"), *lines])
    db = tmp_path / "db.sqlite"
    stats = scan(config, db)
    assert stats.new_responses == 1
    assert response_totals(db) == {
        "responses": 1,
        "inputTokens": 7,
        "outputTokens": 57,
        "cacheCreationTokens": 100,
        "cacheReadTokens": 2000,
    }
    row = session_row(db, S)
    assert (row["output_tokens"], row["responses"]) == (57, 1)


def test_larger_copy_arriving_in_a_later_scan_replaces_the_partial_one(tmp_path: Path) -> None:
    from ccdeck.claude.pricing import Pricer
    from ccdeck.models import TokenUsage

    config = tmp_path / "config"
    path = transcript(config, "/home/dev/proj", S)
    first, second, third = _blocks_of_one_response([2, 3, 90])
    write_jsonl(path, [user_prompt(S, T0, "go"), first, second])
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert session_row(db, S)["output_tokens"] == 3
    write_jsonl(path, [third], mode="ab")
    stats = scan(config, db)
    assert stats.new_responses == 0
    row = session_row(db, S)
    assert row["output_tokens"] == 90
    expected = Pricer().cost(SONNET_4, TokenUsage(7, 90, 100, 2000, 100, 0), 1754042400.0)
    assert row["cost_usd"] == pytest.approx(expected, rel=1e-9)
    assert query(db, "SELECT cost_usd FROM responses")[0][0] == pytest.approx(expected, rel=1e-9)


def test_synthetic_model_is_not_billed(tmp_path: Path) -> None:
    line = assistant(
        S, T0, model="<synthetic>", msg_id="msg_syn", u=usage(0, 0, 0, 0),
        content=[{"type": "text", "text": "API Error: 429 rate limited"}],
    )  # fmt: skip
    record = parsed(line)
    assert record.response is None
    assert [(e.kind, e.is_error) for e in record.events] == [("api_error", True)]
    assert "429" in record.events[0].text
    config = tmp_path / "config"
    write_jsonl(transcript(config, "/p", S), [user_prompt(S, T0, "hi"), line])
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert response_totals(db)["responses"] == 0
    row = session_row(db, S)
    assert (row["api_errors"], row["models"], row["unpriced_models"]) == (1, "[]", "[]")
    assert row["cost_usd"] == 0.0


def test_api_error_message_is_not_billed() -> None:
    line = assistant(
        S, T0, model=SONNET_4, u=usage(10, 10, 10, 10), isApiErrorMessage=True,
        content=[{"type": "text", "text": "API Error: Request was aborted."}],
    )  # fmt: skip
    record = parsed(line)
    assert record.response is None
    assert record.events[0].kind == "api_error"
    assert record.events[0].is_error is True


@pytest.mark.parametrize(
    ("name", "tool_input", "path"),
    [
        ("Edit", {"file_path": "/p/a.py", "old_string": "x", "new_string": "y"}, "/p/a.py"),
        ("Write", {"file_path": "/p/b.py", "content": "print()"}, "/p/b.py"),
        ("MultiEdit", {"file_path": "/p/c.py", "edits": []}, "/p/c.py"),
        ("NotebookEdit", {"notebook_path": "/p/d.ipynb", "new_source": "1"}, "/p/d.ipynb"),
        ("Read", {"file_path": "/p/e.py"}, None),
        ("Bash", {"command": "echo hi > /p/f.py"}, None),
    ],
)
def test_tool_use_paths(name: str, tool_input: dict, path: str | None) -> None:
    line = assistant(S, T0, content=[tool_use(name, tool_input, "toolu_1")])
    (tool,) = parsed(line).tool_uses
    assert (tool.id, tool.name, tool.path, tool.session_id) == ("toolu_1", name, path, S)


def test_files_changed_counts_distinct_paths_from_tools_and_snapshots(tmp_path: Path) -> None:
    config = tmp_path / "config"
    cwd = "/home/dev/proj"
    lines = [
        user_prompt(S, T0, "edit things", cwd=cwd),
        assistant(S, T0, msg_id="m1", content=[tool_use("Edit", {"file_path": f"{cwd}/a.py"})]),
        assistant(S, T0, msg_id="m2", content=[tool_use("Write", {"file_path": f"{cwd}/b.py"})]),
        assistant(S, T0, msg_id="m3", content=[tool_use("MultiEdit", {"file_path": f"{cwd}/a.py"})]),
        assistant(S, T0, msg_id="m4", content=[tool_use("NotebookEdit", {"notebook_path": f"{cwd}/n.ipynb"})]),
        assistant(S, T0, msg_id="m5", content=[tool_use("Read", {"file_path": f"{cwd}/r.py"})]),
        {
            "type": "file-history-snapshot",
            "messageId": "x",
            "snapshot": {"messageId": "x", "trackedFileBackups": {"b.py": {}, "c.py": {}}, "timestamp": T0},
            "isSnapshotUpdate": False,
        },
    ]
    write_jsonl(transcript(config, cwd, S), lines)
    db = tmp_path / "db.sqlite"
    scan(config, db)
    # a.py, b.py, n.ipynb from tools; c.py (and b.py again) from the snapshot, relative to the cwd.
    assert session_row(db, S)["files_changed"] == 4
    assert session_row(db, S)["tool_uses"] == 5


@pytest.mark.parametrize("tool", ["Task", "Agent"])
def test_usage_inside_task_results_is_not_counted(tmp_path: Path, tool: str) -> None:
    summary = {
        "status": "completed",
        "content": [{"type": "text", "text": "Found 3 files."}],
        "totalDurationMs": 5000,
        "totalTokens": 123456,
        "totalToolUseCount": 3,
        "usage": usage(500, 900, 10000, 100000),
    }
    result_line = tool_result(S, T0, "toolu_task", "Found 3 files.", result=summary)
    assert parsed(result_line).response is None
    config = tmp_path / "config"
    write_jsonl(
        transcript(config, "/p", S),
        [
            user_prompt(S, T0, "explore"),
            assistant(
                S, T0, msg_id="m1", u=usage(1, 50, 0, 0), content=[tool_use(tool, {"prompt": "x"}, "toolu_task")]
            ),
            result_line,
            assistant(S, T0, msg_id="m2", u=usage(2, 60, 0, 0)),
        ],
    )
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert response_totals(db) == {
        "responses": 2,
        "inputTokens": 3,
        "outputTokens": 110,
        "cacheCreationTokens": 0,
        "cacheReadTokens": 0,
    }
