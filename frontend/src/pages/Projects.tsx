import { api } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { sessionsHref } from "../filters";
import { formatAgo, formatCost, formatDateTime, formatInteger, formatTokens, projectName } from "../format";
import { useApi } from "../hooks/useApi";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { useLive } from "../live/LiveProvider";
import { Link, navigate } from "../router";
import { TABLE, TABLE_BOX, TBODY, TD, TD_FIGURE, TD_LABELLED, TH, THEAD, TR } from "../components/responsiveTable";

export function Projects() {
  usePageTitle("Projects");
  const projects = useApi((signal) => api.projects(signal), "projects");
  useRefreshOn(useLive().summary?.generatedAt, projects.reload, 15_000);
  const now = useNow(30_000);
  const rows = [...(projects.data?.projects ?? [])].sort(
    (a, b) => Date.parse(b.lastActivity ?? "") - Date.parse(a.lastActivity ?? ""),
  );

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Projects</h1>
      {projects.error && (
        <ErrorNotice what="Could not load projects" error={projects.error} onRetry={projects.reload} />
      )}
      {!projects.data && !projects.error && <Loading what="projects" />}
      {projects.data && rows.length === 0 && (
        <p className="rounded-lg border border-dashed border-slate-300 py-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
          No projects yet.
        </p>
      )}
      {rows.length > 0 && (
        <div className={TABLE_BOX}>
          <table data-testid="projects-table" className={`${TABLE} sm:min-w-[48rem]`}>
            <thead className={THEAD}>
              <tr>
                <th scope="col" className={TH}>
                  Project
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Sessions
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Active
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Tokens
                </th>
                <th scope="col" className={`${TH} text-right`}>
                  Cost
                </th>
                <th scope="col" className={TH}>
                  Last activity
                </th>
                <th scope="col" className={TH}>
                  Models
                </th>
              </tr>
            </thead>
            <tbody className={TBODY}>
              {rows.map((p) => {
                const href = sessionsHref({ project: p.projectPath ?? "" });
                return (
                  <tr
                    key={p.projectPath ?? ""}
                    data-testid="project-row"
                    data-project-path={p.projectPath}
                    onClick={() => navigate(href)}
                    className={TR}
                  >
                    <td className={`${TD} sm:max-w-80 max-sm:min-w-0 max-sm:basis-full`}>
                      <Link
                        to={href}
                        className="block truncate font-medium hover:underline"
                        onClick={(e) => e.stopPropagation()}
                      >
                        {projectName(p.projectPath)}
                      </Link>
                      <span
                        className="block truncate font-mono text-xs text-slate-500 dark:text-slate-400"
                        title={p.projectPath ?? undefined}
                      >
                        {p.projectPath}
                      </span>
                    </td>
                    <td className={TD_FIGURE} data-label="Sessions">
                      {formatInteger(p.sessions)}
                    </td>
                    <td className={TD_FIGURE} data-label="Active">
                      {p.activeSessions}
                    </td>
                    <td className={TD_FIGURE} data-label="Tokens" title={formatInteger(p.totalTokens)}>
                      {formatTokens(p.totalTokens)}
                    </td>
                    <td className={TD_FIGURE} data-label="Cost">
                      {formatCost(p.costUSD)}
                    </td>
                    <td className={TD_LABELLED} data-label="Last" title={formatDateTime(p.lastActivity)}>
                      {formatAgo(p.lastActivity, now)}
                    </td>
                    <td
                      className={`${TD} truncate text-xs text-slate-600 sm:max-w-64 dark:text-slate-300 max-sm:basis-full`}
                      title={p.models.join(", ")}
                    >
                      {p.models.join(", ") || "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
