import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import { PERMISSION_MODES, type PermissionMode } from "../api/types";
import { useLiveDispatch } from "../live/LiveProvider";
import { navigate, runHref } from "../router";
import {
  type DraftProblem,
  type EditorMode,
  type OptionsDraft,
  type RunDraft,
  type TaskDraft,
  buildRunRequest,
  emptyDraft,
  jsonToTaskDrafts,
  newTaskDraft,
  nextTaskId,
  parseTaskJson,
  restoreDraft,
  tasksToJson,
} from "../runs/taskEditor";
import { SegmentedControl } from "./SegmentedControl";

const STORAGE_KEY = "ccdeck-new-run";

const FIELD =
  "block w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950 aria-invalid:border-rose-500 aria-invalid:ring-1 aria-invalid:ring-rose-500 dark:aria-invalid:border-rose-500";
const LABEL = "block min-w-0 text-xs font-medium text-slate-600 dark:text-slate-300";
const BUTTON =
  "rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800";

function loadDraft(): RunDraft {
  try {
    const text = window.sessionStorage.getItem(STORAGE_KEY);
    if (text) return restoreDraft(JSON.parse(text)) ?? emptyDraft();
  } catch {
    // storage disabled or the stored draft unreadable: start afresh
  }
  return emptyDraft();
}

function saveDraft(draft: RunDraft | null): void {
  try {
    if (draft) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(draft));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // the draft then lasts as long as the page
  }
}

function Field({
  label,
  hint,
  children,
  className = "",
}: {
  label: string;
  hint?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <label className={`${LABEL} ${className}`}>
      <span className="mb-1 block">
        {label}
        {hint && <span className="font-normal text-slate-500 dark:text-slate-400"> · {hint}</span>}
      </span>
      {children}
    </label>
  );
}

function invalid(problems: readonly DraftProblem[], task: number | null, field: string): true | undefined {
  return problems.some((p) => p.task === task && p.field === field) ? true : undefined;
}

