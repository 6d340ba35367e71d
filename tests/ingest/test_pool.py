"""Parsing in worker processes: the same rows, counts and logs as parsing in the scanning process."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import synthetic
from ccdeck.ingest import pipeline, tailer
from ccdeck.ingest.pipeline import Depth, Ingestor, ScanStats
from ccdeck.ingest.pool import ParsePool
from ccdeck.store import row_writes
from ccdeck.store.store import Store
from core_fixtures import (
    CCDECK,
    assistant,
    committed_files,
    query,
    run_env,
    sources_table,
    transcript,
    user_prompt,
    write_big_config,
    write_jsonl,
)
from shared_data import require_shared

X = "aaaaaaaa-1111-4000-8000-00000000000a"
Y = "bbbbbbbb-2222-4000-8000-00000000000b"
CWD = "/home/dev/rel"

_TABLES = {
    "responses": "SELECT * FROM responses ORDER BY key",
    "sessions": "SELECT * FROM sessions ORDER BY session_id",
    "events": "SELECT * FROM events ORDER BY key",
    "tool_uses": "SELECT * FROM tool_uses ORDER BY id",
    "snapshot_files": "SELECT * FROM snapshot_files ORDER BY session_id, path",
    "titles": "SELECT * FROM titles ORDER BY session_id, source",
    "summaries": "SELECT * FROM summaries ORDER BY leaf_uuid",
    "agents": "SELECT * FROM agents ORDER BY session_id, agent_id",
    "history": "SELECT * FROM history ORDER BY ts, display",
    "problems": 'SELECT path, "offset", line_no, reason FROM problems ORDER BY path, "offset"',
    "files": 'SELECT path, config_dir, kind, device, inode, size, "offset", lines, session_hint, cwd FROM files '
    "ORDER BY path",
}


def _scan(dirs: list[Path], db: Path | str, depth: Depth = "full", **options: Any) -> ScanStats:
    store = Store.open(db)
    try:
        return Ingestor(store, **options).scan(dirs, None, depth)
    finally:
        store.close()


def _tables(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: query(db, sql) for table, sql in _TABLES.items()}


def _snapshot(ts: str, *paths: str) -> dict[str, Any]:
    backups = {p: {"backupFileName": None, "version": 1, "backupTime": ts} for p in paths}
    return {"type": "file-history-snapshot", "messageId": "m", "isSnapshotUpdate": False,
            "snapshot": {"messageId": "m", "trackedFileBackups": backups, "timestamp": ts}}  # fmt: skip


def _filler(session: str, count: int, cwd: str | None = CWD) -> list[dict[str, Any]]:
    lines = []
    for i in range(count):
        when = f"2025-08-01T10:{i // 60:02d}:{i % 60:02d}.000Z"
        text = {"type": "text", "text": f"step {i} " + "x" * 300}
        line = assistant(session, when, msg_id=f"msg_{session[:4]}_{i}", request_id=f"req_{i}", content=[text])
        if cwd is None:
            del line["cwd"]
        lines.append(line)
    return lines


def _tricky_config(config: Path) -> dict[str, int]:
    """Files whose chunks only make sense in order: a cwd far before a relative snapshot path, a malformed line
    deep in a file, a snapshot path with no cwd before it at all; plus history. Returns line numbers to check."""
    x_lines: list[dict[str, Any] | bytes] = [user_prompt(X, "2025-08-01T09:59:00.000Z", "start", cwd=CWD)]
    x_lines += _filler(X, 40, cwd=None)
    malformed = len(x_lines) + 1
    x_lines.append(b'{"type": "assistant", "sessionId": "' + X.encode() + b'", "message": ')  # not JSON
    x_lines += _filler(X, 40, cwd=None)[20:]
    x_lines.append(user_prompt(X, "2025-08-01T10:59:00.000Z", "cd sub", cwd=f"{CWD}/sub"))  # snapshot paths stay
    x_lines.append(_snapshot("2025-08-01T11:00:00.000Z", "src/app.py", "/etc/absolute.conf"))
    write_jsonl(transcript(config, CWD, X), x_lines)
    y_lines: list[dict[str, Any] | bytes] = [_snapshot("2025-08-01T08:00:00.000Z", "docs/readme.md")]
    y_lines += _filler(Y, 30, cwd=None)
    write_jsonl(transcript(config, CWD, Y), y_lines)
    history = [{"display": f"prompt {i}", "timestamp": 1754000000000 + i, "project": CWD} for i in range(50)]
    write_jsonl(config / "history.jsonl", history)
    return {"malformed": malformed}


# `Ingestor` options: chunks of 4 KiB and batches of 10 kB, so jobs cut files in many places.
SMALL_CHUNKS: dict[str, Any] = {"chunk_bytes": 4096, "batch_bytes": 10_000}


class Pools(list[int]):
    """The worker count of every pool `start` started (an `Ingestor`'s `start_pool`)."""

    def start(self, workers: int) -> ParsePool:
        self.append(workers)
        return ParsePool(workers)


@pytest.fixture
def pools() -> Pools:
    return Pools()


def test_workers_give_the_same_rows_counts_and_logs(
    tmp_path: Path,
    pools: Pools,
    caplog: pytest.LogCaptureFixture,
    db_target: Path | str,
    another_db: Callable[[str], Path | str],
) -> None:
    config = tmp_path / "config"
    corpus = write_big_config(config, 300_000, seed=5)
    where = _tricky_config(config)
    here_db, workers_db = db_target, another_db("workers")
    here = _scan([config], here_db, start_pool=pools.start, **SMALL_CHUNKS)
    assert pools == []
    here_log = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    caplog.clear()
    in_workers = _scan([config], workers_db, pool_bytes=0, workers=2, start_pool=pools.start, **SMALL_CHUNKS)
    assert pools == [2]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == here_log

    assert _tables(workers_db) == _tables(here_db)
    assert {**in_workers.as_json(), "seconds": 0} == {**here.as_json(), "seconds": 0}
    assert in_workers.problems == 1
    assert in_workers.new_responses == len(corpus.responses) + 40 + 30  # and the files of X and Y
    # The relative path of a snapshot took the session's first cwd, many jobs before, not the subfolder it went
    # into later; without any cwd it stays relative.
    snapshots = query(workers_db, "SELECT session_id, path FROM snapshot_files WHERE session_id IN (?, ?)", (X, Y))
    assert sorted(snapshots) == [(X, "/etc/absolute.conf"), (X, f"{CWD}/src/app.py"), (Y, "docs/readme.md")]
    # The malformed line is known by its place in the whole file, in the table and in the log.
    x_file = transcript(config, CWD, X)
    x_path = str(x_file)
    ((line_no, offset),) = query(workers_db, 'SELECT line_no, "offset" FROM problems WHERE path = ?', (x_path,))
    assert line_no == where["malformed"]
    with x_file.open("rb") as f:
        assert offset == sum(len(line) for _, line in zip(range(line_no - 1), f, strict=False))
    assert f"{x_path}:{line_no} (byte {offset}): not JSON" in "\n".join(here_log)
    assert query(workers_db, "SELECT lines, cwd FROM files WHERE path = ?", (x_path,)) == [(64, CWD)]


def _same_rows_in_workers(here_db: Path | str, workers_db: Path | str, dirs: list[Path], pools: Pools) -> None:
    here = _scan(dirs, here_db, batch_bytes=256 * 1024)
    in_workers = _scan(dirs, workers_db, pool_bytes=0, workers=2, start_pool=pools.start, batch_bytes=256 * 1024)
    assert pools == [2]
    assert _tables(workers_db) == _tables(here_db)
    assert {**in_workers.as_json(), "seconds": 0} == {**here.as_json(), "seconds": 0}


def test_workers_on_generated_configs(
    tmp_path: Path, pools: Pools, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    # Several config dirs, each with both subagent layouts, resumed sessions, big non-message lines and history.
    dirs = [tmp_path / f"config-{seed}" for seed in (1, 2, 3)]
    for seed, config in zip((1, 2, 3), dirs, strict=True):
        synthetic.generate(config, synthetic.Params(size_mb=1.5, max_file_mb=0.4, seed=seed))
    _same_rows_in_workers(db_target, another_db("workers"), dirs, pools)


def test_workers_on_the_real_corpus(
    pools: Pools, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    corpus = require_shared("corpus")
    _same_rows_in_workers(db_target, another_db("workers"), [corpus / folder for folder in sources_table()], pools)


def test_a_later_scan_continues_where_workers_stopped(
    tmp_path: Path, pools: Pools, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    config = tmp_path / "config"
    write_big_config(config, 200_000, seed=8)
    _tricky_config(config)
    x_path = transcript(config, CWD, X)
    whole = x_path.read_bytes()
    cut = whole.index(b"\n", len(whole) // 2) + 1
    x_path.write_bytes(whole[:cut] + b'{"type": "user", "half": ')  # a line still being written
    here_db, workers_db = db_target, another_db("workers")
    in_workers = {"pool_bytes": 0, "workers": 2, "start_pool": pools.start, **SMALL_CHUNKS}
    _scan([config], here_db, **SMALL_CHUNKS)
    _scan([config], workers_db, **in_workers)
    x_path.write_bytes(whole)
    _scan([config], here_db, **SMALL_CHUNKS)
    _scan([config], workers_db, **in_workers)
    assert len(pools) == 2
    assert _tables(workers_db) == _tables(here_db)


def test_failed_workers_leave_the_rest_to_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    config = tmp_path / "config"
    write_big_config(config, 200_000, seed=9)
    _tricky_config(config)
    here_db, workers_db = db_target, another_db("workers")
    here = _scan([config], here_db, **SMALL_CHUNKS)

    def failing_pool(workers: int) -> ParsePool:
        return ParsePool(workers, worker_code="import sys; sys.exit(3)")

    in_workers = _scan([config], workers_db, pool_bytes=0, workers=2, start_pool=failing_pool, **SMALL_CHUNKS)
    assert "parse workers failed" in caplog.text
    assert _tables(workers_db) == _tables(here_db)
    assert in_workers.new_responses == here.new_responses


def test_small_scans_start_no_workers(tmp_path: Path, pools: Pools, db_target: Path | str) -> None:
    config = tmp_path / "config"
    write_big_config(config, 200_000, seed=10)
    _scan([config], db_target, workers=2, start_pool=pools.start)
    assert pools == []


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 4096])
def test_chunk_spans_are_the_chunks_read_chunks_reads(tmp_path: Path, chunk_bytes: int) -> None:
    rng = random.Random(chunk_bytes)
    path = tmp_path / "f.jsonl"
    lines = [b"x" * rng.choice((0, 1, 5, 60, 300, 5000)) for _ in range(200)]
    path.write_bytes(b"\n".join(lines) + b"\n" + b"partial")
    size = path.stat().st_size
    fd = os.open(path, os.O_RDONLY)
    try:
        for offset in (0, len(lines[0]) + 1, sum(len(line) + 1 for line in lines[:50])):
            expected = [(c.start, c.end) for c in tailer.read_chunks(fd, offset, 0, chunk_bytes=chunk_bytes)]
            assert list(tailer.chunk_spans(fd, offset, size, chunk_bytes)) == expected
    finally:
        os.close(fd)


@pytest.mark.parametrize("usage_pass", [True, False], ids=["in-usage-pass", "in-complete-pass"])
@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupted_scan_resumes_to_the_same_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    usage_pass: bool,
    db_target: Path | str,
    another_db: Callable[[str], Path | str],
) -> None:
    """Cut inside files (at the end of a write transaction of either pass): the next scan reads the rest of them,
    with the cwd their earlier lines gave, and counts nothing twice."""
    config = tmp_path / "config"
    write_big_config(config, 300_000, seed=13)
    _tricky_config(config)
    here_db, workers_db = db_target, another_db("workers")
    _scan([config], here_db, **SMALL_CHUNKS)
    real, calls = row_writes.write_batches, []

    def crash_in_the_third_transaction_of_the_pass(conn: Any, batches: Any, machine: str) -> Any:
        if batches and batches[0].usage_only == usage_pass:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("power cut")
        return real(conn, batches, machine)

    options: dict[str, Any] = {"pool_bytes": 0, "workers": workers, "transaction_bytes": 20_000, **SMALL_CHUNKS}
    if not usage_pass:  # `usage` commands first, then a complete scan
        _scan([config], workers_db, "usage", **options)
    monkeypatch.setattr(row_writes, "write_batches", crash_in_the_third_transaction_of_the_pass)
    with pytest.raises(RuntimeError, match="power cut"):
        _scan([config], workers_db, "usage" if usage_pass else "full", **options)
    monkeypatch.setattr(row_writes, "write_batches", real)
    cut_short = 'SELECT COUNT(*) FROM usage_cursors WHERE "offset" < size' if usage_pass else (
        'SELECT COUNT(*) FROM files WHERE "offset" < size')  # fmt: skip
    assert query(workers_db, cut_short) != [(0,)]
    if not usage_pass:  # the usage pass was complete: the responses are all there, the rest is not
        assert query(workers_db, _TABLES["responses"]) == query(here_db, _TABLES["responses"])
        assert query(workers_db, "SELECT COUNT(*) FROM events") < query(here_db, "SELECT COUNT(*) FROM events")
    _scan([config], workers_db, **options)
    assert _tables(workers_db) == _tables(here_db)


class _Interrupted(Exception):
    pass


def test_a_scan_interrupted_between_jobs_commits_what_it_handed_over(
    tmp_path: Path, db_target: Path | str, another_db: Callable[[str], Path | str]
) -> None:
    config = tmp_path / "config"
    write_big_config(config, 300_000, seed=14)
    _tricky_config(config)
    here_db, workers_db = db_target, another_db("workers")
    _scan([config], here_db, **SMALL_CHUNKS)
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 5:
            raise _Interrupted

    store = Store.open(workers_db)
    try:
        with pytest.raises(_Interrupted):
            Ingestor(store, pool_bytes=0, workers=2, **SMALL_CHUNKS).scan([config], progress)
    finally:
        store.close()  # the writer is idle: nothing waits for batches that will not come
    cursors = "SELECT (SELECT COUNT(*) FROM files) + (SELECT COUNT(*) FROM usage_cursors)"
    # Both passes over every file but history (which only the complete pass reads): 2 n - 1 cursors.
    assert 0 < query(workers_db, cursors)[0][0] < 2 * query(here_db, "SELECT COUNT(*) FROM files")[0][0] - 1
    _scan([config], workers_db, pool_bytes=0, workers=2, **SMALL_CHUNKS)
    assert _tables(workers_db) == _tables(here_db)


# SQLite only: it watches the file's commits (`committed_files`) to kill the scan mid-way.
@pytest.mark.slow
def test_kill_9_while_workers_parse_then_rescan_gives_the_same_rows(tmp_path: Path) -> None:
    config = tmp_path / "config"
    corpus = write_big_config(config, 100_000_000, seed=12)
    assert corpus.bytes > pipeline.TRANSACTION_BYTES > pipeline.POOL_BYTES  # workers parse, commits are partial
    killed_db, reference_db = tmp_path / "killed.db", tmp_path / "reference.db"
    _scan([config], reference_db, workers=1)  # in this process

    def ccdeck_scan() -> subprocess.Popen[bytes]:
        command = [str(CCDECK), "scan", "--json", "--config-dir", str(config), "--db", str(killed_db)]
        return subprocess.Popen(command, env=run_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    rng, kills = random.Random(4), 0
    for _ in range(3):
        before = committed_files(killed_db)
        child = ccdeck_scan()
        try:
            started = time.monotonic()
            while child.poll() is None and committed_files(killed_db) <= before and time.monotonic() - started < 60:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.04))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
            child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert kills >= 2
    assert query(killed_db, "PRAGMA integrity_check") == [("ok",)]
    child = ccdeck_scan()
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert orjson.loads(out)["problems"] == 0
    assert _tables(killed_db) == _tables(reference_db)
