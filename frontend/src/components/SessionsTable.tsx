import type { SessionRow, SessionSort, SortOrder } from "../api/types";
import { formatCost, formatDateTime, formatDuration, formatWhen, projectName } from "../format";
import { Link, navigate, sessionHref } from "../router";
import {
  TABLE,
  TABLE_BOX,
  TBODY,
  TD as CELL,
  TD_FIGURE as FIGURE,
  TD_LABELLED as LABELLED,
  TH,
  THEAD,
  TR,
} from "./responsiveTable";
import { StateBadge } from "./StateBadge";
import { TokenCount } from "./TokenCount";

interface SessionsTableProps {
  sessions: SessionRow[];
  sort: SessionSort;
  order: SortOrder;
  onSort: (sort: SessionSort, order: SortOrder) => void;
  now: number;
}

function SortHeader({
  label,
  column,
  sort,
  order,
  onSort,
  alignRight,
}: { label: string; column: SessionSort; alignRight?: boolean } & Pick<
  SessionsTableProps,
  "sort" | "order" | "onSort"
>) {
  const active = sort === column;
  return (
    <th
      scope="col"
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}
      className={`${TH} ${alignRight ? "text-right" : ""}`}
    >
      <button
        type="button"
        onClick={() => onSort(column, active && order === "desc" ? "asc" : "desc")}
        className={`inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-white ${active ? "text-slate-900 dark:text-white" : ""}`}
      >
        {label}
        <span aria-hidden="true" className="w-2">
          {active ? (order === "asc" ? "↑" : "↓") : ""}
        </span>
      </button>
    </th>
  );
}

// Dense rows: one line per cell, 36 px high in the table (the small-screen cards keep their own layout).
const ROW = `${TR} sm:h-9`;
const DENSE = "sm:py-1 sm:align-middle sm:whitespace-nowrap";
const TD = `${CELL} ${DENSE}`;
const TD_LABELLED = `${LABELLED} ${DENSE}`;
const TD_FIGURE = `${FIGURE} ${DENSE}`;

export function SessionsTable({ sessions, sort, order, onSort, now }: SessionsTableProps) {
  const sortProps = { sort, order, onSort };
  return (
    <div className={TABLE_BOX}>
      <table data-testid="sessions-table" className={`${TABLE} sm:min-w-[56rem]`}>
        <thead className={THEAD}>
          <tr>
            <th scope="col" className={TH}>
              State
            </th>
            <th scope="col" className={TH}>
              Session
            </th>
            <th scope="col" className={TH}>
              Branch · model
            </th>
            <th scope="col" className={TH}>
              Machine
            </th>
            <SortHeader label="Last activity" column="lastActivity" {...sortProps} />
            <SortHeader label="Duration" column="duration" alignRight {...sortProps} />
            <SortHeader label="Tokens" column="tokens" alignRight {...sortProps} />
            <SortHeader label="Cost" column="cost" alignRight {...sortProps} />
            <th scope="col" className={`${TH} text-right`}>
              Files
            </th>
          </tr>
        </thead>
        <tbody className={TBODY}>
          {sessions.map((s) => (
            <tr
              key={s.sessionId}
              data-testid="session-row"
              data-session-id={s.sessionId}
              data-state={s.state}
              onClick={() => navigate(sessionHref(s.sessionId))}
              className={ROW}
            >
              <td className={TD}>
                <StateBadge state={s.state} />
              </td>
              <td className={`${TD} sm:max-w-80 max-sm:min-w-0 max-sm:flex-1`}>
                <div className="flex min-w-0 items-baseline gap-2 max-sm:flex-col max-sm:gap-0">
                  <Link
                    to={sessionHref(s.sessionId)}
                    title={s.projectPath ?? undefined}
                    className="max-w-full shrink-0 truncate font-medium hover:underline sm:max-w-40"
                    onClick={(e) => e.stopPropagation()}
                  >
                    {projectName(s.projectPath)}
                  </Link>
                  <span
                    className="min-w-0 max-w-full truncate text-xs text-slate-500 dark:text-slate-400"
                    title={s.title ?? s.sessionId}
                  >
                    {s.title ?? s.sessionId}
                  </span>
                </div>
              </td>
              <td
                className={`${TD} text-xs text-slate-600 sm:max-w-56 dark:text-slate-300 max-sm:flex max-sm:min-w-0 max-sm:basis-full max-sm:gap-2`}
              >
                <div className="flex min-w-0 gap-2">
                  <span className="max-w-[50%] shrink-0 truncate" title={s.gitBranch ?? undefined}>
                    {s.gitBranch ?? "—"}
                  </span>
                  <span className="min-w-0 truncate text-slate-500 dark:text-slate-400" title={s.models.join(", ")}>
                    {s.models.join(", ") || "—"}
                  </span>
                </div>
              </td>
              <td
                className={`${TD_LABELLED} text-xs text-slate-600 sm:max-w-32 sm:truncate dark:text-slate-300`}
                data-label="Machine"
                data-testid="session-machine"
                title={s.machine}
              >
                {s.machine || "—"}
              </td>
              <td className={TD_LABELLED} data-label="Last" title={formatDateTime(s.lastActivity)}>
                {formatWhen(s.lastActivity, now)}
              </td>
              <td className={TD_FIGURE} data-label="Duration">
                {formatDuration(s.durationSeconds)}
              </td>
              <td className={TD_FIGURE} data-label="Tokens">
                <TokenCount tokens={s.totalTokens} />
              </td>
              <td className={TD_FIGURE} data-label="Cost">
                {formatCost(s.costUSD)}
              </td>
              <td className={TD_FIGURE} data-label="Files">
                {s.filesChanged}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