function OptionsFields({
  options,
  problems,
  onChange,
}: {
  options: OptionsDraft;
  problems: readonly DraftProblem[];
  onChange: (changes: Partial<OptionsDraft>) => void;
}) {
  const text = (field: "maxParallel" | "model" | "budget" | "timeout" | "maxTurns" | "retries") => ({
    value: options[field],
    onChange: (e: { target: { value: string } }) => onChange({ [field]: e.target.value }),
    "aria-invalid": invalid(problems, null, field),
    className: FIELD,
  });
  return (
    <fieldset className="min-w-0">
      <legend className="mb-2 text-sm font-semibold text-slate-700 dark:text-slate-200">
        Options <span className="font-normal text-slate-500 dark:text-slate-400">(blank: the server's default)</span>
      </legend>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Field label="Max parallel">
          <input {...text("maxParallel")} inputMode="numeric" autoComplete="off" />
        </Field>
        <Field label="Model">
          <input {...text("model")} placeholder="e.g. sonnet" autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Budget" hint="USD per task">
          <input {...text("budget")} inputMode="decimal" autoComplete="off" />
        </Field>
        <Field label="Timeout" hint="s per task">
          <input {...text("timeout")} inputMode="decimal" autoComplete="off" />
        </Field>
        <Field label="Max turns">
          <input {...text("maxTurns")} inputMode="numeric" autoComplete="off" />
        </Field>
        <Field label="Permission mode">
          <select
            value={options.permissionMode}
            onChange={(e) => onChange({ permissionMode: e.target.value as PermissionMode | "" })}
            className={FIELD}
          >
            <option value="">server default</option>
            {PERMISSION_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {mode}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Retries">
          <input {...text("retries")} inputMode="numeric" autoComplete="off" />
        </Field>
        <label className="flex items-center gap-2 self-end pb-1.5 text-sm">
          <input
            type="checkbox"
            checked={options.worktree}
            onChange={(e) => onChange({ worktree: e.target.checked })}
            className="size-4"
          />
          Worktree per task
        </label>
      </div>
    </fieldset>
  );
}

function TaskRowEditor({
  task,
  index,
  problems,
  removable,
  onChange,
  onRemove,
}: {
  task: TaskDraft;
  index: number;
  problems: readonly DraftProblem[];
  removable: boolean;
  onChange: (changes: Partial<TaskDraft>) => void;
  onRemove: () => void;
}) {
  const own = problems.filter((p) => p.task === index);
  const bind = (field: "id" | "prompt" | "cwd" | "model" | "budget" | "timeout") => ({
    value: task[field],
    onChange: (e: { target: { value: string } }) => onChange({ [field]: e.target.value }),
    "aria-invalid": invalid(problems, index, field),
    className: FIELD,
    autoComplete: "off",
  });
  return (
    <li
      data-testid="new-run-task"
      className="min-w-0 rounded-md border border-slate-200 p-3 dark:border-slate-800"
      aria-label={`Task ${index + 1}`}
    >
      <div className="mb-2 flex items-center justify-between gap-2">
        <span className="text-xs font-semibold text-slate-500 uppercase dark:text-slate-400">Task {index + 1}</span>
        <button
          type="button"
          onClick={onRemove}
          disabled={!removable}
          className="text-xs font-medium text-rose-700 hover:underline disabled:opacity-40 disabled:hover:no-underline dark:text-rose-300"
        >
          Remove
        </button>
      </div>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <Field label="Id">
          <input {...bind("id")} spellCheck={false} placeholder="docs-typos" />
        </Field>
        <Field label="Working directory" hint="optional">
          <input {...bind("cwd")} spellCheck={false} placeholder="/path/to/repo" className={`${FIELD} font-mono`} />
        </Field>
        <Field label="Prompt" className="sm:col-span-2">
          <textarea {...bind("prompt")} rows={3} className={`${FIELD} resize-y`} />
        </Field>
      </div>
      <div className="mt-3 grid grid-cols-3 gap-2">
        <Field label="Model" hint="override">
          <input {...bind("model")} spellCheck={false} />
        </Field>
        <Field label="Budget" hint="USD">
          <input {...bind("budget")} inputMode="decimal" />
        </Field>
        <Field label="Timeout" hint="s">
          <input {...bind("timeout")} inputMode="decimal" />
        </Field>
      </div>
      {own.length > 0 && (
        <ul className="mt-2 space-y-0.5 text-xs text-rose-700 dark:text-rose-300">
          {own.map((p) => (
            <li key={`${p.field}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

const JSON_EXAMPLE = `[
  {"id": "docs", "prompt": "Fix the typos in README.md", "cwd": "/path/to/repo"},
  {"id": "tests", "prompt": "Add tests for parser.py", "max_turns": 30}
]`;

/** Refused submission: a 422's `detail` exactly as the server wrote it, anything else with its status. */
function SubmitError({ error }: { error: Error }) {
  const refused = error instanceof ApiError && error.status === 422;
  const detail = error instanceof ApiError && error.detail ? error.detail : error.message;
  return (
    <div
      role="alert"
      data-testid="new-run-error"
      className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200"
    >
      <p className="font-medium">{refused ? "The server refused this run:" : "Could not start the run:"}</p>
      <p className="mt-0.5 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere]">
        {refused ? detail : error.message}
      </p>
    </div>
  );
}

/** The "New run" editor: options, then tasks as form rows or as pasted JSON. */
export function NewRunForm() {
  const [draft, setDraft] = useState<RunDraft>(loadDraft);
  const [attempted, setAttempted] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error | null>(null);
  const [switchNote, setSwitchNote] = useState<string | null>(null);
  const [refused, setRefused] = useState(0);
  const dispatch = useLiveDispatch();
  const jsonId = useId();
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => saveDraft(draft), [draft]);

  // After a refused submit, put the cursor in the first field to fix.
  useEffect(() => {
    if (refused) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);

  const built = useMemo(() => buildRunRequest(draft), [draft]);
  const problems = attempted && "problems" in built ? built.problems : [];

  const update = (changes: Partial<RunDraft>) => setDraft((d) => ({ ...d, ...changes }));
  const updateOptions = (changes: Partial<OptionsDraft>) =>
    setDraft((d) => ({ ...d, options: { ...d.options, ...changes } }));
  const updateTask = (key: number, changes: Partial<TaskDraft>) =>
    setDraft((d) => ({ ...d, tasks: d.tasks.map((t) => (t.key === key ? { ...t, ...changes } : t)) }));
  const addTask = () => setDraft((d) => ({ ...d, tasks: [...d.tasks, newTaskDraft({ id: nextTaskId(d.tasks) })] }));
  const removeTask = (key: number) => setDraft((d) => ({ ...d, tasks: d.tasks.filter((t) => t.key !== key) }));

  const switchMode = (mode: EditorMode) => {
    setSwitchNote(null);
    if (mode === draft.mode) return;
    if (mode === "json") {
      const hasRows = draft.tasks.some((t) => t.prompt.trim() || t.cwd.trim());
      update({ mode, json: draft.json.trim() === "" && hasRows ? tasksToJson(draft.tasks) : draft.json });
      return;
    }
    if (draft.json.trim() === "") {
      update({ mode });
      return;
    }
    const parsed = parseTaskJson(draft.json);
    if ("problems" in parsed) {
      setSwitchNote("The JSON has problems (listed below): fix them or clear the text to go back to the form.");
      setAttempted(true);
      return;
    }
    const rows = jsonToTaskDrafts(parsed.tasks);
    if ("unsupported" in rows) {
      setSwitchNote(
        `The form has no fields for ${rows.unsupported.join(", ")}: keep editing as JSON, or clear the text to go back to the form.`,
      );
      return;
    }
    update({ mode, tasks: rows.drafts, json: "" });
  };

  const reset = () => {
    setDraft(emptyDraft());
    setAttempted(false);
    setSubmitError(null);
    setSwitchNote(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    setSubmitError(null);
    if ("problems" in built) {
      setRefused((n) => n + 1);
      return;
    }
    setSubmitting(true);
    try {
      const { run } = await api.createRun(built.request);
      saveDraft(null);
      dispatch({ type: "run.updated", run });
      navigate(runHref(run.id));
    } catch (error) {
      setSubmitError(error instanceof Error ? error : new Error(String(error)));
      setSubmitting(false);
    }
  };

  const otherProblems = problems.filter((p) => p.task === null || draft.mode === "json");

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4" aria-label="New run">
      <OptionsFields options={draft.options} problems={problems} onChange={updateOptions} />

      <div className="space-y-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-200">
            Tasks
            {draft.mode === "form" && (
              <span className="font-normal text-slate-500 dark:text-slate-400"> ({draft.tasks.length})</span>
            )}
          </h3>
          <SegmentedControl
            label="Task editor"
            value={draft.mode}
            onChange={switchMode}
            options={[
              { value: "form", label: "Form" },
              { value: "json", label: "Paste JSON" },
            ]}
          />
        </div>
        {switchNote && (
          <p role="status" className="text-xs text-amber-800 dark:text-amber-300">
            {switchNote}
          </p>
        )}
        {draft.mode === "form" ? (
          <>
            <ol className="space-y-3">
              {draft.tasks.map((task, index) => (
                <TaskRowEditor
                  key={task.key}
                  task={task}
                  index={index}
                  problems={problems}
                  removable={draft.tasks.length > 1}
                  onChange={(changes) => updateTask(task.key, changes)}
                  onRemove={() => removeTask(task.key)}
                />
              ))}
            </ol>
            <button type="button" onClick={addTask} className={BUTTON}>
              + Add task
            </button>
          </>
        ) : (
          <div className="space-y-1">
            <label htmlFor={jsonId} className={LABEL}>
              Task list (JSON): a list of tasks, or {'{"tasks": [...]}'}; keys as in <code>ccdeck run</code> task files
            </label>
            <textarea
              id={jsonId}
              data-testid="new-run-json"
              value={draft.json}
              onChange={(e) => update({ json: e.target.value })}
              rows={12}
              spellCheck={false}
              placeholder={JSON_EXAMPLE}
              aria-invalid={problems.some((p) => p.field === "json" || p.task !== null) ? true : undefined}
              className={`${FIELD} resize-y font-mono text-xs`}
            />
          </div>
        )}
      </div>

      {otherProblems.length > 0 && (
        <ul
          role="alert"
          data-testid="new-run-problems"
          className="space-y-0.5 rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200"
        >
          {otherProblems.map((p) => (
            <li key={`${p.task}:${p.field}:${p.message}`} className="[overflow-wrap:anywhere]">
              {p.message}
            </li>
          ))}
        </ul>
      )}
      {attempted && problems.length > 0 && otherProblems.length === 0 && (
        <p role="alert" data-testid="new-run-problems" className="text-sm text-rose-700 dark:text-rose-300">
          Fix the marked fields first.
        </p>
      )}
      {submitError && <SubmitError error={submitError} />}

      <div className="flex flex-wrap items-center gap-2">
        <button
          type="submit"
          data-testid="new-run-submit"
          disabled={submitting}
          className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800 disabled:opacity-60 dark:bg-sky-600 dark:hover:bg-sky-500"
        >
          {submitting ? "Starting…" : "Start run"}
        </button>
        <button type="button" onClick={reset} disabled={submitting} className={BUTTON}>
          Clear
        </button>
      </div>
    </form>
  );
}
