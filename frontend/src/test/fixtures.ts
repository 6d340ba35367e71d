import type { Mutes, Run, RunTask, ScanStatus, SessionRow, Summary, Totals } from "../api/types";

export function totals(partial: Partial<Totals> = {}): Totals {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    costUSD: 0,
    ...partial,
  };
}

export function sessionRow(partial: Partial<SessionRow> & { sessionId: string }): SessionRow {
  return {
    projectPath: "/home/dev/src/app",
    inputTokens: 10,
    outputTokens: 20,
    cacheCreationTokens: 30,
    cacheReadTokens: 40,
    totalTokens: 100,
    costUSD: 0.01,
    models: ["claude-sonnet-4-5"],
    firstActivity: "2025-11-20T10:00:00Z",
    lastActivity: "2025-11-20T11:00:00Z",
    filesChanged: 0,
    state: "idle",
    stateSince: null,
    blockedOn: null,
    kind: "interactive",
    name: null,
    prompt: null,
    title: null,
    gitBranch: "main",
    version: "2.0.0",
    configDir: "/home/dev/.claude",
    durationSeconds: 3600,
    prompts: 1,
    responses: 2,
    toolUses: 3,
    apiErrors: 0,
    compactions: 0,
    subagents: 0,
    doing: null,
    source: "transcript",
    userEmail: null,
    userAccount: null,
    host: null,
    unpricedModels: [],
    ...partial,
  };
}

export function summary(generatedAt: string, todayCost = 1): Summary {
  return {
    today: totals({ costUSD: todayCost }),
    week: totals(),
    month: totals(),
    active: { working: 0, blocked: 0, waiting: 0, idle: 0 },
    costByModel: [],
    costByProject: [],
    block: null,
    rateLimits: null,
    generatedAt,
  };
}

export const scan: ScanStatus = { running: false, bytesDone: 0, bytesTotal: 0 };

export const noMutes: Mutes = { sessions: [], projects: [] };

export function runTask(partial: Partial<RunTask> & { id: string }): RunTask {
  return {
    runId: "r1",
    status: "succeeded",
    sessionId: null,
    exitCode: 0,
    costUSD: 0.25,
    costEstimated: false,
    durationSeconds: 60,
    apiDurationSeconds: 40,
    startedAt: "2025-11-20T10:00:00Z",
    finishedAt: "2025-11-20T10:01:00Z",
    numTurns: 4,
    result: "Done.",
    permissionDenials: [],
    error: null,
    subtype: "success",
    terminalReason: null,
    apiErrorStatus: null,
    attempt: 1,
    attempts: [],
    model: "claude-sonnet-4-5",
    prompt: "Fix the typos",
    promptChars: 13,
    promptTruncated: false,
    cwd: "/home/dev/src/app",
    configDir: null,
    tokens: { inputTokens: 10, outputTokens: 20, cacheCreationTokens: 30, cacheReadTokens: 40, totalTokens: 100 },
    tokensByModel: {},
    filesChanged: [],
    lastTool: "Edit README.md",
    worktree: null,
    pid: null,
    stopRequested: false,
    logs: null,
    ...partial,
  };
}

export function run(partial: Partial<Run> & { id: string }): Run {
  return {
    status: "finished",
    createdAt: "2025-11-20T10:00:00Z",
    startedAt: "2025-11-20T10:00:00Z",
    finishedAt: "2025-11-20T10:01:00Z",
    wallSeconds: 60,
    sumTaskSeconds: 120,
    speedup: 2,
    costUSD: 0.5,
    costEstimated: false,
    costByModel: { "claude-sonnet-4-5": 0.5 },
    cacheSavingUSD: 0.1,
    successRate: 1,
    counts: { succeeded: 2 },
    tokens: { inputTokens: 20, outputTokens: 40, cacheCreationTokens: 60, cacheReadTokens: 80, totalTokens: 200 },
    tokensByModel: {},
    unpricedModels: [],
    options: {
      maxParallel: 4,
      model: null,
      budget: null,
      timeout: 3600,
      maxTurns: null,
      permissionMode: "acceptEdits",
      worktree: false,
      retries: 2,
      grace: 5,
      stagger: 0.1,
      retryDelay: 2,
    },
    claudeBin: null,
    claudeVersion: null,
    detached: false,
    supervisorPid: null,
    stopRequested: false,
    logDir: null,
    tasks: [runTask({ id: "a", runId: partial.id }), runTask({ id: "b", runId: partial.id })],
    ...partial,
  };
}
