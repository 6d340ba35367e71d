// Shapes of the ccdeck HTTP and WebSocket API, as documented in docs/API.md.

export type SessionState = "working" | "blocked" | "waiting" | "idle" | "ended";

export const SESSION_STATES: readonly SessionState[] = ["working", "blocked", "waiting", "idle", "ended"];

/** interactive: a terminal session; background: `claude --bg`; headless: `claude -p` (ccdeck runs among them). */
export type SessionKind = "interactive" | "background" | "headless";

/** What the live model says of a session: carried by session rows and `session.state` messages alike. */
export interface LiveView {
  state: SessionState;
  /** When the session entered its state (ISO); null when unknown. */
  stateSince: string | null;
  /** While blocked: what it waits for ("approve Write: src/app.py", "permission prompt", "input needed"). */
  blockedOn: string | null;
  kind: SessionKind;
  /** What it is doing now; null once the turn ended. */
  doing: string | null;
  /** The name Claude Code gave the session (registry or background job), if any. */
  name: string | null;
  /** A background job's prompt. */
  prompt: string | null;
}

export interface Totals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** API-equivalent estimate in USD; null when the model is not in the price table. */
  costUSD: number | null;
}

export interface SessionRow extends LiveView {
  sessionId: string;
  projectPath: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  costUSD: number | null;
  models: string[];
  firstActivity: string;
  lastActivity: string;
  filesChanged: number;
  title: string | null;
  gitBranch: string | null;
  version: string | null;
  configDir: string;
  durationSeconds: number;
  prompts: number;
  responses: number;
  toolUses: number;
  apiErrors: number;
  compactions: number;
  subagents: number;
  unpricedModels: string[];
  runTaskId: string | null;
}

export interface ScanStatus {
  running: boolean;
  bytesDone: number;
  bytesTotal: number;
}

export interface Health {
  status: string;
  version: string;
  scan: ScanStatus;
  ingestLagSeconds: number | null;
}

export interface ActiveCounts {
  working: number;
  blocked: number;
  waiting: number;
  idle: number;
}

export interface ModelShare extends Totals {
  model: string;
  /** Whose list price it is ("anthropic", ...); null when unpriced. */
  priceSource: string | null;
}

export interface ProjectShare extends Totals {
  /** "" for responses of an unknown session. */
  projectPath: string;
}

/** A 5-hour block as `ccdeck usage blocks --json` reports it: an estimate from the transcripts. */
export interface Block extends Totals {
  id: string;
  startTime: string;
  endTime: string;
  actualEndTime: string;
  isActive: boolean;
  entries: number;
  models: string[];
  /** Set on the active block; `costPerHour` is null when a part is unpriced. */
  burnRate: { tokensPerMinute: number; costPerHour: number | null } | null;
  /** Where the active block ends at its burn rate; `totalCost` is null when a part is unpriced. */
  projection: { totalTokens: number; totalCost: number | null; remainingMinutes: number } | null;
}

export interface RateLimitWindow {
  usedPercent: number;
  resetsAt: string | null;
}

/** Claude Code's official plan limits, from the newest `ccdeck statusline` record that carries them. */
export interface RateLimits {
  fiveHour: RateLimitWindow | null;
  sevenDay: RateLimitWindow | null;
  recordedAt: string;
  sessionId: string;
}

export interface Summary {
  today: Totals;
  week: Totals;
  month: Totals;
  active: ActiveCounts;
  /** The cost panels: the `month` range (last 30 days), most expensive first, unpriced last. */
  costByModel: ModelShare[];
  costByProject: ProjectShare[];
  /** The current 5-hour block; null when none is active. */
  block: Block | null;
  rateLimits: RateLimits | null;
  generatedAt: string;
}

export type SessionSort = "lastActivity" | "cost" | "tokens" | "duration";
export type SortOrder = "desc" | "asc";

