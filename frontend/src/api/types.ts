// Names for the shapes of the ccdeck HTTP and WebSocket API. The shapes themselves are generated (schema.ts, by
// `make contract`) from their one declaration in Python (src/ccdeck/shapes/): edit them there, never here.

import type { components, paths } from "./schema";

type Schemas = components["schemas"];
type SessionsQuery = NonNullable<paths["/api/sessions"]["get"]["parameters"]["query"]>;

export type Totals = Schemas["Totals"];
export type SessionRow = Schemas["SessionRow"];
export type SessionState = SessionRow["state"];
/** interactive: a terminal session; background: `claude --bg`; headless: `claude -p` (ccdeck runs among them). */
export type SessionKind = SessionRow["kind"];
/** What the live model says of a session: carried by session rows and `session.state` messages alike. */
export type LiveView = Pick<SessionRow, "state" | "stateSince" | "blockedOn" | "kind" | "doing" | "name" | "prompt">;
export type ScanStatus = Schemas["ScanProgress"];
export type Health = Schemas["Health"];
export type ActiveCounts = Schemas["ActiveCounts"];
export type Summary = Schemas["Summary"];
/** A model's share of the cost panels (and of a session's cost). */
export type ModelShare = Schemas["ModelTotals"];
/** A project's share of the cost panels; `projectPath` is "" for responses of an unknown session. */
export type ProjectShare = Schemas["ProjectTotals"];
/** A 5-hour block as `ccdeck usage blocks --json` reports it: an estimate from the transcripts. */
export type Block = Schemas["Block"];
export type RateLimitWindow = Schemas["RateWindow"];
/** Claude Code's official plan limits, from the newest `ccdeck statusline` record that carries them. */
export type RateLimits = Schemas["RateLimits"];
export type SessionSort = NonNullable<SessionsQuery["sort"]>;
export type SortOrder = NonNullable<SessionsQuery["order"]>;
export type SessionsPage = Schemas["SessionsPage"];
export type ModelCost = Schemas["ModelTotals"];
export type TokensAt = Schemas["TokensAt"];
export type FileChange = Schemas["FileChange"];
export type Subagent = Schemas["Subagent"];
export type SessionDetail = Schemas["SessionDetail"];
export type TimelineItem = Schemas["TimelineItem"];
export type TimelineKind = TimelineItem["kind"];
export type TimelinePage = Schemas["TimelinePage"];
export type Usage = Schemas["Usage"];
export type UsageBucket = Usage["bucket"];
export type UsageGroup = Usage["group"];
export type UsagePoint = Schemas["UsagePoint"];
export type Project = Schemas["Project"];
/** One billed response, as pushed by the `usage.point` message. */
export type LiveUsagePoint = Schemas["LiveUsagePoint"];

// Runs: parallel headless sessions started with `ccdeck run` or from the dashboard.
export type Run = Schemas["Run"];
export type RunTask = Schemas["RunTask"];
export type RunStatus = Run["status"];
export type TaskStatus = RunTask["status"];
export type RunOptions = Schemas["RunOptions"];
export type PermissionMode = RunOptions["permissionMode"];
export type RunTokens = Schemas["TokenFields"];
/** What Claude Code reports for a tool call it refused, e.g. `{"tool_name", "tool_use_id", "tool_input"}`. */
export type PermissionDenial = RunTask["permissionDenials"][number];
export type TaskWorktree = Schemas["TaskWorktree"];
export type NewRunTask = Schemas["NewRunTask"];
export type NewRunOptions = Schemas["NewRunOptions"];
export type NewRunRequest = Schemas["NewRun"];
export type LogStream = NonNullable<
  NonNullable<paths["/api/runs/{run_id}/tasks/{task_id}/log"]["get"]["parameters"]["query"]>["stream"]
>;

/** One alert (`alert` message): a session needs you, finished a long turn or failed; a run finished or failed. */
export type Alert = Schemas["Alert"];
export type AlertKind = Alert["kind"];
/** Muted sessions and projects (`GET /api/mutes`, `mutes` message): they send no alert. */
export type Mutes = Schemas["Mutes"];
export type MuteKind = Schemas["NewMute"]["kind"];

/** One match of `GET /api/search`. */
export type SearchResult = Schemas["SearchResult"];
export type SearchKind = SearchResult["kind"];
export type SearchPage = Schemas["SearchPage"];

/** Every message the server sends on `/ws`. */
export type ServerMessage = Schemas["ServerMessage"];

/** Every value of a string union, once each: a missing or unknown value fails the type check. */
function allOf<T extends string>() {
  return <const A extends readonly T[]>(values: A & ([T] extends [A[number]] ? unknown : never)): readonly T[] =>
    values;
}

export const SESSION_STATES = allOf<SessionState>()(["working", "blocked", "waiting", "idle", "ended"]);

export const PERMISSION_MODES = allOf<PermissionMode>()([
  "default",
  "acceptEdits",
  "plan",
  "bypassPermissions",
  "dontAsk",
  "auto",
]);
