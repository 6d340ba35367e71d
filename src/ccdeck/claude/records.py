"""What the line parser gives, declared once for the parser and the ingest that stores it.

Named tuples: a scan parses millions of lines and parse workers pickle the rows, so each part stays a tuple (as
cheap to build, as compact to pickle) with names for its fields. `EventRow` and `ToolRow` are rows of the `events`
and `tool_uses` tables, their fields in column order. Imports nothing heavy: parse workers import this module.
"""

from __future__ import annotations

from typing import NamedTuple

from ccdeck.models import EventKind, Title, TokenUsage


class Response(NamedTuple):
    """One billed API response. `key` deduplicates the per-content-block copies and resumed copies."""

    key: str
    session_id: str
    agent_id: str | None
    timestamp: float
    model: str
    usage: TokenUsage


class EventRow(NamedTuple):
    """One timeline item. `key` is the line's uuid, suffixed `#n` when a line holds several items."""

    key: str
    session_id: str
    ts: float
    kind: EventKind
    text: str
    tool_name: str | None
    agent_id: str | None
    is_error: bool
    truncated: bool


class ToolRow(NamedTuple):
    """A tool call; `path` is set for the file-editing tools (Edit, Write, MultiEdit, NotebookEdit)."""

    id: str
    session_id: str
    ts: float
    name: str
    path: str | None
    agent_id: str | None


class Record(NamedTuple):
    """Everything one transcript line contributes. Most lines fill only a few fields."""

    type: str
    known: bool
    session_id: str | None = None
    timestamp: float | None = None
    uuid: str | None = None
    cwd: str | None = None
    git_branch: str | None = None
    version: str | None = None
    entrypoint: str | None = None
    agent_id: str | None = None
    response: Response | None = None
    events: list[EventRow] | tuple[()] = ()
    tool_uses: list[ToolRow] | tuple[()] = ()
    title: Title | None = None
    snapshot_paths: tuple[str, ...] = ()
