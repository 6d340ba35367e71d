// Shapes of the ccdeck HTTP and WebSocket API, as documented in docs/API.md.

export type SessionState = "working" | "waiting" | "idle" | "ended";

export const SESSION_STATES: readonly SessionState[] = ["working", "waiting", "idle", "ended"];

export interface Totals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /** API-equivalent estimate in USD; null when the model is not in the price table. */
  costUSD: number | null;
}

export interface SessionRow {
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
  state: SessionState;
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
  doing: string | null;
  unpricedModels: string[];
  runTaskId: string | null;
}

export interface ScanStatus {
  running: boolean;
  filesDone: number;
  filesTotal: number;
}

export interface Health {
  status: string;
  version: string;
  scan: ScanStatus;
  ingestLagSeconds: number | null;
}

export interface Summary {
  today: Totals;
  week: Totals;
  month: Totals;
  active: { working: number; waiting: number; idle: number };
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

export type ServerMessage =
  | { type: "snapshot"; sessions: SessionRow[]; summary: Summary }
  | { type: "session.updated"; session: SessionRow }
  | { type: "session.state"; sessionId: string; state: SessionState; previous: SessionState | null }
  | { type: "usage.point"; point: LiveUsagePoint }
  | { type: "summary"; summary: Summary }
  | { type: "scan.progress"; filesDone: number; filesTotal: number; running: boolean }
  | { type: "ping" };
