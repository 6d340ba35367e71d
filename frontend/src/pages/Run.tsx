import { useCallback, useState } from "react";
import { ApiError, api } from "../api/client";
import type { RunTask } from "../api/types";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { RunFacts } from "../components/RunFacts";
import { RunStatusBadge } from "../components/RunStatusBadge";
import { RunTasksTable } from "../components/RunTasksTable";
import { Panel } from "../components/Panel";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRun } from "../hooks/useRuns";
import { Link } from "../router";
import { isRunActive, isTaskActive } from "../runs/status";

const ALL = "\u0000all";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function RunPage({ id }: { id: string }) {
  usePageTitle(`Run ${id}`);
  const { run, error, reload } = useRun(id);
  const active = run ? isRunActive(run) : false;
  const now = useNow(active ? 1000 : 30_000);
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const [actionError, setActionError] = useState<{ what: string; error: Error } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const stop = useCallback(
    async (key: string, question: string, what: string, request: () => Promise<{ stopped: number }>) => {
      if (!window.confirm(question)) return;
      setPending((p) => new Set(p).add(key));
      setActionError(null);
      setNotice(null);
      try {
        const { stopped } = await request();
        setNotice(stopped > 0 ? `Asked ${plural(stopped, "task")} to stop.` : "Nothing left to stop.");
        reload();
      } catch (error) {
        setActionError({ what, error: error instanceof Error ? error : new Error(String(error)) });
      } finally {
        setPending((p) => {
          const next = new Set(p);
          next.delete(key);
          return next;
        });
      }
    },
    [reload],
  );

  const stopTask = useCallback(
    (task: RunTask) =>
      void stop(task.id, `Stop task "${task.id}" of run ${id}?`, `Could not stop task ${task.id}`, () =>
        api.stopTask(id, task.id),
      ),
    [id, stop],
  );
  const stopAll = () =>
    void stop(ALL, `Stop every unfinished task of run ${id}?`, "Could not stop the run", () => api.stopRun(id));

  const unfinished = run ? run.tasks.filter(isTaskActive).length : 0;
  const canStopAll = run !== undefined && active && !run.stopRequested;
  const notFound = error instanceof ApiError && error.status === 404;

  return (
    <div data-testid="run-page" className="space-y-4">
      <div>
        <Link to="/runs" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Runs
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-2">
          <h1 className="min-w-0 text-xl font-semibold break-all">
            Run <span className="font-mono">{id}</span>
          </h1>
          {run && <RunStatusBadge status={run.status} testId="run-status" />}
          {run?.detached && (
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
              detached
            </span>
          )}
          {run && active && (
            <div className="ml-auto">
              {canStopAll ? (
                <button
                  type="button"
                  data-testid="stop-all"
                  onClick={stopAll}
                  disabled={pending.has(ALL)}
                  className="rounded-md bg-rose-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-rose-800 disabled:opacity-60 dark:bg-rose-600 dark:hover:bg-rose-500"
                >
                  {pending.has(ALL) ? "Stopping…" : `Stop all${unfinished ? ` (${unfinished})` : ""}`}
                </button>
              ) : (
                <span className="text-sm text-slate-500 dark:text-slate-400">Stopping…</span>
              )}
            </div>
          )}
        </div>
      </div>

      {actionError && (
        <ErrorNotice what={actionError.what} error={actionError.error} onRetry={() => setActionError(null)} />
      )}
      {notice && (
        <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
          {notice}
        </p>
      )}
      {error && (
        <ErrorNotice
          what={notFound ? "Run not found" : "Could not load the run"}
          error={error}
          {...(notFound ? {} : { onRetry: reload })}
        />
      )}
      {!run && !error && <Loading what="run" />}

      {run && (
        <>
          <RunFacts run={run} now={now} />
          <Panel title={`Tasks (${run.tasks.length})`}>
            {run.tasks.length === 0 ? (
              <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">This run has no tasks.</p>
            ) : (
              <RunTasksTable
                runId={run.id}
                tasks={run.tasks}
                now={now}
                stopping={pending}
                {...(active ? { onStop: stopTask } : {})}
              />
            )}
          </Panel>
        </>
      )}
    </div>
  );
}
