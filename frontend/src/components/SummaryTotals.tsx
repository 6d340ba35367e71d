import type { Summary, Totals } from "../api/types";
import { formatCost, formatInteger, formatTokens } from "../format";

function TotalsCard({ label, totals, testId }: { label: string; totals: Totals; testId: string }) {
  return (
    <div
      data-testid={testId}
      className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-1 text-xl font-semibold tabular-nums sm:text-2xl">{formatCost(totals.costUSD)}</p>
      <p
        className="text-sm tabular-nums text-slate-600 dark:text-slate-300"
        title={`${formatInteger(totals.totalTokens)} tokens`}
      >
        {formatTokens(totals.totalTokens)} tokens
      </p>
      <p className="mt-1 text-xs text-slate-500 tabular-nums dark:text-slate-400">
        in {formatTokens(totals.inputTokens)} · out {formatTokens(totals.outputTokens)} · cache{" "}
        {formatTokens(totals.cacheCreationTokens)} / {formatTokens(totals.cacheReadTokens)}
      </p>
    </div>
  );
}

export function SummaryTotals({ summary }: { summary: Summary }) {
  const { working, blocked, waiting, idle } = summary.active;
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <TotalsCard label="Today" totals={summary.today} testId="totals-today" />
      <TotalsCard label="Last 7 days" totals={summary.week} testId="totals-week" />
      <TotalsCard label="Last 30 days" totals={summary.month} testId="totals-month" />
      <div className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Now</p>
        <p className="mt-1 text-xl font-semibold tabular-nums sm:text-2xl">{working + blocked + waiting + idle} active</p>
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="active-counts">
          {blocked > 0 && (
            <>
              <span className="font-semibold text-rose-700 dark:text-rose-300">{blocked} need you</span> ·{" "}
            </>
          )}
          <span className="text-emerald-700 dark:text-emerald-300">{working} working</span> ·{" "}
          <span className="text-amber-700 dark:text-amber-300">{waiting} waiting</span> · {idle} idle
        </p>
      </div>
    </div>
  );
}
