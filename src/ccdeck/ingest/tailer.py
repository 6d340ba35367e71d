"""Read the complete lines a file gained since a saved cursor, in bounded chunks.

The offset only ever moves past a newline, so a half-written last line is left for the next read and is never
counted twice. A file whose identity (device, inode) changed, or that shrank below the offset, is read again from
the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileState:
    device: int
    inode: int
    size: int


@dataclass(frozen=True, slots=True)
class SavedCursor:
    device: int
    inode: int
    offset: int
    lines: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """Complete lines starting at byte `start`; `end` is just past the last newline."""

    start: int
    end: int
    first_line_no: int
    data: bytes


def stat(path: Path) -> FileState | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return FileState(st.st_dev, st.st_ino, st.st_size)


def start_point(state: FileState, saved: SavedCursor | None) -> tuple[int, int]:
    """(offset, lines already read) to continue from: the saved cursor, or the start of a new or replaced file."""
    if saved is None or (saved.device, saved.inode) != (state.device, state.inode) or state.size < saved.offset:
        return 0, 0
    return saved.offset, saved.lines


def read_chunks(path: Path, offset: int, first_line_no: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Chunks of complete lines from `offset` on; a line longer than a chunk is read whole."""
    with path.open("rb") as f:
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
