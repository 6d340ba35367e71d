"""The cursor and tailer: complete lines only, truncation, replacement, unchanged files, line numbers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccdeck.ingest import tailer
from ccdeck.ingest.tailer import TAIL_BYTES, Chunk, FileState, SavedCursor, fingerprint, resume, start_point
from core_fixtures import (
    assistant,
    dumps,
    query,
    response_totals,
    scan,
    session_row,
    transcript,
    usage,
    user_prompt,
    write_jsonl,
)

S = "22222222-3333-4444-8555-666666666666"


def _responses(n: int, start: int = 0, out: int = 10) -> list[dict]:
    return [
        assistant(
            S,
            f"2025-08-01T10:{i:02d}:00.000Z",
            msg_id=f"msg_{i}",
            request_id=f"req_{i}",
            u=usage(1, out + i, 100, 1000),
        )
        for i in range(start, start + n)
    ]


# ------------------------------------------------------------------------------------------------- unit


def read_chunks(path: Path, offset: int, first_line_no: int, chunk_bytes: int = tailer.CHUNK_BYTES) -> Iterator[Chunk]:
    fd = os.open(path, os.O_RDONLY)
    try:
        yield from tailer.read_chunks(fd, offset, first_line_no, chunk_bytes)
    finally:
        os.close(fd)


def test_read_chunks_yields_complete_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"one\ntwo\nthr")
    chunks = list(read_chunks(path, 0, 0))
    assert [(c.start, c.end, c.first_line_no, c.data) for c in chunks] == [(0, 8, 0, b"one\ntwo\n")]
    assert list(read_chunks(path, 8, 2)) == []


def test_read_chunks_across_small_chunks_and_long_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    lines = [b"a" * 3, b"b" * 25, b"c", b"d" * 7]
    path.write_bytes(b"\n".join(lines) + b"\n" + b"partial")
    chunks = list(read_chunks(path, 0, 10, chunk_bytes=8))
    data = b"".join(c.data for c in chunks)
    assert data == b"\n".join(lines) + b"\n"
    # Chunks are contiguous, each ends on a newline, and line numbers follow on.
    position, line_no = 0, 10
    for chunk in chunks:
        assert chunk.start == position
        assert chunk.first_line_no == line_no
        assert chunk.data.endswith(b"\n")
        assert chunk.end - chunk.start == len(chunk.data)
        position, line_no = chunk.end, line_no + chunk.data.count(b"\n")
    assert position == len(data)
    # A line longer than a chunk is read whole.
    assert any(b"b" * 25 in c.data for c in chunks)


def test_read_chunks_from_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"one\ntwo\nthree\n")
    (chunk,) = read_chunks(path, 4, 1)
    assert (chunk.start, chunk.end, chunk.first_line_no, chunk.data) == (4, 14, 1, b"two\nthree\n")


@pytest.mark.parametrize(
    ("state", "saved", "expected"),
    [
        (FileState(1, 2, 100), None, (0, 0)),
        (FileState(1, 2, 100), SavedCursor(1, 2, 60, 3), (60, 3)),
        (FileState(1, 2, 60), SavedCursor(1, 2, 60, 3), (60, 3)),
        (FileState(1, 2, 59), SavedCursor(1, 2, 60, 3), (0, 0)),  # truncated
        (FileState(1, 9, 100), SavedCursor(1, 2, 60, 3), (0, 0)),  # replaced: another inode
        (FileState(7, 2, 100), SavedCursor(1, 2, 60, 3), (0, 0)),  # another device
    ],
)
def test_start_point(state: FileState, saved: SavedCursor | None, expected: tuple[int, int]) -> None:
    assert start_point(state, saved) == expected


@pytest.mark.parametrize("offset", [1, 100, TAIL_BYTES, TAIL_BYTES + 1, 3 * TAIL_BYTES])
def test_resume_checks_the_bytes_before_the_offset(tmp_path: Path, offset: int) -> None:
    path = tmp_path / "f.jsonl"
    data = bytes(range(256)) * (4 * TAIL_BYTES // 256)
    path.write_bytes(data)
    state = FileState(1, 2, len(data))
    tail = data[max(0, offset - TAIL_BYTES) : offset]
    fd = os.open(path, os.O_RDONLY)
    try:
        same = resume(fd, state, SavedCursor(1, 2, offset, 7, "/cwd", fingerprint(tail)))
        assert (same.offset, same.lines, same.cwd, same.tail, same.rewritten) == (offset, 7, "/cwd", tail, False)
        old = resume(fd, state, SavedCursor(1, 2, offset, 7, "/cwd"))  # no fingerprint yet: trusted
        assert (old.offset, old.tail) == (offset, tail)
        other = resume(fd, state, SavedCursor(1, 2, offset, 7, "/cwd", fingerprint(b"x" + tail[1:])))
        assert (other.offset, other.lines, other.cwd, other.rewritten) == (0, 0, None, True)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------------- via scan


def test_partial_last_line_is_read_once_complete(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    prompt, first, second = user_prompt(S, "2025-08-01T09:59:00.000Z", "go"), *_responses(2)
    complete = dumps(prompt) + b"\n" + dumps(first) + b"\n"
    tail = dumps(second)
    path.parent.mkdir(parents=True)
    path.write_bytes(complete + tail[:40])
    stats = scan(config, db)
    assert (stats.lines, stats.bytes, stats.new_responses) == (2, len(complete), 1)
    assert query(db, 'SELECT "offset", lines, size FROM files') == [(len(complete), 2, len(complete) + 40)]
    # Nothing new: the half line is not read again.
    stats = scan(config, db)
    assert (stats.lines, stats.bytes, stats.new_responses) == (0, 0, 0)
    # The writer finishes the line: it is read once.
    with path.open("ab") as f:
        f.write(tail[40:] + b"\n")
    stats = scan(config, db)
    assert (stats.lines, stats.bytes, stats.new_responses) == (1, len(tail) + 1, 1)
    assert response_totals(db)["outputTokens"] == 10 + 11
    stats = scan(config, db)
    assert (stats.lines, stats.bytes, stats.new_responses) == (0, 0, 0)
    assert response_totals(db)["responses"] == 2


def test_unchanged_rescan_reads_nothing(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    write_jsonl(transcript(config, "/p", S), [user_prompt(S, "2025-08-01T09:59:00.000Z", "go"), *_responses(5)])
    write_jsonl(config / "history.jsonl", [{"display": "go", "timestamp": 1754042340000, "project": "/p"}])
    first = scan(config, db)
    assert (first.files, first.lines, first.new_responses) == (2, 7, 5)
    before = response_totals(db)
    again = scan(config, db)
    assert (again.files, again.bytes, again.lines, again.new_responses, again.problems) == (2, 0, 0, 0, 0)
    assert response_totals(db) == before


def test_appended_lines_are_read_from_the_cursor(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(3))
    size = path.stat().st_size
    scan(config, db)
    added = write_jsonl(path, _responses(2, start=3), mode="ab")
    stats = scan(config, db)
    assert (stats.bytes, stats.lines, stats.new_responses) == (added, 2, 2)
    assert query(db, 'SELECT "offset", lines FROM files') == [(size + added, 5)]
    assert response_totals(db)["responses"] == 5


def test_truncated_file_is_read_again_without_double_counting(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(4))
    inode = path.stat().st_ino
    scan(config, db)
    assert response_totals(db)["responses"] == 4
    # Rewritten in place, shorter: two of the old responses and one new one.
    kept = _responses(2)
    new = _responses(1, start=10)
    with path.open("r+b") as f:
        f.truncate(0)
        data = b"".join(dumps(line) + b"\n" for line in [*kept, *new])
        f.write(data)
    assert path.stat().st_ino == inode
    stats = scan(config, db)
    assert (stats.bytes, stats.lines, stats.new_responses) == (len(data), 3, 1)
    totals = response_totals(db)
    # History is kept: the 4 responses read before plus the new one, none twice.
    assert totals["responses"] == 5
    assert totals["outputTokens"] == sum(10 + i for i in (0, 1, 2, 3, 10))
    assert session_row(db, S)["output_tokens"] == totals["outputTokens"]
    assert query(db, 'SELECT "offset", lines FROM files') == [(len(data), 3)]


def test_replaced_file_is_read_again(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(3))
    scan(config, db)
    replacement = path.with_suffix(".tmp")
    written = write_jsonl(replacement, _responses(5))
    replacement.replace(path)
    stats = scan(config, db)
    assert (stats.bytes, stats.lines, stats.new_responses) == (written, 5, 2)
    totals = response_totals(db)
    assert totals["responses"] == 5
    assert totals["outputTokens"] == sum(10 + i for i in range(5))
    assert session_row(db, S)["output_tokens"] == totals["outputTokens"]


def test_replaced_file_of_the_same_size_is_read_again(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(3, out=10))
    scan(config, db)
    replacement = path.with_suffix(".tmp")
    write_jsonl(replacement, _responses(3, out=50))  # same length, larger output on every copy
    assert replacement.stat().st_size == path.stat().st_size
    replacement.replace(path)
    stats = scan(config, db)
    assert stats.lines == 3
    assert response_totals(db)["outputTokens"] == 50 + 51 + 52


def test_deleted_file_keeps_its_history(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(3))
    scan(config, db)
    path.unlink()
    stats = scan(config, db)
    assert stats.files == 0
    assert response_totals(db)["responses"] == 3


def test_line_numbers_continue_across_scans(tmp_path: Path, db_target: Path | str) -> None:
    config, db = tmp_path / "config", db_target
    path = transcript(config, "/p", S)
    write_jsonl(path, _responses(3))
    scan(config, db)
    write_jsonl(path, [b"", b"oops"], mode="ab")
    scan(config, db)
    size = path.stat().st_size
    assert query(db, 'SELECT line_no, "offset" FROM problems') == [(5, size - len(b"oops\n"))]
