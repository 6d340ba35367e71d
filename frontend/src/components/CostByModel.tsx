import type { ModelCost } from "../api/types";
import { formatCost, formatInteger, formatTokens } from "../format";
import { Panel } from "./Panel";

export function CostByModel({ costs }: { costs: ModelCost[] }) {
  return (
    <Panel title="Cost by model">
      {costs.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">No billed responses yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
                <th scope="col" className="py-1 pr-3 font-medium">
                  Model
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Input
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Output
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Cache w / r
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 tabular-nums dark:divide-slate-800">
              {costs.map((c) => (
                <tr key={c.model}>
                  <td className="py-1.5 pr-3 break-all">{c.model}</td>
                  <td className="py-1.5 pr-3 text-right" title={formatInteger(c.inputTokens)}>
                    {formatTokens(c.inputTokens)}
                  </td>
                  <td className="py-1.5 pr-3 text-right" title={formatInteger(c.outputTokens)}>
                    {formatTokens(c.outputTokens)}
                  </td>
                  <td className="py-1.5 pr-3 text-right whitespace-nowrap">
                    {formatTokens(c.cacheCreationTokens)} / {formatTokens(c.cacheReadTokens)}
                  </td>
                  <td className="py-1.5 text-right font-semibold whitespace-nowrap">{formatCost(c.costUSD)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
