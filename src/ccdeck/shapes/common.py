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


class Summary(TypedDict):
    """`week` = the last 7 days, `month` = the last 30, in the server's local time zone."""

    today: Totals
    week: Totals
    month: Totals
    active: ActiveCounts
    generatedAt: str


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
