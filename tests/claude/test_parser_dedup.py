"""Dedup keys of responses: by (message.id, requestId), by message id, by uuid, and lines with neither."""

from __future__ import annotations

from pathlib import Path

from claude.parser_lines import T0, S, parsed
from core_fixtures import (
    assistant,
    response_totals,
    scan,
    session_row,
    transcript,
    usage,
    write_jsonl,
)


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
