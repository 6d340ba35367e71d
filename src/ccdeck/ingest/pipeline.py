"""Scan: for every source file, read what is new since its cursor, parse it, and write it in batches.

Each chunk of a file becomes one `Batch` written by the store's writer thread in one transaction with the file's
new cursor. Malformed lines are logged and counted with file, line number and byte offset; ingestion goes on.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlalchemy import Connection, delete, select

from ccdeck.claude.discovery import SourceFile, registry_files, source_file, source_files
from ccdeck.claude.parser import parse_line
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.registry import parse_history_line, read_live_session
from ccdeck.ingest.tailer import Chunk, FileState, SavedCursor, read_chunks, start_point, stat
from ccdeck.models import Malformed, ParsedLine
from ccdeck.store import schema
from ccdeck.store.batch import Batch, BatchResult, Cursor, SessionMeta, apply_batch
from ccdeck.store.store import Store

log = logging.getLogger(__name__)
DOING_CHARS = 200
# Transcript bytes per write transaction: big enough that per-transaction costs (aggregate refresh, commit) vanish,
# small enough to bound memory (the parsed rows of two batches at most are held at once).
BATCH_BYTES = 8 * 1024 * 1024
Progress = Callable[[int, int], None]


@dataclass
class ScanStats:
    files: int = 0
    bytes: int = 0
    lines: int = 0
    new_responses: int = 0
    problems: int = 0
    unknown_types: Counter[str] = field(default_factory=Counter)
    sessions: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "lines": self.lines,
            "newResponses": self.new_responses,
            "problems": self.problems,
            "seconds": round(self.seconds, 3),
            "unknownTypes": dict(self.unknown_types),
            "sessionsChanged": len(self.sessions),
        }


@dataclass(frozen=True, slots=True)
class _Saved:
    cursor: SavedCursor
    size: int


class Ingestor:
    """Ingests config dirs into a store. `on_batch` hears about every committed batch (the live hub uses it)."""

    def __init__(self, store: Store, on_batch: Callable[[BatchResult], None] | None = None) -> None:
        self.store = store
        self.pricer = Pricer()
        self.on_batch = on_batch
        self._open_batch = Batch()
        self._in_flight: Future[BatchResult] | None = None

    def scan(self, config_dirs: Iterable[Path], progress: Progress | None = None) -> ScanStats:
        started = time.perf_counter()
        stats = ScanStats()
        work: list[tuple[SourceFile, SavedCursor | None, int]] = []
        for config_dir in config_dirs:
            work.extend(self._pending(config_dir, stats))
            self.scan_registry(config_dir)
        total = sum(size - (saved.offset if saved else 0) for _, saved, size in work)
        done = 0
        try:
            for source, saved, _ in work:
                done += self._ingest_file(source, saved, stats)
                if progress is not None:
                    progress(done, total)
        finally:
            self._flush(stats)
        stats.seconds = time.perf_counter() - started
        return stats

    def scan_paths(self, config_dirs: Iterable[Path], paths: Iterable[Path]) -> ScanStats:
        """Ingest only the given files (from file events): no walk of the config dirs."""
        started = time.perf_counter()
        stats = ScanStats()
        dirs = list(config_dirs)
        by_dir: dict[Path, list[SourceFile]] = {}
        registry_dirs: set[Path] = set()
        for path in paths:
            config_dir = next((d for d in dirs if path.is_relative_to(d)), None)
            if config_dir is None:
                continue
            if path.parent.name == "sessions" and path.suffix == ".json":
                registry_dirs.add(config_dir)
            elif source := source_file(config_dir, path):
                by_dir.setdefault(config_dir, []).append(source)
        for config_dir in registry_dirs:
            self.scan_registry(config_dir)
        try:
            for config_dir, sources in by_dir.items():
                for source, saved, _ in self._pending(config_dir, stats, sources):
                    self._ingest_file(source, saved, stats)
        finally:
            self._flush(stats)
        stats.seconds = time.perf_counter() - started
        return stats

    def _pending(
        self, config_dir: Path, stats: ScanStats, sources: Iterable[SourceFile] | None = None
    ) -> list[tuple[SourceFile, SavedCursor | None, int]]:
        """Files that changed since their cursor (unchanged ones cost one stat)."""
        saved = self._saved_cursors(config_dir)
        pending = []
        for source in source_files(config_dir) if sources is None else sources:
            stats.files += 1
            state = stat(source.path)
            if state is None:
                continue
            held = saved.get(str(source.path))
            if held and (held.cursor.device, held.cursor.inode, held.size) == (
                state.device,
                state.inode,
                state.size,
            ):
                continue
            offset, _ = start_point(state, held.cursor if held else None)
            if held and offset == 0 and held.cursor.offset > 0:
                log.info("%s was truncated or replaced: reading it again from the start", source.path)
            pending.append((source, held.cursor if held else None, state.size))
        return pending

    def _saved_cursors(self, config_dir: Path) -> dict[str, _Saved]:
        f = schema.files.c
        query = select(f.path, f.device, f.inode, f.offset, f.lines, f.size).where(f.config_dir == str(config_dir))
        with self.store.read() as conn:
            return {
                path: _Saved(SavedCursor(dev, ino, offset, lines), size)
                for path, dev, ino, offset, lines, size in conn.execute(query)
            }

    def _ingest_file(self, source: SourceFile, saved: SavedCursor | None, stats: ScanStats) -> int:
        """Parse what is new in one file into the open batch (committed when big enough); returns bytes read."""
        state = stat(source.path)
        if state is None:
            return 0
        offset, line_no = start_point(state, saved)
        reader = _FileReader(source, self.pricer, stats)
        read = 0
        try:
            for chunk in read_chunks(source.path, offset, line_no):
                reader.fill(self._open_batch, chunk, state)
                read += chunk.end - chunk.start
                if self._open_batch.bytes >= BATCH_BYTES:
                    self._commit(stats)
        except OSError as exc:
            log.warning("cannot read %s: %s", source.path, exc.strerror)
        stats.bytes += read
        return read

    def _commit(self, stats: ScanStats) -> None:
        """Hand the open batch to the writer and start a new one; parsing goes on while it is written.

        At most one batch is in flight: waiting for the previous one here bounds memory.
        """
        batch, self._open_batch = self._open_batch, Batch()
        self._settle(stats)
        if batch.cursors:
            self._in_flight = self.store.writer.submit(lambda conn: apply_batch(conn, batch))

    def _settle(self, stats: ScanStats) -> None:
        """Wait for the batch in flight, if any, and account for it."""
        if self._in_flight is None:
            return
        result, self._in_flight = self._in_flight.result(), None
        stats.new_responses += len(result.new_responses)
        stats.sessions.update(result.touched_sessions)
        if self.on_batch is not None:
            self.on_batch(result)

    def _flush(self, stats: ScanStats) -> None:
        self._commit(stats)
        self._settle(stats)

    def scan_registry(self, config_dir: Path) -> None:
        """Replace this config dir's rows of the live registry with what `sessions/*.json` says now."""
        entries = [e for e in (read_live_session(p, config_dir) for p in registry_files(config_dir)) if e]
        rows = [
            {"config_dir": e.config_dir, "pid": e.pid, "session_id": e.session_id, "cwd": e.cwd,
             "started_at": e.started_at, "updated_at": e.updated_at, "version": e.version, "status": e.status}
            for e in entries
        ]  # fmt: skip
        table = schema.live_sessions

        def replace(conn: Connection) -> None:
            conn.execute(delete(table).where(table.c.config_dir == str(config_dir)))
            if rows:
                conn.execute(table.insert(), rows)

        self.store.write(replace)


