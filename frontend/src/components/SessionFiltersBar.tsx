import { useEffect, useState } from "react";
import { SESSION_STATES, type SessionState } from "../api/types";
import type { SessionFilters } from "../filters";

interface SessionFiltersBarProps {
  filters: SessionFilters;
  projects: string[];
  models: string[];
  /** The machines of the stored sessions: the machine filter shows when there are several (or one is chosen). */
  machines?: string[];
  onChange: (changes: Partial<SessionFilters>, options?: { replace?: boolean }) => void;
  onClear: () => void;
}

const FIELD =
  "min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

/** Search box and filters of the Sessions page; typing in the search box updates the URL after a pause. */
export function SessionFiltersBar({
  filters,
  projects,
  models,
  machines = [],
  onChange,
  onClear,
}: SessionFiltersBarProps) {
  const [text, setText] = useState(filters.q);

  useEffect(() => setText(filters.q), [filters.q]);

  useEffect(() => {
    if (text === filters.q) return;
    const timer = setTimeout(() => onChange({ q: text }, { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [text, filters.q, onChange]);

  const showMachines = machines.length > 1 || filters.machine !== "";

  const toggleState = (state: SessionState) => {
    const states = filters.states.includes(state)
      ? filters.states.filter((s) => s !== state)
      : [...filters.states, state];
    onChange({ states });
  };

  return (
    <div className="space-y-2">
      <div
        className={`grid grid-cols-2 gap-2 ${
          showMachines ? "lg:grid-cols-[2fr_1fr_1fr_1fr_auto_auto]" : "lg:grid-cols-[2fr_1fr_1fr_auto_auto]"
        }`}
      >
        <input
          type="search"
          aria-label="Search sessions"
          placeholder="Search title, project, branch, id…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className={`${FIELD} col-span-2 lg:col-span-1`}
        />
        <select
          aria-label="Project"
          value={filters.project}
          onChange={(e) => onChange({ project: e.target.value })}
          className={FIELD}
        >
          <option value="">All projects</option>
          {filters.project && !projects.includes(filters.project) && (
            <option value={filters.project}>{filters.project}</option>
          )}
          {projects.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <select
          aria-label="Model"
          value={filters.model}
          onChange={(e) => onChange({ model: e.target.value })}
          className={FIELD}
        >
          <option value="">All models</option>
          {filters.model && !models.includes(filters.model) && <option value={filters.model}>{filters.model}</option>}
          {models.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        {showMachines && (
          <select
            aria-label="Machine"
            value={filters.machine}
            onChange={(e) => onChange({ machine: e.target.value })}
            className={FIELD}
          >
            <option value="">All machines</option>
            {filters.machine && !machines.includes(filters.machine) && (
              <option value={filters.machine}>{filters.machine}</option>
            )}
            {machines.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
        <label className="flex min-w-0 items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
          From
          <input
            type="date"
            aria-label="Last activity from"
            value={filters.since}
            max={filters.until || undefined}
            onChange={(e) => onChange({ since: e.target.value })}
            className={`${FIELD} flex-1`}
          />
        </label>
        <label className="flex min-w-0 items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
          to
          <input
            type="date"
            aria-label="Last activity until"
            value={filters.until}
            min={filters.since || undefined}
            onChange={(e) => onChange({ until: e.target.value })}
            className={`${FIELD} flex-1`}
          />
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-xs text-slate-500 dark:text-slate-400">State</span>
        {SESSION_STATES.map((state) => (
          <button
            key={state}
            type="button"
            aria-pressed={filters.states.includes(state)}
            onClick={() => toggleState(state)}
            className={`rounded-full border px-2.5 py-0.5 text-xs font-medium ${
              filters.states.includes(state)
                ? "border-slate-800 bg-slate-800 text-white dark:border-slate-200 dark:bg-slate-200 dark:text-slate-900"
                : "border-slate-300 text-slate-600 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
            }`}
          >
            {state}
          </button>
        ))}
        <button
          type="button"
          onClick={onClear}
          className="ml-auto text-xs font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          Clear filters
        </button>
      </div>
    </div>
  );
}
