import type { Run } from "../api/types";
import { formatAgo, formatCostOrDash, formatDateTime, formatPercent, formatSeconds, formatSpeedup, formatTime } from "../format";
import { Link, navigate, runHref } from "../router";
import { runTimes } from "../runs/status";
import { TABLE, TABLE_BOX, TBODY, TD, TD_FIGURE, TH, THEAD, TR } from "./responsiveTable";
import { RunStatusBadge } from "./RunStatusBadge";
import { TaskCounts } from "./TaskCounts";

const HEADERS: readonly { label: string; right?: boolean; title?: string }[] = [
  { label: "Status" },
  { label: "Run" },
  { label: "Tasks" },
  { label: "Wall", right: true, title: "From the run's start to its end" },
  { label: "Task time", right: true, title: "The tasks' times added up" },
  { label: "Speed-up", right: true, title: "Task time ÷ wall time" },
  { label: "Cost", right: true },
  { label: "Success", right: true, title: "Tasks that succeeded, of those finished" },
];

export function RunsTable({ runs, now }: { runs: Run[]; now: number }) {
  return (
    <div className={TABLE_BOX}>
      <table className={`${TABLE} sm:min-w-[52rem]`}>
        <thead className={THEAD}>
          <tr>
            {HEADERS.map((h) => (
              <th key={h.label} scope="col" title={h.title} className={`${TH} whitespace-nowrap ${h.right ? "text-right" : ""}`}>
                {h.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={TBODY}>
          {runs.map((run) => {
            const times = runTimes(run, now);
            const billed = (run.tokens?.totalTokens ?? 0) > 0;
            return (
              <tr
                key={run.id}
                data-testid="run-row"
                data-run-id={run.id}
                data-status={run.status}
                onClick={() => navigate(runHref(run.id))}
                className={TR}
              >
                <td className={TD}>
                  <RunStatusBadge status={run.status} />
                </td>
                <td className={`${TD} max-sm:min-w-0 max-sm:flex-1`}>
                  <Link
                    to={runHref(run.id)}
                    onClick={(e) => e.stopPropagation()}
                    className="block truncate font-mono text-sm font-medium hover:underline"
                  >
                    {run.id}
                  </Link>
                  <span className="block text-xs whitespace-nowrap text-slate-500 dark:text-slate-400">
                    <span title={`created ${formatDateTime(run.createdAt)}`}>{formatAgo(run.createdAt, now)}</span>
                    {run.startedAt && (
                      <span title={`started ${formatDateTime(run.startedAt)}`}> · started {formatTime(run.startedAt)}</span>
                    )}
                  </span>
                </td>
                <td className={`${TD} max-sm:basis-full`}>
                  <TaskCounts counts={run.counts} compact />
                </td>
                <td className={TD_FIGURE} data-label="Wall">
                  {formatSeconds(times.wall)}
                </td>
                <td className={TD_FIGURE} data-label="Task time">
                  {formatSeconds(times.sum)}
                </td>
                <td className={TD_FIGURE} data-label="Speed-up">
                  {formatSpeedup(times.speedup)}
                </td>
                <td className={TD_FIGURE} data-label="Cost">
                  {formatCostOrDash(run.costUSD, billed)}
                </td>
                <td className={TD_FIGURE} data-label="Success">
                  {formatPercent(run.successRate)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
