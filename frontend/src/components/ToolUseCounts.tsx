import { Panel } from "./Panel";

export function ToolUseCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <Panel title="Tools used">
      {entries.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">No tool calls.</p>
      ) : (
        <ul className="flex flex-wrap gap-1.5 text-xs">
          {entries.map(([tool, count]) => (
            <li key={tool} className="rounded-full bg-slate-100 px-2 py-0.5 dark:bg-slate-800">
              <span className="font-medium break-all">{tool}</span>{" "}
              <span className="tabular-nums text-slate-500 dark:text-slate-400">{count}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
