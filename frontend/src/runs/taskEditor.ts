// The "New run" form's state, its checks, and the request it becomes. Pure, so it is easy to test.

import type { NewRunOptions, NewRunRequest, NewRunTask, PermissionMode } from "../api/types";
import { PERMISSION_MODES } from "../api/types";

/** One task row as typed: every field is the input's text. */
export interface TaskDraft {
  /** React key; not sent. */
  key: number;
  id: string;
  prompt: string;
  cwd: string;
  model: string;
  budget: string;
  timeout: string;
}

export interface OptionsDraft {
  maxParallel: string;
  model: string;
  budget: string;
  timeout: string;
  maxTurns: string;
  /** "" leaves the choice to the server. */
  permissionMode: PermissionMode | "";
  worktree: boolean;
  retries: string;
}

export type EditorMode = "form" | "json";

export interface RunDraft {
  mode: EditorMode;
  options: OptionsDraft;
  tasks: TaskDraft[];
  json: string;
}

/** A problem found before sending: `task` is the row's index (null for the options or the JSON text). */
export interface DraftProblem {
  task: number | null;
  field: string;
  message: string;
}

export const EMPTY_OPTIONS: OptionsDraft = {
  maxParallel: "",
  model: "",
  budget: "",
  timeout: "",
  maxTurns: "",
  permissionMode: "",
  worktree: false,
  retries: "",
};

let nextKey = 1;

export function newTaskDraft(partial: Partial<Omit<TaskDraft, "key">> = {}): TaskDraft {
  return { key: nextKey++, id: "", prompt: "", cwd: "", model: "", budget: "", timeout: "", ...partial };
}

export function emptyDraft(): RunDraft {
  return { mode: "form", options: { ...EMPTY_OPTIONS }, tasks: [newTaskDraft({ id: "task-1" })], json: "" };
}

/** The first id of the form `task-N` not taken yet. */
export function nextTaskId(tasks: readonly Pick<TaskDraft, "id">[]): string {
  const taken = new Set(tasks.map((t) => t.id.trim()));
  let n = tasks.length + 1;
  while (taken.has(`task-${n}`)) n += 1;
  return `task-${n}`;
}

type NumberRule = { integer: boolean; min: number; minExclusive: boolean };

const POSITIVE: NumberRule = { integer: false, min: 0, minExclusive: true };
const POSITIVE_WHOLE: NumberRule = { integer: true, min: 1, minExclusive: false };
const WHOLE: NumberRule = { integer: true, min: 0, minExclusive: false };

function describeRule(rule: NumberRule): string {
  if (rule.integer) return rule.min === 0 ? "a whole number (0 or more)" : `a whole number of at least ${rule.min}`;
  return "a number above 0";
}

/** A number field: undefined when blank, else the value or the reason it is not acceptable. */
function readNumber(text: string, rule: NumberRule): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  const value = Number(trimmed);
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minExclusive ? value > rule.min : value >= rule.min);
  return ok ? { value } : { error: `must be ${describeRule(rule)}` };
}

const OPTION_FIELDS: readonly { field: keyof OptionsDraft; label: string; rule: NumberRule }[] = [
  { field: "maxParallel", label: "Max parallel", rule: POSITIVE_WHOLE },
  { field: "budget", label: "Budget (USD)", rule: POSITIVE },
  { field: "timeout", label: "Timeout (s)", rule: POSITIVE },
  { field: "maxTurns", label: "Max turns", rule: POSITIVE_WHOLE },
  { field: "retries", label: "Retries", rule: WHOLE },
];

const TASK_NUMBER_FIELDS: readonly { field: "budget" | "timeout"; label: string; rule: NumberRule }[] = [
  { field: "budget", label: "budget (USD)", rule: POSITIVE },
  { field: "timeout", label: "timeout (s)", rule: POSITIVE },
];

export function validateOptions(options: OptionsDraft): DraftProblem[] {
  const problems: DraftProblem[] = [];
  for (const { field, label, rule } of OPTION_FIELDS) {
    const { error } = readNumber(String(options[field]), rule);
    if (error) problems.push({ task: null, field, message: `${label} ${error}.` });
  }
  return problems;
}

