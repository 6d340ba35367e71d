import { describe, expect, it } from "vitest";
import { run, runTask } from "../test/fixtures";
import { describeDenial, describeDiffStat } from "./describe";
import { isRunActive, orderedCounts, runTimes, taskElapsedSeconds, taskStatusLook } from "./status";

const NOW = Date.parse("2025-11-20T10:05:00Z");

describe("taskElapsedSeconds", () => {
  it("ticks for a running task from its start", () => {
    const task = runTask({ id: "a", status: "running", startedAt: "2025-11-20T10:02:30Z", durationSeconds: 12 });
    expect(taskElapsedSeconds(task, NOW)).toBe(150);
    expect(taskElapsedSeconds(task, NOW + 1000)).toBe(151);
  });

  it("is the measured time once finished, and unknown while queued", () => {
    expect(taskElapsedSeconds(runTask({ id: "a", durationSeconds: 42.5 }), NOW)).toBe(42.5);
    expect(
      taskElapsedSeconds(runTask({ id: "a", status: "queued", startedAt: null, finishedAt: null, durationSeconds: null }), NOW),
    ).toBeNull();
  });
});

describe("runTimes", () => {
  it("takes a finished run's figures from the server", () => {
    expect(runTimes(run({ id: "r" }), NOW)).toEqual({ wall: 60, sum: 120, speedup: 2 });
    expect(runTimes(run({ id: "r", speedup: null, wallSeconds: 10, sumTaskSeconds: 31 }), NOW).speedup).toBeCloseTo(3.1);
    expect(runTimes(run({ id: "r", speedup: null, wallSeconds: 0, sumTaskSeconds: 0 }), NOW).speedup).toBeNull();
  });

  it("ticks while the run goes", () => {
    const going = run({
      id: "r",
      status: "running",
      startedAt: "2025-11-20T10:00:00Z",
      finishedAt: null,
      tasks: [
        runTask({ id: "a", status: "running", startedAt: "2025-11-20T10:00:00Z" }),
        runTask({ id: "b", status: "running", startedAt: "2025-11-20T10:01:00Z" }),
        runTask({ id: "c", durationSeconds: 60 }),
      ],
    });
    const times = runTimes(going, NOW);
    expect(times).toEqual({ wall: 300, sum: 300 + 240 + 60, speedup: 2 });
  });
});

describe("statuses", () => {
  it("gives every task status its own label, and unknown ones their name", () => {
    const statuses = ["queued", "running", "succeeded", "failed", "timed_out", "budget_exceeded", "max_turns", "stopped"];
    const labels = statuses.map((s) => taskStatusLook(s).label);
    expect(new Set(labels).size).toBe(statuses.length);
    expect(new Set(statuses.map((s) => taskStatusLook(s).badge)).size).toBe(statuses.length);
    expect(taskStatusLook("timed_out").label).toBe("timed out");
    expect(taskStatusLook("new_state").label).toBe("new state");
  });

  it("orders counts: going first, outcomes next, unknown last, zeros out", () => {
    expect(orderedCounts({ failed: 1, succeeded: 3, running: 2, queued: 0, odd: 1 })).toEqual([
      { status: "running", count: 2 },
      { status: "succeeded", count: 3 },
      { status: "failed", count: 1 },
      { status: "odd", count: 1 },
    ]);
  });

  it("calls a run active while it or any task still goes", () => {
    expect(isRunActive(run({ id: "r" }))).toBe(false);
    expect(isRunActive(run({ id: "r", status: "queued" }))).toBe(true);
    expect(isRunActive(run({ id: "r", tasks: [runTask({ id: "a", status: "queued" })] }))).toBe(true);
  });
});

describe("describe", () => {
  it("summarises a diff stat, or shows it as text", () => {
    const stat = {
      commits: 1,
      filesChanged: 2,
      insertions: 10,
      deletions: 3,
      files: [
        { path: "a.py", added: 10, deleted: 3 },
        { path: "logo.png", added: null, deleted: null },
      ],
    };
    expect(describeDiffStat(stat)).toEqual({
      summary: "2 files changed, +10 −3, 1 commit",
      files: [
        { path: "a.py", added: 10, deleted: 3 },
        { path: "logo.png", added: null, deleted: null },
      ],
    });
    expect(describeDiffStat(" 1 file changed, 2 insertions(+)").summary).toBe(" 1 file changed, 2 insertions(+)");
    expect(describeDiffStat(null).summary).toBe("no changes recorded");
  });

  it("names a denied tool and what it was asked", () => {
    expect(describeDenial({ tool_name: "Bash", tool_use_id: "t1", tool_input: { command: "rm -rf /" } })).toEqual({
      tool: "Bash",
      input: "rm -rf /",
    });
    expect(describeDenial({ tool_name: "X", tool_input: { a: 1 } })).toEqual({ tool: "X", input: '{"a":1}' });
  });
});
