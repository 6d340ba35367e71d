import type { ReactNode } from "react";
import type { SessionRow } from "../api/types";
import { formatCost, formatDuration, projectName, secondsBetween } from "../format";
import { doingNow } from "../live/reducer";
import { Link, sessionHref } from "../router";
import { StateBadge } from "./StateBadge";
import { TokenCount } from "./TokenCount";

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="truncate font-semibold tabular-nums">{children}</dd>
    </div>
  );
}

/** One active session on the overview. `now` (ms) drives the elapsed time. */
export function SessionCard({ session, now }: { session: SessionRow; now: number }) {
  const project = projectName(session.projectPath);
  // Only while a turn runs: the line clears as soon as the live row says the turn ended.
  const doing = session.state === "blocked" ? (session.blockedOn ?? doingNow(session)) : doingNow(session);
  // A background job may have no transcript title yet: its name, else its prompt, says what it is.
  const heading = session.title ?? session.name ?? session.prompt;
  return (
    <article
      data-testid="session-card"
      data-session-id={session.sessionId}
      data-state={session.state}
      className="relative flex min-w-0 flex-col gap-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm transition hover:border-slate-400 dark:border-slate-800 dark:bg-slate-900 dark:hover:border-slate-600"
    >
      <div className="flex items-center justify-between gap-2">
        <StateBadge state={session.state} />
        <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400" title="Since first activity">
          {formatDuration(secondsBetween(session.firstActivity, now))}
        </span>
      </div>
      <div className="min-w-0">
        <h3 className="truncate font-semibold" title={session.projectPath ?? undefined}>
          <Link to={sessionHref(session.sessionId)} className="after:absolute after:inset-0 hover:underline">
            {project}
          </Link>
        </h3>
        {heading && (
          <p className="truncate text-sm text-slate-600 dark:text-slate-300" title={session.prompt ?? heading}>
            {session.kind !== "interactive" && (
              <span className="mr-1 rounded bg-slate-100 px-1 text-[11px] text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                {session.kind}
              </span>
            )}
            {heading}
          </p>
        )}
        <p className="flex min-w-0 gap-2 text-xs text-slate-500 dark:text-slate-400">
          {session.gitBranch && (
            <span className="truncate" title={`Branch ${session.gitBranch}`}>
              ⎇ {session.gitBranch}
            </span>
          )}
          {session.models.length > 0 && (
            <span className="truncate" title={session.models.join(", ")}>
              {session.models.join(", ")}
            </span>
          )}
        </p>
      </div>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <Stat label="Tokens">
          <TokenCount tokens={session.totalTokens} />
        </Stat>
        <Stat label="Cost">{formatCost(session.costUSD)}</Stat>
        <Stat label="Files">{session.filesChanged}</Stat>
      </dl>
      <p
        data-testid="session-doing"
        className="truncate rounded bg-slate-50 px-2 py-1 font-mono text-xs text-slate-600 dark:bg-slate-800/60 dark:text-slate-300"
        title={doing ?? undefined}
      >
        {doing ?? "—"}
      </p>
    </article>
  );
}