function taskName(index: number, id: string): string {
  return id ? `Task ${index + 1} ("${id}")` : `Task ${index + 1}`;
}

/** Empty and duplicate ids and empty prompts, in tasks given as plain values (the form's or parsed JSON). */
function checkIdsAndPrompts(tasks: readonly { id: string; prompt: string }[]): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const firstIndex = new Map<string, number>();
  tasks.forEach((task, index) => {
    const id = task.id.trim();
    if (id === "") {
      problems.push({ task: index, field: "id", message: `Task ${index + 1}: the id is empty.` });
    } else {
      const first = firstIndex.get(id);
      if (first === undefined) firstIndex.set(id, index);
      else
        problems.push({
          task: index,
          field: "id",
          message: `Task ${index + 1}: the id "${id}" is already used by task ${first + 1}.`,
        });
    }
    if (task.prompt.trim() === "") {
      problems.push({ task: index, field: "prompt", message: `${taskName(index, id)}: the prompt is empty.` });
    }
  });
  return problems;
}

export function validateTasks(tasks: readonly TaskDraft[]): DraftProblem[] {
  if (tasks.length === 0) return [{ task: null, field: "tasks", message: "Add at least one task." }];
  const problems = checkIdsAndPrompts(tasks);
  tasks.forEach((task, index) => {
    for (const { field, label, rule } of TASK_NUMBER_FIELDS) {
      const { error } = readNumber(task[field], rule);
      if (error) problems.push({ task: index, field, message: `${taskName(index, task.id.trim())}: ${label} ${error}.` });
    }
  });
  return problems.sort((a, b) => (a.task ?? -1) - (b.task ?? -1));
}

/** A task list typed as JSON: a list of task objects, or `{"tasks": [...]}`. */
export function parseTaskJson(text: string): { tasks: Record<string, unknown>[] } | { problems: DraftProblem[] } {
  const fail = (message: string) => ({ problems: [{ task: null, field: "json", message }] });
  if (text.trim() === "") return fail("Paste a task list: a JSON list of tasks, each with an id and a prompt.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value && typeof value === "object" && !Array.isArray(value) && "tasks" in value) {
    value = (value as { tasks: unknown }).tasks;
  }
  if (!Array.isArray(value)) return fail('Expected a list of tasks (or an object with a "tasks" list).');
  if (value.length === 0) return fail("The task list is empty.");
  const problems: DraftProblem[] = [];
  value.forEach((item: unknown, index) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      problems.push({ task: index, field: "json", message: `Task ${index + 1} is not an object.` });
    }
  });
  if (problems.length) return { problems };
  const tasks = value as Record<string, unknown>[];
  const asText = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
  const checked = checkIdsAndPrompts(tasks.map((t) => ({ id: asText(t.id), prompt: asText(t.prompt) })));
  return checked.length ? { problems: checked } : { tasks };
}

