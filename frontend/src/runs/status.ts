// What a run's and a task's status mean, how each looks, and the times and figures derived from them.

import type { Run, RunStatus, RunTask, TaskStatus } from "../api/types";
import { secondsBetween } from "../format";

export interface StatusLook {
  label: string;
  /** Badge colours (background, text, ring), light and dark. */
  badge: string;
  /** The small dot in the badge. */
  dot: string;
  /** A solid fill, for the count bar. */
  bar: string;
}

export const TASK_STATUS_LOOK: Record<TaskStatus, StatusLook> = {
  queued: {
    label: "queued",
    badge: "bg-slate-100 text-slate-700 ring-1 ring-inset ring-slate-300 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-600",
    dot: "bg-slate-400",
    bar: "bg-slate-300 dark:bg-slate-600",
  },
  running: {
    label: "running",
    badge: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
    dot: "bg-sky-500 animate-pulse",
    bar: "bg-sky-500",
  },
  succeeded: {
    label: "succeeded",
    badge: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
    dot: "bg-emerald-500",
    bar: "bg-emerald-500",
  },
  failed: {
    label: "failed",
    badge: "bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-200",
    dot: "bg-rose-500",
    bar: "bg-rose-500",
  },
  timed_out: {
    label: "timed out",
    badge: "bg-orange-100 text-orange-800 dark:bg-orange-900/60 dark:text-orange-200",
    dot: "bg-orange-500",
    bar: "bg-orange-500",
  },
  budget_exceeded: {
    label: "over budget",
    badge: "bg-fuchsia-100 text-fuchsia-800 dark:bg-fuchsia-900/60 dark:text-fuchsia-200",
    dot: "bg-fuchsia-500",
    bar: "bg-fuchsia-500",
  },
  max_turns: {
    label: "max turns",
    badge: "bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200",
    dot: "bg-violet-500",
    bar: "bg-violet-500",
  },
  stopped: {
    label: "stopped",
    badge: "bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100",
    dot: "bg-zinc-500 dark:bg-zinc-300",
    bar: "bg-zinc-500 dark:bg-zinc-400",
  },
};

const RUN_STATUS_LOOK: Record<RunStatus, StatusLook> = {
  queued: TASK_STATUS_LOOK.queued,
  running: TASK_STATUS_LOOK.running,
  finished: { ...TASK_STATUS_LOOK.succeeded, label: "finished" },
  stopped: TASK_STATUS_LOOK.stopped,
  interrupted: {
    label: "interrupted",
    badge: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
    dot: "bg-amber-500",
    bar: "bg-amber-500",
  },
};

const UNKNOWN_LOOK: Omit<StatusLook, "label"> = {
  badge: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  dot: "bg-slate-400",
  bar: "bg-slate-400",
};

/** How a task status looks; a status this page does not know yet shows as itself, in grey. */
export function taskStatusLook(status: string): StatusLook {
  return TASK_STATUS_LOOK[status as TaskStatus] ?? { ...UNKNOWN_LOOK, label: status.replaceAll("_", " ") };
}

export function runStatusLook(status: string): StatusLook {
  return RUN_STATUS_LOOK[status as RunStatus] ?? { ...UNKNOWN_LOOK, label: status.replaceAll("_", " ") };
}

/** Bar and legend order: what is still going first, then the outcomes. */
export const TASK_STATUS_ORDER: readonly TaskStatus[] = [
  "running",
  "queued",
  "succeeded",
  "failed",
  "timed_out",
  "budget_exceeded",
  "max_turns",
  "stopped",
];

const ACTIVE_RUN_STATUSES: ReadonlySet<string> = new Set(["queued", "running"]);

/** Queued or running: it may still be stopped. */
export function isTaskActive(task: Pick<RunTask, "status">): boolean {
  return task.status === "queued" || task.status === "running";
}

/** A run is going while its status says so or any of its tasks is still queued or running. */
export function isRunActive(run: Pick<Run, "status" | "tasks">): boolean {
  return ACTIVE_RUN_STATUSES.has(run.status) || run.tasks.some(isTaskActive);
}

/** Counts by status in bar order, statuses this page does not know last; zeros left out. */
export function orderedCounts(counts: Partial<Record<string, number>>): { status: string; count: number }[] {
  const known = TASK_STATUS_ORDER.map((status) => ({ status: status as string, count: counts[status] ?? 0 }));
  const other = Object.entries(counts)
    .filter(([status]) => !(TASK_STATUS_ORDER as readonly string[]).includes(status))
    .map(([status, count]) => ({ status, count: count ?? 0 }));
  return [...known, ...other].filter((c) => c.count > 0);
}

/**
 * How long a task has taken: a running task from its start to `now` (ms), a finished one its measured
 * time; null while it has not started.
 */
export function taskElapsedSeconds(task: RunTask, now: number): number | null {
  if (task.status === "running" && task.startedAt) return secondsBetween(task.startedAt, now);
  if (task.durationSeconds !== null && task.durationSeconds !== undefined) return task.durationSeconds;
  if (task.startedAt && task.finishedAt) return secondsBetween(task.startedAt, Date.parse(task.finishedAt));
  return null;
}

export function taskTokens(task: Pick<RunTask, "tokens">): number {
  return task.tokens?.totalTokens ?? 0;
}

export interface RunTimes {
  /** From the run's start to its end, or to now while it runs. */
  wall: number | null;
  /** The tasks' own times added up. */
  sum: number | null;
  /** sum ÷ wall. */
  speedup: number | null;
}

/** A finished run's figures as the server measured them; a running one's ticking with `now` (ms). */
export function runTimes(run: Run, now: number): RunTimes {
  if (!isRunActive(run) || !run.startedAt) {
    const { wallSeconds: wall, sumTaskSeconds: sum } = run;
    const speedup = run.speedup ?? (wall && sum !== null ? sum / wall : null);
    return { wall, sum, speedup };
  }
  const wall = secondsBetween(run.startedAt, now);
  const sum = run.tasks.reduce((total, task) => total + (taskElapsedSeconds(task, now) ?? 0), 0);
  return { wall, sum, speedup: wall > 0 ? sum / wall : null };
}
