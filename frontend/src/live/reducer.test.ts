import { describe, expect, it } from "vitest";
import { noMutes, run as runFixture, runTask, scan, sessionRow, summary } from "../test/fixtures";
import {
  type LiveAction,
  type LiveState,
  USAGE_POINTS_KEPT,
  activeSessions,
  currentRun,
  currentRuns,
  doingNow,
  freshest,
  initialLiveState,
  liveReducer,
  needsYou,
  runsNewestFirst,
  sessionsByActivity,
} from "./reducer";

function run(...actions: LiveAction[]): LiveState {
  return actions.reduce(liveReducer, initialLiveState);
}

const a = sessionRow({ sessionId: "a", lastActivity: "2025-11-20T10:00:00Z", state: "working" });
const b = sessionRow({ sessionId: "b", lastActivity: "2025-11-20T12:00:00Z", state: "idle" });
const c = sessionRow({ sessionId: "c", lastActivity: "2025-11-20T11:00:00Z", state: "ended" });

describe("liveReducer", () => {
  it("takes the sessions and summary of a snapshot", () => {
    const state = run({
      type: "snapshot",
      scan,
      mutes: noMutes,
      sessions: [a, b],
      summary: summary("2025-11-20T12:00:00Z"),
    });
    expect(Object.keys(state.sessions).sort()).toEqual(["a", "b"]);
    expect(state.summary?.generatedAt).toBe("2025-11-20T12:00:00Z");
    expect(state.hasSnapshot).toBe(true);
  });

  it("replaces everything on a new snapshot (after a reconnect)", () => {
    const state = run(
      { type: "snapshot", scan, mutes: noMutes, sessions: [a, b], summary: summary("2025-11-20T12:00:00Z") },
      { type: "snapshot", scan, mutes: noMutes, sessions: [c], summary: summary("2025-11-20T13:00:00Z") },
    );
    expect(Object.keys(state.sessions)).toEqual(["c"]);
  });

  it("applies session.updated after the snapshot, adding unknown sessions", () => {
    const updatedA = { ...a, totalTokens: 5000, lastActivity: "2025-11-20T13:00:00Z" };
    const state = run(
      { type: "snapshot", scan, mutes: noMutes, sessions: [a, b], summary: summary("2025-11-20T12:00:00Z") },
      { type: "session.updated", session: updatedA },
      { type: "session.updated", session: c },
    );
    expect(state.sessions.a?.totalTokens).toBe(5000);
    expect(state.sessions.c).toEqual(c);
  });

  it("applies session.state's live view and active counts; unknown sessions change only the counts", () => {
    const before = run({
      type: "snapshot",
      scan,
      mutes: noMutes,
      sessions: [a],
      summary: summary("2025-11-20T12:00:00Z"),
    });
    const active = { working: 0, blocked: 1, waiting: 0, idle: 0 };
    const view = {
      state: "blocked" as const,
      stateSince: "2025-11-20T12:01:00.000Z",
      blockedOn: "approve Write: a.txt",
      kind: "interactive" as const,
      doing: "Write: a.txt",
      name: "work",
      prompt: null,
    };
    const after = liveReducer(before, { type: "session.state", sessionId: "a", previous: "working", active, ...view });
    expect(after.sessions.a).toEqual({ ...a, ...view });
    expect(after.summary?.active).toEqual(active);
    const counts = { ...active, blocked: 2 };
    const unknown = liveReducer(after, {
      type: "session.state",
      sessionId: "zzz",
      previous: null,
      active: counts,
      ...view,
    });
    expect(unknown.sessions).toBe(after.sessions);
    expect(unknown.summary?.active).toEqual(counts);
  });

  it("says what a session does only while its turn runs", () => {
    const working = { ...a, state: "working" as const, doing: "Bash: npm test" };
    const state = run({
      type: "snapshot",
      scan,
      mutes: noMutes,
      sessions: [working],
      summary: summary("2025-11-20T12:00:00Z"),
    });
    expect(doingNow(state.sessions.a!)).toBe("Bash: npm test");
    const ended = liveReducer(state, {
      type: "session.state",
      sessionId: "a",
      previous: "working",
      active: { working: 0, blocked: 0, waiting: 1, idle: 0 },
      state: "waiting",
      stateSince: "2025-11-20T12:02:00.000Z",
      blockedOn: null,
      kind: "interactive",
      doing: null,
      name: null,
      prompt: null,
    });
    expect(doingNow(ended.sessions.a!)).toBeNull();
    // Even a row that still carries a stale `doing` says nothing once its turn ended.
    expect(doingNow({ ...working, state: "waiting" })).toBeNull();
    expect(doingNow({ ...working, state: "blocked" })).toBe("Bash: npm test");
  });

  it("lists blocked sessions first, then waiting ones, oldest first", () => {
    const rows = [
      sessionRow({ sessionId: "w1", state: "waiting", stateSince: "2025-11-20T10:00:00Z" }),
      sessionRow({ sessionId: "b2", state: "blocked", stateSince: "2025-11-20T10:05:00Z" }),
      sessionRow({ sessionId: "b1", state: "blocked", stateSince: "2025-11-20T10:01:00Z" }),
      sessionRow({ sessionId: "x", state: "working" }),
      sessionRow({ sessionId: "i", state: "idle" }),
    ];
    const state = run({
      type: "snapshot",
      scan,
      mutes: noMutes,
      sessions: rows,
      summary: summary("2025-11-20T12:00:00Z"),
    });
    expect(needsYou(state).map((s) => s.sessionId)).toEqual(["b1", "b2", "w1"]);
  });

  it("orders sessions by last activity, newest first, and leaves ended ones out of the active list", () => {
    const state = run({
      type: "snapshot",
      scan,
      mutes: noMutes,
      sessions: [a, b, c],
      summary: summary("2025-11-20T12:00:00Z"),
    });
    expect(sessionsByActivity(state).map((s) => s.sessionId)).toEqual(["b", "c", "a"]);
    expect(activeSessions(state).map((s) => s.sessionId)).toEqual(["b", "a"]);
    const moved = liveReducer(state, {
      type: "session.updated",
      session: { ...a, lastActivity: "2025-11-20T14:00:00Z" },
    });
    expect(activeSessions(moved).map((s) => s.sessionId)).toEqual(["a", "b"]);
  });

  it("keeps the newer summary", () => {
    const state = run(
      { type: "summary", summary: summary("2025-11-20T12:00:05Z", 2) },
      { type: "summary", summary: summary("2025-11-20T12:00:01Z", 1) },
    );
    expect(state.summary?.today.costUSD).toBe(2);
  });

  it("numbers usage points and keeps a bounded number", () => {
    const point = {
      t: 1,
      sessionId: "a",
      projectPath: "/p",
      model: "m",
      inputTokens: 1,
      outputTokens: 1,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUSD: null,
    };
    let state = initialLiveState;
    for (let i = 0; i < USAGE_POINTS_KEPT + 3; i++) state = liveReducer(state, { type: "usage.point", point });
    expect(state.usage.seq).toBe(USAGE_POINTS_KEPT + 3);
    expect(state.usage.points).toHaveLength(USAGE_POINTS_KEPT);
    expect(state.usage.points[0]?.seq).toBe(4);
  });

  it("tracks scan progress, connection and resync generations", () => {
    const state = run(
      { type: "scan.progress", bytesDone: 3, bytesTotal: 10, running: true },
      { type: "connection", status: "live" },
      { type: "connection", status: "reconnecting" },
      { type: "resync" },
      { type: "ping" },
    );
    expect(state.scan).toEqual({ running: true, bytesDone: 3, bytesTotal: 10 });
    expect(state.connection).toBe("reconnecting");
    expect(state.connectedOnce).toBe(true);
    expect(state.generation).toBe(1);
  });
});

