"""The store's row formats: what one ingest batch holds, the cursors behind it, and what a write reports.

Rows are tuples (named where the code reads their fields), their fields in the order of the `*_COLUMNS` below: they
cross process boundaries (parse workers pickle them) and go to the driver as they are. This module imports nothing
heavy (no SQLAlchemy), so parse workers can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ccdeck.claude.records import EventRow, Response, ToolRow
from ccdeck.models import HistoryEntry, TokenUsage


class ResponseRow(NamedTuple):
    """One copy of a response, its fields in `RESPONSE_COLUMNS` order, then whether it was in fast mode (not
    stored: it is priced in; a row read back from the table has the default)."""

    key: str
    session_id: str
    agent_id: str | None
    ts: float
    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cache_5m_tokens: int
    cache_1h_tokens: int
    web_search_requests: int
    cost_usd: float | None
    request_id: str | None = None  # the API's request id, when known (`store.request_ids`)
    fast: bool = False


RESPONSE_COLUMNS = ResponseRow._fields[:-1]


def outranks(copy: ResponseRow, held: ResponseRow) -> bool:
    """Whether `copy` replaces `held`, another copy of the same response.

    The copy with the most output tokens wins: the earlier per-block copies carry partial counts. Of equals, the one
    with the most input + cache tokens wins: gateways write `output_tokens: 1` on every copy and a placeholder input
    on the first. A full tie goes to the earliest line, then to the lowest session id, ...: an arbitrary but fixed
    choice, so the row kept never depends on the order the copies are read in (a resumed session's copies tie with
    the original's). The one rule wherever copies meet: in a batch, and against the stored row.
    """
    mine, theirs = _weight(copy), _weight(held)
    if mine != theirs:
        return mine > theirs
    return _tie_break(copy) < _tie_break(held)


def _weight(row: ResponseRow) -> tuple[int, int]:
    return row.output_tokens, row.input_tokens + row.cache_creation_tokens + row.cache_read_tokens


def _tie_break(row: ResponseRow) -> tuple[float, str, str, str, int, int, int]:
    """ts, session, agent, model, the cache split and web searches: the stored fields the weight leaves out."""
    return (row.ts, row.session_id, row.agent_id or "", row.model, row.cache_5m_tokens, row.cache_1h_tokens,
            row.web_search_requests)  # fmt: skip


EVENT_COLUMNS = EventRow._fields
TOOL_COLUMNS = ToolRow._fields
SNAPSHOT_COLUMNS = ("session_id", "path")


class HistoryRow(NamedTuple):
    ts: float
    display: str
    project: str | None
    session_id: str | None


HISTORY_COLUMNS = HistoryRow._fields


class Problem(NamedTuple):
    """A malformed line; `seen_at` is set when it is written."""

    path: str
    offset: int
    line_no: int
    reason: str


PROBLEM_COLUMNS = Problem._fields


class AgentRow(NamedTuple):
    session_id: str
    agent_id: str
    agent_type: str | None
    description: str | None


AGENT_COLUMNS = AgentRow._fields


@dataclass(slots=True)
class SessionMeta:
    """What a batch saw of a session's metadata; the newest line wins."""

    config_dir: str
    first: float
    last: float
    cwd: str | None = None
    git_branch: str | None = None
    version: str | None = None
    entrypoint: str | None = None
    last_kind: str | None = None
    doing: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where reading a file stopped: its identity, size and mtime, the offset just past the last complete line, and
    the fingerprint of the bytes before that offset (`ingest.tailer.fingerprint`)."""

    path: str
    config_dir: str
    kind: str
    device: int
    inode: int
    size: int
    offset: int
    lines: int
    session_hint: str | None
    cwd: str | None
    fingerprint: str
    mtime_ns: int


@dataclass(slots=True)
class Batch:
    cursors: list[Cursor] = field(default_factory=list)
    usage_only: bool = False  # from a usage pass: its cursors are usage cursors (`schema.usage_cursors`)
    bytes: int = 0  # bytes of transcript behind these rows, to size batches
    # One row per response key: the copy that outranks the others (`outranks`), as the table keeps.
    responses: dict[str, ResponseRow] = field(default_factory=dict)
    events: list[EventRow] = field(default_factory=list)
    tool_uses: list[ToolRow] = field(default_factory=list)
    snapshot_files: list[tuple[str, str]] = field(default_factory=list)
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    agents: list[AgentRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sessions: dict[str, SessionMeta] = field(default_factory=dict)


def history_row(h: HistoryEntry) -> HistoryRow:
    return HistoryRow(h.timestamp, h.display, h.project, h.session_id)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one committed write changed: the sessions whose rows changed, and the responses never seen before."""

    touched_sessions: frozenset[str]
    new_rows: tuple[ResponseRow, ...]

    @property
    def new_responses(self) -> tuple[tuple[Response, float | None], ...]:
        """The new responses as records with their cost (built on demand: a cold scan has many)."""
        return tuple(
            (
                Response(key, session, agent, ts, model, TokenUsage(i, o, cc, cr, c5, c1, web, fast)),
                cost,
            )
            for key, session, agent, ts, model, i, o, cc, cr, c5, c1, web, cost, _, fast in self.new_rows
        )
