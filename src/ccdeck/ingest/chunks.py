"""Chunks of one file -> rows of a batch. Used in the scanning process and in parse workers alike.

Imports only what parsing needs (no database code): parse workers import this module.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import orjson

from ccdeck.claude.discovery import SourceFile
from ccdeck.claude.message import request_id_of
from ccdeck.claude.parser import parse_record
from ccdeck.claude.pricing import Pricer
from ccdeck.claude.records import Record, Response
from ccdeck.claude.registry import parse_history_line
from ccdeck.claude.safe_open import read_small
from ccdeck.claude.usage_line import parse_usage_record
from ccdeck.ingest.tailer import Chunk, FileState, fingerprint, last_bytes
from ccdeck.models import Malformed, TokenUsage
from ccdeck.store.rows import AgentRow, Batch, Cursor, Problem, ResponseRow, SessionMeta, history_row, outranks

DOING_CHARS = 200
META_BYTES = 1024 * 1024  # a subagent's meta file is a few hundred bytes


@dataclass(slots=True)
class ParseStats:
    """What parsing saw besides rows: lines read, malformed lines, line types it does not know."""

    lines: int = 0
    problems: int = 0
    unknown_types: Counter[str] = field(default_factory=Counter)


class FileReader:
    """Turns chunks of one file into batch rows, remembering the file's first cwd for relative snapshot paths.

    `file-history-snapshot` paths are relative to the folder the session started in (its first cwd), not to the
    cwd of the lines around them: a session that cd'd into a subfolder still names files from where it began.
    A resumed session's file starts with copies of the earlier lines, so its first cwd is that folder too.
    A reader starts with the cwd the file's earlier lines gave (`cwd`), or none. `relative` lists the
    `batch.snapshot_files` entries made from relative paths (index, path as written), so that the spans of a file
    read by several readers can be resolved afterwards against the first cwd of the whole file.
    Without a `pricer` (parse workers: loading the price tables costs each process ~0.8 s and ~20 MB), responses are
    left unpriced, for `price_responses` to price in the scanning process.

    `usage_only` (the first pass of a big scan): only the lines that can carry a response -- those holding the bytes
    `"usage"`, which inside a JSON string would be escaped -- are decoded, into responses and session metadata; their
    cursors are usage cursors. Otherwise, the responses of lines before byte `responses_from` are left out: a usage
    pass stored them.
    """

    def __init__(
        self,
        source: SourceFile,
        pricer: Pricer | None,
        stats: ParseStats,
        usage_only: bool = False,
        responses_from: int = 0,
    ) -> None:
        self.source = source
        self.path = str(source.path)
        self.pricer = pricer
        self.stats = stats
        self.cwd: str | None = None
        self.tail = b""  # the last `TAIL_BYTES` before what `fill` reads next, for the cursor's fingerprint
        self.relative: list[tuple[int, str]] = []
        self.config_dir = str(source.config_dir)
        self.is_history = source.kind == "history"
        self.is_subagent = bool(source.session_hint) and source.path.parent.name == "subagents"
        self.usage_only = usage_only
        self.responses_from = responses_from
        self._unpriced: dict[str, TokenUsage] = {}  # this fill's winning copies, priced once at its end

    def fill(self, batch: Batch, chunk: Chunk, state: FileState) -> int:
        """Add one chunk's rows to `batch`, with the file's cursor just past it (size >= end: files grow).

        Returns the number of lines in the chunk.
        """
        if self.usage_only:
            return self._fill_usage(batch, chunk, state)
        lines = chunk.data.split(b"\n")
        lines.pop()  # a chunk ends with a newline: the last piece is empty
        offset = chunk.start
        line_no = chunk.first_line_no
        for line in lines:
            line_no += 1
            if line.strip():
                self._line(batch, line, offset, line_no)
            offset += len(line) + 1
        self.stats.lines += len(lines)
        if self.is_subagent:
            _agent_meta(batch, self.source)
        self._price(batch)
        self.tail = last_bytes(self.tail, chunk.data)
        batch.cursors.append(self.cursor(state, chunk.end, chunk.first_line_no + len(lines)))
        batch.bytes += len(chunk.data)
        return len(lines)

    def _fill_usage(self, batch: Batch, chunk: Chunk, state: FileState) -> int:
        """`fill` of a usage pass: a search through the chunk finds the lines to decode; the others are not split."""
        data, find, rfind = chunk.data, chunk.data.find, chunk.data.rfind
        at = find(b'"usage"')
        while at >= 0:
            start = rfind(b"\n", 0, at) + 1
            end = find(b"\n", at)  # a chunk ends with a newline
            self._usage_line(batch, data[start:end], chunk, start)
            at = find(b'"usage"', end)
        count = data.count(b"\n")
        self._price(batch)
        self.stats.lines += count
        self.tail = last_bytes(self.tail, data)
        batch.cursors.append(self.cursor(state, chunk.end, chunk.first_line_no + count))
        batch.bytes += len(data)
        return count

    def _usage_line(self, batch: Batch, line: bytes, chunk: Chunk, start: int) -> None:
        record = parse_usage_record(line, self.source.session_hint)
        if isinstance(record, Malformed):
            self.stats.problems += 1
            line_no = chunk.first_line_no + chunk.data.count(b"\n", 0, start) + 1
            batch.problems.append(Problem(self.path, chunk.start + start, line_no, record.reason))
            return
        session = record.session_id or self.source.session_hint
        if session and record.timestamp is not None:
            self._meta(batch, session, record)
        if record.response is not None:
            self._response(batch, record.response)

    def cursor(self, state: FileState, offset: int, lines: int) -> Cursor:
        """The file's cursor at `offset`, just past what was read (`tail` holds the bytes before it)."""
        s = self.source
        return Cursor(self.path, str(s.config_dir), s.kind, state.device, state.inode, max(state.size, offset),
                      offset, lines, s.session_hint, self.cwd, fingerprint(self.tail), state.mtime_ns)  # fmt: skip

    def _line(self, batch: Batch, line: bytes, offset: int, line_no: int) -> None:
        if self.is_history:
            entry = parse_history_line(line)
            if entry is not None:
                batch.history.append(history_row(entry))
            return
        record = parse_record(line, self.source.session_hint)
        if isinstance(record, Malformed):
            self.stats.problems += 1
            batch.problems.append(Problem(self.path, offset, line_no, record.reason))
            return
        if not record.known:
            self.stats.unknown_types[record.type] += 1
        if self.cwd is None and record.cwd:
            self.cwd = record.cwd  # the session's start folder: later cwds (after a cd) do not move it
        session = record.session_id or self.source.session_hint
        if session and record.timestamp is not None:
            self._meta(batch, session, record)
        if record.response is not None and offset >= self.responses_from:
            self._response(batch, record.response)
        if record.events:
            batch.events.extend(record.events)
        if record.tool_uses:
            batch.tool_uses.extend(record.tool_uses)
        title = record.title
        if title is not None:
            if title.source == "summary" and title.leaf_uuid:
                batch.summaries[title.leaf_uuid] = title.text
            elif session:
                batch.titles[(session, title.source)] = title.text
        if record.snapshot_paths and session:
            self._snapshot_paths(batch, session, record.snapshot_paths)

    def _meta(self, batch: Batch, session: str, record: Record) -> None:
        """The session's metadata: first and last activity; the newest line's cwd, branch and state win."""
        ts = record.timestamp
        assert ts is not None
        meta = batch.sessions.get(session)
        if meta is None:
            meta = batch.sessions[session] = SessionMeta(self.config_dir, ts, ts)
        elif ts < meta.first:
            meta.first = ts
        if ts < meta.last:
            return
        meta.last = ts
        meta.cwd = record.cwd or meta.cwd
        meta.git_branch = record.git_branch or meta.git_branch
        meta.version = record.version or meta.version
        meta.entrypoint = record.entrypoint or meta.entrypoint
        if record.events:
            last = record.events[-1]
            meta.last_kind = last.kind
            if last.kind in ("tool_use", "prompt"):
                meta.doing = last.text[:DOING_CHARS]

    def _response(self, batch: Batch, response: Response) -> None:
        """Keep the batch's copy that outranks the others (`outranks`); `_price` prices it."""
        key, session, agent, ts, model, u = response
        row = ResponseRow(key, session, agent, ts, model, u.input, u.output, u.cache_creation, u.cache_read, u.cache_5m,
                          u.cache_1h, u.web_search, None, request_id_of(key), u.fast)  # fmt: skip
        held = batch.responses.get(key)
        if held is None or outranks(row, held):
            batch.responses[key] = row
            self._unpriced[key] = u

    def _price(self, batch: Batch) -> None:
        """Price the copies this fill kept: once each, not every copy that outranked the one before (a response's
        per-block copies come in order, each outranking the last)."""
        if self.pricer is not None:
            for key, u in self._unpriced.items():
                row = batch.responses[key]
                batch.responses[key] = row._replace(cost_usd=self.pricer.cost(row.model, u, row.ts))
        self._unpriced.clear()

    def _snapshot_paths(self, batch: Batch, session: str, paths: tuple[str, ...]) -> None:
        for path in paths:
            if path.startswith("/"):
                full = path
            else:
                self.relative.append((len(batch.snapshot_files), path))
                full = in_folder(self.cwd, path)
            batch.snapshot_files.append((session, full))


