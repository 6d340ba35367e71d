"""The line parser, on every line of generated configs, of the transcripts the real CLI writes and of the reference
corpus (when ../shared is there), and on synthetic lines for each rule of the reference notes."""

from __future__ import annotations

from pathlib import Path

import pytest

import synthetic
from ccdeck.claude.parser import parse_record
from ccdeck.claude.records import Record
from ccdeck.models import Malformed
from core_fixtures import (
    OPUS_4,
    SONNET_4,
    assistant,
    cli_transcripts,
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
from fakeapi import ClaudeRunner
from shared_data import require_shared, shared_params

S = "11111111-2222-4333-8444-555555555555"
T0 = "2025-08-01T10:00:00.000Z"


def parsed(obj: dict | bytes) -> Record:
    record = parse_record(obj if isinstance(obj, bytes) else dumps(obj))
    assert isinstance(record, Record), record
    return record


# ------------------------------------------------------------------------------------------------- whole files


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


# ------------------------------------------------------------------------------------------------- malformed lines

GOOD_ASSISTANT = assistant(S, T0, msg_id="msg_good", u=usage(1, 2, 3, 4))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json at all", id="not-json"),
        pytest.param(b'{"type":"assistant","message":', id="cut-json"),
        pytest.param(b"[1, 2, 3]", id="json-array"),
        pytest.param(b'"a string"', id="json-string"),
        pytest.param(b"42", id="json-number"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage(1, "2", 3, 4)}}),
            id="usage-output-string",
        ),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage("1", 2, 3, 4)}}),
            id="usage-input-string",
        ),
        pytest.param(
            dumps({**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": usage(1, 2, 3, 4.5)}}),
            id="usage-cache-read-float",
        ),
        pytest.param(dumps({**GOOD_ASSISTANT, "message": "hello"}), id="message-string"),
        pytest.param(dumps({**GOOD_ASSISTANT, "type": 7}), id="type-number"),
        pytest.param(dumps({**GOOD_ASSISTANT, "sessionId": 12}), id="session-number"),
    ],
)
def test_malformed_lines(raw: bytes) -> None:
    record = parse_record(raw)
    assert isinstance(record, Malformed)
    assert record.reason


def test_usage_that_is_a_string_is_malformed() -> None:
    line = {**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "usage": "1200 tokens"}}
    assert isinstance(parse_record(dumps(line)), Malformed)


def test_malformed_lines_are_recorded_and_ingestion_goes_on(tmp_path: Path) -> None:
    config = tmp_path / "config"
    path = transcript(config, "/home/dev/proj", S)
    bad_usage = {**GOOD_ASSISTANT, "message": {**GOOD_ASSISTANT["message"], "id": "msg_bad", "usage": usage(1, "x")}}
    lines = [
        dumps(user_prompt(S, T0, "first")),
        b"{this is not json",
        dumps(assistant(S, T0, msg_id="msg_a", request_id="req_a", u=usage(1, 10, 0, 0))),
        b"[1, 2]",
        dumps(bad_usage),
        dumps(assistant(S, T0, msg_id="msg_b", request_id="req_b", u=usage(2, 20, 0, 0))),
    ]
    write_jsonl(path, lines)
    db = tmp_path / "db.sqlite"
    stats = scan(config, db)
    assert stats.problems == 3
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    rows = query(db, "SELECT path, line_no, offset, reason FROM problems ORDER BY line_no")
    assert [(p, n, o) for p, n, o, _ in rows] == [
        (str(path), 2, offsets[1]),
        (str(path), 4, offsets[3]),
        (str(path), 5, offsets[4]),
    ]
    assert all(reason for *_, reason in rows)
    # The lines after each bad one were ingested.
    totals = response_totals(db)
    assert totals["responses"] == 2
    assert totals["outputTokens"] == 30
    # Appending more lines and rescanning does not record the old problems twice.
    write_jsonl(path, [b"also bad"], mode="ab")
    stats = scan(config, db)
    assert stats.problems == 1
    assert len(query(db, "SELECT * FROM problems")) == 4


