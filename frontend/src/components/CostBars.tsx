import type { CostShare } from "../charts/series";
import { formatCost, formatInteger, formatTokens } from "../format";

interface CostBarsProps {
  shares: CostShare[];
  /** Display name for a key (e.g. the last path segment of a project). */
  name?: (key: string) => string;
  /** How many rows to show; the rest are summed into "others". */
  limit?: number;
}

function withOthers(shares: CostShare[], limit: number): CostShare[] {
  if (shares.length <= limit) return shares;
  const rest = shares.slice(limit - 1);
  // One unpriced part leaves the sum unpriced: a sum of the priced parts would pass for the whole.
  const unpriced = rest.some((s) => s.costUSD === null);
  return [
    ...shares.slice(0, limit - 1),
    {
      key: `${rest.length} others`,
      costUSD: unpriced ? null : rest.reduce((a, s) => a + (s.costUSD ?? 0), 0),
      totalTokens: rest.reduce((a, s) => a + s.totalTokens, 0),
    },
  ];
}

/** Horizontal bars of cost per key; unpriced keys show their tokens only. */
export function CostBars({ shares, name = (key) => key, limit = 8 }: CostBarsProps) {
  if (shares.length === 0) {
    return <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">No usage in this period.</p>;
  }
  const rows = withOthers(shares, limit);
  const max = Math.max(...rows.map((s) => s.costUSD ?? 0));
  return (
    <ul className="space-y-2">
      {rows.map((share) => (
        <li
          key={share.key}
          className="text-sm"
          data-testid="cost-share"
          data-key={share.key}
          data-tokens={share.totalTokens}
        >
          <div className="flex items-baseline justify-between gap-3">
            <span className="min-w-0 truncate" title={share.key}>
              {name(share.key)}
            </span>
            <span className="shrink-0 tabular-nums">
              <span className="font-semibold">{formatCost(share.costUSD)}</span>{" "}
              <span
                className="text-xs text-slate-500 dark:text-slate-400"
                title={`${formatInteger(share.totalTokens)} tokens`}
              >
                {formatTokens(share.totalTokens)}
              </span>
            </span>
          </div>
          <div className="mt-1 h-1.5 rounded-full bg-slate-100 dark:bg-slate-800">
            <div
              className="h-full rounded-full bg-sky-500"
              style={{ width: `${max > 0 && share.costUSD !== null ? Math.max(1, (share.costUSD / max) * 100) : 0}%` }}
            />
          </div>
        </li>
      ))}
    </ul>
  );
}
