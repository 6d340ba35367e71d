import { orderedCounts, taskStatusLook } from "../runs/status";

/** A run's tasks by status: a thin stacked bar and, unless `compact`, a legend with the numbers. */
export function TaskCounts({
  counts,
  compact = false,
}: {
  counts: Partial<Record<string, number>>;
  compact?: boolean;
}) {
  const parts = orderedCounts(counts);
  const total = parts.reduce((sum, p) => sum + p.count, 0);
  const description = parts.map((p) => `${p.count} ${taskStatusLook(p.status).label}`).join(", ") || "no tasks";
  return (
    <div data-testid="task-counts" className="min-w-0">
      <div
        role="img"
        aria-label={`Tasks: ${description}`}
        title={description}
        className={`flex h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 ${compact ? "w-28 max-sm:w-full" : "w-full"}`}
      >
        {parts.map((p) => (
          <span
            key={p.status}
            className={`h-full ${taskStatusLook(p.status).bar}`}
            style={{ width: `${(p.count / total) * 100}%` }}
          />
        ))}
      </div>
      <p className="mt-1 flex flex-wrap gap-x-2 text-xs text-slate-600 tabular-nums dark:text-slate-300">
        {parts.length === 0 ? (
          <span>no tasks</span>
        ) : (
          parts.map((p) => {
            const look = taskStatusLook(p.status);
            return (
              <span key={p.status} data-status={p.status} className="inline-flex items-center gap-1 whitespace-nowrap">
                <span aria-hidden="true" className={`size-2 rounded-sm ${look.bar}`} />
                {p.count} {look.label}
              </span>
            );
          })
        )}
      </p>
    </div>
  );
}
