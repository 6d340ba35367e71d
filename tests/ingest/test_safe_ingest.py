"""Ingest reads only what is a transcript: regular files inside the config dir, rewrites in place, bad usage lines."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from db_writes import execute

from ccdeck.ingest.pipeline import Ingestor, ScanStats
from ccdeck.store.store import Store
from core_fixtures import (
    assistant,
    dumps,
    query,
    response_totals,
    scan,
    session_row,
    transcript,
    usage,
    write_jsonl,
)

S = "44444444-5555-4666-8777-888888888888"
CWD = "/home/dev/proj"


def _responses(n: int, tag: str, start: int = 0) -> list[dict]:
    return [
        assistant(S, f"2025-08-01T{10 + i // 60:02d}:{i % 60:02d}:00.000Z", msg_id=f"msg_{tag}_{i}",
                  request_id=f"req_{tag}_{i}", u=usage(1, 10 + i, 100, 1000))
        for i in range(start, start + n)
    ]  # fmt: skip


def _bounded(run: Callable[[], ScanStats], unblock: Callable[[], None] = lambda: None) -> ScanStats:
    """`run` in a thread; fails (after calling `unblock`) if it has not returned within 30 s."""
    result: list[ScanStats] = []
    thread = threading.Thread(target=lambda: result.append(run()), daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():
        unblock()
        pytest.fail("the scan hangs")
    assert result, "the scan failed"
    return result[0]


def _unblock_fifo(fifo: Path) -> Callable[[], None]:
    def unblock() -> None:  # a writer that opens and closes lets a blocked reader go on (it then reads nothing)
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    return unblock


# ------------------------------------------------------------------------------------------------- not a file


def test_a_fifo_named_like_a_transcript_is_skipped_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, db_target: Path | str
) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, CWD, S), _responses(3, "a"))
    fifo = transcript(config, CWD, "x")
    os.mkfifo(fifo)
    store = Store.open(db)
    try:
        ingestor = Ingestor(store)
        first = _bounded(lambda: ingestor.scan([config]), _unblock_fifo(fifo))
        again = _bounded(lambda: ingestor.scan([config]), _unblock_fifo(fifo))
    finally:
        store.close()
    assert (first.files, first.skipped, first.new_responses) == (2, 1, 3)
    assert (again.skipped, again.new_responses) == (1, 0)
    assert [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()] == [
        f"skipping {fifo}: is a FIFO, not a regular file"
    ]
    assert first.as_json()["skipped"] == 1


def test_a_file_event_for_a_fifo_does_not_hang(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    fifo = transcript(config, CWD, S)
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    store = Store.open(db)
    try:
        stats = _bounded(lambda: Ingestor(store).scan_paths([config], [fifo]), _unblock_fifo(fifo))
    finally:
        store.close()
    assert (stats.files, stats.skipped, stats.lines) == (1, 1, 0)


def test_history_and_registry_fifos_are_skipped(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    (config / "sessions").mkdir(parents=True)
    os.mkfifo(config / "history.jsonl")
    os.mkfifo(config / "sessions" / "123.json")
    unblock = [_unblock_fifo(config / "history.jsonl"), _unblock_fifo(config / "sessions" / "123.json")]
    stats = _bounded(lambda: scan(config, db), lambda: [u() for u in unblock])
    assert stats.skipped == 1
    assert query(db, "SELECT COUNT(*) FROM live_sessions") == [(0,)]


def test_a_symlink_to_a_device_is_skipped(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    (config / "sessions").mkdir()
    (config / "sessions" / "1.json").symlink_to("/dev/zero")
    stats = _bounded(lambda: scan(config, db))
    assert (stats.skipped, stats.bytes) == (1, 0)


def test_symlinks_out_of_the_config_dir_are_not_followed(tmp_path: Path, db_target: Path | str) -> None:
    config, db, outside = tmp_path / "config", db_target, tmp_path / "elsewhere"
    write_jsonl(outside / f"{S}.jsonl", _responses(3, "out"))
    write_jsonl(outside / "registry.json", [{"pid": os.getpid(), "sessionId": S}], final_newline=False)
    link = transcript(config, CWD, S)
    link.parent.mkdir(parents=True)
    link.symlink_to(outside / f"{S}.jsonl")
    (config / "sessions").mkdir()
    (config / "sessions" / "1.json").symlink_to(outside / "registry.json")
    stats = scan(config, db)
    assert (stats.skipped, stats.lines) == (1, 0)
    assert response_totals(db)["responses"] == 0
    assert query(db, "SELECT COUNT(*) FROM live_sessions") == [(0,)]


def test_a_symlink_to_a_file_inside_the_config_dir_is_followed(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(config / "archive" / f"{S}.jsonl", _responses(3, "in"))
    link = transcript(config, CWD, S)
    link.parent.mkdir(parents=True)
    link.symlink_to(Path("..", "..", "archive", f"{S}.jsonl"))
    stats = scan(config, db)
    assert (stats.skipped, stats.new_responses) == (0, 3)


def test_a_symlinked_folder_loop_is_not_walked(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    write_jsonl(path, _responses(2, "loop"))
    (path.parent / "loop").symlink_to(path.parent, target_is_directory=True)
    (config / "projects" / "out").symlink_to(tmp_path, target_is_directory=True)
    stats = _bounded(lambda: scan(config, db))
    assert (stats.files, stats.new_responses) == (1, 2)


# ------------------------------------------------------------------------------------------------- rewritten in place


def _scan_with(config: Path, db: Path | str, workers: int) -> ScanStats:
    """A scan here (workers 0) or in parse workers (any backlog is big enough)."""
    store = Store.open(db)
    try:
        return Ingestor(store, pool_bytes=0 if workers else 1 << 40, workers=workers).scan([config])
    finally:
        store.close()


@pytest.mark.parametrize("workers", [0, 2])
def test_a_file_rewritten_in_place_to_a_larger_size_is_read_again(
    tmp_path: Path, workers: int, db_target: Path | str
) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    write_jsonl(path, _responses(200, "old"))
    inode = path.stat().st_ino
    _scan_with(config, db, workers)
    new = b"".join(dumps(line) + b"\n" for line in _responses(300, "new"))
    with path.open("r+b") as f:  # what `cp` over it does: same inode, new bytes from the start
        f.write(new)
    assert (path.stat().st_ino, path.stat().st_size) == (inode, len(new))
    stats = _scan_with(config, db, workers)
    assert (stats.lines, stats.bytes, stats.new_responses) == (300, len(new), 300)
    totals = response_totals(db)
    assert totals["responses"] == 500  # the 200 read before are kept; nothing is counted twice
    assert session_row(db, S)["output_tokens"] == totals["outputTokens"]
    assert query(db, 'SELECT "offset", lines FROM files') == [(len(new), 300)]
    again = _scan_with(config, db, workers)
    assert (again.bytes, again.lines, again.new_responses) == (0, 0, 0)


def test_a_file_rewritten_in_place_at_the_same_size_is_read_again(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    old = b"".join(dumps(line) + b"\n" for line in _responses(3, "same"))
    path.parent.mkdir(parents=True)
    path.write_bytes(old)
    scan(config, db)
    new = old.replace(b'"output_tokens":1', b'"output_tokens":5')  # 10, 11, 12 -> 50, 51, 52: same length
    assert len(new) == len(old) and new != old
    with path.open("r+b") as f:
        f.write(new)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # coarse clocks: a write in the same tick
    stats = scan(config, db)
    assert stats.lines == 3
    assert response_totals(db)["outputTokens"] == 50 + 51 + 52


def test_a_touched_file_is_checked_once_then_skipped(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    write_jsonl(path, _responses(3, "touch"))
    scan(config, db)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    stats = scan(config, db)
    assert (stats.bytes, stats.lines) == (0, 0)
    assert query(db, "SELECT mtime_ns FROM files") == [(st.st_mtime_ns + 1_000_000,)]


def test_a_cursor_from_before_fingerprints_is_trusted_until_written_again(
    tmp_path: Path, db_target: Path | str
) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    size = write_jsonl(path, _responses(3, "old"))
    scan(config, db)
    execute(db, "UPDATE files SET fingerprint = NULL, mtime_ns = NULL")
    added = write_jsonl(path, _responses(2, "more", start=3), mode="ab")
    stats = scan(config, db)
    assert (stats.bytes, stats.new_responses) == (added, 2)
    ((offset, fingerprint),) = query(db, 'SELECT "offset", fingerprint FROM files')
    assert offset == size + added and fingerprint is not None


# ------------------------------------------------------------------------------------------------- bad usage lines


def test_thousands_of_bad_usage_lines_are_counted_and_summarized_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, db_target: Path | str
) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, CWD, S)
    bad = [assistant(S, "2025-08-01T10:00:00.000Z", msg_id=f"bad_{i}", u=usage(1, -1 - i, 0, 0)) for i in range(2000)]
    bad += [assistant(S, "not a time", msg_id=f"late_{i}") for i in range(1000)]
    write_jsonl(path, [*_responses(2, "good"), *bad])
    caplog.set_level(logging.WARNING)
    stats = scan(config, db)
    assert (stats.problems, stats.new_responses) == (3000, 2)
    assert response_totals(db)["responses"] == 2
    assert query(db, 'SELECT COUNT(*), MIN(line_no), MIN("offset") > 0 FROM problems WHERE path = ?', [str(path)]) == [
        (3000, 3, 1)
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"3,000 malformed lines skipped (first: {path}:3 (byte ")
    assert warnings[0].endswith("see --verbose")
