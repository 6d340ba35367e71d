import type { ReactNode } from "react";
import type { Run } from "../api/types";
import {
  formatCost,
  formatCostOrDash,
  formatDateTime,
  formatPercent,
  formatSeconds,
  formatSpeedup,
} from "../format";
import { runTimes } from "../runs/status";
import { Panel } from "./Panel";
import { TaskCounts } from "./TaskCounts";
import { TokenCount } from "./TokenCount";

function Fact({
  label,
  title,
  children,
  testId,
}: {
  label: string;
  title?: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400" title={title}>
        {label}
      </dt>
      <dd data-testid={testId} className="text-base font-semibold break-words tabular-nums sm:text-lg">
        {children}
      </dd>
    </div>
  );
}

function optionText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A run's figures: times, speed-up, cost by model, cache saving, success rate and the tasks by status. */
export function RunFacts({ run, now }: { run: Run; now: number }) {
  const times = runTimes(run, now);
  const billed = (run.tokens?.totalTokens ?? 0) > 0;
  const models = Object.entries(run.costByModel ?? {}).sort(([, a], [, b]) => (b ?? -1) - (a ?? -1));
  const options = Object.entries(run.options ?? {}).filter(([, v]) => v !== null && v !== undefined);
  return (
    <Panel>
      <div className="space-y-4">
        <TaskCounts counts={run.counts} />
        <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Wall time" title="From the run's start to its end (or now)">
            {formatSeconds(times.wall)}
          </Fact>
          <Fact label="Task time" title="The tasks' own times added up">
            {formatSeconds(times.sum)}
          </Fact>
          <Fact label="Speed-up" title="Task time ÷ wall time" testId="run-speedup">
            {formatSpeedup(times.speedup)}
          </Fact>
          <Fact label="Cost" testId="run-cost">
            {run.costEstimated && run.costUSD !== null ? "≈ " : ""}
            {formatCostOrDash(run.costUSD, billed)}
          </Fact>
          <Fact label="Cache saving" title="What the cache reads saved against the uncached input price">
            {run.cacheSavingUSD === null ? "—" : formatCost(run.cacheSavingUSD)}
          </Fact>
          <Fact label="Success rate" title="Tasks that succeeded, of those finished">
            {formatPercent(run.successRate)}
          </Fact>
        </dl>
        <div className="grid gap-4 text-sm sm:grid-cols-2">
          <div className="min-w-0">
            <h2 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              Cost by model
            </h2>
            {models.length === 0 ? (
              <p className="text-slate-500 dark:text-slate-400">Nothing billed yet.</p>
            ) : (
              <ul data-testid="run-cost-by-model" className="space-y-0.5 tabular-nums">
                {models.map(([model, cost]) => (
                  <li key={model} className="flex min-w-0 justify-between gap-3">
                    <span className="min-w-0 break-all">{model}</span>
                    <span className="shrink-0 font-medium">{formatCost(cost)}</span>
                  </li>
                ))}
              </ul>
            )}
            {(run.tokens?.totalTokens ?? 0) > 0 && (
              <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
                <TokenCount tokens={run.tokens?.totalTokens ?? 0} /> tokens
              </p>
            )}
          </div>
          <div className="min-w-0">
            <h2 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              Timing and options
            </h2>
            <p className="text-slate-600 dark:text-slate-300">
              Created {formatDateTime(run.createdAt)}
              {run.startedAt && <> · started {formatDateTime(run.startedAt)}</>}
              {run.finishedAt && <> · finished {formatDateTime(run.finishedAt)}</>}
            </p>
            {options.length > 0 && (
              <ul className="mt-1 flex flex-wrap gap-1 text-xs">
                {options.map(([key, value]) => (
                  <li
                    key={key}
                    className="max-w-full rounded bg-slate-100 px-1.5 py-0.5 [overflow-wrap:anywhere] dark:bg-slate-800"
                  >
                    <span className="text-slate-500 dark:text-slate-400">{key}</span> {optionText(value)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </div>
    </Panel>
  );
}