# ------------------------------------------------------------------------------------------------- responses


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


# ------------------------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("line", "source", "text"),
    [
        ({"type": "summary", "summary": "Fix the login bug", "leafUuid": "leaf-1"}, "summary", "Fix the login bug"),
        ({"type": "custom-title", "customTitle": "My title", "sessionId": S}, "custom-title", "My title"),
        ({"type": "ai-title", "aiTitle": "Generated title", "sessionId": S}, "ai-title", "Generated title"),
    ],
)
def test_title_lines(line: dict, source: str, text: str) -> None:
    record = parsed(line)
    assert record.known is True
    assert record.title is not None
    assert (record.title.source, record.title.text) == (source, text)
    if source == "summary":
        assert record.title.leaf_uuid == "leaf-1"
    else:
        assert record.title.session_id == S


@pytest.mark.parametrize("summary_first", [True, False])
def test_summary_in_another_file_titles_the_session_holding_its_leaf(tmp_path: Path, summary_first: bool) -> None:
    config = tmp_path / "config"
    other = "00000000-0000-4000-8000-000000000000" if summary_first else "ffffffff-ffff-4fff-8fff-ffffffffffff"
    write_jsonl(
        transcript(config, "/p", S),
        [user_prompt(S, T0, "please fix the bug", uid="prompt-1"), assistant(S, T0, uid="leaf-1")],
    )
    write_jsonl(
        transcript(config, "/p", other), [{"type": "summary", "summary": "Login bug fixed", "leafUuid": "leaf-1"}]
    )
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert session_row(db, S)["title"] == "Login bug fixed"


def test_title_precedence(tmp_path: Path) -> None:
    config = tmp_path / "config"
    path = transcript(config, "/p", S)
    db = tmp_path / "db.sqlite"
    write_jsonl(path, [user_prompt(S, T0, "the   first\nprompt"), assistant(S, T0, uid="leaf-9")])
    scan(config, db)
    assert session_row(db, S)["title"] == "the first prompt"
    steps = [
        ({"type": "summary", "summary": "A summary", "leafUuid": "leaf-9"}, "A summary"),
        ({"type": "ai-title", "aiTitle": "An AI title", "sessionId": S}, "An AI title"),
        ({"type": "custom-title", "customTitle": "Named by me", "sessionId": S}, "Named by me"),
        ({"type": "ai-title", "aiTitle": "A later AI title", "sessionId": S}, "Named by me"),
    ]
    for line, expected in steps:
        write_jsonl(path, [line], mode="ab")
        scan(config, db)
        assert session_row(db, S)["title"] == expected


CLEAR = (
    "<command-name>/clear</command-name>\n  <command-message>clear</command-message>\n  <command-args></command-args>"
)
REVIEW = (
    "<command-message>review</command-message>\n<command-name>review</command-name>\n<command-args>12</command-args>"
)
STDOUT = "<local-command-stdout>Set model to opus</local-command-stdout>"
CAVEAT = "<local-command-caveat>Caveat: generated by the user while running local commands.</local-command-caveat>"


@pytest.mark.parametrize(
    ("text", "kind", "shown"),
    [(CLEAR, "prompt", "/clear"), (REVIEW, "prompt", "/review 12"), (STDOUT, "system", STDOUT),
     (CAVEAT, "system", CAVEAT), ("fix it", "prompt", "fix it")],
)  # fmt: skip
def test_slash_command_markup_reads_as_the_command(text: str, kind: str, shown: str) -> None:
    for content in (text, [{"type": "text", "text": text}]):
        line = {**user_prompt(S, T0, "x"), "message": {"role": "user", "content": content}}
        assert [(e.kind, e.text) for e in parsed(line).events] == [(kind, shown)]


