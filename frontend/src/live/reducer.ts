import type { Alert, LiveUsagePoint, Mutes, Run, ScanStatus, ServerMessage, SessionRow, Summary } from "../api/types";

/** live: socket open; reconnecting: lost or not yet up, retrying; offline: retries keep failing. */
export type ConnectionStatus = "live" | "reconnecting" | "offline";

export interface LiveState {
  connection: ConnectionStatus;
  /** Whether the socket has been open at least once since the page loaded. */
  connectedOnce: boolean;
  /** Whether a snapshot has arrived, i.e. `sessions` holds the server's active sessions. */
  hasSnapshot: boolean;
  /** Bumped on every (re)connection that may have missed updates: pages re-fetch when it changes. */
  generation: number;
  sessions: Record<string, SessionRow>;
  summary: Summary | null;
  scan: ScanStatus | null;
  /** Usage points received since the page loaded; `seq` numbers them so views can tell new ones apart. */
  usage: { seq: number; points: (LiveUsagePoint & { seq: number })[] };
  /** Runs as last pushed by `run.updated`, keyed by id. */
  runs: Record<string, Run>;
  /**
   * Numbers the `run.updated` messages: `last` is the latest, `byId` the one that last changed each run.
   * A page notes `last` when it starts a fetch; a run pushed with a higher number is newer than the answer.
   */
  runSeq: { last: number; byId: Record<string, number> };
  /** Alerts received since the page loaded, numbered by `seq` (browser notifications follow them). */
  alerts: { seq: number; items: (Alert & { seq: number })[] };
  mutes: Mutes;
}

export type LiveAction =
  | ServerMessage
  | { type: "connection"; status: ConnectionStatus }
  | { type: "resync" }
  | { type: "health.scan"; scan: ScanStatus };

/** How many recent usage points the store keeps. */
export const USAGE_POINTS_KEPT = 5000;
/** How many recent alerts the store keeps. */
export const ALERTS_KEPT = 50;

export const initialLiveState: LiveState = {
  connection: "reconnecting",
  connectedOnce: false,
  hasSnapshot: false,
  generation: 0,
  sessions: {},
  summary: null,
  scan: null,
  usage: { seq: 0, points: [] },
  runs: {},
  runSeq: { last: 0, byId: {} },
  alerts: { seq: 0, items: [] },
  mutes: { sessions: [], projects: [] },
};

function newerSummary(current: Summary | null, next: Summary): Summary {
  if (current && Date.parse(next.generatedAt) < Date.parse(current.generatedAt)) return current;
  return next;
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case "snapshot": {
      const sessions: Record<string, SessionRow> = {};
      for (const row of action.sessions) sessions[row.sessionId] = row;
      const mutes = action.mutes ?? state.mutes;
      return { ...state, sessions, summary: action.summary, hasSnapshot: true, mutes };
    }
    case "session.updated":
      return { ...state, sessions: { ...state.sessions, [action.session.sessionId]: action.session } };
    case "session.state": {
      const summary = state.summary ? { ...state.summary, active: action.active } : null;
      const row = state.sessions[action.sessionId];
      if (!row) return { ...state, summary };
      const { state: live, stateSince, blockedOn, kind, doing, name, prompt } = action;
      const updated = { ...row, state: live, stateSince, blockedOn, kind, doing, name, prompt };
      return { ...state, summary, sessions: { ...state.sessions, [row.sessionId]: updated } };
    }
    case "usage.point": {
      const seq = state.usage.seq + 1;
      const points = [...state.usage.points, { ...action.point, seq }];
      return { ...state, usage: { seq, points: points.slice(-USAGE_POINTS_KEPT) } };
    }
    case "summary":
      return { ...state, summary: newerSummary(state.summary, action.summary) };
    case "run.updated": {
      const last = state.runSeq.last + 1;
      const { id } = action.run;
      return {
        ...state,
        runs: { ...state.runs, [id]: action.run },
        runSeq: { last, byId: { ...state.runSeq.byId, [id]: last } },
      };
    }
    case "alert": {
      const seq = state.alerts.seq + 1;
      const items = [...state.alerts.items, { ...action.alert, seq }].slice(-ALERTS_KEPT);
      return { ...state, alerts: { seq, items } };
    }
    case "mutes":
      return { ...state, mutes: action.mutes };
    case "scan.progress":
      return {
        ...state,
        scan: { running: action.running, bytesDone: action.bytesDone, bytesTotal: action.bytesTotal },
      };
    case "health.scan":
      return { ...state, scan: action.scan };
    case "connection":
      if (state.connection === action.status) return state;
      return {
        ...state,
        connection: action.status,
        connectedOnce: state.connectedOnce || action.status === "live",
      };
    case "resync":
      return { ...state, generation: state.generation + 1 };
    case "ping":
      return state;
  }
}