def price_responses(batch: Batch, pricer: Pricer) -> None:
    """Price every response of a batch parsed without a pricer."""
    for key, row in batch.responses.items():
        usage = TokenUsage(*row[5:12], row.fast)
        batch.responses[key] = row._replace(cost_usd=pricer.cost(row.model, usage, row.ts))


def in_folder(folder: str | None, relative: str) -> str:
    """A snapshot path relative to a session's start folder, made absolute (left as it is without a folder)."""
    return f"{folder.rstrip('/')}/{relative}" if folder else relative


def _agent_meta(batch: Batch, source: SourceFile) -> None:
    """`agent-<id>.meta.json` beside a subagent transcript: its type and description."""
    meta_path = source.path.with_suffix(".meta.json")
    agent_id = source.path.stem.removeprefix("agent-")
    agent_type = description = None
    try:
        obj = orjson.loads(read_small(source.config_dir, meta_path, META_BYTES))
    except (OSError, orjson.JSONDecodeError):
        obj = None
    if isinstance(obj, dict):
        agent_type = obj.get("agentType") if isinstance(obj.get("agentType"), str) else None
        description = obj.get("description") if isinstance(obj.get("description"), str) else None
    assert source.session_hint is not None
    batch.agents.append(AgentRow(source.session_hint, agent_id, agent_type, description))