def test_title_is_the_first_real_prompt_not_command_markup_or_its_output(tmp_path: Path) -> None:
    config, db = tmp_path / "config", tmp_path / "db.sqlite"
    only_commands, path = "eeeeeeee-5555-4000-8000-00000000000e", transcript(config, "/p", S)
    write_jsonl(path, [user_prompt(S, T0, CLEAR), user_prompt(S, T0, STDOUT), user_prompt(S, T0, "fix the login")])
    write_jsonl(transcript(config, "/p", only_commands),
                [user_prompt(only_commands, T0, REVIEW), user_prompt(only_commands, T0, STDOUT)])  # fmt: skip
    scan(config, db)
    assert session_row(db, S)["title"] == "fix the login"
    assert session_row(db, only_commands)["title"] == "/review 12"


# ------------------------------------------------------------------------------------------------- dedup keys


def test_gateway_lines_without_request_id_are_keyed_by_message_id(tmp_path: Path) -> None:
    lines = [
        assistant(
            S, T0, msg_id="msg_gw", request_id=None, u=usage(4, 1, 0, 100), content=[{"type": "text", "text": "a"}]
        ),
        assistant(
            S, T0, msg_id="msg_gw", request_id=None, u=usage(4, 30, 0, 100), content=[{"type": "text", "text": "b"}]
        ),
        assistant(S, T0, msg_id="msg_gw2", request_id=None, u=usage(1, 5, 0, 0)),
    ]
    assert parsed(lines[0]).response.key == "msg_gw"  # type: ignore[union-attr]
    config = tmp_path / "config"
    write_jsonl(transcript(config, "/p", S), lines)
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert response_totals(db) == {
        "responses": 2,
        "inputTokens": 5,
        "outputTokens": 35,
        "cacheCreationTokens": 0,
        "cacheReadTokens": 100,
    }


def test_lines_without_message_id_are_keyed_by_uuid(tmp_path: Path) -> None:
    lines = [
        assistant(S, T0, msg_id=None, request_id=None, uid="uuid-1", u=usage(1, 10, 0, 0)),
        assistant(S, T0, msg_id=None, request_id=None, uid="uuid-2", u=usage(1, 20, 0, 0)),
        assistant(S, T0, msg_id=None, request_id=None, uid="uuid-2", u=usage(1, 20, 0, 0)),  # the same line again
    ]
    assert parsed(lines[0]).response.key == "uuid:uuid-1"  # type: ignore[union-attr]
    config = tmp_path / "config"
    write_jsonl(transcript(config, "/p", S), lines)
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert response_totals(db)["responses"] == 2
    assert response_totals(db)["outputTokens"] == 30


def test_lines_without_message_id_or_uuid_are_all_counted(tmp_path: Path) -> None:
    lines = []
    for i, out in enumerate((10, 20, 30)):
        line = assistant(S, f"2025-08-01T10:00:0{i}.000Z", msg_id=None, request_id=None, u=usage(1, out, 0, 0))
        del line["uuid"]
        lines.append(line)
    config = tmp_path / "config"
    write_jsonl(transcript(config, "/p", S), lines)
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert response_totals(db)["responses"] == 3


# A transcript as other tools' fixtures write them: no uuid, no sessionId, a cwd on the first line only.
NO_UUID_SESSION = b"""\
{"type":"user","timestamp":"2024-01-01T10:00:00Z","message":{"content":"Fix the login bug"},"cwd":"/Users/alice/code/my-app"}
{"type":"assistant","timestamp":"2024-01-01T10:00:05Z","message":{"content":[{"type":"text","text":"Looking at the auth module..."},{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"src/auth.ts"}}]}}
{"type":"user","timestamp":"2024-01-01T10:05:00Z","message":{"content":"That looks right"}}
{"type":"assistant","timestamp":"2024-01-01T10:05:05Z","message":{"content":[{"type":"text","text":"Applied the fix."}]}}
"""  # noqa: E501


def test_lines_without_uuid_keep_all_their_prompts(tmp_path: Path) -> None:
    config = tmp_path / "config"
    folder = config / "projects" / "-Users-alice-code-my-app"
    folder.mkdir(parents=True)
    (folder / "valid_session.jsonl").write_bytes(NO_UUID_SESSION)
    db = tmp_path / "db.sqlite"
    scan(config, db)
    assert session_row(db, "valid_session")["prompts"] == 2