/** Sessions, most recent activity first. */
export function sessionsByActivity(state: LiveState): SessionRow[] {
  return Object.values(state.sessions).sort(
    (a, b) => Date.parse(b.lastActivity ?? "") - Date.parse(a.lastActivity ?? "") || a.sessionId.localeCompare(b.sessionId),
  );
}

/** Sessions that need the user: blocked ones first, then those whose turn ended; oldest first in each. */
export function needsYou(state: LiveState): SessionRow[] {
  const since = (s: SessionRow) => Date.parse(s.stateSince ?? s.lastActivity ?? "") || 0;
  const byAge = (a: SessionRow, b: SessionRow) => since(a) - since(b) || a.sessionId.localeCompare(b.sessionId);
  const rows = Object.values(state.sessions);
  return [
    ...rows.filter((s) => s.state === "blocked").sort(byAge),
    ...rows.filter((s) => s.state === "waiting").sort(byAge),
  ];
}

/** Whether a session sends no alert: it is muted, or its project is. */
export function isMuted(mutes: Mutes, row: Pick<SessionRow, "sessionId" | "projectPath">): boolean {
  return (
    mutes.sessions.includes(row.sessionId) || (row.projectPath !== null && mutes.projects.includes(row.projectPath))
  );
}

/** Alerts received after the one numbered `seq`, oldest first. */
export function alertsAfter(state: LiveState, seq: number): (Alert & { seq: number })[] {
  return state.alerts.items.filter((a) => a.seq > seq);
}

/** Sessions that have not ended (working, blocked, waiting or idle), most recent activity first. */
export function activeSessions(state: LiveState): SessionRow[] {
  return sessionsByActivity(state).filter((s) => s.state !== "ended");
}

/**
 * The fresher of a row fetched over HTTP and the same session as last pushed over the socket:
 * the live one wins unless the fetched row has later activity.
 */
export function freshest(fetched: SessionRow, live: SessionRow | undefined): SessionRow {
  if (!live) return fetched;
  return Date.parse(live.lastActivity ?? "") >= Date.parse(fetched.lastActivity ?? "") ? live : fetched;
}

/** What a session is doing now: only while it works or waits on an approval; an ended turn says nothing. */
export function doingNow(row: SessionRow): string | null {
  return row.state === "working" || row.state === "blocked" ? row.doing : null;
}

/** Newest first: by creation time, then by id. */
export function runsNewestFirst(runs: readonly Run[]): Run[] {
  return [...runs].sort((a, b) => {
    const byTime = (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0);
    return byTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  });
}

function pushedSince(state: LiveState, id: string, fetchedAt: number): boolean {
  return (state.runSeq.byId[id] ?? 0) > fetchedAt;
}

/**
 * One run: the fetched copy (fetch started when `runSeq.last` was `fetchedAt`), unless the socket pushed
 * the run after that; the pushed copy alone while nothing has been fetched.
 */
export function currentRun(
  state: LiveState,
  id: string,
  fetched: Run | undefined,
  fetchedAt: number,
): Run | undefined {
  const live = state.runs[id];
  if (!fetched) return live;
  return live && pushedSince(state, id, fetchedAt) ? withWholePrompts(live, fetched) : fetched;
}

/** A pushed run carries prompt previews only: keep the whole prompts the fetched copy has. */
function withWholePrompts(pushed: Run, fetched: Run): Run {
  if (!pushed.tasks.some((t) => t.promptTruncated)) return pushed;
  const whole = new Map(fetched.tasks.filter((t) => !t.promptTruncated).map((t) => [t.id, t.prompt]));
  const tasks = pushed.tasks.map((t) =>
    t.promptTruncated && whole.has(t.id) ? { ...t, prompt: whole.get(t.id) ?? t.prompt, promptTruncated: false } : t,
  );
  return { ...pushed, tasks };
}

/**
 * The run list: each fetched run, or its pushed copy when that is newer, plus the runs first pushed after the
 * fetch began; newest first. Runs pushed before the fetch and missing from its answer are left out.
 */
export function currentRuns(state: LiveState, fetched: readonly Run[], fetchedAt: number): Run[] {
  const byId = new Map<string, Run>();
  for (const run of fetched) byId.set(run.id, currentRun(state, run.id, run, fetchedAt) ?? run);
  for (const run of Object.values(state.runs)) {
    if (!byId.has(run.id) && pushedSince(state, run.id, fetchedAt)) byId.set(run.id, run);
  }
  return runsNewestFirst([...byId.values()]);
}