export interface SessionsPage {
  sessions: SessionRow[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ModelCost extends Totals {
  model: string;
}

export interface TokensAt {
  /** epoch seconds */
  t: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUSD: number | null;
}

export interface FileChange {
  path: string;
  tool: string;
  count: number;
}

export interface Subagent {
  agentId: string;
  agentType: string;
  description: string;
  responses: number;
  totalTokens: number;
  costUSD: number | null;
}

export interface SessionDetail {
  session: SessionRow;
  costByModel: ModelCost[];
  tokensOverTime: TokensAt[];
  filesChanged: FileChange[];
  subagents: Subagent[];
  toolUses: Record<string, number>;
  cwd: string | null;
  entrypoint: string | null;
}

export type TimelineKind =
  "prompt" | "answer" | "thinking" | "tool_use" | "tool_result" | "system" | "api_error" | "compaction";

export interface TimelineItem {
  uuid: string;
  timestamp: string;
  kind: TimelineKind;
  /** Raw transcript text: always rendered as text, never as markup. */
  text: string;
  toolName: string | null;
  agentId: string | null;
  isError: boolean;
  truncated: boolean;
}

export interface TimelinePage {
  items: TimelineItem[];
  total: number;
  page: number;
  pageSize: number;
}

export type UsageBucket = "hour" | "day" | "week" | "month";
export type UsageGroup = "model" | "project" | "type";

export interface UsagePoint extends Totals {
  /** bucket start, ISO */
  t: string;
  key: string;
}

export interface Usage {
  bucket: UsageBucket;
  group: UsageGroup;
  points: UsagePoint[];
}

export interface Project {
  projectPath: string;
  sessions: number;
  activeSessions: number;
  totalTokens: number;
  costUSD: number | null;
  lastActivity: string;
  models: string[];
}

/** One billed response, as pushed by the `usage.point` message. */
export interface LiveUsagePoint {
  /** epoch seconds */
  t: number;
  sessionId: string;
  projectPath: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUSD: number | null;
}

// Runs: parallel headless sessions started with `ccdeck run` or from the dashboard.

export type TaskStatus =
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "budget_exceeded"
  | "max_turns"
  | "stopped";

/** `starting` until its supervisor is up, then `running`, then a final state; other values may appear. */
export type RunStatus = "starting" | "queued" | "running" | "finished" | "stopped" | "interrupted";

export type PermissionMode = "default" | "acceptEdits" | "plan" | "bypassPermissions" | "dontAsk";

export const PERMISSION_MODES: readonly PermissionMode[] = [
  "default",
  "acceptEdits",
  "plan",
  "bypassPermissions",
  "dontAsk",
];

export interface RunTokens {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
}

/** What Claude Code reports for a tool call it refused, e.g. `{"tool_name", "tool_use_id", "tool_input"}`. */
export type PermissionDenial = Record<string, unknown>;

export interface TaskWorktree {
  path: string;
  branch: string;
  /** Shape not fixed by the contract: shown as a summary when it has counts, else as JSON text. */
  diffStat: unknown;
}

export interface RunTask {
  id: string;
  runId: string;
  status: TaskStatus;
  sessionId: string | null;
  exitCode: number | null;
  costUSD: number | null;
  /** Not in the contract: true when the cost was priced from tokens rather than reported. */
  costEstimated?: boolean;
  durationSeconds: number | null;
  apiDurationSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  numTurns: number | null;
  result: string | null;
  permissionDenials: PermissionDenial[];
  error: string | null;
  attempt: number | null;
  model: string | null;
  /** Whole in `GET /api/runs/{id}`; the first 200 characters in lists and `run.updated` (`promptTruncated`). */
  prompt: string | null;
  promptChars?: number | null;
  promptTruncated?: boolean;
  cwd: string | null;
  tokens: Partial<RunTokens> | null;
  filesChanged: string[];
  lastTool: string | null;
  worktree: TaskWorktree | null;
  stopRequested: boolean;
}

export interface Run {
  id: string;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  wallSeconds: number | null;
  sumTaskSeconds: number | null;
  speedup: number | null;
  costUSD: number | null;
  costEstimated?: boolean;
  costByModel: Record<string, number | null>;
  cacheSavingUSD: number | null;
  /** 0…1 over the finished tasks; null while none has finished. */
  successRate: number | null;
  counts: Partial<Record<TaskStatus, number>>;
  tokens: Partial<RunTokens> | null;
  options: Record<string, unknown>;
  detached: boolean;
  stopRequested: boolean;
  tasks: RunTask[];
}

/** One task of `POST /api/runs`; per-task values override the run's options. */
export interface NewRunTask {
  id: string;
  prompt: string;
  cwd?: string;
  model?: string;
  budget_usd?: number;
  timeout_s?: number;
  max_turns?: number;
  permission_mode?: PermissionMode;
  allowed_tools?: string[];
  worktree?: boolean;
  env?: Record<string, string>;
}

export interface NewRunOptions {
  maxParallel?: number;
  model?: string;
  budget?: number;
  timeout?: number;
  maxTurns?: number;
  permissionMode?: PermissionMode;
  worktree?: boolean;
  retries?: number;
}

export interface NewRunRequest {
  tasks: NewRunTask[];
  options: NewRunOptions;
}

export type LogStream = "stderr" | "events";

export type AlertKind = "blocked" | "finished" | "failed" | "run_finished" | "task_failed" | "suppressed";

/** One alert (`alert` message): a session needs you, finished a long turn or failed; a run finished or failed. */
export interface Alert {
  kind: AlertKind;
  at: string;
  /** One line: the notification's title. */
  headline: string;
  message: string;
  sessionId: string | null;
  runId: string | null;
  taskId: string | null;
  projectPath: string | null;
  gitBranch: string | null;
  title: string | null;
  state: string | null;
  /** What it waits for (its blockedOn), or why it failed. */
  waitingFor: string | null;
  url: string | null;
}

/** Muted sessions and projects (`GET /api/mutes`, `mutes` message): they send no alert. */
export interface Mutes {
  sessions: string[];
  projects: string[];
}

export type MuteKind = "session" | "project";

export type ServerMessage =
  | { type: "snapshot"; sessions: SessionRow[]; summary: Summary; mutes?: Mutes }
  | { type: "session.updated"; session: SessionRow }
  | ({ type: "session.state"; sessionId: string; previous: SessionState | null; active: ActiveCounts } & LiveView)
  | { type: "usage.point"; point: LiveUsagePoint }
  | { type: "summary"; summary: Summary }
  | { type: "scan.progress"; bytesDone: number; bytesTotal: number; running: boolean }
  | { type: "run.updated"; run: Run }
  | { type: "alert"; alert: Alert }
  | { type: "mutes"; mutes: Mutes }
  | { type: "ping" };

export type SearchKind = "prompt" | "answer" | "tool" | "title";

/** One match of `GET /api/search`. */
export interface SearchResult {
  sessionId: string;
  projectPath: string | null;
  /** The session's shown title. */
  title: string | null;
  kind: SearchKind;
  /** Plain text; each matching word between U+0002 and U+0003, `…` where the text was cut. */
  snippet: string;
  timestamp: string | null;
}

export interface SearchPage {
  results: SearchResult[];
  total: number;
  page: number;
  pageSize: number;
}
