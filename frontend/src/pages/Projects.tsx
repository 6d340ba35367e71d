import { type ReactNode, useMemo, useState } from "react";
import { api } from "../api/client";
import type { SortOrder } from "../api/types";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { sessionsHref } from "../filters";
import { formatCost, formatDateTime, formatInteger, formatTokens, formatWhen, projectName } from "../format";
import { useApi } from "../hooks/useApi";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { useLive } from "../live/LiveProvider";
import { type ProjectSort, firstOrder, projectTotals, sortProjects } from "../projects";
import { Link, navigate } from "../router";
import { TABLE, TABLE_BOX, TBODY, TD, TD_FIGURE, TD_LABELLED, TH, THEAD, TR } from "../components/responsiveTable";

function SortHeader({
  column,
  sort,
  onSort,
  right,
  children,
}: {
  column: ProjectSort;
  sort: { by: ProjectSort; order: SortOrder };
  onSort: (by: ProjectSort) => void;
  right?: boolean;
  children: ReactNode;
}) {
  const active = sort.by === column;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : "none"}
      className={`${TH} ${right ? "text-right" : ""}`}
    >
      <button
        type="button"
        data-testid={`sort-${column}`}
        onClick={() => onSort(column)}
        className={`inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white ${active ? "text-slate-900 dark:text-white" : ""}`}
      >
        {children}
        <span aria-hidden="true" className="w-2">
          {active ? (sort.order === "asc" ? "↑" : "↓") : ""}
        </span>
      </button>
    </th>
  );
}

export function Projects() {
  usePageTitle("Projects");
  const projects = useApi((signal) => api.projects(signal), "projects");
  useRefreshOn(useLive().summary?.generatedAt, projects.reload, 15_000);
  const now = useNow(30_000);
  const [sort, setSort] = useState<{ by: ProjectSort; order: SortOrder }>({ by: "lastActivity", order: "desc" });
  const onSort = (by: ProjectSort) =>
    setSort((s) => ({ by, order: s.by === by ? (s.order === "asc" ? "desc" : "asc") : firstOrder(by) }));
  const rows = useMemo(
    () => sortProjects(projects.data?.projects ?? [], sort.by, sort.order),
    [projects.data, sort],
  );
  const totals = useMemo(() => projectTotals(rows), [rows]);
  const sortProps = { sort, onSort };

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
                <SortHeader column="name" {...sortProps}>
                  Project
                </SortHeader>
                <SortHeader column="sessions" right {...sortProps}>
                  Sessions
                </SortHeader>
                <SortHeader column="active" right {...sortProps}>
                  Active
                </SortHeader>
                <SortHeader column="tokens" right {...sortProps}>
                  Tokens
                </SortHeader>
                <SortHeader column="cost" right {...sortProps}>
                  Cost
                </SortHeader>
                <SortHeader column="lastActivity" {...sortProps}>
                  Last activity
                </SortHeader>
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
                      {formatWhen(p.lastActivity, now)}
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
            <tfoot
              data-testid="projects-totals"
              className="border-t-2 border-slate-300 bg-slate-50 font-semibold dark:border-slate-700 dark:bg-slate-900 max-sm:block"
            >
              <tr className="max-sm:flex max-sm:flex-wrap max-sm:gap-x-3 max-sm:gap-y-1 max-sm:px-3 max-sm:py-2.5">
                <th scope="row" className={`${TD} text-left max-sm:basis-full`}>
                  All {formatInteger(totals.projects)} projects
                </th>
                <td className={TD_FIGURE} data-label="Sessions">
                  {formatInteger(totals.sessions)}
                </td>
                <td className={TD_FIGURE} data-label="Active">
                  {totals.activeSessions}
                </td>
                <td className={TD_FIGURE} data-label="Tokens" title={formatInteger(totals.totalTokens)}>
                  {formatTokens(totals.totalTokens)}
                </td>
                <td
                  className={TD_FIGURE}
                  data-label="Cost"
                  title={totals.partlyUnpriced ? "Priced projects only: some usage has no price" : undefined}
                >
                  {formatCost(totals.costUSD)}
                  {totals.partlyUnpriced && totals.costUSD !== null && "+"}
                </td>
                <td className={TD_LABELLED} data-label="Last" title={totals.lastActivity ? formatDateTime(totals.lastActivity) : undefined}>
                  {totals.lastActivity ? formatWhen(totals.lastActivity, now) : "—"}
                </td>
                <td className={`${TD} max-sm:hidden`} />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </div>
  );
}
