"""A task's stdout, read on the event loop: copied byte for byte to its stream log through a buffer, and split
into lines with no line-length limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import IO

STREAM_BUFFER_BYTES = 1 << 16  # the stream log is written through a buffer of this size,
FLUSH_SECONDS = 0.25  # and flushed this long after the first byte it holds (readers of the log lag at most this)


class StreamReader(asyncio.Protocol):
    """Copies stdout to the stream log (buffered: flushed `FLUSH_SECONDS` after the first unflushed byte, and when
    the pipe closes) and hands each complete line to `on_line`."""

    def __init__(self, sink: IO[bytes], on_line: Callable[[bytes], None]) -> None:
        self.sink = sink
        self.on_line = on_line
        self.buffer = bytearray()
        self.loop = asyncio.get_running_loop()
        self.closed: asyncio.Future[None] = self.loop.create_future()
        self._flush: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        self.sink.write(data)
        if self._flush is None:
            self._flush = self.loop.call_later(FLUSH_SECONDS, self.flush)
        scan_from = len(self.buffer)  # only the new bytes can hold a newline not seen yet: linear in line length
        self.buffer += data
        start = 0
        while (newline := self.buffer.find(b"\n", scan_from)) >= 0:
            self._line(bytes(self.buffer[start:newline]))
            start = scan_from = newline + 1
        if start:
            del self.buffer[:start]

    def _line(self, line: bytes) -> None:
        if line.strip():
            self.on_line(line)

    def eof_received(self) -> bool:
        return False

    def flush(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if not self.sink.closed:
            self.sink.flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.flush()
        self._line(bytes(self.buffer))  # a last line without its newline still counts
        self.buffer.clear()
        if not self.closed.done():
            self.closed.set_result(None)