describe("freshest", () => {
  it("prefers the live row unless the fetched one has later activity", () => {
    const live = { ...a, state: "waiting" as const };
    expect(freshest(a, live)).toBe(live);
    expect(freshest(a, undefined)).toBe(a);
    const newer = { ...a, lastActivity: "2025-11-21T00:00:00Z" };
    expect(freshest(newer, live)).toBe(newer);
  });
});

describe("runs in the live store", () => {
  const older = runFixture({ id: "r1", createdAt: "2025-11-20T09:00:00Z", status: "running" });
  const newer = runFixture({ id: "r2", createdAt: "2025-11-20T11:00:00Z", status: "running" });

  it("keys runs by id and replaces a run on run.updated", () => {
    const finished = { ...older, status: "finished" as const, tasks: [runTask({ id: "a", status: "failed" })] };
    const state = run(
      { type: "run.updated", run: older },
      { type: "run.updated", run: newer },
      { type: "run.updated", run: finished },
    );
    expect(Object.keys(state.runs).sort()).toEqual(["r1", "r2"]);
    expect(state.runs.r1).toBe(finished);
    expect(state.runs.r1?.tasks).toHaveLength(1);
    expect(state.runSeq).toEqual({ last: 3, byId: { r1: 3, r2: 2 } });
  });

  it("leaves sessions alone and survives a snapshot", () => {
    const state = run(
      { type: "run.updated", run: older },
      { type: "snapshot", scan, mutes: noMutes, sessions: [a], summary: summary("2025-11-20T12:00:00Z") },
    );
    expect(state.runs.r1).toBe(older);
    expect(Object.keys(state.sessions)).toEqual(["a"]);
  });

  it("prefers a run pushed after the fetch began over the fetched copy", () => {
    const fetched = { ...older, status: "running" as const };
    const pushed = { ...older, status: "finished" as const };
    const before = run({ type: "run.updated", run: pushed });
    // pushed (update 1) before the fetch started at update 1: the fetched copy is at least as new
    expect(currentRun(before, "r1", fetched, 1)).toBe(fetched);
    // pushed after the fetch started at update 0: the pushed copy is newer
    expect(currentRun(before, "r1", fetched, 0)).toBe(pushed);
    // nothing fetched yet: whatever was pushed
    expect(currentRun(before, "r1", undefined, 0)).toBe(pushed);
    expect(currentRun(initialLiveState, "r1", undefined, 0)).toBeUndefined();
  });

  it("lists fetched runs plus runs first pushed after the fetch, newest first", () => {
    const gone = runFixture({ id: "r0", createdAt: "2025-11-20T08:00:00Z" });
    const state = run({ type: "run.updated", run: gone }, { type: "run.updated", run: newer });
    // the fetch began after `gone` was pushed (update 1) and did not return it: it is left out
    expect(currentRuns(state, [older], 1).map((r) => r.id)).toEqual(["r2", "r1"]);
  });

  it("orders runs newest first, ties by id", () => {
    const twin = runFixture({ id: "r3", createdAt: newer.createdAt });
    expect(runsNewestFirst([older, newer, twin]).map((r) => r.id)).toEqual(["r3", "r2", "r1"]);
  });
});
