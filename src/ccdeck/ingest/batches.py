"""What one ingest batch holds: rows ready for the database, the cursors behind them, and what a write reports.

Rows are plain tuples, their fields in the order of the `*_COLUMNS` below: they cross process boundaries (parse
workers pickle them) and go to the driver as they are. This module imports nothing heavy, so parse workers can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ccdeck.claude.records import EventRow, Response, ToolRow
from ccdeck.models import HistoryEntry, TokenUsage

# Row formats, and the columns their positions fill.
ResponseRow = tuple[str, str, str | None, float, str, int, int, int, int, int, int, int, float | None, bool]
RESPONSE_COLUMNS = ("key", "session_id", "agent_id", "ts", "model", "input_tokens", "output_tokens",
                    "cache_creation_tokens", "cache_read_tokens", "cache_5m_tokens", "cache_1h_tokens",
                    "web_search_requests", "cost_usd")  # fmt: skip
# ... then whether the response was in fast mode (not stored: it is priced in).


def outranks(copy: tuple[Any, ...], held: tuple[Any, ...]) -> bool:
    """Whether `copy` replaces `held`, another copy of the same response (rows in `RESPONSE_COLUMNS` order).

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


def _weight(row: tuple[Any, ...]) -> tuple[int, int]:
    return row[6], row[5] + row[7] + row[8]


def _tie_break(row: tuple[Any, ...]) -> tuple[float, str, str, str, int, int, int]:
    """ts, session, agent, model, the cache split and web searches: the stored fields the weight leaves out."""
    return row[3], row[1], row[2] or "", row[4], row[9], row[10], row[11]


EVENT_COLUMNS = ("key", "session_id", "ts", "kind", "text", "tool_name", "agent_id", "is_error", "truncated")
TOOL_COLUMNS = ("id", "session_id", "ts", "name", "path", "agent_id")
SNAPSHOT_COLUMNS = ("session_id", "path")
HistoryRow = tuple[float, str, str | None, str | None]
HISTORY_COLUMNS = ("ts", "display", "project", "session_id")
Problem = tuple[str, int, int, str]
PROBLEM_COLUMNS = ("path", "offset", "line_no", "reason")  # ... then `seen_at`, set when written
AgentRow = tuple[str, str, str | None, str | None]
AGENT_COLUMNS = ("session_id", "agent_id", "agent_type", "description")


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
    the fingerprint of the bytes before that offset (`tailer.fingerprint`)."""

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
    return (h.timestamp, h.display, h.project, h.session_id)


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
            for key, session, agent, ts, model, i, o, cc, cr, c5, c1, web, cost, fast in self.new_rows
        )
