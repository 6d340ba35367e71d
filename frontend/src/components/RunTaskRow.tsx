import type { RunTask } from "../api/types";
import { formatCostOrDash, formatInteger, formatSeconds } from "../format";
import { isTaskActive, taskElapsedSeconds, taskTokens } from "../runs/status";
import { TD, TD_FIGURE, TD_LABELLED } from "./responsiveTable";
import { RunTaskResult } from "./RunTaskResult";
import { TaskStatusBadge } from "./RunStatusBadge";
import { TokenCount } from "./TokenCount";

export const TASK_COLUMNS = 8;

export interface RunTaskRowProps {
  task: RunTask;
  runId: string;
  /** ms, for the running tasks' elapsed time */
  now: number;
  expanded: boolean;
  onToggle: () => void;
  /** Asks to stop the task (the caller confirms); absent when stopping is not offered. */
  onStop?: (task: RunTask) => void;
  /** A stop request for this task is on its way. */
  stopping?: boolean;
}

function firstLine(text: string | null): string {
  return (
    text
      ?.split("\n")
      .find((l) => l.trim())
      ?.trim() ?? ""
  );
}

/** One task of a run: a row of figures, and its full result under it when expanded. */
export function RunTaskRow({ task, runId, now, expanded, onToggle, onStop, stopping = false }: RunTaskRowProps) {
  const elapsed = taskElapsedSeconds(task, now);
  const tokens = taskTokens(task);
  const active = isTaskActive(task);
  const resultId = `task-result-${runId}-${task.id}`;
  return (
    <>
      <tr
        data-testid="task-row"
        data-task-id={task.id}
        data-status={task.status}
        aria-expanded={expanded}
        onClick={onToggle}
        className={`cursor-pointer hover:bg-slate-50 dark:hover:bg-slate-900 max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-3 max-sm:gap-y-1 max-sm:px-3 max-sm:py-2.5 ${expanded ? "bg-slate-50 dark:bg-slate-900" : ""}`}
      >
        <td className={`${TD} sm:max-w-72 max-sm:min-w-0 max-sm:flex-1 max-sm:basis-3/5`}>
          <div className="flex min-w-0 items-start gap-1.5">
            <button
              type="button"
              aria-expanded={expanded}
              aria-controls={expanded ? resultId : undefined}
              aria-label={`${expanded ? "Hide" : "Show"} the result of ${task.id}`}
              onClick={(e) => {
                e.stopPropagation();
                onToggle();
              }}
              className="mt-0.5 w-4 shrink-0 text-xs text-slate-500 dark:text-slate-400"
            >
              {expanded ? "▾" : "▸"}
            </button>
            <div className="min-w-0">
              <span className="block truncate font-mono text-sm font-medium">{task.id}</span>
              <span className="block truncate text-xs text-slate-500 dark:text-slate-400" title={task.prompt ?? ""}>
                {firstLine(task.prompt)}
              </span>
            </div>
          </div>
        </td>
        <td className={TD}>
          <TaskStatusBadge status={task.status} />
        </td>
        <td className={TD_FIGURE} data-label="Elapsed" data-testid="task-elapsed">
          {formatSeconds(elapsed)}
        </td>
        <td className={TD_FIGURE} data-label="Turns">
          {task.numTurns === null ? "—" : formatInteger(task.numTurns)}
        </td>
        <td className={TD_FIGURE} data-label="Tokens">
          {tokens > 0 ? <TokenCount tokens={tokens} /> : "—"}
        </td>
        <td className={TD_FIGURE} data-label="Cost">
          {task.costEstimated && task.costUSD !== null ? "≈ " : ""}
          {formatCostOrDash(task.costUSD, tokens > 0)}
        </td>
        <td
          className={`${TD_LABELLED} max-sm:flex max-sm:min-w-0 max-sm:basis-full ${task.lastTool ? "" : "max-sm:hidden"}`}
          data-label="Last tool"
        >
          <span className="block max-w-56 truncate font-mono text-xs max-sm:max-w-none max-sm:min-w-0" title={task.lastTool ?? ""}>
            {task.lastTool ?? "—"}
          </span>
        </td>
        <td className={`${TD} text-right max-sm:ml-auto`}>
          {active && task.stopRequested ? (
            <span className="text-xs whitespace-nowrap text-slate-500 dark:text-slate-400">stopping…</span>
          ) : (
            active &&
            onStop && (
              <button
                type="button"
                data-testid="task-stop"
                disabled={stopping}
                onClick={(e) => {
                  e.stopPropagation();
                  onStop(task);
                }}
                className="rounded-md border border-rose-300 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-rose-700 hover:bg-rose-50 disabled:opacity-50 dark:border-rose-800 dark:text-rose-300 dark:hover:bg-rose-950"
              >
                {stopping ? "Stopping…" : "Stop"}
              </button>
            )
          )}
        </td>
      </tr>
      {expanded && (
        <tr id={resultId} className="bg-slate-50/60 dark:bg-slate-900/40 max-sm:block">
          <td colSpan={TASK_COLUMNS} className="px-3 pt-1 pb-4 sm:pl-9 max-sm:block">
            <RunTaskResult task={task} runId={runId} />
          </td>
        </tr>
      )}
    </>
  );
}
