import { useCallback, useMemo } from "react";
import { api } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { Pagination } from "../components/Pagination";
import { SessionFiltersBar } from "../components/SessionFiltersBar";
import { SessionSearch } from "../components/SessionSearch";
import { SessionsTable } from "../components/SessionsTable";
import { type SessionFilters, filtersFromSearch, filtersToSearch, sessionsQuery } from "../filters";
import { useApi } from "../hooks/useApi";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { useLive } from "../live/LiveProvider";
import { freshest } from "../live/reducer";
import { navigate } from "../router";

export function Sessions({ search }: { search: string }) {
  usePageTitle("Sessions");
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const key = filtersToSearch(filters);
  const result = useApi((signal) => api.sessions(sessionsQuery(filters), signal), key, { keepPrevious: true });
  const projects = useApi((signal) => api.projects(signal), "projects");
  const machines = useApi((signal) => api.machines(signal), "machines");
  const live = useLive();
  // Rows update in place from the live store; new sessions and the order need a re-fetch.
  useRefreshOn(live.summary?.generatedAt, result.reload, 10_000);
  const now = useNow(30_000);

  const update = useCallback((changes: Partial<SessionFilters>, options: { replace?: boolean } = {}) => {
    const next = { ...filtersFromSearch(window.location.search), page: 1, ...changes };
    navigate(`/sessions${filtersToSearch(next)}`, options);
  }, []);

  const projectPaths = useMemo(() => (projects.data?.projects ?? []).flatMap((p) => (p.projectPath === null ? [] : [p.projectPath])).sort(), [projects.data]);
  const models = useMemo(
    () => [...new Set((projects.data?.projects ?? []).flatMap((p) => p.models))].sort(),
    [projects.data],
  );
  const rows = useMemo(
    () => (result.data?.sessions ?? []).map((row) => freshest(row, live.sessions[row.sessionId])),
    [result.data, live.sessions],
  );

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Sessions</h1>
      <SessionSearch />
      <SessionFiltersBar
        filters={filters}
        projects={projectPaths}
        models={models}
        machines={machines.data?.machines ?? []}
        onChange={update}
        onClear={() => navigate("/sessions")}
      />
      {projects.error && (
        <ErrorNotice what="Could not load the project list" error={projects.error} onRetry={projects.reload} />
      )}
      {result.error && <ErrorNotice what="Could not load sessions" error={result.error} onRetry={result.reload} />}
      {!result.data && !result.error && <Loading what="sessions" />}
      {result.data && (
        <div className={`space-y-4 transition-opacity ${result.stale ? "opacity-60" : ""}`} aria-busy={result.stale}>
          {rows.length === 0 ? (
            <p className="rounded-lg border border-dashed border-slate-300 py-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
              No sessions match these filters.
            </p>
          ) : (
            <SessionsTable
              sessions={rows}
              sort={filters.sort}
              order={filters.order}
              onSort={(sort, order) => update({ sort, order })}
              now={now}
            />
          )}
          <Pagination
            page={result.data.page}
            pageSize={result.data.pageSize}
            total={result.data.total}
            onPage={(page) => update({ page })}
          />
        </div>
      )}
    </div>
  );
}
