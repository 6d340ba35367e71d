import type { SessionState } from "../api/types";

const STYLES: Record<SessionState, { badge: string; dot: string }> = {
  working: {
    badge: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
    dot: "bg-emerald-500 animate-pulse",
  },
  blocked: {
    badge: "bg-rose-100 text-rose-800 ring-1 ring-inset ring-rose-300 dark:bg-rose-900/60 dark:text-rose-100 dark:ring-rose-700",
    dot: "bg-rose-500 animate-pulse",
  },
  waiting: {
    badge: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
    dot: "bg-amber-500",
  },
  idle: {
    badge: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
    dot: "bg-slate-400",
  },
  ended: {
    badge: "bg-transparent text-slate-500 ring-1 ring-inset ring-slate-300 dark:text-slate-400 dark:ring-slate-700",
    dot: "bg-slate-300 dark:bg-slate-600",
  },
};

const LABELS: Record<SessionState, string> = {
  working: "working",
  blocked: "needs you",
  waiting: "waiting for you",
  idle: "idle",
  ended: "ended",
};

export function StateBadge({ state, testId }: { state: SessionState; testId?: string }) {
  const style = STYLES[state];
  return (
    <span
      data-testid={testId}
      data-state={state}
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${style.badge}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${style.dot}`} />
      {LABELS[state]}
    </span>
  );
}
