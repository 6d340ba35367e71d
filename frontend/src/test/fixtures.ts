import type { SessionRow, Summary, Totals } from "../api/types";

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
    unpricedModels: [],
    runTaskId: null,
    ...partial,
  };
}

export function summary(generatedAt: string, todayCost = 1): Summary {
  return {
    today: totals({ costUSD: todayCost }),
    week: totals(),
    month: totals(),
    active: { working: 0, waiting: 0, idle: 0 },
    generatedAt,
  };
}
