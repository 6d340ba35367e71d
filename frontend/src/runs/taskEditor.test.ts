import { describe, expect, it } from "vitest";
import {
  EMPTY_OPTIONS,
  type RunDraft,
  buildRunRequest,
  jsonToTaskDrafts,
  newTaskDraft,
  nextTaskId,
  parseTaskJson,
  restoreDraft,
  tasksToJson,
  validateOptions,
  validateTasks,
} from "./taskEditor";

function draft(partial: Partial<RunDraft>): RunDraft {
  return { mode: "form", options: { ...EMPTY_OPTIONS }, tasks: [], json: "", ...partial };
}

const messages = (problems: { message: string }[]) => problems.map((p) => p.message);

describe("validateTasks", () => {
  it("accepts distinct ids with prompts", () => {
    expect(
      validateTasks([newTaskDraft({ id: "a", prompt: "x" }), newTaskDraft({ id: "b", prompt: "y", budget: "2.5" })]),
    ).toEqual([]);
  });

  it("finds empty ids, duplicate ids and empty prompts, naming the row", () => {
    const problems = validateTasks([
      newTaskDraft({ id: "docs", prompt: "Fix typos" }),
      newTaskDraft({ id: "  ", prompt: "something" }),
      newTaskDraft({ id: " docs ", prompt: "   " }),
    ]);
    expect(problems.map((p) => [p.task, p.field])).toEqual([
      [1, "id"],
      [2, "id"],
      [2, "prompt"],
    ]);
    expect(messages(problems)).toEqual([
      "Task 2: the id is empty.",
      'Task 3: the id "docs" is already used by task 1.',
      'Task 3 ("docs"): the prompt is empty.',
    ]);
  });

  it("checks the number overrides", () => {
    const problems = validateTasks([newTaskDraft({ id: "a", prompt: "x", budget: "-1", timeout: "soon" })]);
    expect(problems.map((p) => p.field)).toEqual(["budget", "timeout"]);
  });

  it("wants at least one task", () => {
    expect(messages(validateTasks([]))).toEqual(["Add at least one task."]);
  });
});

describe("validateOptions", () => {
  it("leaves blanks to the server and rejects what is not a number of the right kind", () => {
    expect(validateOptions(EMPTY_OPTIONS)).toEqual([]);
    const problems = validateOptions({
      ...EMPTY_OPTIONS,
      maxParallel: "0",
      budget: "abc",
      timeout: "0",
      maxTurns: "2.5",
      retries: "-1",
    });
    expect(problems.map((p) => p.field)).toEqual(["maxParallel", "budget", "timeout", "maxTurns", "retries"]);
    expect(validateOptions({ ...EMPTY_OPTIONS, retries: "0", maxParallel: "8", budget: "0.5" })).toEqual([]);
  });
});

describe("buildRunRequest", () => {
  it("sends trimmed ids, left-out blanks and typed numbers", () => {
    const built = buildRunRequest(
      draft({
        options: { ...EMPTY_OPTIONS, maxParallel: "3", permissionMode: "plan", worktree: true, retries: "0" },
        tasks: [newTaskDraft({ id: " docs ", prompt: "Fix <b>typos</b>", cwd: " /repo ", timeout: "600" })],
      }),
    );
    expect(built).toEqual({
      request: {
        tasks: [{ id: "docs", prompt: "Fix <b>typos</b>", cwd: "/repo", timeout_s: 600 }],
        options: { maxParallel: 3, permissionMode: "plan", worktree: true, retries: 0 },
      },
    });
  });

  it("refuses to build with problems in the options or the tasks", () => {
    const built = buildRunRequest(
      draft({ options: { ...EMPTY_OPTIONS, maxParallel: "x" }, tasks: [newTaskDraft({ id: "", prompt: "" })] }),
    );
    expect("problems" in built && built.problems.map((p) => p.field)).toEqual(["maxParallel", "id", "prompt"]);
  });

  it("passes pasted JSON tasks on as typed", () => {
    const json = JSON.stringify({ tasks: [{ id: "t", prompt: "p", max_turns: 3, env: { A: "1" } }] });
    expect(buildRunRequest(draft({ mode: "json", json }))).toEqual({
      request: { tasks: [{ id: "t", prompt: "p", max_turns: 3, env: { A: "1" } }], options: {} },
    });
  });
});

describe("parseTaskJson", () => {
  it("explains what is wrong with the text", () => {
    const first = (text: string) => {
      const parsed = parseTaskJson(text);
      return "problems" in parsed ? parsed.problems[0]?.message : "ok";
    };
    expect(first("")).toMatch(/Paste a task list/);
    expect(first("[{")).toMatch(/^Not valid JSON/);
    expect(first('{"id": "a"}')).toMatch(/Expected a list of tasks/);
    expect(first("[]")).toBe("The task list is empty.");
    expect(first('[{"id": "a", "prompt": "x"}, 3]')).toBe("Task 2 is not an object.");
    expect(first('[{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]')).toBe(
      'Task 2: the id "a" is already used by task 1.',
    );
    expect(first('[{"id": "a"}]')).toBe('Task 1 ("a"): the prompt is empty.');
    expect(first('[{"id": 7, "prompt": "x"}]')).toBe("ok");
  });
});

describe("switching between the form and JSON", () => {
  it("round-trips the form's fields", () => {
    const rows = [newTaskDraft({ id: "a", prompt: "x", model: "opus", budget: "1.5" })];
    const parsed = parseTaskJson(tasksToJson(rows));
    expect("tasks" in parsed).toBe(true);
    if (!("tasks" in parsed)) return;
    const back = jsonToTaskDrafts(parsed.tasks);
    expect("drafts" in back && back.drafts.map(({ key: _key, ...rest }) => rest)).toEqual([
      { id: "a", prompt: "x", cwd: "", model: "opus", budget: "1.5", timeout: "" },
    ]);
  });

  it("names the keys the form cannot hold", () => {
    expect(jsonToTaskDrafts([{ id: "a", prompt: "x", max_turns: 3, worktree: true }])).toEqual({
      unsupported: ["max_turns", "worktree"],
    });
  });

  it("numbers new rows after the taken ids", () => {
    expect(nextTaskId([{ id: "task-1" }, { id: "task-2" }])).toBe("task-3");
    expect(nextTaskId([{ id: "task-2" }])).toBe("task-3");
  });

  it("restores a stored draft and ignores junk", () => {
    expect(restoreDraft(null)).toBeNull();
    expect(restoreDraft({ mode: "form" })).toBeNull();
    const restored = restoreDraft({
      mode: "json",
      json: "[]",
      options: { maxParallel: "2", permissionMode: "nonsense", worktree: "yes" },
      tasks: [{ id: "a", prompt: 5 }],
    });
    expect(restored?.options).toEqual({ ...EMPTY_OPTIONS, maxParallel: "2" });
    expect(restored?.tasks.map((t) => [t.id, t.prompt])).toEqual([["a", ""]]);
  });
});
