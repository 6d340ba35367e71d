"""Read the complete lines a file gained since a saved cursor, in bounded chunks.

The offset only ever moves past a newline, so a half-written last line is left for the next read and is never
counted twice. A file whose identity (device, inode) changed, or that shrank below the offset, is read again from
the start; so is one rewritten in place (`cp` over it keeps the inode): the cursor keeps a fingerprint of the
`TAIL_BYTES` before its offset, and reading on first checks that those bytes are still the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK_BYTES = 4 * 1024 * 1024
# Bytes before a cursor's offset that its fingerprint covers: one page, a few lines (whose uuids and timestamps
# make them unique), read once per changed file and scan.
TAIL_BYTES = 4096


@dataclass(frozen=True, slots=True)
class FileState:
    device: int
    inode: int
    size: int
    mtime_ns: int = 0


@dataclass(frozen=True, slots=True)
class SavedCursor:
    device: int
    inode: int
    offset: int
    lines: int
    cwd: str | None = None  # the first cwd of the file's lines: later snapshot paths are relative to it
    fingerprint: str | None = None  # of the bytes before `offset` (None: written before fingerprints existed)
    mtime_ns: int | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    """Where reading a file goes on: offset, lines before it, the cwd they gave, and the bytes just before it.

    `rewritten`: the file kept its identity and size but the bytes before the saved offset changed.
    """

    offset: int
    lines: int
    cwd: str | None
    tail: bytes
    rewritten: bool = False


@dataclass(frozen=True, slots=True)
class Chunk:
    """Complete lines starting at byte `start`; `end` is just past the last newline."""

    start: int
    end: int
    first_line_no: int
    data: bytes


def file_state(st: os.stat_result) -> FileState:
    return FileState(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def fingerprint(tail: bytes) -> str:
    """The fingerprint of the bytes before a cursor's offset (the last `TAIL_BYTES`, or all when fewer)."""
    import hashlib  # loading OpenSSL costs ~10 ms: paid by a scan that reads, not by the warm reports' check

    return hashlib.blake2b(tail, digest_size=16).hexdigest()


def last_bytes(tail: bytes, data: bytes) -> bytes:
    """The last `TAIL_BYTES` of `tail + data`, without copying a big `data`."""
    if len(data) >= TAIL_BYTES:
        return data[-TAIL_BYTES:]
    return (tail + data)[-TAIL_BYTES:]


def start_point(state: FileState, saved: SavedCursor | None) -> tuple[int, int]:
    """(offset, lines already read) to continue from: the saved cursor, or the start of a new or replaced file."""
    if saved is None or (saved.device, saved.inode) != (state.device, state.inode) or state.size < saved.offset:
        return 0, 0
    return saved.offset, saved.lines


def resume(fd: int, state: FileState, saved: SavedCursor | None) -> Resume:
    """Where to read the open file `fd` from: `start_point`, unless the bytes before it are not what the saved
    fingerprint says (then the start). Reads at most `TAIL_BYTES`; a cursor without fingerprint is trusted."""
    offset, lines = start_point(state, saved)
    if offset == 0 or saved is None:
        return Resume(0, 0, None, b"")
    tail = read_span(fd, offset - min(offset, TAIL_BYTES), offset)
    if saved.fingerprint is not None and fingerprint(tail) != saved.fingerprint:
        return Resume(0, 0, None, b"", rewritten=True)
    return Resume(offset, lines, saved.cwd, tail)


def read_chunks(fd: int, offset: int, first_line_no: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Chunks of complete lines of the open file `fd` from `offset` on; a line longer than a chunk is read whole."""
    with os.fdopen(fd, "rb", closefd=False) as f:
        f.seek(offset)
        carry = b""
        line_no = first_line_no
        while True:
            block = f.read(chunk_bytes)
            if not block:
                return
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data  # no newline yet: keep reading (a very long line, or a half-written one)
                continue
            chunk = Chunk(offset, offset + cut, line_no, data[:cut])
            yield chunk
            line_no += chunk.data.count(b"\n")
            offset += cut
            carry = data[cut:]


def chunk_spans(fd: int, offset: int, size: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, int]]:
    """The (start, end) of the chunks `read_chunks` yields from `offset` when the file ends at `size`.

    Reads only around each chunk's end (a chunk ends at the last newline before the next multiple of
    `chunk_bytes` from `offset`), so parse workers can read the chunks themselves.
    """
    start = searched = offset  # [start, searched) holds no newline: a line longer than a chunk goes on
    while searched < size:
        end = min(searched + chunk_bytes, size)
        newline = _last_newline(fd, searched, end)
        searched = end
        if newline >= 0:
            yield start, newline + 1
            start = newline + 1


def _last_newline(fd: int, low: int, high: int) -> int:
    """The offset of the last newline in [low, high), or -1, read backwards in growing windows."""
    window = 4096  # a file usually ends with a newline, and lines are short next to chunks
    while high > low:
        begin = max(low, high - window)
        block = os.pread(fd, high - begin, begin)
        found = block.rfind(b"\n")
        if found >= 0:
            return begin + found
        high = begin
        window = min(window * 4, 4 * CHUNK_BYTES)
    return -1


def read_span(fd: int, start: int, end: int) -> bytes:
    """The bytes [start, end) of a file; fewer when the file is shorter now."""
    data = os.pread(fd, end - start, start)
    if len(data) == end - start or not data:
        return data
    parts = [data]
    got = len(data)
    while got < end - start:
        more = os.pread(fd, end - start - got, start + got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
