import { useState } from "react";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { NewRunForm } from "../components/NewRunForm";
import { RunsTable } from "../components/RunsTable";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { useRuns } from "../hooks/useRuns";
import { isRunActive } from "../runs/status";

export function Runs() {
  usePageTitle("Runs");
  const { runs, error, reload } = useRuns();
  // null until the user opens or closes it: open by itself while there is no run yet.
  const [open, setOpen] = useState<boolean | null>(null);
  const editorOpen = open ?? (runs !== undefined && runs.length === 0);
  const now = useNow(runs?.some(isRunActive) ? 1000 : 30_000);

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Runs</h1>

      <section
        data-testid="new-run"
        data-open={editorOpen}
        className="min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <button
          type="button"
          aria-expanded={editorOpen}
          aria-controls="new-run-editor"
          onClick={() => setOpen(!editorOpen)}
          className="flex w-full items-center justify-between gap-2 px-3 py-2.5 text-left sm:px-4"
        >
          <span className="text-sm font-semibold text-slate-700 dark:text-slate-200">New run</span>
          <span aria-hidden="true" className="text-xs text-slate-500 dark:text-slate-400">
            {editorOpen ? "▾ hide" : "▸ show"}
          </span>
        </button>
        {editorOpen && (
          <div id="new-run-editor" className="border-t border-slate-200 p-3 sm:p-4 dark:border-slate-800">
            <NewRunForm />
          </div>
        )}
      </section>

      {error && <ErrorNotice what="Could not load runs" error={error} onRetry={reload} />}
      {!runs && !error && <Loading what="runs" />}
      {runs && (
        <div data-testid="runs-list" className="min-w-0">
          {runs.length === 0 ? (
            <div
              data-testid="runs-empty"
              className="rounded-lg border border-dashed border-slate-300 px-4 py-10 text-center dark:border-slate-700"
            >
              <p className="font-medium">No runs yet</p>
              <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
                Start one above, or with{" "}
                <code className="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">ccdeck run</code>.
              </p>
            </div>
          ) : (
            <RunsTable runs={runs} now={now} />
          )}
        </div>
      )}
    </div>
  );
}
