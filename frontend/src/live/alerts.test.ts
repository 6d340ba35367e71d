import { describe, expect, it } from "vitest";
import type { Alert } from "../api/types";
import { scan, sessionRow, summary } from "../test/fixtures";
import { alertTarget, describeAlert } from "./notifications";
import { ALERTS_KEPT, type LiveAction, alertsAfter, initialLiveState, isMuted, liveReducer } from "./reducer";

function alert(partial: Partial<Alert> = {}): Alert {
  return {
    kind: "blocked",
    at: "2025-11-20T10:00:00Z",
    headline: "app needs you: approve Write: a.txt",
    message: "/home/dev/src/app · main · Fix the tests\nblocked: approve Write: a.txt\nhttp://127.0.0.1:8484/sessions/s1",
    sessionId: "s1",
    runId: null,
    taskId: null,
    projectPath: "/home/dev/src/app",
    gitBranch: "main",
    title: "Fix the tests",
    state: "blocked",
    waitingFor: "approve Write: a.txt",
    url: "http://127.0.0.1:8484/sessions/s1",
    ...partial,
  };
}

const reduce = (...actions: LiveAction[]) => actions.reduce(liveReducer, initialLiveState);

describe("alerts in the live state", () => {
  it("numbers each alert, so a page notifies only the ones after what it has shown", () => {
    const first = reduce({ type: "alert", alert: alert() });
    const state = liveReducer(first, { type: "alert", alert: alert({ kind: "finished", headline: "app finished" }) });
    expect(state.alerts.seq).toBe(2);
    expect(alertsAfter(state, first.alerts.seq).map((a) => a.headline)).toEqual(["app finished"]);
    expect(alertsAfter(state, state.alerts.seq)).toEqual([]);
  });

  it("keeps only the most recent alerts", () => {
    const actions: LiveAction[] = Array.from({ length: ALERTS_KEPT + 5 }, (_, n) => ({
      type: "alert",
      alert: alert({ headline: `a${n}` }),
    }));
    const state = reduce(...actions);
    expect(state.alerts.items).toHaveLength(ALERTS_KEPT);
    expect(state.alerts.items.at(-1)?.headline).toBe(`a${ALERTS_KEPT + 4}`);
  });

  it("takes mutes from the snapshot and from each mutes message, sessions staying listed", () => {
    const row = sessionRow({ sessionId: "s1", state: "blocked" });
    const mutes = { sessions: [], projects: ["/home/dev/src/app"] };
    const state = reduce({ type: "snapshot", scan, sessions: [row], summary: summary("2025-11-20T12:00:00Z"), mutes });
    expect(isMuted(state.mutes, row)).toBe(true);
    expect(Object.keys(state.sessions)).toEqual(["s1"]);
    const unmuted = liveReducer(state, { type: "mutes", mutes: { sessions: [], projects: [] } });
    expect(isMuted(unmuted.mutes, row)).toBe(false);
    const oneSession = liveReducer(unmuted, { type: "mutes", mutes: { sessions: ["s1"], projects: [] } });
    expect(isMuted(oneSession.mutes, row)).toBe(true);
  });
});

describe("alert notifications", () => {
  it("say what happened, where, and lead to the session or the run", () => {
    expect(describeAlert(alert())).toEqual({
      title: "app needs you: approve Write: a.txt",
      body: "src/app · main · Fix the tests",
      tag: "ccdeck-blocked-s1",
    });
    expect(alertTarget(alert())).toBe("/sessions/s1");
    const run = alert({ kind: "run_finished", sessionId: null, runId: "r1", projectPath: null, gitBranch: null, title: null });
    expect(alertTarget(run)).toBe("/runs/r1");
    expect(describeAlert(run).body).toBe(run.message);
  });
});
