import { ApiError, api } from "../api/client";
import { CostByModel } from "../components/CostByModel";
import { ErrorNotice } from "../components/ErrorNotice";
import { FilesChanged } from "../components/FilesChanged";
import { Loading } from "../components/Loading";
import { SessionFacts } from "../components/SessionFacts";
import { SessionTokensChart } from "../components/SessionTokensChart";
import { MuteButton } from "../components/MuteButton";
import { SessionStatus } from "../components/SessionStatus";
import { SubagentsTable } from "../components/SubagentsTable";
import { Timeline } from "../components/Timeline";
import { ToolUseCounts } from "../components/ToolUseCounts";
import { projectName } from "../format";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { useLive } from "../live/LiveProvider";
import { doingNow, freshest } from "../live/reducer";
import { Link } from "../router";

export function Session({ id }: { id: string }) {
  const detail = useApi((signal) => api.session(id, signal), `session:${id}`);
  const liveRow = useLive().sessions[id];
  // The live row says when the session changed; charts, files and subagents then need a re-fetch.
  useRefreshOn(liveRow?.lastActivity, detail.reload, 5000);

  const session = detail.data ? freshest(detail.data.session, liveRow) : liveRow;
  const title = session ? (session.title ?? projectName(session.projectPath)) : id;
  const doing = session ? doingNow(session) : null;
  usePageTitle(title);

  return (
    <div className="space-y-4">
      <div>
        <Link to="/sessions" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Sessions
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 data-testid="session-title" className="min-w-0 text-xl font-semibold break-words">
            {title}
          </h1>
          {session && <SessionStatus session={session} />}
          {session && <MuteButton kind="session" value={session.sessionId} />}
          {session?.projectPath && <MuteButton kind="project" value={session.projectPath} />}
        </div>
        {session && (
          <p className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{session.sessionId}</p>
        )}
        {doing && (
          <p data-testid="session-doing" className="mt-1 text-sm break-words text-slate-600 dark:text-slate-300">
            <span className="text-slate-500 dark:text-slate-400">Now: </span>
            {doing}
          </p>
        )}
      </div>

      {detail.error && (
        <ErrorNotice
          what={
            detail.error instanceof ApiError && detail.error.status === 404
              ? "Session not found"
              : "Could not load the session"
          }
          error={detail.error}
          onRetry={detail.reload}
        />
      )}
      {!detail.data && !detail.error && <Loading what="session" />}

      {detail.data && session && (
        <>
          <SessionFacts session={session} detail={detail.data} />
          <div className="grid gap-4 lg:grid-cols-2">
            <SessionTokensChart
              points={detail.data.tokensOverTime}
              first={session.firstActivity}
              last={session.lastActivity}
            />
            <CostByModel costs={detail.data.costByModel} />
          </div>
          <div className="grid gap-4 lg:grid-cols-2">
            <FilesChanged files={detail.data.filesChanged} />
            <div className="space-y-4">
              <SubagentsTable subagents={detail.data.subagents} />
              <ToolUseCounts counts={detail.data.toolUses} />
            </div>
          </div>
        </>
      )}

      {!(detail.error instanceof ApiError && detail.error.status === 404) && (
        <Timeline key={id} sessionId={id} lastActivity={liveRow?.lastActivity ?? undefined} />
      )}
    </div>
  );
}
