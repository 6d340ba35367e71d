import type { Subagent } from "../api/types";
import { formatCost, formatInteger, formatTokens } from "../format";
import { Panel } from "./Panel";

export function SubagentsTable({ subagents }: { subagents: Subagent[] }) {
  return (
    <Panel title={`Subagents (${subagents.length})`}>
      {subagents.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">No subagents.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
          {subagents.map((a) => (
            <li key={a.agentId} className="py-2">
              <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                <span className="font-medium">{a.agentType}</span>
                <span className="text-xs tabular-nums text-slate-500 dark:text-slate-400">
                  {a.responses} responses ·{" "}
                  <span title={formatInteger(a.totalTokens)}>{formatTokens(a.totalTokens)}</span> ·{" "}
                  {formatCost(a.costUSD)}
                </span>
              </div>
              {a.description && <p className="break-words text-slate-600 dark:text-slate-300">{a.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
