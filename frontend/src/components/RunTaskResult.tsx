import type { ReactNode } from "react";
import type { RunTask } from "../api/types";
import { formatCostOrDash, formatDateTime, formatSeconds } from "../format";
import { Link, sessionHref } from "../router";
import { describeDenial, describeDiffStat } from "../runs/describe";
import { isTaskActive, taskTokens } from "../runs/status";
import { TaskLog } from "./TaskLog";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="min-w-0">
      <h4 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{title}</h4>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="text-sm font-medium break-words tabular-nums">{children}</dd>
    </div>
  );
}

const TEXT_BOX =
  "max-h-96 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2 text-sm whitespace-pre-wrap [overflow-wrap:anywhere] dark:border-slate-800 dark:bg-slate-900";

/**
 * Everything known about one task's outcome. Every string from the task (prompt, result, error, denials,
 * paths, log lines) goes into the page as a text node: markup in it shows as typed.
 */
export function RunTaskResult({ task, runId }: { task: RunTask; runId: string }) {
  const diff = task.worktree ? describeDiffStat(task.worktree.diffStat) : null;
  return (
    <div data-testid="task-result" data-task-id={task.id} className="min-w-0 space-y-3 text-left">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-4">
        <Fact label="Session">
          {task.sessionId ? (
            <Link
              to={sessionHref(task.sessionId)}
              data-testid="task-session-link"
              className="font-mono text-xs break-all text-sky-700 hover:underline dark:text-sky-400"
            >
              {task.sessionId}
            </Link>
          ) : (
            "—"
          )}
        </Fact>
        <Fact label="Model">{task.model ?? "—"}</Fact>
        <Fact label="Exit code">
          <span className={task.exitCode ? "text-rose-700 dark:text-rose-300" : ""}>{task.exitCode ?? "—"}</span>
        </Fact>
        <Fact label="Attempts">{task.attempt ?? "—"}</Fact>
        <Fact label="Started">{task.startedAt ? formatDateTime(task.startedAt) : "—"}</Fact>
        <Fact label="Finished">{task.finishedAt ? formatDateTime(task.finishedAt) : "—"}</Fact>
        <Fact label="Time · API time">
          {formatSeconds(task.durationSeconds)} · {formatSeconds(task.apiDurationSeconds)}
        </Fact>
        <Fact label="Cost">
          {task.costEstimated && task.costUSD !== null ? "≈ " : ""}
          {formatCostOrDash(task.costUSD, taskTokens(task) > 0)}
        </Fact>
        {task.cwd && (
          <div className="col-span-2 min-w-0 sm:col-span-4">
            <dt className="text-xs text-slate-500 dark:text-slate-400">Working directory</dt>
            <dd className="font-mono text-xs break-all">{task.cwd}</dd>
          </div>
        )}
      </dl>

      {task.prompt && (
        <Section title="Prompt">
          <div className={`${TEXT_BOX} max-h-40`}>
            {task.prompt}
            {task.promptTruncated && `… (${task.promptChars ?? "?"} characters in all)`}
          </div>
        </Section>
      )}

      <Section title="Result">
        {task.result ? (
          <div data-testid="task-result-text" className={TEXT_BOX}>
            {task.result}
          </div>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            {isTaskActive(task) ? "No result yet." : "No result text."}
          </p>
        )}
      </Section>

      {task.error && (
        <Section title="Error">
          <div
            data-testid="task-error"
            className="rounded-md border border-rose-300 bg-rose-50 p-2 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere] text-rose-800 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200"
          >
            {task.error}
          </div>
        </Section>
      )}

      {task.permissionDenials.length > 0 && (
        <Section title={`Permission denials (${task.permissionDenials.length})`}>
          <ul data-testid="task-denials" className="space-y-1 text-sm">
            {task.permissionDenials.map((denial, i) => {
              const { tool, input } = describeDenial(denial);
              return (
                <li key={i} className="min-w-0 [overflow-wrap:anywhere]">
                  <span className="font-medium text-amber-800 dark:text-amber-300">{tool}</span>
                  {input && <span className="ml-2 font-mono text-xs">{input}</span>}
                </li>
              );
            })}
          </ul>
        </Section>
      )}

      {task.filesChanged.length > 0 && (
        <Section title={`Files changed (${task.filesChanged.length})`}>
          <ul className="space-y-0.5 font-mono text-xs">
            {task.filesChanged.map((path) => (
              <li key={path} className="break-all">
                {path}
              </li>
            ))}
          </ul>
        </Section>
      )}

      {task.worktree && diff && (
        <Section title="Worktree">
          <p className="text-sm">
            <span className="font-mono text-xs break-all">{task.worktree.branch}</span>
            <span className="text-slate-500 dark:text-slate-400"> · </span>
            <span data-testid="task-diffstat">{diff.summary}</span>
          </p>
          <p className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{task.worktree.path}</p>
          {diff.files.length > 0 && (
            <ul className="mt-1 space-y-0.5 font-mono text-xs">
              {diff.files.map((f) => (
                <li key={f.path} className="flex min-w-0 gap-2">
                  {f.added === null && f.deleted === null ? (
                    <span className="shrink-0 text-slate-500 dark:text-slate-400">binary</span>
                  ) : (
                    <span className="shrink-0 tabular-nums">
                      <span className="text-emerald-700 dark:text-emerald-400">+{f.added ?? 0}</span>{" "}
                      <span className="text-rose-700 dark:text-rose-400">−{f.deleted ?? 0}</span>
                    </span>
                  )}
                  <span className="min-w-0 break-all">{f.path}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}

      <Section title="Logs">
        <TaskLog
          runId={runId}
          taskId={task.id}
          changed={isTaskActive(task) ? `${task.status}:${task.numTurns}:${task.lastTool}` : task.status}
        />
      </Section>
    </div>
  );
}
