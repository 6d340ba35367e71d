"""The shapes shared by the API, the WebSocket messages and the CLI: token totals, session rows, runs."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

# pydantic reads TypedDicts only from typing_extensions before Python 3.12
from typing_extensions import TypedDict

SessionState = Literal["working", "blocked", "waiting", "idle", "ended"]
# interactive: a terminal session; background: `claude --bg`; headless: `claude -p` (ccdeck runs among them).
SessionKind = Literal["interactive", "background", "headless"]
TimelineKind = Literal["prompt", "answer", "thinking", "tool_use", "tool_result", "system", "api_error", "compaction"]
TaskStatus = Literal["queued", "running", "succeeded", "failed", "timed_out", "budget_exceeded", "max_turns", "stopped"]
# `queued` until its supervisor has recorded itself, then `running`, then one of the final states.
RunStatus = Literal["queued", "running", "finished", "stopped", "interrupted"]
PermissionMode = Literal["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto"]
AlertKind = Literal["blocked", "finished", "failed", "run_finished", "task_failed", "suppressed"]
MuteKind = Literal["session", "project"]
SessionSource = Literal["transcript", "telemetry"]
SearchKind = Literal["prompt", "answer", "tool", "title"]


class TokenFields(TypedDict):
    inputTokens: int
    outputTokens: int
    cacheCreationTokens: int
    cacheReadTokens: int
    totalTokens: int


class Totals(TokenFields):
    costUSD: float | None  # API-equivalent estimate in USD; null when a model is not in the price table


class ModelTotals(Totals):
    model: str
    priceSource: str | None  # where its prices come from; null when unpriced


class LiveView(TypedDict):
    """What the live model says of a session: carried by session rows and `session.state` messages alike."""

    state: SessionState
    stateSince: str | None  # when the session entered its state (ISO); null when unknown
    blockedOn: str | None  # while blocked: what it waits for ("approve Write: src/app.py", "input needed")
    kind: SessionKind
    doing: str | None  # what it is doing now: "Edit src/app.py", "Bash: npm test", or the last prompt
    name: str | None  # the registry's or background job's name for the session
    prompt: str | None  # a background job's prompt


class StoredSession(Totals):
    """One row of `ccdeck usage session --json`: a session's stored facts and totals."""

    sessionId: str
    projectPath: str | None
    models: list[str]
    firstActivity: str | None
    lastActivity: str | None
    filesChanged: int
    unpricedModels: list[str]
    title: str | None
    gitBranch: str | None
    version: str | None
    configDir: str
    durationSeconds: float
    prompts: int
    responses: int
    toolUses: int
    apiErrors: int
    compactions: int
    subagents: int
    doing: str | None
    # "telemetry" while the session is known only from OpenTelemetry exports (no transcript read), else "transcript"
    source: SessionSource
    userEmail: str | None  # from telemetry: `user.email`
    userAccount: str | None  # from telemetry: `user.account_uuid`
    host: str | None  # from telemetry: the resource's `host.name`, else the address the export came from


class SessionRow(StoredSession, LiveView):
    """A session as the API and the WebSocket show it: stored facts plus the live model's view."""


class ScanProgress(TypedDict):
    running: bool
    bytesDone: int
    bytesTotal: int


class ActiveCounts(TypedDict):
    working: int
    blocked: int
    waiting: int
    idle: int


class BurnRate(TypedDict):
    tokensPerMinute: float
    costPerHour: float | None  # null when a part of the block is unpriced


class Projection(TypedDict):
    totalTokens: int
    totalCost: float | None  # null when a part of the block is unpriced
    remainingMinutes: int


class Block(Totals):
    """A 5-hour billing window (`ccdeck usage blocks --json`, the summary's current block)."""

    id: str
    startTime: str
    endTime: str
    actualEndTime: str
    isActive: bool
    entries: int
    models: list[str]  # most responses first
    burnRate: BurnRate | None  # the active block only
    projection: Projection | None  # the active block only


class ProjectTotals(Totals):
    projectPath: str  # "" for responses of an unknown session


class RateWindow(TypedDict):
    usedPercent: float
    resetsAt: str | None  # may already have passed when no newer record arrived


class RateLimits(TypedDict):
    """Claude Code's official plan limits, from the newest status-line record that has them."""

    fiveHour: RateWindow | None
    sevenDay: RateWindow | None
    recordedAt: str
    sessionId: str


class StoredSummary(TypedDict):
    """The summary's stored half, read from the database (`ccdeck.reports.summary`)."""

    today: Totals
    week: Totals
    month: Totals
    costByModel: list[ModelTotals]  # the `month` range, most expensive first, unpriced last
    costByProject: list[ProjectTotals]  # the same range and order
    block: Block | None  # the current 5-hour block; null when none is active
    rateLimits: RateLimits | None  # null until `ccdeck statusline` recorded one
    generatedAt: str


class Summary(StoredSummary):
    """`week` = the last 7 days, `month` = the last 30, in the server's local time zone; `active` is the live
    model's half."""

    active: ActiveCounts


