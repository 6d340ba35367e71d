"""Ingest end to end: dedup across files, the three subagent layouts, and kill -9 in the middle of a scan."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from core_fixtures import (
    CCDECK,
    HAIKU_45,
    SONNET_4,
    TOKEN_FIELDS,
    assistant,
    cli_json,
    committed_files,
    query,
    response_totals,
    run_env,
    scan,
    session_row,
    tool_result,
    tool_use,
    transcript,
    usage,
    user_prompt,
    write_big_config,
    write_jsonl,
)

A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"
CWD = "/home/dev/proj"


def _sessions_match_responses(db: Path | str) -> None:
    """The per-session aggregates are derived from the deduplicated responses: their sums agree."""
    (row,) = query(
        db,
        "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
        "COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(responses), 0) "
        "FROM sessions",
    )
    totals = response_totals(db)
    assert row == (*(totals[f] for f in TOKEN_FIELDS), totals["responses"])


# ------------------------------------------------------------------------------------------------- resumed sessions


@pytest.mark.parametrize("copies_keep_old_session_id", [True, False])
def test_resumed_session_copies_are_counted_once(
    tmp_path: Path, db_target: Path | str, copies_keep_old_session_id: bool
) -> None:
    config, db = tmp_path / "config", db_target
    original = [
        user_prompt(A, "2025-08-01T10:00:00.000Z", "start", cwd=CWD),
        assistant(A, "2025-08-01T10:00:05.000Z", msg_id="msg_1", request_id="req_1", u=usage(3, 100, 1000, 5000)),
        assistant(A, "2025-08-01T10:00:09.000Z", msg_id="msg_2", request_id="req_2", u=usage(4, 200, 0, 9000)),
    ]
    write_jsonl(transcript(config, CWD, A), original)
    copied_id = A if copies_keep_old_session_id else B
    resumed = [{**line, "sessionId": copied_id} for line in original] + [  # then the new turn
        user_prompt(B, "2025-08-02T08:00:00.000Z", "continue", cwd=CWD),
        assistant(B, "2025-08-02T08:00:04.000Z", msg_id="msg_3", request_id="req_3", u=usage(5, 300, 0, 12000)),
    ]
    write_jsonl(transcript(config, CWD, B), resumed)
    stats = scan(config, db)
    assert stats.new_responses == 3
    assert response_totals(db) == {
        "responses": 3,
        "inputTokens": 12,
        "outputTokens": 600,
        "cacheCreationTokens": 1000,
        "cacheReadTokens": 26000,
    }
    _sessions_match_responses(db)


def test_resume_copy_read_in_a_later_scan_adds_nothing(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    line = assistant(A, "2025-08-01T10:00:05.000Z", msg_id="msg_1", request_id="req_1", u=usage(3, 100, 1000, 5000))
    write_jsonl(transcript(config, CWD, A), [line])
    scan(config, db)
    write_jsonl(transcript(config, CWD, B), [{**line, "sessionId": B}])
    stats = scan(config, db)
    assert stats.new_responses == 0
    assert response_totals(db)["responses"] == 1
    _sessions_match_responses(db)


def test_larger_copy_in_another_file_moves_the_response_to_its_session(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    partial = assistant(
        A, "2025-08-01T10:00:05.000Z", msg_id="msg_1", request_id="req_1", u=usage(3, 1, 0, 5000),
        content=[{"type": "thinking", "thinking": "hmm", "signature": "s"}],
    )  # fmt: skip
    full = {**partial, "sessionId": B, "message": {**partial["message"], "usage": usage(3, 250, 0, 5000)}}
    write_jsonl(transcript(config, CWD, A), [partial])
    scan(config, db)
    assert session_row(db, A)["output_tokens"] == 1
    write_jsonl(transcript(config, CWD, B), [full])  # read in a later scan: another write transaction
    scan(config, db)
    assert response_totals(db)["outputTokens"] == 250
    # The bigger copy's row in full, as one scan of both files stores it: B's now, and A's aggregates follow.
    assert (session_row(db, A)["output_tokens"], session_row(db, B)["output_tokens"]) == (0, 250)
    _sessions_match_responses(db)


# ------------------------------------------------------------------------------------------------- subagents


def _main_turn(session: str) -> list[dict]:
    return [
        user_prompt(session, "2025-08-01T10:00:00.000Z", "find the bug", cwd=CWD),
        assistant(
            session, "2025-08-01T10:00:02.000Z", msg_id="msg_main_1", request_id="req_main_1",
            u=usage(3, 80, 2000, 10000), content=[tool_use("Task", {"prompt": "search"}, "toolu_task")],
        ),
        tool_result(
            session, "2025-08-01T10:01:00.000Z", "toolu_task", "found it",
            result={"content": [{"type": "text", "text": "found it"}], "totalTokens": 99999,
                    "usage": usage(50, 5000, 5000, 50000)},
        ),
        assistant(session, "2025-08-01T10:01:05.000Z", msg_id="msg_main_2", request_id="req_main_2",
                  u=usage(2, 120, 0, 12000)),
    ]  # fmt: skip


def _subagent_lines(session: str, agent_id: str | None) -> list[dict]:
    extra = {"isSidechain": True}
    if agent_id is not None:
        extra["agentId"] = agent_id
    return [
        user_prompt(session, "2025-08-01T10:00:03.000Z", "search for the bug in auth.py", cwd=CWD, **extra),
        assistant(session, "2025-08-01T10:00:10.000Z", msg_id="msg_sub_1", request_id="req_sub_1", model=HAIKU_45,
                  u=usage(10, 300, 4000, 0), **extra),
        assistant(session, "2025-08-01T10:00:20.000Z", msg_id="msg_sub_2", request_id="req_sub_2", model=HAIKU_45,
                  u=usage(11, 400, 0, 4000), **extra),
    ]  # fmt: skip


SUBAGENT_TOTALS = {
    "responses": 4,
    "inputTokens": 3 + 2 + 10 + 11,
    "outputTokens": 80 + 120 + 300 + 400,
    "cacheCreationTokens": 2000 + 4000,
    "cacheReadTokens": 10000 + 12000 + 4000,
}


def _check_billed_to_parent(db: Path, session: str) -> dict:
    assert response_totals(db) == SUBAGENT_TOTALS
    assert [r[0] for r in query(db, "SELECT session_id FROM sessions")] == [session]
    row = session_row(db, session)
    assert {f: row[c] for f, c in zip(TOKEN_FIELDS, ("input_tokens", "output_tokens", "cache_creation_tokens",
                                                      "cache_read_tokens"), strict=True)} == {
        f: SUBAGENT_TOTALS[f] for f in TOKEN_FIELDS
    }  # fmt: skip
    assert sorted(orjson.loads(row["models"])) == sorted([SONNET_4, HAIKU_45])
    return row


def test_sidechain_lines_in_the_session_file_are_billed_to_it(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    main = _main_turn(A)
    write_jsonl(transcript(config, CWD, A), [*main[:2], *_subagent_lines(A, None), *main[2:]])
    scan(config, db)
    _check_billed_to_parent(db, A)


def test_sidechain_lines_in_the_session_file_count_as_a_subagent(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    main = _main_turn(A)
    write_jsonl(transcript(config, CWD, A), [*main[:2], *_subagent_lines(A, None), *main[2:]])
    scan(config, db)
    assert session_row(db, A)["subagents"] == 1


def test_sidechain_prompt_is_not_a_human_prompt(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    main = _main_turn(A)
    write_jsonl(transcript(config, CWD, A), [*main[:2], *_subagent_lines(A, None), *main[2:]])
    scan(config, db)
    assert session_row(db, A)["prompts"] == 1


def test_flat_agent_file_is_billed_to_the_parent_session(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, CWD, A), _main_turn(A))
    write_jsonl(transcript(config, CWD, A).with_name("agent-a1b2c3d.jsonl"), _subagent_lines(A, "a1b2c3d"))
    scan(config, db)
    row = _check_billed_to_parent(db, A)
    assert (row["subagents"], row["prompts"]) == (1, 1)


def test_subagents_folder_is_billed_to_the_parent_session(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    main = transcript(config, CWD, A)
    write_jsonl(main, _main_turn(A))
    folder = main.with_suffix("") / "subagents"
    write_jsonl(folder / "agent-a1b2c3d.jsonl", _subagent_lines(A, "a1b2c3d"))
    write_jsonl(folder / "agent-e4f5a6b.jsonl", [{**line, "agentId": "e4f5a6b"} for line in _subagent_lines(A, None)])
    (folder / "agent-a1b2c3d.meta.json").write_text('{"agentType": "Explore", "description": "Search the auth code"}')
    stats = scan(config, db)
    assert stats.new_responses == 4  # the second agent file repeats the first's responses
    row = _check_billed_to_parent(db, A)
    assert (row["subagents"], row["prompts"]) == (2, 1)
    assert sorted(query(db, "SELECT session_id, agent_id, agent_type, description FROM agents")) == [
        (A, "a1b2c3d", "Explore", "Search the auth code"),
        (A, "e4f5a6b", None, None),
    ]


def test_all_three_subagent_layouts_together(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    sessions = {
        "in-file": "11111111-0000-4000-8000-000000000001",
        "flat": "22222222-0000-4000-8000-000000000002",
        "folder": "33333333-0000-4000-8000-000000000003",
    }

    def rekey(lines: list[dict], tag: str) -> list[dict]:
        out = []
        for original in lines:
            line = dict(original)
            if "message" in line and "id" in line["message"]:
                line["message"] = {**line["message"], "id": f"{line['message']['id']}_{tag}"}
            out.append(line)
        return out

    s = sessions["in-file"]
    main = rekey(_main_turn(s), "x")
    write_jsonl(transcript(config, CWD, s), [*main[:2], *rekey(_subagent_lines(s, None), "x"), *main[2:]])
    s = sessions["flat"]
    write_jsonl(transcript(config, CWD, s), rekey(_main_turn(s), "y"))
    write_jsonl(transcript(config, CWD, s).with_name("agent-0f0f0f0.jsonl"), rekey(_subagent_lines(s, "0f0f0f0"), "y"))
    s = sessions["folder"]
    write_jsonl(transcript(config, CWD, s), rekey(_main_turn(s), "z"))
    write_jsonl(
        transcript(config, CWD, s).with_suffix("") / "subagents" / "agent-0e0e0e0.jsonl",
        rekey(_subagent_lines(s, "0e0e0e0"), "z"),
    )
    scan(config, db)
    assert sorted(r[0] for r in query(db, "SELECT session_id FROM sessions")) == sorted(sessions.values())
    for s in sessions.values():
        row = session_row(db, s)
        assert (row["responses"], row["output_tokens"]) == (4, SUBAGENT_TOTALS["outputTokens"])
    _sessions_match_responses(db)


# ------------------------------------------------------------------------------------------------- batching

_TABLES = {
    "responses": "SELECT * FROM responses ORDER BY key",
    "sessions": "SELECT * FROM sessions ORDER BY session_id",
    "events": "SELECT * FROM events ORDER BY key",
    "tool_uses": "SELECT * FROM tool_uses ORDER BY id",
    "agents": "SELECT * FROM agents ORDER BY session_id, agent_id",
    "files": 'SELECT path, kind, device, inode, size, "offset", lines, session_hint, cwd FROM files ORDER BY path',
}


@pytest.mark.parametrize(("chunk_bytes", "batch_bytes"), [(64, 1), (4096, 1), (16_384, 50_000)])
def test_chunk_and_batch_sizes_do_not_change_the_result(
    tmp_path: Path, chunk_bytes: int, batch_bytes: int, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    config = tmp_path / "config"
    corpus = write_big_config(config, 400_000, seed=3)
    reference_db, small_db = db_target, another_db("small")
    scan(config, reference_db)
    stats = scan(config, small_db, chunk_bytes=chunk_bytes, batch_bytes=batch_bytes)
    assert stats.new_responses == len(corpus.responses)
    for table, sql in _TABLES.items():
        assert query(small_db, sql) == query(reference_db, sql), table
    assert response_totals(small_db) == corpus.totals()


# ------------------------------------------------------------------------------------------------- kill -9


# SQLite only: it watches the file's commits (`committed_files`) and checks its integrity afterwards.
@pytest.mark.slow
def test_kill_9_mid_scan_then_rescan_gives_the_same_totals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    corpus = write_big_config(config, 30_000_000, seed=11)
    assert corpus.bytes >= 30_000_000
    killed_db, fresh_db = tmp_path / "killed.db", tmp_path / "fresh.db"

    def ccdeck_scan(db: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(CCDECK), "scan", "--json", "--config-dir", str(config), "--db", str(db)],
            env=run_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    uninterrupted = ccdeck_scan(fresh_db)  # the reference, meanwhile
    child: subprocess.Popen[bytes] | None = None
    try:
        rng = random.Random(90210)
        kills, done_after = 0, []
        for attempt in range(3):
            before = committed_files(killed_db)
            child = ccdeck_scan(killed_db)
            started = time.monotonic()
            if attempt == 0:
                # Anywhere from start-up and migrations to the first commits (a whole scan takes about a second).
                time.sleep(rng.uniform(0.2, 0.7))
            else:
                # Once this run has committed something, a little later.
                while child.poll() is None and committed_files(killed_db) <= before and time.monotonic() - started < 60:
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.04))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
                assert child.wait(timeout=30) == -signal.SIGKILL
            else:
                child.communicate()
            done_after.append(committed_files(killed_db))
        assert kills >= 2, done_after
        assert 0 < min(done_after[1:]) < corpus.files, done_after
        assert query(killed_db, "PRAGMA integrity_check") == [("ok",)]

        child = ccdeck_scan(killed_db)  # a normal scan finishes the job
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert orjson.loads(out)["problems"] == 0
        out, err = uninterrupted.communicate(timeout=120)
        assert uninterrupted.returncode == 0, err
        assert orjson.loads(out)["newResponses"] == len(corpus.responses)
    finally:
        for process in (child, uninterrupted):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    args = ("usage", "session", "--no-scan", "--config-dir", config)
    resumed = cli_json(capsys, *args, "--db", killed_db)
    fresh = cli_json(capsys, *args, "--db", fresh_db)
    assert resumed["totals"] == fresh["totals"]
    assert sorted(resumed["sessions"], key=lambda s: s["sessionId"]) == sorted(
        fresh["sessions"], key=lambda s: s["sessionId"]
    )
    expected = corpus.totals()
    assert {f: fresh["totals"][f] for f in TOKEN_FIELDS} == {f: expected[f] for f in TOKEN_FIELDS}
    assert response_totals(killed_db) == expected
    assert len(fresh["sessions"]) == len(corpus.sessions)
    assert query(killed_db, "SELECT COUNT(*) FROM files") == [(corpus.files,)]
    _sessions_match_responses(killed_db)