function optionalText(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** The run's options as the API takes them: blank fields left out, so the server's defaults apply. */
export function optionsToRequest(draft: OptionsDraft): NewRunOptions {
  const options: NewRunOptions = {};
  const number = (field: keyof OptionsDraft, rule: NumberRule) => readNumber(String(draft[field]), rule).value;
  const maxParallel = number("maxParallel", POSITIVE_WHOLE);
  const budget = number("budget", POSITIVE);
  const timeout = number("timeout", POSITIVE);
  const maxTurns = number("maxTurns", POSITIVE_WHOLE);
  const retries = number("retries", WHOLE);
  const model = optionalText(draft.model);
  if (maxParallel !== undefined) options.maxParallel = maxParallel;
  if (model !== undefined) options.model = model;
  if (budget !== undefined) options.budget = budget;
  if (timeout !== undefined) options.timeout = timeout;
  if (maxTurns !== undefined) options.maxTurns = maxTurns;
  if (draft.permissionMode) options.permissionMode = draft.permissionMode;
  if (draft.worktree) options.worktree = true;
  if (retries !== undefined) options.retries = retries;
  return options;
}

export function taskToRequest(draft: TaskDraft): NewRunTask {
  const task: NewRunTask = { id: draft.id.trim(), prompt: draft.prompt };
  const cwd = optionalText(draft.cwd);
  const model = optionalText(draft.model);
  const budget = readNumber(draft.budget, POSITIVE).value;
  const timeout = readNumber(draft.timeout, POSITIVE).value;
  if (cwd !== undefined) task.cwd = cwd;
  if (model !== undefined) task.model = model;
  if (budget !== undefined) task.budget_usd = budget;
  if (timeout !== undefined) task.timeout_s = timeout;
  return task;
}

/** The request for this draft, or the problems to fix first. */
export function buildRunRequest(draft: RunDraft): { request: NewRunRequest } | { problems: DraftProblem[] } {
  const optionProblems = validateOptions(draft.options);
  let tasks: NewRunTask[];
  if (draft.mode === "json") {
    const parsed = parseTaskJson(draft.json);
    if ("problems" in parsed) return { problems: [...optionProblems, ...parsed.problems] };
    // Passed on as typed: the server checks the keys the form does not know.
    tasks = parsed.tasks as unknown as NewRunTask[];
  } else {
    const taskProblems = validateTasks(draft.tasks);
    if (optionProblems.length || taskProblems.length) return { problems: [...optionProblems, ...taskProblems] };
    tasks = draft.tasks.map(taskToRequest);
  }
  if (optionProblems.length) return { problems: optionProblems };
  return { request: { tasks, options: optionsToRequest(draft.options) } };
}

/** The form's rows as task-list JSON, for switching to the JSON editor. */
export function tasksToJson(tasks: readonly TaskDraft[]): string {
  return JSON.stringify(tasks.map(taskToRequest), null, 2);
}

const FORM_KEYS: ReadonlySet<string> = new Set(["id", "prompt", "cwd", "model", "budget_usd", "timeout_s"]);

/**
 * Parsed JSON tasks as form rows, or the keys the form cannot hold (no field for them, or a value that is
 * not text or a number): switching to the form would lose those.
 */
export function jsonToTaskDrafts(
  tasks: readonly Record<string, unknown>[],
): { drafts: TaskDraft[] } | { unsupported: string[] } {
  const unsupported = new Set<string>();
  for (const task of tasks) {
    for (const [key, value] of Object.entries(task)) {
      const scalar = typeof value === "string" || typeof value === "number" || value === null;
      if (!FORM_KEYS.has(key) || !scalar) unsupported.add(key);
    }
  }
  if (unsupported.size) return { unsupported: [...unsupported].sort() };
  const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  return {
    drafts: tasks.map((t) =>
      newTaskDraft({
        id: text(t.id),
        prompt: text(t.prompt),
        cwd: text(t.cwd),
        model: text(t.model),
        budget: text(t.budget_usd),
        timeout: text(t.timeout_s),
      }),
    ),
  };
}

/** A draft read back from storage, or null when it is not one. */
export function restoreDraft(value: unknown): RunDraft | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Partial<RunDraft>;
  if ((v.mode !== "form" && v.mode !== "json") || !Array.isArray(v.tasks) || typeof v.json !== "string") return null;
  if (!v.options || typeof v.options !== "object") return null;
  const options: OptionsDraft = { ...EMPTY_OPTIONS };
  for (const key of Object.keys(EMPTY_OPTIONS) as (keyof OptionsDraft)[]) {
    const stored = (v.options as unknown as Record<string, unknown>)[key];
    if (key === "worktree") options.worktree = stored === true;
    else if (key === "permissionMode")
      options.permissionMode = PERMISSION_MODES.includes(stored as PermissionMode) ? (stored as PermissionMode) : "";
    else if (typeof stored === "string") options[key] = stored;
  }
  const tasks = (v.tasks as unknown[])
    .filter((t): t is Record<string, unknown> => !!t && typeof t === "object")
    .map((t) => {
      const text = (key: string) => (typeof t[key] === "string" ? (t[key] as string) : "");
      return newTaskDraft({
        id: text("id"),
        prompt: text("prompt"),
        cwd: text("cwd"),
        model: text("model"),
        budget: text("budget"),
        timeout: text("timeout"),
      });
    });
  return { mode: v.mode, options, tasks: tasks.length ? tasks : [newTaskDraft({ id: "task-1" })], json: v.json };
}