class Mutes(TypedDict):
    """Muted sessions and projects: they still show everywhere, but send no alert."""

    sessions: list[str]  # session ids
    projects: list[str]  # project paths


class Alert(TypedDict):
    """One alert (`alert` message); `suppressed` sums up the alerts held back by the rate limit."""

    kind: AlertKind
    at: str
    headline: str  # one line: the notification's title
    message: str
    sessionId: str | None
    runId: str | None
    taskId: str | None
    projectPath: str | None
    gitBranch: str | None
    title: str | None
    state: str | None
    waitingFor: str | None  # what it waits for (blockedOn), or why it failed
    url: str | None


class SearchResult(TypedDict):
    sessionId: str
    projectPath: str | None
    title: str | None  # the session's shown title
    kind: SearchKind
    snippet: str  # plain text; each matching word between U+0002 and U+0003, `…` where it was cut
    timestamp: str | None  # a title's is the session's last activity


class SearchResults(TypedDict):
    """`ccdeck search --json`: a page of full-text matches, newest first, and how many there are in all."""

    results: list[SearchResult]
    total: int


class LiveUsagePoint(TypedDict):
    """One billed response, as pushed by the `usage.point` message."""

    t: float  # epoch seconds
    sessionId: str
    projectPath: str | None
    model: str
    inputTokens: int
    outputTokens: int
    cacheCreationTokens: int
    cacheReadTokens: int
    costUSD: float | None


class ModelUsage(TokenFields):
    costUSD: float | None


class TaskWorktree(TypedDict):
    path: str
    branch: str | None
    base: str | None
    diffStat: Any  # as git reported it: shown as a summary when it has counts, else as JSON text


class TaskLogs(TypedDict):
    stream: str
    stderr: str


class RunTask(TypedDict):
    """One task of a run. `prompt` is whole in `GET /api/runs/{id}` and the CLI; run lists and `run.updated`
    carry its first 200 characters, with `promptTruncated: true` when it was cut (`promptChars`: the whole length)."""

    id: str
    runId: str
    status: TaskStatus
    sessionId: str | None
    exitCode: int | None
    costUSD: float | None
    costEstimated: bool  # the cost was priced from tokens rather than reported by Claude Code
    durationSeconds: float | None
    apiDurationSeconds: float | None
    startedAt: str | None
    finishedAt: str | None
    numTurns: int | None
    result: str | None
    permissionDenials: list[dict[str, Any]]  # as Claude Code reports them: {"tool_name", "tool_use_id", ...}
    error: str | None
    subtype: str | None
    terminalReason: str | None
    apiErrorStatus: int | None
    attempt: int | None
    attempts: list[dict[str, Any]]
    model: str | None
    prompt: str | None
    promptChars: int | None
    promptTruncated: bool
    cwd: str | None
    configDir: str | None
    tokens: TokenFields
    tokensByModel: dict[str, ModelUsage]
    filesChanged: list[str]
    lastTool: str | None
    worktree: TaskWorktree | None
    pid: int | None
    stopRequested: bool
    logs: TaskLogs | None


class RunOptions(TypedDict):
    maxParallel: int
    model: str | None
    budget: float | None
    timeout: float
    maxTurns: int | None
    permissionMode: PermissionMode
    worktree: bool
    retries: int
    grace: float
    stagger: float
    retryDelay: float


class Run(TypedDict):
    """A run of parallel headless sessions (`ccdeck run`, `POST /api/runs`)."""

    id: str
    status: RunStatus
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    wallSeconds: float | None
    sumTaskSeconds: float | None
    speedup: float | None
    costUSD: float | None
    costEstimated: bool
    costByModel: dict[str, float | None]
    tokens: TokenFields
    tokensByModel: dict[str, ModelUsage]
    cacheSavingUSD: float | None
    unpricedModels: list[str]
    successRate: float | None  # 0…1 over the finished tasks; null while none has finished
    counts: dict[str, int]  # tasks per status
    options: RunOptions
    claudeBin: str | None
    claudeVersion: str | None
    detached: bool
    supervisorPid: int | None
    stopRequested: bool
    logDir: str | None
    tasks: list[RunTask]


class NewRunTask(TypedDict):
    """One task of `POST /api/runs`; its values override the run's options."""

    id: str
    prompt: str
    cwd: NotRequired[str]
    model: NotRequired[str]
    budget_usd: NotRequired[float]
    timeout_s: NotRequired[float]
    max_turns: NotRequired[int]
    permission_mode: NotRequired[PermissionMode]
    allowed_tools: NotRequired[list[str]]
    worktree: NotRequired[bool]
    env: NotRequired[dict[str, str]]


class NewRunOptions(TypedDict, total=False):
    maxParallel: int
    model: str
    budget: float
    timeout: float
    maxTurns: int
    permissionMode: PermissionMode
    worktree: bool
    retries: int
    grace: float
    stagger: float
    retryDelay: float


class NewRun(TypedDict):
    """The body of `POST /api/runs`."""

    tasks: list[NewRunTask]
    options: NotRequired[NewRunOptions]
