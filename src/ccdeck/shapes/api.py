"""The responses of the JSON API (`ccdeck.web.api`, `ccdeck.web.runs_api`), used as their response models."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ccdeck.shapes.common import (
    ModelTotals,
    MuteKind,
    Mutes,
    Run,
    ScanProgress,
    SearchResults,
    SessionRow,
    Summary,
    TimelineKind,
    Totals,
)

UsageBucket = Literal["hour", "day", "week", "month"]
UsageGroup = Literal["model", "project", "type", "machine"]
SessionSort = Literal["lastActivity", "cost", "tokens", "duration"]
SortOrder = Literal["asc", "desc"]
LogStream = Literal["stderr", "events"]

__all__ = ["Summary"]  # re-exported: `/api/summary` answers a `Summary`


class Health(TypedDict):
    status: Literal["ok", "degraded"]
    problems: dict[str, str]  # background task -> why it is failing
    scan: ScanProgress
    ingestLagSeconds: float
    version: str


class SessionsPage(TypedDict):
    sessions: list[SessionRow]
    total: int
    page: int
    pageSize: int


class SearchPage(SearchResults):
    page: int
    pageSize: int


class TokensAt(TypedDict):
    t: float  # bucket start, epoch seconds
    inputTokens: int
    outputTokens: int
    cacheCreationTokens: int
    cacheReadTokens: int
    costUSD: float | None


class FileChange(TypedDict):
    path: str
    tool: str
    count: int


class Subagent(TypedDict):
    agentId: str
    agentType: str | None
    description: str | None
    responses: int
    totalTokens: int
    costUSD: float | None


class SessionDetail(TypedDict):
    session: SessionRow
    cwd: str | None
    entrypoint: str | None
    costByModel: list[ModelTotals]
    tokensOverTime: list[TokensAt]
    bucketSeconds: int
    filesChanged: list[FileChange]
    subagents: list[Subagent]
    toolUses: dict[str, int]  # tool name -> uses


class TimelineItem(TypedDict):
    uuid: str
    timestamp: str
    kind: TimelineKind
    text: str  # raw transcript text: render it as text, never as markup
    toolName: str | None
    agentId: str | None
    isError: bool
    truncated: bool


class TimelinePage(TypedDict):
    items: list[TimelineItem]
    total: int
    page: int
    pageSize: int


class UsagePoint(Totals):
    t: str  # bucket start, ISO, local to the zone
    key: str  # a model or a project; for group=type one of input|output|cacheCreation|cacheRead


class Usage(TypedDict):
    bucket: UsageBucket
    group: UsageGroup
    points: list[UsagePoint]


class Project(TypedDict):
    projectPath: str | None
    sessions: int
    activeSessions: int
    totalTokens: int
    costUSD: float | None
    lastActivity: str | None
    models: list[str]


class Machines(TypedDict):
    machines: list[str]


class Projects(TypedDict):
    projects: list[Project]


class RunList(TypedDict):
    runs: list[Run]


class OneRun(TypedDict):
    run: Run


class Stopped(TypedDict):
    stopped: int


class LogLines(TypedDict):
    lines: list[str]


class HookAnswer(TypedDict):
    """Always empty: Claude Code reads nothing from it."""


class MutesAnswer(TypedDict):
    mutes: Mutes


class NewMute(TypedDict):
    """The body of `POST /api/mutes`."""

    kind: MuteKind
    value: str  # a session id or a project path
