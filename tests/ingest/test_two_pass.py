"""A big backlog in two passes: usage first (responses, sessions), then the rest. Each pass alone, both in turn, and
a file that grows between them give what one complete pass gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import synthetic
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.store.store import Store
from core_fixtures import assistant, cli_json, dumps, query, tool_result, transcript, usage, user_prompt, write_jsonl
from core_fixtures.database import is_postgres

S = "55555555-6666-4777-8888-999999999999"
CWD = "/home/dev/two"
TABLES = {
    "responses": "SELECT * FROM responses ORDER BY key",
    "sessions": "SELECT * FROM sessions ORDER BY session_id",
    "events": "SELECT * FROM events ORDER BY key",
    "events_fts": "SELECT rowid, text FROM events_fts ORDER BY rowid",
    "tool_uses": "SELECT * FROM tool_uses ORDER BY id",
    "snapshot_files": "SELECT * FROM snapshot_files ORDER BY session_id, path",
    "titles": "SELECT * FROM titles ORDER BY session_id, source",
    "summaries": "SELECT * FROM summaries ORDER BY leaf_uuid",
    "agents": "SELECT * FROM agents ORDER BY session_id, agent_id",
    "history": "SELECT * FROM history ORDER BY ts, display",
    "problems": 'SELECT path, "offset", line_no, reason FROM problems ORDER BY path, "offset"',
    "files": 'SELECT path, config_dir, kind, device, inode, size, "offset", lines, session_hint, cwd, fingerprint '
    "FROM files ORDER BY path",
}


def _scan(config: Path, db: Path | str, depth: Depth = "full", **options: Any) -> ScanStats:
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan([config], None, depth)
    finally:
        store.close()


def _tables(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table above (the full-text tables are SQLite's FTS5 tables: not on PostgreSQL)."""
    pg = is_postgres(db)
    return {table: query(db, sql) for table, sql in TABLES.items() if not (pg and table.endswith("_fts"))}