class _FileReader:
    """Turns chunks of one file into batches, remembering the file's cwd for relative snapshot paths."""

    def __init__(self, source: SourceFile, pricer: Pricer, stats: ScanStats) -> None:
        self.source = source
        self.pricer = pricer
        self.stats = stats
        self.cwd: str | None = None

    def fill(self, batch: Batch, chunk: Chunk, state: FileState) -> None:
        """Add one chunk's rows to `batch`, with the file's cursor just past it (size >= end: files grow)."""
        lines = chunk.data.split(b"\n")
        lines.pop()  # a chunk ends with a newline: the last piece is empty
        offset = chunk.start
        for index, line in enumerate(lines):
            if line.strip():
                self._line(batch, line, offset, chunk.first_line_no + index + 1)
            offset += len(line) + 1
        self.stats.lines += len(lines)
        if self.source.session_hint and self.source.path.parent.name == "subagents":
            _agent_meta(batch, self.source)
        s = self.source
        batch.cursors.append(Cursor(str(s.path), str(s.config_dir), s.kind, state.device, state.inode,
                                    max(state.size, chunk.end), chunk.end, chunk.first_line_no + len(lines),
                                    s.session_hint, self.cwd))  # fmt: skip
        batch.bytes += len(chunk.data)

    def _line(self, batch: Batch, line: bytes, offset: int, line_no: int) -> None:
        if self.source.kind == "history":
            entry = parse_history_line(line)
            if entry is not None:
                batch.history.append(entry)
            return
        record = parse_line(line, self.source.session_hint)
        if isinstance(record, Malformed):
            self.stats.problems += 1
            batch.problems.append((str(self.source.path), offset, line_no, record.reason))
            log.warning("%s:%d (byte %d): %s", self.source.path, line_no, offset, record.reason)
            return
        self._absorb(batch, record)

    def _absorb(self, batch: Batch, rec: ParsedLine) -> None:
        if not rec.known:
            self.stats.unknown_types[rec.type] += 1
        if rec.cwd:
            self.cwd = rec.cwd
        session = rec.session_id or self.source.session_hint
        if session and rec.timestamp is not None:
            self._meta(batch, session, rec)
        if rec.response is not None:
            r = rec.response
            batch.responses.append((r, self.pricer.cost(r.model, r.usage, r.timestamp)))
        batch.events.extend(rec.events)
        batch.tool_uses.extend(rec.tool_uses)
        if rec.title is not None:
            if rec.title.source == "summary" and rec.title.leaf_uuid:
                batch.summaries[rec.title.leaf_uuid] = rec.title.text
            elif session:
                batch.titles[(session, rec.title.source)] = rec.title.text
        if rec.snapshot_paths and session:
            for path in rec.snapshot_paths:
                full = path if path.startswith("/") or not self.cwd else f"{self.cwd.rstrip('/')}/{path}"
                batch.snapshot_files.append((session, full))

    def _meta(self, batch: Batch, session: str, rec: ParsedLine) -> None:
        assert rec.timestamp is not None
        meta = batch.sessions.get(session)
        if meta is None:
            meta = batch.sessions[session] = SessionMeta(str(self.source.config_dir), rec.timestamp, rec.timestamp)
        meta.first = min(meta.first, rec.timestamp)
        if rec.timestamp < meta.last:
            return
        meta.last = rec.timestamp
        meta.cwd = rec.cwd or meta.cwd
        meta.git_branch = rec.git_branch or meta.git_branch
        meta.version = rec.version or meta.version
        meta.entrypoint = rec.entrypoint or meta.entrypoint
        if rec.events:
            last = rec.events[-1]
            meta.last_kind = last.kind
            if last.kind in ("tool_use", "prompt"):
                meta.doing = last.text[:DOING_CHARS]


def _agent_meta(batch: Batch, source: SourceFile) -> None:
    """`agent-<id>.meta.json` beside a subagent transcript: its type and description."""
    meta_path = source.path.with_suffix(".meta.json")
    agent_id = source.path.stem.removeprefix("agent-")
    agent_type = description = None
    try:
        obj = orjson.loads(meta_path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        obj = None
    if isinstance(obj, dict):
        agent_type = obj.get("agentType") if isinstance(obj.get("agentType"), str) else None
        description = obj.get("description") if isinstance(obj.get("description"), str) else None
    assert source.session_hint is not None
    batch.agents.append((source.session_hint, agent_id, agent_type, description))
