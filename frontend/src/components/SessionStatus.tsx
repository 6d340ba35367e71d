import type { SessionKind, SessionRow } from "../api/types";
import { formatDateTime, formatFor } from "../format";
import { useNow } from "../hooks/useNow";
import { StateBadge } from "./StateBadge";

const KIND_TITLES: Record<SessionKind, string> = {
  interactive: "A terminal session",
  background: "A background session (claude --bg)",
  headless: "A headless session (claude -p)",
};

/** A session's live state for the page header: badge, what it is blocked on, for how long, and its kind. */
export function SessionStatus({ session }: { session: SessionRow }) {
  const now = useNow(1000);
  // An ended session's "for 389 d" says nothing that its last activity does not.
  const lasting = session.state === "ended" ? null : formatFor(session.stateSince, now);
  return (
    <>
      <StateBadge state={session.state} testId="session-state" />
      {session.state === "blocked" && (
        <span
          data-testid="session-blocked-on"
          className="min-w-0 text-sm font-medium break-words text-rose-800 dark:text-rose-200"
        >
          {session.blockedOn ?? "needs your approval"}
        </span>
      )}
      {lasting && session.stateSince && (
        <span
          data-testid="session-state-since"
          title={`Since ${formatDateTime(session.stateSince)}`}
          className="text-xs text-slate-500 tabular-nums dark:text-slate-400"
        >
          {lasting}
        </span>
      )}
      <span
        data-testid="session-kind"
        title={KIND_TITLES[session.kind] ?? session.kind}
        className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300"
      >
        {session.kind}
      </span>
    </>
  );
}