def _usage_reports(capsys: pytest.CaptureFixture[str], config: Path, db: Path | str) -> list[Any]:
    common = ("--config-dir", config, "--db", db, "--no-scan", "--timezone", "UTC")
    reports = [cli_json(capsys, "usage", kind, *common) for kind in ("daily", "weekly", "monthly", "blocks")]
    sessions = cli_json(capsys, "usage", "session", "--breakdown", *common)
    # What a usage pass gives of each session: its tokens, cost, models, project and time span (its title, prompts
    # and files changed come with the complete pass).
    usage_fields = ("sessionId", "projectPath", "inputTokens", "outputTokens", "cacheCreationTokens",
                    "cacheReadTokens", "totalTokens", "costUSD", "models", "lastActivity", "configDir")  # fmt: skip
    rows = [{k: row.get(k) for k in usage_fields} for row in sessions["sessions"]]
    return [*reports, rows, sessions["totals"]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tmp_path_factory.mktemp("two-pass") / "config"
    synthetic.generate(config, synthetic.Params(size_mb=2.0, max_file_mb=0.5, seed=21))
    _tricky_lines(config)
    return config


def _tricky_lines(config: Path) -> None:
    """Lines that carry the bytes "usage" without being a response, or a response whose "type" comes last."""
    late_type = assistant(S, "2025-08-02T10:00:01.000Z", msg_id="msg_late", request_id="req_late", cwd=CWD,
                          u=usage(7, 70, 700, 7000))  # fmt: skip
    late_type["type"] = late_type.pop("type")  # moved to the end of the object
    nested = {"message": assistant(S, "2025-08-02T10:00:02.000Z", msg_id="msg_nested", u=usage(1, 1, 1, 1))}
    progress = {"data": {"type": "agent_progress", **nested}, "sessionId": S, "type": "progress",
                "timestamp": "2025-08-02T10:00:02.000Z", "uuid": "p1"}  # fmt: skip
    result = tool_result(S, "2025-08-02T10:00:03.000Z", "toolu_1", "done", cwd=CWD,
                         result={"usage": {"input_tokens": 5, "output_tokens": 5}, "totalTokens": 10})  # fmt: skip
    text = assistant(S, "2025-08-02T10:00:04.000Z", msg_id="msg_text", request_id="req_text", cwd=CWD,
                     content=[{"type": "text", "text": 'the "usage" key, quoted'}], u=usage(2, 20, 0, 0))  # fmt: skip
    bad = dumps(assistant(S, "2025-08-02T10:00:05.000Z", msg_id="msg_bad", u=usage(-1, 5, 0, 0)))
    write_jsonl(transcript(config, CWD, S), [user_prompt(S, "2025-08-02T10:00:00.000Z", "go", cwd=CWD), late_type,
                                             progress, result, text, bad])  # fmt: skip


def test_the_usage_pass_alone_gives_the_reports_of_a_complete_scan(
    corpus: Path, capsys: pytest.CaptureFixture[str], db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    complete, usage_only = db_target, another_db("usage")
    _scan(corpus, complete)
    stats = _scan(corpus, usage_only, "usage", pool_bytes=0)
    assert query(usage_only, "SELECT COUNT(*) FROM events") == [(0,)]  # it stopped after the usage pass
    assert query(usage_only, TABLES["responses"]) == query(complete, TABLES["responses"])
    assert _usage_reports(capsys, corpus, usage_only) == _usage_reports(capsys, corpus, complete)
    assert stats.new_responses == query(complete, "SELECT COUNT(*) FROM responses")[0][0]
    assert stats.problems == 1  # the negative count
    late = query(usage_only, "SELECT input_tokens, output_tokens FROM responses WHERE key = 'msg_late:req_late'")
    assert late == [(7, 70)]
    assert query(usage_only, "SELECT COUNT(*) FROM responses WHERE key LIKE ?", ("msg_nested%",)) == [(0,)]


@pytest.mark.parametrize("workers", [0, 2], ids=["here", "parse-workers"])
def test_the_complete_pass_after_the_usage_pass_gives_what_one_pass_gives(
    corpus: Path, workers: int, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    one_go, two_goes = db_target, another_db("two")
    _scan(corpus, one_go)  # small next to POOL_BYTES: one pass, here
    _scan(corpus, two_goes, "usage", pool_bytes=0, workers=workers)
    stats = _scan(corpus, two_goes, pool_bytes=0, workers=workers)
    assert stats.new_responses == 0  # the usage pass stored them all
    assert _tables(two_goes) == _tables(one_go)


def test_a_file_grown_between_the_passes_is_read_to_its_new_end_once(
    tmp_path: Path, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    config = tmp_path / "config"
    synthetic.generate(config, synthetic.Params(size_mb=1.0, max_file_mb=0.5, seed=22))
    path = transcript(config, CWD, S)
    first = [user_prompt(S, "2025-08-03T09:00:00.000Z", "first", cwd=CWD),
             assistant(S, "2025-08-03T09:00:01.000Z", msg_id="msg_a", request_id="req_a", cwd=CWD)]  # fmt: skip
    later = [user_prompt(S, "2025-08-03T09:01:00.000Z", "second", cwd=CWD),
             assistant(S, "2025-08-03T09:01:01.000Z", msg_id="msg_b", request_id="req_b", cwd=CWD,
                       u=usage(3, 30, 300, 3000))]  # fmt: skip
    write_jsonl(path, first)
    two_goes, one_go = db_target, another_db("one")
    _scan(config, two_goes, "usage", pool_bytes=0)
    write_jsonl(path, later, mode="ab")
    stats = _scan(config, two_goes, pool_bytes=0)
    # msg_b came after the usage pass: the complete pass stored it (past the usage cursor), once.
    assert query(two_goes, "SELECT output_tokens FROM responses WHERE key = 'msg_b:req_b'") == [(30,)]
    assert stats.new_responses == 1  # msg_b alone: the usage pass stored the rest
    _scan(config, one_go)
    assert _tables(two_goes) == _tables(one_go)
    assert query(two_goes, 'SELECT "offset", size FROM usage_cursors WHERE path = ?', (str(path),)) != []
    # Both cursors at the end: the next scans read nothing.
    again = _scan(config, two_goes, pool_bytes=0)
    assert (again.bytes, again.new_responses) == (0, 0)
    assert _scan(config, two_goes, "usage", pool_bytes=0).bytes == 0


def test_a_file_event_after_a_usage_scan_is_read_in_full(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    write_jsonl(path, [user_prompt(S, "2025-08-05T09:00:00.000Z", "first", cwd=CWD),
                       assistant(S, "2025-08-05T09:00:01.000Z", msg_id="msg_c", cwd=CWD)])  # fmt: skip
    store = Store.open(db)
    try:
        ingestor = Ingestor(store, pool_bytes=0)
        ingestor.scan([config], None, "usage")
        assert query(db, "SELECT COUNT(*) FROM files") == [(0,)]
        write_jsonl(path, [user_prompt(S, "2025-08-05T09:01:00.000Z", "second", cwd=CWD)], mode="ab")
        ingestor.scan_paths([config], [path])
    finally:
        store.close()
    assert query(db, 'SELECT "offset" FROM files') == [(path.stat().st_size,)]
    assert query(db, "SELECT text FROM events WHERE kind = 'prompt' ORDER BY ts") == [("first",), ("second",)]


@pytest.mark.parametrize("workers", [0, 2], ids=["here", "parse-workers"])
def test_a_complete_scan_of_a_big_backlog_reads_it_once(
    corpus: Path, workers: int, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    """Only a scan that stops after usage takes the usage pass: a complete one would read every file twice."""
    db = db_target
    stats = _scan(corpus, db, pool_bytes=0, workers=workers)
    assert query(db, "SELECT COUNT(*) FROM usage_cursors") == [(0,)]
    assert stats.bytes == sum(p.stat().st_size for p in corpus.rglob("*.jsonl"))
    assert _tables(db) == _tables(_one_go(another_db("small-scan"), corpus))


def _one_go(db: Path | str, corpus: Path) -> Path | str:
    _scan(corpus, db)  # small next to POOL_BYTES: here, one batch at a time
    return db
