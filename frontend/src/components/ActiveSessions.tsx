import type { SessionRow } from "../api/types";
import { useNow } from "../hooks/useNow";
import { Loading } from "./Loading";
import { Panel } from "./Panel";
import { SessionCard } from "./SessionCard";

/** `ready` is false until the first live snapshot arrived. */
export function ActiveSessions({ sessions, ready }: { sessions: SessionRow[]; ready: boolean }) {
  const now = useNow(1000);
  return (
    <Panel title={ready ? `Active sessions (${sessions.length})` : "Active sessions"}>
      {!ready ? (
        <Loading what="live sessions" />
      ) : sessions.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">
          No active sessions. Sessions appear here as soon as Claude Code writes to a transcript.
        </p>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
          {sessions.map((session) => (
            <SessionCard key={session.sessionId} session={session} now={now} />
          ))}
        </div>
      )}
    </Panel>
  );
}
