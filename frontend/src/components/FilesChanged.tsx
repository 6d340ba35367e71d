import type { FileChange } from "../api/types";
import { Panel } from "./Panel";

export function FilesChanged({ files }: { files: FileChange[] }) {
  return (
    <Panel title={`Files changed (${files.length})`}>
      {files.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">No files changed.</p>
      ) : (
        <ul
          data-testid="files-changed"
          className="max-h-80 divide-y divide-slate-100 overflow-y-auto text-sm dark:divide-slate-800"
        >
          {files.map((f) => (
            <li key={`${f.path}\u0000${f.tool}`} className="flex items-baseline gap-2 py-1.5">
              <span className="min-w-0 flex-1 font-mono text-xs break-all">{f.path}</span>
              <span className="shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                {f.tool}
              </span>
              <span
                className="w-8 shrink-0 text-right text-xs tabular-nums text-slate-500 dark:text-slate-400"
                title={`${f.count} times`}
              >
                ×{f.count}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
